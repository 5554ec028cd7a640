//! The ring: setup, the mapped SQ/CQ rings, and the lock-free protocol with the kernel.
//!
//! # The protocol
//!
//! The SQ tail and the CQ head are ours (only this process writes them); the SQ head and the CQ
//! tail are the kernel's. Every index is a free-running `u32` that wraps; a slot is
//! `index & mask`, a length is `tail.wrapping_sub(head)` (see [`index`]). The orderings, each
//! explained where it is used:
//!
//! - SQ: we fill slots, then store the tail with `Release` (the kernel loads it with acquire, so
//!   it sees the SQE bytes). We load the kernel's SQ head with `Acquire` before reusing a slot
//!   (the kernel stores it with release after reading the SQE, so its reads are done).
//! - CQ: we load the kernel's CQ tail with `Acquire` (it stores it with release after writing the
//!   CQE), read the CQEs, then store our head with `Release` (our reads finish before the kernel
//!   may overwrite the slots).
//! - SQPOLL: after the tail store, a `SeqCst` fence, then the `NEED_WAKEUP` load: the poller sets
//!   the flag, runs a full barrier, then rechecks the tail; with the fence on our side one of us
//!   always sees the other (see [`crate::Submitter::submit`]).
//!
//! Memory safety never depends on a value the kernel writes: every slot index is masked with the
//! mask we computed ourselves from the mapping sizes, so a confused kernel (or a bogus head/tail)
//! can only yield wrong CQE contents, never an out-of-bounds access.

use core::fmt;
use core::marker::PhantomData;
use core::ptr;
use core::sync::atomic::{AtomicU32, Ordering};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use uring_sys as sys;

use crate::cqueue::{Cqe, Cqe32};
use crate::mmap::Mmap;
use crate::setup::{Builder, Features, SetupFlags};
use crate::squeue::{Sqe, Sqe128};
use crate::submit::Submitter;

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

/// A CQE type a ring yields: [`Cqe`] (16 bytes), [`Cqe32`] (32 bytes, `IORING_SETUP_CQE32`) or
/// [`CqeMixed`] (16 or 32 bytes per entry, `IORING_SETUP_CQE_MIXED`). Sealed: the ring's CQ
/// layout follows the type.
pub trait CqeEntry: sealed::Sealed + Copy + fmt::Debug + Send + Sync + 'static {
    /// The `IORING_SETUP_*` bit this entry size needs (0 for 16-byte CQEs).
    const SETUP_FLAG: u32;
    /// Bytes per CQ slot (the CQE array holds `cq_entries` slots of this size).
    #[doc(hidden)]
    const SLOT: usize;
    /// The first 16 bytes, the ordinary CQE.
    fn as_cqe(&self) -> &Cqe;
    /// Reads the entry at ring index `head`: the entry (`None` for a padding entry to skip)
    /// and the number of slots it takes.
    ///
    /// # Safety
    /// `cqes` must point to `mask + 1` readable slots of [`Self::SLOT`] bytes, 16-aligned.
    #[doc(hidden)]
    unsafe fn read(cqes: *const u8, head: u32, mask: u32) -> (Option<Self>, u32);
}

/// Reads slot `head & mask` of a CQ array of `T`-sized slots.
///
/// # Safety
/// As for [`CqeEntry::read`], with `T`-sized slots; `T` must be plain integers.
#[inline(always)]
unsafe fn read_slot<T: Copy>(cqes: *const u8, head: u32, mask: u32) -> T {
    // SAFETY: the slot index is masked, so it is below `mask + 1`, and the caller guarantees
    // that many readable, aligned slots; `T` is plain integers, so any bytes are valid.
    unsafe { ptr::read(cqes.cast::<T>().add(index::slot(head, mask))) }
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

impl sealed::Sealed for Cqe {}
impl CqeEntry for Cqe {
    const SETUP_FLAG: u32 = 0;
    const SLOT: usize = 16;
    #[inline]
    fn as_cqe(&self) -> &Cqe {
        self
    }
    #[inline(always)]
    unsafe fn read(cqes: *const u8, head: u32, mask: u32) -> (Option<Self>, u32) {
        // SAFETY: the caller's contract is `read_slot`'s, with 16-byte slots.
        (Some(unsafe { read_slot::<Cqe>(cqes, head, mask) }), 1)
    }
}

impl sealed::Sealed for Cqe32 {}
impl CqeEntry for Cqe32 {
    const SETUP_FLAG: u32 = sys::IORING_SETUP_CQE32;
    const SLOT: usize = 32;
    #[inline]
    fn as_cqe(&self) -> &Cqe {
        &self.cqe
    }
    #[inline(always)]
    unsafe fn read(cqes: *const u8, head: u32, mask: u32) -> (Option<Self>, u32) {
        // SAFETY: the caller's contract is `read_slot`'s, with 32-byte slots.
        (Some(unsafe { read_slot::<Cqe32>(cqes, head, mask) }), 1)
    }
}

/// A CQE of an `IORING_SETUP_CQE_MIXED` ring (Linux 6.18+): 16 bytes, or 32 when the kernel
/// set `IORING_CQE_F_32` (then [`big_cqe`](Self::big_cqe) holds the extra 16 bytes, else
/// zeros). Padding entries (`IORING_CQE_F_SKIP`) are skipped by the iterator, never yielded.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct CqeMixed {
    /// The first 16 bytes, the ordinary CQE.
    pub cqe: Cqe,
    /// The second 16 bytes of a 32-byte CQE; zero for a 16-byte one.
    pub big_cqe: [u64; 2],
}

impl CqeMixed {
    /// `IORING_CQE_F_32`: this was a 32-byte CQE.
    #[inline]
    pub const fn is_big(&self) -> bool {
        self.cqe.0.flags & sys::IORING_CQE_F_32 != 0
    }
}

impl sealed::Sealed for CqeMixed {}
impl CqeEntry for CqeMixed {
    const SETUP_FLAG: u32 = sys::IORING_SETUP_CQE_MIXED;
    const SLOT: usize = 16;
    #[inline]
    fn as_cqe(&self) -> &Cqe {
        &self.cqe
    }
    #[inline]
    unsafe fn read(cqes: *const u8, head: u32, mask: u32) -> (Option<Self>, u32) {
        // SAFETY: the caller's contract is `read_slot`'s, with 16-byte slots.
        let cqe = unsafe { read_slot::<Cqe>(cqes, head, mask) };
        if cqe.0.flags & sys::IORING_CQE_F_SKIP != 0 {
            return (None, 1);
        }
        if cqe.0.flags & sys::IORING_CQE_F_32 != 0 {
            // The kernel never wraps a big CQE (it pads with a SKIP entry instead); reading
            // the second half from its own masked slot stays in bounds even if it did.
            // SAFETY: as above.
            let big = unsafe { read_slot::<[u64; 2]>(cqes, head.wrapping_add(1), mask) };
            return (Some(CqeMixed { cqe, big_cqe: big }), 2);
        }
        (
            Some(CqeMixed {
                cqe,
                big_cqe: [0, 0],
            }),
            1,
        )
    }
}

