//! Adversarial sequences of safe calls (after the one `unsafe` attach each needs): handles closed
//! under pending operations, edge-case offsets and lengths, operations the kernel refuses in
//! odd ways. What each checks: every operation's result arrives exactly once (at once or as one
//! packet with its own token) and nothing else arrives, so no packet is decoded from an operation
//! the crate freed and no completion is lost.

use std::io::Write;
use std::net::{TcpListener, TcpStream};

use iocp::{Attached, CompletionPort, Done, Notify, Output, Submitted, tcp_socket};

use crate::util::{self, TempPath, next_op};

/// The result of `s`, at once or from its packet (which must carry its token).
fn once(port: &CompletionPort, s: Submitted) -> Done {
    util::finish(port, s)
}

/// The result of `s`; if it is pending, it is cancelled first (for calls the kernel may leave
/// pending forever).
fn cancelled(port: &CompletionPort, s: Submitted) -> Done {
    if let Submitted::Pending(t) = &s {
        t.cancel().unwrap();
    }
    util::finish(port, s)
}

/// Closes the handle under a pending pipe read: the read must still complete through the port
/// (the crate's docs promise it), with an error, handing its buffer back.
#[test]
fn pipe_handle_closed_under_a_pending_read() {
    let port = util::port();
    let (server, _client) = util::pipe_pair();
    // SAFETY: the pipe end is used only through this crate.
    let server = unsafe { port.associate_handle(server, 3, Notify::Always) }.unwrap();
    let s = server.read_at(0, Vec::with_capacity(64), 11);
    assert!(matches!(s, Submitted::Pending(_)), "{s:?}");
    drop(server.into_inner());
    let d = next_op(&port);
    assert_eq!((d.key(), d.token()), (3, 11));
    println!("read on a closed pipe handle: {:?}", d.result());
    assert!(d.result().is_err());
    let buf = d.into_buf().unwrap();
    assert!(buf.is_empty());
    assert_eq!(buf.capacity(), 64);
    drop(s);
    util::assert_empty(&port);
}

