//! TIMEOUT (+ count, multishot), TIMEOUT_REMOVE (+ update), LINK_TIMEOUT.

use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use uring::SqeFlags;
use uring::opcode::*;
use uring::types::{Fd, TimeoutFlags, Timespec};

use super::*;
use crate::require_ops;

#[test]
fn timeout_expires_with_etime_after_the_duration() {
    require_ops!(Timeout::CODE);
    let mut ring = ring();
    let ts = Timespec::from(Duration::from_millis(30));
    let t0 = Instant::now();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let c = unsafe { run1(&mut ring, Timeout::new(&ts).build()) };
    assert_errno(c, libc::ETIME);
    assert!(
        t0.elapsed() >= Duration::from_millis(30),
        "{:?}",
        t0.elapsed()
    );
}

/// Also with `Duration::MAX`, which has more seconds than the kernel's signed `tv_sec` holds:
/// it must become "never" (`i64::MAX` seconds), not a negative `tv_sec` (`EINVAL`).
#[test]
fn timeout_with_count_completes_after_that_many_cqes() {
    require_ops!(Timeout::CODE, Nop::CODE);
    let mut ring = ring();
    for d in [Duration::from_secs(10), Duration::MAX] {
        let ts = Timespec::from(d);
        assert_eq!(ts.as_raw().tv_sec, d.as_secs().min(i64::MAX as u64) as i64);
        let t0 = Instant::now();
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the
        // call; `run` returns only after each request's final CQE, so nothing the kernel reads or
        // writes is freed while it is in flight.
        let cqes = unsafe {
            run(
                &mut ring,
                &[
                    Timeout::new(&ts).count(1).build().user_data(1),
                    Nop::new().build().user_data(2),
                ],
            )
        };
        assert_eq!(
            by_ud(&cqes, 1).result().unwrap(),
            0,
            "{d:?}: completed by the count, not the timer"
        );
        assert!(t0.elapsed() < Duration::from_secs(5));
    }
}

#[test]
fn timeout_multishot_fires_count_times() {
    require_ops!(Timeout::CODE);
    let mut ring = ring();
    let ts = Timespec::from(Duration::from_millis(5));
    let sqe = Timeout::new(&ts)
        .count(3)
        .flags(TimeoutFlags::MULTISHOT)
        .build()
        .user_data(1);
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqes = unsafe { run(&mut ring, &[sqe]) };
    if cqes.len() == 1 && cqes[0].res() == -libc::EINVAL {
        util::skip(
            "timeout_multishot_fires_count_times",
            "the kernel refused IORING_TIMEOUT_MULTISHOT with EINVAL (Linux 6.4+)",
        );
        return;
    }
    assert_eq!(cqes.len(), 3, "{cqes:?}");
    for (i, c) in cqes.iter().enumerate() {
        assert_errno(*c, libc::ETIME);
        assert_eq!(c.has_more(), i < 2, "{c:?}");
    }
}

#[test]
fn timeout_remove_cancels_an_armed_timeout() {
    require_ops!(Timeout::CODE, TimeoutRemove::CODE);
    let mut ring = ring();
    let ts = Timespec::from(Duration::from_secs(10));
    let t0 = Instant::now();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqes = unsafe {
        run(
            &mut ring,
            &[
                Timeout::new(&ts).build().user_data(1),
                TimeoutRemove::new(1).build().user_data(2),
            ],
        )
    };
    assert_eq!(by_ud(&cqes, 2).result().unwrap(), 0);
    assert_errno(by_ud(&cqes, 1), libc::ECANCELED);
    assert!(t0.elapsed() < Duration::from_secs(5));
    assert_errno(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, TimeoutRemove::new(1).build()) },
        libc::ENOENT,
    );
}

