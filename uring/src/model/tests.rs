//! The ring core against the model kernel: deterministic cases, then random interleavings.
//! No syscall but one `eventfd`, so they run under Miri:
//! `cargo +nightly miri test -p evbind-uring --lib model::`.

use std::collections::HashMap;

use proptest::prelude::*;
use uring_sys as sys;

use super::{Config, Fault, Model, Outcome};
use crate::opcode::Nop;
use crate::{Cqe, Ring, Sqe, SqeFlags};

fn ring(cfg: Config) -> (Ring, Model) {
    cfg.build::<Sqe, Cqe>().expect("model ring")
}

fn nop(user_data: u64) -> Sqe {
    Nop::new().build().user_data(user_data)
}

/// An opcode the model leaves pending (any but NOP/ASYNC_CANCEL/LINK_TIMEOUT).
fn pending(user_data: u64) -> Sqe {
    Sqe::new(sys::IORING_OP_READ).user_data(user_data)
}

fn push(ring: &mut Ring, sqe: &Sqe) {
    // SAFETY: the model never dereferences SQE pointers.
    unsafe { ring.push(sqe) }.expect("room in the SQ");
}

fn reap(ring: &mut Ring) -> Vec<(u64, i32, u32)> {
    ring.cq()
        .map(|c| (c.user_data(), c.res(), c.flags().bits()))
        .collect()
}

#[test]
fn nops_complete_across_the_wrap() {
    for no_sqarray in [false, true] {
        let (mut r, m) = ring(
            Config::new(4)
                .start_index(u32::MAX - 5)
                .no_sqarray(no_sqarray),
        );
        for round in 0..5u64 {
            for i in 0..4 {
                push(&mut r, &nop(round * 10 + i));
            }
            assert_eq!(r.submit_and_wait(4).unwrap(), 4);
            let got = reap(&mut r);
            let want: Vec<_> = (0..4).map(|i| (round * 10 + i, 0, 0)).collect();
            assert_eq!(got, want);
        }
        assert_eq!(m.stats().consumed, 20);
        assert!(m.sq_head() < 100 && m.cq_tail() < 100, "indices wrapped");
    }
}

#[test]
fn only_published_sqes_are_consumed_and_the_head_is_published_once_per_batch() {
    let (mut r, m) = ring(Config::new(8).start_index(u32::MAX));
    let (submitter, mut sq, mut cq) = r.split();
    for i in 0..3 {
        // SAFETY: a NOP carries no pointers.
        unsafe { sq.push(&nop(i)) }.unwrap();
    }
    assert_eq!(submitter.submit().unwrap(), 0, "nothing published yet");
    sq.sync();
    assert_eq!(submitter.submit().unwrap(), 3);
    assert_eq!(m.stats().consumed, 3);
    assert_eq!(cq.len(), 0, "the CQ tail is loaded on creation/sync only");
    cq.sync();
    assert_eq!(cq.by_ref().take(2).count(), 2);
    assert_eq!(
        m.cq_head(),
        u32::MAX,
        "the CQ head is published on sync/drop only"
    );
    cq.sync();
    assert_eq!(m.cq_head(), 1);
    assert_eq!(cq.count(), 1);
}

#[test]
fn nop_inject_result() {
    let (mut r, _m) = ring(Config::new(4));
    let mut sqe = nop(1);
    sqe.as_raw_mut().rw_flags_union.nop_flags = sys::IORING_NOP_INJECT_RESULT;
    sqe.as_raw_mut().len = (-libc::EBADF) as u32;
    push(&mut r, &sqe);
    r.submit_and_wait(1).unwrap();
    assert_eq!(reap(&mut r), vec![(1, -libc::EBADF, 0)]);
}

#[test]
fn overflow_waits_in_the_list_and_is_flushed_by_submit() {
    let (mut r, m) = ring(Config::new(4).cq_entries(4).start_index(u32::MAX - 1));
    for round in 0..3u64 {
        for i in 0..4 {
            push(&mut r, &nop(round * 4 + i));
        }
        r.submit().unwrap();
    }
    assert_eq!(m.overflow_len(), 8);
    assert!(r.sq().cq_overflow());
    let mut seen = Vec::new();
    while seen.len() < 12 {
        let got = reap(&mut r);
        assert!(!got.is_empty());
        seen.extend(got.into_iter().map(|c| c.0));
        // The overflow flag makes `submit` enter with GETEVENTS, which flushes.
        r.submit().unwrap();
    }
    assert_eq!(seen, (0..12).collect::<Vec<_>>(), "in order, each once");
    assert!(!r.sq().cq_overflow());
    assert_eq!(r.cq().overflow(), 0);
}

