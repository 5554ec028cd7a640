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

/// Regression (review of the driver's soundness): when the kernel has resized the rings but
/// mapping the new ones fails, the ring must not stay usable over its stale mappings (nothing
/// would ever arrive: a wait would hang). It is marked corrupt: the resize and every later
/// enter fail with `EUCLEAN`. The mapping is made to fail with `RLIMIT_AS` at the current
/// address-space size, in a child process (the limit is process-wide).
#[test]
fn resize_whose_remap_fails_marks_the_ring_corrupt() {
    if crate::util::ran_in_child(
        "resize::resize_whose_remap_fails_marks_the_ring_corrupt",
        "URING_TEST_RESIZE_REMAP_CHILD",
    ) {
        return;
    }
    let Some(mut ring) = crate::util::ring_or_skip(
        Ring::<Sqe, Cqe>::builder().defer_taskrun().no_sqarray(),
        4,
        "resize",
    ) else {
        return;
    };
    // A trial resize to the same size asks the kernel whether it can resize at all.
    if let Err(e) = ring.resize(4, None) {
        if uring::error::errno(&e) == Some(libc::EINVAL) {
            eprintln!("SKIPPED resize_whose_remap_fails_marks_the_ring_corrupt: {e}");
            return;
        }
        panic!("{e}");
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let vm_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmSize:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmSize in /proc/self/status");
    let mut messages = String::with_capacity(4096);
    let lim = libc::rlimit {
        rlim_cur: vm_kib * 1024,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: `lim` is a valid rlimit for the call.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &lim) }, 0);
    let resized = ring.resize(64, Some(256));
    let after = ring.submit_and_wait(1);
    let unlimited = libc::rlimit {
        rlim_cur: libc::RLIM_INFINITY,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: as above.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &unlimited) }, 0);
    let err = resized.expect_err("the new rings could not be mapped");
    messages.push_str(&err.to_string());
    assert_eq!(uring::error::errno(&err), Some(libc::EUCLEAN), "{messages}");
    let err = after.expect_err("a corrupt ring refuses to enter");
    assert_eq!(uring::error::errno(&err), Some(libc::EUCLEAN), "{err}");
    assert!(err.to_string().contains("resized"), "{err}");
}
