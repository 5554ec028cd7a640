//! Sockets: `AcceptEx`, `ConnectEx`, `WSARecv`, `WSASend` over TCP loopback.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::windows::io::OwnedSocket;

use iocp::{Attached, Completion, Entries, Notify, Output, Submitted, tcp_socket};

use crate::util::{self, PATIENCE, finish};

/// Token layout: what the op is, and which connection.
const ACCEPT: usize = 1 << 20;
const CONNECT: usize = 2 << 20;
const C_SEND: usize = 3 << 20;
const C_RECV: usize = 4 << 20;
const S_RECV: usize = 5 << 20;
const S_SEND: usize = 6 << 20;
const WHAT: usize = 0xff << 20;

fn listener() -> (TcpListener, SocketAddr) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let a = l.local_addr().unwrap();
    (l, a)
}

/// 100 clients connect with ConnectEx to 100 pending AcceptEx, each sends its own message, the
/// server echoes it in pieces as it arrives, each client checks its echo and closes, and the
/// server sees 100 orderly closes.
#[test]
fn echo_100_connections() {
    const N: usize = 100;
    let port = util::port();
    let (l, addr) = listener();
    // SAFETY: the listener is used only through this crate.
    let l = unsafe { port.associate_socket(l, usize::MAX, Notify::Always) }.unwrap();
    for i in 0..N {
        let s = tcp_socket(&addr).unwrap();
        assert!(matches!(l.accept(s, ACCEPT | i), Submitted::Pending(_)));
    }
    let mut clients: Vec<Attached<OwnedSocket>> = Vec::new();
    for i in 0..N {
        // SAFETY: the socket is used only through this crate.
        let c = unsafe { port.associate_socket(tcp_socket(&addr).unwrap(), i, Notify::Always) }
            .unwrap();
        let s = c.connect(addr, CONNECT | i);
        assert!(matches!(s, Submitted::Pending(_)), "{s:?}");
        clients.push(c);
    }
    let msgs: Vec<Vec<u8>> = (0..N).map(|i| util::pattern(i, 1000 + 37 * i)).collect();
    let mut echoed: Vec<Vec<u8>> = vec![Vec::new(); N];
    let mut servers: HashMap<usize, Attached<OwnedSocket>> = HashMap::new();
    let (mut accepted, mut connected, mut verified, mut closed) = (0, 0, 0, 0);
    let (mut sent_by_clients, mut echoed_by_server) = (0, 0);
    let mut clients: Vec<Option<Attached<OwnedSocket>>> = clients.into_iter().map(Some).collect();
    let mut entries = Entries::new(32);
    while closed < N {
        let n = port.get_many(&mut entries, Some(PATIENCE)).unwrap();
        assert!(
            n > 0,
            "stalled: {accepted} accepted, {connected} connected, {verified} verified, {closed} closed"
        );
        for c in entries.drain() {
            let Completion::Op(d) = c else {
                panic!("{c:?}")
            };
            let (what, i) = (d.token() & WHAT, d.token() & !WHAT);
            match what {
                ACCEPT => {
                    d.result().unwrap();
                    let Output::Accept(s) = d.into_output() else {
                        panic!()
                    };
                    // SAFETY: the accepted socket is used only through this crate.
                    let s = unsafe { port.associate_socket(s, N + i, Notify::Always) }.unwrap();
                    let _ = s.recv(Vec::with_capacity(512), S_RECV | i);
                    servers.insert(i, s);
                    accepted += 1;
                }
                CONNECT => {
                    d.result().unwrap();
                    let c = clients[i].as_ref().unwrap();
                    let _ = c.send(msgs[i].clone(), C_SEND | i);
                    let _ = c.recv(Vec::with_capacity(4096), C_RECV | i);
                    connected += 1;
                }
                C_SEND => {
                    assert_eq!(d.result().unwrap(), msgs[i].len());
                    sent_by_clients += msgs[i].len();
                }
                C_RECV => {
                    let n = d.result().unwrap();
                    assert!(n > 0, "client {i}: server closed early");
                    let buf = d.into_buf().unwrap();
                    echoed[i].extend_from_slice(&buf);
                    if echoed[i].len() < msgs[i].len() {
                        let c = clients[i].as_ref().unwrap();
                        let _ = c.recv(Vec::with_capacity(4096), C_RECV | i);
                    } else {
                        assert_eq!(echoed[i], msgs[i], "client {i} got another echo");
                        verified += 1;
                        clients[i] = None; // closes the client socket
                    }
                }
                S_RECV => {
                    let n = d.result().unwrap();
                    let buf = d.into_buf().unwrap();
                    assert_eq!(buf.len(), n);
                    let s = &servers[&i];
                    if n == 0 {
                        servers.remove(&i); // orderly close by the client
                        closed += 1;
                    } else {
                        let _ = s.send(buf, S_SEND | i);
                        let _ = s.recv(Vec::with_capacity(512), S_RECV | i);
                    }
                }
                S_SEND => echoed_by_server += d.result().unwrap(),
                _ => panic!("token {:#x}", d.token()),
            }
        }
    }
    let total: usize = msgs.iter().map(Vec::len).sum();
    assert_eq!((accepted, connected, verified, closed), (N, N, N, N));
    assert_eq!(sent_by_clients, total);
    assert_eq!(echoed_by_server, total);
    util::assert_empty(&port);
}