#[test]
fn overflow_without_nodrop_counts_lost_cqes() {
    let (mut r, m) = ring(Config::new(4).cq_entries(4).nodrop(false));
    for _ in 0..2 {
        for i in 0..4 {
            push(&mut r, &nop(i));
        }
        r.submit().unwrap();
    }
    assert_eq!(reap(&mut r).len(), 4);
    assert_eq!(r.cq().overflow(), 4);
    assert_eq!(m.stats().dropped, 4);
}

#[test]
fn link_failure_cancels_the_rest_hardlink_goes_on() {
    let (mut r, m) = ring(Config::new(8));
    m.inject(Fault::Error(libc::EIO));
    push(&mut r, &nop(1).flags(SqeFlags::IO_LINK));
    push(&mut r, &nop(2).flags(SqeFlags::IO_LINK));
    push(&mut r, &nop(3));
    r.submit_and_wait(3).unwrap();
    assert_eq!(
        reap(&mut r),
        vec![
            (1, -libc::EIO, 0),
            (2, -libc::ECANCELED, 0),
            (3, -libc::ECANCELED, 0)
        ]
    );
    m.inject(Fault::Error(libc::EIO));
    push(&mut r, &nop(4).flags(SqeFlags::IO_HARDLINK));
    push(&mut r, &nop(5));
    r.submit_and_wait(2).unwrap();
    assert_eq!(reap(&mut r), vec![(4, -libc::EIO, 0), (5, 0, 0)]);
}

#[test]
fn a_chain_waits_for_its_pending_head() {
    let (mut r, m) = ring(Config::new(8));
    push(&mut r, &pending(1).flags(SqeFlags::IO_LINK));
    push(&mut r, &nop(2));
    r.submit().unwrap();
    assert!(reap(&mut r).is_empty());
    assert_eq!(m.in_flight(), vec![1]);
    assert!(m.complete(1, 4096));
    assert_eq!(reap(&mut r), vec![(1, 4096, 0), (2, 0, 0)]);
    assert!(m.in_flight().is_empty());
}

#[test]
fn skip_success_posts_only_failures() {
    let (mut r, m) = ring(Config::new(8));
    push(&mut r, &nop(1).flags(SqeFlags::CQE_SKIP_SUCCESS));
    push(&mut r, &pending(2).flags(SqeFlags::CQE_SKIP_SUCCESS));
    r.submit().unwrap();
    assert!(reap(&mut r).is_empty());
    assert!(m.complete(2, -libc::EPIPE));
    assert_eq!(reap(&mut r), vec![(2, -libc::EPIPE, 0)]);
}

#[test]
fn multishot_posts_more_until_final() {
    let (mut r, m) = ring(Config::new(8));
    m.set_handler(|sqe| {
        if sqe.get_user_data() == 7 {
            Outcome::Multishot(vec![1, 2, 3])
        } else {
            Outcome::Pending
        }
    });
    push(&mut r, &pending(7));
    push(&mut r, &pending(8));
    r.submit().unwrap();
    assert!(m.post_more(8, 10, 0));
    assert!(m.complete(8, 0));
    let more = sys::IORING_CQE_F_MORE;
    assert_eq!(
        reap(&mut r),
        vec![
            (7, 1, more),
            (7, 2, more),
            (7, 3, 0),
            (8, 10, more),
            (8, 0, 0)
        ]
    );
}

#[test]
fn cancel_and_link_timeout() {
    let (mut r, m) = ring(Config::new(8));
    push(&mut r, &pending(1));
    let mut c = Sqe::new(sys::IORING_OP_ASYNC_CANCEL).user_data(2);
    c.as_raw_mut().addr_union.addr = 1;
    push(&mut r, &c);
    r.submit().unwrap();
    assert_eq!(reap(&mut r), vec![(1, -libc::ECANCELED, 0), (2, 0, 0)]);
    // Link timeout: the request first, then the timeout expiring first.
    push(&mut r, &pending(3).flags(SqeFlags::IO_LINK));
    push(&mut r, &Sqe::new(sys::IORING_OP_LINK_TIMEOUT).user_data(4));
    push(&mut r, &pending(5).flags(SqeFlags::IO_LINK));
    push(&mut r, &Sqe::new(sys::IORING_OP_LINK_TIMEOUT).user_data(6));
    r.submit().unwrap();
    assert!(m.complete(3, 8));
    assert!(m.complete(6, -libc::ETIME));
    assert_eq!(
        reap(&mut r),
        vec![
            (3, 8, 0),
            (4, -libc::ECANCELED, 0),
            (6, -libc::ETIME, 0),
            (5, -libc::ECANCELED, 0)
        ]
    );
}

