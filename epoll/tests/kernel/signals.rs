//! `EINTR`: a signal handler ends a wait with `Interrupted` (never restarted, signal(7)), and
//! `wait_with_sigmask` (`epoll_pwait`/`epoll_pwait2`) installs its mask for the wait only.

use epoll::{Epoll, Events, SigSet};
use std::io::ErrorKind;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Once};
use std::thread;
use std::time::{Duration, Instant};

static HANDLED: [AtomicUsize; 65] = [const { AtomicUsize::new(0) }; 65];

extern "C" fn on_signal(sig: libc::c_int) {
    HANDLED[sig as usize].fetch_add(1, Ordering::SeqCst);
}

/// Installs `on_signal` for `sig` with `SA_RESTART` (to show it does not restart epoll_wait).
fn install(sig: libc::c_int) {
    static ONCE: [Once; 65] = [const { Once::new() }; 65];
    ONCE[sig as usize].call_once(|| {
        // SAFETY: `sa` is zeroed (a valid `sigaction`), then given a handler that only touches
        // atomics (async-signal-safe) and an empty mask.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as *const () as usize;
            sa.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            assert_eq!(libc::sigaction(sig, &sa, std::ptr::null_mut()), 0);
        }
    });
}

/// Runs `body` on a new thread, sends it `sig` after `delay`, returns `body`'s result.
fn signal_thread_after<T: Send + 'static>(
    sig: libc::c_int,
    delay: Duration,
    body: impl FnOnce() -> T + Send + 'static,
) -> T {
    let tid = Arc::new(AtomicU64::new(0));
    let tid2 = tid.clone();
    let h = thread::spawn(move || {
        // SAFETY: `pthread_self` has no preconditions.
        tid2.store(unsafe { libc::pthread_self() } as u64, Ordering::SeqCst);
        body()
    });
    while tid.load(Ordering::SeqCst) == 0 {
        thread::yield_now();
    }
    thread::sleep(delay);
    // SAFETY: the thread is alive (joined only below) and the signal has a handler installed.
    let r = unsafe { libc::pthread_kill(tid.load(Ordering::SeqCst) as libc::pthread_t, sig) };
    assert_eq!(r, 0);
    h.join().unwrap()
}

fn block(sig: libc::c_int) {
    let mut set = SigSet::empty();
    set.add(sig).unwrap();
    // SAFETY: `set` is an initialised `sigset_t`; the old mask is not asked for.
    let r = unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, set.as_raw(), std::ptr::null_mut()) };
    assert_eq!(r, 0);
}

#[test]
fn signal_interrupts_wait_even_with_sa_restart() {
    let sig = libc::SIGUSR1;
    install(sig);
    let before = HANDLED[sig as usize].load(Ordering::SeqCst);
    let (res, elapsed) = signal_thread_after(sig, Duration::from_millis(200), || {
        let ep = Epoll::new().unwrap();
        let mut ev = Events::with_capacity(4);
        let start = Instant::now();
        let r = ep
            .wait(&mut ev, Some(Duration::from_secs(10)))
            .map_err(|e| e.kind());
        assert!(ev.is_empty());
        (r, start.elapsed())
    });
    assert_eq!(res, Err(ErrorKind::Interrupted));
    assert!(
        elapsed < Duration::from_secs(9),
        "the signal did not end the wait: {elapsed:?}"
    );
    assert!(HANDLED[sig as usize].load(Ordering::SeqCst) > before);
}

#[test]
fn sigmask_unblocks_a_signal_only_while_waiting() {
    let sig = libc::SIGUSR2;
    install(sig);
    let res = signal_thread_after(sig, Duration::from_millis(200), move || {
        block(sig);
        let ep = Epoll::new().unwrap();
        let mut ev = Events::with_capacity(4);
        let mut mask = SigSet::thread_mask().unwrap();
        assert!(mask.contains(sig));
        mask.remove(sig).unwrap();
        ep.wait_with_sigmask(&mut ev, Some(Duration::from_secs(10)), &mask)
            .map_err(|e| e.kind())
    });
    assert_eq!(res, Err(ErrorKind::Interrupted));
}

#[test]
fn sigmask_blocks_a_signal_while_waiting() {
    // SIGRTMIN + 3 is not used by glibc or the test harness.
    let sig = libc::SIGRTMIN() + 3;
    install(sig);
    let before = HANDLED[sig as usize].load(Ordering::SeqCst);
    // A sub-millisecond part: the mask goes through `epoll_pwait2` here.
    let timeout = Duration::from_micros(600_500);
    let (res, elapsed) = signal_thread_after(sig, Duration::from_millis(100), move || {
        let ep = Epoll::new().unwrap();
        let mut ev = Events::with_capacity(4);
        let mut mask = SigSet::thread_mask().unwrap();
        mask.add(sig).unwrap();
        let start = Instant::now();
        let r = ep
            .wait_with_sigmask(&mut ev, Some(timeout), &mask)
            .map_err(|e| e.kind());
        let elapsed = start.elapsed();
        (r, elapsed)
    });
    assert_eq!(res, Ok(0), "the masked signal interrupted the wait");
    assert!(elapsed >= timeout, "{elapsed:?}");
    // Pending during the wait, then delivered once the old mask came back (on return).
    assert!(
        HANDLED[sig as usize].load(Ordering::SeqCst) > before,
        "signal lost"
    );
}
