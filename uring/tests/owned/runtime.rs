//! What a runtime built on the driver needs, against the real kernel: the waker, a
//! `DEFER_TASKRUN` driver turned from an outer epoll loop, abandon, generic failure outputs,
//! sends straight from provided and registered buffers, and messages between drivers on two
//! threads. Every wait is bounded.

use std::io::{Read as _, Write as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use uring::driver::pbuf::RecvMulti;
use uring::driver::{
    Driver, IoBuf, IoBufMut, MsgRing, Operation, Recv, Send, SubmitError, TakeError,
};

use crate::support::{pipe, tcp_pair, turn_until, write_all};

/// The waker from another thread makes a blocked wait return, any number of times, and is
/// not counted as an operation in flight.
#[test]
fn waker_from_another_thread_unblocks_a_wait() {
    let mut d = Driver::new(8).unwrap();
    let w = d.waker().unwrap();
    assert_eq!(
        d.in_flight(),
        0,
        "the waker's read is not the caller's operation"
    );
    for round in 0..3 {
        let w = w.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            // Coalesced: many wakes, one write.
            for _ in 0..100 {
                w.wake().unwrap();
            }
        });
        let t0 = Instant::now();
        // A bounded wait stands for the blocking one: it must end well before its timeout.
        let n = d
            .ring()
            .submitter()
            .wait(1, Some(Duration::from_secs(5)))
            .unwrap();
        assert!(n >= 1, "round {round}: woken, not timed out");
        assert!(t0.elapsed() < Duration::from_secs(4), "round {round}");
        d.reap(|_| panic!("the waker's completion is the driver's own"));
        t.join().unwrap();
        assert_eq!(d.in_flight(), 0);
    }
    // `submit_and_wait` itself, woken from another thread.
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        w.wake().unwrap();
    });
    d.submit_and_wait(1).unwrap();
    t.join().unwrap();
}