#[test]
fn delayed_and_short_and_wait_without_progress() {
    let (mut r, m) = ring(Config::new(8));
    m.inject(Fault::Delay(1));
    push(&mut r, &nop(1));
    r.submit().unwrap();
    assert!(reap(&mut r).is_empty(), "not before a later enter");
    let e = r.submit_and_wait(1);
    assert!(e.is_ok(), "{e:?}");
    assert_eq!(reap(&mut r), vec![(1, 0, 0)]);
    // Nothing can complete: a model wait fails with ETIME instead of hanging.
    push(&mut r, &pending(2));
    let e = r.submit_and_wait(1).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ETIME));
    m.set_handler(|_| Outcome::Complete {
        res: 4096,
        flags: 0,
    });
    m.inject(Fault::Short(100));
    push(&mut r, &pending(3));
    r.submit_and_wait(1).unwrap();
    assert_eq!(reap(&mut r), vec![(3, 100, 0)]);
}

#[test]
fn enter_errors_and_partial_submission_lose_nothing() {
    let (mut r, m) = ring(Config::new(8));
    for i in 0..4 {
        push(&mut r, &nop(i));
    }
    m.fail_next_enter(libc::EINTR);
    assert_eq!(
        r.submit().unwrap_err().kind(),
        std::io::ErrorKind::Interrupted
    );
    m.limit_next_submit(1);
    assert_eq!(r.submit().unwrap(), 1);
    assert_eq!(r.submitter().sq_len(), 3);
    assert_eq!(r.submit_and_wait(4).unwrap(), 3);
    assert_eq!(reap(&mut r).len(), 4);
}

#[test]
fn complete_on_wait_lets_time_pass() {
    let (mut r, _m) = ring(Config::new(8).complete_on_wait(true));
    push(&mut r, &pending(1));
    push(&mut r, &pending(2));
    r.submit_and_wait(2).unwrap();
    assert_eq!(reap(&mut r), vec![(1, 0, 0), (2, 0, 0)]);
}

#[test]
fn a_failed_skip_success_link_silences_the_rest() {
    let (mut r, m) = ring(Config::new(8));
    m.inject(Fault::Error(libc::EIO));
    push(
        &mut r,
        &nop(1).flags(SqeFlags::IO_LINK | SqeFlags::CQE_SKIP_SUCCESS),
    );
    push(&mut r, &nop(2));
    push(&mut r, &nop(3));
    r.submit().unwrap();
    assert_eq!(reap(&mut r), vec![(1, -libc::EIO, 0), (3, 0, 0)]);
}

#[test]
fn an_unknown_opcode_fails_with_einval() {
    let (mut r, _m) = ring(Config::new(8));
    push(&mut r, &Sqe::new(sys::IORING_OP_LAST).user_data(9));
    r.submit().unwrap();
    assert_eq!(reap(&mut r), vec![(9, -libc::EINVAL, 0)]);
}

#[test]
fn reads_write_and_writes_read_the_buffer_at_completion() {
    let (mut r, m) = ring(Config::new(8));
    let mut buf = vec![0u8; 16];
    let out = *b"0123456789abcdef";
    let mut rd = Sqe::new(sys::IORING_OP_READ).user_data(1);
    rd.as_raw_mut().addr_union.addr = buf.as_mut_ptr() as u64;
    rd.as_raw_mut().len = 16;
    let mut wr = Sqe::new(sys::IORING_OP_WRITE).user_data(2);
    wr.as_raw_mut().addr_union.addr = out.as_ptr() as u64;
    wr.as_raw_mut().len = 16;
    push(&mut r, &rd);
    push(&mut r, &wr);
    r.submit().unwrap();
    assert!(buf.iter().all(|&b| b == 0), "nothing before completion");
    // A result beyond `len` touches only `len` bytes.
    assert!(m.complete(1, 8));
    assert!(m.complete(2, 1000));
    assert_eq!(reap(&mut r), vec![(1, 8, 0), (2, 1000, 0)]);
    assert_eq!(&buf[..8], &[0xA5; 8]);
    assert_eq!(&buf[8..], &[0; 8]);
}

// ---- hostile ring memory ----------------------------------------------------------------

