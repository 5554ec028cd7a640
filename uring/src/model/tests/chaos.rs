//! [`Chaos`](super::super::Chaos): each kind of fault alone, and determinism from the seed.

use super::*;
use crate::model::{Chaos, Stats};

const ENTER: [i32; 3] = [libc::EINTR, libc::EAGAIN, libc::EBUSY];
const REQUEST: [i32; 4] = [-libc::EIO, -libc::EAGAIN, -libc::EINTR, -libc::ECANCELED];

/// NOPs pushed and submitted in rounds, reaping after each; every error of the enter is
/// retried. Returns the CQEs in the order read, and the stats.
fn nops(chaos: Chaos, rounds: u64) -> (Vec<(u64, i32, u32)>, Stats) {
    let (mut r, m) = ring(Config::new(8).cq_entries(64));
    m.set_chaos(chaos);
    let mut out = Vec::new();
    for round in 0..rounds {
        for i in 0..4 {
            push(&mut r, &nop(round * 4 + i));
        }
        while !r.sq().is_empty() {
            let _ = r.submit();
        }
        out.extend(reap(&mut r));
    }
    // The late ones (an enter with nothing to submit: `submit` would not enter at all).
    for _ in 0..8 {
        let _ = r.submitter().get_events();
        out.extend(reap(&mut r));
    }
    (out, m.stats())
}

#[test]
fn the_same_seed_gives_the_same_run_and_another_seed_another() {
    let a = nops(Chaos::all(1), 8);
    assert_eq!(a, nops(Chaos::all(1), 8));
    assert!(a.1.faults > 0);
    assert_ne!(a, nops(Chaos::all(2), 8));
    // Nothing is lost: every NOP completes once (some with an injected error).
    let mut ud: Vec<u64> = a.0.iter().map(|c| c.0).collect();
    ud.sort_unstable();
    assert_eq!(ud, (0..32).collect::<Vec<_>>());
}

#[test]
fn no_rates_no_faults() {
    let (cqes, stats) = nops(Chaos::new(9), 4);
    assert_eq!(stats.faults, 0);
    assert!(cqes.iter().all(|c| c.1 == 0 && c.2 == 0));
    // In order: no reordering either.
    assert!(cqes.windows(2).all(|w| w[0].0 < w[1].0));
}

#[test]
fn enter_errors_fail_the_enter_and_consume_nothing() {
    let (mut r, m) = ring(Config::new(4));
    m.set_chaos(Chaos::new(3).enter_errors(100));
    push(&mut r, &nop(1));
    for _ in 0..8 {
        let e = r.submit().unwrap_err();
        assert!(ENTER.contains(&crate::error::errno(&e).unwrap()), "{e}");
    }
    assert_eq!(m.stats().consumed, 0);
    m.set_chaos(Chaos::new(3));
    assert_eq!(r.submit().unwrap(), 1);
    assert_eq!(reap(&mut r), vec![(1, 0, 0)]);
}

#[test]
fn partial_submits_leave_the_rest_in_the_sq() {
    let (mut r, m) = ring(Config::new(8));
    m.set_chaos(Chaos::new(4).partial_submits(100));
    for i in 0..4 {
        push(&mut r, &nop(i));
    }
    let n = r.submit().unwrap();
    assert!((1..4).contains(&n), "{n}");
    assert_eq!(r.sq().len() as usize, 4 - n);
}

#[test]
fn errors_fail_requests_but_never_a_cancel() {
    let (mut r, m) = ring(Config::new(8));
    m.set_chaos(Chaos::new(5).errors(100));
    push(&mut r, &nop(1));
    push(&mut r, &pending(2));
    r.submit().unwrap();
    let cqes = reap(&mut r);
    assert_eq!(
        cqes.len(),
        2,
        "a pending request fails when it starts: {cqes:?}"
    );
    assert!(cqes.iter().all(|c| REQUEST.contains(&c.1)), "{cqes:?}");
    push(&mut r, &pending(3));
    push(
        &mut r,
        &crate::opcode::AsyncCancel::new(3).build().user_data(4),
    );
    r.submit().unwrap();
    let cqes = reap(&mut r);
    assert!(cqes.contains(&(4, -libc::ENOENT, 0)), "{cqes:?}");
}

#[test]
fn short_results_are_shorter_and_touch_only_that_much() {
    let (mut r, m) = ring(Config::new(4));
    m.set_handler(|sqe| Outcome::Complete {
        res: sqe.as_raw().len as i32,
        flags: 0,
    });
    m.set_chaos(Chaos::new(6).short_results(100));
    for round in 0..8 {
        let mut buf = vec![0u8; 16];
        let mut rd = Sqe::new(sys::IORING_OP_READ).user_data(round);
        rd.as_raw_mut().addr_union.addr = buf.as_mut_ptr() as u64;
        rd.as_raw_mut().len = 16;
        push(&mut r, &rd);
        r.submit().unwrap();
        let [(_, res, _)] = reap(&mut r)[..] else {
            panic!("one CQE");
        };
        assert!((0..16).contains(&res), "{res}");
        let n = res as usize;
        assert!(buf[..n].iter().all(|&b| b == 0xA5) && buf[n..].iter().all(|&b| b == 0));
    }
}

#[test]
fn delays_post_the_cqe_at_a_later_enter() {
    let (mut r, m) = ring(Config::new(4));
    m.set_chaos(Chaos::new(7).delays(100, 3));
    push(&mut r, &nop(1));
    r.submit().unwrap();
    assert!(reap(&mut r).is_empty(), "not at this enter");
    let mut enters = 0;
    while reap(&mut r).is_empty() {
        r.submitter().get_events().unwrap();
        enters += 1;
        assert!(enters <= 3);
    }
    assert_eq!(m.stats().faults, 1);
}
