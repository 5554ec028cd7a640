//! Timers: `TIMEOUT` (one-shot, counting, multishot), `TIMEOUT_REMOVE` and its update form, and
//! `LINK_TIMEOUT`.

use uring_sys as sys;

use super::{Fields, no_memory, opcode, ptr};
use crate::squeue::Sqe;
use crate::types::{TimeoutFlags, Timespec};

opcode! {
    /// A timer: completes with `-ETIME` when `*timespec` elapses, or with 0 once `count`
    /// other completions have been posted, whichever is first.
    ///
    /// io_uring only (a `timerfd`-like wait on the ring). Linux 5.4+; multishot
    /// ([`TimeoutFlags::MULTISHOT`], with `count` the number of shots or 0 for endless)
    /// Linux 6.4+.
    ///
    /// # Memory
    ///
    /// The kernel copies `*timespec` when it prepares the request (at submission, which with
    /// SQPOLL is not when `submit` returns): keep it valid until the request's CQE.
    ///
    /// # References
    ///
    /// - [`io_uring_prep_timeout(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_timeout.3.html)
    #[doc(alias = "IORING_OP_TIMEOUT")]
    #[doc(alias = "io_uring_prep_timeout")]
    pub struct Timeout {
        timespec: { *const Timespec },
        ;;
        /// Complete after this many other CQEs (0: only the timer counts).
        count: u32 = 0,
        /// `IORING_TIMEOUT_*` flags.
        flags: TimeoutFlags = TimeoutFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_TIMEOUT;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = -1;
        f.addr = ptr(self.timespec);
        f.len = 1;
        f.off = self.count as u64;
        f.op_flags = self.flags.bits();
        f.sqe()
    }
}

opcode! {
    /// Cancel the timeout whose `user_data` is `target`.
    ///
    /// io_uring only. Linux 5.5+. `cqe->res` is 0, `-ENOENT` (no such timeout) or `-EALREADY`
    /// (already firing); the removed timeout completes with `-ECANCELED`.
    ///
    /// # Memory
    ///
    /// None: `target` is a number.
    ///
    /// # References
    ///
    /// - [`io_uring_prep_timeout_remove(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_timeout_remove.3.html)
    #[doc(alias = "IORING_OP_TIMEOUT_REMOVE")]
    #[doc(alias = "io_uring_prep_timeout_remove")]
    pub struct TimeoutRemove {
        target: { u64 },
        ;;
    }

    pub const CODE = sys::IORING_OP_TIMEOUT_REMOVE;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = -1;
        f.addr = self.target;
        f.sqe()
    }
}

opcode! {
    /// Re-arm the timeout (or, with [`TimeoutFlags::LINK_TIMEOUT_UPDATE`], the linked
    /// timeout) whose `user_data` is `target` with a new `*timespec` (the update form of
    /// `TIMEOUT_REMOVE`).
    ///
    /// io_uring only. Linux 5.11+.
    ///
    /// # Memory
    ///
    /// The kernel copies `*timespec` when it prepares the request; keep it until the CQE.
    ///
    /// # References
    ///
    /// - [`io_uring_prep_timeout_update(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_timeout_update.3.html)
    #[doc(alias = "IORING_OP_TIMEOUT_REMOVE")]
    #[doc(alias = "io_uring_prep_timeout_update")]
    pub struct TimeoutUpdate {
        target: { u64 },
        timespec: { *const Timespec },
        ;;
        /// More `IORING_TIMEOUT_*` flags (`UPDATE` is always set, also with
        /// `LINK_TIMEOUT_UPDATE`).
        flags: TimeoutFlags = TimeoutFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_TIMEOUT_REMOVE;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = -1;
        f.addr = self.target;
        f.off = ptr(self.timespec);
        // `IORING_TIMEOUT_UPDATE` in every form: the kernel takes a `TIMEOUT_REMOVE` without it
        // as a removal, `LINK_TIMEOUT_UPDATE` only says which timeout to update (as
        // liburing's `io_uring_prep_timeout_update` and `io_uring_prep_link_timeout_update`).
        f.op_flags = self.flags.bits() | TimeoutFlags::UPDATE.bits();
        f.sqe()
    }
}

opcode! {
    /// A timeout for the SQE linked before it: if that request has not completed when
    /// `*timespec` elapses it is cancelled (`-ECANCELED`) and this completes with `-ETIME`;
    /// otherwise this completes with `-ECANCELED`.
    ///
    /// io_uring only. Linux 5.5+. Push it right after an SQE that has `IOSQE_IO_LINK`.
    ///
    /// # Memory
    ///
    /// The kernel copies `*timespec` when it prepares the request; keep it until the CQE.
    ///
    /// # References
    ///
    /// - [`io_uring_prep_link_timeout(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_link_timeout.3.html)
    #[doc(alias = "IORING_OP_LINK_TIMEOUT")]
    #[doc(alias = "io_uring_prep_link_timeout")]
    pub struct LinkTimeout {
        timespec: { *const Timespec },
        ;;
        /// `IORING_TIMEOUT_*` flags.
        flags: TimeoutFlags = TimeoutFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_LINK_TIMEOUT;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = -1;
        f.addr = ptr(self.timespec);
        f.len = 1;
        f.op_flags = self.flags.bits();
        f.sqe()
    }
}

no_memory!(TimeoutRemove);
