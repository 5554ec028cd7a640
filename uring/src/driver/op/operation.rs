//! What the driver owns: the [`Operation`] and [`MultishotOperation`] contracts, the
//! [`Completion`] handed to them, and the [`Op`]/[`Multishot`] handles naming a submitted one.

use core::marker::PhantomData;
use std::io;

use uring_sys as sys;

use crate::cqueue::CqeFlags;
use crate::driver::slab::Key;
#[cfg(doc)]
use crate::driver::{Driver, SubmitError, TAG};
use crate::squeue::Sqe;

/// What a completion said: `res` and `flags` of one CQE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completion {
    /// `cqe->res`: a result `>= 0` or a negated errno.
    pub res: i32,
    /// `cqe->flags`.
    pub flags: CqeFlags,
    /// A word for the operation's own use: [`Operation::observe`] may record something here
    /// at reap time (e.g. where in a provided buffer the data starts) for `complete`/`item`.
    pub aux: u32,
}

impl Completion {
    /// `res` as a result: `Ok(res)` when `res >= 0`, else the errno as an [`io::Error`].
    #[inline]
    pub fn result(&self) -> io::Result<u32> {
        if self.res >= 0 {
            Ok(self.res as u32)
        } else {
            Err(io::Error::from_raw_os_error(self.res.wrapping_neg()))
        }
    }

    /// The provided buffer id, when `IORING_CQE_F_BUFFER` is set.
    #[inline]
    pub fn buffer_id(&self) -> Option<u16> {
        if self.flags.contains(CqeFlags::BUFFER) {
            Some((self.flags.bits() >> sys::IORING_CQE_BUFFER_SHIFT) as u16)
        } else {
            None
        }
    }
}

/// An operation whose memory the driver owns from submission to its final completion.
///
/// The driver moves the value into its slot (whose address never changes), calls
/// [`Operation::sqe`] once, pushes the SQE, and calls [`Operation::complete`] with the final
/// CQE — or, when the handle was detached, calls it anyway and drops the output, so an fd
/// produced by a cancelled `accept` is closed, never leaked.
///
/// # Safety
///
/// Every pointer in the SQE `sqe` returns must point into memory that `self` owns (a heap
/// block, or `self` itself — it does not move while in flight) or that is `'static`, valid for
/// the accesses the opcode makes, and not accessed by anything else until `complete` or drop.
/// The SQE's `user_data` is overwritten by the driver. The SQE must not make the kernel post a
/// completion under another `user_data` with bit 63 set ([`TAG`]: `MSG_RING` data, a
/// poll update's new `user_data`): the driver would take it for the completion of the
/// operation that `user_data` names (see the soundness contract in [`crate::driver`]).
///
/// An SQE with `IOSQE_BUFFER_SELECT` must name a provided-buffer group the operation itself
/// accounts for: naming the group of one of the driver's
/// [`BufRing`](crate::driver::pbuf::BufRing)s is not a memory hazard (the ring's memory
/// outlives every request), but the buffer the kernel picks is then handed to no one and the
/// ring never gets it back.
pub unsafe trait Operation: Sized + 'static {
    /// What the completion hands back (typically the result and the buffers).
    type Output;
    /// Builds the SQE; `self` is at its final address.
    fn sqe(&mut self) -> Sqe;
    /// Turns the final completion into the output, handing back owned memory.
    ///
    /// Only the driver calls it. A completion says what the kernel did to the operation's
    /// memory (how many bytes a read wrote, which provided buffer it filled, which new fd it
    /// made), and the output trusts it: a forged one would hand back unwritten bytes as data,
    /// a buffer the kernel still owns, or an fd that belongs to someone else.
    ///
    /// # Safety
    ///
    /// `c` is the final CQE the kernel posted for the SQE [`Operation::sqe`] built from this
    /// very value (after [`Operation::observe`] saw every CQE of it, in ring order, when
    /// [`Operation::OBSERVES`]), and the operation is no longer in flight.
    unsafe fn complete(self, c: Completion) -> Self::Output;
    /// Sees every CQE as it is reaped, in ring order, before it is stored: the result CQE of
    /// `SEND_ZC` before its notification, a provided-buffer id to account for. The default
    /// does nothing.
    ///
    /// # Safety
    ///
    /// `c` is a CQE the kernel posted for the SQE [`Operation::sqe`] built from this very
    /// value, passed once, in ring order.
    #[inline]
    unsafe fn observe(&mut self, c: &mut Completion) {
        let _ = c;
    }
    /// Whether the driver calls [`Operation::observe`] for this type: `true` unless said
    /// otherwise. An implementation that keeps the default (no-op) `observe` may say `false`,
    /// and the reap then skips the call (an indirect call per completion); `observe` is then
    /// never called, and [`Operation::complete`] gets CQEs nothing observed.
    const OBSERVES: bool = true;
    /// The output of this operation when it never reached the kernel (its submission
    /// failed): `error` as the result, with the memory it owns handed back (an owned fd is
    /// closed). Safe: nothing here trusts a completion. What a generic future turns a
    /// [`SubmitError`] into ([`SubmitError::into_output`]).
    fn fail(self, error: io::Error) -> Self::Output;
    /// Checks, before anything is pushed, that the operation may run on the driver `ring_id`
    /// (e.g. a fixed-buffer lease belongs to that ring). The default accepts.
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        let _ = ring_id;
        Ok(())
    }
}

