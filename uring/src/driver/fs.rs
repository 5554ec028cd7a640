//! File-system operations whose arguments the kernel reads (a path, an `open_how`) or writes
//! (a `statx` buffer) after submission, owned by the driver until completion.

use std::ffi::CString;
use std::io;
use std::os::fd::{OwnedFd, RawFd};

use super::op::{Completion, Operation, new_fd};
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
