//! The only module that calls the kernel: thin checked shims over `epoll-sys` and `libc`.
//!
//! Every function here takes I/O-safety types and Rust references, so the rest of the crate
//! stays `deny(unsafe_code)`.
#![allow(unsafe_code)]

use crate::event::Event;
use epoll_sys as sys;
use libc::{c_int, sigset_t, timespec};
use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

#[inline]
fn cvt(r: c_int) -> io::Result<c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// `epoll_create1(EPOLL_CLOEXEC)`.
pub(crate) fn create() -> io::Result<OwnedFd> {
    // SAFETY: no pointers; a non-negative result is a fresh fd nobody else owns.
    let fd = cvt(unsafe { sys::epoll_create1(sys::EPOLL_CLOEXEC) })?;
    // SAFETY: `fd >= 0` was just returned by `epoll_create1`, so we own it exclusively.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `epoll_ctl(epfd, op, fd, &{events, data})`; the raw OS error on failure.
#[inline]
pub(crate) fn ctl(
    epfd: BorrowedFd<'_>,
    op: c_int,
    fd: BorrowedFd<'_>,
    events: u32,
    data: u64,
) -> io::Result<()> {
    let mut ev = sys::epoll_event {
        events,
        data: sys::epoll_data { u64: data },
    };
    // SAFETY: `ev` is a live local `epoll_event` (the kernel reads it even for `EPOLL_CTL_DEL`
    // only on pre-2.6.9 kernels); both fds are borrowed, hence open for the call's duration.
    cvt(unsafe { sys::epoll_ctl(epfd.as_raw_fd(), op, fd.as_raw_fd(), &mut ev) }).map(drop)
}

/// The buffer as the kernel's record type and its length as `maxevents`.
#[inline]
fn raw_buf(buf: &mut [Event]) -> (*mut sys::epoll_event, c_int) {
    // `Events` never holds more than `EP_MAX_EVENTS` entries (clamped in `Events::with_capacity`),
    // which is below `c_int::MAX`.
    debug_assert!(buf.len() <= crate::Events::MAX_CAPACITY && !buf.is_empty());
    (buf.as_mut_ptr().cast(), buf.len() as c_int)
}

/// `epoll_wait(epfd, buf, buf.len(), ms)`.
#[inline]
pub(crate) fn wait(epfd: BorrowedFd<'_>, buf: &mut [Event], ms: c_int) -> io::Result<usize> {
    let (ptr, max) = raw_buf(buf);
    // SAFETY: `Event` has `epoll_event`'s size, alignment and field offsets (asserted in
    // `event.rs`) and any bit pattern is a valid `Event`; `ptr` is writable for `max` entries
    // because it comes from the exclusive borrow `buf` of that length.
    let n = cvt(unsafe { sys::epoll_wait(epfd.as_raw_fd(), ptr, max, ms) })?;
    Ok(n as usize)
}

/// `epoll_pwait(epfd, buf, buf.len(), ms, mask)`.
#[inline]
pub(crate) fn pwait(
    epfd: BorrowedFd<'_>,
    buf: &mut [Event],
    ms: c_int,
    mask: &sigset_t,
) -> io::Result<usize> {
    let (ptr, max) = raw_buf(buf);
    // SAFETY: as in `wait`; `mask` is a live reference to a `sigset_t`.
    let n = cvt(unsafe { sys::epoll_pwait(epfd.as_raw_fd(), ptr, max, ms, mask) })?;
    Ok(n as usize)
}

/// `epoll_pwait2(epfd, buf, buf.len(), ts, mask)`.
pub(crate) fn pwait2(
    epfd: BorrowedFd<'_>,
    buf: &mut [Event],
    ts: &timespec,
    mask: Option<&sigset_t>,
) -> io::Result<usize> {
    let (ptr, max) = raw_buf(buf);
    let mask = mask.map_or(std::ptr::null(), |m| m as *const sigset_t);
    // SAFETY: as in `wait`; `ts` is a live reference, `mask` null or a live reference.
    let n = cvt(unsafe { sys::epoll_pwait2(epfd.as_raw_fd(), ptr, max, ts, mask) })?;
    Ok(n as usize)
}

/// `ioctl(epfd, EPIOCSPARAMS, &params)`.
pub(crate) fn set_params(epfd: BorrowedFd<'_>, params: &sys::epoll_params) -> io::Result<()> {
    let mut p = *params;
    // SAFETY: `EPIOCSPARAMS` reads one `epoll_params` (size encoded in the request and asserted
    // in epoll-sys) from `p`, a live local.
    cvt(unsafe { libc::ioctl(epfd.as_raw_fd(), sys::EPIOCSPARAMS as _, &mut p) }).map(drop)
}

/// `ioctl(epfd, EPIOCGPARAMS, &params)`.
pub(crate) fn get_params(epfd: BorrowedFd<'_>) -> io::Result<sys::epoll_params> {
    let mut p = sys::epoll_params::default();
    // SAFETY: `EPIOCGPARAMS` writes one `epoll_params` into `p`, a live local of that type.
    cvt(unsafe { libc::ioctl(epfd.as_raw_fd(), sys::EPIOCGPARAMS as _, &mut p) })?;
    Ok(p)
}

/// `sigemptyset` / `sigfillset`.
pub(crate) fn sigset(full: bool) -> sigset_t {
    let mut s = MaybeUninit::<sigset_t>::uninit();
    // SAFETY: both calls initialise the whole `sigset_t` behind the pointer and cannot fail for
    // a valid pointer; `s` is then initialised.
    unsafe {
        if full {
            libc::sigfillset(s.as_mut_ptr());
        } else {
            libc::sigemptyset(s.as_mut_ptr());
        }
        s.assume_init()
    }
}

/// `sigaddset` (`add`) or `sigdelset`; `EINVAL` for a bad signal number.
pub(crate) fn sigset_update(set: &mut sigset_t, signal: c_int, add: bool) -> io::Result<()> {
    // SAFETY: `set` is an initialised `sigset_t` behind an exclusive reference.
    let r = unsafe {
        if add {
            libc::sigaddset(set, signal)
        } else {
            libc::sigdelset(set, signal)
        }
    };
    cvt(r).map(drop)
}

/// `sigismember`.
pub(crate) fn sigset_contains(set: &sigset_t, signal: c_int) -> bool {
    // SAFETY: `set` is an initialised `sigset_t`; a bad signal number returns -1 (false).
    unsafe { libc::sigismember(set, signal) == 1 }
}

/// `pthread_sigmask(SIG_BLOCK, NULL, &old)`: the calling thread's mask.
pub(crate) fn thread_sigmask() -> io::Result<sigset_t> {
    let mut old = sigset(false);
    // SAFETY: a null `set` only queries; `old` is a live, initialised `sigset_t`.
    let r = unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut old) };
    if r != 0 {
        return Err(io::Error::from_raw_os_error(r));
    }
    Ok(old)
}

impl FromRawFd for crate::Epoll {
    /// Takes ownership of an epoll fd.
    ///
    /// # Safety
    /// `fd` is an open epoll instance that nothing else owns or will close.
    unsafe fn from_raw_fd(fd: std::os::fd::RawFd) -> Self {
        // SAFETY: the caller transfers sole ownership of the open fd `fd`.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        crate::Epoll { fd }
    }
}
