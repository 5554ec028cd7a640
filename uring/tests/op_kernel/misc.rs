//! NOP, NOP128, ASYNC_CANCEL, MSG_RING (data and fd), WAITID.

use std::os::fd::AsRawFd;

use uring::Sqe128;
use uring::opcode::*;
use uring::types::{CancelFlags, DestinationSlot, Fd, Fixed};

use super::*;
use crate::require_ops;

#[test]
fn nop_completes_with_zero_or_the_injected_result() {
    require_ops!(Nop::CODE);
    let mut ring = ring();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let c = unsafe { run1(&mut ring, Nop::new().build()) };
    assert_eq!(c.result().unwrap(), 0);
    if !util::nop_inject_or_skip("nop_completes_with_zero_or_the_injected_result") {
        return;
    }
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let c = unsafe { run1(&mut ring, Nop::new().result(Some(1234)).build()) };
    assert_eq!(c.result().unwrap(), 1234);
    // An injected -EBADF surfaces as the io::Error with that errno.
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let c = unsafe { run1(&mut ring, Nop::new().result(Some(-libc::EBADF)).build()) };
    assert_errno(c, libc::EBADF);
}

#[test]
fn nop128_on_a_128_byte_sqe_ring() {
    require_ops!(Nop128::CODE);
    let Some(mut ring) = util::ring_or_skip(
        Ring::<Sqe128>::builder(),
        8,
        "nop128_on_a_128_byte_sqe_ring",
    ) else {
        return;
    };
    let sqe = Nop128::new().result(Some(77)).build();
    let mut s = sqe;
    s.sqe = s.sqe.user_data(5);
    // SAFETY: a NOP128 carries no pointer.
    unsafe { ring.push(&s) }.unwrap();
    ring.submit_and_wait(1).unwrap();
    let c = ring.cq().next().unwrap();
    assert_eq!((c.user_data(), c.result().unwrap()), (5, 77));
}

#[test]
fn async_cancel_cancels_a_pending_read() {
    require_ops!(AsyncCancel::CODE, Read::CODE);
    let (r, _w) = pipe();
    let mut buf = [0u8; 4];
    let mut ring = ring();
    // SAFETY: `buf` (declared before `ring`) outlives the read: it is cancelled below and its CQE
    // reaped before the test ends.
    unsafe {
        submit(
            &mut ring,
            &[Read::new(Fd(r.as_raw_fd()), buf.as_mut_ptr(), 4)
                .build()
                .user_data(5)],
        )
    };
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqes = unsafe { run(&mut ring, &[AsyncCancel::new(5).build().user_data(6)]) };
    let mut all = cqes;
    if !all.iter().any(|c| c.user_data() == 5) {
        all.extend(reap(&mut ring, 1));
    }
    assert_eq!(by_ud(&all, 6).result().unwrap(), 0);
    let read = by_ud(&all, 5);
    assert!(
        matches!(
            read.result().unwrap_err().raw_os_error(),
            Some(libc::ECANCELED | libc::EINTR)
        ),
        "{read:?}"
    );
    assert_errno(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, AsyncCancel::new(5).build()) },
        libc::ENOENT,
    );
}