/// Closes the socket under a pending receive and a pending accept.
#[test]
fn sockets_closed_under_pending_recv_and_accept() {
    let port = util::port();
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let c = TcpStream::connect(addr).unwrap();
    let (srv, _) = l.accept().unwrap();
    // SAFETY: the sockets are used only through this crate.
    let srv = unsafe { port.associate_socket(srv, 1, Notify::Always) }.unwrap();
    // SAFETY: as above.
    let l = unsafe { port.associate_socket(l, 2, Notify::Always) }.unwrap();
    let recv = srv.recv(Vec::with_capacity(16), 21);
    assert!(matches!(recv, Submitted::Pending(_)), "{recv:?}");
    let acc = l.accept(tcp_socket(&addr).unwrap(), 22);
    assert!(matches!(acc, Submitted::Pending(_)), "{acc:?}");
    drop(srv);
    drop(l);
    let mut seen = [false; 2];
    for _ in 0..2 {
        let d = next_op(&port);
        println!("token {} on a closed socket: {:?}", d.token(), d.result());
        assert!(d.result().is_err());
        match (d.token(), d.into_output()) {
            (21, Output::Read(b)) => {
                assert!(b.is_empty() && b.capacity() == 16);
                seen[0] = true;
            }
            (22, Output::Accept(_)) => seen[1] = true,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(seen, [true, true]);
    drop(c);
    drop((recv, acc));
    util::assert_empty(&port);
}

fn file_edges(notify: Notify) {
    let port = util::port();
    let path = TempPath::new("edges");
    // SAFETY: the file is used only through this crate.
    let file: Attached<_> =
        unsafe { port.associate_handle(util::overlapped_file(&path), 0, notify) }.unwrap();
    let mut results = Vec::new();
    let mut go = |name: &str, s: Submitted| {
        let d = once(&port, s);
        println!("{notify:?} {name}: {:?}", d.result());
        results.push((name.to_string(), d.result().map_err(|e| e.raw_os_error())));
        d
    };
    go("write 5 at 0", file.write_at(0, b"hello".to_vec(), 1));
    go("write 0 bytes", file.write_at(2, Vec::new(), 2));
    let d = go("read 0 bytes", file.read_at(0, Vec::new(), 3));
    assert!(d.into_buf().unwrap().is_empty());
    let d = go(
        "read with len == capacity",
        file.read_at(0, b"xy".to_vec(), 4),
    );
    assert_eq!(d.into_buf().unwrap(), b"xy");
    // The NT magic offsets: -1 is "the file pointer" (only for synchronous handles), -2 is "append".
    let d = go(
        "read at u64::MAX",
        file.read_at(u64::MAX, Vec::with_capacity(4), 5),
    );
    let b = d.into_buf().unwrap();
    assert!(b.len() <= 4);
    go(
        "write at u64::MAX",
        file.write_at(u64::MAX, b"!".to_vec(), 6),
    );
    go(
        "write at u64::MAX - 1",
        file.write_at(u64::MAX - 1, b"?".to_vec(), 7),
    );
    go(
        "read at i64::MAX",
        file.read_at(i64::MAX as u64, Vec::with_capacity(4), 8),
    );
    go(
        "write at i64::MAX",
        file.write_at(i64::MAX as u64, b"x".to_vec(), 9),
    );
    go(
        "write at 1 << 62",
        file.write_at(1 << 62, b"x".to_vec(), 10),
    );
    let d = go("read all", file.read_at(0, Vec::with_capacity(64), 11));
    let now = d.into_buf().unwrap();
    println!("{notify:?} file now: {now:?}");
    util::assert_empty(&port);
    assert_eq!(results.len(), 11);
    for (name, r) in &results[4..10] {
        if name != "write at u64::MAX" {
            assert!(r.is_err(), "{name}: {r:?}");
        }
    }
    // "hello" and the append (offset -1 is FILE_WRITE_TO_END_OF_FILE); nothing else landed.
    assert_eq!(now, b"hello!");
}

/// Regression: Wine queues a completion packet for a file read or write that fails inside the
/// call (here an offset it refuses) without writing the `OVERLAPPED`, so `Internal` still reads
/// `STATUS_PENDING`, which the crate took for "never reached the kernel, no packet". It freed the
/// op, and the packet was later decoded from freed memory, typically the next operation's box:
/// that operation's result was delivered twice, the first time with the failed call's byte count
/// and before it had run (a read handed back its buffer while the kernel could still fill it).
#[test]
fn failed_file_calls_queue_no_stray_completion() {
    for notify in [Notify::Always, Notify::SkipOnSuccess] {
        let port = util::port();
        let path = TempPath::new("stray");
        // SAFETY: the file is used only through this crate.
        let file =
            unsafe { port.associate_handle(util::overlapped_file(&path), 0, notify) }.unwrap();
        for i in 0..50u64 {
            let bad = if i % 2 == 0 {
                file.read_at(u64::MAX - 1, Vec::with_capacity(4), 1000 + i as usize)
            } else {
                file.write_at(1 << 62, vec![1], 1000 + i as usize)
            };
            let d = once(&port, bad);
            assert_eq!(d.token(), 1000 + i as usize);
            assert!(d.result().is_err(), "{:?}", d.result());
            drop(d);
            let d = once(&port, file.write_at(i, vec![i as u8], i as usize));
            assert_eq!(d.token(), i as usize);
            assert_eq!(d.result().unwrap(), 1, "{notify:?} write {i}");
        }
        let d = once(&port, file.read_at(0, Vec::with_capacity(64), 99));
        assert_eq!(d.into_buf().unwrap(), (0..50).collect::<Vec<u8>>());
        util::assert_empty(&port);
    }
}

#[test]
fn file_edge_offsets_and_lengths_always() {
    file_edges(Notify::Always);
}

#[test]
fn file_edge_offsets_and_lengths_skip_on_success() {
    file_edges(Notify::SkipOnSuccess);
}

fn connect_edges(notify: Notify) {
    let port = util::port();
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    // SAFETY: the socket is used only through this crate.
    let c = match unsafe { port.associate_socket(tcp_socket(&addr).unwrap(), 0, notify) } {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::Unsupported => {
            println!("SKIPPED {e}");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    // Two connects at once: the second must fail (already in progress) or queue its own result.
    let first = c.connect(addr, 1);
    let second = c.connect(addr, 2);
    let (_peer, _) = l.accept().unwrap();
    let d2 = once(&port, second);
    println!("{notify:?} second connect: {:?}", d2.result());
    let d1 = once(&port, first);
    println!("{notify:?} first connect: {:?}", d1.result());
    assert!(d1.result().is_ok() || d2.result().is_ok());
    // Connected: connecting again fails.
    let d3 = once(&port, c.connect(addr, 3));
    println!("{notify:?} connect when connected: {:?}", d3.result());
    assert!(d3.result().is_err());
    // Zero-length send and receive on the connection.
    let d = once(&port, c.send(Vec::new(), 4));
    println!("{notify:?} zero send: {:?}", d.result());
    // An accept on a connected (non-listening) socket: Wine lets it pend (Windows refuses it);
    // cancelled, it must still complete exactly once.
    let d = cancelled(&port, c.accept(tcp_socket(&addr).unwrap(), 5));
    println!("{notify:?} accept on a connected socket: {:?}", d.result());
    assert!(d.result().is_err());
    util::assert_empty(&port);
}

#[test]
fn connect_twice_and_on_a_connected_socket_always() {
    connect_edges(Notify::Always);
}

#[test]
fn connect_twice_and_on_a_connected_socket_skip_on_success() {
    connect_edges(Notify::SkipOnSuccess);
}

/// An accept socket the kernel refuses (already connected, or a clone of the listener itself).
#[test]
fn accept_into_a_refused_socket() {
    for notify in [Notify::Always, Notify::SkipOnSuccess] {
        let port = util::port();
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let clone = socket_of(&l);
        let connected = TcpStream::connect(addr).unwrap();
        let (_accepted, _) = l.accept().unwrap();
        // SAFETY: the listener is used only through this crate.
        let l = match unsafe { port.associate_socket(l, 0, notify) } {
            Ok(l) => l,
            Err(e) if e.kind() == std::io::ErrorKind::Unsupported => {
                println!("SKIPPED {e}");
                continue;
            }
            Err(e) => panic!("{e}"),
        };
        let d = cancelled(&port, l.accept(socket_of(&connected), 1));
        println!(
            "{notify:?} accept into a connected socket: {:?}",
            d.result()
        );
        let d = cancelled(&port, l.accept(clone, 2));
        println!("{notify:?} accept into the listener: {:?}", d.result());
        util::assert_empty(&port);
    }
}

fn socket_of(s: &impl std::os::windows::io::AsSocket) -> std::os::windows::io::OwnedSocket {
    s.as_socket().try_clone_to_owned().unwrap()
}

/// Writes into a pipe whose other end is gone, and reads from it, in both modes.
#[test]
fn pipe_with_the_other_end_closed() {
    for notify in [Notify::Always, Notify::SkipOnSuccess] {
        let port = util::port();
        let (server, mut client) = util::pipe_pair();
        client.write_all(b"last").unwrap();
        drop(client);
        // SAFETY: the pipe end is used only through this crate.
        let server = unsafe { port.associate_handle(server, 0, notify) }.unwrap();
        let d = once(&port, server.read_at(0, Vec::with_capacity(2), 1));
        println!("{notify:?} read 2 of what is left: {:?}", d.result());
        let d = once(&port, server.read_at(0, Vec::with_capacity(8), 2));
        println!("{notify:?} read the rest: {:?}", d.result());
        let d = once(&port, server.read_at(0, Vec::with_capacity(8), 3));
        println!("{notify:?} read after the end: {:?}", d.result());
        assert!(d.result().is_err());
        let d = once(&port, server.write_at(0, b"x".to_vec(), 4));
        println!("{notify:?} write to a closed pipe: {:?}", d.result());
        assert!(d.result().is_err());
        util::assert_empty(&port);
    }
}

/// Socket calls the kernel refuses at once, and file calls on sockets: each result exactly once.
#[test]
fn refused_socket_calls() {
    for notify in [Notify::Always, Notify::SkipOnSuccess] {
        let port = util::port();
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let peer = TcpStream::connect(addr).unwrap();
        let (conn, _) = l.accept().unwrap();
        // SAFETY: the sockets are used only through this crate.
        let attach = |s| match unsafe { port.associate_socket(s, 0, notify) } {
            Ok(a) => Some(a),
            Err(e) if e.kind() == std::io::ErrorKind::Unsupported => None,
            Err(e) => panic!("{e}"),
        };
        let (Some(l), Some(fresh), Some(conn)) = (
            attach(socket_of(&l)),
            attach(tcp_socket(&addr).unwrap()),
            attach(socket_of(&conn)),
        ) else {
            println!("SKIPPED the socket provider refuses skip-on-success");
            continue;
        };
        let mut n = 0;
        let mut check = |what: &str, s: Submitted| {
            n += 1;
            let d = cancelled(&port, s);
            println!("{notify:?} {what}: {:?}", d.result());
        };
        check("recv on a listener", l.recv(Vec::with_capacity(8), 1));
        check("send on a listener", l.send(b"x".to_vec(), 2));
        check(
            "recv on an unconnected socket",
            fresh.recv(Vec::with_capacity(8), 3),
        );
        check(
            "send on an unconnected socket",
            fresh.send(b"x".to_vec(), 4),
        );
        check(
            "read_at on an unconnected socket",
            fresh.read_at(0, Vec::with_capacity(8), 5),
        );
        check(
            "write_at on an unconnected socket",
            fresh.write_at(0, b"x".to_vec(), 6),
        );
        check(
            "connect to port 0",
            fresh.connect("127.0.0.1:0".parse().unwrap(), 7),
        );
        // The peer goes away (a close with unread data sends a reset).
        let mut peer = peer;
        peer.write_all(b"unsent").unwrap();
        drop(peer);
        check("recv after a reset", conn.recv(Vec::with_capacity(8), 8));
        check("send after a reset", conn.send(b"x".to_vec(), 9));
        check(
            "write_at after a reset",
            conn.write_at(0, b"x".to_vec(), 10),
        );
        check(
            "read_at after a reset",
            conn.read_at(0, Vec::with_capacity(8), 11),
        );
        assert_eq!(n, 11);
        util::assert_empty(&port);
    }
}

/// The same failed file calls while another thread waits in `get`: under Wine the packet is
/// queued inside the call, so that thread may dequeue it before the call returns. Whoever comes
/// first delivers the result, and only once: the call returns `Pending` if the packet won, and
/// the packet's result is the call's error (it carries the status; the `OVERLAPPED` was never
/// written, and reading it gave `ERROR_IO_INCOMPLETE`, 996, before).
#[test]
fn failed_file_calls_race_a_waiting_thread() {
    use std::collections::BTreeSet;
    use std::sync::Arc;
    const N: usize = 200;
    const STOP: usize = usize::MAX >> 1;
    let port = Arc::new(util::port());
    let path = TempPath::new("race");
    // SAFETY: the file is used only through this crate.
    let file =
        unsafe { port.associate_handle(util::overlapped_file(&path), 0, Notify::Always) }.unwrap();
    let ready = Arc::new(std::sync::Barrier::new(2));
    let getter = {
        let port = Arc::clone(&port);
        let ready = Arc::clone(&ready);
        std::thread::spawn(move || {
            let mut got = Vec::new();
            ready.wait();
            loop {
                match util::next(&port) {
                    iocp::Completion::Op(d) => {
                        let err = d.result().unwrap_err();
                        assert_eq!(err.raw_os_error(), Some(87), "{err}");
                        got.push(d.token());
                        assert!(d.into_buf().unwrap().is_empty());
                    }
                    iocp::Completion::Posted { token: STOP, .. } => return got,
                    other => panic!("unexpected {other:?}"),
                }
            }
        })
    };
    let mut at_once = BTreeSet::new();
    let mut pending = BTreeSet::new();
    ready.wait();
    for i in 0..N {
        match file.read_at(u64::MAX - 1, Vec::with_capacity(8), i) {
            Submitted::Done(d) => {
                let err = d.result().unwrap_err();
                assert_eq!(err.raw_os_error(), Some(87), "{err}");
                assert!(at_once.insert(d.token()));
            }
            Submitted::Pending(t) => assert!(pending.insert(t.token())),
        }
    }
    port.post(0, 0, STOP).unwrap();
    let got = getter.join().unwrap();
    println!(
        "{} handed back at once, {} through the port",
        at_once.len(),
        got.len()
    );
    assert_eq!(got.len(), pending.len(), "a result came twice: {got:?}");
    assert_eq!(got.into_iter().collect::<BTreeSet<_>>(), pending);
    assert_eq!(at_once.len() + pending.len(), N);
    util::assert_empty(&port);
}

/// Socket calls on a named pipe: each result exactly once, nothing else queued.
#[test]
fn socket_calls_on_a_pipe() {
    for notify in [Notify::Always, Notify::SkipOnSuccess] {
        let port = util::port();
        let (server, _client) = util::pipe_pair();
        // SAFETY: the pipe end is used only through this crate.
        let server = unsafe { port.associate_handle(server, 0, notify) }.unwrap();
        let addr = "127.0.0.1:9".parse().unwrap();
        for (what, s) in [
            ("recv", server.recv(Vec::with_capacity(8), 1)),
            ("send", server.send(b"x".to_vec(), 2)),
            ("accept", server.accept(tcp_socket(&addr).unwrap(), 3)),
            ("connect", server.connect(addr, 4)),
        ] {
            let d = cancelled(&port, s);
            println!("{notify:?} {what} on a pipe: {:?}", d.result());
            assert!(d.result().is_err());
        }
        util::assert_empty(&port);
    }
}
