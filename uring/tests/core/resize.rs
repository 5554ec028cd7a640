//! `IORING_REGISTER_RESIZE_RINGS`: resize in place, keeping pending SQEs and CQEs.

use std::os::fd::AsRawFd;

use uring::{Cqe, Ring, Sqe};

use crate::util::nop;

#[test]
fn resize_keeps_pending_entries_and_the_fd() {
    let Some(mut ring) = crate::util::ring_or_skip(
        Ring::<Sqe, Cqe>::builder().defer_taskrun().no_sqarray(),
        4,
        "resize",
    ) else {
        return;
    };
    let fd = ring.as_raw_fd();
    // One completed CQE waiting, two SQEs pushed but not submitted.
    // SAFETY: NOPs carry no pointers.
    unsafe { ring.push(&nop(1)).unwrap() };
    ring.submit_and_wait(1).unwrap();
    // SAFETY: as above.
    unsafe { ring.push_multiple(&[nop(2), nop(3)]).unwrap() };
    match ring.resize(64, Some(256)) {
        Ok(()) => {}
        Err(e) if uring::error::errno(&e) == Some(libc::EINVAL) => {
            eprintln!("SKIPPED resize: {e}");
            return;
        }
        Err(e) => panic!("{e}"),
    }
    assert_eq!(ring.sq_entries(), 64);
    assert_eq!(ring.cq_entries(), 256);
    assert_eq!(ring.as_raw_fd(), fd, "the fd number is kept");
    assert_eq!(ring.submit_and_wait(2).unwrap(), 2);
    let mut ids: Vec<u64> = ring.cq().map(|c| c.user_data()).collect();
    ids.sort_unstable();
    assert_eq!(ids, [1, 2, 3]);
    // The new size is usable in full, across many rounds.
    for round in 0..20u64 {
        let sqes: Vec<Sqe> = (0..64).map(|i| nop(round * 64 + i)).collect();
        let cqes = crate::util::run(&mut ring, &sqes, 64).unwrap();
        assert_eq!(cqes.len(), 64);
    }
}

#[test]
fn resize_without_defer_taskrun_says_why() {
    let Some(mut ring) = crate::util::ring_or_skip(
        Ring::<Sqe, Cqe>::builder().no_sqarray(),
        4,
        "resize_without_defer_taskrun_says_why",
    ) else {
        return;
    };
    let err = ring.resize(8, None).unwrap_err();
    assert_eq!(uring::error::errno(&err), Some(libc::EINVAL));
    assert!(err.to_string().contains("DEFER_TASKRUN"), "{err}");
    // The ring is untouched and works.
    assert_eq!(ring.sq_entries(), 4);
    assert_eq!(crate::util::run(&mut ring, &[nop(1)], 1).unwrap().len(), 1);
}

#[test]
fn resize_without_no_sqarray_says_why() {
    let Some(mut ring) = crate::util::ring_or_skip(
        Ring::<Sqe, Cqe>::builder().defer_taskrun(),
        4,
        "resize_without_no_sqarray_says_why",
    ) else {
        return;
    };
    let err = ring.resize(8, None).unwrap_err();
    assert_eq!(uring::error::errno(&err), Some(libc::EINVAL));
    assert!(err.to_string().contains("NO_SQARRAY"), "{err}");
    assert_eq!(crate::util::run(&mut ring, &[nop(1)], 1).unwrap().len(), 1);
}
