//! SEND, RECV (+ multishot), SENDMSG, RECVMSG (+ multishot), ACCEPT (+ multishot), CONNECT,
//! SHUTDOWN, SOCKET, SEND_ZC, SENDMSG_ZC, BIND, LISTEN, RECV_ZC.

use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream, UdpSocket};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::net::UnixStream;

use uring::CqeFlags;
use uring::opcode::*;
use uring::types::{DestinationSlot, Fd, Fixed};

use super::*;
use crate::require_ops;

fn sockaddr_in(addr: SocketAddrV4) -> libc::sockaddr_in {
    libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: addr.port().to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from(*addr.ip()).to_be(),
        },
        sin_zero: [0; 8],
    }
}

fn local_port(fd: i32) -> u16 {
    // SAFETY: all-zero bytes are a valid value of this C struct (integers, arrays, raw pointers).
    let mut sa: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
    assert_eq!(
        // SAFETY: `sa`/`len` are a `sockaddr_in` buffer and its length for the kernel to fill.
        unsafe { libc::getsockname(fd, (&raw mut sa).cast(), &mut len) },
        0
    );
    u16::from_be(sa.sin_port)
}

fn tcp_pair() -> (TcpStream, TcpStream) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let c = TcpStream::connect(l.local_addr().unwrap()).unwrap();
    let (s, _) = l.accept().unwrap();
    (c, s)
}

fn udp_pair() -> (UdpSocket, UdpSocket) {
    let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").unwrap();
    a.connect(b.local_addr().unwrap()).unwrap();
    b.connect(a.local_addr().unwrap()).unwrap();
    (a, b)
}

/// A new TCP/IPv4 socket, close-on-exec.
fn tcp_socket() -> OwnedFd {
    // SAFETY: socket(2) takes no pointers.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
    assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
    // SAFETY: a new fd (checked non-negative) that nothing else owns.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// Provides `n` buffers of `size` bytes from `bufs` to `group` (`IORING_OP_PROVIDE_BUFFERS`).
///
/// # Safety
///
/// The kernel keeps pointers into `bufs` after this returns: `bufs` must outlive `ring` (or
/// every request that may pick these buffers).
unsafe fn provide(ring: &mut Ring, bufs: &mut [u8], size: u32, n: u16, group: u16) {
    // SAFETY: the kernel keeps pointers into `bufs` after this op's CQE; this fn's contract makes
    // `bufs` outlive the ring.
    let cqe = unsafe {
        run1(
            ring,
            ProvideBuffers::new(bufs.as_mut_ptr(), size, n, group, 0).build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 0);
}

#[test]
fn send_delivers_bytes_to_the_peer() {
    require_ops!(Send::CODE);
    let (a, mut b) = UnixStream::pair().unwrap();
    let mut ring = ring();
    let msg = b"sent by uring";
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            Send::new(Fd(a.as_raw_fd()), msg.as_ptr(), msg.len() as u32).build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), msg.len() as u32);
    let mut got = [0u8; 13];
    b.read_exact(&mut got).unwrap();
    assert_eq!(&got, msg);
}

#[test]
fn send_with_dest_addr_is_sendto() {
    require_ops!(Send::CODE);
    let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").unwrap();
    let std::net::SocketAddr::V4(to) = b.local_addr().unwrap() else {
        unreachable!()
    };
    let sa = sockaddr_in(to);
    let mut ring = ring();
    let sqe = Send::new(Fd(a.as_raw_fd()), b"dgram".as_ptr(), 5)
        .dest_addr(((&raw const sa).cast(), std::mem::size_of_val(&sa) as u16))
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let c = unsafe { run1(&mut ring, sqe) };
    if refused(
        &c,
        "send_with_dest_addr_is_sendto",
        "a SEND with a destination address (Linux 6.0+)",
    ) {
        return;
    }
    assert_eq!(c.result().unwrap(), 5);
    let mut got = [0u8; 16];
    let (n, from) = b.recv_from(&mut got).unwrap();
    assert_eq!((&got[..n], from), (&b"dgram"[..], a.local_addr().unwrap()));
}

