//! EVFILT_TIMER accuracy and units, and `wait` timeouts.

use crate::util::{kq, wait};
use kqueue::{Change, Filter, Timer};
use std::time::{Duration, Instant};

const LONG: Duration = Duration::from_secs(5);

fn fires_after(timer: Timer, min: Duration) -> Duration {
    let kq = kq();
    let start = Instant::now();
    kq.apply(&[Change::timer(1, timer, 9).unwrap()]).unwrap();
    let ev = wait(&kq, LONG);
    let took = start.elapsed();
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!((ev[0].filter(), ev[0].token()), (Filter::Timer, 9));
    assert!(took >= min, "fired early: {took:?} < {min:?}");
    assert!(took < min + Duration::from_secs(2), "fired late: {took:?}");
    took
}

#[test]
fn oneshot_millisecond_timer_is_accurate() {
    fires_after(
        Timer::once(Duration::from_millis(100)),
        Duration::from_millis(100),
    );
}

#[test]
fn sub_millisecond_units_are_honoured() {
    // 1.5 ms is not whole milliseconds: nanoseconds where the system has them, else 2 ms.
    fires_after(
        Timer::once(Duration::from_micros(1500)),
        Duration::from_micros(1500),
    );
}

#[cfg(not(target_os = "dragonfly"))]
#[test]
fn absolute_timer_fires_at_the_deadline() {
    let at = std::time::SystemTime::now() + Duration::from_millis(200);
    // Wall clock vs monotonic: allow 10 ms of skew between the two clocks' readings.
    fires_after(Timer::at(at), Duration::from_millis(190));
}

#[cfg(target_os = "dragonfly")]
#[test]
fn absolute_timer_is_unsupported() {
    let err = Change::timer(1, Timer::at(std::time::SystemTime::now()), 0).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::Unsupported);
}

#[test]
fn periodic_timer_counts_expirations() {
    let kq = kq();
    kq.apply(&[Change::timer(2, Timer::periodic(Duration::from_millis(10)), 0).unwrap()])
        .unwrap();
    std::thread::sleep(Duration::from_millis(120));
    let ev = wait(&kq, LONG);
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert!(
        (5..=20).contains(&ev[0].data()),
        "about 12 expirations in 120 ms, got {}",
        ev[0].data()
    );
}

#[test]
fn wait_timeout_is_honoured() {
    let kq = kq();
    let start = Instant::now();
    assert!(wait(&kq, Duration::from_millis(100)).is_empty());
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(100) && took < Duration::from_secs(2),
        "{took:?}"
    );
}