#[test]
fn async_cancel_by_fd_cancels_every_request_on_it() {
    require_ops!(AsyncCancel::CODE, Read::CODE);
    let (r, _w) = pipe();
    let (mut a, mut b) = ([0u8; 4], [0u8; 4]);
    let mut ring = ring();
    let fd = Fd(r.as_raw_fd());
    // SAFETY: `a` and `b` (declared before `ring`) outlive both reads: they are cancelled below and
    // their CQEs reaped (`all.len() == 3`) before the test ends.
    unsafe {
        submit(
            &mut ring,
            &[
                Read::new(fd, a.as_mut_ptr(), 4).build().user_data(1),
                Read::new(fd, b.as_mut_ptr(), 4).build().user_data(2),
            ],
        )
    };
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let mut all = unsafe {
        run(
            &mut ring,
            &[AsyncCancelFd::new(fd)
                .flags(CancelFlags::ALL)
                .build()
                .user_data(3)],
        )
    };
    if by_ud(&all, 3).res() == -libc::EINVAL {
        // Before Linux 5.19 the kernel refuses any cancel flag (IORING_ASYNC_CANCEL_FD/ALL):
        // nothing was cancelled, so cancel the reads by user_data (Linux 5.5) and reap them.
        // SAFETY: cancels carry no pointers; `run` returns after both of their CQEs.
        let more = unsafe {
            run(
                &mut ring,
                &[
                    AsyncCancel::new(1).build().user_data(4),
                    AsyncCancel::new(2).build().user_data(5),
                ],
            )
        };
        all.extend(more);
        while all.iter().filter(|c| c.user_data() <= 2).count() < 2 {
            all.extend(reap(&mut ring, 1));
        }
        util::skip(
            "async_cancel_by_fd_cancels_every_request_on_it",
            "the kernel refused IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL with EINVAL \
             (cancel flags are Linux 5.19+); the reads were cancelled by user_data instead",
        );
        return;
    }
    while all.len() < 3 {
        all.extend(reap(&mut ring, 1));
    }
    assert_eq!(by_ud(&all, 3).result().unwrap(), 2, "both reads cancelled");
    for ud in [1, 2] {
        assert!(by_ud(&all, ud).result().is_err());
    }
}

#[test]
fn msg_ring_posts_a_cqe_on_the_target_ring() {
    require_ops!(MsgRingData::CODE);
    let mut ring = ring();
    let mut target = super::ring();
    // Plain data first (Linux 5.18), then with the CQE flags passed (Linux 6.3's
    // IORING_MSG_RING_FLAGS_PASS, which earlier kernels refuse with EINVAL).
    let sqe = MsgRingData::new(Fd(target.as_raw_fd()), 4241, 0xabcde0).build();
    // SAFETY: a MSG_RING carries no pointer.
    assert_eq!(unsafe { run1(&mut ring, sqe) }.result().unwrap(), 0);
    let c = reap(&mut target, 1)[0];
    assert_eq!((c.user_data(), c.res()), (0xabcde0, 4241));
    let sqe = MsgRingData::new(Fd(target.as_raw_fd()), 4242, 0xabcdef)
        .cqe_flags(Some(1 << 20))
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let c = unsafe { run1(&mut ring, sqe) };
    if c.res() == -libc::EINVAL {
        util::skip(
            "msg_ring_posts_a_cqe_on_the_target_ring",
            "the kernel refused IORING_MSG_RING_FLAGS_PASS with EINVAL (Linux 6.3+)",
        );
        return;
    }
    assert_eq!(c.result().unwrap(), 0);
    let c = reap(&mut target, 1)[0];
    assert_eq!(
        (c.user_data(), c.res(), c.flags().bits()),
        (0xabcdef, 4242, 1 << 20)
    );
    // Not a ring fd.
    let (r, _w) = pipe();
    assert_errno(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, MsgRingData::new(Fd(r.as_raw_fd()), 1, 1).build()) },
        libc::EBADFD,
    );
}

#[test]
fn msg_ring_send_fd_installs_a_file_in_the_target_table() {
    require_ops!(MsgRingSendFd::CODE, Read::CODE);
    let dir = TempDir::new("msgfd");
    std::fs::write(dir.join("f"), b"passed").unwrap();
    let f = std::fs::File::open(dir.join("f")).unwrap();
    let mut ring = ring();
    let mut target = super::ring();
    register_files(&ring, &[f.as_raw_fd()]);
    register_files(&target, &[-1, -1, -1]);
    let sqe = MsgRingSendFd::new(
        Fd(target.as_raw_fd()),
        Fixed(0),
        DestinationSlot::Index(2),
        0x77,
    )
    .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_eq!(unsafe { run1(&mut ring, sqe) }.result().unwrap(), 0);
    let c = reap(&mut target, 1)[0];
    assert_eq!(c.user_data(), 0x77);
    let mut buf = [0u8; 6];
    assert_eq!(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe {
            run1(
                &mut target,
                Read::new(Fixed(2), buf.as_mut_ptr(), 6).build(),
            )
        }
        .result()
        .unwrap(),
        6
    );
    assert_eq!(&buf, b"passed");
}