#[test]
fn recv_receives_what_the_peer_wrote() {
    require_ops!(Recv::CODE);
    let (a, mut b) = UnixStream::pair().unwrap();
    let mut ring = ring();
    b.write_all(b"incoming").unwrap();
    let mut buf = [0u8; 32];
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            Recv::new(Fd(a.as_raw_fd()), buf.as_mut_ptr(), 32).build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 8);
    assert_eq!(&buf[..8], b"incoming");
    // The peer is gone: 0 bytes (EOF).
    drop(b);
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            Recv::new(Fd(a.as_raw_fd()), buf.as_mut_ptr(), 32).build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 0);
    // A non-socket.
    let (r, _w) = pipe();
    assert_errno(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe {
            run1(
                &mut ring,
                Recv::new(Fd(r.as_raw_fd()), buf.as_mut_ptr(), 32).build(),
            )
        },
        libc::ENOTSOCK,
    );
}

#[test]
fn recv_multishot_fills_provided_buffers_per_message() {
    require_ops!(Recv::CODE, ProvideBuffers::CODE);
    let (a, b) = udp_pair();
    let mut bufs = vec![0u8; 8 * 64];
    let mut ring = ring();
    // SAFETY: `bufs` is declared before `ring`, so it outlives it.
    unsafe { provide(&mut ring, &mut bufs, 64, 8, 5) };
    // SAFETY: RecvMulti carries no pointer (it picks from group 5, `bufs`, which outlives the
    // ring); it is cancelled and its final CQE reaped below.
    unsafe {
        submit(
            &mut ring,
            &[RecvMulti::new(Fd(a.as_raw_fd()), 5).build().user_data(3)],
        )
    };
    let mut got = Vec::new();
    for msg in [&b"one"[..], b"two!", b"three"] {
        b.send(msg).unwrap();
        let c = reap(&mut ring, 1)[0];
        if got.is_empty()
            && refused(
                &c,
                "recv_multishot_fills_provided_buffers_per_message",
                "IORING_RECV_MULTISHOT (Linux 6.0+)",
            )
        {
            return;
        }
        assert!(
            c.has_more() && c.flags().contains(CqeFlags::BUFFER),
            "{c:?}"
        );
        let id = c.buffer_id().unwrap() as usize;
        got.push(bufs[id * 64..id * 64 + c.result().unwrap() as usize].to_vec());
    }
    assert_eq!(got, [b"one".to_vec(), b"two!".to_vec(), b"three".to_vec()]);
    // Cancel it and wait for its final CQE before the buffers go.
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqes = unsafe { run(&mut ring, &[AsyncCancel::new(3).build().user_data(4)]) };
    assert_eq!(by_ud(&cqes, 4).result().unwrap(), 0);
    if !cqes.iter().any(|c| c.user_data() == 3) {
        let last = reap(&mut ring, 1)[0];
        assert_errno(last, libc::ECANCELED);
    }
}

#[test]
fn sendmsg_and_recvmsg_move_a_datagram_with_iovecs() {
    require_ops!(SendMsg::CODE, RecvMsg::CODE);
    let (a, b) = udp_pair();
    let mut ring = ring();
    let (mut h, mut t) = (*b"head-", *b"tail");
    let iov = [iovec(&mut h), iovec(&mut t)];
    // SAFETY: all-zero bytes are a valid value of this C struct (integers, arrays, raw pointers).
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = iov.as_ptr().cast_mut();
    msg.msg_iovlen = 2;
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe { run1(&mut ring, SendMsg::new(Fd(a.as_raw_fd()), &msg).build()) };
    assert_eq!(cqe.result().unwrap(), 9);

    let (mut x, mut y) = ([0u8; 3], [0u8; 16]);
    let riov = [iovec(&mut x), iovec(&mut y)];
    // SAFETY: all-zero bytes are a valid value of this C struct (integers, arrays, raw pointers).
    let mut from: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    // SAFETY: all-zero bytes are a valid value of this C struct (integers, arrays, raw pointers).
    let mut rmsg: libc::msghdr = unsafe { std::mem::zeroed() };
    rmsg.msg_iov = riov.as_ptr().cast_mut();
    rmsg.msg_iovlen = 2;
    rmsg.msg_name = (&raw mut from).cast();
    rmsg.msg_namelen = std::mem::size_of_val(&from) as u32;
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            RecvMsg::new(Fd(b.as_raw_fd()), &mut rmsg).build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 9);
    assert_eq!((&x, &y[..6]), (b"hea", &b"d-tail"[..]));
    assert_eq!(u16::from_be(from.sin_port), a.local_addr().unwrap().port());
}