#[test]
fn a_cq_tail_beyond_a_ring_reads_nothing_and_fails_the_next_enter() {
    let (mut r, m) = ring(Config::new(4).start_index(u32::MAX - 2));
    push(&mut r, &nop(1));
    r.submit().unwrap();
    let head = m.cq_head();
    m.set_cq_tail(head.wrapping_add(r.cq_entries() + 1));
    assert_eq!(r.cq().count(), 0, "no CQE is read from a corrupt CQ");
    let e = r.submit().unwrap_err();
    assert_eq!(crate::error::errno(&e), Some(libc::EUCLEAN));
    assert!(e.to_string().contains("CQ tail"), "{e}");
    // Sticky.
    assert!(r.submitter().get_events().is_err());
}

#[test]
fn a_cq_tail_exactly_a_ring_ahead_is_fine() {
    let (mut r, m) = ring(Config::new(4).cq_entries(4));
    for i in 0..4 {
        push(&mut r, &nop(i));
    }
    r.submit().unwrap();
    assert_eq!(m.cq_tail().wrapping_sub(m.cq_head()), 4);
    assert_eq!(reap(&mut r).len(), 4);
    r.submit().unwrap();
}

#[test]
fn an_sq_head_beyond_the_tail_is_detected() {
    for backwards in [false, true] {
        let (mut r, m) = ring(Config::new(4).start_index(u32::MAX - 1));
        push(&mut r, &nop(1));
        r.submit().unwrap();
        let tail = m.sq_tail();
        // Beyond our tail, or more than a ring behind it (moved backwards).
        m.set_sq_head(if backwards {
            tail.wrapping_sub(5)
        } else {
            tail.wrapping_add(1)
        });
        // SAFETY: a NOP carries no pointers.
        let p = unsafe { r.push(&nop(2)) };
        assert_eq!(p.unwrap_err().available, 0);
        let e = r.submit().unwrap_err();
        assert_eq!(crate::error::errno(&e), Some(libc::EUCLEAN), "{e}");
        assert!(e.to_string().contains("SQ head"), "{e}");
    }
}

#[test]
fn hostile_sq_flags_only_cost_an_enter() {
    let (mut r, m) = ring(Config::new(4));
    m.set_sq_flags(u32::MAX);
    push(&mut r, &nop(1));
    assert_eq!(r.submit().unwrap(), 1);
    assert_eq!(reap(&mut r), vec![(1, 0, 0)]);
    assert_eq!(m.stats().enters, 1);
}

#[test]
fn unknown_user_data_and_odd_buffer_ids_pass_through_the_core() {
    let (mut r, m) = ring(Config::new(4));
    m.post_raw(0xdead_beef, 5, sys::IORING_CQE_F_BUFFER | (0xffff << 16));
    let c = r.cq().next().unwrap();
    assert_eq!((c.user_data(), c.buffer_id()), (0xdead_beef, Some(0xffff)));
}

// ---- random interleavings ---------------------------------------------------------------

#[derive(Debug, Clone)]
enum Step {
    /// Push `n` SQEs (NOP, pending, skip-success NOP, linked pairs by the bool).
    Push(u8, u8, bool),
    Submit,
    SubmitAndWait(u8),
    /// Complete the in-flight request at this position.
    Complete(u8, i32),
    Reap(u8),
    Fault(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (1u8..6, 0u8..4, any::<bool>()).prop_map(|(n, k, l)| Step::Push(n, k, l)),
        Just(Step::Submit),
        (0u8..3).prop_map(Step::SubmitAndWait),
        (any::<u8>(), -5i32..5000).prop_map(|(i, r)| Step::Complete(i, r)),
        (0u8..10).prop_map(Step::Reap),
        (0u8..7).prop_map(Step::Fault),
    ]
}

