//! Linked chains: a soft link cancels the rest after a failure, a hard link does not, a link
//! timeout bounds the last member, pushing is all or nothing.

use std::time::{Duration, Instant};

use uring::{ChainTimeout, Cqe, Link, Ring, Sqe};
use uring_sys as sys;

use crate::util::nop;

/// A NOP that completes with `-errno` (`IORING_NOP_INJECT_RESULT`).
fn failing_nop(user_data: u64, errno: i32) -> Sqe {
    let mut sqe = nop(user_data);
    sqe.as_raw_mut().rw_flags_union.nop_flags = sys::IORING_NOP_INJECT_RESULT;
    sqe.as_raw_mut().len = (-errno) as u32;
    sqe
}

fn reap(ring: &mut Ring, n: usize) -> Vec<Cqe> {
    let _bound = crate::util::Watchdog::new("chain::reap", Duration::from_secs(60));
    ring.submit_and_wait(n).unwrap();
    let mut out: Vec<Cqe> = Vec::new();
    while out.len() < n {
        out.extend(ring.cq());
        if out.len() < n {
            ring.submit_and_wait(1).unwrap();
        }
    }
    out.sort_by_key(Cqe::user_data);
    out
}

#[test]
fn a_failing_member_cancels_the_rest() {
    if !crate::util::nop_inject_or_skip("a_failing_member_cancels_the_rest") {
        return;
    }
    let mut ring = Ring::new(8).unwrap();
    let chain = [nop(1), failing_nop(2, libc::EIO), nop(3), nop(4)];
    // SAFETY: NOPs carry no pointers.
    unsafe { ring.sq().push_chain(&chain, Link::Soft).unwrap() };
    let res: Vec<(u64, i32)> = reap(&mut ring, 4)
        .iter()
        .map(|c| (c.user_data(), c.res()))
        .collect();
    assert_eq!(
        res,
        [
            (1, 0),
            (2, -libc::EIO),
            (3, -libc::ECANCELED),
            (4, -libc::ECANCELED)
        ]
    );
}

#[test]
fn a_hard_link_runs_on_after_a_failure() {
    if !crate::util::nop_inject_or_skip("a_hard_link_runs_on_after_a_failure") {
        return;
    }
    let mut ring = Ring::new(8).unwrap();
    let chain = [nop(1), failing_nop(2, libc::EIO), nop(3), nop(4)];
    // SAFETY: NOPs carry no pointers.
    unsafe { ring.sq().push_chain(&chain, Link::Hard).unwrap() };
    let res: Vec<(u64, i32)> = reap(&mut ring, 4)
        .iter()
        .map(|c| (c.user_data(), c.res()))
        .collect();
    assert_eq!(res, [(1, 0), (2, -libc::EIO), (3, 0), (4, 0)]);
}

#[test]
fn links_are_set_on_all_but_the_last() {
    // A failure in the last member cancels nothing (there is nothing after it), and the
    // chain does not leak into the next, unlinked SQE pushed after it.
    if !crate::util::nop_inject_or_skip("links_are_set_on_all_but_the_last") {
        return;
    }
    let mut ring = Ring::new(8).unwrap();
    {
        let mut sq = ring.sq();
        // SAFETY: NOPs carry no pointers.
        unsafe {
            sq.push_chain(&[nop(1), failing_nop(2, libc::EIO)], Link::Soft)
                .unwrap();
            sq.push(&nop(3)).unwrap();
        }
    }
    let res: Vec<(u64, i32)> = reap(&mut ring, 3)
        .iter()
        .map(|c| (c.user_data(), c.res()))
        .collect();
    assert_eq!(res, [(1, 0), (2, -libc::EIO), (3, 0)]);
}

#[test]
fn a_chain_is_pushed_all_or_nothing() {
    let mut ring = Ring::new(4).unwrap();
    let mut sq = ring.sq();
    // SAFETY: NOPs carry no pointers.
    unsafe { sq.push(&nop(0)).unwrap() };
    let chain: Vec<Sqe> = (1..5).map(nop).collect();
    // SAFETY: as above.
    let err = unsafe { sq.push_chain(&chain, Link::Soft) }.unwrap_err();
    assert_eq!((err.needed, err.available), (4, 3));
    assert_eq!(sq.len(), 1, "nothing of the chain was pushed");
    // With the timeout it needs one more slot.
    let timeout = ChainTimeout::new(Duration::from_secs(1), 9);
    // SAFETY: as above; `timeout` outlives the (never made) submission.
    let err = unsafe { sq.push_chain_with_timeout(&chain[..3], Link::Soft, &timeout) }.unwrap_err();
    assert_eq!((err.needed, err.available), (4, 3));
    assert_eq!(sq.len(), 1);
}

#[test]
fn a_link_timeout_cancels_a_slow_member() {
    crate::require_ops!(sys::IORING_OP_LINK_TIMEOUT, sys::IORING_OP_TIMEOUT);
    let mut ring = Ring::new(8).unwrap();
    // A 5 s timer bounded by a 50 ms link timeout.
    let slow_ts = sys::__kernel_timespec {
        tv_sec: 5,
        tv_nsec: 0,
    };
    let slow = crate::setup::timeout_sqe(&slow_ts, 1);
    let timeout = ChainTimeout::new(Duration::from_millis(50), 2);
    let start = Instant::now();
    // SAFETY: `slow_ts` and `timeout` live until after the submission below.
    unsafe {
        ring.sq()
            .push_chain_with_timeout(&[slow], Link::Soft, &timeout)
            .unwrap()
    };
    let res: Vec<(u64, i32)> = reap(&mut ring, 2)
        .iter()
        .map(|c| (c.user_data(), c.res()))
        .collect();
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(res, [(1, -libc::ECANCELED), (2, -libc::ETIME)]);
}

#[test]
fn a_link_timeout_that_does_not_fire_is_cancelled() {
    crate::require_ops!(sys::IORING_OP_LINK_TIMEOUT);
    let mut ring = Ring::new(8).unwrap();
    let timeout = ChainTimeout::new(Duration::from_secs(5), 2);
    // SAFETY: NOPs carry no pointers; `timeout` lives until after the submission.
    unsafe {
        ring.sq()
            .push_chain_with_timeout(&[nop(0), nop(1)], Link::Soft, &timeout)
            .unwrap()
    };
    let res: Vec<(u64, i32)> = reap(&mut ring, 3)
        .iter()
        .map(|c| (c.user_data(), c.res()))
        .collect();
    assert_eq!(res, [(0, 0), (1, 0), (2, -libc::ECANCELED)]);
}