#[test]
fn waitid_reports_the_child_exit_status() {
    require_ops!(WaitId::CODE);
    let child = std::process::Command::new("/bin/sh")
        .args(["-c", "exit 7"])
        .spawn()
        .expect("spawn sh");
    let pid = child.id();
    let mut ring = ring();
    // SAFETY: all-zero bytes are a valid value of this C struct (integers, arrays, raw pointers).
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    let sqe = WaitId::new(libc::P_PID, pid, libc::WEXITED)
        .infop(&mut info)
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_eq!(unsafe { run1(&mut ring, sqe) }.result().unwrap(), 0);
    assert_eq!(info.si_signo, libc::SIGCHLD);
    assert_eq!(info.si_code, libc::CLD_EXITED);
    assert_eq!(
        // SAFETY: WAITID filled `info` for an exited child (CLD_EXITED, asserted), for which the
        // pid/status union members are the ones set.
        unsafe { (info.si_pid(), info.si_status()) },
        (pid as i32, 7)
    );
    // Reaped: no such child any more.
    let sqe = WaitId::new(libc::P_PID, pid, libc::WEXITED).build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_errno(unsafe { run1(&mut ring, sqe) }, libc::ECHILD);
    drop(child);
}

/// From liburing's `test/cancel-fd-userdata.c`: `IORING_ASYNC_CANCEL_FD | USERDATA` cancels
/// only the request on that fd with that `user_data`; the other read on the same fd stays.
#[test]
fn async_cancel_by_fd_and_user_data_cancels_only_that_one() {
    require_ops!(AsyncCancel::CODE, Read::CODE);
    let (r, w) = pipe();
    let (mut a, mut b) = ([0u8; 4], [0u8; 4]);
    let mut ring = ring();
    let fd = Fd(r.as_raw_fd());
    // SAFETY: `a` and `b` (declared before `ring`) outlive both reads: each ends below (one
    // cancelled, one fed by a write) and its CQE is reaped before the test returns.
    unsafe {
        submit(
            &mut ring,
            &[
                Read::new(fd, a.as_mut_ptr(), 4).build().user_data(1),
                Read::new(fd, b.as_mut_ptr(), 4).build().user_data(2),
            ],
        )
    };
    // SAFETY: the cancel carries no pointer.
    let mut all = unsafe {
        run(
            &mut ring,
            &[AsyncCancelFd::new(fd)
                .user_data(Some(2))
                .build()
                .user_data(3)],
        )
    };
    let cancel = by_ud(&all, 3);
    let has = |all: &[uring::Cqe], ud: u64| all.iter().any(|c| c.user_data() == ud);
    if cancel.result().err().and_then(|e| e.raw_os_error()) == Some(libc::EINVAL) {
        eprintln!(
            "SKIPPED async_cancel_by_fd_and_user_data_cancels_only_that_one: the kernel \
             refuses IORING_ASYNC_CANCEL_USERDATA with FD (EINVAL; Linux 6.6+)"
        );
        write_fd(&w, b"12345678");
    } else {
        assert_eq!(cancel.result().unwrap(), 0, "one request matched");
        while !has(&all, 1) && !has(&all, 2) {
            all.extend(reap(&mut ring, 1));
        }
        if has(&all, 1) {
            // Asked, not assumed: a kernel before the flag matches on the fd alone.
            assert_errno(by_ud(&all, 1), libc::ECANCELED);
            eprintln!(
                "SKIPPED async_cancel_by_fd_and_user_data_cancels_only_that_one: this kernel \
                 ignores IORING_ASYNC_CANCEL_USERDATA with FD and cancelled the first request \
                 on the fd (the flag is Linux 6.6+)"
            );
        } else {
            assert_errno(by_ud(&all, 2), libc::ECANCELED);
        }
        write_fd(&w, b"1234");
    }
    while !(has(&all, 1) && has(&all, 2)) {
        all.extend(reap(&mut ring, 1));
    }
    assert!(
        by_ud(&all, 1).result().is_ok() || by_ud(&all, 2).result().is_ok(),
        "the request that was not cancelled read the data"
    );
}
