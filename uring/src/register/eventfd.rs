//! The eventfd the kernel signals on completions.

use super::*;

impl Submitter<'_> {
    // ----- eventfd -------------------------------------------------------------------------

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
        self.eventfd("IORING_REGISTER_EVENTFD", sys::IORING_REGISTER_EVENTFD, efd)
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
        self.eventfd(
            "IORING_REGISTER_EVENTFD_ASYNC",
            sys::IORING_REGISTER_EVENTFD_ASYNC,
            efd,
        )
    }

    fn eventfd(&self, name: &'static str, op: u32, efd: BorrowedFd<'_>) -> io::Result<()> {
        let raw: RawFd = efd.as_raw_fd();
        // SAFETY: the kernel reads one int from `raw`, alive for the call.
        unsafe {
            self.reg(name, op, ptr::from_ref(&raw).cast(), 1, |e| match e {
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
        // SAFETY: this opcode reads no argument.
        unsafe {
            self.reg(
                "IORING_UNREGISTER_EVENTFD",
                sys::IORING_UNREGISTER_EVENTFD,
                ptr::null(),
                0,
                |e| (e == libc::ENXIO).then_some("no eventfd is registered"),
            )
        }
        .map(drop)
    }
}