#[test]
fn recvmsg_multishot_writes_header_name_and_payload() {
    require_ops!(RecvMsg::CODE, ProvideBuffers::CODE);
    let (a, b) = udp_pair();
    let mut bufs = vec![0u8; 4 * 256];
    let mut ring = ring();
    // SAFETY: `bufs` is declared before `ring`, so it outlives it.
    unsafe { provide(&mut ring, &mut bufs, 256, 4, 6) };
    // SAFETY: all-zero bytes are a valid value of this C struct (integers, arrays, raw pointers).
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_namelen = std::mem::size_of::<libc::sockaddr_in>() as u32;
    // SAFETY: `msg` (the template the multishot reads) lives until the request is cancelled and its
    // final CQE reaped below; its buffers (group 6, `bufs`) outlive the ring.
    unsafe {
        submit(
            &mut ring,
            &[RecvMsgMulti::new(Fd(b.as_raw_fd()), &msg, 6)
                .build()
                .user_data(8)],
        )
    };
    a.send(b"multi-msg").unwrap();
    let c = reap(&mut ring, 1)[0];
    if refused(
        &c,
        "recvmsg_multishot_writes_header_name_and_payload",
        "IORING_RECV_MULTISHOT (Linux 6.0+)",
    ) {
        return;
    }
    assert!(c.has_more(), "{c:?}");
    let id = c.buffer_id().unwrap() as usize;
    let buf = &bufs[id * 256..id * 256 + c.result().unwrap() as usize];
    let out_len = std::mem::size_of::<uring_sys::io_uring_recvmsg_out>();
    assert!(buf.len() >= out_len, "{c:?}");
    // SAFETY: `buf` holds at least an `io_uring_recvmsg_out` (asserted), which the kernel wrote
    // first; `read_unaligned` copes with the buffer's alignment.
    let hdr = unsafe {
        buf.as_ptr()
            .cast::<uring_sys::io_uring_recvmsg_out>()
            .read_unaligned()
    };
    assert_eq!(hdr.payloadlen, 9);
    assert_eq!(
        hdr.namelen as usize,
        std::mem::size_of::<libc::sockaddr_in>()
    );
    let name_at = std::mem::size_of::<uring_sys::io_uring_recvmsg_out>();
    assert!(buf.len() >= name_at + std::mem::size_of::<libc::sockaddr_in>());
    // SAFETY: a `sockaddr_in` follows the header inside `buf` (asserted), written by the kernel
    // (`msg_namelen` asked for one); `read_unaligned` copes with the alignment.
    let name = unsafe {
        buf[name_at..]
            .as_ptr()
            .cast::<libc::sockaddr_in>()
            .read_unaligned()
    };
    assert_eq!(u16::from_be(name.sin_port), a.local_addr().unwrap().port());
    let payload_at = name_at + msg.msg_namelen as usize + msg.msg_controllen;
    assert_eq!(&buf[payload_at..payload_at + 9], b"multi-msg");
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqes = unsafe { run(&mut ring, &[AsyncCancel::new(8).build().user_data(9)]) };
    if !cqes.iter().any(|c| c.user_data() == 8) {
        assert_errno(reap(&mut ring, 1)[0], libc::ECANCELED);
    }
}

