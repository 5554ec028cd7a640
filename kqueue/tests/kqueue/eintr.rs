//! EINTR: a signal interrupts `wait`, which returns `ErrorKind::Interrupted`, and the changes
//! passed to that call were applied anyway (kqueue(2): changes are processed before sleeping).

use crate::util::{kq, poll};
use kqueue::{Change, Events, Filter};
use std::sync::mpsc;
use std::time::Duration;

extern "C" fn on_sigusr1(_: libc::c_int) {}

#[test]
fn interrupted_wait_still_applied_its_changes() {
    // SAFETY: installs an async-signal-safe, empty handler for SIGUSR1 (no SA_RESTART, so
    // kevent returns EINTR); the sigaction struct is fully initialised before use.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_sigusr1 as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::sigemptyset(&mut sa.sa_mask);
        assert_eq!(libc::sigaction(libc::SIGUSR1, &sa, std::ptr::null_mut()), 0);
    }
    let kq = kq();
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            // SAFETY: pthread_self has no preconditions.
            tx.send(unsafe { libc::pthread_self() } as usize).unwrap();
            let mut events = Events::with_capacity(4);
            kq.wait(
                &[Change::user(5, 55)],
                &mut events,
                Some(Duration::from_secs(10)),
            )
        });
        let thread = rx.recv().unwrap() as libc::pthread_t;
        // Let the waiter enter kevent, then interrupt it; repeat in case the signal lands
        // before it sleeps (then the next one interrupts the sleep).
        let mut sent = 0;
        while !waiter.is_finished() && sent < 50 {
            std::thread::sleep(Duration::from_millis(50));
            // SAFETY: the waiter thread is alive (scoped, not yet finished).
            unsafe { libc::pthread_kill(thread, libc::SIGUSR1) };
            sent += 1;
        }
        let err = waiter
            .join()
            .unwrap()
            .expect_err("a signal interrupts the wait");
        assert_eq!(err.kind(), std::io::ErrorKind::Interrupted, "{err}");
    });
    // The user event was registered by the interrupted call.
    kq.apply(&[Change::user_trigger(5)])
        .expect("EV_ADD from the interrupted call took effect");
    let ev = poll(&kq);
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!((ev[0].filter(), ev[0].token()), (Filter::User, 55));
}
