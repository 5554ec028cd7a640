//! The submission queue and its entries.

use core::fmt;
use core::marker::PhantomData;
use core::ptr;
use core::sync::atomic::Ordering;
use std::io;

use uring_sys as sys;

use crate::index;
use crate::raw::{CORRUPT_SQ, RawRing};

bitflags::bitflags! {
    /// `IOSQE_*`: the flags every SQE carries in `sqe->flags`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SqeFlags: u8 {
        /// `IOSQE_FIXED_FILE`: `fd` is an index into the registered file table.
        #[doc(alias = "IOSQE_FIXED_FILE")]
        const FIXED_FILE = sys::IOSQE_FIXED_FILE;
        /// `IOSQE_IO_DRAIN`: issue only after every earlier SQE has completed.
        ///
        /// Do not mix with `CQE_SKIP_SUCCESS` on one ring. The kernel refuses a DRAIN after a
        /// SKIP (`EOPNOTSUPP`) but accepts a SKIP after a DRAIN, and then a drained request can
        /// wait forever for the skipped CQE, out of reach of any cancel (found by
        /// `fuzz/raw_sqe` on Linux 6.18).
        #[doc(alias = "IOSQE_IO_DRAIN")]
        const IO_DRAIN = sys::IOSQE_IO_DRAIN;
        /// `IOSQE_IO_LINK`: the next SQE starts only after this one succeeds.
        #[doc(alias = "IOSQE_IO_LINK")]
        const IO_LINK = sys::IOSQE_IO_LINK;
        /// `IOSQE_IO_HARDLINK`: like `IO_LINK`, but the chain goes on after a failure.
        #[doc(alias = "IOSQE_IO_HARDLINK")]
        const IO_HARDLINK = sys::IOSQE_IO_HARDLINK;
        /// `IOSQE_ASYNC`: always punt to the io-wq workers.
        #[doc(alias = "IOSQE_ASYNC")]
        const ASYNC = sys::IOSQE_ASYNC;
        /// `IOSQE_BUFFER_SELECT`: take a buffer from the group in `buf_group`.
        #[doc(alias = "IOSQE_BUFFER_SELECT")]
        const BUFFER_SELECT = sys::IOSQE_BUFFER_SELECT;
        /// `IOSQE_CQE_SKIP_SUCCESS`: post no CQE if the request succeeds. Not with `IO_DRAIN`
        /// on the same ring (see there). Linux 5.17+.
        #[doc(alias = "IOSQE_CQE_SKIP_SUCCESS")]
        const CQE_SKIP_SUCCESS = sys::IOSQE_CQE_SKIP_SUCCESS;
        // Bits a newer kernel may define are kept, not dropped.
        const _ = !0;
    }
}

/// One 64-byte submission queue entry, `struct io_uring_sqe`.
///
/// Building an `Sqe` is safe; it only describes an operation. Pushing one onto a ring is
/// `unsafe` on the raw path, because the kernel dereferences the pointers it carries.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct Sqe(pub(crate) sys::io_uring_sqe);

impl Sqe {
    /// An all-zero SQE with `opcode` set (an `IORING_OP_*` value).
    #[inline]
    pub const fn new(opcode: u8) -> Self {
        let mut sqe = sys::io_uring_sqe::zeroed();
        sqe.opcode = opcode;
        Sqe(sqe)
    }

    /// Wraps a raw SQE as it is.
    ///
    /// Bytes the raw SQE leaves uninitialised (a union literal that sets a member smaller
    /// than its union) stay so: the crate copies them into the ring as they are and never
    /// reads them as integers (the kernel sees whatever the stack held there). Start from
    /// [`io_uring_sqe::zeroed`](sys::io_uring_sqe::zeroed) to send zeros.
    #[inline]
    pub const fn from_raw(raw: sys::io_uring_sqe) -> Self {
        Sqe(raw)
    }

    /// The raw SQE.
    #[inline]
    pub const fn as_raw(&self) -> &sys::io_uring_sqe {
        &self.0
    }

    /// The raw SQE, for setting fields no builder knows yet.
    #[inline]
    pub const fn as_raw_mut(&mut self) -> &mut sys::io_uring_sqe {
        &mut self.0
    }

