//! `io_uring_register(2)` against the real kernel: every typed registration checked by its
//! effect (a fixed file written through, an eventfd that counts, a restriction that refuses, a
//! personality whose credentials are used, ...), plus the error paths people hit.
//!
//! Tests skip (printing why) only when the kernel says the registration is unsupported.
#![allow(unsafe_code, missing_docs)]

#[path = "../util/mod.rs"]
mod util;

mod bpf;
mod buffers;
mod cancel;
mod eventfd;
mod files;
mod iowq;
mod napi;
mod pbuf;
mod personality;
mod regions;
mod resize;
mod ring_fds;
mod ringless;

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use uring::{Cqe, Ring, Sqe};

/// The errno behind an error, from the kernel or from the crate's own error type.
pub fn errno(e: &io::Error) -> Option<i32> {
    uring::error::errno(e)
}

/// Asserts `r` failed with `want`, and that its message names `opcode` (the registration).
#[track_caller]
pub fn assert_errno<T: std::fmt::Debug>(r: io::Result<T>, want: i32, opcode: &str) {
    match r {
        Ok(v) => panic!("expected {opcode} to fail with errno {want}, got Ok({v:?})"),
        Err(e) => {
            assert_eq!(errno(&e), Some(want), "{opcode}: wrong errno in {e}");
            let msg = e.to_string();
            assert!(
                msg.contains(opcode),
                "message does not name {opcode}: {msg}"
            );
        }
    }
}

/// Prints why a test skips when `r` failed with an errno meaning "not supported here".
pub fn unsupported<T>(r: &io::Result<T>, test: &str) -> bool {
    if let Err(e) = r {
        if matches!(errno(e), Some(libc::EINVAL | libc::EOPNOTSUPP)) {
            eprintln!("SKIPPED {test}: the kernel does not support it: {e}");
            return true;
        }
    }
    false
}

/// A pipe: (read end, write end), both `O_CLOEXEC`.
pub fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two fds pipe2 writes.
    let r = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(r, 0, "pipe2: {}", io::Error::last_os_error());
    // SAFETY: pipe2 succeeded, so both fds are fresh and owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

/// Reads what is in the pipe now (at most 4096 bytes).
pub fn read_now(fd: &OwnedFd) -> Vec<u8> {
    let mut buf = vec![0u8; 4096];
    // SAFETY: `buf` is valid for writes of its length.
    let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
    assert!(n >= 0, "read: {}", io::Error::last_os_error());
    buf.truncate(n as usize);
    buf
}

/// Writes all of `data` to `fd`.
pub fn write_all(fd: &OwnedFd, data: &[u8]) {
    // SAFETY: `data` is valid for reads of its length.
    let n = unsafe { libc::write(fd.as_raw_fd(), data.as_ptr().cast(), data.len()) };
    assert_eq!(
        n,
        data.len() as isize,
        "write: {}",
        io::Error::last_os_error()
    );
}

/// An SQE for `IORING_OP_WRITE` of `buf` to `fd` (a fixed slot when `fixed`), at the current
/// position.
pub fn write_sqe(fd: i32, buf: &[u8], fixed: bool, user_data: u64) -> Sqe {
    let mut sqe = Sqe::new(uring_sys::IORING_OP_WRITE).user_data(user_data);
    if fixed {
        sqe = sqe.flags(uring::SqeFlags::FIXED_FILE);
    }
    let raw = sqe.as_raw_mut();
    raw.fd = fd;
    raw.addr_union.addr = buf.as_ptr() as u64;
    raw.len = buf.len() as u32;
    raw.off_union.off = u64::MAX;
    sqe
}

/// An SQE for `IORING_OP_READ` into `buf` from `fd` at the current position.
pub fn read_sqe(fd: i32, buf: &mut [u8], user_data: u64) -> Sqe {
    let mut sqe = Sqe::new(uring_sys::IORING_OP_READ).user_data(user_data);
    let raw = sqe.as_raw_mut();
    raw.fd = fd;
    raw.addr_union.addr = buf.as_mut_ptr() as u64;
    raw.len = buf.len() as u32;
    raw.off_union.off = u64::MAX;
    sqe
}

