//! The choice every example makes at start-up: io_uring when the kernel lets this process use it,
//! else epoll, saying so in one line.

use std::io;

/// The event backend a server runs on.
#[derive(Debug)]
pub enum Backend {
    /// io_uring is usable: a ring of [`RING_ENTRIES`] entries.
    Uring(uring::Ring),
    /// io_uring is unavailable (missing, disabled, or denied by seccomp or an LSM).
    Epoll(epoll::Epoll),
}

/// The SQ size of the ring [`open`] creates.
pub const RING_ENTRIES: u32 = 256;

/// The errnos with which `io_uring_setup(2)` says "io_uring is not for this process", rather
/// than "these parameters are wrong": `ENOSYS` (kernel without io_uring, or seccomp), `EPERM`
/// (`kernel.io_uring_disabled`, seccomp, LSM), `EACCES` (LSM).
pub fn is_unavailable(err: &io::Error) -> bool {
    matches!(
        uring::error::errno(err),
        Some(libc::ENOSYS | libc::EPERM | libc::EACCES)
    )
}

/// Opens io_uring, or epoll when io_uring is unavailable (printing one line to stderr naming
/// the reason). Any other error of `io_uring_setup(2)` (out of memory, out of fds) is returned:
/// falling back would hide a real problem.
pub fn open() -> io::Result<Backend> {
    open_with(|line| eprintln!("{line}"))
}

/// As [`open`], handing the notice line to `notice` instead of printing it.
pub fn open_with(notice: impl FnOnce(&str)) -> io::Result<Backend> {
    match uring::Ring::new(RING_ENTRIES) {
        Ok(ring) => Ok(Backend::Uring(ring)),
        Err(e) if is_unavailable(&e) => {
            let ep = epoll::Epoll::new()?;
            notice(&format!("notice: io_uring unavailable, using epoll: {e}"));
            Ok(Backend::Epoll(ep))
        }
        Err(e) => Err(e),
    }
}