    /// Unwraps the raw SQE.
    #[inline]
    pub const fn into_raw(self) -> sys::io_uring_sqe {
        self.0
    }

    /// Sets `user_data`, the value the completion carries back.
    #[inline]
    #[must_use]
    pub const fn user_data(mut self, user_data: u64) -> Self {
        self.0.user_data = user_data;
        self
    }

    /// ORs `flags` into `sqe->flags`.
    #[inline]
    #[must_use]
    pub const fn flags(mut self, flags: SqeFlags) -> Self {
        self.0.flags |= flags.bits();
        self
    }

    /// Sets the personality registered with `IORING_REGISTER_PERSONALITY` to issue this as.
    #[inline]
    #[must_use]
    pub const fn personality(mut self, personality: u16) -> Self {
        self.0.personality = personality;
        self
    }

    /// The `IORING_OP_*` opcode.
    #[inline]
    pub const fn opcode(&self) -> u8 {
        self.0.opcode
    }

    /// The `user_data` set so far.
    #[inline]
    pub const fn get_user_data(&self) -> u64 {
        self.0.user_data
    }

    /// The `IOSQE_*` flags set so far.
    #[inline]
    pub const fn get_flags(&self) -> SqeFlags {
        SqeFlags::from_bits_retain(self.0.flags)
    }

    /// Sets `sqe->flags` to exactly `flags`.
    #[inline]
    pub const fn set_flags(&mut self, flags: SqeFlags) {
        self.0.flags = flags.bits();
    }
}

impl fmt::Debug for Sqe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = self.0.opcode;
        let mut d = f.debug_struct("Sqe");
        match crate::opcode::table::name(op) {
            Some(name) => d.field("opcode", &name),
            None => d.field("opcode", &op),
        };
        d.field("flags", &self.get_flags())
            .field("fd", &self.0.fd)
            .field("len", &self.0.len)
            .field("user_data", &self.0.user_data)
            .finish_non_exhaustive()
    }
}

/// One 128-byte submission queue entry: an [`Sqe`] followed by 64 more bytes of command data
/// (`sqe->cmd` runs on into them). Only an `IORING_SETUP_SQE128` ring (or, for the `*128`
/// opcodes, an `IORING_SETUP_SQE_MIXED` ring) accepts it.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Sqe128 {
    /// The first 64 bytes: the ordinary SQE.
    pub sqe: Sqe,
    /// Bytes 64..128: the rest of the command area.
    pub ext: [u8; 64],
}

impl Sqe128 {
    /// An all-zero 128-byte SQE with `opcode` set.
    #[inline]
    pub const fn new(opcode: u8) -> Self {
        Sqe128 {
            sqe: Sqe::new(opcode),
            ext: [0; 64],
        }
    }

    /// The 80 bytes of `sqe->cmd` (offset 48 to 128).
    #[inline]
    pub fn cmd(&self) -> &[u8; 80] {
        // SAFETY: `Sqe128` is `repr(C)` with no padding (64 + 64 bytes, align 8), `cmd` starts
        // at byte 48 of the SQE, and 48 + 80 = 128 is the size of `Self`; `[u8; 80]` has
        // alignment 1 and every bit pattern is a valid `u8`.
        unsafe {
            &*(self as *const Self)
                .cast::<u8>()
                .add(48)
                .cast::<[u8; 80]>()
        }
    }

    /// The 80 bytes of `sqe->cmd`, for writing a command.
    #[inline]
    pub fn cmd_mut(&mut self) -> &mut [u8; 80] {
        // SAFETY: as in `cmd`, and the borrow is unique because `self` is.
        unsafe { &mut *(self as *mut Self).cast::<u8>().add(48).cast::<[u8; 80]>() }
    }
}

impl From<Sqe> for Sqe128 {
    #[inline]
    fn from(sqe: Sqe) -> Self {
        Sqe128 { sqe, ext: [0; 64] }
    }
}

impl fmt::Debug for Sqe128 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sqe128")
            .field("sqe", &self.sqe)
            .finish_non_exhaustive()
    }
}

const _: () = assert!(core::mem::size_of::<Sqe>() == 64);
const _: () = assert!(core::mem::size_of::<Sqe128>() == 128);
const _: () = assert!(core::mem::align_of::<Sqe128>() == 8);

