//! The ring: [`Ring`] owns the fd and the mapped rings, and hands out the three halves that
//! use them: the [`Submitter`] (`submit.rs`), the [`SubmissionQueue`] (`squeue.rs`) and the
//! [`CompletionQueue`] (`cqueue.rs`). Setup is in [`crate::setup`], the probe in
//! [`crate::probe`]; the mapping itself, and the corrupt-ring state, in the crate-private
//! `raw.rs`, and every syscall in `sys.rs`.
//!
//! # The protocol
//!
//! The SQ tail and the CQ head are ours (only this process writes them); the SQ head and the CQ
//! tail are the kernel's. Every index is a free-running `u32` that wraps; a slot is `index & mask`,
//! a length is `tail.wrapping_sub(head)` (the crate-private `index` module). The orderings, each
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
use core::sync::atomic::Ordering;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use uring_sys as sys;

use crate::cqueue::{CompletionQueue, Cqe, CqeEntry};
use crate::index;
use crate::raw::{RawRing, current_thread_id};
use crate::squeue::{PushError, Sqe, SqeEntry, SubmissionQueue};
use crate::submit::Submitter;

/// An io_uring instance: the ring fd, the mapped SQ and CQ rings, and the SQE array.
///
/// `S` is the SQE size ([`Sqe`] or [`Sqe128`](crate::Sqe128)), `C` the CQE size ([`Cqe`] or
/// [`Cqe32`](crate::Cqe32)); the ring is set up with `IORING_SETUP_SQE128`/`CQE32` to match, so an
/// entry of the wrong size cannot be pushed or read.
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

impl<S: SqeEntry, C: CqeEntry> Ring<S, C> {
    /// A ring over the model kernel's `raw` ring (`crate::model`).
    #[cfg(any(test, feature = "model"))]
    pub(crate) fn from_raw(raw: RawRing) -> Self {
        Ring {
            raw,
            _entries: PhantomData,
        }
    }

    /// `io_uring_setup(2)` with `params` ([`Builder::build`](crate::Builder::build) checked
    /// them), the mappings, and the ring fd registered when asked.
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
                crate::sys::register(
                    raw.fd.as_raw_fd(),
                    sys::IORING_REGISTER_RING_FDS,
                    (&raw mut up).cast_const().cast(),
                    1,
                )
            };
            if let Err(e) = ret {
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
    /// task may touch the rings meanwhile) and `NO_SQARRAY` (this crate's rule: the kernel does not
    /// report the resized ring's SQ index array, so only array-less rings resize soundly). `&mut
    /// self` guarantees no [`SubmissionQueue`]/[`CompletionQueue`] of this ring exists during the
    /// swap.
    ///
    /// # Errors
    /// `EINVAL` when the ring lacks `DEFER_TASKRUN` or `NO_SQARRAY` or the sizes are out of range,
    /// `EOVERFLOW` when more SQEs or CQEs are pending than the new rings hold (the ring is
    /// unchanged then), `EINVAL` before Linux 6.13; each with a message. If remapping fails after
    /// the kernel resized, the ring must be dropped (its old mappings are stale).
    ///
    /// # References
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_RESIZE_RINGS")]
    pub fn resize(&mut self, sq_entries: u32, cq_entries: Option<u32>) -> io::Result<()> {
        self.raw
            .resize(sq_entries, cq_entries, core::mem::size_of::<S>(), C::SLOT)
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
    /// ([`Builder::registered_ring_fd`](crate::Builder::registered_ring_fd)).
    #[inline]
    pub fn registered_index(&self) -> Option<u32> {
        self.raw.registered.map(|r| r.0)
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

#[cfg(test)]
mod tests {
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
        send::<super::CompletionQueue<'static, crate::CqeMixed>>();
        sync::<crate::Submitter<'static>>();
        send::<crate::Submitter<'static>>();
    }
}
