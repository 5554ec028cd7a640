//! `CancelIoEx`, dropped tickets, and a port dropped before its operations.

use std::io::Write;

use iocp::{Notify, Output, Submitted, tcp_socket};
use windows_sys::Win32::Foundation::ERROR_OPERATION_ABORTED;

use crate::util::{self, next_op};

fn aborted(d: &iocp::Done) -> bool {
    // Sockets may report the Winsock twin, WSA_OPERATION_ABORTED, which has the same value.
    d.result().err().and_then(|e| e.raw_os_error()) == Some(ERROR_OPERATION_ABORTED as i32)
}

#[test]
fn cancel_a_pending_pipe_read() {
    let port = util::port();
    let (server, mut client) = util::pipe_pair();
    // SAFETY: the pipe end is used only through this crate.
    let server = unsafe { port.associate_handle(server, 4, Notify::Always) }.unwrap();
    let Submitted::Pending(ticket) = server.read_at(0, Vec::with_capacity(32), 8) else {
        panic!()
    };
    assert!(ticket.cancel().unwrap(), "the read was pending");
    let d = next_op(&port);
    assert_eq!((d.key(), d.token()), (4, 8));
    assert!(aborted(&d), "{:?}", d.result());
    let Output::Read(buf) = d.into_output() else {
        panic!()
    };
    assert!(buf.is_empty());
    assert_eq!(buf.capacity(), 32, "the same buffer comes back");
    // The op is finished: cancelling again finds nothing.
    assert!(!ticket.cancel().unwrap());
    // The pipe still works after a cancelled read, and the cancelled read took no data.
    client.write_all(b"after").unwrap();
    let d = util::finish(&port, server.read_at(0, Vec::with_capacity(32), 9));
    assert_eq!(d.into_buf().unwrap(), b"after");
}

#[test]
fn dropping_the_ticket_neither_cancels_nor_frees() {
    let port = util::port();
    let (server, mut client) = util::pipe_pair();
    // SAFETY: the pipe end is used only through this crate.
    let server = unsafe { port.associate_handle(server, 0, Notify::Always) }.unwrap();
    for i in 0..10 {
        let s = server.read_at(0, Vec::with_capacity(6), i);
        assert!(matches!(s, Submitted::Pending(_)));
        drop(s); // the ticket
    }
    let data = util::pattern(5, 60);
    client.write_all(&data).unwrap();
    let mut got = vec![Vec::new(); 10];
    for _ in 0..10 {
        let d = next_op(&port);
        assert_eq!(d.result().unwrap(), 6);
        let t = d.token();
        got[t] = d.into_buf().unwrap();
    }
    assert_eq!(
        got.concat(),
        data,
        "every dropped-ticket read still got its bytes"
    );
    util::assert_empty(&port);
}

#[test]
fn dropping_the_done_before_the_ticket_and_after() {
    let port = util::port();
    let (server, mut client) = util::pipe_pair();
    // SAFETY: the pipe end is used only through this crate.
    let server = unsafe { port.associate_handle(server, 0, Notify::Always) }.unwrap();
    let Submitted::Pending(t1) = server.read_at(0, Vec::with_capacity(3), 1) else {
        panic!()
    };
    let Submitted::Pending(t2) = server.read_at(0, Vec::with_capacity(3), 2) else {
        panic!()
    };
    client.write_all(b"abcdef").unwrap();
    let d1 = next_op(&port);
    let d2 = next_op(&port);
    assert_eq!((d1.token(), d2.token()), (1, 2));
    drop(d1); // Done first, ticket later
    drop(t1);
    drop(t2); // ticket first, Done later
    assert_eq!(d2.into_buf().unwrap(), b"def");
}

#[test]
fn port_dropped_with_an_op_in_flight_leaks_it_safely() {
    let (server, mut client) = util::pipe_pair();
    let port = util::port();
    // SAFETY: the pipe end is used only through this crate.
    let server = unsafe { port.associate_handle(server, 0, Notify::Always) }.unwrap();
    let s = server.read_at(0, Vec::with_capacity(16), 1);
    assert!(matches!(s, Submitted::Pending(_)));
    drop(s);
    drop(port);
    // The kernel now writes into the leaked op's buffer; it must still be ours.
    client.write_all(b"into the leak").unwrap();
    drop(server);
}

#[test]
fn cancel_pending_recv_and_accept() {
    let port = util::port();
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    // SAFETY: the socket is used only through this crate.
    let l = unsafe { port.associate_socket(l, 1, Notify::Always) }.unwrap();
    let Submitted::Pending(accept) = l.accept(tcp_socket(&addr).unwrap(), 10) else {
        panic!()
    };
    assert!(accept.cancel().unwrap());
    let d = next_op(&port);
    assert_eq!(d.token(), 10);
    assert!(aborted(&d), "{:?}", d.result());
    assert!(
        matches!(d.into_output(), Output::Accept(_)),
        "the accept socket comes back"
    );

    // SAFETY: the socket is used only through this crate.
    let c =
        unsafe { port.associate_socket(tcp_socket(&addr).unwrap(), 2, Notify::Always) }.unwrap();
    assert!(matches!(
        l.accept(tcp_socket(&addr).unwrap(), 11),
        Submitted::Pending(_)
    ));
    assert!(matches!(c.connect(addr, 12), Submitted::Pending(_)));
    let mut tokens = Vec::new();
    let mut server_side = None; // kept open, or the client's recv would see EOF
    for _ in 0..2 {
        let d = next_op(&port);
        d.result().unwrap();
        tokens.push(d.token());
        if let Output::Accept(s) = d.into_output() {
            server_side = Some(s);
        }
    }
    tokens.sort_unstable();
    assert_eq!(tokens, [11, 12]);
    assert!(server_side.is_some());
    let Submitted::Pending(recv) = c.recv(Vec::with_capacity(8), 13) else {
        panic!()
    };
    assert!(recv.cancel().unwrap());
    let d = next_op(&port);
    assert_eq!(d.token(), 13);
    assert!(aborted(&d), "{:?}", d.result());
    assert_eq!(d.into_buf().unwrap().capacity(), 8);
}
