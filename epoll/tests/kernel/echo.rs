//! The `echo_epoll` example's server (`servers::echo_server`): echo under concurrency and
//! back-pressure, pipelined HTTP, `max_conns`, stop.

use servers::echo_server::{self, Config, Protocol, Server, Stats};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread;
use std::time::Duration;

fn start(
    config: Config,
) -> (
    SocketAddr,
    echo_server::StopHandle,
    thread::JoinHandle<Stats>,
) {
    let server = Server::bind("127.0.0.1:0".parse().unwrap(), config).unwrap();
    let addr = server.local_addr().unwrap();
    let stop = server.stop_handle();
    let h = thread::spawn(move || server.run().unwrap());
    (addr, stop, h)
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    // Generous: the kernel matrix runs this under QEMU's TCG with another guest beside it.
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s
}

/// Reads `conn` to its end; if that fails (a timeout: the server did not finish the reply),
/// stops the server and panics with what it had done, so a failure says whether the request
/// was never accepted, never read, or read and not answered.
fn read_reply(
    conn: &mut TcpStream,
    stop: &echo_server::StopHandle,
    h: thread::JoinHandle<Stats>,
) -> (String, thread::JoinHandle<Stats>) {
    let mut reply = String::new();
    match conn.read_to_string(&mut reply) {
        Ok(_) => (reply, h),
        Err(e) => {
            stop.stop().unwrap();
            let stats = h.join().unwrap();
            panic!("reading the reply failed ({e}) after {reply:?}; the server had: {stats:?}");
        }
    }
}

#[test]
fn echoes_many_clients_with_back_pressure() {
    let (addr, stop, h) = start(Config::default());
    const CLIENTS: usize = 16;
    const BYTES: usize = 3 << 20; // more than the server queues for a peer that does not read
    thread::scope(|s| {
        for c in 0..CLIENTS {
            s.spawn(move || {
                let mut conn = connect(addr);
                let data: Vec<u8> = (0..BYTES).map(|i| (i * 7 + c) as u8).collect();
                let mut writer = conn.try_clone().unwrap();
                let d2 = data.clone();
                // Write everything before reading anything: the server must stop reading and
                // resume on WRITABLE edges, without losing or reordering a byte.
                let w = thread::spawn(move || {
                    writer.write_all(&d2).unwrap();
                    writer.shutdown(Shutdown::Write).unwrap();
                });
                let mut back = Vec::with_capacity(BYTES);
                conn.read_to_end(&mut back).unwrap();
                w.join().unwrap();
                assert_eq!(back.len(), BYTES, "client {c}");
                assert!(back == data, "client {c}: echoed bytes differ");
            });
        }
    });
    stop.stop().unwrap();
    let stats = h.join().unwrap();
    assert_eq!(stats.accepted, CLIENTS as u64);
    assert_eq!(stats.bytes_in, (CLIENTS * BYTES) as u64);
    assert_eq!(stats.bytes_out, (CLIENTS * BYTES) as u64);
}

#[test]
fn answers_pipelined_http_requests() {
    let (addr, stop, h) = start(Config {
        protocol: Protocol::Http,
        ..Config::default()
    });
    let mut conn = connect(addr);
    let req = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    conn.write_all(req.repeat(3).as_bytes()).unwrap();
    conn.shutdown(Shutdown::Write).unwrap();
    let (reply, h) = read_reply(&mut conn, &stop, h);
    assert_eq!(reply.matches("HTTP/1.1 200 OK\r\n").count(), 3, "{reply}");
    assert_eq!(reply.matches("Hello, world!").count(), 3);
    stop.stop().unwrap();
    assert_eq!(h.join().unwrap().requests, 3);
}

#[test]
fn refuses_connections_beyond_max_conns() {
    let (addr, stop, h) = start(Config {
        max_conns: 2,
        ..Config::default()
    });
    let mut a = connect(addr);
    let mut b = connect(addr);
    for s in [&mut a, &mut b] {
        s.write_all(b"ping").unwrap();
        let mut r = [0; 4];
        s.read_exact(&mut r).unwrap();
        assert_eq!(&r, b"ping");
    }
    let mut c = connect(addr);
    let _ = c.write_all(b"ping");
    let mut r = [0; 4];
    // Closed by the server: EOF or a reset, never an echo.
    match c.read(&mut r) {
        Ok(n) => assert_eq!(n, 0, "third connection was served"),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
    drop((a, b));
    stop.stop().unwrap();
    let stats = h.join().unwrap();
    assert_eq!((stats.accepted, stats.rejected), (2, 1));
}
