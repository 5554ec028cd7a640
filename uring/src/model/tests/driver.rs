//! The ownership layer (driver) against the model, through its public API.

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
        let tag = if f % 2 == 0 {
            ud
        } else {
            // Slot index 0xff_ffff: a driver with six operations has no such slot.
            f | crate::driver::TAG | 0xff_ffff
        };
        // SAFETY: the tag of the op just completed, or one no slot has: the driver ignores
        // both (counted as stale).
        unsafe { m.post_raw(tag, 1, 0) };
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

/// `Driver::wait` does what the driver's docs tell a loop to do: `EBUSY` and `EAGAIN` from the
/// enter are retried after a reap, not returned (the op's output is not lost to a transient
/// failure).
#[test]
fn wait_retries_a_transient_enter_failure() {
    for errno in [libc::EINTR, libc::EAGAIN, libc::EBUSY] {
        let (mut d, m) = driver(Config::new(4));
        let op = d.submit(crate::driver::Nop).map_err(|e| e.error).unwrap();
        m.fail_next_enter(errno);
        let out = d.wait(op);
        assert!(out.is_ok(), "errno {errno}: {out:?}");
        assert_eq!(d.in_flight(), 0);
        assert_eq!(d.close(), 0);
    }
}

/// An enter that fails with `EAGAIN`/`EBUSY` every time: `Driver::wait` gives up after its
/// bound and returns the error (never an endless loop), the op detached, not lost.
#[test]
fn wait_gives_up_on_an_enter_that_always_fails() {
    let (mut d, m) = driver(Config::new(4));
    let op = d.submit(crate::driver::Nop).map_err(|e| e.error).unwrap();
    m.set_chaos(crate::model::Chaos::new(3).enter_errors(100));
    let e = d.wait(op).expect_err("every enter fails");
    let errno = e.raw_os_error();
    assert!(matches!(errno, Some(libc::EAGAIN | libc::EBUSY)), "{e:?}");
    let st = m.stats();
    assert!(
        st.faults > u64::from(crate::driver::WAIT_TRANSIENT_RETRIES),
        "{st:?}"
    );
    // The model stops failing: the detached op finishes by itself.
    m.set_chaos(crate::model::Chaos::new(3));
    d.submit_pending().unwrap();
    d.reap(|_| {});
    assert_eq!(d.in_flight(), 0);
    assert_eq!(d.close(), 0);
}

/// `submit_with_timeout` when the submit it makes room with consumes nothing (one SQ entry
/// left, the operation needs two): the operation comes back and nothing is published, so no
/// `IO_LINK` is left open for the next SQE to join and no timer slot stays taken.
#[test]
fn submit_with_timeout_without_room_for_two_publishes_nothing() {
    let (mut d, m) = driver(Config::new(2));
    let nop = d.submit(crate::driver::Nop).map_err(|e| e.error).unwrap();
    m.limit_next_submit(0);
    let Err(e) = d.submit_with_timeout(
        Read::new(OpFile::from_raw_fd(3), vec![0u8; 8], 0),
        std::time::Duration::from_secs(1),
    ) else {
        panic!("no room for an operation and its timeout");
    };
    assert_eq!(
        e.error.kind(),
        std::io::ErrorKind::WouldBlock,
        "{}",
        e.error
    );
    assert_eq!(d.in_flight(), 1, "only the NOP");
    // The NOP goes alone: nothing was linked to it or behind it.
    assert!(d.wait(nop).is_ok());
    assert_eq!(m.stats().consumed, 1);
    assert!(m.in_flight().is_empty());
    assert_eq!(d.close(), 0);
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
    // SAFETY: a tail 100 ahead of a ring of 16: the ring reads none of it.
    unsafe { m.set_cq_tail(m.cq_head().wrapping_add(100)) };
    assert_eq!(d.reap(|_| {}), 0);
    let e = d.submit_and_wait(1).unwrap_err();
    assert_eq!(crate::error::errno(&e), Some(libc::EUCLEAN));
    assert!(!d.is_done(&op));
    d.detach(op);
    // The op may still be in use by a (broken) kernel: leaked, not freed.
    assert_eq!(d.close(), 1);
}

/// A result larger than the buffer (a kernel never posts one) must not make the driver
/// declare bytes initialized past the buffer.
#[test]
fn an_impossible_read_length_does_not_overrun_the_buffer() {
    use crate::driver::{Driver, OpFile, Read};
    // SAFETY: the one impossible result scripted is above the buffer's capacity, which the
    // driver checks: that check is what is tested.
    let (r, m) = ring(unsafe { Config::new(4).impossible_results(true) });
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
    // SAFETY: the one impossible result scripted is above the buffer's capacity, which the
    // driver checks: that check is what is tested.
    let (r, m) = ring(unsafe { Config::new(4).impossible_results(true) });
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
