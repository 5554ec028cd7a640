//! Timeouts 0, sub-millisecond, 1 ms, 1 s, huge and `None`, within generous tolerances (the
//! machine is shared: only lower bounds are tight).

use epoll::{Epoll, Events, Waker};
use std::thread;
use std::time::{Duration, Instant};

fn timed(ep: &Epoll, timeout: Option<Duration>) -> Duration {
    let mut ev = Events::with_capacity(4);
    let start = Instant::now();
    assert_eq!(ep.wait(&mut ev, timeout).unwrap(), 0);
    assert!(ev.is_empty());
    start.elapsed()
}

#[test]
fn zero_returns_at_once() {
    let ep = Epoll::new().unwrap();
    let t = timed(&ep, Some(Duration::ZERO));
    assert!(t < Duration::from_millis(100), "{t:?}");
}

#[test]
fn one_millisecond() {
    let ep = Epoll::new().unwrap();
    let t = timed(&ep, Some(Duration::from_millis(1)));
    assert!(t >= Duration::from_millis(1), "returned early: {t:?}");
    assert!(t < Duration::from_millis(500), "{t:?}");
}

#[test]
fn sub_millisecond_is_not_a_busy_loop_nor_a_millisecond() {
    let ep = Epoll::new().unwrap();
    let d = Duration::from_micros(300);
    let t = timed(&ep, Some(d));
    assert!(t >= d, "returned before {d:?}: {t:?}");
    assert!(t < Duration::from_millis(200), "{t:?}");
    let d = Duration::from_nanos(1);
    let t = timed(&ep, Some(d));
    assert!(t >= d, "{t:?}");
}

#[test]
fn one_second() {
    let ep = Epoll::new().unwrap();
    let t = timed(&ep, Some(Duration::from_secs(1)));
    assert!(t >= Duration::from_secs(1), "returned early: {t:?}");
    assert!(t < Duration::from_secs(3), "{t:?}");
}

fn woken_after(timeout: Option<Duration>, after: Duration) -> Duration {
    let ep = Epoll::new().unwrap();
    let waker = Waker::new(&ep, 1).unwrap();
    let start = Instant::now();
    let mut ev = Events::with_capacity(4);
    thread::scope(|s| {
        s.spawn(|| {
            thread::sleep(after);
            waker.wake().unwrap();
        });
        assert_eq!(ep.wait(&mut ev, timeout).unwrap(), 1);
    });
    start.elapsed()
}

#[test]
fn none_waits_until_woken() {
    let t = woken_after(None, Duration::from_millis(300));
    assert!(t >= Duration::from_millis(300), "{t:?}");
    assert!(t < Duration::from_secs(5), "{t:?}");
}

#[test]
fn longer_than_i32_millis_is_accepted() {
    // Past `epoll_wait`'s int milliseconds: goes through `epoll_pwait2` (or clamps).
    for d in [Duration::from_millis(i32::MAX as u64 + 1), Duration::MAX] {
        let t = woken_after(Some(d), Duration::from_millis(100));
        assert!(
            t >= Duration::from_millis(100) && t < Duration::from_secs(5),
            "{t:?}"
        );
    }
}
