//! Shared helpers: pipes, byte I/O on raw fds, the fd limit.

use std::io;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

pub(crate) const ZERO: Option<Duration> = Some(Duration::ZERO);

/// `pipe2(O_NONBLOCK | O_CLOEXEC)`: (read end, write end).
pub(crate) fn pipe() -> (OwnedFd, OwnedFd) {
    let mut p = [0; 2];
    // SAFETY: `p` is a live `[c_int; 2]`, what `pipe2` writes.
    let r = unsafe { libc::pipe2(p.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) };
    assert_eq!(r, 0, "pipe2: {}", io::Error::last_os_error());
    // SAFETY: `pipe2` succeeded, so both fds are open and owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(p[0]), OwnedFd::from_raw_fd(p[1])) }
}

/// Writes `n` bytes to `fd`.
pub(crate) fn write_bytes(fd: impl AsFd, n: usize) {
    let buf = vec![b'x'; n];
    // SAFETY: `buf` is readable for `n` bytes; the fd is borrowed, so open.
    let r = unsafe { libc::write(fd.as_fd().as_raw_fd(), buf.as_ptr().cast(), n) };
    assert_eq!(r, n as isize, "write: {}", io::Error::last_os_error());
}

/// Reads until `EAGAIN` (the fd is non-blocking); returns the bytes read.
pub(crate) fn drain(fd: impl AsFd) -> usize {
    let mut total = 0;
    let mut buf = [0u8; 4096];
    loop {
        // SAFETY: `buf` is writable for its length; the fd is borrowed, so open.
        let r = unsafe { libc::read(fd.as_fd().as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        if r > 0 {
            total += r as usize;
        } else if r == 0 {
            return total;
        } else {
            let e = io::Error::last_os_error();
            assert_eq!(e.kind(), io::ErrorKind::WouldBlock, "read: {e}");
            return total;
        }
    }
}

/// Raises `RLIMIT_NOFILE` (soft, and hard if needed: we are root in CI) to at least `n`.
pub(crate) fn raise_nofile(n: libc::rlim_t) {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a live `rlimit`.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) }, 0);
    if lim.rlim_cur >= n {
        return;
    }
    let want = libc::rlimit {
        rlim_cur: n,
        rlim_max: lim.rlim_max.max(n),
    };
    // SAFETY: `want` is a live `rlimit`.
    let r = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &want) };
    assert_eq!(
        r,
        0,
        "cannot raise RLIMIT_NOFILE from {}/{} to {n}: {} (run as root or raise `ulimit -Hn`)",
        lim.rlim_cur,
        lim.rlim_max,
        io::Error::last_os_error()
    );
}