#[test]
fn accept_returns_the_connection_and_peer_address() {
    require_ops!(Accept::CODE);
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let c = TcpStream::connect(l.local_addr().unwrap()).unwrap();
    let mut ring = ring();
    // SAFETY: all-zero bytes are a valid value of this C struct (integers, arrays, raw pointers).
    let mut sa: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of_val(&sa) as libc::socklen_t;
    let sqe = Accept::new(Fd(l.as_raw_fd()), (&raw mut sa).cast(), &mut len)
        .flags(libc::SOCK_CLOEXEC)
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let fd = unsafe { run1(&mut ring, sqe) }.result().unwrap();
    // SAFETY: the CQE's result is the new fd the op made (non-negative: `result()` was Ok), owned
    // by nothing else.
    let mut s = TcpStream::from(unsafe { OwnedFd::from_raw_fd(fd as i32) });
    assert_eq!(u16::from_be(sa.sin_port), c.local_addr().unwrap().port());
    assert_eq!(len as usize, std::mem::size_of_val(&sa));
    (&c).write_all(b"hi").unwrap();
    let mut got = [0u8; 2];
    s.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"hi");
    // Accepting on a socket that is not listening.
    assert_errno(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe {
            run1(
                &mut ring,
                Accept::new(
                    Fd(c.as_raw_fd()),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                )
                .build(),
            )
        },
        libc::EINVAL,
    );
}

#[test]
fn accept_multishot_posts_one_cqe_per_connection() {
    require_ops!(Accept::CODE);
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut ring = ring();
    // SAFETY: AcceptMulti carries no pointer (no peer address asked for); `l` stays open until the
    // request is cancelled and its final CQE reaped below.
    unsafe {
        submit(
            &mut ring,
            &[AcceptMulti::new(Fd(l.as_raw_fd()))
                .flags(libc::SOCK_CLOEXEC)
                .build()
                .user_data(11)],
        )
    };
    let clients: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(l.local_addr().unwrap()).unwrap())
        .collect();
    let mut peers = Vec::new();
    let mut cqes = reap(&mut ring, 1);
    let first = cqes[0];
    if refused(
        &first,
        "accept_multishot_posts_one_cqe_per_connection",
        "IORING_ACCEPT_MULTISHOT (Linux 5.19+)",
    ) {
        return;
    }
    assert!(
        first.has_more(),
        "the kernel took the multishot accept as a single-shot one: {first:?}"
    );
    if cqes.len() < 2 {
        cqes.extend(reap(&mut ring, 1));
    }
    assert_eq!(cqes.len(), 2, "{cqes:?}");
    for c in cqes {
        assert!(c.has_more(), "{c:?}");
        // SAFETY: each multishot ACCEPT CQE's result is a new socket fd (`result()` was Ok), owned
        // by nothing else.
        let s = TcpStream::from(unsafe { OwnedFd::from_raw_fd(c.result().unwrap() as i32) });
        peers.push(s.peer_addr().unwrap().port());
    }
    peers.sort_unstable();
    let mut want: Vec<u16> = clients
        .iter()
        .map(|c| c.local_addr().unwrap().port())
        .collect();
    want.sort_unstable();
    assert_eq!(peers, want);
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqes = unsafe { run(&mut ring, &[AsyncCancel::new(11).build().user_data(12)]) };
    if !cqes.iter().any(|c| c.user_data() == 11) {
        assert_errno(reap(&mut ring, 1)[0], libc::ECANCELED);
    }
}

#[test]
fn connect_connects_to_a_listener() {
    require_ops!(Connect::CODE);
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let std::net::SocketAddr::V4(to) = l.local_addr().unwrap() else {
        unreachable!()
    };
    let s = tcp_socket();
    let sa = sockaddr_in(to);
    let mut ring = ring();
    let sqe = Connect::new(
        Fd(s.as_raw_fd()),
        (&raw const sa).cast(),
        std::mem::size_of_val(&sa) as u32,
    )
    .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_eq!(unsafe { run1(&mut ring, sqe) }.result().unwrap(), 0);
    let (_, peer) = l.accept().unwrap();
    assert_eq!(peer.port(), local_port(s.as_raw_fd()));
    // Nothing listens on the port once the listener is gone.
    drop(l);
    let s2 = tcp_socket();
    let sqe = Connect::new(
        Fd(s2.as_raw_fd()),
        (&raw const sa).cast(),
        std::mem::size_of_val(&sa) as u32,
    )
    .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_errno(unsafe { run1(&mut ring, sqe) }, libc::ECONNREFUSED);
}

