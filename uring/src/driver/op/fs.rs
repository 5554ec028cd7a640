//! File-system operations whose arguments the kernel reads (a path, an `open_how`) or writes
//! (a `statx` buffer) after submission, owned by the driver until completion.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, IntoRawFd, OwnedFd, RawFd};

use uring_sys as sys;

use super::{Completion, Operation, new_fd};
use crate::opcode;
use crate::squeue::Sqe;
use crate::types::{AtFlags, Fd, OpenHow, StatxMask};

/// `IORING_OP_OPENAT2` — `openat2(2)`: the path and the `open_how` are owned until
/// completion; the output owns the new file.
pub struct OpenAt2 {
    dirfd: RawFd,
    path: CString,
    how: OpenHow,
}

impl std::fmt::Debug for OpenAt2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAt2")
            .field("dirfd", &self.dirfd)
            .field("path", &self.path)
            .field("how", &self.how)
            .finish()
    }
}

impl OpenAt2 {
    /// Opens `path` relative to `dirfd` with `O_*` `flags` (`O_CLOEXEC` always added), `mode`,
    /// and `RESOLVE_*` `resolve` flags.
    pub fn new(dirfd: RawFd, path: CString, flags: i32, mode: u32, resolve: u64) -> Self {
        let how = OpenHow::new()
            .flags((flags | libc::O_CLOEXEC) as u64)
            .mode(u64::from(mode))
            .resolve(resolve);
        OpenAt2 { dirfd, path, how }
    }
}

// SAFETY: the pointers are the path's heap block and `self.how`, both owned by `self`, which
// does not move while in flight.
unsafe impl Operation for OpenAt2 {
    type Output = io::Result<OwnedFd>;
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> io::Result<OwnedFd> {
        Err(error)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        opcode::OpenAt2::new(Fd(self.dirfd), self.path.as_ptr(), &raw const self.how).build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> Self::Output {
        // SAFETY: a successful openat2 returns a new descriptor nothing else owns.
        unsafe { new_fd(c) }
    }
}

/// `IORING_OP_STATX` — `statx(2)`: the path and the (boxed) result buffer are owned until
/// completion; the output is the filled `statx`.
pub struct Statx {
    dirfd: RawFd,
    path: CString,
    flags: i32,
    mask: u32,
    buf: Box<libc::statx>,
}

impl std::fmt::Debug for Statx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Statx")
            .field("dirfd", &self.dirfd)
            .field("path", &self.path)
            .field("mask", &self.mask)
            .finish_non_exhaustive()
    }
}

impl Statx {
    /// `statx(dirfd, path, flags, mask)`; `AT_EMPTY_PATH` with an empty path stats `dirfd`.
    pub fn new(dirfd: RawFd, path: CString, flags: i32, mask: u32) -> Self {
        Statx {
            dirfd,
            path,
            flags,
            mask,
            // SAFETY: statx is plain data; all-zero is valid.
            buf: Box::new(unsafe { core::mem::zeroed() }),
        }
    }
}

