//! POLL_ADD (+ multishot), POLL_REMOVE (+ update), EPOLL_CTL, EPOLL_WAIT.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use uring::opcode::*;
use uring::types::{Fd, PollEvents};

use super::*;
use crate::require_ops;

const POLLIN: PollEvents = PollEvents::IN;
const POLLOUT: PollEvents = PollEvents::OUT;

#[test]
fn poll_add_completes_when_the_pipe_becomes_readable() {
    require_ops!(PollAdd::CODE);
    let (r, w) = pipe();
    let mut ring = ring();
    // SAFETY: POLL_ADD carries no pointer; `r` stays open until its CQE is reaped below.
    unsafe {
        submit(
            &mut ring,
            &[PollAdd::new(Fd(r.as_raw_fd()), POLLIN).build().user_data(1)],
        )
    };
    // Nothing yet: the pipe is empty.
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_eq!(ring.cq().count(), 0);
    write_fd(&w, b"x");
    let c = reap(&mut ring, 1)[0];
    assert_eq!(c.user_data(), 1);
    assert!(
        PollEvents::from_bits_retain(c.result().unwrap()).contains(POLLIN),
        "{c:?}"
    );
    assert!(!c.has_more());
}

#[test]
fn poll_add_multishot_posts_per_event_until_removed() {
    require_ops!(PollAdd::CODE, PollRemove::CODE);
    let (r, w) = pipe();
    let mut ring = ring();
    // SAFETY: POLL_ADD carries no pointer; `r` stays open until the poll is removed and its final
    // CQE reaped below.
    unsafe {
        submit(
            &mut ring,
            &[PollAdd::new(Fd(r.as_raw_fd()), POLLIN)
                .multi(true)
                .build()
                .user_data(7)],
        )
    };
    for _ in 0..2 {
        write_fd(&w, b"y");
        let c = reap(&mut ring, 1)[0];
        assert_eq!(c.user_data(), 7);
        assert!(
            c.has_more() && PollEvents::from_bits_retain(c.result().unwrap()).contains(POLLIN),
            "{c:?}"
        );
        assert_eq!(read_fd(&r, 8), b"y");
    }
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqes = unsafe { run(&mut ring, &[PollRemove::new(7).build().user_data(8)]) };
    assert_eq!(by_ud(&cqes, 8).result().unwrap(), 0);
    let last = if cqes.iter().any(|c| c.user_data() == 7) {
        by_ud(&cqes, 7)
    } else {
        reap(&mut ring, 1)[0]
    };
    assert_errno(last, libc::ECANCELED);
    // Nothing armed under that user_data any more.
    assert_errno(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, PollRemove::new(7).build()) },
        libc::ENOENT,
    );
}

#[test]
fn poll_update_changes_events_and_user_data() {
    require_ops!(PollAdd::CODE, PollRemove::CODE);
    let (r, w) = pipe();
    let mut ring = ring();
    // POLLOUT on the read end never fires (it is not open for writing); the update switches
    // it to POLLIN, which a byte written afterwards fires. (Written after the update, not
    // before: some kernels, Debian's 5.10.223 among them, re-arm an updated poll without
    // looking at the file again, so only a wake-up after the update is seen everywhere.)
    // SAFETY: POLL_ADD carries no pointer; `r` stays open until the updated poll fires and its CQE
    // is reaped below.
    unsafe {
        submit(
            &mut ring,
            &[PollAdd::new(Fd(r.as_raw_fd()), POLLOUT)
                .build()
                .user_data(20)],
        )
    };
    let upd = PollUpdate::new(20)
        .events(Some(POLLIN))
        .new_user_data(Some(21))
        .build()
        .user_data(22);
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqes = unsafe { run(&mut ring, &[upd]) };
    if refused(
        &by_ud(&cqes, 22),
        "poll_update_changes_events_and_user_data",
        "IORING_POLL_UPDATE_EVENTS/USER_DATA (Linux 5.13+)",
    ) {
        // The poll is unchanged: remove it (POLL_REMOVE by user_data is Linux 5.1).
        // SAFETY: POLL_REMOVE carries no pointer.
        let more = unsafe { run(&mut ring, &[PollRemove::new(20).build().user_data(23)]) };
        if !more.iter().any(|c| c.user_data() == 20) {
            reap(&mut ring, 1);
        }
        return;
    }
    let mut all = cqes.clone();
    // The poll's next CQE: 21 once updated and woken, or 20 (ECANCELED) where the update
    // removed it.
    if !all.iter().any(|c| c.user_data() == 20) {
        write_all_fd(&w, b"x");
    }
    if !all.iter().any(|c| matches!(c.user_data(), 20 | 21)) {
        all.extend(reap(&mut ring, 1));
    }
    if !all.iter().any(|c| c.user_data() == 21)
        && all
            .iter()
            .any(|c| c.user_data() == 20 && c.res() == -libc::ECANCELED)
    {
        // Before Linux 5.13 POLL_REMOVE has no update flags and ignores them: the "update"
        // removed the poll (its CQE: ECANCELED) and armed nothing.
        util::skip(
            "poll_update_changes_events_and_user_data",
            "the kernel took POLL_UPDATE as a plain POLL_REMOVE (IORING_POLL_UPDATE_* are \
             Linux 5.13+): the poll was cancelled, not updated",
        );
        return;
    }
    assert_eq!(by_ud(&all, 22).result().unwrap(), 0);
    let fired = by_ud(&all, 21);
    assert!(
        PollEvents::from_bits_retain(fired.result().unwrap()).contains(POLLIN),
        "{fired:?}"
    );
    assert!(
        !all.iter().any(|c| c.user_data() == 20),
        "the old user_data is gone: {all:?}"
    );
    drop(r);
}

