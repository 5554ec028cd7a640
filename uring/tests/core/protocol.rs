//! The ring protocol under stress: CQ overflow, two threads, timed waits, signals.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use uring::{Features, Ring, Sqe, WaitArgs};

use crate::util::nop;

#[test]
fn cq_overflow_loses_nothing_and_is_flushed() {
    // 4 SQ / 8 CQ entries, 200 NOPs submitted before reaping anything: 192 overflow.
    let mut ring: Ring = Ring::builder().cq_entries(8).build(4).unwrap();
    assert_eq!(ring.cq_entries(), 8);
    assert!(ring.features().contains(Features::NODROP));
    let total = 200u64;
    let mut next = 0u64;
    while next < total {
        let n = (total - next).min(4);
        let sqes: Vec<Sqe> = (next..next + n).map(nop).collect();
        // SAFETY: NOPs carry no pointers.
        unsafe { ring.push_multiple(&sqes).unwrap() };
        ring.submit().unwrap();
        next += n;
    }
    assert_eq!(ring.cq().len(), 8, "the CQ is full");
    assert!(ring.cq().needs_flush(), "IORING_SQ_CQ_OVERFLOW must be set");
    // With NODROP nothing was lost, so the counter (which counts lost CQEs) stays 0.
    assert_eq!(ring.cq().overflow(), 0);

    // Reap; whenever the CQ runs dry, submit() sees the overflow flag and flushes.
    let mut seen = BTreeSet::new();
    let mut rounds = 0;
    while seen.len() < total as usize {
        for cqe in ring.cq() {
            assert_eq!(cqe.res(), 0);
            assert!(
                seen.insert(cqe.user_data()),
                "CQE {} twice",
                cqe.user_data()
            );
        }
        ring.submit().unwrap();
        rounds += 1;
        assert!(
            rounds < 1000,
            "overflowed CQEs never flushed: {} seen",
            seen.len()
        );
    }
    assert_eq!(seen, (0..total).collect());
    assert!(!ring.cq().needs_flush());
    assert_eq!(ring.cq().count(), 0);
}

#[test]
fn cq_overflow_is_flushed_under_sqpoll_too() {
    let Some(mut ring) = crate::util::ring_or_skip(
        Ring::<Sqe, uring::Cqe>::builder()
            .sqpoll(1000)
            .cq_entries(8),
        4,
        "overflow_sqpoll",
    ) else {
        return;
    };
    let total = 64u64;
    let mut next = 0;
    while next < total {
        // Wait for the poller to consume the previous batch before refilling.
        while ring.sq_space_left() < 4 {
            std::hint::spin_loop();
        }
        let sqes: Vec<Sqe> = (next..next + 4).map(nop).collect();
        // SAFETY: NOPs carry no pointers.
        unsafe { ring.push_multiple(&sqes).unwrap() };
        ring.submit().unwrap();
        next += 4;
    }
    let mut seen = BTreeSet::new();
    let start = Instant::now();
    while seen.len() < total as usize {
        for cqe in ring.cq() {
            assert!(seen.insert(cqe.user_data()));
        }
        // Under SQPOLL submit() only enters when it must: here, to flush the overflow.
        ring.submit().unwrap();
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{} seen",
            seen.len()
        );
    }
    assert_eq!(seen, (0..total).collect());
}

#[test]
fn two_threads_producer_and_consumer() {
    // The SQ on one thread, the CQ on another, the Submitter shared: 20000 NOPs through an
    // 8-entry SQ and 16-entry CQ, every CQE exactly once.
    let mut ring: Ring = Ring::builder().build(8).unwrap();
    let total = 20_000u64;
    let (submitter, mut sq, mut cq) = ring.split();
    std::thread::scope(|s| {
        let producer = s.spawn(move || {
            let mut next = 0u64;
            while next < total {
                // SAFETY: NOPs carry no pointers.
                match unsafe { sq.push(&nop(next)) } {
                    Ok(()) => next += 1,
                    Err(_) => {
                        sq.sync();
                        submitter.submit().unwrap();
                    }
                }
                if next % 8 == 0 {
                    sq.sync();
                    submitter.submit().unwrap();
                }
            }
            sq.sync();
            submitter.submit().unwrap();
        });
        let consumer = s.spawn(move || {
            let mut seen = vec![false; total as usize];
            let mut count = 0u64;
            let start = Instant::now();
            while count < total {
                let mut got = 0;
                for cqe in &mut cq {
                    let id = cqe.user_data() as usize;
                    assert!(!seen[id], "CQE {id} twice");
                    seen[id] = true;
                    got += 1;
                }
                count += got;
                cq.sync();
                if got == 0 {
                    // Flush overflow if the producer outran us.
                    submitter.submit().unwrap();
                    std::thread::yield_now();
                }
                assert!(start.elapsed() < Duration::from_secs(30), "{count} seen");
            }
            assert!(seen.iter().all(|&s| s));
        });
        producer.join().unwrap();
        consumer.join().unwrap();
    });
}

#[test]
fn wait_with_timeout_returns_after_the_timeout() {
    let ring = Ring::new(4).unwrap();
    let start = Instant::now();
    let ready = ring
        .submitter()
        .wait(1, Some(Duration::from_millis(100)))
        .unwrap();
    let took = start.elapsed();
    assert_eq!(ready, 0);
    assert!(
        took >= Duration::from_millis(95),
        "returned early: {took:?}"
    );
    assert!(took < Duration::from_secs(3), "returned late: {took:?}");
}

