//! Registrations and in-flight requests survive `Ring::resize` (core's
//! `IORING_REGISTER_RESIZE_RINGS`; pending SQEs/CQEs are covered by `tests/core/resize.rs`).

use std::os::fd::{AsFd, AsRawFd};

use uring::Ring;

use super::*;

#[test]
fn resize_keeps_registered_files_and_in_flight_requests() {
    let Some(mut ring) = util::ring_or_skip(
        Ring::builder().single_issuer().defer_taskrun().no_sqarray(),
        4,
        "resize_keeps_registered_files_and_in_flight_requests",
    ) else {
        return;
    };
    let (r, w) = pipe();
    ring.submitter().register_files(&[w.as_fd()]).unwrap();
    let id = ring.submitter().register_personality().unwrap();
    // A read parked on an empty pipe, in flight across the resize.
    let (r2, w2) = pipe();
    let mut buf = [0u8; 8];
    let sqe = read_sqe(r2.as_raw_fd(), &mut buf, 9);
    // SAFETY: `buf` outlives the request: we wait for its CQE below.
    unsafe { ring.push(&sqe) }.unwrap();
    ring.submit().unwrap();

    match ring.resize(32, Some(128)) {
        Ok(()) => {}
        Err(e) if errno(&e) == Some(libc::EINVAL) => {
            eprintln!("SKIPPED resize_keeps_registered_files: {e}");
            return;
        }
        Err(e) => panic!("{e}"),
    }
    // The fixed file table and the personality are the ring's, not the mapping's.
    let data = b"after resize";
    // SAFETY: `data` outlives the call, which waits for the CQE.
    let c = unsafe { run_one(&mut ring, write_sqe(0, data, true, 1).personality(id)) };
    assert_eq!(c.res(), data.len() as i32);
    assert_eq!(read_now(&r), data);
    // The request in flight completes into the new CQ.
    write_all(&w2, b"late");
    assert_eq!(wait_for(&mut ring, 9).res(), 4);
    assert_eq!(&buf[..4], b"late");
    // And still one table only.
    assert_errno(
        ring.submitter().register_files(&[w.as_fd()]),
        libc::EBUSY,
        "IORING_REGISTER_FILES",
    );
}