/// An operation that posts many completions (`IORING_CQE_F_MORE`) until a final one.
///
/// # Safety
///
/// As for [`Operation`]; the memory stays owned until the final CQE (one without `F_MORE`).
pub unsafe trait MultishotOperation: Sized + 'static {
    /// One completion's value.
    type Item;
    /// Builds the SQE; `self` is at its final address.
    fn sqe(&mut self) -> Sqe;
    /// Turns one completion into an item.
    ///
    /// # Safety
    ///
    /// `c` is a CQE the kernel posted for the SQE [`MultishotOperation::sqe`] built from this
    /// very value, already seen by [`MultishotOperation::observe`], and passed here once, in
    /// ring order (as for [`Operation::complete`]).
    unsafe fn item(&mut self, c: Completion) -> Self::Item;
    /// As [`Operation::observe`]: sees every CQE as it is reaped, in ring order.
    ///
    /// # Safety
    ///
    /// As for [`Operation::observe`].
    #[inline]
    unsafe fn observe(&mut self, c: &mut Completion) {
        let _ = c;
    }
    /// As [`Operation::validate`].
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        let _ = ring_id;
        Ok(())
    }
}

/// A handle to one submitted operation; redeem it with [`Driver::take`].
///
/// It is only a name (slot key, driver id): dropping or forgetting it never frees or reuses
/// memory the kernel may touch — the slot keeps the operation's memory until its final
/// completion and until the driver drops (see the design note in [`crate::driver`]).
#[must_use = "an operation's output (and its buffer) is only handed back through `Driver::take`"]
pub struct Op<T> {
    pub(crate) key: Key,
    pub(crate) driver: u64,
    pub(crate) _t: PhantomData<fn() -> T>,
}

impl<T> Op<T> {
    /// The slot key, for mapping completions reported by [`Driver::reap`] to waiters.
    #[inline]
    pub fn key(&self) -> Key {
        self.key
    }
}

impl<T> core::fmt::Debug for Op<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Op")
            .field("key", &self.key)
            .field("driver", &self.driver)
            .finish()
    }
}

/// A handle to a multishot operation: [`Driver::next`] yields its items.
#[must_use = "a multishot operation's items are only handed out through `Driver::next`"]
pub struct Multishot<T> {
    pub(crate) key: Key,
    pub(crate) driver: u64,
    pub(crate) _t: PhantomData<fn() -> T>,
}

impl<T> Multishot<T> {
    /// The slot key.
    #[inline]
    pub fn key(&self) -> Key {
        self.key
    }
}

impl<T> core::fmt::Debug for Multishot<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Multishot")
            .field("key", &self.key)
            .field("driver", &self.driver)
            .finish()
    }
}
