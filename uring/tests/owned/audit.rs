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
