//! Owned single-shot operations: buffers go in, come back with the result.

use std::ffi::CString;
use std::io::{Read as _, Write as _};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use uring::driver::{
    Accept, Close, Driver, IoBuf, Nop, OpenAt, Read, Recv, Send, TakeError, Timeout, Write,
};

use crate::support::{pipe, turn, write_all};

#[test]
fn nop_roundtrip() {
    let mut d = Driver::new(8).unwrap();
    let op = d.submit(Nop).unwrap();
    assert!(!d.is_done(&op));
    assert_eq!(d.wait(op).unwrap().unwrap(), 0);
    assert_eq!(d.in_flight(), 0);
}

#[test]
fn read_sets_filled_length_and_returns_buffer() {
    let mut d = Driver::new(8).unwrap();
    let (r, w) = pipe();
    write_all(&w, b"hello");
    let op = d
        .submit(Read::new(&r, Vec::with_capacity(64), u64::MAX))
        .unwrap();
    let (res, buf) = d.wait(op).unwrap();
    assert_eq!(res.unwrap(), 5);
    assert_eq!(buf, b"hello", "the Vec's len is the filled length");
    assert!(buf.capacity() >= 64);
}

#[test]
fn read_into_slice_of_buffer() {
    let mut d = Driver::new(8).unwrap();
    let (r, w) = pipe();
    write_all(&w, b"xyz");
    let mut v = vec![b'.'; 4];
    v.reserve(16);
    let op = d.submit(Read::new(&r, v.slice(2..6), u64::MAX)).unwrap();
    let (res, s) = d.wait(op).unwrap();
    assert_eq!(res.unwrap(), 3);
    assert_eq!(
        s.into_inner(),
        b"..xyz",
        "written at offset 2; len grows to 5"
    );
}

#[test]
fn write_and_send_hand_back_buffers() {
    let mut d = Driver::new(8).unwrap();
    let (r, w) = pipe();
    let op = d
        .submit(Write::new(&w, b"static bytes".as_slice(), u64::MAX))
        .unwrap();
    let (res, buf) = d.wait(op).unwrap();
    assert_eq!(res.unwrap(), 12);
    assert_eq!(buf, b"static bytes");
    let mut got = [0u8; 12];
    std::fs::File::from(r).read_exact(&mut got).unwrap();
    assert_eq!(&got, b"static bytes");

    let (mut a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    let op = d
        .submit(Send::new(&b, vec![7u8; 100].into_boxed_slice(), 0))
        .unwrap();
    let (res, boxed) = d.wait(op).unwrap();
    assert_eq!((res.unwrap(), boxed.len()), (100, 100));
    let mut got = [0u8; 100];
    a.read_exact(&mut got).unwrap();
    assert_eq!(got, [7u8; 100]);

    a.write_all(b"ping").unwrap();
    let op = d.submit(Recv::new(&b, vec![0u8; 0], 0)).unwrap();
    let (res, v) = d.wait(op).unwrap();
    assert_eq!(
        (res.unwrap(), v.len()),
        (0, 0),
        "a zero-capacity buffer receives 0 bytes"
    );
}

#[test]
fn take_before_done_and_foreign_handles() {
    let mut d = Driver::new(8).unwrap();
    let mut other = Driver::new(8).unwrap();
    let (r, w) = pipe();
    let op = d.submit(Read::new(&r, vec![0u8; 8], u64::MAX)).unwrap();
    d.submit_pending().unwrap();
    let op = match d.take(op) {
        Err(TakeError::Pending(op)) => op,
        other => panic!("expected Pending, got {other:?}"),
    };
    let op = match other.take(op) {
        Err(TakeError::Foreign(op)) => op,
        other => panic!("expected Foreign, got {other:?}"),
    };
    assert!(
        other.cancel(&op).is_err(),
        "cancel through another driver is refused"
    );
    let e = other.wait(op).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    // The op is still d's, and still in flight; finishing it works.
    write_all(&w, b"1");
    assert_eq!(d.in_flight(), 1);
    turn(&mut d);
    assert_eq!(d.in_flight(), 0);
}

#[test]
fn timeout_fires_and_cancel() {
    let mut d = Driver::new(8).unwrap();
    let t0 = Instant::now();
    let op = d.submit(Timeout::new(Duration::from_millis(20))).unwrap();
    d.wait(op).unwrap().unwrap();
    assert!(t0.elapsed() >= Duration::from_millis(20));

    let op = d.submit(Timeout::new(Duration::from_secs(60))).unwrap();
    d.submit_pending().unwrap();
    d.cancel(&op).unwrap();
    let e = d.wait(op).unwrap().unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ECANCELED));
}

#[test]
fn openat_owns_path_and_close_consumes_fd() {
    let dir = std::env::temp_dir().join(format!("uring-owned-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("f");
    std::fs::write(&path, b"content").unwrap();
    let mut d = Driver::new(8).unwrap();
    let c = CString::new(path.to_str().unwrap()).unwrap();
    let op = d
        .submit(OpenAt::new(libc::AT_FDCWD, c, libc::O_RDONLY, 0))
        .unwrap();
    let fd = d.wait(op).unwrap().unwrap();
    let op = d.submit(Read::new(&fd, Vec::with_capacity(16), 0)).unwrap();
    assert_eq!(d.wait(op).unwrap().1, b"content");
    let op = d.submit(Close::new(fd)).unwrap();
    d.wait(op).unwrap().unwrap();

    let missing = CString::new(dir.join("missing").to_str().unwrap()).unwrap();
    let op = d
        .submit(OpenAt::new(libc::AT_FDCWD, missing, libc::O_RDONLY, 0))
        .unwrap();
    let e = d.wait(op).unwrap().unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENOENT));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A detached accept that completes anyway: the driver closes the connection it produced.
#[test]
fn detached_accept_closes_the_new_socket() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut d = Driver::new(8).unwrap();
    let op = d.submit(Accept::new(l.as_fd(), 0)).unwrap();
    d.submit_pending().unwrap();
    d.detach(op);
    let mut c = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
    while d.in_flight() > 0 {
        turn(&mut d);
    }
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut b = [0u8; 1];
    assert_eq!(
        crate::support::read_retrying(&mut c, &mut b).unwrap(),
        0,
        "the accepted end was closed: EOF"
    );
}

