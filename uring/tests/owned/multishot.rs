//! Multishot handles: items until the final CQE, cancel, release exactly once.

use std::io::{Read as _, Write as _};
use std::os::fd::AsFd;
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::time::Duration;

use uring::driver::Driver;
use uring::driver::multishot::{AcceptMulti, PollMulti, RecvMsgMulti, TimeoutMulti};
use uring::driver::pbuf::RecvMulti;

use crate::support::{pipe, turn, write_all};

/// The test: cancel a multishot receive mid-stream. Items before the cancel are data,
/// the last is ECANCELED, the buffers all return, and the bytes not received by it are still
/// in the socket (none lost, none doubled).
#[test]
fn cancel_multishot_recv_mid_stream() {
    let mut d = Driver::new(16).unwrap();
    let Some(ring) =
        crate::support::buf_ring_or_skip(&mut d, 8, 64, "cancel_multishot_recv_mid_stream")
    else {
        return;
    };
    let (mut a, b) = UnixStream::pair().unwrap();
    let h = d.submit_multishot(RecvMulti::new(&b, &ring)).unwrap();
    let mut got = Vec::new();
    for i in 0..10u8 {
        a.write_all(&[i; 32]).unwrap();
        while got.len() < (i as usize + 1) * 32 {
            turn(&mut d);
            while let Some(item) = d.next(&h) {
                got.extend_from_slice(&item.unwrap());
            }
        }
    }
    d.cancel_multishot(&h).unwrap();
    let mut last_err = None;
    while !d.is_finished(&h) {
        turn(&mut d);
        while let Some(item) = d.next(&h) {
            match item {
                Ok(b) => got.extend_from_slice(&b),
                Err(e) => last_err = Some(e),
            }
        }
    }
    assert_eq!(
        last_err.and_then(|e| e.raw_os_error()),
        Some(libc::ECANCELED),
        "the stream ends with ECANCELED"
    );
    assert!(d.next(&h).is_none(), "nothing after the final CQE");
    let op = d.release(h).unwrap();
    assert_eq!(ring.available(), 8, "every buffer is back");
    // More data after the cancel stays in the socket.
    a.write_all(&[99; 5]).unwrap();
    drop(a);
    let mut rest = Vec::new();
    (&b).read_to_end(&mut rest).unwrap();
    let mut want: Vec<u8> = (0..10u8).flat_map(|i| [i; 32]).collect();
    assert_eq!(got, want);
    want.extend_from_slice(&[99; 5]);
    got.extend_from_slice(&rest);
    assert_eq!(got, want);
    drop(op);
}

/// Re-arming the released operation continues the stream.
#[test]
fn release_and_rearm() {
    let mut d = Driver::new(16).unwrap();
    let Some(ring) = crate::support::buf_ring_or_skip(&mut d, 4, 64, "release_and_rearm") else {
        return;
    };
    let (mut a, b) = UnixStream::pair().unwrap();
    let h = d.submit_multishot(RecvMulti::new(&b, &ring)).unwrap();
    d.submit_pending().unwrap();
    d.cancel_multishot(&h).unwrap();
    while !d.is_finished(&h) {
        turn(&mut d);
        while d.next(&h).is_some() {}
    }
    let op = d.release(h).unwrap();
    let h = d.submit_multishot(op).unwrap();
    a.write_all(b"again").unwrap();
    loop {
        turn(&mut d);
        if let Some(item) = d.next(&h) {
            assert_eq!(&*item.unwrap(), b"again");
            break;
        }
    }
    d.detach_multishot(h);
}