/// Pure ring-index arithmetic: no memory, no syscalls (so Miri and proptest cover it).
///
/// Indices are free-running `u32`s: they wrap at 2^32, and because the ring sizes are powers of
/// two no larger than 2^16, `tail - head` (wrapping) is the number of entries between them and
/// `index & mask` the slot, across the wrap.
pub mod index {
    /// Entries between `head` and `tail` (wrapping).
    #[inline]
    pub const fn len(head: u32, tail: u32) -> u32 {
        tail.wrapping_sub(head)
    }

    /// Free slots in a ring of `entries` from `head` to `tail`; 0 when the indices claim more
    /// than `entries` (a kernel that broke the protocol: we then push nothing).
    #[inline]
    pub const fn space(head: u32, tail: u32, entries: u32) -> u32 {
        entries.saturating_sub(len(head, tail))
    }

    /// The slot of `index` in a ring with `mask = entries - 1`.
    #[inline]
    pub const fn slot(index: u32, mask: u32) -> usize {
        (index & mask) as usize
    }

    /// The CQEs ready between `head` and `tail`, never more than the ring holds.
    #[inline]
    pub const fn ready(head: u32, tail: u32, entries: u32) -> u32 {
        let n = len(head, tail);
        if n > entries { entries } else { n }
    }
}

/// Where a registered ring fd may be used: `io_uring_enter(2)` with a registered index works
/// only in the thread (task) that registered it.
mod thread_id {
    use core::cell::Cell;
    use core::sync::atomic::{AtomicU64, Ordering};

    static NEXT: AtomicU64 = AtomicU64::new(1);
    std::thread_local! {
        static ID: Cell<u64> = const { Cell::new(0) };
    }

    /// A process-unique id of the calling thread, never reused (unlike a TLS address).
    #[inline]
    pub(crate) fn current() -> u64 {
        ID.with(|id| {
            let v = id.get();
            if v != 0 {
                return v;
            }
            // Relaxed: only uniqueness matters, no other memory is published with it.
            let v = NEXT.fetch_add(1, Ordering::Relaxed);
            id.set(v);
            v
        })
    }
}

pub(crate) use thread_id::current as current_thread_id;

/// The mapped ring and its fd: what [`Ring`], [`Submitter`], [`SubmissionQueue`] and
/// [`CompletionQueue`] share. Fields are private to this module; everything else goes through
/// the accessors below.
pub(crate) struct RawRing {
    sq_head: *const AtomicU32,
    sq_tail: *const AtomicU32,
    sq_flags: *const AtomicU32,
    sq_dropped: *const AtomicU32,
    cq_head: *const AtomicU32,
    cq_tail: *const AtomicU32,
    cq_overflow: *const AtomicU32,
    /// Null on kernels before 5.8 (no CQ flags word).
    cq_flags: *const AtomicU32,
    /// Base of the SQE array (`sq_entries` entries of the ring's SQE size).
    sqes: *mut u8,
    /// Base of the CQE array (`cq_entries` entries of the ring's CQE size).
    cqes: *const u8,
    pub(crate) sq_mask: u32,
    pub(crate) sq_entries: u32,
    pub(crate) cq_mask: u32,
    pub(crate) cq_entries: u32,
    pub(crate) flags: SetupFlags,
    pub(crate) features: Features,
    /// `Some((index, thread))` when the ring fd is registered (`IORING_REGISTER_RING_FDS`) by
    /// `thread`.
    pub(crate) registered: Option<(u32, u64)>,
    // Drop order: the fd closes first, then the mappings go.
    pub(crate) fd: OwnedFd,
    _sq_map: Mmap,
    _cq_map: Option<Mmap>,
    _sqe_map: Mmap,
    /// [`CORRUPT_CQ`], [`CORRUPT_SQ`], [`CORRUPT_RESIZE`] (sticky: the shared ring memory held
    /// indices a correct kernel never writes, and every later enter fails with
    /// [`RawRing::corrupt_error`]) and [`GENERAL_ENTER`]. One word, so the submit fast path
    /// tells "plain ring, nothing wrong" from everything else with one load.
    state: AtomicU32,
    /// The model kernel this ring runs against instead of the real one (`crate::model`); its
    /// memory backs the mappings above, so it goes last.
    #[cfg(any(test, feature = "model"))]
    pub(crate) model: Option<std::sync::Arc<crate::model::Shared>>,
}

/// [`RawRing::state`] bit: the CQ tail was more than `cq_entries` ahead of the head.
pub(crate) const CORRUPT_CQ: u32 = 1;
/// [`RawRing::state`] bit: the SQ head was behind our tail by more than `sq_entries`, or
/// beyond it.
pub(crate) const CORRUPT_SQ: u32 = 2;
/// [`RawRing::state`] bit: the kernel resized the rings but mapping the new ones failed, so
/// the mappings this ring holds are the old rings, which the kernel no longer uses.
pub(crate) const CORRUPT_RESIZE: u32 = 4;
/// The [`RawRing::state`] bits that say the ring is corrupt.
const CORRUPT: u32 = CORRUPT_CQ | CORRUPT_SQ | CORRUPT_RESIZE;
/// [`RawRing::state`] bit, not an error: this ring enters the kernel through the general path
/// of [`Submitter::submit_and_wait`](crate::Submitter::submit_and_wait) (SQPOLL, IOPOLL, a
/// registered ring fd, the model kernel). Kept by [`RawRing::update_enter_path`].
pub(crate) const GENERAL_ENTER: u32 = 1 << 31;

// SAFETY: the raw pointers point into mappings this struct owns (`_sq_map`, `_cq_map`,
// `_sqe_map`), which are process-wide, not thread-bound. The shared words are only accessed
// through `AtomicU32`; the SQE and CQE arrays only through a `SubmissionQueue` or
// `CompletionQueue`, of which at most one each exists at a time (they borrow the `Ring`
// mutably, see `Ring::sq`, `Ring::cq`, `Ring::split`).
unsafe impl Send for RawRing {}
// SAFETY: as above: `&RawRing` only allows atomic access to the shared words and syscalls on
// the fd; the arrays need the exclusive SQ/CQ handles.
unsafe impl Sync for RawRing {}

impl RawRing {
    /// [`Ring::supports_opcode`], reachable from a [`SubmissionQueue`] too.
    pub(crate) fn supports_opcode(&self, opcode: u8) -> io::Result<()> {
        #[cfg(any(test, feature = "model"))]
        if self.model.is_some() {
            return Ok(());
        }
        crate::probe::kernel_supports(opcode)
    }

    /// The kernel's SQ head.
    #[inline]
    pub(crate) fn sq_head(&self) -> &AtomicU32 {
        // SAFETY: `sq_head` points into `_sq_map` at the kernel's `sq_off.head`, checked to be
        // in bounds and 4-aligned in `RawRing::map`; the mapping lives as long as `self`.
        // The kernel writes it concurrently, which is fine for an atomic.
        unsafe { &*self.sq_head }
    }

    /// Our SQ tail.
    #[inline]
    pub(crate) fn sq_tail(&self) -> &AtomicU32 {
        // SAFETY: as for `sq_head` (`sq_off.tail`, checked in `RawRing::map`).
        unsafe { &*self.sq_tail }
    }

