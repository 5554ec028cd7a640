//! The HTTP/1.1 "Hello, world!" responder of `echo_epoll --http`, written on `mio` instead of
//! `epoll`: the reference for the `wrk` comparison in `ci/bench/epoll.sh`. Same protocol, same
//! single thread, same edge-triggered drain-to-WouldBlock loops, same buffers, the same reply
//! and request-head scan (`servers::http`).
//!
//! `cargo run --release -p evbind-epoll --example http_mio -- --port 8081`
//!
//! With `--echo` it writes every byte back instead (the echo server of the memory comparison
//! in `ci/bench/mem.sh`).

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};
use servers::http::{HELLO, find_head_end};
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr};

const LISTENER: Token = Token(0);
const FIRST_CONN: usize = 2;
const MAX_PENDING: usize = 1 << 20;

struct Conn {
    stream: TcpStream,
    out: Vec<u8>,
    sent: usize,
    inbuf: Vec<u8>,
    eof: bool,
}

fn main() -> io::Result<()> {
    let mut port = 8081u16;
    let mut max_conns = 1024usize;
    let mut echo = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--echo" {
            echo = true;
            continue;
        }
        let v = args.next().and_then(|v| v.parse::<usize>().ok());
        match (a.as_str(), v) {
            ("--port", Some(v)) => port = v as u16,
            ("--max-conns", Some(v)) => max_conns = v,
            _ => {
                eprintln!("usage: http_mio [--port N] [--max-conns N] [--echo]");
                std::process::exit(2);
            }
        }
    }
    let mut listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))?;
    let mut poll = Poll::new()?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    let mode = if echo { "echo" } else { "http" };
    println!("mio {mode} server on {}", listener.local_addr()?);
    let mut conns: Vec<Option<Conn>> = Vec::new();
    let mut free = Vec::new();
    let mut open = 0;
    let mut events = Events::with_capacity(1024);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match poll.poll(&mut events, None) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        for ev in &events {
            if ev.token() == LISTENER {
                loop {
                    let mut stream = match listener.accept() {
                        Ok((s, _)) => s,
                        Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                        Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                        Err(_) => break,
                    };
                    if open >= max_conns {
                        continue;
                    }
                    let _ = stream.set_nodelay(true);
                    let slot = free.pop().unwrap_or_else(|| {
                        conns.push(None);
                        conns.len() - 1
                    });
                    poll.registry().register(
                        &mut stream,
                        Token(FIRST_CONN + slot),
                        Interest::READABLE | Interest::WRITABLE,
                    )?;
                    conns[slot] = Some(Conn {
                        stream,
                        out: Vec::new(),
                        sent: 0,
                        inbuf: Vec::new(),
                        eof: false,
                    });
                    open += 1;
                }
                continue;
            }
            let slot = ev.token().0 - FIRST_CONN;
            let Some(conn) = conns.get_mut(slot).and_then(Option::as_mut) else {
                continue;
            };
            if ev.is_error() || !drive(conn, &mut buf, echo) {
                let _ = poll.registry().deregister(&mut conn.stream);
                conns[slot] = None;
                free.push(slot);
                open -= 1;
            }
        }
    }
}

fn drive(conn: &mut Conn, buf: &mut [u8], echo: bool) -> bool {
    loop {
        while conn.sent < conn.out.len() {
            match conn.stream.write(&conn.out[conn.sent..]) {
                Ok(n) => conn.sent += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        if conn.sent == conn.out.len() {
            conn.out.clear();
            conn.sent = 0;
            if conn.eof {
                return false;
            }
        }
        if conn.eof || conn.out.len() - conn.sent > MAX_PENDING {
            return true;
        }
        match conn.stream.read(buf) {
            Ok(0) => conn.eof = true,
            Ok(n) if echo => conn.out.extend_from_slice(&buf[..n]),
            Ok(n) => {
                conn.inbuf.extend_from_slice(&buf[..n]);
                let mut start = 0;
                while let Some(end) = find_head_end(&conn.inbuf[start..]) {
                    conn.out.extend_from_slice(HELLO);
                    start += end;
                }
                conn.inbuf.drain(..start);
                if conn.inbuf.len() > 64 * 1024 {
                    return false;
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}
