//! An eventfd that wakes a blocked `wait` from another thread.

use crate::flags::Interest;
use crate::instance::Epoll;
use rustix::event::{EventfdFlags, eventfd};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

/// Wakes an [`Epoll::wait`] from any thread: an `eventfd` registered edge-triggered and readable.
///
/// `Waker` is `Send + Sync`; share it in an `Arc`. Many [`wake`](Self::wake)s before the waiting
/// thread runs coalesce into one [`Event`](crate::Event) carrying the waker's token; nothing needs
/// to be read or reset after it. Dropping the waker closes the eventfd, which removes the
/// registration.
#[derive(Debug)]
pub struct Waker {
    fd: OwnedFd,
}

impl Waker {
    /// `eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)` registered in `epoll` with `token`, as
    /// `READABLE | EDGE_TRIGGERED`.
    ///
    /// # Errors
    /// Out of fds (`EMFILE`), or the errors of [`Epoll::add`].
    ///
    /// # References
    /// - [eventfd(2)](https://man7.org/linux/man-pages/man2/eventfd.2.html)
    #[doc(alias = "eventfd")]
    pub fn new(epoll: &Epoll, token: u64) -> io::Result<Self> {
        let fd = eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK)?;
        epoll.add(&fd, token, Interest::READABLE | Interest::EDGE_TRIGGERED)?;
        Ok(Waker { fd })
    }

    /// `write(eventfd, &1u64, 8)` — makes the registered epoll report the waker's token once.
    ///
    /// Each write is a new edge, so a waker keeps working after any number of wakes; the counter
    /// is reset by reading it when it would overflow (`EAGAIN`).
    ///
    /// # Errors
    /// Only unexpected kernel errors; none in practice.
    ///
    /// # References
    /// - [eventfd(2)](https://man7.org/linux/man-pages/man2/eventfd.2.html)
    pub fn wake(&self) -> io::Result<()> {
        loop {
            match rustix::io::write(&self.fd, &1u64.to_ne_bytes()) {
                Ok(_) => return Ok(()),
                Err(rustix::io::Errno::AGAIN) => {
                    // The counter is at its maximum: drain it and write again.
                    let mut buf = [0u8; 8];
                    match rustix::io::read(&self.fd, &mut buf) {
                        Ok(_) | Err(rustix::io::Errno::AGAIN) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
                Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}

impl AsFd for Waker {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for Waker {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}
