//! The eventfd waker: from another thread, and coalescing.

use crate::util::ZERO;
use epoll::{Epoll, Events, Waker};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

#[test]
fn waker_wakes_a_blocked_wait_from_another_thread() {
    let ep = Epoll::new().unwrap();
    let waker = Arc::new(Waker::new(&ep, u64::MAX).unwrap());
    let start = Instant::now();
    let w = waker.clone();
    let t = thread::spawn(move || {
        thread::sleep(Duration::from_millis(200));
        w.wake().unwrap();
    });
    let mut ev = Events::with_capacity(4);
    // `None`: only the waker can end this wait.
    assert_eq!(ep.wait(&mut ev, None).unwrap(), 1);
    let elapsed = start.elapsed();
    assert_eq!(ev.iter().next().unwrap().token(), u64::MAX);
    assert!(
        elapsed >= Duration::from_millis(200),
        "woke before the wake: {elapsed:?}"
    );
    t.join().unwrap();
}

#[test]
fn many_wakes_coalesce_into_one_event() {
    let ep = Epoll::new().unwrap();
    let waker = Waker::new(&ep, 42).unwrap();
    let mut ev = Events::with_capacity(4);
    assert_eq!(ep.wait(&mut ev, ZERO).unwrap(), 0, "unwoken waker reported");
    for _ in 0..1000 {
        waker.wake().unwrap();
    }
    assert_eq!(ep.wait(&mut ev, ZERO).unwrap(), 1);
    assert_eq!(ev.iter().next().unwrap().token(), 42);
    assert_eq!(
        ep.wait(&mut ev, ZERO).unwrap(),
        0,
        "one wake batch reported twice"
    );
    // It keeps working without any reset.
    waker.wake().unwrap();
    assert_eq!(ep.wait(&mut ev, ZERO).unwrap(), 1);
}

#[test]
fn waker_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Waker>();
    check::<Epoll>();
}