/// Runs `steps`; every SQE pushed completes exactly once (or never, under SKIP_SUCCESS with
/// success), nothing unknown is reaped.
fn run(cfg: Config, reorder: bool, steps: &[Step]) -> Result<(), TestCaseError> {
    let (mut r, m) = ring(cfg);
    m.set_reorder(reorder);
    // user_data -> (skip_success, completions seen)
    let mut sent: HashMap<u64, (bool, u32)> = HashMap::new();
    let mut next = 0u64;
    let reap_some = |r: &mut Ring, max: usize, sent: &mut HashMap<u64, (bool, u32)>| {
        let mut cq = r.cq();
        let mut out = Vec::new();
        for c in cq.by_ref().take(max) {
            out.push(c);
        }
        drop(cq);
        for c in out {
            let e = sent.get_mut(&c.user_data());
            prop_assert!(e.is_some(), "unknown CQE {c:?}");
            let e = e.unwrap();
            prop_assert!(!c.has_more());
            prop_assert!(!(e.0 && c.res() >= 0), "skip-success posted {c:?}");
            e.1 += 1;
            prop_assert_eq!(e.1, 1, "completed twice: {:?}", c);
        }
        Ok(())
    };
    for s in steps {
        match *s {
            Step::Push(n, kind, linked) => {
                let mut sqes = Vec::new();
                for i in 0..n {
                    let ud = next;
                    next += 1;
                    let mut sqe = match kind {
                        0 | 3 => nop(ud),
                        1 => pending(ud),
                        _ => nop(ud).flags(SqeFlags::CQE_SKIP_SUCCESS),
                    };
                    if linked && i + 1 < n {
                        sqe = sqe.flags(SqeFlags::IO_LINK);
                    }
                    sqes.push(sqe);
                }
                // SAFETY: no pointers in these SQEs.
                if unsafe { r.push_multiple(&sqes) }.is_ok() {
                    for s in &sqes {
                        sent.insert(
                            s.get_user_data(),
                            (s.get_flags().contains(SqeFlags::CQE_SKIP_SUCCESS), 0),
                        );
                    }
                } else {
                    next -= u64::from(n);
                }
            }
            Step::Submit => match r.submit() {
                Ok(_) => {}
                Err(e) if e.raw_os_error() == Some(libc::EINTR) => {}
                Err(e) => return Err(TestCaseError::fail(e.to_string())),
            },
            Step::SubmitAndWait(n) => match r.submit_and_wait(n.into()) {
                Ok(_) => {}
                Err(e) if matches!(e.raw_os_error(), Some(libc::ETIME | libc::EINTR)) => {}
                Err(e) => return Err(TestCaseError::fail(e.to_string())),
            },
            Step::Complete(i, res) => {
                let f = m.in_flight();
                if !f.is_empty() {
                    m.complete(f[usize::from(i) % f.len()], res);
                }
            }
            Step::Reap(n) => reap_some(&mut r, n.into(), &mut sent)?,
            Step::Fault(5) => m.fail_next_enter(libc::EINTR),
            Step::Fault(6) => m.limit_next_submit(1),
            Step::Fault(k) => m.inject(match k {
                0 => Fault::Error(libc::EIO),
                1 => Fault::Short(1),
                2 => Fault::Delay(1),
                3 => Fault::Hang,
                _ => Fault::Delay(0),
            }),
        }
    }
    // Drain: submit everything, complete everything, flush, reap.
    for _ in 0..64 {
        match r.submit() {
            Ok(_) => {}
            Err(e) if e.raw_os_error() == Some(libc::EINTR) => continue,
            Err(e) => return Err(TestCaseError::fail(e.to_string())),
        }
        for ud in m.in_flight() {
            m.complete(ud, 0);
        }
        let _ = r.submitter().get_events();
        reap_some(&mut r, usize::MAX, &mut sent)?;
        if m.in_flight().is_empty() && m.overflow_len() == 0 && r.submitter().sq_len() == 0 {
            let _ = r.submitter().get_events();
            reap_some(&mut r, usize::MAX, &mut sent)?;
            break;
        }
    }
    for (ud, (skip, n)) in &sent {
        prop_assert!(
            *n == 1 || (*skip && *n == 0),
            "user_data {} completed {} times",
            ud,
            n
        );
    }
    prop_assert_eq!(r.cq().overflow(), 0);
    Ok(())
}

fn cases() -> u32 {
    if cfg!(miri) { 4 } else { 256 }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_sqe_completes_exactly_once(
        shift in 0u32..4,
        cq_shift in 0u32..2,
        start in prop_oneof![Just(u32::MAX - 3), Just(0u32), any::<u32>()],
        no_sqarray in any::<bool>(),
        reorder in any::<bool>(),
        steps in proptest::collection::vec(step(), 1..if cfg!(miri) { 20 } else { 80 }),
    ) {
        let sq = 1u32 << shift;
        let cfg = Config::new(sq).cq_entries(sq << cq_shift).start_index(start).no_sqarray(no_sqarray);
        run(cfg, reorder, &steps)?;
    }
}

// ---- the ownership layer (driver) against the model, through its public API ---------------

mod driver {
    use super::*;
    use crate::driver::{Driver, Op, OpFile, Read};

    fn driver(cfg: Config) -> (Driver, Model) {
        let (r, m) = ring(cfg);
        (Driver::from_ring(r), m)
    }

