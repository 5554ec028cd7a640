//! Linked SQEs: push a whole chain at once, linked, optionally with a trailing link timeout.
//!
//! A chain runs its SQEs in order, each starting after the previous completes. With
//! [`Link::Soft`] (`IOSQE_IO_LINK`) a failure (a negative result, or a short read/write) cancels
//! the rest: they complete with `-ECANCELED`. With [`Link::Hard`] (`IOSQE_IO_HARDLINK`) the rest
//! run regardless. A trailing [`ChainTimeout`] (`IORING_OP_LINK_TIMEOUT`) bounds the SQE before
//! it: if the timeout fires first, that SQE is cancelled (`-ECANCELED`) and the timeout
//! completes with `-ETIME`; otherwise the timeout completes with `-ECANCELED`.
//!
//! Pushing is all or nothing: when the SQ lacks room for the whole chain nothing is pushed, so
//! the kernel never sees half a chain.
//!
//! # References
//! - [`io_uring_enter(2)`](https://man7.org/linux/man-pages/man2/io_uring_enter.2.html)
//!   (`IOSQE_IO_LINK`, `IOSQE_IO_HARDLINK`, `IORING_OP_LINK_TIMEOUT`)

use core::time::Duration;

use uring_sys as sys;

use crate::squeue::{LinkFlag, PushError, SqeEntry, SubmissionQueue};
use crate::squeue::{Sqe, SqeFlags};

/// How the members of a chain are linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Link {
    /// `IOSQE_IO_LINK`: a failing member cancels the rest (`-ECANCELED`). Linux 5.3+.
    #[default]
    Soft,
    /// `IOSQE_IO_HARDLINK`: the rest run even after a failure. Linux 5.5+.
    Hard,
}

impl Link {
    fn flag(self) -> SqeFlags {
        match self {
            Link::Soft => SqeFlags::IO_LINK,
            Link::Hard => SqeFlags::IO_HARDLINK,
        }
    }
}

/// A trailing `IORING_OP_LINK_TIMEOUT` (Linux 5.5+): bounds the last SQE of the chain. It owns
/// the `timespec` the kernel reads; the SQE builder for the same opcode, for SQEs you link
/// yourself, is [`opcode::LinkTimeout`](crate::opcode::LinkTimeout).
///
/// The kernel reads the `timespec` when the chain is submitted, so this value must stay alive
/// (and unmoved) until [`Submitter::submit`](crate::Submitter::submit) has consumed the chain.
#[derive(Debug, Clone, Copy)]
pub struct ChainTimeout {
    ts: sys::__kernel_timespec,
    user_data: u64,
    flags: u32,
}

impl ChainTimeout {
    /// A relative timeout of `timeout`, whose CQE carries `user_data`.
    pub fn new(timeout: Duration, user_data: u64) -> Self {
        ChainTimeout {
            ts: sys::__kernel_timespec {
                tv_sec: i64::try_from(timeout.as_secs()).unwrap_or(i64::MAX),
                tv_nsec: i64::from(timeout.subsec_nanos()),
            },
            user_data,
            flags: 0,
        }
    }

    /// The `IORING_OP_LINK_TIMEOUT` SQE pointing at `self.ts`.
    fn sqe(&self) -> Sqe {
        let mut sqe = Sqe::new(sys::IORING_OP_LINK_TIMEOUT).user_data(self.user_data);
        let raw = sqe.as_raw_mut();
        raw.fd = -1;
        raw.addr_union.addr = (&raw const self.ts) as u64;
        raw.len = 1;
        raw.rw_flags_union.timeout_flags = self.flags;
        sqe
    }
}

impl<S: SqeEntry + From<Sqe>> SubmissionQueue<'_, S> {
    /// Pushes `sqes` as one chain — `IOSQE_IO_LINK` (or `IO_HARDLINK`) on all but the last —
    /// all or nothing.
    ///
    /// # Errors
    /// [`PushError`] when the SQ has fewer free slots than the chain; nothing was pushed.
    ///
    /// # Safety
    /// As for [`push`](SubmissionQueue::push), for every SQE.
    pub unsafe fn push_chain(&mut self, sqes: &[S], link: Link) -> Result<(), PushError> {
        // SAFETY: the caller upholds `push`'s contract for every SQE.
        unsafe { self.push_with(sqes, None, LinkFlag(link.flag())) }
    }

    /// Pushes `sqes` as one chain followed by a link timeout bounding the last of them, all
    /// or nothing.
    ///
    /// # Errors
    /// [`PushError`] when the SQ has fewer free slots than the chain plus one.
    ///
    /// # Safety
    /// As for [`push`](SubmissionQueue::push), for every SQE; and `timeout` must stay alive and
    /// unmoved until the chain has been submitted (the kernel reads its `timespec` then).
    pub unsafe fn push_chain_with_timeout(
        &mut self,
        sqes: &[S],
        link: Link,
        timeout: &ChainTimeout,
    ) -> Result<(), PushError> {
        let ts = S::from(timeout.sqe());
        // SAFETY: the caller upholds `push`'s contract for every SQE and keeps `timeout` alive
        // until submission, so the timeout SQE's pointer to `timeout.ts` stays valid.
        unsafe { self.push_with(sqes, Some(&ts), LinkFlag(link.flag())) }
    }
}
