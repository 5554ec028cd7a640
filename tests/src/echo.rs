//! The echo servers of `epoll/examples/echo_epoll.rs` and `uring/examples/echo_uring.rs`,
//! started on a free loopback port in a thread of the test process.

use servers::{echo_server, runtime, uring_server};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::mpsc;
use std::thread::JoinHandle;

/// Which server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `servers::echo_server` (the `echo_epoll` example's).
    Epoll,
    /// `servers::uring_server` (the `echo_uring` example's).
    Uring,
    /// `servers::runtime`: the async runtime example's echo server (one
    /// task per connection; it has no connection limit).
    Runtime,
}

impl Kind {
    /// `"epoll"` or `"uring"`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Epoll => "epoll",
            Kind::Uring => "uring",
            Kind::Runtime => "runtime",
        }
    }
}

/// What a server run did (the examples' statistics; the io_uring-only ones are 0 for epoll).
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
    /// Receives re-armed after the provided-buffer ring ran dry.
    pub rearmed: u64,
    /// Receives re-armed after the kernel ended them otherwise (a full CQ).
    pub rearmed_other: u64,
    /// Connections the server dropped (reset peers, failed or timed-out sends).
    pub dropped: u64,
}

type StopFn = Box<dyn Fn() -> io::Result<()> + Send>;

/// A running echo server.
pub struct Echo {
    addr: SocketAddr,
    stop: StopFn,
    thread: Option<JoinHandle<io::Result<Stats>>>,
}

impl std::fmt::Debug for Echo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Echo").field("addr", &self.addr).finish()
    }
}

impl Echo {
    /// Binds 127.0.0.1 on a free port and serves in a new thread.
    pub fn start(kind: Kind, max_conns: usize) -> io::Result<Echo> {
        let (echo, go) = Self::start_paused(kind, max_conns)?;
        drop(go);
        Ok(echo)
    }

    /// Binds (the listener queues connections in its backlog) but serves only once the
    /// returned sender is used or dropped. The server is made in its own thread: the io_uring
    /// driver is not `Send`.
    pub fn start_paused(kind: Kind, max_conns: usize) -> io::Result<(Echo, mpsc::Sender<()>)> {
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let (tx, rx) = mpsc::channel::<io::Result<(SocketAddr, StopFn)>>();
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let thread = std::thread::Builder::new()
            .name(format!("{}-echo", kind.name()))
            .spawn(move || {
                let served = match kind {
                    Kind::Epoll => epoll(addr, max_conns, &tx, &go_rx),
                    Kind::Uring => uring(addr, max_conns, &tx, &go_rx),
                    Kind::Runtime => runtime(addr, &tx, &go_rx),
                };
                if let Err(e) = &served {
                    let _ = tx.send(Err(io::Error::new(e.kind(), e.to_string())));
                }
                served
            })?;
        let (addr, stop) = rx
            .recv()
            .map_err(|_| io::Error::other("the echo server thread died"))??;
        let echo = Echo {
            addr,
            stop,
            thread: Some(thread),
        };
        Ok((echo, go_tx))
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server and returns what it did.
    pub fn stop(mut self) -> io::Result<Stats> {
        (self.stop)()?;
        self.thread
            .take()
            .expect("joined once")
            .join()
            .map_err(|_| io::Error::other("the echo server thread panicked"))?
    }
}

impl Drop for Echo {
    fn drop(&mut self) {
        if let Some(t) = self.thread.take() {
            let _ = (self.stop)();
            let _ = t.join();
        }
    }
}

type Ready<'a> = &'a mpsc::Sender<io::Result<(SocketAddr, StopFn)>>;

fn epoll(
    addr: SocketAddr,
    max_conns: usize,
    ready: Ready<'_>,
    go: &mpsc::Receiver<()>,
) -> io::Result<Stats> {
    let config = echo_server::Config {
        max_conns,
        protocol: echo_server::Protocol::Echo,
    };
    let server = echo_server::Server::bind(addr, config)?;
    let h = server.stop_handle();
    let _ = ready.send(Ok((server.local_addr()?, Box::new(move || h.stop()))));
    let _ = go.recv();
    let s = server.run()?;
    Ok(Stats {
        accepted: s.accepted,
        rejected: s.rejected,
        bytes_in: s.bytes_in,
        bytes_out: s.bytes_out,
        ..Stats::default()
    })
}

fn uring(
    addr: SocketAddr,
    max_conns: usize,
    ready: Ready<'_>,
    go: &mpsc::Receiver<()>,
) -> io::Result<Stats> {
    let config = uring_server::Config {
        max_conns,
        protocol: uring_server::Protocol::Echo,
        ..uring_server::Config::default()
    };
    let server = uring_server::Server::bind(addr, config)?;
    let h = server.stop_handle();
    let _ = ready.send(Ok((server.local_addr()?, Box::new(move || h.stop()))));
    let _ = go.recv();
    let s = server.run()?;
    Ok(Stats {
        accepted: s.accepted,
        rejected: s.rejected,
        bytes_in: s.bytes_in,
        bytes_out: s.bytes_out,
        rearmed: s.rearmed,
        rearmed_other: s.rearmed_other,
        dropped: s.dropped,
    })
}

fn runtime(addr: SocketAddr, ready: Ready<'_>, go: &mpsc::Receiver<()>) -> io::Result<Stats> {
    let rt = runtime::Runtime::new(1024)?;
    let listener = runtime::TcpListener::bind(addr)?;
    let stop = runtime::Stop::default();
    let h = stop.clone();
    let stop_fn: StopFn = Box::new(move || {
        h.stop();
        Ok(())
    });
    let _ = ready.send(Ok((listener.local_addr()?, stop_fn)));
    let _ = go.recv();
    let s = rt.block_on(runtime::echo_server(listener, stop, false));
    Ok(Stats {
        accepted: s.accepted,
        bytes_in: s.bytes_in,
        bytes_out: s.bytes_out,
        ..Stats::default()
    })
}
