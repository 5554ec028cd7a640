//! Synchronous cancellation.

use std::os::fd::{AsFd, AsRawFd};
use std::time::Duration;

use uring::Ring;
use uring::register::SyncCancel;

use super::*;

#[test]
fn sync_cancel_cancels_a_pending_read() {
    let mut ring = Ring::new(8).unwrap();
    let (r, _w) = pipe();
    let mut buf = [0u8; 8];
    let mut buf2 = [0u8; 8];
    let sqe = read_sqe(r.as_raw_fd(), &mut buf, 42);
    let sqe2 = read_sqe(r.as_raw_fd(), &mut buf2, 43);
    // SAFETY: `buf`/`buf2` outlive the requests: both are cancelled and reaped below.
    unsafe { ring.push_multiple(&[sqe, sqe2]) }.unwrap();
    ring.submit().unwrap();
    let s = ring.submitter();
    let reg = s.register_sync_cancel(&SyncCancel::user_data(42));
    if unsupported(&reg, "sync_cancel_cancels_a_pending_read") {
        // Cancel both reads the old way (an ASYNC_CANCEL SQE each) and reap all four CQEs
        // before the buffers go.
        let cancels: Vec<Sqe> = [42u64, 43]
            .iter()
            .map(|&ud| {
                let mut c = Sqe::new(uring_sys::IORING_OP_ASYNC_CANCEL).user_data(100 + ud);
                c.as_raw_mut().addr_union.addr = ud;
                c
            })
            .collect();
        let all = util::run(&mut ring, &cancels, 4).unwrap();
        assert!(all.iter().any(|c| c.user_data() == 42) && all.iter().any(|c| c.user_data() == 43));
        return;
    }
    reg.unwrap();
    assert_eq!(wait_for(&mut ring, 42).res(), -libc::ECANCELED);
    assert!(drain(&mut ring).is_empty(), "only 42 was cancelled");
    assert_errno(
        ring.submitter()
            .register_sync_cancel(&SyncCancel::user_data(42)),
        libc::ENOENT,
        "IORING_REGISTER_SYNC_CANCEL",
    );
    // By fd, all matches, with a timeout.
    let n = ring
        .submitter()
        .register_sync_cancel(
            &SyncCancel::fd(r.as_fd())
                .all()
                .timeout(Duration::from_secs(1)),
        )
        .unwrap();
    assert_eq!(n, 1, "ALL returns how many it cancelled");
    assert_eq!(wait_for(&mut ring, 43).res(), -libc::ECANCELED);
    // ANY with nothing left: zero cancelled, not an error.
    assert_eq!(
        ring.submitter()
            .register_sync_cancel(&SyncCancel::any())
            .unwrap(),
        0
    );
    // A bad fixed-file key is an error.
    assert_errno(
        ring.submitter()
            .register_sync_cancel(&SyncCancel::fixed_fd(3)),
        libc::EBADF,
        "IORING_REGISTER_SYNC_CANCEL",
    );
}
