//! `EPOLLEXCLUSIVE` wakes one of N threads blocked on N epoll instances sharing one fd.

use crate::util::{pipe, write_bytes};
use epoll::{Epoll, Events, Interest};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

const THREADS: usize = 4;

/// Starts `THREADS` threads, each blocked in its own epoll on the pipe's read end, writes one
/// byte once they are all asleep, and counts how many threads got an event.
fn woken(interest: Interest) -> usize {
    let (r, w) = pipe();
    let r = Arc::new(r);
    let woken = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(THREADS + 1));
    let (tx, rx) = std::sync::mpsc::channel();
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let (r, woken, barrier, tx) = (r.clone(), woken.clone(), barrier.clone(), tx.clone());
            thread::spawn(move || {
                // SAFETY: `gettid` has no preconditions.
                tx.send(unsafe { libc::gettid() }).unwrap();
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
    let tids: Vec<libc::pid_t> = rx.iter().take(THREADS).collect();
    barrier.wait();
    // Every thread must be asleep in epoll_wait before the write: a thread that is not yet
    // waiting does not count as woken, so the kernel would go on to wake another.
    wait_until_in_epoll_wait(&tids);
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

/// Polls `/proc/self/task/TID/syscall` until every thread is blocked in `epoll_wait` or
/// `epoll_pwait` (10 s at most; if the file is unreadable, sleeps 500 ms instead).
fn wait_until_in_epoll_wait(tids: &[libc::pid_t]) {
    let waiting = [libc::SYS_epoll_pwait, libc::SYS_epoll_pwait2]
        .into_iter()
        .chain(epoll_wait_nr())
        .map(|n| n.to_string())
        .collect::<Vec<_>>();
    let deadline = Instant::now() + Duration::from_secs(10);
    for tid in tids {
        let path = format!("/proc/self/task/{tid}/syscall");
        loop {
            let Ok(s) = std::fs::read_to_string(&path) else {
                thread::sleep(Duration::from_millis(500));
                return;
            };
            let nr = s.split_whitespace().next().unwrap_or("");
            if waiting.iter().any(|w| w == nr) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "thread {tid} never blocked in epoll_wait: {s}"
            );
            thread::sleep(Duration::from_millis(5));
        }
    }
    // Blocked in the syscall is not yet asleep on the wait queue: a little slack.
    thread::sleep(Duration::from_millis(50));
}

#[cfg(any(target_arch = "x86_64", target_arch = "x86", target_arch = "arm"))]
fn epoll_wait_nr() -> Option<libc::c_long> {
    Some(libc::SYS_epoll_wait)
}
#[cfg(not(any(target_arch = "x86_64", target_arch = "x86", target_arch = "arm")))]
fn epoll_wait_nr() -> Option<libc::c_long> {
    None
}