    /// Ops complete in a random order with random results, interleaved with forged CQEs
    /// (unknown tags, duplicates): each op's buffer comes back exactly once, forged CQEs are
    /// counted as stale, nothing stays in flight.
    fn run_driver(order: &[usize], results: &[i32], forge: &[u64]) -> Result<(), TestCaseError> {
        let (mut d, m) = driver(Config::new(8).start_index(u32::MAX - 4));
        let mut ops: Vec<Option<Op<Read<Vec<u8>>>>> = Vec::new();
        for i in 0..order.len() {
            let buf = vec![0u8; 64];
            let op = d
                .submit(Read::new(OpFile::from_raw_fd(1000 + i as i32), buf, 0))
                .map_err(|e| TestCaseError::fail(format!("{:?}", e.error)))?;
            ops.push(Some(op));
            d.submit_pending()
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        let tags = m.in_flight();
        prop_assert_eq!(tags.len(), order.len());
        for (k, &o) in order.iter().enumerate() {
            let ud = tags[o % tags.len()];
            let res = results[k % results.len()];
            m.complete(ud, res);
            // A forged CQE: a tag no slot has, or a duplicate of the one just completed.
            let f = forge[k % forge.len()];
            m.post_raw(
                if f % 2 == 0 {
                    ud
                } else {
                    f | crate::driver::TAG
                },
                1,
                0,
            );
            d.reap(|_| {});
        }
        let _ = d.submit_and_wait(0);
        d.reap(|_| {});
        for op in ops.iter_mut() {
            let op = op.take().expect("each once");
            prop_assert!(d.is_done(&op));
            let (res, buf) = d.take(op).map_err(|_| TestCaseError::fail("not done"))?;
            prop_assert!(buf.capacity() >= 64);
            if let Ok(n) = res {
                prop_assert!(n as usize <= 64 && buf.len() == 64);
                // The model wrote the first `n` bytes at completion, into this very buffer.
                prop_assert!(buf[..n as usize].iter().all(|&b| b == 0xA5));
            }
        }
        prop_assert_eq!(d.in_flight(), 0);
        prop_assert!(d.stale_completions() >= 1);
        prop_assert_eq!(d.close(), 0);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: if cfg!(miri) { 2 } else { 128 }, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn driver_outputs_come_back_exactly_once(
            order in Just((0..6usize).collect::<Vec<_>>()).prop_shuffle(),
            results in proptest::collection::vec(-5i32..=64, 1..6),
            forge in proptest::collection::vec(any::<u64>(), 1..4),
        ) {
            run_driver(&order, &results, &forge)?;
        }
    }

    /// `submit_batch` past a full SQ whose making-room `io_uring_enter` fails once (EBUSY):
    /// that op comes back untouched with its buffer, the batch goes on, and every op pushed —
    /// before the failure too — counts as in flight and hands its buffer back exactly once.
    #[test]
    fn submit_batch_survives_a_failing_enter() {
        let (mut d, m) = driver(Config::new(4));
        m.fail_next_enter(libc::EBUSY);
        let mut ok = Vec::new();
        let mut back = Vec::new();
        let bufs = (0..10u8).map(|i| Read::new(OpFile::from_raw_fd(3), vec![i; 8], 0));
        d.submit_batch(bufs, |r| match r {
            Ok(op) => ok.push(op),
            Err(e) => back.push(e),
        });
        assert_eq!((ok.len(), back.len()), (9, 1));
        let e = back.pop().unwrap();
        assert_eq!(e.error.raw_os_error(), Some(libc::EBUSY));
        assert_eq!(
            e.op.into_buf(),
            vec![4u8; 8],
            "the refused op's buffer, untouched"
        );
        assert_eq!(d.in_flight(), 9);
        d.submit_pending().unwrap();
        for ud in m.in_flight() {
            m.complete(ud, 8);
        }
        // Nine CQEs on an 8-entry CQ: the last waits in the overflow list for an enter.
        d.reap(|_| {});
        d.submit_and_wait(1).unwrap();
        d.reap(|_| {});
        for op in ok {
            let (res, buf) = d.take(op).map_err(|_| "pending").unwrap();
            assert_eq!((res.unwrap(), buf.len()), (8, 8));
        }
        assert_eq!(d.close(), 0);
    }

    /// An SQE pushed before an `io_uring_enter` that fails (EINTR, EAGAIN) is still in flight:
    /// the next enter submits it and its buffer comes back through its handle.
    #[test]
    fn a_pushed_sqe_survives_a_failing_enter() {
        for errno in [libc::EINTR, libc::EAGAIN, libc::EBUSY] {
            let (mut d, m) = driver(Config::new(4));
            let op = d
                .submit(Read::new(OpFile::from_raw_fd(3), vec![0u8; 16], 0))
                .map_err(|e| e.error)
                .unwrap();
            m.fail_next_enter(errno);
            assert_eq!(d.submit_pending().unwrap_err().raw_os_error(), Some(errno));
            assert_eq!(d.in_flight(), 1);
            assert!(m.in_flight().is_empty(), "not consumed by the failed enter");
            d.submit_pending().unwrap();
            let ud = m.in_flight()[0];
            m.complete(ud, 5);
            d.reap(|_| {});
            let (res, buf) = d.take(op).map_err(|_| "pending").unwrap();
            assert_eq!(res.unwrap(), 5);
            assert!(
                buf[..5].iter().all(|&b| b == 0xA5),
                "the model's read landed in it"
            );
            assert_eq!(d.close(), 0);
        }
    }

    #[test]
    fn dropping_the_driver_cancels_in_flight_ops_on_the_model() {
        let (mut d, m) = driver(Config::new(8));
        for i in 0..5 {
            let op = d
                .submit(Read::new(OpFile::from_raw_fd(i), vec![0u8; 16], 0))
                .map_err(|e| e.error)
                .unwrap();
            d.detach(op);
        }
        d.submit_pending().unwrap();
        assert_eq!(m.in_flight().len(), 5);
        // close(): cancel-all (ASYNC_CANCEL ANY) on the model, reaped, nothing leaked.
        assert_eq!(d.close(), 0);
        assert!(m.in_flight().is_empty());
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "leaks the in-flight op on purpose, which Miri's leak check reports"
    )]
    fn a_corrupt_cq_makes_the_driver_fail_and_leak_not_free() {
        let (mut d, m) = driver(Config::new(8));
        let op = d
            .submit(Read::new(OpFile::from_raw_fd(3), vec![0u8; 16], 0))
            .map_err(|e| e.error)
            .unwrap();
        d.submit_pending().unwrap();
        m.set_cq_tail(m.cq_head().wrapping_add(100));
        assert_eq!(d.reap(|_| {}), 0);
        let e = d.submit_and_wait(1).unwrap_err();
        assert_eq!(crate::error::errno(&e), Some(libc::EUCLEAN));
        assert!(!d.is_done(&op));
        d.detach(op);
        // The op may still be in use by a (broken) kernel: leaked, not freed.
        assert_eq!(d.close(), 1);
    }
}

