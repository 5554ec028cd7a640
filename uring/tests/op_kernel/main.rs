//! Every opcode builder against the real kernel: each test runs the op and checks its effect
//! (file contents, socket data, stat fields, a created directory, an xattr value, a woken
//! futex, a child's siginfo, a CQE on another ring, ...), plus the error a bad fd gives.
//! Tests probe first and skip, printing why, only when the kernel lacks the op.
#![allow(unsafe_code)]

#[path = "../util/mod.rs"]
mod util;

mod buf;
mod cmd;
mod fs;
mod futex;
mod misc;
mod net;
mod poll;
mod rw;
mod timeout;
mod xattr;

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use uring::{Cqe, Ring, Sqe, SqeFlags};

/// A ring for one test.
pub fn ring() -> Ring {
    Ring::new(32).expect("io_uring_setup")
}

/// Pushes `sqes`, submits, and reaps CQEs until every `user_data` in `sqes` has posted a CQE
/// without `F_MORE` (and any extra CQEs the caller expects, up to `extra`). Returns all CQEs
/// in arrival order.
///
/// # Safety
///
/// Every pointer in `sqes` must stay valid until this returns (it returns only after each
/// request's final CQE, so locals of the caller qualify).
pub unsafe fn run(ring: &mut Ring, sqes: &[Sqe]) -> Vec<Cqe> {
    // SAFETY: this fn's contract: every pointer in `sqes` stays valid until it returns, which is
    // after each request's final CQE.
    unsafe { ring.push_multiple(sqes) }.expect("SQ has room");
    let _bound = util::Watchdog::new("op_kernel::run", std::time::Duration::from_secs(60));
    let mut pending: Vec<u64> = sqes
        .iter()
        .filter(|s| !s.get_flags().contains(SqeFlags::CQE_SKIP_SUCCESS))
        .map(Sqe::get_user_data)
        .collect();
    let mut out = Vec::new();
    while !pending.is_empty() {
        ring.submit_and_wait(1).expect("io_uring_enter");
        for cqe in ring.cq() {
            if !cqe.has_more() {
                if let Some(i) = pending.iter().position(|&u| u == cqe.user_data()) {
                    pending.swap_remove(i);
                }
            }
            out.push(cqe);
        }
    }
    out
}

/// [`run`] for one SQE with `user_data` 1; returns its (last) CQE.
///
/// # Safety
///
/// As [`run`].
pub unsafe fn run1(ring: &mut Ring, sqe: Sqe) -> Cqe {
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqes = unsafe { run(ring, &[sqe.user_data(1)]) };
    *cqes
        .iter()
        .rev()
        .find(|c| c.user_data() == 1)
        .expect("a CQE for user_data 1")
}

/// Pushes and submits without waiting (for requests that complete later).
///
/// # Safety
///
/// Every pointer in `sqes` must stay valid until the requests' final CQEs are reaped. (The tests
/// declare what the requests point to before the ring, so it also outlives the ring if an
/// assertion fails first; the ring's drop then cancels what is still in flight.)
pub unsafe fn submit(ring: &mut Ring, sqes: &[Sqe]) {
    // SAFETY: this fn's contract: every pointer in `sqes` stays valid until the final CQEs are
    // reaped.
    unsafe { ring.push_multiple(sqes) }.expect("SQ has room");
    ring.submit().expect("io_uring_enter");
}

/// Waits until at least `n` CQEs arrived and returns all reaped (possibly more than `n`).
pub fn reap(ring: &mut Ring, n: usize) -> Vec<Cqe> {
    let _bound = util::Watchdog::new("op_kernel::reap", std::time::Duration::from_secs(60));
    let mut out = Vec::new();
    while out.len() < n {
        ring.submit_and_wait(1).expect("io_uring_enter");
        out.extend(ring.cq());
    }
    out
}

/// Whether `c` is the kernel refusing `what` (a flag or field of the SQE) with `EINVAL` in a
/// final CQE: the kernels before `what`'s release do. Prints why the test skips.
pub fn refused(c: &Cqe, test: &str, what: &str) -> bool {
    if c.res() == -libc::EINVAL && !c.has_more() {
        util::skip(test, format!("the kernel refused {what} with EINVAL"));
        return true;
    }
    false
}