#[test]
fn wait_with_an_absolute_deadline() {
    let ring = Ring::new(4).unwrap();
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid `timespec` to write.
    let r = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    assert_eq!(r, 0);
    let now = Duration::new(now.tv_sec as u64, now.tv_nsec as u32);
    let start = Instant::now();
    let r = ring.submitter().wait_with(
        1,
        &WaitArgs::new().deadline(now + Duration::from_millis(100)),
    );
    match r {
        Ok(ready) => {
            assert_eq!(ready, 0);
            let took = start.elapsed();
            assert!(took >= Duration::from_millis(90), "{took:?}");
            assert!(took < Duration::from_secs(3), "{took:?}");
        }
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
            eprintln!("SKIPPED absolute deadline: the kernel lacks IORING_ENTER_ABS_TIMER: {e}");
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn wait_with_no_iowait_still_times_out() {
    let ring = Ring::new(4).unwrap();
    let start = Instant::now();
    let ready = ring
        .submitter()
        .wait_with(
            1,
            &WaitArgs::new()
                .timeout(Duration::from_millis(50))
                .no_iowait(),
        )
        .unwrap();
    assert_eq!(ready, 0);
    assert!(start.elapsed() >= Duration::from_millis(45));
}

#[test]
fn wait_returns_as_soon_as_completions_are_ready() {
    let mut ring = Ring::new(4).unwrap();
    // SAFETY: NOPs carry no pointers.
    unsafe { ring.push(&nop(1)).unwrap() };
    let start = Instant::now();
    let ready = ring
        .submitter()
        .wait(1, Some(Duration::from_secs(5)))
        .unwrap();
    assert_eq!(ready, 1);
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(ring.cq().next().unwrap().user_data(), 1);
}

#[test]
fn min_wait_returns_after_min_wait_with_one_completion() {
    let mut ring = Ring::new(4).unwrap();
    if !ring.features().contains(Features::MIN_TIMEOUT) {
        let err = ring
            .submitter()
            .wait_with(2, &WaitArgs::new().min_wait(Duration::from_millis(1)))
            .unwrap_err();
        assert_eq!(uring::error::errno(&err), Some(libc::EOPNOTSUPP));
        eprintln!("SKIPPED min-wait effect: the kernel lacks IORING_FEAT_MIN_TIMEOUT");
        return;
    }
    // One NOP is ready at once; we want 2, min-wait 50 ms, timeout 10 s: the kernel waits
    // the min-wait for the second, then returns with the one it has.
    // SAFETY: NOPs carry no pointers.
    unsafe { ring.push(&nop(1)).unwrap() };
    let start = Instant::now();
    let ready = ring
        .submitter()
        .wait_with(
            2,
            &WaitArgs::new()
                .timeout(Duration::from_secs(10))
                .min_wait(Duration::from_millis(50)),
        )
        .unwrap();
    let took = start.elapsed();
    assert_eq!(ready, 1);
    assert!(took >= Duration::from_millis(45), "{took:?}");
    assert!(
        took < Duration::from_secs(5),
        "waited for the full timeout: {took:?}"
    );
}

extern "C" fn on_sigusr1(_: libc::c_int) {}

#[test]
fn a_signal_interrupts_a_wait_with_eintr() {
    // SAFETY: installs a handler that does nothing (async-signal-safe), without SA_RESTART so
    // the blocking io_uring_enter returns EINTR.
    unsafe {
        let mut sa: libc::sigaction = core::mem::zeroed();
        sa.sa_sigaction = on_sigusr1 as *const () as usize;
        libc::sigemptyset(&mut sa.sa_mask);
        sa.sa_flags = 0;
        assert_eq!(
            libc::sigaction(libc::SIGUSR1, &sa, core::ptr::null_mut()),
            0
        );
    }
    let ring = Ring::new(4).unwrap();
    let entered = AtomicBool::new(false);
    let thread = std::sync::atomic::AtomicU64::new(0);
    let err = std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            // SAFETY: pthread_self has no preconditions.
            thread.store(unsafe { libc::pthread_self() } as u64, Ordering::SeqCst);
            entered.store(true, Ordering::SeqCst);
            ring.submitter().submit_and_wait(1).unwrap_err()
        });
        while !entered.load(Ordering::SeqCst) {
            std::hint::spin_loop();
        }
        // Keep signalling until the waiter is out (it may not be inside the syscall yet).
        let tid = thread.load(Ordering::SeqCst) as libc::pthread_t;
        while !waiter.is_finished() {
            // SAFETY: `tid` is a live thread of this process (not joined yet).
            unsafe { libc::pthread_kill(tid, libc::SIGUSR1) };
            std::thread::sleep(Duration::from_millis(10));
        }
        waiter.join().unwrap()
    });
    assert_eq!(err.kind(), std::io::ErrorKind::Interrupted);
    assert_eq!(err.raw_os_error(), Some(libc::EINTR));
    // Nothing is lost: the ring works on.
    let mut ring = ring;
    assert_eq!(
        crate::util::run(&mut ring, &[nop(5)], 1).unwrap()[0].user_data(),
        5
    );
}