    /// The SQ flags word (`IORING_SQ_*`), written by the kernel.
    #[inline]
    pub(crate) fn sq_flags(&self) -> &AtomicU32 {
        // SAFETY: as for `sq_head` (`sq_off.flags`, checked in `RawRing::map`).
        unsafe { &*self.sq_flags }
    }

    /// The count of SQEs the kernel dropped as invalid.
    #[inline]
    pub(crate) fn sq_dropped(&self) -> &AtomicU32 {
        // SAFETY: as for `sq_head` (`sq_off.dropped`, checked in `RawRing::map`).
        unsafe { &*self.sq_dropped }
    }

    /// Our CQ head.
    #[inline]
    pub(crate) fn cq_head(&self) -> &AtomicU32 {
        // SAFETY: as for `sq_head` (`cq_off.head` in the CQ mapping, checked in `RawRing::map`).
        unsafe { &*self.cq_head }
    }

    /// The kernel's CQ tail.
    #[inline]
    pub(crate) fn cq_tail(&self) -> &AtomicU32 {
        // SAFETY: as for `cq_head` (`cq_off.tail`).
        unsafe { &*self.cq_tail }
    }

    /// The CQ overflow counter.
    #[inline]
    pub(crate) fn cq_overflow(&self) -> &AtomicU32 {
        // SAFETY: as for `cq_head` (`cq_off.overflow`).
        unsafe { &*self.cq_overflow }
    }

    /// The CQ flags word (`IORING_CQ_*`, ours to write), absent before Linux 5.8.
    #[inline]
    pub(crate) fn cq_flags(&self) -> Option<&AtomicU32> {
        if self.cq_flags.is_null() {
            None
        } else {
            // SAFETY: as for `cq_head` (`cq_off.flags`, non-zero and checked in
            // `RawRing::map`).
            Some(unsafe { &*self.cq_flags })
        }
    }

    /// The CQ tail to trust given our `head` and the kernel's `tail`: `tail` itself, or `head`
    /// (nothing to read) when the kernel claims more CQEs than the ring holds — memory a
    /// correct kernel never writes. That marks the ring corrupt: the next enter fails.
    #[inline(always)]
    pub(crate) fn checked_cq_tail(&self, head: u32, tail: u32) -> u32 {
        if index::len(head, tail) > self.cq_entries {
            self.mark_corrupt(CORRUPT_CQ);
            head
        } else {
            tail
        }
    }

    /// Records that the shared ring memory broke the protocol (sticky).
    #[cold]
    #[inline(never)]
    pub(crate) fn mark_corrupt(&self, what: u32) {
        // Relaxed: a flag read by the next enter on any thread; nothing is published with it.
        self.state.fetch_or(what, Ordering::Relaxed);
    }

    /// Whether the shared ring memory was seen breaking the protocol.
    #[inline(always)]
    pub(crate) fn is_corrupt(&self) -> bool {
        // Relaxed: see `mark_corrupt`.
        self.state.load(Ordering::Relaxed) & CORRUPT != 0
    }

    /// Whether an enter can take the fast path: not corrupt, and none of what
    /// [`GENERAL_ENTER`] stands for. One relaxed load (see `mark_corrupt`).
    #[inline(always)]
    pub(crate) fn plain_enter(&self) -> bool {
        self.state.load(Ordering::Relaxed) == 0
    }

    /// Sets or clears [`GENERAL_ENTER`] from the setup flags, the registered ring fd and the
    /// model; call after changing any of them.
    pub(crate) fn update_enter_path(&mut self) {
        let general = self
            .flags
            .intersects(SetupFlags::SQPOLL | SetupFlags::IOPOLL)
            || self.registered.is_some();
        #[cfg(any(test, feature = "model"))]
        let general = general || self.model.is_some();
        let state = self.state.get_mut();
        if general {
            *state |= GENERAL_ENTER;
        } else {
            *state &= !GENERAL_ENTER;
        }
    }

    /// The error every enter returns once the ring is corrupt: `EUCLEAN` with the cause.
    #[cold]
    #[inline(never)]
    pub(crate) fn corrupt_error(&self) -> io::Error {
        let bits = self.state.load(Ordering::Relaxed);
        if bits & CORRUPT_RESIZE != 0 {
            return crate::error::with_message(
                libc::EUCLEAN,
                "the kernel resized this ring but mapping the new rings failed: the mappings \
                 held are the old rings, which the kernel no longer reads or writes; drop the \
                 ring",
            );
        }
        let what = match (bits & CORRUPT_CQ != 0, bits & CORRUPT_SQ != 0) {
            (true, true) => "the CQ tail and the SQ head were",
            (true, false) => "the CQ tail was more than cq_entries ahead of the CQ head, which is",
            _ => "the SQ head was beyond the SQ tail (or more than sq_entries behind it), which is",
        };
        crate::error::with_message(
            libc::EUCLEAN,
            format!(
                "the shared ring memory is corrupt: {what} impossible for a correct kernel (a \
                 kernel bug or a stray write into the mapped ring); no CQE was read past the \
                 damage, drop the ring"
            ),
        )
    }

    /// The fd (or registered index) and the extra `io_uring_enter(2)` flag to use from the
    /// calling thread.
    #[inline]
    pub(crate) fn enter_target(&self) -> (RawFd, u32) {
        match self.registered {
            Some((index, thread)) if thread == current_thread_id() => {
                (index as RawFd, sys::IORING_ENTER_REGISTERED_RING)
            }
            _ => (self.fd.as_raw_fd(), 0),
        }
    }