/// The CQE with `user_data`, which must be among `cqes`.
pub fn by_ud(cqes: &[Cqe], ud: u64) -> Cqe {
    *cqes
        .iter()
        .find(|c| c.user_data() == ud)
        .unwrap_or_else(|| panic!("no CQE {ud} in {cqes:?}"))
}

/// Asserts that `cqe` failed with `errno`, through `Cqe::result()`.
#[track_caller]
pub fn assert_errno(cqe: Cqe, errno: i32) {
    let err = cqe.result().expect_err("the op should fail");
    assert_eq!(err.raw_os_error(), Some(errno), "{cqe:?}: {err}");
}

/// An fd number that is certainly not open: opened and closed again.
pub fn closed_fd() -> RawFd {
    // A high number no test opens; checked closed.
    let fd = 4000;
    // SAFETY: F_GETFD only reads flags (or fails with EBADF, which is the point).
    assert_eq!(unsafe { libc::fcntl(fd, libc::F_GETFD) }, -1);
    fd
}

/// A fresh directory under the temp dir, removed with its contents on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates `$TMPDIR/uring-op-<pid>-<n>-<name>`.
    pub fn new(name: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("uring-op-{}-{n}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir(&p).expect("create temp dir");
        TempDir(p)
    }

    /// `self/name`.
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// An fd of this directory, for the `*at` ops.
    pub fn open(&self) -> OwnedFd {
        std::fs::File::open(&self.0).expect("open dir").into()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `path` as a C string.
pub fn cstr(path: &Path) -> CString {
    use std::os::unix::ffi::OsStrExt;
    CString::new(path.as_os_str().as_bytes()).expect("no NUL in path")
}

/// A pipe `(read end, write end)`.
pub fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    assert_eq!(
        // SAFETY: `fds` has room for the two fds pipe2 writes.
        unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) },
        0,
        "{}",
        io::Error::last_os_error()
    );
    // SAFETY: pipe2 succeeded (asserted): two new fds owned by nothing else.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

/// `write(2)` all of `data` to `fd`.
pub fn write_fd(fd: &impl AsRawFd, data: &[u8]) {
    // SAFETY: `data` is valid for reads of `data.len()` bytes.
    let n = unsafe { libc::write(fd.as_raw_fd(), data.as_ptr().cast(), data.len()) };
    assert_eq!(n, data.len() as isize, "{}", io::Error::last_os_error());
}

/// One `read(2)` of up to `max` bytes from `fd`.
pub fn read_fd(fd: &impl AsRawFd, max: usize) -> Vec<u8> {
    let mut v = vec![0u8; max];
    // SAFETY: `v` is valid for writes of `max` bytes.
    let n = unsafe { libc::read(fd.as_raw_fd(), v.as_mut_ptr().cast(), max) };
    assert!(n >= 0, "{}", io::Error::last_os_error());
    v.truncate(n as usize);
    v
}

/// Registers `fds` (`-1` for an empty slot) as the ring's file table.
pub fn register_files(ring: &Ring, fds: &[RawFd]) {
    // SAFETY: `fds` is an array of `fds.len()` fds (or -1) read during the call; the kernel takes
    // its own file references.
    unsafe {
        ring.submitter()
            .register_raw(
                uring_sys::IORING_REGISTER_FILES,
                fds.as_ptr().cast(),
                fds.len() as u32,
            )
            .expect("IORING_REGISTER_FILES");
    }
}

/// Registers `iov` as the ring's buffer table.
///
/// # Safety
///
/// The buffers must outlive the ring's registration (the ring in the test).
pub unsafe fn register_buffers(ring: &Ring, iov: &[libc::iovec]) {
    // SAFETY: `iov` is read during the call; the buffers it describes outlive the registration
    // (this fn's contract).
    unsafe {
        ring.submitter()
            .register_raw(
                uring_sys::IORING_REGISTER_BUFFERS,
                iov.as_ptr().cast(),
                iov.len() as u32,
            )
            .expect("IORING_REGISTER_BUFFERS");
    }
}

/// An iovec over `buf`.
pub fn iovec(buf: &mut [u8]) -> libc::iovec {
    libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    }
}