/// A result larger than the buffer (a kernel never posts one) must not make the driver
/// declare bytes initialized past the buffer.
#[test]
fn an_impossible_read_length_does_not_overrun_the_buffer() {
    use crate::driver::{Driver, OpFile, Read};
    let (r, m) = ring(Config::new(4));
    let mut d = Driver::from_ring(r);
    let op = d
        .submit(Read::new(OpFile::from_raw_fd(3), Vec::with_capacity(16), 0))
        .map_err(|e| e.error)
        .unwrap();
    d.submit_pending().unwrap();
    let ud = m.in_flight()[0];
    m.complete(ud, 4096);
    d.reap(|_| {});
    let (res, buf) = d.take(op).map_err(|_| "pending").unwrap();
    assert!(
        buf.len() <= buf.capacity(),
        "len {} > capacity {}",
        buf.len(),
        buf.capacity()
    );
    // Nor report a length the caller would index the buffer with (found by fuzz/ring_model).
    let e = res.unwrap_err();
    assert_eq!(crate::error::errno(&e), Some(libc::EUCLEAN), "{e}");
    assert!(buf.is_empty(), "nothing marked initialized");
}

/// The same for a write: a result above the bytes given is an error, not a length.
#[test]
fn an_impossible_write_length_is_an_error() {
    use crate::driver::{Driver, OpFile, Write};
    let (r, m) = ring(Config::new(4));
    let mut d = Driver::from_ring(r);
    let op = d
        .submit(Write::new(OpFile::from_raw_fd(3), vec![7u8; 16], 0))
        .map_err(|e| e.error)
        .unwrap();
    d.submit_pending().unwrap();
    m.complete(m.in_flight()[0], 17);
    d.reap(|_| {});
    let (res, buf) = d.take(op).map_err(|_| "pending").unwrap();
    assert_eq!(crate::error::errno(&res.unwrap_err()), Some(libc::EUCLEAN));
    assert_eq!(buf, [7u8; 16]);
}

// ---- the model against the real kernel (differential; not under Miri) ------------------------