    /// `io_uring_setup(2)` and the mappings.
    fn new(
        entries: u32,
        mut params: sys::io_uring_params,
        sqe_size: usize,
        cqe_size: usize,
    ) -> io::Result<RawRing> {
        let requested = params.flags;
        // NO_MMAP: we provide the memory (anonymous shared mappings, page-aligned, which the
        // kernel pins), sized as the kernel will lay the rings out.
        let provided = if requested & sys::IORING_SETUP_NO_MMAP != 0 {
            let (sq_entries, cq_entries) = expected_sizes(entries, &params);
            let array = if requested & sys::IORING_SETUP_NO_SQARRAY != 0 {
                0
            } else {
                sq_entries as usize * 4
            };
            // The ring header (64 bytes on every kernel with NO_MMAP), the CQEs, a cache line
            // of alignment slack, the SQ index array.
            let rings_len = 64 + cq_entries as usize * cqe_size + 256 + array;
            let rings = Mmap::anonymous(rings_len)?;
            let sqes = Mmap::anonymous(sq_entries as usize * sqe_size)?;
            params.sq_off.user_addr = sqes.as_ptr() as u64;
            params.cq_off.user_addr = rings.as_ptr() as u64;
            Some((rings, sqes))
        } else {
            None
        };
        // SAFETY: `params` is a live, initialized `io_uring_params` for the whole call; its
        // `resv` words are zero (built from `zeroed()` in `Builder::new`, never set). Under
        // NO_MMAP its `user_addr`s point to the page-aligned mappings in `provided`, sized for
        // the rings the kernel will lay out (`expected_sizes`; the kernel checks the sizes it
        // pins), which the returned `RawRing` owns for its whole life. The returned fd is taken
        // into an `OwnedFd` below, closed exactly once.
        let ret = unsafe { sys::io_uring_setup(entries, &mut params) };
        if ret < 0 {
            let errno = io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EIO);
            return Err(crate::error::setup_error(errno, entries, requested));
        }
        // SAFETY: `io_uring_setup` returned a new fd (>= 0) that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(ret) };
        let features = Features::from_bits_retain(params.features);
        Self::map(fd, &params, features, sqe_size, cqe_size, provided)
    }

    /// Maps the rings of `fd` as `params` (filled in by the kernel) describes them.
    fn map(
        fd: OwnedFd,
        params: &sys::io_uring_params,
        features: Features,
        sqe_size: usize,
        cqe_size: usize,
        provided: Option<(Mmap, Mmap)>,
    ) -> io::Result<RawRing> {
        let bad = |what: &str| {
            crate::error::with_message(
                libc::EINVAL,
                format!(
                    "io_uring_setup(2) returned an inconsistent ring ({what}); this kernel does \
                     not follow the uapi this crate tracks"
                ),
            )
        };
        let sq_entries = params.sq_entries;
        let cq_entries = params.cq_entries;
        if !sq_entries.is_power_of_two() || !cq_entries.is_power_of_two() {
            return Err(bad("ring sizes are not powers of two"));
        }
        let flags = SetupFlags::from_bits_retain(params.flags);
        let no_sqarray = flags.contains(SetupFlags::NO_SQARRAY);

        let sq_off = params.sq_off;
        let cq_off = params.cq_off;
        let sq_array_end = if no_sqarray {
            0
        } else {
            sq_off.array as usize + sq_entries as usize * 4
        };
        let sq_len = sq_array_end.max(sq_off.dropped as usize + 4);
        let cq_len = cq_off.cqes as usize + cq_entries as usize * cqe_size;
        let single = features.contains(Features::SINGLE_MMAP);
        let (sq_len, cq_len) = if single {
            let n = sq_len.max(cq_len);
            (n, n)
        } else {
            (sq_len, cq_len)
        };

        let (sq_map, cq_map, sqe_map) = match provided {
            // NO_MMAP: SQ and CQ rings share our one region, the SQEs are in the other.
            Some((rings, sqes)) => {
                if sq_entries as usize * sqe_size > sqes.len() {
                    return Err(bad("more SQEs than the memory provided for them"));
                }
                (rings, None, sqes)
            }
            None => {
                let sq_map = Mmap::new(fd.as_fd(), sys::IORING_OFF_SQ_RING, sq_len)?;
                let cq_map = if single {
                    None
                } else {
                    Some(Mmap::new(fd.as_fd(), sys::IORING_OFF_CQ_RING, cq_len)?)
                };
                let sqe_map = Mmap::new(
                    fd.as_fd(),
                    sys::IORING_OFF_SQES,
                    sq_entries as usize * sqe_size,
                )?;
                (sq_map, cq_map, sqe_map)
            }
        };

        // Every word we will turn into an `&AtomicU32` must lie inside its mapping, 4-aligned.
        let word = |map: &Mmap, off: u32| -> io::Result<*const AtomicU32> {
            if off as usize + 4 > map.len() || off % 4 != 0 {
                return Err(bad("a ring offset lies outside the mapping"));
            }
            Ok(map.offset(off).cast::<AtomicU32>())
        };
        let cq_base = cq_map.as_ref().unwrap_or(&sq_map);
        if cq_off.cqes as usize + cq_entries as usize * cqe_size > cq_base.len()
            || cq_off.cqes as usize % 16 != 0
        {
            return Err(bad("the CQE array lies outside the mapping"));
        }
        let cq_flags = if cq_off.flags != 0 {
            word(cq_base, cq_off.flags)?
        } else {
            ptr::null()
        };
        let raw = RawRing {
            sq_head: word(&sq_map, sq_off.head)?,
            sq_tail: word(&sq_map, sq_off.tail)?,
            sq_flags: word(&sq_map, sq_off.flags)?,
            sq_dropped: word(&sq_map, sq_off.dropped)?,
            cq_head: word(cq_base, cq_off.head)?,
            cq_tail: word(cq_base, cq_off.tail)?,
            cq_overflow: word(cq_base, cq_off.overflow)?,
            cq_flags,
            sqes: sqe_map.as_ptr(),
            cqes: cq_base.offset(cq_off.cqes),
            sq_mask: sq_entries - 1,
            sq_entries,
            cq_mask: cq_entries - 1,
            cq_entries,
            flags,
            features,
            registered: None,
            fd,
            _sq_map: sq_map,
            _cq_map: cq_map,
            _sqe_map: sqe_map,
            state: AtomicU32::new(0),
            #[cfg(any(test, feature = "model"))]
            model: None,
        };

        if !no_sqarray {
            // Offset 0 is the SQ head: a kernel that reports it has not told us where the
            // array is (resizing does that), and writing there would clobber the indices.
            if sq_array_end > raw._sq_map.len() || sq_off.array % 4 != 0 || sq_off.array == 0 {
                return Err(bad("the SQ index array lies outside the mapping"));
            }
            // The index array maps ring slot i to SQE i, once: pushes then only write SQEs.
            let array = raw._sq_map.offset(sq_off.array).cast::<AtomicU32>();
            for i in 0..sq_entries {
                // SAFETY: `array` + i is inside `_sq_map` (checked just above: the array's end
                // is within the mapping) and 4-aligned; the kernel only reads the array, so an
                // atomic view is sound. Relaxed: the tail's `Release` store publishes it before
                // the kernel reads any of it.
                unsafe { (*array.add(i as usize)).store(i, Ordering::Relaxed) };
            }
        }
        let mut raw = raw;
        raw.update_enter_path();
        Ok(raw)
    }
}

#[cfg(any(test, feature = "model"))]
impl RawRing {
    /// A ring over the model kernel's memory (`crate::model`): `rings` holds the SQ and CQ
    /// rings at the offsets `params` reports (one region, as with `IORING_FEAT_SINGLE_MMAP`),
    /// `sqes` the SQE array; enters and registrations go to `model`.
    pub(crate) fn for_model(
        fd: OwnedFd,
        params: &sys::io_uring_params,
        sqe_size: usize,
        cqe_size: usize,
        rings: Mmap,
        sqes: Mmap,
        model: std::sync::Arc<crate::model::Shared>,
    ) -> io::Result<RawRing> {
        let features = Features::from_bits_retain(params.features);
        let mut raw = Self::map(
            fd,
            params,
            features,
            sqe_size,
            cqe_size,
            Some((rings, sqes)),
        )?;
        raw.model = Some(model);
        raw.update_enter_path();
        Ok(raw)
    }
}

#[cfg(any(test, feature = "model"))]
impl<S: SqeEntry, C: CqeEntry> Ring<S, C> {
    pub(crate) fn from_raw(raw: RawRing) -> Self {
        Ring {
            raw,
            _entries: PhantomData,
        }
    }
}

