//! The server behind `epoll/examples/echo_epoll.rs`: single-threaded, edge-triggered, non-blocking TCP
//! on `epoll`, echoing bytes or answering HTTP/1.1 requests with "Hello, world!".
//!
//! Kept apart from the example's `main` so tests can start a [`Server`] on port 0 in a thread
//! and stop it with its [`StopHandle`].

use crate::http::{HELLO, find_head_end};
use epoll::{Epoll, Event, Events, Interest, Waker};
use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const LISTENER: u64 = 0;
const WAKER: u64 = 1;
const FIRST_CONN: u64 = 2;
/// Stop reading from a peer that does not read its replies once this much is queued for it.
const MAX_PENDING: usize = 1 << 20;

pub use crate::Protocol;

/// Server settings.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Connections served at once; connections beyond are accepted and closed at once.
    pub max_conns: usize,
    /// Echo or HTTP.
    pub protocol: Protocol,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_conns: 1024,
            protocol: Protocol::Echo,
        }
    }
}

/// What a run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Connections accepted and served.
    pub accepted: u64,
    /// Connections refused because `max_conns` were open.
    pub rejected: u64,
    /// Bytes read from clients.
    pub bytes_in: u64,
    /// Bytes written to clients.
    pub bytes_out: u64,
    /// HTTP requests answered.
    pub requests: u64,
}

/// Stops a running [`Server`] from any thread.
#[derive(Debug, Clone)]
pub struct StopHandle {
    stop: Arc<AtomicBool>,
    waker: Arc<Waker>,
}

impl StopHandle {
    /// Makes [`Server::run`] return after the events it is handling.
    pub fn stop(&self) -> io::Result<()> {
        self.stop.store(true, Ordering::Release);
        self.waker.wake()
    }
}

struct Conn {
    stream: TcpStream,
    /// Bytes queued for the peer; `out[sent..]` is still to be written.
    out: Vec<u8>,
    sent: usize,
    /// Unparsed request bytes (HTTP).
    inbuf: Vec<u8>,
    /// The peer finished sending.
    eof: bool,
}

/// A bound, registered server, ready to [`run`](Self::run).
#[derive(Debug)]
pub struct Server {
    ep: Epoll,
    listener: TcpListener,
    config: Config,
    stop: StopHandle,
}