/// A `SINGLE_ISSUER | DEFER_TASKRUN` driver driven from an outer epoll loop: epoll reports the
/// ring fd readable, but completions are task work that only an enter with GETEVENTS runs, so
/// `reap` alone finds nothing; `get_events` runs it without blocking.
#[test]
fn defer_taskrun_driver_turns_from_an_outer_epoll_loop() {
    let ring = match uring::Ring::builder()
        .single_issuer()
        .defer_taskrun()
        .build(8)
    {
        Ok(r) => r,
        Err(e) if uring::error::errno(&e) == Some(libc::EINVAL) => {
            eprintln!("SKIPPED defer_taskrun_driver_turns_from_an_outer_epoll_loop: {e}");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    let mut d = Driver::from_ring(ring);
    let (r, w) = pipe();
    let op = d
        .submit(uring::driver::Read::new(&r, vec![0u8; 16], u64::MAX))
        .unwrap();
    d.submit_pending().unwrap();
    let ep = epoll::Epoll::new().unwrap();
    ep.add(d.ring(), 7, epoll::Interest::READABLE).unwrap();
    write_all(&w, b"deferred");
    let mut events = epoll::Events::with_capacity(4);
    let n = ep.wait(&mut events, Some(Duration::from_secs(5))).unwrap();
    assert_eq!(n, 1, "the ring fd is readable: task work is pending");
    assert_eq!(d.reap(|_| {}), 0, "no CQE before the task work runs");
    // The outer loop's turn: get_events, reap; again when epoll says so (on 6.1 the work the
    // first wake-up announced can take a second turn). Bounded: 5 turns of at most 1 s.
    let mut turns = 0;
    while !d.is_done(&op) {
        turns += 1;
        assert!(
            turns <= 5,
            "the deferred completion never came through get_events"
        );
        if turns > 1 {
            ep.wait(&mut events, Some(Duration::from_secs(1))).unwrap();
        }
        d.get_events().unwrap();
        d.reap(|_| {});
    }
    let (res, buf) = d.take(op).unwrap();
    assert_eq!(&buf[..res.unwrap() as usize], b"deferred");
}

/// A buffer that says when it is freed.
struct Tracked {
    v: Vec<u8>,
    freed: Arc<AtomicBool>,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.freed.store(true, Ordering::SeqCst);
    }
}

// SAFETY: delegates to the `Vec`, which this owns and never reallocates.
unsafe impl IoBuf for Tracked {
    fn stable_ptr(&self) -> *const u8 {
        self.v.stable_ptr()
    }
    fn bytes_init(&self) -> usize {
        self.v.bytes_init()
    }
    fn bytes_total(&self) -> usize {
        self.v.bytes_total()
    }
}

// SAFETY: as above.
unsafe impl IoBufMut for Tracked {
    fn stable_mut_ptr(&mut self) -> *mut u8 {
        self.v.stable_mut_ptr()
    }
    unsafe fn set_init(&mut self, pos: usize) {
        // SAFETY: forwarded (the caller's promise).
        unsafe { self.v.set_init(pos) }
    }
}

/// `abandon` ends an idle recv (no peer data ever comes) at the next enter and frees its
/// buffer; `detach` alone would keep it in flight.
#[test]
fn abandon_ends_an_idle_recv_and_frees_its_buffer() {
    let mut d = Driver::new(8).unwrap();
    let (_client, server) = tcp_pair();
    let freed = Arc::new(AtomicBool::new(false));
    let buf = Tracked {
        v: Vec::with_capacity(64),
        freed: freed.clone(),
    };
    let op = d.submit(Recv::new(&server, buf, 0)).unwrap();
    d.submit_pending().unwrap();
    assert_eq!(d.in_flight(), 1);
    d.abandon(op).unwrap();
    turn_until(&mut d, "the abandoned recv ends", |d| d.in_flight() == 0);
    assert!(
        freed.load(Ordering::SeqCst),
        "the buffer was freed by the driver"
    );
}

/// `abandon_multishot` ends a multishot recv and gives its buffers back to the ring.
#[test]
fn abandon_multishot_returns_its_buffers() {
    let mut d = Driver::new(8).unwrap();
    let ring = match d.buf_ring(4, 64) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("SKIPPED abandon_multishot_returns_its_buffers: {e}");
            return;
        }
    };
    let (mut client, server) = tcp_pair();
    let h = match d.submit_multishot(RecvMulti::new(&server, &ring)) {
        Ok(h) => h,
        Err(e) => panic!("{}", e.error),
    };
    client.write_all(b"queued, never taken").unwrap();
    turn_until(&mut d, "the item arrives", |_| ring.available() < 4);
    d.abandon_multishot(h).unwrap();
    turn_until(&mut d, "the multishot ends", |d| d.in_flight() == 0);
    assert_eq!(ring.available(), 4, "every buffer is back in the ring");
}

/// A generic submitter turns any `SubmitError<T>` into `T::Output`, with the memory back.
#[test]
fn submit_error_becomes_the_operations_output() {
    fn submit_or_output<T: Operation>(d: &mut Driver, op: T) -> Result<T::Output, ()> {
        match d.submit(op) {
            Ok(_) => Err(()),
            Err(e) => Ok(SubmitError::into_output(e)),
        }
    }
    let mut a = Driver::new(4).unwrap();
    let b = {
        let mut b = Driver::new(4).unwrap();
        let test = "submit_error_becomes_the_operations_output";
        let Some(pool) = crate::support::fixed_buffers_or_skip(&mut b, 1, 64, test) else {
            return;
        };
        pool
    };
    let lease = b.checkout().unwrap();
    let (r, _w) = pipe();
    let (res, lease) = submit_or_output(
        &mut a,
        uring::driver::fixed::ReadFixed::new(&r, lease, u64::MAX),
    )
    .expect("another driver's lease is refused");
    assert_eq!(res.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
    assert_eq!(lease.index(), 0, "the lease came back");
}

/// Echo from the provided buffer a multishot recv filled: the send owns the `BufRef` and the
/// buffer goes back to the ring after the send, with no copy.
#[test]
fn send_straight_from_a_provided_buffer() {
    let mut d = Driver::new(8).unwrap();
    let ring = match d.buf_ring(4, 64) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("SKIPPED send_straight_from_a_provided_buffer: {e}");
            return;
        }
    };
    let (mut client, server) = tcp_pair();
    let h = match d.submit_multishot(RecvMulti::new(&server, &ring)) {
        Ok(h) => h,
        Err(e) => panic!("{}", e.error),
    };
    client.write_all(b"echo me").unwrap();
    let mut item = None;
    turn_until(&mut d, "the item arrives", |d| {
        item = item.take().or_else(|| d.next(&h));
        item.is_some()
    });
    let got = item.unwrap().unwrap();
    assert_eq!(&got[..], b"echo me");
    let bid = got.bid();
    let op = d.submit(Send::new(&server, got, 0)).unwrap();
    let (res, back) = d.wait(op).unwrap();
    assert_eq!(res.unwrap(), 7);
    assert_eq!(back.bid(), bid, "the very buffer came back");
    assert_eq!(ring.available(), 3, "held until dropped");
    drop(back);
    assert_eq!(ring.available(), 4);
    let mut echoed = [0u8; 7];
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    client.read_exact(&mut echoed).unwrap();
    assert_eq!(&echoed, b"echo me");
    d.abandon_multishot(h).unwrap();
    turn_until(&mut d, "the multishot ends", |d| d.in_flight() == 0);
}

