//! Regression for issue 19's I/O-safety finding: a completed `ConnectEx` or `AcceptEx` calls
//! `setsockopt(SO_UPDATE_CONNECT_CONTEXT / SO_UPDATE_ACCEPT_CONTEXT)` when its completion is
//! taken, on the connecting socket or with the listener's handle. If the `Attached` was dropped
//! (closing the socket) before that, the handle number may already name another socket; the
//! crate used to call `setsockopt` with it anyway. Now it only does while the `Attached` still
//! holds the socket, and otherwise reports `WSAENOTSOCK` without touching the number.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::windows::io::{AsRawSocket, OwnedSocket, RawSocket};
use std::time::Duration;

use iocp::{Notify, Output, Submitted, tcp_socket};
use windows_sys::Win32::Networking::WinSock::WSAENOTSOCK;

use crate::util::{self, next_op};

fn listener() -> (TcpListener, SocketAddr) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let a = l.local_addr().unwrap();
    (l, a)
}

/// Opens sockets until one gets the number `raw` (kept open, with the others, in the result), or
/// gives up after 64; says whether it got it.
fn reuse_number(raw: RawSocket, like: &SocketAddr) -> (bool, Vec<OwnedSocket>) {
    let mut held = Vec::new();
    for _ in 0..64 {
        let s = tcp_socket(like).unwrap();
        let hit = s.as_raw_socket() == raw;
        held.push(s);
        if hit {
            return (true, held);
        }
    }
    (false, held)
}

/// Lets a completion that the kernel already finished reach the port, without dequeuing it.
fn settle() {
    std::thread::sleep(Duration::from_millis(100));
}

#[test]
fn connect_completed_after_its_socket_was_closed_and_the_number_reused() {
    let port = util::port();
    let (l, addr) = listener();
    // SAFETY: the socket is used only through this crate.
    let c =
        unsafe { port.associate_socket(tcp_socket(&addr).unwrap(), 0, Notify::Always) }.unwrap();
    let raw = c.get_ref().as_raw_socket();
    let s = c.connect(addr, 1);
    assert!(matches!(s, Submitted::Pending(_)), "{s:?}");
    let (_peer, _) = l.accept().unwrap();
    settle();
    drop(c);
    let (reused, _others) = reuse_number(raw, &addr);
    println!("socket number {raw:#x} reused: {reused}");
    let d = next_op(&port);
    assert_eq!(d.token(), 1);
    let err = d.result().unwrap_err();
    assert_eq!(err.raw_os_error(), Some(WSAENOTSOCK), "{err}");
    util::assert_empty(&port);
}

#[test]
fn accept_completed_after_its_listener_was_closed_and_the_number_reused() {
    let port = util::port();
    let (l, addr) = listener();
    let raw = l.as_raw_socket();
    // SAFETY: the listener is used only through this crate.
    let l = unsafe { port.associate_socket(l, 0, Notify::Always) }.unwrap();
    let s = l.accept(tcp_socket(&addr).unwrap(), 2);
    assert!(matches!(s, Submitted::Pending(_)), "{s:?}");
    let _client = TcpStream::connect(addr).unwrap();
    settle();
    drop(l);
    let (reused, _others) = reuse_number(raw, &addr);
    println!("listener number {raw:#x} reused: {reused}");
    let d = next_op(&port);
    assert_eq!(d.token(), 2);
    let err = d.result().unwrap_err();
    assert_eq!(err.raw_os_error(), Some(WSAENOTSOCK), "{err}");
    assert!(
        matches!(d.into_output(), Output::Accept(_)),
        "the accept socket comes back"
    );
    util::assert_empty(&port);
}

/// `into_inner` gives the socket back, so the crate no longer knows whether it is open: the
/// context is not set, and the result says so.
#[test]
fn connect_completed_after_into_inner_leaves_the_socket_alone() {
    let port = util::port();
    let (l, addr) = listener();
    // SAFETY: the socket is used only through this crate.
    let c =
        unsafe { port.associate_socket(tcp_socket(&addr).unwrap(), 0, Notify::Always) }.unwrap();
    let s = c.connect(addr, 3);
    assert!(matches!(s, Submitted::Pending(_)), "{s:?}");
    let (_peer, _) = l.accept().unwrap();
    let sock = c.into_inner();
    let d = next_op(&port);
    assert_eq!(d.token(), 3);
    let err = d.result().unwrap_err();
    assert_eq!(err.raw_os_error(), Some(WSAENOTSOCK), "{err}");
    drop(sock);
}

/// A forgotten `Attached` never marks its socket gone, so `accept` and `connect` need
/// `T: 'static` (their docs show a borrowed socket refused at compile time): forgetting one then
/// leaks the socket, whose number stays this socket's, and the context is set on it as usual.
/// Before the bound, a borrowed socket could be closed after the `forget` and its number reused;
/// the completion then called `setsockopt` on whatever socket had the number (it succeeded, on
/// the wrong socket).
#[test]
fn accept_and_connect_completed_after_their_attached_was_forgotten() {
    let port = util::port();
    let (l, addr) = listener();
    // SAFETY: the sockets are used only through this crate.
    let a = unsafe { port.associate_socket(l, 0, Notify::Always) }.unwrap();
    // SAFETY: as above.
    let c =
        unsafe { port.associate_socket(tcp_socket(&addr).unwrap(), 0, Notify::Always) }.unwrap();
    let s1 = a.accept(tcp_socket(&addr).unwrap(), 5);
    let s2 = c.connect(addr, 6);
    assert!(matches!(s1, Submitted::Pending(_)), "{s1:?}");
    assert!(matches!(s2, Submitted::Pending(_)), "{s2:?}");
    settle();
    std::mem::forget(a);
    std::mem::forget(c);
    let mut accepted = None;
    for _ in 0..2 {
        let d = next_op(&port);
        d.result().unwrap();
        if let Output::Accept(s) = d.into_output() {
            accepted = Some(TcpStream::from(s));
        }
    }
    let accepted = accepted.expect("the accept completed");
    assert!(accepted.peer_addr().is_ok(), "the accept context was set");
    util::assert_empty(&port);
}
