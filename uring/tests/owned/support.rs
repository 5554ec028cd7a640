//! Helpers shared by the driver tests.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use uring::driver::Driver;

/// A pipe `(read end, write end)`, non-blocking on neither end, close-on-exec.
pub(crate) fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    let r = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(r, 0, "pipe2: {}", io::Error::last_os_error());
    // SAFETY: pipe2 succeeded, so both are new descriptors nothing else owns.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

/// Raises the soft fd limit to the hard one (1,000 pipes need 2,000 fds).
pub(crate) fn raise_nofile() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid rlimit to fill, then to set.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        lim.rlim_cur = lim.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
    }
}

/// `write(2)` all of `data` on a blocking fd.
pub(crate) fn write_all(fd: &impl AsRawFd, data: &[u8]) {
    let mut off = 0;
    while off < data.len() {
        // SAFETY: `data[off..]` is valid for reads of its length.
        let n = unsafe {
            libc::write(
                fd.as_raw_fd(),
                data[off..].as_ptr().cast(),
                data.len() - off,
            )
        };
        assert!(n > 0, "write: {}", io::Error::last_os_error());
        off += n as usize;
    }
}

/// `read(2)` once, non-blocking (`MSG_DONTWAIT`-like via poll with 0 timeout first).
pub(crate) fn read_now(fd: &impl AsRawFd, buf: &mut [u8]) -> isize {
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    if unsafe { libc::poll(&mut pfd, 1, 0) } <= 0 {
        return -1;
    }
    // SAFETY: `buf` is valid for writes of its length.
    unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) }
}

/// Submits, waits for at least one CQE and reaps.
pub(crate) fn turn(d: &mut Driver) {
    d.submit_and_wait(1).expect("io_uring_enter");
    d.reap(|_| {});
}

/// Waits (bounded: 5 s) and reaps until `done` holds; `what` names it in the failure.
pub(crate) fn turn_until(d: &mut Driver, what: &str, mut done: impl FnMut(&mut Driver) -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !done(d) {
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: not within 5 s"
        );
        d.submit_pending().unwrap();
        let _ = d
            .ring()
            .submitter()
            .wait(1, Some(std::time::Duration::from_millis(50)));
        d.reap(|_| {});
    }
}

/// Whether the kernel's probe lists `op`; prints why the test is skipped otherwise.
pub(crate) fn supported(d: &Driver, op: u8, test: &str) -> bool {
    match d.ring().probe() {
        Ok(p) if p.is_supported(op) => true,
        Ok(_) => {
            eprintln!("skipping {test}: the kernel does not support opcode {op}");
            false
        }
        // The probe itself exists since Linux 5.6: its failure is a failure, not a skip.
        Err(e) => panic!("{test}: IORING_REGISTER_PROBE failed: {e}"),
    }
}

/// `d.buf_ring(n, size)`, or `None` when the kernel has no provided-buffer rings (Linux 5.19+):
/// then the crate's error must say so (checked here), and the test prints why it skips.
pub(crate) fn buf_ring_or_skip(
    d: &mut Driver,
    n: u32,
    size: u32,
    test: &str,
) -> Option<uring::driver::pbuf::BufRing> {
    match d.buf_ring(n, size) {
        Ok(r) => Some(r),
        Err(e) if e.to_string().contains("need Linux 5.19") => {
            eprintln!("SKIPPED {test}: {e}");
            None
        }
        Err(e) => panic!("{test}: buf_ring({n}, {size}): {e}"),
    }
}

/// `d.fixed_files(n)`, or `None` when the kernel lacks the sparse file table it is made with
/// (`IORING_REGISTER_FILES2` with `IORING_RSRC_REGISTER_SPARSE`, Linux 5.19): then the error
/// must name the release
/// (checked here), and the test prints why it skips.
pub(crate) fn fixed_files_or_skip(
    d: &mut Driver,
    n: u32,
    test: &str,
) -> Option<uring::driver::fixed::FixedFiles> {
    match d.fixed_files(n) {
        Ok(f) => Some(f),
        Err(e) if uring::error::errno(&e) == Some(libc::EINVAL) => {
            let msg = e.to_string();
            assert!(
                msg.contains("IORING_RSRC_REGISTER_SPARSE") && msg.contains("needs Linux 5.19+"),
                "{msg}"
            );
            eprintln!("SKIPPED {test}: {msg}");
            None
        }
        Err(e) => panic!("{test}: fixed_files({n}): {e}"),
    }
}

/// `d.fixed_buffers(count, size)`, or `None` when the kernel has no `IORING_REGISTER_BUFFERS2`
/// (Linux 5.13; the crate's error keeps its `EINVAL`): then the test prints why it skips.
pub(crate) fn fixed_buffers_or_skip(
    d: &mut Driver,
    count: u16,
    size: usize,
    test: &str,
) -> Option<uring::driver::fixed::FixedBufPool> {
    match d.fixed_buffers(count, size) {
        Ok(p) => Some(p),
        Err(e) if uring::error::errno(&e) == Some(libc::EINVAL) => {
            eprintln!("SKIPPED {test}: {e}");
            None
        }
        Err(e) => panic!("{test}: fixed_buffers({count}, {size}): {e}"),
    }
}

/// `r.read(buf)`, again after EINTR: with a receive timeout set, the socket layer reports the
/// task work io_uring queues for this thread's completions as an interruption (it restarts the
/// read only when there is no timeout), which the kernel matrix met on 6.1 and 6.12.
pub(crate) fn read_retrying(r: &mut impl std::io::Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            res => return res,
        }
    }
}

/// A connected TCP pair over loopback `(client, server)`.
pub(crate) fn tcp_pair() -> (std::net::TcpStream, std::net::TcpStream) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let c = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
    let (s, _) = l.accept().unwrap();
    (c, s)
}
