//! FUTEX_WAIT, FUTEX_WAKE, FUTEX_WAITV.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use uring::opcode::*;
use uring::types::{FUTEX_BITSET_MATCH_ANY, Futex2Flags};

use super::*;
use crate::require_ops;

const FLAGS: Futex2Flags = Futex2Flags::SIZE_U32.union(Futex2Flags::PRIVATE);

#[test]
fn futex_wait_is_woken_by_futex_wake() {
    require_ops!(FutexWait::CODE, FutexWake::CODE);
    let word = AtomicU32::new(0);
    let p = word.as_ptr().cast_const();
    let mut ring = ring();
    // SAFETY: the wait reads `word`, which lives to the end of the test; the wake below completes
    // it and its CQE is reaped (`all`) before then.
    unsafe {
        submit(
            &mut ring,
            &[FutexWait::new(p, 0, FUTEX_BITSET_MATCH_ANY, FLAGS)
                .build()
                .user_data(1)],
        )
    };
    std::thread::sleep(Duration::from_millis(10));
    assert_eq!(ring.cq().count(), 0, "still waiting");
    word.store(1, Ordering::SeqCst);
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let mut all = unsafe {
        run(
            &mut ring,
            &[FutexWake::new(p, 1, FUTEX_BITSET_MATCH_ANY, FLAGS)
                .build()
                .user_data(2)],
        )
    };
    if all.len() < 2 {
        all.extend(reap(&mut ring, 1));
    }
    assert_eq!(by_ud(&all, 2).result().unwrap(), 1, "woke one waiter");
    assert_eq!(by_ud(&all, 1).result().unwrap(), 0);
    // The word no longer holds the expected value: EAGAIN at once.
    assert_errno(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe {
            run1(
                &mut ring,
                FutexWait::new(p, 0, FUTEX_BITSET_MATCH_ANY, FLAGS).build(),
            )
        },
        libc::EAGAIN,
    );
}

#[test]
fn futex_wake_wakes_a_thread_blocked_in_futex_wait() {
    require_ops!(FutexWake::CODE);
    let word = Arc::new(AtomicU32::new(0));
    let w2 = Arc::clone(&word);
    let waiter = std::thread::spawn(move || {
        // FUTEX_WAIT_PRIVATE while the word is 0.
        while w2.load(Ordering::SeqCst) == 0 {
            // SAFETY: FUTEX_WAIT reads the word `w2` points to (kept alive by this thread's Arc);
            // no timeout pointer.
            unsafe {
                libc::syscall(
                    libc::SYS_futex,
                    w2.as_ptr(),
                    libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
                    0,
                    std::ptr::null::<libc::timespec>(),
                );
            }
        }
    });
    let mut ring = ring();
    let p = word.as_ptr().cast_const();
    // Wake until the thread was actually asleep on the word (res 1).
    let mut woke = 0;
    for _ in 0..500 {
        std::thread::sleep(Duration::from_millis(2));
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        woke = unsafe {
            run1(
                &mut ring,
                FutexWake::new(p, 1, FUTEX_BITSET_MATCH_ANY, FLAGS).build(),
            )
        }
        .result()
        .unwrap();
        if woke == 1 {
            break;
        }
    }
    word.store(1, Ordering::SeqCst);
    // Wake again in case it re-checked before the store.
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let _ = unsafe {
        run1(
            &mut ring,
            FutexWake::new(p, 1, FUTEX_BITSET_MATCH_ANY, FLAGS).build(),
        )
    };
    waiter.join().unwrap();
    assert_eq!(woke, 1, "FUTEX_WAKE woke the sleeping thread");
}

#[test]
fn futex_waitv_reports_which_word_woke_it() {
    require_ops!(FutexWaitV::CODE, FutexWake::CODE);
    let words = [AtomicU32::new(0), AtomicU32::new(5)];
    let v = [
        uring::types::FutexWaitV::new(words[0].as_ptr(), 0, FLAGS),
        uring::types::FutexWaitV::new(words[1].as_ptr(), 5, FLAGS),
    ];
    let mut ring = ring();
    // SAFETY: the waitv array `v` and the `words` it points to live to the end of the test; the
    // wake below completes the wait and its CQE is reaped (`all`) before then.
    unsafe {
        submit(
            &mut ring,
            &[FutexWaitV::new(v.as_ptr(), 2).build().user_data(1)],
        )
    };
    std::thread::sleep(Duration::from_millis(10));
    assert_eq!(ring.cq().count(), 0, "still waiting");
    let p1 = words[1].as_ptr().cast_const();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let mut all = unsafe {
        run(
            &mut ring,
            &[FutexWake::new(p1, 1, FUTEX_BITSET_MATCH_ANY, FLAGS)
                .build()
                .user_data(2)],
        )
    };
    if all.len() < 2 {
        all.extend(reap(&mut ring, 1));
    }
    assert_eq!(by_ud(&all, 2).result().unwrap(), 1);
    assert_eq!(
        by_ud(&all, 1).result().unwrap(),
        1,
        "woken through futex index 1"
    );
}