mod sealed {
    pub trait Sealed {}
}

/// An SQE type a ring can hold: [`Sqe`] (64 bytes) or [`Sqe128`] (128 bytes,
/// `IORING_SETUP_SQE128`). Sealed: the ring's SQE stride is the type's size.
pub trait SqeEntry: sealed::Sealed + Copy + fmt::Debug + Send + Sync + 'static {
    /// The `IORING_SETUP_*` bit this entry size needs (0 for 64-byte SQEs).
    const SETUP_FLAG: u32;
    /// The first 64 bytes, the ordinary SQE.
    fn as_sqe(&self) -> &Sqe;
    /// The first 64 bytes, for setting flags.
    fn as_sqe_mut(&mut self) -> &mut Sqe;
}

impl sealed::Sealed for Sqe {}
impl SqeEntry for Sqe {
    const SETUP_FLAG: u32 = 0;
    #[inline]
    fn as_sqe(&self) -> &Sqe {
        self
    }
    #[inline]
    fn as_sqe_mut(&mut self) -> &mut Sqe {
        self
    }
}

impl sealed::Sealed for Sqe128 {}
impl SqeEntry for Sqe128 {
    const SETUP_FLAG: u32 = sys::IORING_SETUP_SQE128;
    #[inline]
    fn as_sqe(&self) -> &Sqe {
        &self.sqe
    }
    #[inline]
    fn as_sqe_mut(&mut self) -> &mut Sqe {
        &mut self.sqe
    }
}

/// The SQ had too few free slots for the push; nothing was pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushError {
    /// Slots the push needed.
    pub needed: u32,
    /// Slots that were free.
    pub available: u32,
}

impl fmt::Display for PushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "submission queue full: {} slots needed, {} free; submit (and reap completions) \
             first",
            self.needed, self.available
        )
    }
}

impl std::error::Error for PushError {}

impl From<PushError> for io::Error {
    fn from(e: PushError) -> io::Error {
        crate::error::with_message(libc::EBUSY, e.to_string())
    }
}

/// The submission queue: push SQEs, then publish them to the kernel with [`sync`](Self::sync) (or
/// drop). Obtained from [`Ring::sq`](crate::Ring::sq) or [`Ring::split`](crate::Ring::split);
/// `Send`, so a producer thread can own it.
pub struct SubmissionQueue<'a, S: SqeEntry = Sqe> {
    raw: &'a RawRing,
    /// The kernel's head as last loaded.
    head: u32,
    /// Our tail, including SQEs pushed but not yet published.
    tail: u32,
    _entry: PhantomData<fn(S)>,
}

impl<S: SqeEntry> fmt::Debug for SubmissionQueue<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubmissionQueue")
            .field("head", &self.head)
            .field("tail", &self.tail)
            .field("entries", &self.raw.sq_entries)
            .finish()
    }
}

impl<'a, S: SqeEntry> SubmissionQueue<'a, S> {
    #[inline]
    pub(crate) fn new(raw: &'a RawRing) -> Self {
        SubmissionQueue {
            raw,
            // Acquire: the kernel's reads of the SQEs it consumed happen before our reuse of
            // their slots (it stores the head with release).
            head: raw.sq_head().load(Ordering::Acquire),
            // Only we write the tail; the previous store was ours (this handle borrows the ring
            // mutably, so any earlier handle was synchronized with us by that borrow).
            tail: raw.sq_tail().load(Ordering::Relaxed),
            _entry: PhantomData,
        }
    }

    /// Publishes the pushed SQEs (stores the tail) and refreshes the kernel's head.
    #[inline]
    pub fn sync(&mut self) {
        // Release: the SQE bytes written by `push` become visible before the kernel (which
        // loads the tail with acquire) can see the new tail.
        self.raw.sq_tail().store(self.tail, Ordering::Release);
        // Acquire: see `new`.
        self.head = self.raw.sq_head().load(Ordering::Acquire);
    }

    /// SQ size.
    #[inline]
    pub fn capacity(&self) -> u32 {
        self.raw.sq_entries
    }

