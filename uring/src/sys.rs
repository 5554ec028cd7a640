//! The syscall seam: the only file in this crate that calls `io_uring_setup(2)`,
//! `io_uring_enter(2)` and `io_uring_register(2)` (`uring/tests/seam.rs` checks it).
//!
//! Thin functions, one per syscall, each turning the kernel's `-1`/errno into an
//! [`io::Error`] (and [`enter_raw`], which leaves that to the submit fast path); and [`Kernel`], where a ring's enters and registrations go: the real kernel,
//! or — with the `model` feature — the model kernel (`crate::model`), which is swapped in here
//! and nowhere else.

use core::ffi::{c_int, c_void};
use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

/// `io_uring_setup(entries, params)`: the new ring's fd; the kernel fills in `params`.
///
/// # Safety
/// `params.resv` must be zero. Under `IORING_SETUP_NO_MMAP`, `params.sq_off.user_addr` and
/// `params.cq_off.user_addr` must point to page-aligned memory sized for the rings the kernel
/// will lay out, which stays mapped for as long as the returned fd (the kernel pins it).
#[inline]
pub(crate) unsafe fn setup(
    entries: u32,
    params: &mut uring_sys::io_uring_params,
) -> io::Result<OwnedFd> {
    // SAFETY: `params` is a live, initialized `io_uring_params` for the whole call; the rest is
    // the caller's contract (zero `resv`, NO_MMAP memory that outlives the ring).
    let ret = unsafe { uring_sys::io_uring_setup(entries, params) };
    if ret < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `io_uring_setup` returned a new fd (>= 0) that nothing else owns; the `OwnedFd`
    // closes it exactly once.
    Ok(unsafe { OwnedFd::from_raw_fd(ret) })
}

/// `io_uring_enter2(fd, to_submit, min_complete, flags, arg, argsz)`: the kernel's
/// non-negative result (SQEs consumed).
///
/// # Safety
/// As for [`enter_raw`].
#[inline]
pub(crate) unsafe fn enter(
    fd: RawFd,
    to_submit: u32,
    min_complete: u32,
    flags: u32,
    arg: *const c_void,
    argsz: usize,
) -> io::Result<usize> {
    // SAFETY: the caller upholds `enter_raw`'s contract.
    let ret = unsafe { enter_raw(fd, to_submit, min_complete, flags, arg, argsz) };
    if ret < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(ret as usize)
}

/// [`enter`] as the kernel answers it: the result, or `-1` with `errno` set. For the plain
/// submit path ([`Submitter::submit_and_wait`](crate::Submitter::submit_and_wait)), which is
/// inlined into its callers' loops: with the `Result` built here rather than there, the
/// optimiser merged the two outcomes into one and tested it twice (+5 user-space instructions
/// per submit in `./x bench uring` and `./x bench owned`).
///
/// # Safety
/// `fd` is an io_uring fd (or, with `IORING_ENTER_REGISTERED_RING` in `flags`, an index this
/// thread registered); `arg`/`argsz` are what `flags` makes the kernel read (null/0, an
/// `io_uring_getevents_arg` whose `ts` is null or a live `__kernel_timespec`, or with
/// `EXT_ARG_REG` an offset into a registered region), live for the call; every pointer in the
/// SQEs being submitted stays valid as their pushers promised.
#[inline(always)]
pub(crate) unsafe fn enter_raw(
    fd: RawFd,
    to_submit: u32,
    min_complete: u32,
    flags: u32,
    arg: *const c_void,
    argsz: usize,
) -> c_int {
    // SAFETY: the caller's contract is the syscall's.
    unsafe { uring_sys::io_uring_enter2(fd, to_submit, min_complete, flags, arg, argsz) }
}

