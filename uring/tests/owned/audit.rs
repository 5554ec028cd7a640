//! Regression tests from the adversarial audit of the driver's safe API: each sequence of safe
//! calls here once lost a count, leaked, or panicked.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use uring::driver::{Driver, Nop};

/// A panic in `reap`'s closure (a runtime's waker) after a CQE was consumed: the operation's
/// final CQE is gone from the ring, so it must no longer count as in flight — otherwise the
/// drop waits the whole drop timeout for a CQE that never comes and then leaks the slab and
/// every buffer ring.
#[test]
fn panic_in_reap_callback_keeps_in_flight_exact() {
    let mut d = Driver::new(8).unwrap();
    let ops: Vec<_> = (0..4).map(|_| d.submit(Nop).unwrap()).collect();
    d.submit_and_wait(4).unwrap();
    let mut calls = 0;
    let r = catch_unwind(AssertUnwindSafe(|| {
        d.reap(|_| {
            calls += 1;
            if calls == 2 {
                panic!("waker panicked");
            }
        })
    }));
    assert!(r.is_err());
    // The two CQEs seen so far are consumed; the other two are still in the CQ.
    d.reap(|_| {});
    assert_eq!(d.in_flight(), 0, "every final CQE was consumed");
    for op in ops {
        assert_eq!(d.take(op).unwrap().unwrap(), 0);
    }
    d.set_drop_timeout(Duration::from_secs(5));
    let t0 = Instant::now();
    assert_eq!(d.close(), 0, "nothing is in flight, nothing leaked");
    assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
}

/// `RecvMsgMulti` with a control length near `usize::MAX`: the header size it needs overflows.
/// It must be refused at submission with a clear error — not a debug-build overflow panic, and
/// not (in release) a wrapped size small enough to pass the check.
#[test]
fn recvmsg_multishot_huge_lengths_are_refused() {
    use uring::driver::multishot::RecvMsgMulti;
    let mut d = Driver::new(8).unwrap();
    let ring = d.buf_ring(4, 256).unwrap();
    let (_a, b) = std::os::unix::net::UnixDatagram::pair().unwrap();
    for (namelen, controllen) in [
        (0, usize::MAX),
        (u32::MAX, usize::MAX - 8),
        (8, usize::MAX - 30),
    ] {
        let err = d
            .submit_multishot(RecvMsgMulti::new(&b, &ring, namelen, controllen))
            .unwrap_err();
        assert_eq!(err.error.kind(), std::io::ErrorKind::InvalidInput, "{err}");
        assert!(err.error.to_string().contains("too small"), "{err}");
    }
    assert_eq!(d.in_flight(), 0);
}