    /// SQEs in the queue not yet consumed by the kernel (as of the last head load), including
    /// pushed but unpublished ones.
    #[inline]
    pub fn len(&self) -> u32 {
        index::len(self.head, self.tail).min(self.raw.sq_entries)
    }

    /// Whether the queue holds no unconsumed SQE (as of the last head load).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Free slots (as of the last head load; [`sync`](Self::sync) refreshes it).
    #[inline]
    pub fn space_left(&self) -> u32 {
        index::space(self.head, self.tail, self.raw.sq_entries)
    }

    /// Whether no slot is free (as of the last head load).
    #[inline]
    pub fn is_full(&self) -> bool {
        self.space_left() == 0
    }

    /// SQEs the kernel dropped as invalid (`sq_off.dropped`).
    #[inline]
    pub fn dropped(&self) -> u32 {
        // Relaxed: a statistic, nothing is published with it.
        self.raw.sq_dropped().load(Ordering::Relaxed)
    }

    /// `IORING_SQ_NEED_WAKEUP`: the SQPOLL thread sleeps
    /// ([`Submitter::submit`](crate::Submitter::submit) wakes it).
    #[inline]
    pub fn need_wakeup(&self) -> bool {
        // SeqCst fence: the tail store (in `sync`) must be ordered before this load, see the
        // module docs.
        core::sync::atomic::fence(Ordering::SeqCst);
        self.raw.sq_flags().load(Ordering::Relaxed) & sys::IORING_SQ_NEED_WAKEUP != 0
    }

    /// `IORING_SQ_CQ_OVERFLOW`: completions wait in the kernel's overflow list; enter with
    /// `GETEVENTS` (any [`Submitter`](crate::Submitter) call does) after reaping to flush them.
    #[inline]
    pub fn cq_overflow(&self) -> bool {
        // Relaxed: a hint to enter the kernel; the syscall itself synchronizes.
        self.raw.sq_flags().load(Ordering::Relaxed) & sys::IORING_SQ_CQ_OVERFLOW != 0
    }

    /// `IORING_SQ_TASKRUN`: task work is pending (with `TASKRUN_FLAG`); enter with `GETEVENTS`.
    #[inline]
    pub fn taskrun(&self) -> bool {
        // Relaxed: a hint, as for `cq_overflow`.
        self.raw.sq_flags().load(Ordering::Relaxed) & sys::IORING_SQ_TASKRUN != 0
    }

    /// Reloads the kernel's head when fewer than `n` slots look free; returns the free count.
    #[inline]
    fn reserve(&mut self, n: u32) -> Result<(), PushError> {
        let mut available = self.space_left();
        if available < n {
            // Acquire: see `new`.
            self.head = self.raw.sq_head().load(Ordering::Acquire);
            available = self.space_left();
            if available < n {
                if index::len(self.head, self.tail) > self.raw.sq_entries {
                    // The kernel's head is beyond our tail or more than a ring behind it:
                    // push nothing (space is 0) and fail the next enter.
                    self.raw.mark_corrupt(CORRUPT_SQ);
                }
                return Err(PushError {
                    needed: n,
                    available,
                });
            }
        }
        Ok(())
    }

    /// Writes `sqe` into the slot of `self.tail` and advances the tail (unpublished).
    ///
    /// # Safety
    /// A slot must be free (`reserve` succeeded for it).
    #[inline]
    unsafe fn write(&mut self, sqe: &S) {
        let slot = index::slot(self.tail, self.raw.sq_mask);
        // SAFETY: `slot < sq_entries` (masked with `sq_mask = sq_entries - 1`), and the SQE
        // array maps `sq_entries` entries of `size_of::<S>()` bytes (the ring was set up with
        // `S::SETUP_FLAG`, see `Ring::setup`), so the write is in bounds and aligned (the
        // mapping is page-aligned, the stride a multiple of 64). The slot is free (caller), so
        // the kernel does not read it concurrently, and we hold the only SubmissionQueue.
        unsafe { copy_sqe(sqe, self.raw.sqes().cast::<S>().add(slot)) };
        self.tail = self.tail.wrapping_add(1);
    }