#[test]
fn shutdown_write_gives_the_peer_eof() {
    require_ops!(Shutdown::CODE);
    let (a, mut b) = UnixStream::pair().unwrap();
    let mut ring = ring();
    assert_eq!(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe {
            run1(
                &mut ring,
                Shutdown::new(Fd(a.as_raw_fd()), libc::SHUT_WR).build(),
            )
        }
        .result()
        .unwrap(),
        0
    );
    let mut buf = [0u8; 4];
    assert_eq!(b.read(&mut buf).unwrap(), 0);
    let (r, _w) = pipe();
    assert_errno(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe {
            run1(
                &mut ring,
                Shutdown::new(Fd(r.as_raw_fd()), libc::SHUT_WR).build(),
            )
        },
        libc::ENOTSOCK,
    );
}

#[test]
fn socket_creates_a_socket_of_the_asked_kind() {
    require_ops!(Socket::CODE);
    let mut ring = ring();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let fd = unsafe {
        run1(
            &mut ring,
            Socket::new(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0).build(),
        )
    }
    .result()
    .unwrap();
    // SAFETY: the CQE's result is the new fd the op made (non-negative: `result()` was Ok), owned
    // by nothing else.
    let s = unsafe { OwnedFd::from_raw_fd(fd as i32) };
    let get = |opt| {
        let mut v: libc::c_int = 0;
        let mut len = 4;
        assert_eq!(
            // SAFETY: `v`/`len` are an int buffer and its length for the kernel to fill.
            unsafe {
                libc::getsockopt(
                    s.as_raw_fd(),
                    libc::SOL_SOCKET,
                    opt,
                    (&raw mut v).cast(),
                    &mut len,
                )
            },
            0
        );
        v
    };
    assert_eq!(
        (get(libc::SO_DOMAIN), get(libc::SO_TYPE)),
        (libc::AF_INET, libc::SOCK_DGRAM)
    );
    assert_errno(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, Socket::new(9999, libc::SOCK_STREAM, 0).build()) },
        libc::EAFNOSUPPORT,
    );
}

#[test]
fn send_zc_delivers_and_notifies() {
    require_ops!(SendZc::CODE);
    let (a, mut b) = tcp_pair();
    let mut ring = ring();
    let data = vec![0x5Au8; 3000];
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqes = unsafe {
        run(
            &mut ring,
            &[SendZc::new(Fd(a.as_raw_fd()), data.as_ptr(), 3000)
                .build()
                .user_data(1)],
        )
    };
    // The send's result (F_MORE), then the notification (F_NOTIF) that frees the buffer.
    assert_eq!(cqes.len(), 2, "{cqes:?}");
    assert_eq!(cqes[0].result().unwrap(), 3000);
    assert!(cqes[0].has_more());
    assert!(cqes[1].is_notif(), "{:?}", cqes[1]);
    let mut got = vec![0u8; 3000];
    b.read_exact(&mut got).unwrap();
    assert_eq!(got, data);
}

#[test]
fn sendmsg_zc_delivers_and_notifies() {
    require_ops!(SendMsgZc::CODE);
    let (a, mut b) = tcp_pair();
    let mut ring = ring();
    let (mut x, mut y) = (*b"zero-", *b"copy");
    let iov = [iovec(&mut x), iovec(&mut y)];
    // SAFETY: all-zero bytes are a valid value of this C struct (integers, arrays, raw pointers).
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = iov.as_ptr().cast_mut();
    msg.msg_iovlen = 2;
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqes = unsafe {
        run(
            &mut ring,
            &[SendMsgZc::new(Fd(a.as_raw_fd()), &msg).build().user_data(1)],
        )
    };
    assert_eq!(cqes.len(), 2, "{cqes:?}");
    assert_eq!(cqes[0].result().unwrap(), 9);
    assert!(cqes[1].is_notif());
    let mut got = [0u8; 9];
    b.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"zero-copy");
}

