//! Ring plumbing: `NOP`, `NOP128`, `ASYNC_CANCEL`, `MSG_RING` (data and fd) and `WAITID`.

use uring_sys as sys;

use super::{Fields, no_memory, opcode, ptr};
use crate::squeue::{Sqe, Sqe128};
use crate::types::{CancelFlags, DestinationSlot, Fixed, MsgRingFlags, NopFlags, Target};

opcode! {
    /// Does nothing and completes with 0 (or the injected [`result`](Self::result)).
    ///
    /// io_uring only. Linux 5.1+; injected results Linux 6.12+.
    ///
    /// # Memory
    ///
    /// None.
    ///
    /// # References
    ///
    /// - [`io_uring_prep_nop(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_nop.3.html)
    #[doc(alias = "IORING_OP_NOP")]
    #[doc(alias = "io_uring_prep_nop")]
    pub struct Nop {
        ;;
        /// `IORING_NOP_*` flags.
        flags: NopFlags = NopFlags::empty(),
        /// Complete with this result (sets `IORING_NOP_INJECT_RESULT`).
        result: Option<i32> = None,
    }

    pub const CODE = sys::IORING_OP_NOP;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = -1;
        let mut flags = self.flags.bits();
        if let Some(res) = self.result {
            flags |= NopFlags::INJECT_RESULT.bits();
            f.len = res as u32;
        }
        f.op_flags = flags;
        f.sqe()
    }
}

opcode! {
    /// A 128-byte no-op, for rings set up with `IORING_SETUP_SQE_MIXED` (or `SQE128`).
    ///
    /// io_uring only. Linux 6.19+.
    ///
    /// # Memory
    ///
    /// None.
    ///
    /// # References
    ///
    /// - [`io_uring_prep_nop(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_nop.3.html)
    #[doc(alias = "IORING_OP_NOP128")]
    #[doc(alias = "io_uring_prep_nop128")]
    pub struct Nop128 {
        ;;
        /// `IORING_NOP_*` flags.
        flags: NopFlags = NopFlags::empty(),
        /// Complete with this result (sets `IORING_NOP_INJECT_RESULT`).
        result: Option<i32> = None,
    }

    pub const CODE = sys::IORING_OP_NOP128;

    /// The 128-byte SQE.
    pub fn build(self) -> Sqe128 {
        let mut f = Fields::new(Self::CODE);
        f.fd = -1;
        let mut flags = self.flags.bits();
        if let Some(res) = self.result {
            flags |= NopFlags::INJECT_RESULT.bits();
            f.len = res as u32;
        }
        f.op_flags = flags;
        Sqe128 { sqe: f.sqe(), ext: [0; 64] }
    }
}

opcode! {
    /// Cancel the request(s) whose `user_data` is `target`.
    ///
    /// io_uring only. Linux 5.5+; [`CancelFlags::ALL`]/`ANY` Linux 5.19+. `cqe->res` is 0
    /// (found and cancelled), `-ENOENT` (not found) or `-EALREADY` (running, may still
    /// complete); with `ALL`, the number cancelled. The cancelled request completes with
    /// `-ECANCELED` (or `-EINTR` for some).
    ///
    /// # Memory
    ///
    /// None: `target` is a number.
    ///
    /// # References
    ///
    /// - [`io_uring_prep_cancel(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_cancel.3.html)
    #[doc(alias = "IORING_OP_ASYNC_CANCEL")]
    #[doc(alias = "io_uring_prep_cancel64")]
    pub struct AsyncCancel {
        target: { u64 },
        ;;
        /// `IORING_ASYNC_CANCEL_*` flags.
        flags: CancelFlags = CancelFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_ASYNC_CANCEL;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = -1;
        f.addr = self.target;
        f.op_flags = self.flags.bits();
        f.sqe()
    }
}

opcode! {
    /// Cancel the request(s) on file `fd` (`IORING_ASYNC_CANCEL_FD`, plus `FD_FIXED` for a
    /// registered file).
    ///
    /// io_uring only. Linux 5.19+. Results as [`AsyncCancel`].
    ///
    /// # Memory
    ///
    /// None: the SQE carries no pointer.
    ///
    /// # References
    ///
    /// - [`io_uring_prep_cancel_fd(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_cancel_fd.3.html)
    #[doc(alias = "IORING_OP_ASYNC_CANCEL")]
    #[doc(alias = "io_uring_prep_cancel_fd")]
    pub struct AsyncCancelFd {
        fd: { impl Target },
        ;;
        /// More `IORING_ASYNC_CANCEL_*` flags (e.g. `ALL`).
        flags: CancelFlags = CancelFlags::empty(),
        /// Match only requests on `fd` that also have this `user_data`
        /// (`IORING_ASYNC_CANCEL_USERDATA` with `FD`, Linux 6.6+, as liburing's
        /// `cancel-fd-userdata.c`). An older kernel may refuse the flag (`EINVAL`) or
        /// ignore it and match on the fd alone (Debian's 6.1 does): ask the kernel with a
        /// trial — a cancel naming a `user_data` no request on the fd has must fail with
        /// `ENOENT`.
        user_data: Option<u64> = None,
    }

    pub const CODE = sys::IORING_OP_ASYNC_CANCEL;

    /// The SQE. The fd goes in `sqe->fd` without `IOSQE_FIXED_FILE` (the cancel key, not the
    /// request's file); a registered one sets `IORING_ASYNC_CANCEL_FD_FIXED`.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = self.fd.fd;
        let mut flags = self.flags.bits() | CancelFlags::FD.bits();
        if self.fd.fixed {
            flags |= CancelFlags::FD_FIXED.bits();
        }
        if let Some(ud) = self.user_data {
            flags |= CancelFlags::USERDATA.bits();
            f.addr = ud;
        }
        f.op_flags = flags;
        f.sqe()
    }
}