    /// Pushes one SQE (published on [`sync`](Self::sync) or drop).
    ///
    /// # Errors
    /// [`PushError`] when the SQ is full: submit first.
    ///
    /// # Safety
    /// The kernel acts on the SQE as written. Until its completion is reaped (or, for data
    /// read only at submission — e.g. a timeout's `timespec` — until it is submitted):
    /// - every pointer in it (buffers, iovecs, `msghdr`s, paths, `timespec`s, ...) must be valid
    ///   for the reads and writes the opcode does, and not be accessed otherwise in a way that
    ///   races with the kernel;
    /// - every fd or fixed-file index in it must refer to what you mean (a reused fd number is
    ///   not UB for Rust, but the kernel will act on the new file);
    /// - registered buffers/files it names must stay registered;
    /// - if the ring may later be handed to
    ///   [`Driver::from_ring`](crate::driver::Driver::from_ring), a `user_data` with bit 63 set
    ///   ([`driver::TAG`](crate::driver::TAG)) must be complete and its CQE reaped before then:
    ///   the driver takes such a CQE for one of its own operations.
    ///
    /// Dropping the ring does not wait for requests in flight: after the fd closes the kernel
    /// cancels them asynchronously, and until each is gone it may still read or write its
    /// memory. On the raw path, cancel (`IORING_OP_ASYNC_CANCEL` with `ANY`) and reap every
    /// CQE before freeing memory a request names; the `driver` module does this for you.
    #[inline]
    pub unsafe fn push(&mut self, sqe: &S) -> Result<(), PushError> {
        self.reserve(1)?;
        // SAFETY: `reserve(1)` just proved a free slot.
        unsafe { self.write(sqe) };
        Ok(())
    }

    /// [`Ring::supports_opcode`](crate::Ring::supports_opcode) while the SQ is held (the driver's
    /// batch asks between reserving a slot and writing it; asking moves no index).
    pub(crate) fn supports_opcode(&self, opcode: u8) -> io::Result<()> {
        self.raw.supports_opcode(opcode)
    }

    /// Makes sure one slot is free for [`write_reserved`](Self::write_reserved), reloading
    /// the kernel's head only when none looked free (crate-private: the driver reserves first,
    /// then builds the SQE straight into the ring).
    ///
    /// # Errors
    /// [`PushError`] when the SQ is full: submit first.
    #[inline]
    pub(crate) fn reserve_one(&mut self) -> Result<(), PushError> {
        self.reserve(1)
    }

    /// Writes `sqe` by value into the slot of the tail and advances the tail (unpublished):
    /// when the caller's SQE builder inlines, the SQE is built in the ring, not copied there
    /// from the stack.
    ///
    /// # Safety
    /// [`reserve_one`](Self::reserve_one) succeeded since the last push or write, and the SQE
    /// meets [`push`](Self::push)'s contract.
    #[inline]
    pub(crate) unsafe fn write_reserved(&mut self, sqe: S) {
        let slot = index::slot(self.tail, self.raw.sq_mask);
        // SAFETY: as in `write`: `slot < sq_entries` inside the SQE array mapping, aligned;
        // the slot is free (the caller reserved it) and we hold the only SubmissionQueue.
        unsafe { ptr::write(self.raw.sqes().cast::<S>().add(slot), sqe) };
        self.tail = self.tail.wrapping_add(1);
    }

    /// Pushes all of `sqes` or, when fewer slots are free, none (published once, on
    /// [`sync`](Self::sync) or drop).
    ///
    /// # Safety
    /// As for [`push`](Self::push), for every SQE.
    #[inline]
    pub unsafe fn push_multiple(&mut self, sqes: &[S]) -> Result<(), PushError> {
        let n = u32::try_from(sqes.len()).unwrap_or(u32::MAX);
        self.reserve(n)?;
        for sqe in sqes {
            // SAFETY: `reserve(n)` proved `n = sqes.len()` free slots.
            unsafe { self.write(sqe) };
        }
        Ok(())
    }