/// A registered buffer sent (`SEND_ZC` with `IORING_RECVSEND_FIXED_BUF`: plain `SEND` takes
/// none) and received (`READ_FIXED` on the socket: `RECV` takes no fixed buffer either).
#[test]
fn fixed_buffer_send_and_receive() {
    use uring::driver::SendZc;
    use uring::driver::fixed::ReadFixed;
    let mut d = Driver::new(8).unwrap();
    if !crate::support::supported(
        &d,
        uring_sys::IORING_OP_SEND_ZC,
        "fixed_buffer_send_and_receive",
    ) {
        return;
    }
    let test = "fixed_buffer_send_and_receive";
    let Some(pool) = crate::support::fixed_buffers_or_skip(&mut d, 2, 4096, test) else {
        return;
    };
    let (mut client, server) = tcp_pair();
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut out = pool.checkout().unwrap();
    out.copy_from(b"from a registered buffer").unwrap();
    let op = d.submit(SendZc::fixed(&server, out, 0)).unwrap();
    let (res, out) = d.wait(op).unwrap();
    assert_eq!(res.unwrap(), 24);
    let mut got = [0u8; 24];
    client.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"from a registered buffer");
    drop(out);
    client.write_all(b"into a registered buffer").unwrap();
    let lease = pool.checkout().unwrap();
    let op = d.submit(ReadFixed::new(&server, lease, u64::MAX)).unwrap();
    let (res, lease) = d.wait(op).unwrap();
    assert_eq!(res.unwrap(), 24);
    assert_eq!(&lease[..], b"into a registered buffer");
}

/// Two drivers on two threads: one posts messages to the other's ring, which finds them in
/// its foreign completions; a `user_data` with bit 63 set is refused.
#[test]
fn msg_ring_between_drivers_on_two_threads() {
    let probe = Driver::new(2).unwrap();
    if !crate::support::supported(
        &probe,
        uring_sys::IORING_OP_MSG_RING,
        "msg_ring_between_drivers_on_two_threads",
    ) {
        return;
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let receiver = std::thread::spawn(move || {
        let mut b = Driver::new(8).unwrap();
        tx.send(b.msg_target().unwrap()).unwrap();
        let mut got = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        while got.len() < 3 {
            assert!(Instant::now() < deadline, "messages never arrived");
            let _ = b
                .ring()
                .submitter()
                .wait(1, Some(Duration::from_millis(50)));
            b.reap(|_| {});
            got.extend(b.foreign_completions().map(|c| (c.user_data(), c.res())));
        }
        got
    });
    let target = rx.recv().unwrap();
    let mut a = Driver::new(8).unwrap();
    assert_eq!(
        MsgRing::new(&target, uring::driver::TAG | 1, 0)
            .unwrap_err()
            .kind(),
        std::io::ErrorKind::InvalidInput
    );
    for i in 0..3u64 {
        let op = a
            .submit(MsgRing::new(&target, 100 + i, i as i32).unwrap())
            .unwrap();
        a.wait(op).unwrap().unwrap();
    }
    let got = receiver.join().unwrap();
    assert_eq!(got, [(100, 0), (101, 1), (102, 2)]);
    // The handle of one driver still names nothing in the other.
    let op = a.submit(uring::driver::Nop).unwrap();
    let mut c = Driver::new(2).unwrap();
    assert!(matches!(c.take(op), Err(TakeError::Foreign(_))));
}