/// The SQ and CQ sizes `io_uring_setup(entries, params)` will choose (the kernel's rounding
/// and clamping), for sizing NO_MMAP memory before the call. `map` checks the kernel's answer
/// against the memory provided.
fn expected_sizes(entries: u32, params: &sys::io_uring_params) -> (u32, u32) {
    let clamp = params.flags & sys::IORING_SETUP_CLAMP != 0;
    let max = crate::error::MAX_ENTRIES;
    let sq = if clamp { entries.min(max) } else { entries }
        .max(1)
        .next_power_of_two();
    let cq = if params.flags & sys::IORING_SETUP_CQSIZE != 0 {
        let cq = params.cq_entries;
        let cq = if clamp {
            cq.min(crate::error::MAX_CQ_ENTRIES)
        } else {
            cq
        };
        cq.max(1).next_power_of_two().max(sq)
    } else {
        sq * 2
    };
    (sq, cq)
}

impl fmt::Debug for RawRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ring")
            .field("fd", &self.fd.as_raw_fd())
            .field("sq_entries", &self.sq_entries)
            .field("cq_entries", &self.cq_entries)
            .field("flags", &self.flags)
            .field("features", &self.features)
            .field("registered", &self.registered.map(|r| r.0))
            .finish()
    }
}

impl Drop for RawRing {
    fn drop(&mut self) {
        if let Some((index, thread)) = self.registered {
            if thread == current_thread_id() {
                let mut up = sys::io_uring_rsrc_update::zeroed();
                up.offset = index;
                // SAFETY: `up` is a valid `io_uring_rsrc_update` for the call; the fd is this
                // ring's (owned by `self`), and unregistering takes nothing the ring still uses.
                unsafe {
                    sys::io_uring_register(
                        self.fd.as_raw_fd(),
                        sys::IORING_UNREGISTER_RING_FDS,
                        (&raw const up).cast(),
                        1,
                    )
                };
            }
            // From another thread the registration cannot be undone (it lives in the
            // registering thread's io_uring context); it goes when that thread exits.
        }
    }
}

/// An io_uring instance: the ring fd, the mapped SQ and CQ rings, and the SQE array.
///
/// `S` is the SQE size ([`Sqe`] or [`Sqe128`]), `C` the CQE size ([`Cqe`] or [`Cqe32`]);
/// the ring is set up with `IORING_SETUP_SQE128`/`CQE32` to match, so an entry of the wrong
/// size cannot be pushed or read.
///
/// Dropping the ring closes the fd (the kernel cancels what is still in flight, then frees the
/// ring) and unmaps the rings.
///
/// ```
/// use uring::{Ring, opcode::Nop};
///
/// let mut ring = Ring::new(8)?;
/// let nop = Nop::new().build().user_data(42);
/// // SAFETY: a NOP carries no pointers, so nothing must outlive the request.
/// unsafe { ring.push(&nop) }?;
/// ring.submit_and_wait(1)?;
/// let cqe = ring.cq().next().expect("one completion");
/// assert_eq!((cqe.user_data(), cqe.result()?), (42, 0));
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # References
/// - [`io_uring(7)`](https://man7.org/linux/man-pages/man7/io_uring.7.html)
pub struct Ring<S: SqeEntry = Sqe, C: CqeEntry = Cqe> {
    pub(crate) raw: RawRing,
    _entries: PhantomData<fn() -> (S, C)>,
}

impl<S: SqeEntry, C: CqeEntry> fmt::Debug for Ring<S, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.raw.fmt(f)
    }
}

impl Ring {
    /// `io_uring_setup(entries, &params)` with no flags — a ring of `entries` SQEs (rounded up
    /// to a power of two) and twice as many CQEs.
    ///
    /// # Errors
    /// See [`Builder::build`].
    ///
    /// # References
    /// - [`io_uring_setup(2)`](https://man7.org/linux/man-pages/man2/io_uring_setup.2.html)
    #[doc(alias = "io_uring_setup")]
    pub fn new(entries: u32) -> io::Result<Ring> {
        Builder::new().build(entries)
    }
}

impl<S: SqeEntry, C: CqeEntry> Ring<S, C> {
    /// A [`Builder`] for every setup option.
    pub fn builder() -> Builder<S, C> {
        Builder::new()
    }

    pub(crate) fn setup(
        entries: u32,
        params: sys::io_uring_params,
        register_ring_fd: bool,
    ) -> io::Result<Self> {
        let mut raw = RawRing::new(entries, params, core::mem::size_of::<S>(), C::SLOT)?;
        if register_ring_fd {
            let mut up = sys::io_uring_rsrc_update::zeroed();
            // -1: let the kernel pick a free slot and write it back.
            up.offset = u32::MAX;
            up.data = raw.fd.as_raw_fd() as u64;
            // SAFETY: `up` is a valid `io_uring_rsrc_update`, read and written back during the
            // call; `data` is this ring's own fd, kept open by `raw`.
            let ret = unsafe {
                sys::io_uring_register(
                    raw.fd.as_raw_fd(),
                    sys::IORING_REGISTER_RING_FDS,
                    (&raw mut up).cast_const().cast(),
                    1,
                )
            };
            if ret < 0 {
                let e = io::Error::last_os_error();
                let errno = e.raw_os_error().unwrap_or(libc::EIO);
                return Err(crate::error::with_message(
                    errno,
                    format!(
                        "registering the ring fd (IORING_REGISTER_RING_FDS, Linux 5.18+) \
                         failed: {e}; build the ring without registered_ring_fd()"
                    ),
                ));
            }
            raw.registered = Some((up.offset, current_thread_id()));
            raw.update_enter_path();
        }
        Ok(Ring {
            raw,
            _entries: PhantomData,
        })
    }