/// Writes all of `data` to `fd` (a pipe's write end with room).
fn write_all_fd(fd: &OwnedFd, data: &[u8]) {
    // SAFETY: `data` is valid for reads of its length.
    let n = unsafe { libc::write(fd.as_raw_fd(), data.as_ptr().cast(), data.len()) };
    assert_eq!(
        n,
        data.len() as isize,
        "write: {}",
        std::io::Error::last_os_error()
    );
}

fn epoll() -> OwnedFd {
    // SAFETY: epoll_create1 takes no pointers.
    let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
    assert!(fd >= 0);
    // SAFETY: a new fd (checked non-negative) that nothing else owns.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

#[test]
fn epoll_ctl_adds_an_interest_the_epoll_set_reports() {
    require_ops!(EpollCtl::CODE);
    let ep = epoll();
    let (r, w) = pipe();
    let mut ring = ring();
    let ev = libc::epoll_event {
        events: libc::EPOLLIN as u32,
        u64: 0xfeed,
    };
    let sqe = EpollCtl::new(Fd(ep.as_raw_fd()), r.as_raw_fd(), libc::EPOLL_CTL_ADD, &ev).build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_eq!(unsafe { run1(&mut ring, sqe) }.result().unwrap(), 0);
    write_fd(&w, b"z");
    let mut out = [libc::epoll_event { events: 0, u64: 0 }; 2];
    // SAFETY: `out` has room for the 2 events epoll_wait may write.
    let n = unsafe { libc::epoll_wait(ep.as_raw_fd(), out.as_mut_ptr(), 2, 1000) };
    assert_eq!(n, 1);
    let data = out[0].u64;
    assert_eq!(data, 0xfeed);
    // Adding the same fd again.
    let sqe = EpollCtl::new(Fd(ep.as_raw_fd()), r.as_raw_fd(), libc::EPOLL_CTL_ADD, &ev).build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_errno(unsafe { run1(&mut ring, sqe) }, libc::EEXIST);
    // Removing it: epoll_wait then reports nothing.
    let sqe = EpollCtl::new(
        Fd(ep.as_raw_fd()),
        r.as_raw_fd(),
        libc::EPOLL_CTL_DEL,
        std::ptr::null(),
    )
    .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_eq!(unsafe { run1(&mut ring, sqe) }.result().unwrap(), 0);
    assert_eq!(
        // SAFETY: `out` has room for the 2 events epoll_wait may write.
        unsafe { libc::epoll_wait(ep.as_raw_fd(), out.as_mut_ptr(), 2, 0) },
        0
    );
}

#[test]
fn epoll_wait_returns_the_ready_events() {
    require_ops!(EpollWait::CODE);
    let ep = epoll();
    let (r, w) = pipe();
    let mut ev = libc::epoll_event {
        events: libc::EPOLLIN as u32,
        u64: 42,
    };
    assert_eq!(
        // SAFETY: `ev` is an `epoll_event` read during the call.
        unsafe { libc::epoll_ctl(ep.as_raw_fd(), libc::EPOLL_CTL_ADD, r.as_raw_fd(), &mut ev) },
        0
    );
    let mut out = [libc::epoll_event { events: 0, u64: 0 }; 4];
    let mut ring = ring();
    // SAFETY: `out` (room for 4 events, declared before `ring`) outlives the request: its CQE is
    // reaped below before `out` is read.
    unsafe {
        submit(
            &mut ring,
            &[EpollWait::new(Fd(ep.as_raw_fd()), out.as_mut_ptr(), 4)
                .build()
                .user_data(1)],
        )
    };
    write_fd(&w, b"ready");
    let c = reap(&mut ring, 1)[0];
    assert_eq!(c.result().unwrap(), 1);
    let (events, data) = (out[0].events, out[0].u64);
    assert_eq!(data, 42);
    assert!(events & libc::EPOLLIN as u32 != 0);
    // Not an epoll fd.
    assert_errno(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe {
            run1(
                &mut ring,
                EpollWait::new(Fd(r.as_raw_fd()), out.as_mut_ptr(), 4).build(),
            )
        },
        libc::EINVAL,
    );
}