/// An accept finished but never taken is closed when the driver drops.
#[test]
fn untaken_accept_closed_on_drop() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut d = Driver::new(8).unwrap();
    let op = d.submit(Accept::new(l.as_fd(), 0)).unwrap();
    d.submit_pending().unwrap();
    let mut c = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
    while !d.is_done(&op) {
        turn(&mut d);
    }
    std::mem::forget(op);
    drop(d);
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut b = [0u8; 1];
    assert_eq!(crate::support::read_retrying(&mut c, &mut b).unwrap(), 0);
}

/// Push past the SQ size: the driver submits to make room; every op completes.
#[test]
fn more_ops_than_sq_entries() {
    let mut d = Driver::new(4).unwrap();
    let ops: Vec<_> = (0..100).map(|_| d.submit(Nop).unwrap()).collect();
    for op in ops {
        d.wait(op).unwrap().unwrap();
    }
    assert_eq!(d.in_flight(), 0);
}

#[test]
fn raw_push_rejects_tagged_user_data() {
    let mut d = Driver::new(4).unwrap();
    let sqe = uring::Sqe::new(uring_sys::IORING_OP_NOP).user_data(1 << 63 | 5);
    // SAFETY: a NOP carries no pointer.
    let e = unsafe { d.push_raw(&sqe) }.unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    let sqe = uring::Sqe::new(uring_sys::IORING_OP_NOP).user_data(42);
    // SAFETY: as above.
    unsafe { d.push_raw(&sqe) }.unwrap();
    turn(&mut d);
    let got: Vec<_> = d.foreign_completions().map(|c| c.user_data()).collect();
    assert_eq!(got, [42]);
}

/// A forged CQE naming a random tagged user_data (here via IORING_OP_NOP's CQE on a raw push
/// is impossible, so through MSG_RING from another ring) is counted stale, not trusted.
#[test]
fn forged_tagged_completion_is_ignored() {
    let mut d = Driver::new(8).unwrap();
    if !crate::support::supported(
        &d,
        uring_sys::IORING_OP_MSG_RING,
        "forged_tagged_completion",
    ) {
        return;
    }
    let (r, w) = pipe();
    let op = d.submit(Read::new(&r, vec![0u8; 8], u64::MAX)).unwrap();
    d.submit_pending().unwrap();
    let mut other = uring::Ring::new(4).unwrap();
    use std::os::fd::AsRawFd;
    let mut sqe = uring::Sqe::new(uring_sys::IORING_OP_MSG_RING).user_data(1);
    {
        let raw = sqe.as_raw_mut();
        raw.fd = d.ring().as_raw_fd();
        raw.len = 0;
        // A tagged value that is not a live slot (the generation is wrong).
        raw.off_union.off = (1 << 63) | (op.key().index() as u64) | (12345 << 24);
    }
    // SAFETY: MSG_RING carries no pointer.
    unsafe { other.push(&sqe) }.unwrap();
    other.submit_and_wait(1).unwrap();
    turn(&mut d);
    assert_eq!(d.stale_completions(), 1);
    assert!(!d.is_done(&op), "the read is still in flight");
    write_all(&w, b"a");
    let (res, _) = d.wait(op).unwrap();
    assert_eq!(res.unwrap(), 1);
}

/// `submit_batch`: more ops than SQ entries in one call; each gets a handle, in order.
#[test]
fn submit_batch_past_sq_size() {
    let mut d = Driver::new(4).unwrap();
    let mut ops = Vec::new();
    d.submit_batch((0..50).map(|_| Nop), |r| ops.push(r.unwrap()));
    assert_eq!((ops.len(), d.in_flight()), (50, 50));
    for op in ops {
        d.wait(op).unwrap().unwrap();
    }
    assert_eq!(d.in_flight(), 0);
}

/// A linked timeout: a read that never gets data is cancelled after the timeout and its buffer
/// comes back; one that completes first is unaffected; both timers' slots are finished.
#[test]
fn submit_with_timeout_cancels_or_not() {
    let mut d = Driver::new(8).unwrap();
    let (r, w) = pipe();
    let t0 = Instant::now();
    let op = d
        .submit_with_timeout(
            Read::new(&r, vec![0u8; 16], u64::MAX),
            Duration::from_millis(20),
        )
        .unwrap();
    let (res, buf) = d.wait(op).unwrap();
    assert_eq!(res.unwrap_err().raw_os_error(), Some(libc::ECANCELED));
    assert_eq!(buf.len(), 16);
    assert!(t0.elapsed() >= Duration::from_millis(20));
    while d.in_flight() > 0 {
        turn(&mut d);
    }

    write_all(&w, b"in time");
    let op = d
        .submit_with_timeout(
            Read::new(&r, Vec::with_capacity(16), u64::MAX),
            Duration::from_secs(10),
        )
        .unwrap();
    let (res, buf) = d.wait(op).unwrap();
    assert_eq!((res.unwrap(), &buf[..]), (7, &b"in time"[..]));
    while d.in_flight() > 0 {
        turn(&mut d);
    }
    assert_eq!(d.stale_completions(), 0);
}