/// Multishot accept: one fd per connection; a detached one closes what it accepts.
#[test]
fn accept_multishot_and_detach() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let mut d = Driver::new(16).unwrap();
    let h = d.submit_multishot(AcceptMulti::new(l.as_fd(), 0)).unwrap();
    let clients: Vec<_> = (0..3)
        .map(|_| std::net::TcpStream::connect(addr).unwrap())
        .collect();
    let mut fds = Vec::new();
    while fds.len() < 3 {
        turn(&mut d);
        while let Some(item) = d.next(&h) {
            match item {
                Err(e) if fds.is_empty() && e.raw_os_error() == Some(libc::EINVAL) => {
                    eprintln!(
                        "SKIPPED accept_multishot_and_detach: the kernel refused \
                         IORING_ACCEPT_MULTISHOT with EINVAL (Linux 5.19+)"
                    );
                    d.release(h).unwrap();
                    return;
                }
                r => fds.push(r.unwrap()),
            }
        }
    }
    d.detach_multishot(h);
    let mut late = std::net::TcpStream::connect(addr).unwrap();
    // The detached accept takes this one and closes it.
    late.set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let mut one = [0u8; 1];
    loop {
        d.submit_pending().unwrap();
        d.reap(|_| {});
        match crate::support::read_retrying(&mut late, &mut one) {
            Ok(0) => break,
            Ok(_) => panic!("unexpected data"),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("{e}"),
        }
    }
    drop(clients);
    assert_eq!(fds.len(), 3);
    d.cancel_all().unwrap();
    while d.in_flight() > 0 {
        turn(&mut d);
    }
}

#[test]
fn poll_multishot_each_wakeup() {
    let mut d = Driver::new(16).unwrap();
    let (r, w) = pipe();
    let h = d
        .submit_multishot(PollMulti::new(&r, libc::POLLIN as u32))
        .unwrap();
    let mut n = 0;
    for _ in 0..3 {
        write_all(&w, b"x");
        let mut b = [0u8; 8];
        loop {
            turn(&mut d);
            if let Some(ev) = d.next(&h) {
                assert!(ev.unwrap() & libc::POLLIN as u32 != 0);
                n += 1;
                break;
            }
        }
        assert_eq!(crate::support::read_now(&r, &mut b), 1);
    }
    assert_eq!(n, 3);
    d.cancel_multishot(&h).unwrap();
    while !d.is_finished(&h) {
        turn(&mut d);
        while d.next(&h).is_some() {}
    }
    d.release(h).unwrap();
}

#[test]
fn timeout_multishot_counts() {
    let mut d = Driver::new(16).unwrap();
    let h = d
        .submit_multishot(TimeoutMulti::new(Duration::from_millis(2), 3))
        .unwrap();
    let mut fired = 0;
    while !d.is_finished(&h) {
        turn(&mut d);
        while let Some(item) = d.next(&h) {
            match item {
                Err(e) if fired == 0 && e.raw_os_error() == Some(libc::EINVAL) => {
                    eprintln!(
                        "SKIPPED timeout_multishot_counts: the kernel refused \
                         IORING_TIMEOUT_MULTISHOT with EINVAL (Linux 6.4+)"
                    );
                    d.release(h).unwrap();
                    return;
                }
                r => r.unwrap(),
            };
            fired += 1;
        }
    }
    assert_eq!(fired, 3);
    d.release(h).unwrap();
}

#[test]
fn recvmsg_multishot_parses_header() {
    let mut d = Driver::new(16).unwrap();
    let Some(ring) =
        crate::support::buf_ring_or_skip(&mut d, 4, 256, "recvmsg_multishot_parses_header")
    else {
        return;
    };
    let (a, b) = UnixDatagram::pair().unwrap();
    let h = d
        .submit_multishot(RecvMsgMulti::new(&b, &ring, 0, 0))
        .unwrap();
    for msg in [&b"one"[..], b"two!", b"three"] {
        a.send(msg).unwrap();
        loop {
            turn(&mut d);
            if let Some(item) = d.next(&h) {
                let m = item.unwrap();
                assert_eq!(m.payload(), msg);
                assert_eq!(m.header().payloadlen as usize, msg.len());
                assert!(m.name().is_empty());
                break;
            }
        }
    }
    d.cancel_multishot(&h).unwrap();
    while !d.is_finished(&h) {
        turn(&mut d);
        while d.next(&h).is_some() {}
    }
    d.release(h).unwrap();
    assert_eq!(ring.available(), 4);
}