// SAFETY: the pointers are the path's heap block and the boxed statx, owned by `self`.
unsafe impl Operation for Statx {
    type Output = io::Result<Box<libc::statx>>;
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> io::Result<Box<libc::statx>> {
        Err(error)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        opcode::Statx::new(Fd(self.dirfd), self.path.as_ptr(), &raw mut *self.buf)
            .flags(AtFlags::from_bits_retain(self.flags as u32))
            .mask(StatxMask::from_bits_retain(self.mask))
            .build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> Self::Output {
        c.result()?;
        Ok(self.buf)
    }
}

/// `IORING_OP_OPENAT` — `openat(2)`; the path is owned until completion and the output owns
/// the new file.
#[derive(Debug)]
pub struct OpenAt {
    dirfd: RawFd,
    path: CString,
    flags: i32,
    mode: u32,
}

impl OpenAt {
    /// Opens `path` relative to `dirfd` (`libc::AT_FDCWD` for the cwd) with `O_*` `flags`
    /// (`O_CLOEXEC` is always added) and `mode`.
    pub fn new(dirfd: RawFd, path: CString, flags: i32, mode: u32) -> Self {
        OpenAt {
            dirfd,
            path,
            flags: flags | libc::O_CLOEXEC,
            mode,
        }
    }
}

// SAFETY: the only pointer is the path's heap block, owned by `self` (a CString's bytes do not
// move with it) and NUL-terminated.
unsafe impl Operation for OpenAt {
    type Output = io::Result<OwnedFd>;
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> io::Result<OwnedFd> {
        Err(error)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        opcode::OpenAt::new(Fd(self.dirfd), self.path.as_ptr())
            .flags(self.flags)
            .mode(self.mode)
            .build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> Self::Output {
        // SAFETY: a successful openat returns a new descriptor that nothing else owns.
        unsafe { new_fd(c) }
    }
}

/// `IORING_OP_CLOSE` — `close(2)` of an owned descriptor.
///
/// The descriptor is closed in every case, never leaked and never closed twice:
/// - the kernel closed it: `Ok(())`, or the error `close(2)` reported (the fd is gone either
///   way, as with `close(2)`);
/// - the request never ran (`ECANCELED`: a failed link ahead of it, or a cancel): the driver
///   closes it with `close(2)` and returns `ECANCELED`;
/// - the kernel refused it (`EBADF` for an io_uring fd, which `IORING_OP_CLOSE` cannot close):
///   the driver closes it with `close(2)` and returns `EBADF`.
///
/// Linux 5.6+. On an older kernel the opcode fails with `EINVAL` and the fd stays open (the
/// error says so): the kernel's `EINVAL` cannot be told from a file's `flush` failing after
/// the fd was removed, so closing the number again could close someone else's file.
///
/// One case is left to chance: a file whose `flush` fails with `ECANCELED` or `EBADF` after
/// the kernel removed the fd (only a hostile FUSE server answers that), *and* another thread
/// opening a file (for `EBADF`: an io_uring instance) that gets the same number before the
/// completion is reaped. The driver then closes that file.
#[derive(Debug)]
pub struct Close {
    fd: Option<OwnedFd>,
}

impl Close {
    /// Closes `fd` (consumed: nothing else can use the number any more).
    pub fn new(fd: OwnedFd) -> Self {
        Close { fd: Some(fd) }
    }
}

/// Whether `fd` is an io_uring instance: `io_uring_register(2)` fails with `EOPNOTSUPP` for
/// any other file before it looks at its arguments; for a ring, `IORING_REGISTER_PROBE` with
/// no buffer fails with `EINVAL` (or `EACCES`/`ENXIO`) and changes nothing.
fn is_io_uring(fd: BorrowedFd<'_>) -> bool {
    // SAFETY: a null `arg` with `nr_args` 0: the kernel reads and writes no memory of ours.
    let r = unsafe {
        crate::sys::register(
            fd.as_raw_fd(),
            sys::IORING_REGISTER_PROBE,
            core::ptr::null(),
            0,
        )
    };
    match r {
        Ok(_) => true,
        Err(e) => !matches!(e.raw_os_error(), Some(libc::EOPNOTSUPP | libc::EBADF)),
    }
}

// SAFETY: no pointer.
unsafe impl Operation for Close {
    type Output = io::Result<()>;
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> io::Result<()> {
        // Never ran: the fd is still ours; close it as a completed close would.
        drop(self.fd);
        Err(error)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        let fd = self.fd.as_ref().map_or(-1, |f| f.as_raw_fd());
        opcode::Close::new(Fd(fd)).build()
    }
    #[inline]
    unsafe fn complete(mut self, c: Completion) -> Self::Output {
        let Some(fd) = self.fd.take() else {
            return c.result().map(drop);
        };
        // A number that is no longer open was taken by the kernel (whatever the error says: a
        // file's `flush` may fail with any errno after the fd was removed).
        let still_open = || rustix::io::fcntl_getfd(&fd).is_ok();
        let not_taken = match c.res {
            // The request never ran: the number is still ours.
            r if r == -libc::ECANCELED => still_open(),
            // Before removing the fd the kernel refuses only an fd that is not open (ours is)
            // or an io_uring fd; a `flush` failing after removal leaves a number we no longer
            // own, which is no io_uring fd (unless another thread made a ring at that number
            // since: see the type's docs).
            r if r == -libc::EBADF => still_open() && is_io_uring(fd.as_fd()),
            r if r == -libc::EINVAL => {
                let _ = fd.into_raw_fd();
                return Err(crate::error::with_message(
                    libc::EINVAL,
                    "IORING_OP_CLOSE failed with EINVAL: on a kernel without it (Linux 5.6+) \
                     the fd is still open and no longer owned by anything (leaked); otherwise \
                     the file's flush failed and the fd is closed",
                ));
            }
            _ => false,
        };
        if not_taken {
            let what = if c.res == -libc::ECANCELED {
                "IORING_OP_CLOSE was cancelled before it ran (a failed link ahead of it, or a \
                 cancel)"
            } else {
                "IORING_OP_CLOSE refused this fd (EBADF: an io_uring fd cannot be closed this \
                 way)"
            };
            // `close(2)` now, reporting its own failure if it has one.
            let raw = fd.into_raw_fd();
            // SAFETY: `raw` came from our `OwnedFd`, which the kernel did not take: we own it
            // and close it exactly once.
            let closed = unsafe { libc::close(raw) };
            let tail = if closed == 0 {
                "; the fd was closed with close(2) instead".to_string()
            } else {
                format!(
                    "; close(2) of the fd then failed too: {}",
                    io::Error::last_os_error()
                )
            };
            return Err(crate::error::with_message(-c.res, format!("{what}{tail}")));
        }
        // The kernel took the number (closed it, or removed it and reported `flush`'s error):
        // never close it a second time.
        let _ = fd.into_raw_fd();
        c.result().map(drop)
    }
}
