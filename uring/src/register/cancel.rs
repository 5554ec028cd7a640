//! Synchronous cancellation.

use core::fmt;
use core::ptr;
use core::time::Duration;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

use uring_sys as sys;

use crate::submit::Submitter;

/// What a [`Submitter::register_sync_cancel`] cancels: the `struct io_uring_sync_cancel_reg` key.
///
/// Start from one key ([`user_data`](Self::user_data), [`fd`](Self::fd),
/// [`fixed_fd`](Self::fixed_fd), [`opcode`](Self::opcode), [`any`](Self::any)), then narrow or
/// widen it. Without [`timeout`](Self::timeout) the call waits for the cancelled requests for as
/// long as it takes.
#[doc(alias = "io_uring_sync_cancel_reg")]
#[derive(Clone, Copy)]
pub struct SyncCancel(sys::io_uring_sync_cancel_reg);

impl SyncCancel {
    fn with(flags: u32) -> Self {
        let mut reg = sys::io_uring_sync_cancel_reg::zeroed();
        reg.flags = flags;
        reg.fd = -1;
        // {-1, -1} is the kernel's "no timeout".
        reg.timeout.tv_sec = -1;
        reg.timeout.tv_nsec = -1;
        SyncCancel(reg)
    }

    /// Cancel the request whose `user_data` is `user_data` (the default key).
    pub fn user_data(user_data: u64) -> Self {
        let mut c = Self::with(0);
        c.0.addr = user_data;
        c
    }

    /// `IORING_ASYNC_CANCEL_FD`: cancel requests on file `fd`.
    #[doc(alias = "IORING_ASYNC_CANCEL_FD")]
    pub fn fd(fd: BorrowedFd<'_>) -> Self {
        let mut c = Self::with(sys::IORING_ASYNC_CANCEL_FD);
        c.0.fd = fd.as_raw_fd();
        c
    }

    /// `IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_FD_FIXED`: cancel requests on registered
    /// file slot `index`.
    #[doc(alias = "IORING_ASYNC_CANCEL_FD_FIXED")]
    pub fn fixed_fd(index: u32) -> Self {
        let mut c = Self::with(sys::IORING_ASYNC_CANCEL_FD | sys::IORING_ASYNC_CANCEL_FD_FIXED);
        c.0.fd = index as i32;
        c
    }

    /// `IORING_ASYNC_CANCEL_OP`: cancel requests with opcode `op` (an `IORING_OP_*` value).
    #[doc(alias = "IORING_ASYNC_CANCEL_OP")]
    pub fn opcode(op: u8) -> Self {
        let mut c = Self::with(sys::IORING_ASYNC_CANCEL_OP);
        c.0.opcode = op;
        c
    }

    /// `IORING_ASYNC_CANCEL_ANY`: cancel any request (implies all of them).
    #[doc(alias = "IORING_ASYNC_CANCEL_ANY")]
    pub fn any() -> Self {
        Self::with(sys::IORING_ASYNC_CANCEL_ANY)
    }

    /// `IORING_ASYNC_CANCEL_USERDATA`: also require `user_data` to match (Linux 6.6+).
    #[doc(alias = "IORING_ASYNC_CANCEL_USERDATA")]
    #[must_use]
    pub fn and_user_data(mut self, user_data: u64) -> Self {
        self.0.flags |= sys::IORING_ASYNC_CANCEL_USERDATA;
        self.0.addr = user_data;
        self
    }

    /// `IORING_ASYNC_CANCEL_OP`: also require opcode `op` to match (Linux 6.6+).
    #[doc(alias = "IORING_ASYNC_CANCEL_OP")]
    #[must_use]
    pub fn and_opcode(mut self, op: u8) -> Self {
        self.0.flags |= sys::IORING_ASYNC_CANCEL_OP;
        self.0.opcode = op;
        self
    }

    /// `IORING_ASYNC_CANCEL_ALL`: cancel every match, not only the first.
    #[doc(alias = "IORING_ASYNC_CANCEL_ALL")]
    #[must_use]
    pub fn all(mut self) -> Self {
        self.0.flags |= sys::IORING_ASYNC_CANCEL_ALL;
        self
    }

