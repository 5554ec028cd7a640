//! Errors of `epoll_ctl` and the busy-poll ioctls with what went wrong and what to do, each
//! keeping the kernel's errno (see [`errno`]).

use std::fmt;
use std::io;

/// The payload of an [`io::Error`] returned by [`Epoll::add`](crate::Epoll::add),
/// [`modify`](crate::Epoll::modify) and [`delete`](crate::Epoll::delete).
///
/// The `io::Error` keeps the errno's [`io::ErrorKind`] (`AlreadyExists` for `EEXIST`, `NotFound`
/// for `ENOENT`, `PermissionDenied` for `EPERM`, ...). The errno itself is here:
///
/// ```
/// # use epoll::{CtlError, Epoll, Interest};
/// # let ep = Epoll::new()?;
/// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
/// ep.add(&a, 1, Interest::READABLE)?;
/// let err = ep.add(&a, 1, Interest::READABLE).unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
/// let ctl = err.get_ref().and_then(|e| e.downcast_ref::<CtlError>()).unwrap();
/// assert_eq!(ctl.raw_os_error(), libc::EEXIST);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct CtlError {
    op: &'static str,
    fd: i32,
    source: io::Error,
}

impl CtlError {
    /// The errno `epoll_ctl` failed with.
    pub fn raw_os_error(&self) -> i32 {
        self.source.raw_os_error().unwrap_or(0)
    }

    /// The operation: `"EPOLL_CTL_ADD"`, `"EPOLL_CTL_MOD"` or `"EPOLL_CTL_DEL"`.
    pub fn op(&self) -> &'static str {
        self.op
    }

    /// The target fd number.
    pub fn fd(&self) -> i32 {
        self.fd
    }

    fn hint(&self) -> &'static str {
        let Some(errno) = self.source.raw_os_error() else {
            return "";
        };
        match errno {
            libc::EEXIST => {
                "the fd is already registered in this epoll instance; use `modify` to change it"
            }
            libc::ENOENT => {
                "the fd is not registered in this epoll instance (never added, already deleted, \
                 or closed, which removes it); use `add`"
            }
            libc::EPERM => {
                "this kind of file cannot be polled: regular files and directories are always \
                 ready; read or write them directly, or use io_uring for asynchronous file I/O"
            }
            libc::EINVAL => {
                "invalid request: the fd is this epoll instance itself, or EXCLUSIVE was used \
                 with `modify`, combined with ONESHOT, PRIORITY or READ_CLOSED, or aimed at an \
                 epoll fd"
            }
            libc::ELOOP => "adding this epoll fd would create a cycle or nest epolls too deeply",
            libc::ENOSPC => {
                "the per-user limit /proc/sys/fs/epoll/max_user_watches is reached; raise it or \
                 register fewer fds"
            }
            libc::EBADF => "the fd is not open",
            libc::ENOMEM => "the kernel is out of memory",
            _ => "",
        }
    }
}

impl fmt::Display for CtlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "epoll_ctl({}) of fd {}: {}",
            self.op, self.fd, self.source
        )?;
        let hint = self.hint();
        if !hint.is_empty() {
            write!(f, ": {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CtlError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

#[cold]
#[inline(never)]
pub(crate) fn ctl_error(op: &'static str, fd: i32, source: io::Error) -> io::Error {
    io::Error::new(source.kind(), CtlError { op, fd, source })
}

/// The payload of an [`io::Error`] returned by [`Epoll::set_busy_poll`](crate::Epoll::set_busy_poll)
/// and [`Epoll::busy_poll`](crate::Epoll::busy_poll): the ioctl, the kernel's errno and a hint.
///
/// The `io::Error` keeps the errno's [`io::ErrorKind`]; the errno itself is here, or through
/// [`errno`]. A kernel without the busy-poll ioctls (before Linux 6.9) answers `ENOTTY`,
/// whose kind is uncategorised, so test the errno:
///
/// ```
/// # use epoll::Epoll;
/// let ep = Epoll::new()?;
/// match ep.busy_poll() {
///     Ok(params) => println!("busy-poll: {params:?}"),
///     Err(e) if epoll::errno(&e) == Some(libc::ENOTTY) => println!("no busy-poll (Linux < 6.9)"),
///     Err(e) => return Err(e),
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct ParamsError {
    op: &'static str,
    source: io::Error,
}

impl ParamsError {
    /// The errno the ioctl failed with.
    pub fn raw_os_error(&self) -> i32 {
        self.source.raw_os_error().unwrap_or(0)
    }

    /// The ioctl: `"EPIOCSPARAMS"` or `"EPIOCGPARAMS"`.
    pub fn op(&self) -> &'static str {
        self.op
    }

    fn hint(&self) -> &'static str {
        match self.source.raw_os_error() {
            Some(libc::ENOTTY) => "the kernel has no epoll busy-poll ioctls (Linux 6.9+)",
            Some(libc::EINVAL) => "busy_poll_usecs must be at most i32::MAX and the padding zero",
            Some(libc::EPERM) => {
                "a busy_poll_budget above 64 (NAPI_POLL_WEIGHT) needs CAP_NET_ADMIN"
            }
            _ => "",
        }
    }
}

impl fmt::Display for ParamsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ioctl({}): {}", self.op, self.source)?;
        let hint = self.hint();
        if !hint.is_empty() {
            write!(f, ": {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ParamsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// An error from the busy-poll ioctls with a hint, keeping the errno in a [`ParamsError`].
#[cold]
#[inline(never)]
pub(crate) fn params_error(set: bool, source: io::Error) -> io::Error {
    let op = if set { "EPIOCSPARAMS" } else { "EPIOCGPARAMS" };
    io::Error::new(source.kind(), ParamsError { op, source })
}

/// The kernel's errno behind an error this crate returned: `raw_os_error()` for a plain OS
/// error (`epoll_create1`, `epoll_wait`, the waker, ...), the kept errno of a [`CtlError`] or a
/// [`ParamsError`]; `None` for an error without one.
///
/// ```
/// # use epoll::{Epoll, Interest};
/// let ep = Epoll::new()?;
/// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
/// let err = ep.delete(&a).unwrap_err();
/// assert_eq!(epoll::errno(&err), Some(libc::ENOENT));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn errno(err: &io::Error) -> Option<i32> {
    if let Some(n) = err.raw_os_error() {
        return Some(n);
    }
    let inner = err.get_ref()?;
    if let Some(e) = inner.downcast_ref::<CtlError>() {
        return e.source.raw_os_error();
    }
    inner
        .downcast_ref::<ParamsError>()
        .and_then(|e| e.source.raw_os_error())
}
