//! Dropping the driver (and forgetting handles) with I/O in flight.

use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

use uring::driver::{Driver, Read, Timeout};

use crate::support::{pipe, raise_nofile, read_now, turn, write_all};

fn pipes(n: usize) -> Vec<(OwnedFd, OwnedFd)> {
    raise_nofile();
    (0..n).map(|_| pipe()).collect()
}

/// The test: 1,000 reads in flight on pipes that never get data, drop the driver, then
/// write to the pipes. The drop cancels every read and waits for its CQE, so nothing is leaked
/// and nothing freed is written (AddressSanitizer checks the latter in ci/stages/80-asan.sh).
#[test]
fn drop_with_1000_reads_in_flight_then_write() {
    let ps = pipes(1000);
    let mut d = Driver::new(128).unwrap();
    for (r, _) in &ps {
        let op = d.submit(Read::new(r, vec![0u8; 512], u64::MAX)).unwrap();
        std::mem::forget(op); // and forgetting every handle is fine too
    }
    d.submit_pending().unwrap();
    assert_eq!(d.in_flight(), 1000);
    let t0 = Instant::now();
    let leaked = d.close();
    assert_eq!(leaked, 0, "every read was cancelled within the bound");
    assert!(t0.elapsed() < Duration::from_secs(2));
    for (i, (r, w)) in ps.iter().enumerate() {
        write_all(w, &(i as u32).to_le_bytes());
        let mut b = [0u8; 8];
        assert_eq!(
            read_now(r, &mut b),
            4,
            "pipe {i}: the cancelled read did not consume the data"
        );
        assert_eq!(&b[..4], &(i as u32).to_le_bytes());
    }
}

/// The leak path: a zero drop timeout, so the reads are still in flight when the driver goes;
/// their buffers are leaked (never freed) and the writes that follow cannot hit freed memory.
#[test]
fn drop_without_waiting_leaks_instead_of_freeing() {
    let ps = pipes(200);
    let mut d = Driver::new(64).unwrap();
    for (r, _) in &ps {
        std::mem::forget(d.submit(Read::new(r, vec![0u8; 64], u64::MAX)).unwrap());
    }
    d.submit_pending().unwrap();
    d.set_drop_timeout(Duration::ZERO);
    let leaked = d.close();
    assert!(
        leaked > 0,
        "with no wait, some reads are still in flight and leaked"
    );
    assert!(leaked <= 200);
    for (_, w) in &ps {
        write_all(w, b"late");
    }
    // Give the kernel a moment to run (or cancel, the ring is closed) the reads.
    std::thread::sleep(Duration::from_millis(20));
}

/// `mem::forget` of the whole driver: everything leaks, nothing is freed under the kernel.
#[test]
fn forget_driver_with_reads_in_flight() {
    let ps = pipes(16);
    let mut d = Driver::new(32).unwrap();
    for (r, _) in &ps {
        std::mem::forget(d.submit(Read::new(r, vec![0u8; 64], u64::MAX)).unwrap());
    }
    d.submit_pending().unwrap();
    std::mem::forget(d);
    for (_, w) in &ps {
        write_all(w, b"data");
    }
    std::thread::sleep(Duration::from_millis(20));
}

/// Forgotten handles: the operations complete, their outputs stay in the slots and are dropped
/// (buffers freed once) with the driver.
#[test]
fn forgotten_handles_complete_and_free_once() {
    let ps = pipes(8);
    let mut d = Driver::new(16).unwrap();
    for (r, _) in &ps {
        std::mem::forget(d.submit(Read::new(r, vec![0u8; 64], u64::MAX)).unwrap());
    }
    d.submit_pending().unwrap();
    for (_, w) in &ps {
        write_all(w, b"x");
    }
    while d.in_flight() > 0 {
        turn(&mut d);
    }
    assert_eq!(d.close(), 0);
}

/// A panic in the middle of a batch leaves the driver consistent: what was pushed completes,
/// and the driver drops cleanly.
#[test]
fn panic_mid_batch_leaves_ring_consistent() {
    let mut d = Driver::new(16).unwrap();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        for i in 0..10 {
            let op = d.submit(Timeout::new(Duration::from_millis(1))).unwrap();
            std::mem::forget(op);
            if i == 4 {
                panic!("mid-batch");
            }
        }
    }));
    assert!(r.is_err());
    assert_eq!(d.in_flight(), 5);
    while d.in_flight() > 0 {
        turn(&mut d);
    }
    // And the driver keeps working.
    let op = d.submit(Timeout::new(Duration::from_millis(1))).unwrap();
    d.wait(op).unwrap().unwrap();
}

/// Cancel by fd: every read on one pipe ends with ECANCELED, others are untouched.
#[test]
fn cancel_by_fd() {
    let (r1, _w1) = pipe();
    let (r2, w2) = pipe();
    let mut d = Driver::new(16).unwrap();
    let a: Vec<_> = (0..3)
        .map(|_| d.submit(Read::new(&r1, vec![0u8; 8], u64::MAX)).unwrap())
        .collect();
    let b = d.submit(Read::new(&r2, vec![0u8; 8], u64::MAX)).unwrap();
    d.submit_pending().unwrap();
    use std::os::fd::AsFd;
    if let Err(e) = d.cancel_fd(r1.as_fd()) {
        // A kernel without cancel flags (before 5.19): the clear error, not a cancel the kernel
        // refuses while the caller waits forever. Cancelling each by its handle still works.
        assert_eq!(
            e.raw_os_error(),
            None,
            "the crate's error, not a bare errno: {e}"
        );
        assert_eq!(uring::error::errno(&e), Some(libc::EOPNOTSUPP), "{e}");
        assert!(e.to_string().contains("needs Linux 5.19"), "{e}");
        for op in &a {
            d.cancel(op).unwrap();
        }
    }
    for op in a {
        let (res, _) = d.wait(op).unwrap();
        assert_eq!(res.unwrap_err().raw_os_error(), Some(libc::ECANCELED));
    }
    assert!(!d.is_done(&b));
    write_all(&w2, b"ok");
    assert_eq!(d.wait(b).unwrap().0.unwrap(), 2);
}
