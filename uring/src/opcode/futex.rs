//! Futexes: `FUTEX_WAIT`, `FUTEX_WAKE`, `FUTEX_WAITV` (the futex2 interface).

use uring_sys as sys;

use super::{Fields, opcode, ptr};
use crate::squeue::Sqe;
use crate::types::{self, Futex2Flags};

opcode! {
    /// Wait on a futex word: completes with 0 when woken (by `FUTEX_WAKE` with a matching
    /// `mask`), `-EAGAIN` at once if `*futex != val`.
    ///
    /// Like `futex_wait(2)` (futex2). Linux 6.7+. `futex_flags` gives the word's size (only
    /// [`Futex2Flags::SIZE_U32`] exists today) and [`Futex2Flags::PRIVATE`].
    ///
    /// # Memory
    ///
    /// The kernel reads the word at `futex` at submission and keys the wait on its address
    /// until the CQE.
    ///
    /// # References
    ///
    /// - [`futex(2)`](https://man7.org/linux/man-pages/man2/futex.2.html)
    #[doc(alias = "IORING_OP_FUTEX_WAIT")]
    #[doc(alias = "io_uring_prep_futex_wait")]
    pub struct FutexWait {
        futex: { *const u32 },
        val: { u64 },
        mask: { u64 },
        futex_flags: { Futex2Flags },
        ;;
    }

    pub const CODE = sys::IORING_OP_FUTEX_WAIT;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = self.futex_flags.bits() as i32;
        f.addr = ptr(self.futex);
        f.off = self.val;
        f.addr3 = self.mask;
        f.sqe()
    }
}

opcode! {
    /// Wake up to `val` waiters of a futex word whose mask intersects `mask`.
    ///
    /// Like `futex_wake(2)` (futex2). Linux 6.7+. `cqe->res` is the number woken.
    ///
    /// # Memory
    ///
    /// The kernel looks up the page of `futex` (it does not write it) when it runs.
    ///
    /// # References
    ///
    /// - [`futex(2)`](https://man7.org/linux/man-pages/man2/futex.2.html)
    #[doc(alias = "IORING_OP_FUTEX_WAKE")]
    #[doc(alias = "io_uring_prep_futex_wake")]
    pub struct FutexWake {
        futex: { *const u32 },
        val: { u64 },
        mask: { u64 },
        futex_flags: { Futex2Flags },
        ;;
    }

    pub const CODE = sys::IORING_OP_FUTEX_WAKE;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = self.futex_flags.bits() as i32;
        f.addr = ptr(self.futex);
        f.off = self.val;
        f.addr3 = self.mask;
        f.sqe()
    }
}

opcode! {
    /// Wait on several futex words at once: completes when any is woken, with its index in
    /// `cqe->res`.
    ///
    /// Equivalent to `futex_waitv(2)`. Linux 6.7+.
    ///
    /// # Memory
    ///
    /// The kernel reads the `nr` entries at `futexv` and the words they point at until the
    /// CQE.
    ///
    /// # References
    ///
    /// - [`futex_waitv(2)`](https://man7.org/linux/man-pages/man2/futex_waitv.2.html)
    #[doc(alias = "IORING_OP_FUTEX_WAITV")]
    #[doc(alias = "io_uring_prep_futex_waitv")]
    pub struct FutexWaitV {
        futexv: { *const types::FutexWaitV },
        nr: { u32 },
        ;;
    }

    pub const CODE = sys::IORING_OP_FUTEX_WAITV;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.addr = ptr(self.futexv);
        f.len = self.nr;
        f.sqe()
    }
}
