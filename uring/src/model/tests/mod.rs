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

/// An opcode the model leaves pending (any but NOP/ASYNC_CANCEL/LINK_TIMEOUT), and whose
/// result can be anything (a poll mask: no memory behind it, see `honest.rs`).
fn pending(user_data: u64) -> Sqe {
    Sqe::new(sys::IORING_OP_POLL_ADD).user_data(user_data)
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
    // A result beyond `len` is `len`: no kernel reports more than it was given.
    assert!(m.complete(1, 8));
    assert!(m.complete(2, 1000));
    assert_eq!(reap(&mut r), vec![(1, 8, 0), (2, 16, 0)]);
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
    // SAFETY: no CQE is read from a CQ tail a ring and more ahead (the ring refuses it).
    unsafe { m.set_cq_tail(head.wrapping_add(r.cq_entries() + 1)) };
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
        // SAFETY: nothing is pushed over (the ring refuses a head it cannot trust).
        unsafe {
            m.set_sq_head(if backwards {
                tail.wrapping_sub(5)
            } else {
                tail.wrapping_add(1)
            })
        };
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
    // SAFETY: only read back here, nothing acts on it.
    unsafe { m.post_raw(0xdead_beef, 5, sys::IORING_CQE_F_BUFFER | (0xffff << 16)) };
    let c = r.cq().next().unwrap();
    assert_eq!((c.user_data(), c.buffer_id()), (0xdead_beef, Some(0xffff)));
}

mod attacks;
mod chaos;
mod differential;
mod driver;
mod random;