    /// Give up waiting after `timeout` (the call then fails with `ETIME`).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.0.timeout.tv_sec = i64::try_from(timeout.as_secs()).unwrap_or(i64::MAX);
        self.0.timeout.tv_nsec = i64::from(timeout.subsec_nanos());
        self
    }

    /// The raw `struct io_uring_sync_cancel_reg`.
    pub fn as_raw(&self) -> &sys::io_uring_sync_cancel_reg {
        &self.0
    }
}

impl fmt::Debug for SyncCancel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncCancel")
            .field("addr", &self.0.addr)
            .field("fd", &self.0.fd)
            .field("flags", &self.0.flags)
            .field("opcode", &self.0.opcode)
            .field("timeout_sec", &self.0.timeout.tv_sec)
            .field("timeout_nsec", &self.0.timeout.tv_nsec)
            .finish()
    }
}

/// Synchronous cancellation: `IORING_REGISTER_SYNC_CANCEL`.
impl Submitter<'_> {
    /// `io_uring_register(fd, IORING_REGISTER_SYNC_CANCEL, &reg, 1)` — cancels the requests
    /// `key` matches and waits until they have completed (Linux 6.0+).
    ///
    /// Their CQEs (usually `-ECANCELED`) are posted as for any cancellation. With
    /// [`all`](SyncCancel::all) or [`any`](SyncCancel::any) it returns how many were cancelled
    /// (0 when nothing matched); with a single-match key it returns 0, or fails with `ENOENT`
    /// when nothing matched. `ETIME` when the timeout expired first, `EBADF` for a bad fd key.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_SYNC_CANCEL")]
    #[doc(alias = "io_uring_register_sync_cancel")]
    pub fn register_sync_cancel(&self, key: &SyncCancel) -> io::Result<u32> {
        let op = opcode!(IORING_REGISTER_SYNC_CANCEL);
        let mut reg = key.0;
        // SAFETY: `reg` is a live `io_uring_sync_cancel_reg`.
        unsafe {
            self.reg(
                op,
                ptr::from_mut(&mut reg).cast_const().cast(),
                1,
                |e| match e {
                    libc::ENOENT => Some("no in-flight request matched the key"),
                    libc::ETIME => Some("the timeout expired before the cancellation finished"),
                    libc::EBADF => Some("the fd key is not an open file (or fixed-file slot)"),
                    _ => None,
                },
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_cancel_keys() {
        // No timeout is {-1, -1}, the kernel's "wait forever"; zero would time out at once.
        let c = SyncCancel::user_data(9);
        assert_eq!(c.as_raw().addr, 9);
        assert_eq!(c.as_raw().flags, 0);
        assert_eq!(
            (c.as_raw().timeout.tv_sec, c.as_raw().timeout.tv_nsec),
            (-1, -1)
        );
        let c = SyncCancel::fixed_fd(3)
            .all()
            .timeout(Duration::from_millis(1500));
        assert_eq!(
            c.as_raw().flags,
            sys::IORING_ASYNC_CANCEL_FD
                | sys::IORING_ASYNC_CANCEL_FD_FIXED
                | sys::IORING_ASYNC_CANCEL_ALL
        );
        assert_eq!(c.as_raw().fd, 3);
        assert_eq!(
            (c.as_raw().timeout.tv_sec, c.as_raw().timeout.tv_nsec),
            (1, 500_000_000)
        );
        let c = SyncCancel::opcode(sys::IORING_OP_READ).and_user_data(5);
        assert_eq!(
            c.as_raw().flags,
            sys::IORING_ASYNC_CANCEL_OP | sys::IORING_ASYNC_CANCEL_USERDATA
        );
        assert_eq!(
            (c.as_raw().opcode, c.as_raw().addr),
            (sys::IORING_OP_READ, 5)
        );
        let huge = SyncCancel::any().timeout(Duration::MAX);
        assert_eq!(huge.as_raw().timeout.tv_sec, i64::MAX);
    }
}