/// NOP chains with injected results, links, hardlinks and CQE_SKIP_SUCCESS, submitted in the
/// same batches to a real ring and to the model: the same CQEs (per user_data) must come out.
#[cfg_attr(miri, ignore = "needs the kernel")]
#[test]
fn the_model_agrees_with_the_kernel_on_nop_chains() {
    let probe = Ring::new(8).and_then(|r| r.probe());
    let Ok(probe) = probe else {
        println!("skipped: no io_uring ({probe:?})");
        return;
    };
    if !probe.is_supported(sys::IORING_OP_NOP) {
        println!("skipped: the kernel's probe says NOP is unsupported");
        return;
    }
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let nops = proptest::collection::vec((0u8..16, -3i32..3, any::<bool>()), 1..24);
    runner
        .run(&nops, |nops| {
            let mut real = Ring::builder().cq_entries(64).build(32).expect("real ring");
            let (mut model, _m) = ring(Config::new(32).cq_entries(64));
            let mut sqes = Vec::new();
            let mut batches = Vec::new();
            for (i, &(f, res, end)) in nops.iter().enumerate() {
                let mut flags = SqeFlags::empty();
                if f & 1 != 0 {
                    flags |= SqeFlags::IO_LINK;
                }
                if f & 2 != 0 {
                    flags |= SqeFlags::IO_HARDLINK;
                }
                if f & 4 != 0 {
                    flags |= SqeFlags::CQE_SKIP_SUCCESS;
                }
                let mut sqe = nop(i as u64).flags(flags);
                sqe.as_raw_mut().rw_flags_union.nop_flags = sys::IORING_NOP_INJECT_RESULT;
                sqe.as_raw_mut().len = res as u32;
                sqes.push(sqe);
                if end || i + 1 == nops.len() {
                    batches.push(core::mem::take(&mut sqes));
                }
            }
            let mut got = [Vec::new(), Vec::new()];
            // The model first (instant), then the kernel until as many CQEs came (a chain left
            // open at a batch end goes to io-wq and completes later), plus a short look for
            // extra ones.
            for (k, r) in [&mut model, &mut real].into_iter().enumerate() {
                for b in &batches {
                    // SAFETY: NOPs carry no pointers.
                    unsafe { r.push_multiple(b) }.expect("room");
                    r.submit().expect("submit");
                }
                let want = if k == 0 { 0 } else { got[0].len() };
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
                let mut v = reap(r);
                while v.len() < want && std::time::Instant::now() < deadline {
                    let _ = r
                        .submitter()
                        .wait(1, Some(std::time::Duration::from_millis(50)));
                    v.extend(reap(r));
                }
                let _ = r
                    .submitter()
                    .wait(1, Some(std::time::Duration::from_millis(2)));
                v.extend(reap(r));
                v.sort_unstable();
                got[k] = v;
            }
            prop_assert_eq!(
                &got[0],
                &got[1],
                "model (left) vs kernel (right) for {:?}",
                nops
            );
            Ok(())
        })
        .unwrap();
}

/// Every byte of a pushed SQE reaches the ring slot as it was (the push copies SQEs as words):
/// SQEs whose 64 bytes are all different, pushed one by one and all at once across the wrap.
#[test]
fn pushed_sqes_arrive_byte_for_byte() {
    use std::sync::{Arc, Mutex};
    let (mut r, m) = ring(Config::new(4).start_index(u32::MAX - 2));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    m.set_handler(move |sqe| {
        // SAFETY: every byte of the SQEs this test pushes is initialised (built from bytes).
        let bytes: [u8; 64] = unsafe { core::mem::transmute(*sqe.as_raw()) };
        log.lock().unwrap().push(bytes);
        Outcome::Complete { res: 0, flags: 0 }
    });
    let sqe = |k: u8| {
        let mut b: [u8; 64] = core::array::from_fn(|i| (i as u8).wrapping_mul(3).wrapping_add(k));
        b[0] = sys::IORING_OP_READ;
        b[1] = 0; // no IOSQE_* flags
        // SAFETY: `io_uring_sqe` is 64 bytes of integers and unions of integers, for which
        // every initialised bit pattern is valid.
        Sqe::from_raw(unsafe { core::mem::transmute::<[u8; 64], sys::io_uring_sqe>(b) })
    };
    let mut want = Vec::new();
    for round in 0..3u8 {
        let batch: Vec<Sqe> = (0..4).map(|i| sqe(round * 16 + i)).collect();
        if round == 1 {
            // SAFETY: the model never dereferences SQE pointers.
            unsafe { r.push_multiple(&batch) }.expect("room in the SQ");
        } else {
            for s in &batch {
                push(&mut r, s);
            }
        }
        // SAFETY: as in the handler: built from bytes.
        want.extend(
            batch.iter().map(|s| unsafe {
                core::mem::transmute::<sys::io_uring_sqe, [u8; 64]>(*s.as_raw())
            }),
        );
        assert_eq!(r.submit_and_wait(4).unwrap(), 4);
        assert_eq!(reap(&mut r).len(), 4);
    }
    assert_eq!(*seen.lock().unwrap(), want);
}
