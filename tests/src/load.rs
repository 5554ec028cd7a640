//! The load client: many non-blocking loopback connections driven by one epoll loop, each
//! sending its own stream in random-sized writes and checking every byte that comes back.
//!
//! A connection's [`Plan`] says what its peer does: send everything and half-close (then read
//! the echo to EOF), half-close part-way (the echo of what was sent must still come back in
//! full), or reset part-way (`SO_LINGER` 0 and close: the server must shrug it off).

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use epoll::{Epoll, Events, Interest};

use crate::data::{Checker, Pattern, Rng};

/// What one connection does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Send the whole stream, half-close, read the echo to EOF.
    Full,
    /// Send this many bytes, half-close, read their echo to EOF.
    HalfClose(usize),
    /// Send this many bytes, then reset the connection (`SO_LINGER` 0, close).
    Reset(usize),
}

/// What a run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Connections opened.
    pub connections: usize,
    /// Bytes sent.
    pub sent: u64,
    /// Bytes received back and verified (in order, exactly once).
    pub verified: u64,
    /// Connections that half-closed part-way.
    pub half_closed: usize,
    /// Connections reset part-way.
    pub reset: usize,
}

struct Conn {
    sock: Option<TcpStream>,
    id: usize,
    plan: Plan,
    sent: usize,
    shut: bool,
    check: Checker,
    rng: Rng,
    done: bool,
}

impl Conn {
    fn limit(&self, len: usize) -> usize {
        match self.plan {
            Plan::Full => len,
            Plan::HalfClose(n) | Plan::Reset(n) => n.min(len),
        }
    }
}

/// Connects `plans.len()` clients to `addr`, each sending `pattern.stream(id)` in writes of
/// 1 byte to `max_write` bytes, and checks the echo. Fails (with the connection and offset) on
/// any byte lost, duplicated, reordered or foreign, or when `within` passes first.
pub fn run(
    addr: SocketAddr,
    pattern: &Pattern,
    plans: &[Plan],
    max_write: usize,
    within: Duration,
) -> io::Result<Report> {
    let socks = plans
        .iter()
        .map(|_| connect(addr))
        .collect::<io::Result<Vec<_>>>()?;
    run_on(socks, pattern, plans, max_write, within)
}

/// [`run`] on connections already made (e.g. queued in a backlog before the server accepted).
pub fn run_on(
    socks: Vec<TcpStream>,
    pattern: &Pattern,
    plans: &[Plan],
    max_write: usize,
    within: Duration,
) -> io::Result<Report> {
    assert_eq!(socks.len(), plans.len(), "one plan per connection");
    let ep = Epoll::new()?;
    let mut conns = Vec::with_capacity(plans.len());
    let mut report = Report {
        connections: plans.len(),
        ..Report::default()
    };
    for (id, (sock, &plan)) in socks.into_iter().zip(plans).enumerate() {
        sock.set_nodelay(true)?;
        sock.set_nonblocking(true)?;
        ep.add(
            &sock,
            id as u64,
            Interest::READABLE | Interest::WRITABLE | Interest::EDGE_TRIGGERED,
        )?;
        conns.push(Conn {
            sock: Some(sock),
            id,
            plan,
            sent: 0,
            shut: false,
            check: Checker::default(),
            rng: Rng::new(id as u64 + 1),
            done: false,
        });
    }
    let deadline = Instant::now() + within;
    let mut left = conns.len();
    let mut events = Events::with_capacity(1024);
    let mut buf = vec![0u8; 256 * 1024];
    while left > 0 {
        if Instant::now() > deadline {
            let stuck: Vec<String> = conns
                .iter()
                .filter(|c| !c.done)
                .take(5)
                .map(|c| format!("#{} sent {} got {}", c.id, c.sent, c.check.received))
                .collect();
            return Err(io::Error::new(
                ErrorKind::TimedOut,
                format!("{left} connections unfinished after {within:?}: {stuck:?} ..."),
            ));
        }
        match ep.wait(&mut events, Some(Duration::from_millis(100))) {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        for ev in &events {
            let c = &mut conns[ev.token() as usize];
            if c.done {
                continue;
            }
            let stream = pattern.stream(c.id);
            let limit = c.limit(stream.len());
            // Write until the plan's limit or the socket is full.
            while c.sent < limit {
                let n = c.rng.range(1, max_write).min(limit - c.sent);
                let sock = c.sock.as_mut().expect("open while not done");
                match sock.write(&stream[c.sent..c.sent + n]) {
                    Ok(w) => {
                        c.sent += w;
                        report.sent += w as u64;
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(e) => return Err(at(c.id, "write", e)),
                }
            }
            if c.sent == limit && !c.shut {
                c.shut = true;
                if let Plan::Reset(_) = c.plan {
                    // RST instead of FIN: linger 0, then close.
                    let sock = c.sock.take().expect("open");
                    crate::sys::set_linger_zero(sock.as_raw_fd())?;
                    ep.delete(&sock)?;
                    drop(sock);
                    report.reset += 1;
                    c.done = true;
                    left -= 1;
                    continue;
                }
                if let Plan::HalfClose(_) = c.plan {
                    report.half_closed += 1;
                }
                c.sock
                    .as_ref()
                    .expect("open")
                    .shutdown(Shutdown::Write)
                    .map_err(|e| at(c.id, "shutdown", e))?;
            }
            // Read until the socket is empty or EOF.
            loop {
                let sock = c.sock.as_mut().expect("open while not done");
                match sock.read(&mut buf) {
                    Ok(0) => {
                        // EOF: everything sent must have come back.
                        if c.check.received != c.sent || !c.shut {
                            return Err(io::Error::other(format!(
                                "connection #{}: EOF after {} of {} bytes echoed",
                                c.id, c.check.received, c.sent
                            )));
                        }
                        report.verified += c.check.received as u64;
                        let sock = c.sock.take().expect("open");
                        ep.delete(&sock)?;
                        c.done = true;
                        left -= 1;
                        break;
                    }
                    Ok(n) => {
                        if let Err(off) = c.check.check(&stream[..c.sent], &buf[..n]) {
                            return Err(io::Error::other(format!(
                                "connection #{}: wrong byte at offset {off} (sent {}, verified {})",
                                c.id, c.sent, c.check.received
                            )));
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(e) => return Err(at(c.id, "read", e)),
                }
            }
        }
    }
    Ok(report)
}

/// A non-blocking connection to `addr` (the connect itself blocks: the loopback handshake is
/// done by the kernel even before the server accepts, as long as the backlog has room).
pub fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let sock = TcpStream::connect(addr)?;
    sock.set_nodelay(true)?;
    sock.set_nonblocking(true)?;
    Ok(sock)
}

fn at(id: usize, what: &str, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("connection #{id}: {what}: {e}"))
}
