//! `uring`: every error path that has a kernel errno exposes it through
//! `uring::error::errno` (a plain OS error's `raw_os_error()`, or the errno an explained
//! `uring::error::Error` keeps), and the `io::ErrorKind` is the errno's (issue 17).
//!
//! It lives here, in the cross-crate test package, because `uring/tests/` is another change's
//! ground; the epoll twin is `epoll/tests/kernel/errno.rs`.

use std::io;

use uring::error::errno;
use uring::{Ring, SetupFlags, opcode, types};

fn ring() -> Option<Ring> {
    match Ring::new(8) {
        Ok(r) => Some(r),
        Err(e) => {
            println!("skip: io_uring is not usable here: {e}");
            None
        }
    }
}

fn check(what: &str, e: &io::Error, want: i32) {
    assert_eq!(errno(e), Some(want), "{what}: {e}");
    assert_eq!(
        e.kind(),
        io::Error::from_raw_os_error(want).kind(),
        "{what}: {e}"
    );
}

#[test]
fn setup_errors_keep_the_errno() {
    // Refused by the crate before the syscall, with the errno the kernel would give.
    check(
        "entries 0",
        &Ring::<uring::Sqe>::new(0).unwrap_err(),
        libc::EINVAL,
    );
    check(
        "entries > IORING_MAX_ENTRIES",
        &Ring::<uring::Sqe>::new(1 << 20).unwrap_err(),
        libc::EINVAL,
    );
    check(
        "an unknown setup flag",
        &Ring::<uring::Sqe>::builder()
            .flags(SetupFlags::from_bits_retain(1 << 31))
            .build(8)
            .unwrap_err(),
        libc::EINVAL,
    );
    if ring().is_none() {
        return;
    }
    // Refused by the kernel: DEFER_TASKRUN without SINGLE_ISSUER is EINVAL (Linux 6.1+; an
    // older kernel does not know the flag: EINVAL too).
    check(
        "DEFER_TASKRUN alone",
        &Ring::<uring::Sqe>::builder()
            .flags(SetupFlags::DEFER_TASKRUN)
            .build(8)
            .unwrap_err(),
        libc::EINVAL,
    );
}

#[test]
fn register_errors_keep_the_errno() {
    let Some(ring) = ring() else { return };
    let s = ring.submitter();
    // Nothing registered: ENXIO from the kernel, explained by the crate.
    check(
        "unregister_files",
        &s.unregister_files().unwrap_err(),
        libc::ENXIO,
    );
    check(
        "unregister_eventfd",
        &s.unregister_eventfd().unwrap_err(),
        libc::ENXIO,
    );
    // No such personality: EINVAL.
    check(
        "unregister_personality",
        &s.unregister_personality(u16::MAX).unwrap_err(),
        libc::EINVAL,
    );
}

#[test]
fn completion_errors_keep_the_errno() {
    let Some(mut ring) = ring() else { return };
    // A read from an fd that cannot be open (above any RLIMIT_NOFILE): the CQE's -EBADF.
    let mut buf = [0u8; 8];
    let sqe = opcode::Read::new(types::Fd(i32::MAX), buf.as_mut_ptr(), buf.len() as u32)
        .build()
        .user_data(1);
    // SAFETY: `buf` outlives the wait for this SQE's completion just below.
    unsafe { ring.push(&sqe) }.expect("room in the SQ");
    ring.submit_and_wait(1).unwrap();
    let cqe = ring.cq().next().expect("one CQE");
    let e = cqe.result().unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::EBADF));
    check("read of a bad fd", &e, libc::EBADF);
}

#[test]
fn errors_without_an_errno_say_so() {
    assert_eq!(errno(&io::Error::other("not from the kernel")), None);
}