    /// `io_uring_register(fd, IORING_REGISTER_RESIZE_RINGS, &params, 1)` — resizes the SQ to
    /// `sq_entries` and the CQ to `cq_entries` (default: twice the SQ), keeping the SQEs and
    /// CQEs that are pending, then remaps the rings. The fd stays the same.
    ///
    /// Linux 6.13+, and only for rings set up with `DEFER_TASKRUN` (the kernel's rule: no other
    /// task may touch the rings meanwhile) and `NO_SQARRAY` (this crate's rule: the kernel does
    /// not report the resized ring's SQ index array, so only array-less rings resize soundly). `&mut self` guarantees no
    /// [`SubmissionQueue`]/[`CompletionQueue`] of this ring exists during the swap.
    ///
    /// # Errors
    /// `EINVAL` when the ring lacks `DEFER_TASKRUN` or `NO_SQARRAY` or the sizes are out of range, `EOVERFLOW`
    /// when more SQEs or CQEs are pending than the new rings hold (the ring is unchanged then),
    /// `EINVAL` before Linux 6.13; each with a message. If remapping fails after the kernel
    /// resized, the ring must be dropped (its old mappings are stale).
    ///
    /// # References
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_RESIZE_RINGS")]
    pub fn resize(&mut self, sq_entries: u32, cq_entries: Option<u32>) -> io::Result<()> {
        if sq_entries == 0 || sq_entries > crate::error::MAX_ENTRIES {
            return Err(crate::error::too_many_entries(sq_entries));
        }
        if self.raw.flags.contains(SetupFlags::NO_MMAP) {
            return Err(crate::error::with_message(
                libc::EINVAL,
                "resizing a NO_MMAP ring is not supported (the new rings would need new \
                 memory from us); build the ring without NO_MMAP",
            ));
        }
        if !self.raw.flags.contains(SetupFlags::NO_SQARRAY) {
            return Err(crate::error::with_message(
                libc::EINVAL,
                "resizing needs a ring set up with NO_SQARRAY: the kernel does not say where \
                 the resized ring's SQ index array is, so it could not be filled in; build the \
                 ring with Builder::no_sqarray() (Linux 6.6+)",
            ));
        }
        let mut p = sys::io_uring_params::zeroed();
        p.sq_entries = sq_entries;
        if let Some(cq) = cq_entries {
            p.flags |= sys::IORING_SETUP_CQSIZE;
            p.cq_entries = cq;
        }
        // Duplicate first, so nothing can fail between the resize and the remap but the mmap.
        let dup = self.raw.fd.try_clone()?;
        // SAFETY: `p` is a valid `io_uring_params` the kernel reads and writes back during
        // the call; it keeps nothing. The ring's layout changes, which is sound here because
        // `&mut self` excludes every SQ/CQ handle, and we remap below before any other use.
        let r = unsafe {
            self.submitter().register_raw(
                sys::IORING_REGISTER_RESIZE_RINGS,
                (&raw mut p).cast_const().cast(),
                1,
            )
        };
        if let Err(e) = r {
            let errno = e.raw_os_error().unwrap_or(libc::EIO);
            let why = match errno {
                libc::EINVAL if !self.raw.flags.contains(SetupFlags::DEFER_TASKRUN) => {
                    "the ring was not set up with DEFER_TASKRUN, which resizing requires".to_owned()
                }
                libc::EINVAL => format!(
                    "the kernel rejected the sizes ({sq_entries} SQ, {cq_entries:?} CQ) or is \
                     older than Linux 6.13 (IORING_REGISTER_RESIZE_RINGS)"
                ),
                libc::EOVERFLOW => {
                    "more SQEs or CQEs are pending than the new rings hold; reap first".to_owned()
                }
                _ => e.to_string(),
            };
            return Err(crate::error::with_message(
                errno,
                format!("resizing the rings failed: {why}"),
            ));
        }
        p.flags |= self.raw.flags.bits();
        let mut new = match RawRing::map(
            dup,
            &p,
            self.raw.features,
            core::mem::size_of::<S>(),
            C::SLOT,
            None,
        ) {
            Ok(new) => new,
            Err(e) => {
                // The kernel already moved to the new rings; ours are stale. Pushing into them
                // or reading them touches only our old mappings, but nothing would ever
                // arrive: every later enter fails instead of waiting forever.
                self.raw.mark_corrupt(CORRUPT_RESIZE);
                return Err(crate::error::with_message(
                    libc::EUCLEAN,
                    format!(
                        "the kernel resized the rings but mapping the new ones failed ({e}); \
                         this ring is unusable now (every enter fails with EUCLEAN): drop it"
                    ),
                ));
            }
        };
        // The new mapping keeps the original fd number; the duplicate goes with the old maps.
        core::mem::swap(&mut new.fd, &mut self.raw.fd);
        new.registered = self.raw.registered.take();
        new.flags = self.raw.flags;
        new.update_enter_path();
        drop(core::mem::replace(&mut self.raw, new));
        Ok(())
    }

    /// The setup flags the kernel accepted.
    #[inline]
    pub fn flags(&self) -> SetupFlags {
        self.raw.flags
    }

    /// The `IORING_FEAT_*` features the kernel reported.
    #[inline]
    pub fn features(&self) -> Features {
        self.raw.features
    }

    /// SQ size (`sq_entries`).
    #[inline]
    pub fn sq_entries(&self) -> u32 {
        self.raw.sq_entries
    }

    /// CQ size (`cq_entries`).
    #[inline]
    pub fn cq_entries(&self) -> u32 {
        self.raw.cq_entries
    }

    /// The registered ring index when the ring fd was registered
    /// ([`Builder::registered_ring_fd`]).
    #[inline]
    pub fn registered_index(&self) -> Option<u32> {
        self.raw.registered.map(|r| r.0)
    }

    /// `Ok(())` when the kernel behind this ring supports `opcode`, else the error naming the
    /// Linux release that added it (see [`crate::probe::kernel_supports`]). A ring over the
    /// model kernel (`crate::model`) passes everything: the model answers in its CQEs.
    pub(crate) fn supports_opcode(&self, opcode: u8) -> io::Result<()> {
        self.raw.supports_opcode(opcode)
    }

    /// Whether the kernel behind this ring takes `IORING_ASYNC_CANCEL_*` flags (Linux 5.19+;
    /// see [`crate::probe::cancel_flags_supported`]). The model kernel does.
    pub(crate) fn has_cancel_flags(&self) -> bool {
        #[cfg(any(test, feature = "model"))]
        if self.raw.model.is_some() {
            return true;
        }
        crate::probe::cancel_flags_supported()
    }

    /// The half that enters the kernel: submit, wait, register. Shared (`&self`) and `Sync`.
    #[inline]
    pub fn submitter(&self) -> Submitter<'_> {
        Submitter::new(&self.raw)
    }

    /// The submission queue, for pushing SQEs. Publishes on [`SubmissionQueue::sync`] or drop.
    #[inline]
    pub fn sq(&mut self) -> SubmissionQueue<'_, S> {
        SubmissionQueue::new(&self.raw)
    }

    /// The completion queue, for reaping CQEs. Publishes on [`CompletionQueue::sync`] or drop.
    #[inline]
    pub fn cq(&mut self) -> CompletionQueue<'_, C> {
        CompletionQueue::new(&self.raw)
    }

    /// All three halves at once: the submitter (`Sync`), the SQ and the CQ (each `Send`), for
    /// a producer thread and a consumer thread.
    #[inline]
    pub fn split(
        &mut self,
    ) -> (
        Submitter<'_>,
        SubmissionQueue<'_, S>,
        CompletionQueue<'_, C>,
    ) {
        (
            Submitter::new(&self.raw),
            SubmissionQueue::new(&self.raw),
            CompletionQueue::new(&self.raw),
        )
    }

    /// Pushes one SQE and publishes it (a convenience over [`Ring::sq`]).
    ///
    /// # Safety
    /// As for [`SubmissionQueue::push`].
    #[inline]
    pub unsafe fn push(&mut self, sqe: &S) -> Result<(), PushError> {
        // SAFETY: the caller upholds `SubmissionQueue::push`'s contract for `sqe`.
        unsafe { self.sq().push(sqe) }
    }

    /// Pushes all of `sqes` or none, and publishes them.
    ///
    /// # Safety
    /// As for [`SubmissionQueue::push_multiple`].
    #[inline]
    pub unsafe fn push_multiple(&mut self, sqes: &[S]) -> Result<(), PushError> {
        // SAFETY: the caller upholds `SubmissionQueue::push_multiple`'s contract.
        unsafe { self.sq().push_multiple(sqes) }
    }

    /// Free SQ slots right now.
    #[inline]
    pub fn sq_space_left(&self) -> u32 {
        // Acquire on the kernel's head: slots it has released may be reused after this (see
        // the module docs); our own tail needs no ordering.
        let head = self.raw.sq_head().load(Ordering::Acquire);
        let tail = self.raw.sq_tail().load(Ordering::Relaxed);
        index::space(head, tail, self.raw.sq_entries)
    }

    /// `io_uring_enter(2)` — submits the published SQEs (see [`Submitter::submit`]).
    #[inline]
    pub fn submit(&self) -> io::Result<usize> {
        self.submitter().submit()
    }

    /// Submits and waits for `want` completions (see [`Submitter::submit_and_wait`]).
    #[inline]
    pub fn submit_and_wait(&self, want: usize) -> io::Result<usize> {
        self.submitter().submit_and_wait(want)
    }

    /// `IORING_REGISTER_PROBE` — which opcodes this kernel supports.
    pub fn probe(&self) -> io::Result<crate::probe::Probe> {
        crate::probe::Probe::for_ring(&self.submitter())
    }
}

