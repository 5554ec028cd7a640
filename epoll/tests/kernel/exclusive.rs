//! `EPOLLEXCLUSIVE` wakes one of N threads blocked on N epoll instances sharing one fd.

use crate::util::{pipe, write_bytes};
use epoll::{Epoll, Events, Interest};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

const THREADS: usize = 4;

/// Starts `THREADS` threads, each blocked in its own epoll on the pipe's read end, writes one
/// byte once they are all asleep, and counts how many threads got an event.
fn woken(interest: Interest) -> usize {
    let (r, w) = pipe();
    let r = Arc::new(r);
    let woken = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(THREADS + 1));
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let (r, woken, barrier) = (r.clone(), woken.clone(), barrier.clone());
            thread::spawn(move || {
                let ep = Epoll::new().unwrap();
                ep.add(&*r, i as u64, interest).unwrap();
                let mut ev = Events::with_capacity(4);
                barrier.wait();
                if ep.wait(&mut ev, Some(Duration::from_secs(2))).unwrap() > 0 {
                    woken.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    barrier.wait();
    // Let every thread reach `epoll_wait` and sleep there.
    thread::sleep(Duration::from_millis(300));
    write_bytes(&w, 1);
    for h in handles {
        h.join().unwrap();
    }
    woken.load(Ordering::SeqCst)
}

#[test]
fn exclusive_wakes_one_of_n() {
    let n = woken(Interest::READABLE | Interest::EXCLUSIVE);
    assert_eq!(
        n, 1,
        "EPOLLEXCLUSIVE woke {n} of {THREADS} sleeping threads"
    );
}

#[test]
fn without_exclusive_all_n_wake() {
    // The control: the same set-up without the flag wakes every thread (the thundering herd).
    let n = woken(Interest::READABLE);
    assert_eq!(n, THREADS);
}
