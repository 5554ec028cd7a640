//! The `http_uring` example's server (`servers::uring_server`) in HTTP mode:
//! replies come from a static buffer, tracked as bytes owed and a phase in the reply, so
//! pipelined requests, requests split across reads and replies larger than one send must all
//! come back whole and in order.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::Duration;

use servers::uring_server::{Config, Protocol, Server};

const HELLO: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world!";
const REQ: &[u8] = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/// Sends `n` pipelined requests in `chunk`-byte pieces (from another thread, so a client that
/// has not read yet cannot block the server) and checks the `n` replies byte for byte.
fn exchange(addr: SocketAddr, n: usize, chunk: usize) {
    let mut conn = TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = conn.try_clone().unwrap();
    let w = thread::spawn(move || {
        let data = REQ.repeat(n);
        for piece in data.chunks(chunk) {
            writer.write_all(piece).unwrap();
        }
    });
    let want = HELLO.repeat(n);
    let mut got = vec![0u8; want.len()];
    conn.read_exact(&mut got).unwrap();
    w.join().unwrap();
    assert!(
        got == want,
        "{n} requests in {chunk}-byte pieces: replies differ"
    );
}

#[test]
fn answers_pipelined_and_split_http_requests() {
    let config = Config {
        protocol: Protocol::Http,
        ..Config::default()
    };
    // The driver is not `Send`: the server is bound and run in its own thread.
    let (tx, rx) = std::sync::mpsc::channel();
    let h = thread::spawn(move || {
        let server = match Server::bind("127.0.0.1:0".parse().unwrap(), config) {
            Ok(s) => s,
            Err(e) => {
                let _ = tx.send(Err(e));
                return None;
            }
        };
        println!("ring: {}", server.setup());
        let _ = tx.send(Ok((server.local_addr().unwrap(), server.stop_handle())));
        Some(server.run().unwrap())
    });
    let (addr, stop) = match rx.recv().unwrap() {
        Ok(v) => v,
        Err(e)
            if e.kind() == ErrorKind::Unsupported
                || matches!(uring::error::errno(&e), Some(libc::ENOSYS | libc::EPERM)) =>
        {
            println!("SKIPPED the io_uring server cannot run here: {e}");
            return;
        }
        Err(e) => panic!("bind: {e}"),
    };
    exchange(addr, 1, REQ.len());
    // Heads split across reads, several per read.
    exchange(addr, 7, 5);
    exchange(addr, 100, 37);
    // 20,000 replies (1.5 MiB): many sends, each at most the static buffer, short ones
    // resumed mid-reply.
    exchange(addr, 20_000, 64 * 1024);
    stop.stop().unwrap();
    let stats = h.join().unwrap().expect("served");
    assert_eq!(stats.requests, 1 + 7 + 100 + 20_000, "{stats:?}");
    assert_eq!(
        stats.bytes_out,
        stats.requests * HELLO.len() as u64,
        "{stats:?}"
    );
}