impl<S: SqeEntry, C: CqeEntry> AsFd for Ring<S, C> {
    #[inline]
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.raw.fd.as_fd()
    }
}

impl<S: SqeEntry, C: CqeEntry> AsRawFd for Ring<S, C> {
    #[inline]
    fn as_raw_fd(&self) -> RawFd {
        self.raw.fd.as_raw_fd()
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

/// The submission queue: push SQEs, then publish them to the kernel with [`sync`](Self::sync)
/// (or drop). Obtained from [`Ring::sq`] or [`Ring::split`]; `Send`, so a producer thread can
/// own it.
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

    /// `IORING_SQ_NEED_WAKEUP`: the SQPOLL thread sleeps ([`Submitter::submit`] wakes it).
    #[inline]
    pub fn need_wakeup(&self) -> bool {
        // SeqCst fence: the tail store (in `sync`) must be ordered before this load, see the
        // module docs.
        core::sync::atomic::fence(Ordering::SeqCst);
        self.raw.sq_flags().load(Ordering::Relaxed) & sys::IORING_SQ_NEED_WAKEUP != 0
    }

    /// `IORING_SQ_CQ_OVERFLOW`: completions wait in the kernel's overflow list; enter with
    /// `GETEVENTS` (any [`Submitter`] call does) after reaping to flush them.
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
        unsafe { copy_sqe(sqe, self.raw.sqes.cast::<S>().add(slot)) };
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
    /// - registered buffers/files it names must stay registered.
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

    /// [`Ring::supports_opcode`] while the SQ is held (the driver's batch asks between
    /// reserving a slot and writing it; asking moves no index).
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
        unsafe { ptr::write(self.raw.sqes.cast::<S>().add(slot), sqe) };
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
        link: SqeFlagsRaw,
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

/// The link flag `push_with` sets on all but the last SQE.
#[derive(Clone, Copy)]
pub(crate) struct SqeFlagsRaw(pub(crate) crate::squeue::SqeFlags);

impl<S: SqeEntry> Drop for SubmissionQueue<'_, S> {
    #[inline]
    fn drop(&mut self) {
        // Release: see `sync`.
        self.raw.sq_tail().store(self.tail, Ordering::Release);
    }
}

/// The completion queue: iterate it for CQEs; the head is published on [`sync`](Self::sync)
/// or drop, so a batch costs one store. Obtained from [`Ring::cq`] or [`Ring::split`]; `Send`,
/// so a consumer thread can own it.
pub struct CompletionQueue<'a, C: CqeEntry = Cqe> {
    raw: &'a RawRing,
    head: u32,
    tail: u32,
    _entry: PhantomData<fn() -> C>,
}

impl<C: CqeEntry> fmt::Debug for CompletionQueue<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompletionQueue")
            .field("head", &self.head)
            .field("tail", &self.tail)
            .field("entries", &self.raw.cq_entries)
            .finish()
    }
}

impl<'a, C: CqeEntry> CompletionQueue<'a, C> {
    #[inline]
    pub(crate) fn new(raw: &'a RawRing) -> Self {
        // Only we write the head; the last store was ours (see `SubmissionQueue::new`).
        let head = raw.cq_head().load(Ordering::Relaxed);
        // Acquire: the kernel writes a CQE, then stores the tail with release; after this
        // load the CQEs up to `tail` are visible.
        let tail = raw.cq_tail().load(Ordering::Acquire);
        CompletionQueue {
            raw,
            head,
            // A tail more than a ring ahead is corrupt memory: read nothing (see
            // `RawRing::checked_cq_tail`).
            tail: raw.checked_cq_tail(head, tail),
            _entry: PhantomData,
        }
    }

    /// Publishes the consumed CQEs (stores the head) and loads the kernel's new tail.
    #[inline]
    pub fn sync(&mut self) {
        // Release: our reads of the consumed CQEs complete before the kernel may reuse the
        // slots (it loads the head before writing a CQE).
        self.raw.cq_head().store(self.head, Ordering::Release);
        // Acquire: see `new`.
        let tail = self.raw.cq_tail().load(Ordering::Acquire);
        self.tail = self.raw.checked_cq_tail(self.head, tail);
    }

    /// CQ size.
    #[inline]
    pub fn capacity(&self) -> u32 {
        self.raw.cq_entries
    }

    /// CQEs ready (as of the last tail load); on a `CQE_MIXED` ring, slots (a 32-byte CQE
    /// takes two).
    #[inline]
    pub fn len(&self) -> u32 {
        index::ready(self.head, self.tail, self.raw.cq_entries)
    }

