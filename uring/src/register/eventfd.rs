//! The eventfd the kernel signals on completions.

use core::ptr;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};

use super::Opcode;
use crate::submit::Submitter;

/// The completion eventfd: `IORING_REGISTER_EVENTFD`, `_EVENTFD_ASYNC`, `IORING_UNREGISTER_EVENTFD`.
impl Submitter<'_> {
    /// `io_uring_register(fd, IORING_REGISTER_EVENTFD, &efd, 1)` — the kernel signals the
    /// eventfd `efd` whenever it posts a CQE (Linux 5.2+).
    ///
    /// The kernel takes its own reference. One eventfd per ring (`EBUSY`); a non-eventfd fd
    /// gives `EINVAL`.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_EVENTFD")]
    #[doc(alias = "io_uring_register_eventfd")]
    pub fn register_eventfd(&self, efd: BorrowedFd<'_>) -> io::Result<()> {
        self.eventfd(opcode!(IORING_REGISTER_EVENTFD), efd)
    }

    /// `io_uring_register(fd, IORING_REGISTER_EVENTFD_ASYNC, &efd, 1)` — like
    /// [`register_eventfd`](Self::register_eventfd), but only completions posted from an
    /// io-wq worker thread signal the eventfd (Linux 5.6+): not inline completions, and not
    /// poll-driven ones completed in the submitter's task.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_EVENTFD_ASYNC")]
    #[doc(alias = "io_uring_register_eventfd_async")]
    pub fn register_eventfd_async(&self, efd: BorrowedFd<'_>) -> io::Result<()> {
        self.eventfd(opcode!(IORING_REGISTER_EVENTFD_ASYNC), efd)
    }

    fn eventfd(&self, op: Opcode, efd: BorrowedFd<'_>) -> io::Result<()> {
        let raw: RawFd = efd.as_raw_fd();
        // SAFETY: the kernel reads one int from `raw`, alive for the call.
        unsafe {
            self.reg(op, ptr::from_ref(&raw).cast(), 1, |e| match e {
                libc::EBUSY => Some("an eventfd is already registered: unregister it first"),
                libc::EINVAL => Some("the fd is not an eventfd"),
                _ => None,
            })
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_UNREGISTER_EVENTFD, NULL, 0)` — stops signalling the
    /// registered eventfd. `ENXIO` when none is registered.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_UNREGISTER_EVENTFD")]
    #[doc(alias = "io_uring_unregister_eventfd")]
    pub fn unregister_eventfd(&self) -> io::Result<()> {
        let op = opcode!(IORING_UNREGISTER_EVENTFD);
        // SAFETY: this opcode reads no argument.
        unsafe {
            self.reg(op, ptr::null(), 0, |e| {
                (e == libc::ENXIO).then_some("no eventfd is registered")
            })
        }
        .map(drop)
    }
}