/// Pushes `sqe`, submits, and returns the one CQE it produces.
///
/// # Safety
///
/// Whatever `sqe` points to must stay valid until the call returns (it waits for the CQE).
pub unsafe fn run_one(ring: &mut Ring, sqe: Sqe) -> Cqe {
    let ud = sqe.get_user_data();
    // SAFETY: the caller keeps what `sqe` points to alive until we return with its CQE.
    unsafe { ring.push(&sqe) }.expect("SQ has room");
    ring.submit_and_wait(1).expect("submit");
    wait_for(ring, ud)
}

/// Waits until the CQE with `user_data` arrives and returns it (other CQEs are dropped).
pub fn wait_for(ring: &mut Ring, user_data: u64) -> Cqe {
    for _ in 0..1000 {
        if let Some(c) = ring.cq().find(|c| c.user_data() == user_data) {
            return c;
        }
        ring.submitter()
            .wait(1, Some(std::time::Duration::from_millis(10)))
            .expect("wait");
    }
    panic!("no CQE with user_data {user_data:#x}");
}

/// After unregistering a table: whether the tag CQE of `tag` came (its `res` must be 0).
/// Linux 6.13+ posts one for every tagged resource still in the table when it is unregistered;
/// earlier kernels post tags only for resources an update replaced, and have let go of the rest
/// when the unregister call returns. So no tag within a second is that older behaviour, not a
/// hang: prints why the test skips the rest and returns `false`.
pub fn unregister_tag(ring: &mut Ring, tag: u64, test: &str) -> bool {
    for _ in 0..100 {
        if let Some(c) = ring.cq().find(|c| c.user_data() == tag) {
            assert_eq!(c.res(), 0, "the tag CQE says the resource is free again");
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    util::skip(
        test,
        format!(
            "no tag CQE {tag:#x} after unregistering the table: the kernel posts tags for \
             replaced resources only (unregister posts them since Linux 6.13)"
        ),
    );
    false
}

/// Every CQE in the CQ now.
pub fn drain(ring: &mut Ring) -> Vec<Cqe> {
    ring.cq().collect()
}

// What uring/src/register/mod.rs holds: the probe and the error wrapping all calls share.

#[test]
fn probe_reports_the_opcodes() {
    let ring = Ring::new(2).unwrap();
    let p = ring.submitter().register_probe().unwrap();
    // Linux 5.6 (the probe's release) has every opcode up to EPOLL_CTL; the rest is the
    // kernel's to say, but nothing past last_op is supported.
    for op in uring_sys::IORING_OP_NOP..=uring_sys::IORING_OP_EPOLL_CTL {
        assert!(p.is_supported(op), "opcode {op} of Linux 5.6");
    }
    assert!(p.last_op() >= uring_sys::IORING_OP_EPOLL_CTL);
    assert!((p.last_op().saturating_add(1)..=255).all(|op| !p.is_supported(op)));
}

/// A registration the kernel does not know fails with EINVAL, like bad arguments do: the
/// message names the opcode and the release that added it. Runs where NAPI (Linux 6.9) is
/// missing (5.10 and 6.1 in the kernel matrix).
#[test]
fn a_registration_the_kernel_lacks_names_its_release() {
    use uring::register::{Napi, NapiTracking};

    let ring = Ring::new(2).unwrap();
    let s = ring.submitter();
    let settings = Napi {
        busy_poll_timeout_us: 100,
        prefer_busy_poll: false,
        tracking: NapiTracking::DYNAMIC,
    };
    match s.register_napi(settings) {
        Ok(_) => {
            s.unregister_napi().unwrap();
            util::skip(
                "a_registration_the_kernel_lacks_names_its_release",
                "this kernel has IORING_REGISTER_NAPI (the check runs on kernels before 6.9)",
            );
        }
        Err(e) => {
            assert_eq!(errno(&e), Some(libc::EINVAL), "{e}");
            let msg = e.to_string();
            assert!(
                msg.contains("IORING_REGISTER_NAPI") && msg.contains("needs Linux 6.9+"),
                "{msg}"
            );
        }
    }
}