    /// Whether no CQE is ready (as of the last tail load).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.head == self.tail
    }

    /// The CQ overflow counter (`cq_off.overflow`): completions the kernel could not post to
    /// the CQ. With `IORING_FEAT_NODROP` (Linux 5.5+) they wait in an overflow list and are
    /// flushed when you enter the kernel with `GETEVENTS`; the counter then counts only CQEs
    /// truly lost (the kernel could not allocate an overflow entry).
    #[inline]
    pub fn overflow(&self) -> u32 {
        // Relaxed: a statistic.
        self.raw.cq_overflow().load(Ordering::Relaxed)
    }

    /// `IORING_SQ_CQ_OVERFLOW`: completions wait in the kernel's overflow list; reap, then
    /// enter with `GETEVENTS` (any [`Submitter`] wait or submit does) to flush them.
    #[inline]
    pub fn needs_flush(&self) -> bool {
        // Relaxed: a hint; the syscall synchronizes.
        self.raw.sq_flags().load(Ordering::Relaxed)
            & (sys::IORING_SQ_CQ_OVERFLOW | sys::IORING_SQ_TASKRUN)
            != 0
    }

    /// `IORING_CQ_EVENTFD_DISABLED`: whether eventfd notifications are off (false before
    /// Linux 5.8, which has no CQ flags).
    #[inline]
    pub fn eventfd_disabled(&self) -> bool {
        self.raw.cq_flags().is_some_and(|f| {
            // Relaxed: we are the only writer of this word.
            f.load(Ordering::Relaxed) & sys::IORING_CQ_EVENTFD_DISABLED != 0
        })
    }

    /// Turns eventfd notifications off or on (`IORING_CQ_EVENTFD_DISABLED`, Linux 5.8+).
    ///
    /// # Errors
    /// `EOPNOTSUPP` before Linux 5.8.
    pub fn set_eventfd_disabled(&mut self, disabled: bool) -> io::Result<()> {
        let Some(flags) = self.raw.cq_flags() else {
            return Err(crate::error::with_message(
                libc::EOPNOTSUPP,
                "this kernel has no CQ flags word (Linux 5.8+ has IORING_CQ_EVENTFD_DISABLED)",
            ));
        };
        // Relaxed: the kernel reads this flag with READ_ONCE when it signals; nothing else is
        // published with it.
        if disabled {
            flags.fetch_or(sys::IORING_CQ_EVENTFD_DISABLED, Ordering::Relaxed);
        } else {
            flags.fetch_and(!sys::IORING_CQ_EVENTFD_DISABLED, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Copies ready CQEs into `out`, returning how many (one tail load, head published on
    /// sync/drop).
    #[inline]
    pub fn fill(&mut self, out: &mut [C]) -> usize {
        let mut n = 0;
        for slot in out.iter_mut() {
            match self.next() {
                Some(c) => *slot = c,
                None => break,
            }
            n += 1;
        }
        n
    }
}

impl<C: CqeEntry> Iterator for CompletionQueue<'_, C> {
    type Item = C;

    #[inline]
    fn next(&mut self) -> Option<C> {
        loop {
            if self.head == self.tail {
                return None;
            }
            // SAFETY: the CQE array holds `cq_entries = cq_mask + 1` slots of `C::SLOT` bytes
            // inside the CQ mapping (checked in `RawRing::map`; the ring was set up with
            // `C::SETUP_FLAG`), 16-aligned, and `read` masks every index. The entry lies between
            // our head and the kernel's tail loaded with acquire, so the kernel finished writing
            // it and will not touch it before we publish a head past it.
            let (cqe, slots) = unsafe { C::read(self.raw.cqes, self.head, self.raw.cq_mask) };
            if slots > index::len(self.head, self.tail) {
                // A big CQE whose second half is not published yet (a kernel would not do
                // that): leave it for the next tail load.
                return None;
            }
            self.head = self.head.wrapping_add(slots);
            if let Some(cqe) = cqe {
                return Some(cqe);
            }
        }
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.len() as usize;
        // On a mixed CQ, `len` counts slots: a big CQE takes two, a padding entry one.
        let lower = if C::SETUP_FLAG == sys::IORING_SETUP_CQE_MIXED {
            n.div_ceil(2)
        } else {
            n
        };
        (lower.min(n), Some(n))
    }
}

impl<C: CqeEntry> Drop for CompletionQueue<'_, C> {
    #[inline]
    fn drop(&mut self) {
        // Release: see `sync`.
        self.raw.cq_head().store(self.head, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::index;
    use proptest::prelude::*;

    /// A model ring with unbounded (u64) counters: the truth the wrapping u32 arithmetic must
    /// agree with.
    #[derive(Debug)]
    struct Model {
        head: u64,
        tail: u64,
        entries: u64,
    }

    proptest! {
        #[test]
        fn wrapping_indices_match_the_model(
            start in any::<u32>(),
            shift in 0u32..=16,
            ops in proptest::collection::vec((any::<bool>(), 0u32..70000), 1..64),
        ) {
            let entries = 1u32 << shift;
            let mask = entries - 1;
            let mut m = Model { head: u64::from(start), tail: u64::from(start), entries: u64::from(entries) };
            for (push, n) in ops {
                let (h, t) = (m.head as u32, m.tail as u32);
                prop_assert_eq!(u64::from(index::len(h, t)), m.tail - m.head);
                prop_assert_eq!(u64::from(index::space(h, t, entries)), m.entries - (m.tail - m.head));
                prop_assert_eq!(index::slot(t, mask) as u64, m.tail % m.entries);
                prop_assert_eq!(u64::from(index::ready(h, t, entries)), m.tail - m.head);
                if push {
                    let k = u64::from(n).min(m.entries - (m.tail - m.head));
                    m.tail += k;
                } else {
                    let k = u64::from(n).min(m.tail - m.head);
                    m.head += k;
                }
            }
        }

        #[test]
        fn a_bogus_head_never_claims_space(head in any::<u32>(), tail in any::<u32>(), shift in 0u32..=16) {
            let entries = 1u32 << shift;
            let space = index::space(head, tail, entries);
            prop_assert!(space <= entries);
            prop_assert!(index::ready(head, tail, entries) <= entries);
            prop_assert!(index::slot(tail, entries - 1) < entries as usize);
        }
    }

    /// The mixed-CQ reader on a fake 4-slot CQ: small, big (2 slots), then a padding SKIP in
    /// the last slot; indices past the wrap read slot 0 again. Pure memory, runs under Miri.
    #[test]
    fn mixed_cq_reader_skips_padding_and_reads_big_entries() {
        use super::{CqeEntry, CqeMixed};
        use uring_sys as sys;
        #[repr(C, align(16))]
        struct Slots([[u64; 2]; 4]);
        let slot = |user_data: u64, res: i32, flags: u32| {
            [user_data, u64::from(res as u32) | (u64::from(flags) << 32)]
        };
        let slots = Slots([
            slot(1, 0, 0),
            slot(2, 7, sys::IORING_CQE_F_32),
            [0xAA, 0xBB],
            slot(0, 0, sys::IORING_CQE_F_SKIP),
        ]);
        let base = (&raw const slots).cast::<u8>();
        // SAFETY: `base` points to 4 readable, 16-aligned 16-byte slots; mask 3.
        let read = |head| unsafe { CqeMixed::read(base, head, 3) };
        let (c, n) = read(0);
        let c = c.unwrap();
        assert_eq!(
            (c.cqe.user_data(), n, c.is_big(), c.big_cqe),
            (1, 1, false, [0, 0])
        );
        let (c, n) = read(1);
        let c = c.unwrap();
        assert_eq!(
            (c.cqe.user_data(), c.cqe.res(), n, c.is_big()),
            (2, 7, 2, true)
        );
        assert_eq!(c.big_cqe, [0xAA, 0xBB]);
        let (c, n) = read(3);
        assert!(c.is_none());
        assert_eq!(n, 1);
        // Index 4 wraps to slot 0.
        assert_eq!(read(u32::MAX.wrapping_add(1)).0.unwrap().cqe.user_data(), 1);
    }

    /// The halves can go to different threads: SQ and CQ are `Send`, the submitter `Sync`.
    #[test]
    fn the_halves_are_send_and_sync() {
        fn send<T: Send>() {}
        fn sync<T: Sync>() {}
        send::<super::Ring>();
        sync::<super::Ring>();
        send::<super::Ring<crate::Sqe128, crate::Cqe32>>();
        send::<super::SubmissionQueue<'static>>();
        send::<super::CompletionQueue<'static>>();
        send::<super::CompletionQueue<'static, super::CqeMixed>>();
        sync::<crate::Submitter<'static>>();
        send::<crate::Submitter<'static>>();
    }

    #[test]
    fn across_the_wrap() {
        let head = u32::MAX - 2;
        let tail = 5u32;
        assert_eq!(index::len(head, tail), 8);
        assert_eq!(index::space(head, tail, 8), 0);
        assert_eq!(index::space(head, tail, 16), 8);
        assert_eq!(index::slot(u32::MAX, 7), 7);
        assert_eq!(index::slot(u32::MAX.wrapping_add(1), 7), 0);
    }
}