/// `io_uring_register(fd, opcode, arg, nr_args)`: the kernel's non-negative result. `fd` may
/// be `-1` for the registrations that take no ring (`IORING_REGISTER_SEND_MSG_RING`,
/// `IORING_REGISTER_QUERY`), or a registered ring index with
/// `IORING_REGISTER_USE_REGISTERED_RING` in `opcode`.
///
/// # Safety
/// `arg` and `nr_args` are what `opcode` expects, valid for the reads and writes the kernel
/// does during the call; memory the kernel keeps using after it (registered buffers, rings,
/// regions) stays valid until unregistered or the ring is gone.
#[inline]
pub(crate) unsafe fn register(
    fd: RawFd,
    opcode: u32,
    arg: *const c_void,
    nr_args: u32,
) -> io::Result<u32> {
    // SAFETY: the caller's contract is the syscall's.
    let ret = unsafe { uring_sys::io_uring_register(fd, opcode, arg, nr_args) };
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        // A non-negative `int` fits in u32.
        Ok(ret as u32)
    }
}

/// Where a ring's enters and registrations go: the kernel, or (feature `model`) the model
/// kernel whose memory backs the ring's mappings.
pub(crate) struct Kernel {
    #[cfg(any(test, feature = "model"))]
    model: Option<std::sync::Arc<dyn ModelKernel>>,
}

/// A kernel in user space that a ring's enters and registrations can go to instead of the real
/// one: the model (`crate::model`) implements it. A trait here, so that the seam names no module
/// above it (the model is built on the ring, not under it).
#[cfg(any(test, feature = "model"))]
pub(crate) trait ModelKernel: Send + Sync {
    /// `io_uring_enter(2)`'s arguments but the fd; the same result.
    fn enter(
        &self,
        to_submit: u32,
        min_complete: u32,
        flags: u32,
        arg: *const c_void,
        argsz: usize,
    ) -> io::Result<usize>;

    /// `io_uring_register(2)`'s arguments but the fd; the same result.
    ///
    /// # Safety
    /// As for [`register`]: `arg` valid for what `opcode` reads and writes.
    unsafe fn register(&self, opcode: u32, arg: *const c_void, nr_args: u32) -> io::Result<u32>;
}

#[cfg(any(test, feature = "model"))]
impl<M: ModelKernel + 'static> From<std::sync::Arc<M>> for Kernel {
    fn from(model: std::sync::Arc<M>) -> Kernel {
        Kernel::model(model)
    }
}

impl Kernel {
    /// The real kernel.
    pub(crate) const REAL: Kernel = Kernel {
        #[cfg(any(test, feature = "model"))]
        model: None,
    };

    /// The model kernel `shared`.
    #[cfg(any(test, feature = "model"))]
    pub(crate) fn model(model: std::sync::Arc<dyn ModelKernel>) -> Kernel {
        Kernel { model: Some(model) }
    }

    /// Whether this is the model kernel (always `false` without the `model` feature).
    #[inline(always)]
    pub(crate) fn is_model(&self) -> bool {
        #[cfg(any(test, feature = "model"))]
        if self.model.is_some() {
            return true;
        }
        false
    }

    /// [`enter`] on this kernel (`fd` is unused by the model).
    ///
    /// # Safety
    /// As for [`enter`].
    #[inline]
    pub(crate) unsafe fn enter(
        &self,
        fd: RawFd,
        to_submit: u32,
        min_complete: u32,
        flags: u32,
        arg: *const c_void,
        argsz: usize,
    ) -> io::Result<usize> {
        #[cfg(any(test, feature = "model"))]
        if let Some(model) = &self.model {
            return model.enter(to_submit, min_complete, flags, arg, argsz);
        }
        // SAFETY: the caller upholds `enter`'s contract.
        unsafe { enter(fd, to_submit, min_complete, flags, arg, argsz) }
    }

    /// [`register`] on this kernel (`fd` is unused by the model).
    ///
    /// # Safety
    /// As for [`register`].
    #[inline]
    pub(crate) unsafe fn register(
        &self,
        fd: RawFd,
        opcode: u32,
        arg: *const c_void,
        nr_args: u32,
    ) -> io::Result<u32> {
        #[cfg(any(test, feature = "model"))]
        if let Some(model) = &self.model {
            // SAFETY: the caller upholds `register`'s contract for `arg`/`nr_args`.
            return unsafe { model.register(opcode, arg, nr_args) };
        }
        // SAFETY: the caller upholds `register`'s contract.
        unsafe { register(fd, opcode, arg, nr_args) }
    }
}