#[test]
fn timeout_update_rearms_with_the_new_time() {
    require_ops!(Timeout::CODE, TimeoutRemove::CODE);
    let mut ring = ring();
    let long = Timespec::from(Duration::from_secs(10));
    let short = Timespec::from(Duration::from_millis(10));
    let t0 = Instant::now();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqes = unsafe {
        run(
            &mut ring,
            &[
                Timeout::new(&long).build().user_data(1),
                TimeoutUpdate::new(1, &short).build().user_data(2),
            ],
        )
    };
    assert_eq!(by_ud(&cqes, 2).result().unwrap(), 0);
    assert_errno(by_ud(&cqes, 1), libc::ETIME);
    assert!(
        t0.elapsed() < Duration::from_secs(5),
        "fired on the updated time"
    );
}

#[test]
fn link_timeout_cancels_the_linked_request() {
    require_ops!(LinkTimeout::CODE, Read::CODE);
    let (r, _w) = pipe();
    let mut ring = ring();
    let mut buf = [0u8; 4];
    let ts = Timespec::from(Duration::from_millis(20));
    let read = Read::new(Fd(r.as_raw_fd()), buf.as_mut_ptr(), 4)
        .build()
        .flags(SqeFlags::IO_LINK)
        .user_data(1);
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqes = unsafe {
        run(
            &mut ring,
            &[read, LinkTimeout::new(&ts).build().user_data(2)],
        )
    };
    assert_errno(by_ud(&cqes, 1), libc::ECANCELED);
    assert_errno(by_ud(&cqes, 2), libc::ETIME);
}

/// From liburing's `test/link-timeout.c` (the linked-timeout update case): a linked timeout
/// re-armed with `LINK_TIMEOUT_UPDATE` fires on the new time. Regression: the builder sent
/// `LINK_TIMEOUT_UPDATE` without `IORING_TIMEOUT_UPDATE`, which the kernel takes as the
/// *removal* of a plain timeout with that `user_data` (`ENOENT`), so the read waited the whole
/// 5 s (and an unrelated timeout with that `user_data` would have been cancelled).
#[test]
fn link_timeout_update_rearms_the_linked_timeout() {
    require_ops!(LinkTimeout::CODE, Read::CODE, TimeoutRemove::CODE);
    let (r, _w) = pipe();
    let mut ring = ring();
    let mut buf = [0u8; 4];
    let long = Timespec::from(Duration::from_secs(5));
    let short = Timespec::from(Duration::from_millis(50));
    let read = Read::new(Fd(r.as_raw_fd()), buf.as_mut_ptr(), 4)
        .build()
        .flags(SqeFlags::IO_LINK)
        .user_data(1);
    let t0 = Instant::now();
    // SAFETY: `buf`, `long` and `short` are locals that outlive every request: the reads below
    // wait for each final CQE (the read is bounded by the 5 s linked timeout).
    unsafe {
        submit(
            &mut ring,
            &[read, LinkTimeout::new(&long).build().user_data(2)],
        )
    };
    // SAFETY: as above.
    let update = unsafe {
        run1(
            &mut ring,
            TimeoutUpdate::new(2, &short)
                .flags(TimeoutFlags::LINK_TIMEOUT_UPDATE)
                .build(),
        )
    };
    let mut cqes = Vec::new();
    while !cqes.iter().any(|c: &uring::Cqe| c.user_data() == 1)
        || !cqes.iter().any(|c: &uring::Cqe| c.user_data() == 2)
    {
        cqes.extend(reap(&mut ring, 1));
    }
    if update.result().err().and_then(|e| e.raw_os_error()) == Some(libc::EINVAL) {
        eprintln!(
            "SKIPPED link_timeout_update_rearms_the_linked_timeout: the kernel refuses \
             IORING_LINK_TIMEOUT_UPDATE (EINVAL; Linux 5.15+)"
        );
        return;
    }
    assert_eq!(update.result().unwrap(), 0, "the linked timeout was found");
    assert_errno(by_ud(&cqes, 1), libc::ECANCELED);
    assert_errno(by_ud(&cqes, 2), libc::ETIME);
    assert!(
        t0.elapsed() < Duration::from_secs(3),
        "fired on the updated 50 ms, not the original 5 s ({:?})",
        t0.elapsed()
    );
}