#[test]
fn bind_and_listen_make_a_listening_socket() {
    require_ops!(Bind::CODE, Listen::CODE);
    let s = tcp_socket();
    let sa = sockaddr_in(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0));
    let mut ring = ring();
    let sqe = Bind::new(
        Fd(s.as_raw_fd()),
        (&raw const sa).cast(),
        std::mem::size_of_val(&sa) as u32,
    )
    .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_eq!(unsafe { run1(&mut ring, sqe) }.result().unwrap(), 0);
    let port = local_port(s.as_raw_fd());
    assert_ne!(port, 0, "bound to an ephemeral port");
    // Not listening yet: connecting is refused.
    assert!(TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err());
    assert_eq!(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, Listen::new(Fd(s.as_raw_fd()), 8).build()) }
            .result()
            .unwrap(),
        0
    );
    let c = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
    let l = TcpListener::from(s);
    let (_, peer) = l.accept().unwrap();
    assert_eq!(peer, c.local_addr().unwrap());
    // Binding twice.
    let sqe = Bind::new(
        Fd(l.as_raw_fd()),
        (&raw const sa).cast(),
        std::mem::size_of_val(&sa) as u32,
    )
    .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_errno(unsafe { run1(&mut ring, sqe) }, libc::EINVAL);
}

#[test]
fn recv_zc_without_a_registered_interface_queue_is_einval() {
    // The effect of RECV_ZC needs a NIC with header/data split and an
    // IORING_REGISTER_ZCRX_IFQ registration, which this machine's virtio NIC lacks; what can
    // be checked is that the kernel decodes the SQE and rejects the unknown queue index.
    require_ops!(RecvZc::CODE);
    let (a, _b) = tcp_pair();
    let mut ring = ring();
    assert_errno(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, RecvZc::new(Fd(a.as_raw_fd()), 0).build()) },
        libc::EINVAL,
    );
}

#[test]
fn a_direct_socket_binds_listens_and_accepts_through_its_slot() {
    require_ops!(
        Socket::CODE,
        Bind::CODE,
        Listen::CODE,
        Accept::CODE,
        FixedFdInstall::CODE
    );
    let mut ring = ring();
    register_files(&ring, &[-1, -1, -1, -1]);
    let sqe = Socket::new(libc::AF_INET, libc::SOCK_STREAM, 0)
        .file_index(Some(DestinationSlot::Alloc))
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let slot = Fixed(unsafe { run1(&mut ring, sqe) }.result().unwrap());
    assert!(slot.0 < 4, "{slot:?}");
    let sa = sockaddr_in(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0));
    let len = std::mem::size_of_val(&sa) as u32;
    assert_eq!(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe {
            run1(
                &mut ring,
                Bind::new(slot, (&raw const sa).cast(), len).build(),
            )
        }
        .result()
        .unwrap(),
        0
    );
    assert_eq!(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, Listen::new(slot, 4).build()) }
            .result()
            .unwrap(),
        0
    );
    // A normal fd for the same socket, to learn its port.
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let fd = unsafe { run1(&mut ring, FixedFdInstall::new(slot).build()) }
        .result()
        .unwrap();
    // SAFETY: the CQE's result is the new fd the op made (non-negative: `result()` was Ok), owned
    // by nothing else.
    let fd = unsafe { OwnedFd::from_raw_fd(fd as i32) };
    let port = local_port(fd.as_raw_fd());
    let c = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let s = unsafe {
        run1(
            &mut ring,
            Accept::new(slot, std::ptr::null_mut(), std::ptr::null_mut())
                .flags(libc::SOCK_CLOEXEC)
                .build(),
        )
    };
    // SAFETY: the CQE's result is the new fd the op made (non-negative: `result()` was Ok), owned
    // by nothing else.
    let s = TcpStream::from(unsafe { OwnedFd::from_raw_fd(s.result().unwrap() as i32) });
    assert_eq!(s.peer_addr().unwrap(), c.local_addr().unwrap());
}