    /// Pushes `sqes` as a linked chain, all or nothing; see [`crate::chain`].
    ///
    /// # Safety
    /// As for [`push`](Self::push), for every SQE (and the link timeout's `timespec`, which
    /// must stay valid until the chain is submitted).
    pub(crate) unsafe fn push_with(
        &mut self,
        sqes: &[S],
        extra: Option<&S>,
        link: LinkFlag,
    ) -> Result<(), PushError> {
        let total = sqes.len() + usize::from(extra.is_some());
        let n = u32::try_from(total).unwrap_or(u32::MAX);
        self.reserve(n)?;
        for (i, sqe) in sqes.iter().enumerate() {
            let mut sqe = *sqe;
            if i + 1 < total {
                let f = sqe.as_sqe().get_flags() | link.0;
                sqe.as_sqe_mut().set_flags(f);
            }
            // SAFETY: `reserve(n)` proved `n` free slots, `n >= sqes.len()`.
            unsafe { self.write(&sqe) };
        }
        if let Some(extra) = extra {
            // SAFETY: the last of the `n` reserved slots.
            unsafe { self.write(extra) };
        }
        Ok(())
    }
}

/// Copies `sqe` into the ring slot `dst`, as 8-byte words.
///
/// `ptr::write(dst, *sqe)` is a `memcpy` of the SQE's bytes, through its unions; whenever an
/// acquire load can come between the building of the SQE and this copy (the head reload in
/// [`SubmissionQueue::reserve`]), the optimiser builds the SQE's tail on the stack and copies
/// it from there. Word copies let it assemble each word from the builder's fields in registers
/// instead (the opcode, flags, ioprio and fd word of a loop's SQEs is even computed once):
/// measured 16 fewer instructions per read pushed (`./x bench uring`). Written out, not as a
/// loop, which the optimiser would turn back into a `memcpy`.
///
/// The words are `MaybeUninit`: an SQE from [`Sqe::from_raw`] may leave union bytes
/// uninitialised, and those are copied as they are, never read as integers.
///
/// # Safety
/// `dst` is valid for a write of one `S` and 8-aligned (the SQE array is page-aligned and its
/// stride is `size_of::<S>()`, a multiple of 64).
#[inline(always)]
unsafe fn copy_sqe<S: SqeEntry>(sqe: &S, dst: *mut S) {
    use core::mem::{MaybeUninit, size_of};
    const { assert!(size_of::<S>() == 64 || size_of::<S>() == 128) };
    let src = ptr::from_ref(sqe).cast::<MaybeUninit<u64>>();
    let dst = dst.cast::<MaybeUninit<u64>>();
    // SAFETY: `src` is a live `S`, so its words 0..size/8 are readable as `MaybeUninit<u64>`
    // (any bytes, initialised or not; read unaligned, as `S` is only 4-aligned where `u64`
    // is); `dst` is writable and 8-aligned for as many (caller). Both blocks below stay
    // within `size_of::<S>()`.
    unsafe {
        copy_64(src, dst);
        if size_of::<S>() == 128 {
            copy_64(src.add(8), dst.add(8));
        }
    }
}

/// Copies 64 bytes as eight word loads and stores.
///
/// # Safety
/// `src` readable for eight words (any alignment), `dst` writable for eight 8-aligned words;
/// they do not overlap.
#[inline(always)]
unsafe fn copy_64(src: *const core::mem::MaybeUninit<u64>, dst: *mut core::mem::MaybeUninit<u64>) {
    // SAFETY: words 0..8 of both are in bounds, `dst`'s aligned (caller).
    unsafe {
        dst.write(src.read_unaligned());
        dst.add(1).write(src.add(1).read_unaligned());
        dst.add(2).write(src.add(2).read_unaligned());
        dst.add(3).write(src.add(3).read_unaligned());
        dst.add(4).write(src.add(4).read_unaligned());
        dst.add(5).write(src.add(5).read_unaligned());
        dst.add(6).write(src.add(6).read_unaligned());
        dst.add(7).write(src.add(7).read_unaligned());
    }
}

/// The `IOSQE_IO_LINK` or `IOSQE_IO_HARDLINK` flag that
/// [`push_with`](SubmissionQueue::push_with) sets on every SQE of a chain but the last.
#[derive(Clone, Copy)]
pub(crate) struct LinkFlag(pub(crate) SqeFlags);

impl<S: SqeEntry> Drop for SubmissionQueue<'_, S> {
    #[inline]
    fn drop(&mut self) {
        // Release: see `sync`.
        self.raw.sq_tail().store(self.tail, Ordering::Release);
    }
}