opcode! {
    /// Post a CQE on another ring: `user_data` and `res` of the target CQE are the given
    /// values (`IORING_MSG_DATA`).
    ///
    /// io_uring only. Linux 5.18+; [`cqe_flags`](Self::cqe_flags) Linux 6.3+. This ring's
    /// CQE has `res` 0 on success.
    ///
    /// # Memory
    ///
    /// The SQE carries no pointer, but the CQE it posts can mimic any request's completion on
    /// the target ring, so it is not [`NoMemory`](super::NoMemory).
    ///
    /// # References
    ///
    /// - [`io_uring_prep_msg_ring(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_msg_ring.3.html)
    #[doc(alias = "IORING_OP_MSG_RING")]
    #[doc(alias = "io_uring_prep_msg_ring")]
    pub struct MsgRingData {
        ring_fd: { impl Target },
        result: { i32 },
        user_data: { u64 },
        ;;
        /// `IORING_MSG_RING_*` flags.
        flags: MsgRingFlags = MsgRingFlags::empty(),
        /// The target CQE's `flags` (sets `IORING_MSG_RING_FLAGS_PASS`).
        cqe_flags: Option<u32> = None,
    }

    pub const CODE = sys::IORING_OP_MSG_RING;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.ring_fd);
        f.addr = sys::IORING_MSG_DATA;
        f.len = self.result as u32;
        f.off = self.user_data;
        let mut flags = self.flags.bits();
        if let Some(cf) = self.cqe_flags {
            flags |= MsgRingFlags::FLAGS_PASS.bits();
            f.file_index = cf;
        }
        f.op_flags = flags;
        f.sqe()
    }
}

opcode! {
    /// Install this ring's registered file `source` into another ring's registered table at
    /// `dest`, and post a CQE there with `user_data` (`IORING_MSG_SEND_FD`).
    ///
    /// io_uring only. Linux 5.18+.
    ///
    /// # Memory
    ///
    /// The SQE carries no pointer, but the target's CQE carries a caller-chosen `user_data`,
    /// so it is not [`NoMemory`](super::NoMemory).
    ///
    /// # References
    ///
    /// - [`io_uring_prep_msg_ring_fd(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_msg_ring_fd.3.html)
    #[doc(alias = "IORING_OP_MSG_RING")]
    #[doc(alias = "io_uring_prep_msg_ring_fd")]
    pub struct MsgRingSendFd {
        ring_fd: { impl Target },
        source: { Fixed },
        dest: { DestinationSlot },
        user_data: { u64 },
        ;;
        /// `IORING_MSG_RING_*` flags ([`MsgRingFlags::CQE_SKIP`]: no CQE on the target).
        flags: MsgRingFlags = MsgRingFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_MSG_RING;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.ring_fd);
        f.addr = sys::IORING_MSG_SEND_FD;
        f.addr3 = self.source.0 as u64;
        f.file_index = self.dest.file_index();
        f.off = self.user_data;
        f.op_flags = self.flags.bits();
        f.sqe()
    }
}

opcode! {
    /// `waitid(idtype, id, infop, options)` — wait for a child's state change.
    ///
    /// Equivalent to `waitid(2)`. Linux 6.7+. `cqe->res` is 0 and `*infop` is filled.
    ///
    /// # Memory
    ///
    /// The kernel writes a `siginfo_t` at `infop` (if not null) until the CQE.
    ///
    /// # References
    ///
    /// - [`waitid(2)`](https://man7.org/linux/man-pages/man2/waitid.2.html)
    #[doc(alias = "IORING_OP_WAITID")]
    #[doc(alias = "io_uring_prep_waitid")]
    pub struct WaitId {
        idtype: { libc::idtype_t },
        id: { libc::id_t },
        options: { i32 },
        ;;
        /// Where to write the `siginfo_t`.
        infop: *mut libc::siginfo_t = core::ptr::null_mut(),
    }

    pub const CODE = sys::IORING_OP_WAITID;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = self.id as i32;
        f.len = self.idtype;
        f.file_index = self.options as u32;
        f.off = ptr(self.infop);
        f.sqe()
    }
}

// Not `MsgRingData`/`MsgRingSendFd`: they post a CQE with a caller-chosen `user_data` (see
// `NoMemory`'s rule 2).
no_memory!(Nop, Nop128, AsyncCancel, AsyncCancelFd);