/// The accepted socket works with `std` (its accept context was updated), and its peer is the
/// connecting socket.
#[test]
fn accepted_socket_has_its_context_for_std() {
    let port = util::port();
    let (l, addr) = listener();
    // SAFETY: the listener is used only through this crate.
    let l = unsafe { port.associate_socket(l, 0, Notify::Always) }.unwrap();
    let pending = l.accept(tcp_socket(&addr).unwrap(), 1);
    let mut client = TcpStream::connect(addr).unwrap();
    let d = finish(&port, pending);
    assert_eq!(
        d.result().unwrap(),
        0,
        "no data is received with the connection"
    );
    let Output::Accept(s) = d.into_output() else {
        panic!()
    };
    let mut server = TcpStream::from(s);
    assert_eq!(server.peer_addr().unwrap(), client.local_addr().unwrap());
    assert_eq!(server.local_addr().unwrap(), addr);
    client.write_all(b"hello").unwrap();
    let mut got = [0; 5];
    server.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"hello");
}

/// A connect to a port nobody listens on fails with a connection-refused error.
#[test]
fn connect_refused() {
    let port = util::port();
    let (l, addr) = listener();
    drop(l);
    // SAFETY: the socket is used only through this crate.
    let c =
        unsafe { port.associate_socket(tcp_socket(&addr).unwrap(), 0, Notify::Always) }.unwrap();
    let d = finish(&port, c.connect(addr, 3));
    let err = d.result().unwrap_err();
    // WSAECONNREFUSED (10061) or its Win32 twin ERROR_CONNECTION_REFUSED (1225).
    assert!(matches!(err.raw_os_error(), Some(10061 | 1225)), "{err:?}");
}

/// Sending to a std socket and receiving from it through the port.
#[test]
fn send_and_recv_with_a_std_peer() {
    let port = util::port();
    let (l, addr) = listener();
    // SAFETY: the socket is used only through this crate.
    let c =
        unsafe { port.associate_socket(tcp_socket(&addr).unwrap(), 0, Notify::Always) }.unwrap();
    finish(&port, c.connect(addr, 0)).result().unwrap();
    let (mut peer, peer_addr) = l.accept().unwrap();
    assert!(peer_addr.ip().is_loopback());
    let data = util::pattern(9, 100_000);
    let d = finish(&port, c.send(data.clone(), 1));
    assert_eq!(d.result().unwrap(), data.len());
    let mut got = vec![0; data.len()];
    peer.read_exact(&mut got).unwrap();
    assert!(got == data);
    peer.write_all(b"reply").unwrap();
    drop(peer);
    let mut buf = Vec::with_capacity(64);
    while buf.len() < 5 {
        let d = finish(&port, c.recv(buf, 2));
        let n = d.result().unwrap();
        buf = d.into_buf().unwrap();
        assert!(n > 0);
    }
    assert_eq!(buf, b"reply");
    // Then the peer's close: Ok(0).
    let d = finish(&port, c.recv(Vec::with_capacity(8), 3));
    assert_eq!(d.result().unwrap(), 0);
}
