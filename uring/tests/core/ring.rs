//! The basic protocol: push, submit, reap.

use std::os::fd::AsRawFd;

use uring::{Ring, Sqe, SqeFlags};

use crate::util::{nop, run};

#[test]
fn nop_round_trip() {
    let mut ring = Ring::new(8).unwrap();
    assert_eq!(ring.sq_entries(), 8);
    assert_eq!(ring.cq_entries(), 16);
    assert!(ring.as_raw_fd() >= 0);
    let cqes = run(&mut ring, &[nop(7)], 1).unwrap();
    assert_eq!(cqes.len(), 1);
    assert_eq!(cqes[0].user_data(), 7);
    assert_eq!(cqes[0].res(), 0);
    assert_eq!(cqes[0].result().unwrap(), 0);
}

#[test]
fn entries_round_up_to_a_power_of_two() {
    let ring = Ring::new(5).unwrap();
    assert_eq!(ring.sq_entries(), 8);
    assert_eq!(ring.cq_entries(), 16);
}

#[test]
fn batch_push_publishes_once_and_every_cqe_arrives() {
    let mut ring = Ring::new(32).unwrap();
    let sqes: Vec<Sqe> = (0..32).map(nop).collect();
    let cqes = run(&mut ring, &sqes, 32).unwrap();
    let ids: Vec<u64> = cqes.iter().map(|c| c.user_data()).collect();
    assert_eq!(ids, (0..32).collect::<Vec<_>>());
}

#[test]
fn push_multiple_is_all_or_nothing() {
    let mut ring = Ring::new(4).unwrap();
    let sqes: Vec<Sqe> = (0..3).map(nop).collect();
    // SAFETY: NOPs carry no pointers.
    unsafe { ring.push_multiple(&sqes) }.unwrap();
    assert_eq!(ring.sq_space_left(), 1);
    // SAFETY: as above.
    let err = unsafe { ring.push_multiple(&sqes) }.unwrap_err();
    assert_eq!(err.needed, 3);
    assert_eq!(err.available, 1);
    // Nothing of the failed batch was pushed: exactly 3 are submitted.
    assert_eq!(ring.submit_and_wait(3).unwrap(), 3);
    assert_eq!(ring.cq().count(), 3);
    assert_eq!(ring.sq_space_left(), 4);
}

#[test]
fn a_full_sq_refuses_then_accepts_after_submit() {
    let mut ring = Ring::new(2).unwrap();
    {
        let mut sq = ring.sq();
        // SAFETY: NOPs carry no pointers.
        unsafe {
            sq.push(&nop(1)).unwrap();
            sq.push(&nop(2)).unwrap();
            assert!(sq.push(&nop(3)).is_err());
        }
        assert!(sq.is_full());
        assert_eq!(sq.len(), 2);
    }
    ring.submit_and_wait(2).unwrap();
    let mut sq = ring.sq();
    assert_eq!(sq.space_left(), 2);
    // SAFETY: as above.
    unsafe { sq.push(&nop(3)).unwrap() };
}

#[test]
fn unpublished_sqes_are_not_submitted() {
    let mut ring = Ring::new(4).unwrap();
    let (submitter, mut sq, _cq) = ring.split();
    // SAFETY: NOPs carry no pointers.
    unsafe { sq.push(&nop(1)).unwrap() };
    assert_eq!(submitter.sq_len(), 0, "pushed but not synced");
    assert_eq!(submitter.submit().unwrap(), 0);
    sq.sync();
    assert_eq!(submitter.sq_len(), 1);
    assert_eq!(submitter.submit_and_wait(1).unwrap(), 1);
}

#[test]
fn many_rounds_keep_the_indices_consistent() {
    // 3000 rounds through an 8-entry SQ / 16-entry CQ: every slot is reused hundreds of times.
    let mut ring = Ring::new(8).unwrap();
    let mut next = 0u64;
    for round in 0..3000u64 {
        let n = (round % 8) + 1;
        let sqes: Vec<Sqe> = (next..next + n).map(nop).collect();
        let cqes = run(&mut ring, &sqes, n as usize).unwrap();
        let ids: Vec<u64> = cqes.iter().map(|c| c.user_data()).collect();
        assert_eq!(ids, (next..next + n).collect::<Vec<_>>());
        next += n;
    }
}

#[test]
fn bad_fd_surfaces_as_ebadf() {
    let mut ring = Ring::new(2).unwrap();
    let mut sqe = Sqe::new(uring_sys::IORING_OP_READ).user_data(9);
    sqe.as_raw_mut().fd = -1;
    let cqes = run(&mut ring, &[sqe], 1).unwrap();
    let err = cqes[0].result().unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EBADF));
}

#[test]
fn sqe_flags_reach_the_kernel() {
    // CQE_SKIP_SUCCESS: the first NOP posts no CQE, the second does.
    let mut ring = Ring::new(4).unwrap();
    if !ring.features().contains(uring::Features::CQE_SKIP) {
        crate::util::skip(
            "sqe_flags_reach_the_kernel",
            "no IORING_FEAT_CQE_SKIP (IOSQE_CQE_SKIP_SUCCESS is Linux 5.17+)",
        );
        return;
    }
    let sqes = [nop(1).flags(SqeFlags::CQE_SKIP_SUCCESS), nop(2)];
    // SAFETY: NOPs carry no pointers.
    unsafe { ring.push_multiple(&sqes) }.unwrap();
    ring.submit_and_wait(1).unwrap();
    let ids: Vec<u64> = ring.cq().map(|c| c.user_data()).collect();
    assert_eq!(ids, [2]);
}

#[test]
fn reaping_publishes_the_head_once_per_batch() {
    let mut ring = Ring::new(8).unwrap();
    let sqes: Vec<Sqe> = (0..8).map(nop).collect();
    // SAFETY: NOPs carry no pointers.
    unsafe { ring.push_multiple(&sqes) }.unwrap();
    ring.submit_and_wait(8).unwrap();
    let (submitter, _sq, mut cq) = ring.split();
    assert_eq!(submitter.cq_len(), 8);
    let first: Vec<u64> = cq.by_ref().take(5).map(|c| c.user_data()).collect();
    assert_eq!(first, [0, 1, 2, 3, 4]);
    // Consumed locally, not yet published: the kernel still sees 8 ready.
    assert_eq!(submitter.cq_len(), 8);
    assert_eq!(cq.len(), 3);
    cq.sync();
    assert_eq!(submitter.cq_len(), 3);
    let rest: Vec<u64> = cq.map(|c| c.user_data()).collect();
    assert_eq!(rest, [5, 6, 7]);
    // Dropping the iterator published the rest.
    assert_eq!(submitter.cq_len(), 0);
}
