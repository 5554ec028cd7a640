//! The completion queue and its entries.

use core::fmt;
use core::marker::PhantomData;
use core::ptr;
use core::sync::atomic::Ordering;
use std::io;

use uring_sys as sys;

use crate::index;
use crate::raw::RawRing;

bitflags::bitflags! {
    /// `IORING_CQE_F_*`: the flags the kernel writes into `cqe->flags`.
    ///
    /// The upper 16 bits hold a buffer id when [`CqeFlags::BUFFER`] is set; see
    /// [`Cqe::buffer_id`]. Unknown bits are kept.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct CqeFlags: u32 {
        /// `IORING_CQE_F_BUFFER`: the upper 16 bits are the id of the buffer used.
        #[doc(alias = "IORING_CQE_F_BUFFER")]
        const BUFFER = sys::IORING_CQE_F_BUFFER;
        /// `IORING_CQE_F_MORE`: the request (multishot) will post more CQEs.
        #[doc(alias = "IORING_CQE_F_MORE")]
        const MORE = sys::IORING_CQE_F_MORE;
        /// `IORING_CQE_F_SOCK_NONEMPTY`: more data was waiting in the socket after this receive.
        #[doc(alias = "IORING_CQE_F_SOCK_NONEMPTY")]
        const SOCK_NONEMPTY = sys::IORING_CQE_F_SOCK_NONEMPTY;
        /// `IORING_CQE_F_NOTIF`: a zero-copy send's notification: the buffer is free again.
        #[doc(alias = "IORING_CQE_F_NOTIF")]
        const NOTIF = sys::IORING_CQE_F_NOTIF;
        /// `IORING_CQE_F_BUF_MORE`: the incrementally consumed buffer has room left.
        #[doc(alias = "IORING_CQE_F_BUF_MORE")]
        const BUF_MORE = sys::IORING_CQE_F_BUF_MORE;
        /// `IORING_CQE_F_SKIP`: a padding CQE on a mixed-size CQ; skip it.
        #[doc(alias = "IORING_CQE_F_SKIP")]
        const SKIP = sys::IORING_CQE_F_SKIP;
        /// `IORING_CQE_F_32`: this CQE is 32 bytes on a mixed-size CQ.
        #[doc(alias = "IORING_CQE_F_32")]
        const CQE32 = sys::IORING_CQE_F_32;
        const _ = !0;
    }
}

/// One 16-byte completion queue entry, `struct io_uring_cqe`.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct Cqe(pub(crate) sys::io_uring_cqe);

impl Cqe {
    /// Wraps a raw CQE.
    #[inline]
    pub const fn from_raw(raw: sys::io_uring_cqe) -> Self {
        Cqe(raw)
    }

    /// The raw CQE.
    #[inline]
    pub const fn as_raw(&self) -> &sys::io_uring_cqe {
        &self.0
    }

    /// The `user_data` of the SQE this completes.
    #[inline]
    pub const fn user_data(&self) -> u64 {
        self.0.user_data
    }

    /// `cqe->res` as the kernel wrote it: a result `>= 0` or a negated errno.
    #[inline]
    pub const fn res(&self) -> i32 {
        self.0.res
    }

    /// `cqe->flags`.
    #[inline]
    pub const fn flags(&self) -> CqeFlags {
        CqeFlags::from_bits_retain(self.0.flags)
    }

    /// `res` as a result: `Ok(res)` when `res >= 0`, else the errno as an [`io::Error`].
    #[inline]
    pub fn result(&self) -> io::Result<u32> {
        let res = self.0.res;
        if res >= 0 {
            Ok(res as u32)
        } else {
            // `res` is in -4095..0 for every kernel error; `wrapping_neg` keeps even a
            // hostile `i32::MIN` from overflowing.
            Err(io::Error::from_raw_os_error(res.wrapping_neg()))
        }
    }

    /// The id of the provided buffer the kernel picked, when `IORING_CQE_F_BUFFER` is set.
    #[inline]
    pub const fn buffer_id(&self) -> Option<u16> {
        if self.0.flags & sys::IORING_CQE_F_BUFFER != 0 {
            Some((self.0.flags >> sys::IORING_CQE_BUFFER_SHIFT) as u16)
        } else {
            None
        }
    }

    /// `IORING_CQE_F_MORE`: a multishot request will post more CQEs after this one.
    #[inline]
    pub const fn has_more(&self) -> bool {
        self.0.flags & sys::IORING_CQE_F_MORE != 0
    }

    /// `IORING_CQE_F_NOTIF`: this is a zero-copy send's notification CQE.
    #[inline]
    pub const fn is_notif(&self) -> bool {
        self.0.flags & sys::IORING_CQE_F_NOTIF != 0
    }

    /// `IORING_CQE_F_SOCK_NONEMPTY`: the socket still had data after this receive.
    #[inline]
    pub const fn sock_nonempty(&self) -> bool {
        self.0.flags & sys::IORING_CQE_F_SOCK_NONEMPTY != 0
    }

    /// `IORING_CQE_F_BUF_MORE`: the incrementally consumed buffer is not used up yet.
    #[inline]
    pub const fn buf_more(&self) -> bool {
        self.0.flags & sys::IORING_CQE_F_BUF_MORE != 0
    }
}

impl fmt::Debug for Cqe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cqe")
            .field("user_data", &self.0.user_data)
            .field("res", &self.0.res)
            .field("flags", &self.flags())
            .finish()
    }
}

/// One 32-byte completion queue entry (an `IORING_SETUP_CQE32` ring): a [`Cqe`] and the
/// 16 bytes of `big_cqe`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Cqe32 {
    /// The first 16 bytes: the ordinary CQE.
    pub cqe: Cqe,
    /// `cqe->big_cqe[0..2]`.
    pub big_cqe: [u64; 2],
}

impl fmt::Debug for Cqe32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cqe32")
            .field("cqe", &self.cqe)
            .field("big_cqe", &self.big_cqe)
            .finish()
    }
}

const _: () = assert!(core::mem::size_of::<Cqe>() == 16);
const _: () = assert!(core::mem::size_of::<Cqe32>() == 32);

mod sealed {
    pub trait Sealed {}
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

/// The completion queue: iterate it for CQEs; the head is published on [`sync`](Self::sync) or
/// drop, so a batch costs one store. Obtained from [`Ring::cq`](crate::Ring::cq) or
/// [`Ring::split`](crate::Ring::split); `Send`, so a consumer thread can own it.
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

    /// `IORING_SQ_CQ_OVERFLOW`: completions wait in the kernel's overflow list; reap, then enter
    /// with `GETEVENTS` (any [`Submitter`](crate::Submitter) wait or submit does) to flush them.
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
            let (cqe, slots) = unsafe { C::read(self.raw.cqes(), self.head, self.raw.cq_mask) };
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
}