impl Server {
    /// Binds `addr` (use port 0 for any free port), non-blocking, registered edge-triggered.
    pub fn bind(addr: SocketAddr, config: Config) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let ep = Epoll::new()?;
        ep.add(
            &listener,
            LISTENER,
            Interest::READABLE | Interest::EDGE_TRIGGERED,
        )?;
        let waker = Arc::new(Waker::new(&ep, WAKER)?);
        let stop = StopHandle {
            stop: Arc::new(AtomicBool::new(false)),
            waker,
        };
        Ok(Server {
            ep,
            listener,
            config,
            stop,
        })
    }

    /// The bound address (with the port the kernel chose).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// A handle that stops [`run`](Self::run) from another thread.
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }

    /// Serves until stopped; returns what it did.
    pub fn run(self) -> io::Result<Stats> {
        let mut stats = Stats::default();
        let mut conns: Vec<Option<Conn>> = Vec::new();
        let mut free: Vec<usize> = Vec::new();
        let mut open = 0usize;
        let mut events = Events::with_capacity(1024);
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match self.ep.wait(&mut events, None) {
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            for ev in &events {
                match ev.token() {
                    LISTENER => loop {
                        // Edge-triggered: accept until WouldBlock.
                        let stream = match self.listener.accept() {
                            Ok((s, _)) => s,
                            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                            // ECONNABORTED: that connection is gone; the queue may hold more,
                            // and edge-triggered means no new edge for them, so keep going.
                            Err(e) if e.kind() == ErrorKind::ConnectionAborted => continue,
                            // EMFILE, ENFILE, ENOBUFS...: nothing can be accepted now; the
                            // queued connections wait for the next edge.
                            Err(_) => break,
                        };
                        if open >= self.config.max_conns {
                            stats.rejected += 1;
                            continue; // dropped: closed at once
                        }
                        stream.set_nonblocking(true)?;
                        let _ = stream.set_nodelay(true);
                        let slot = free.pop().unwrap_or_else(|| {
                            conns.push(None);
                            conns.len() - 1
                        });
                        let interest = Interest::READABLE
                            | Interest::WRITABLE
                            | Interest::READ_CLOSED
                            | Interest::EDGE_TRIGGERED;
                        self.ep.add(&stream, FIRST_CONN + slot as u64, interest)?;
                        conns[slot] = Some(Conn {
                            stream,
                            out: Vec::new(),
                            sent: 0,
                            inbuf: Vec::new(),
                            eof: false,
                        });
                        open += 1;
                        stats.accepted += 1;
                    },
                    WAKER => {
                        if self.stop.stop.load(Ordering::Acquire) {
                            return Ok(stats);
                        }
                    }
                    t => {
                        let slot = (t - FIRST_CONN) as usize;
                        let Some(conn) = conns.get_mut(slot).and_then(Option::as_mut) else {
                            continue; // closed earlier in this batch
                        };
                        let keep = drive(conn, ev, &mut buf, self.config.protocol, &mut stats);
                        if !keep {
                            // Deregister before the close drops the fd (see the crate docs).
                            let _ = self.ep.delete(&conn.stream);
                            conns[slot] = None;
                            free.push(slot);
                            open -= 1;
                        }
                    }
                }
            }
        }
    }
}

/// Handles one event of a connection; `false` when it is finished and should be closed.
fn drive(conn: &mut Conn, ev: &Event, buf: &mut [u8], proto: Protocol, stats: &mut Stats) -> bool {
    if ev.is_error() {
        return false;
    }
    loop {
        // Flush first: it bounds what we queue for a slow reader.
        while conn.sent < conn.out.len() {
            match conn.stream.write(&conn.out[conn.sent..]) {
                Ok(n) => {
                    conn.sent += n;
                    stats.bytes_out += n as u64;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        if conn.sent == conn.out.len() {
            conn.out.clear();
            conn.sent = 0;
            if conn.eof {
                return false; // all replied; the peer is done
            }
        }
        if conn.eof || conn.out.len() - conn.sent > MAX_PENDING {
            // Wait for a WRITABLE edge; the unread input stays in the socket until then.
            return true;
        }
        // Edge-triggered: read until WouldBlock (drive() is re-entered after every flush).
        match conn.stream.read(buf) {
            Ok(0) => conn.eof = true,
            Ok(n) => {
                stats.bytes_in += n as u64;
                match proto {
                    Protocol::Echo => conn.out.extend_from_slice(&buf[..n]),
                    Protocol::Http => {
                        let mut heads = |b: &[u8]| {
                            let mut start = 0;
                            while let Some(end) = find_head_end(&b[start..]) {
                                conn.out.extend_from_slice(HELLO);
                                stats.requests += 1;
                                start += end;
                            }
                            start
                        };
                        if conn.inbuf.is_empty() {
                            // Whole requests parse in place; only a partial one is kept.
                            let used = heads(&buf[..n]);
                            conn.inbuf.extend_from_slice(&buf[used..n]);
                        } else {
                            conn.inbuf.extend_from_slice(&buf[..n]);
                            let inbuf = std::mem::take(&mut conn.inbuf);
                            let used = heads(&inbuf);
                            conn.inbuf = inbuf;
                            conn.inbuf.drain(..used);
                        }
                        if conn.inbuf.len() > 64 * 1024 {
                            return false; // not HTTP we understand
                        }
                    }
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                // Drained. Anything still queued goes out on the next WRITABLE edge.
                return true;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}
