//! The echo servers of `epoll/examples/echo_epoll.rs` and `uring/examples/echo_uring.rs`,
//! started on a free loopback port in a thread of the test process.

#[path = "../../epoll/examples/support/echo_server.rs"]
mod echo_server;

#[path = "../../uring/examples/support/uring_server.rs"]
mod uring_server;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::thread::JoinHandle;

/// What a server run did (the example's statistics).
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
}

/// A running epoll echo server.
#[derive(Debug)]
pub struct EpollEcho {
    addr: SocketAddr,
    stop: echo_server::StopHandle,
    thread: Option<JoinHandle<io::Result<echo_server::Stats>>>,
}

/// A bound epoll echo server that does not accept yet: connections queue in its backlog until
/// [`Bound::start`].
#[derive(Debug)]
pub struct Bound {
    server: echo_server::Server,
}

impl Bound {
    /// The listening address.
    pub fn addr(&self) -> io::Result<SocketAddr> {
        self.server.local_addr()
    }

    /// Starts serving in a new thread.
    pub fn start(self) -> io::Result<EpollEcho> {
        let addr = self.server.local_addr()?;
        let stop = self.server.stop_handle();
        let server = self.server;
        let thread = std::thread::Builder::new()
            .name("epoll-echo".into())
            .spawn(move || server.run())?;
        Ok(EpollEcho {
            addr,
            stop,
            thread: Some(thread),
        })
    }
}

impl EpollEcho {
    /// Binds 127.0.0.1 on a free port with room for `max_conns` connections, not serving yet.
    pub fn bind(max_conns: usize) -> io::Result<Bound> {
        let config = echo_server::Config {
            max_conns,
            protocol: echo_server::Protocol::Echo,
        };
        let server = echo_server::Server::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config)?;
        Ok(Bound { server })
    }

    /// Binds and starts serving.
    pub fn start(max_conns: usize) -> io::Result<EpollEcho> {
        Self::bind(max_conns)?.start()
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server and returns what it did.
    pub fn stop(mut self) -> io::Result<Stats> {
        self.stop.stop()?;
        let s = self
            .thread
            .take()
            .expect("joined once")
            .join()
            .map_err(|_| io::Error::other("the echo server thread panicked"))??;
        Ok(Stats {
            accepted: s.accepted,
            rejected: s.rejected,
            bytes_in: s.bytes_in,
            bytes_out: s.bytes_out,
        })
    }
}

impl Drop for EpollEcho {
    fn drop(&mut self) {
        if let Some(t) = self.thread.take() {
            let _ = self.stop.stop();
            let _ = t.join();
        }
    }
}

/// A running io_uring echo server (`uring/examples/support/uring_server.rs`).
#[derive(Debug)]
pub struct UringEcho {
    addr: SocketAddr,
    stop: uring_server::StopHandle,
    thread: Option<JoinHandle<io::Result<uring_server::Stats>>>,
}

/// What the io_uring server did, beyond [`Stats`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct UringStats {
    /// The common counters.
    pub stats: Stats,
    /// Receives re-armed after the provided-buffer ring ran dry.
    pub rearmed: u64,
    /// Receives re-armed after the kernel ended them otherwise (a full CQ).
    pub rearmed_other: u64,
    /// Connections dropped (reset peers, failed or timed-out sends).
    pub dropped: u64,
}

impl UringEcho {
    /// Binds 127.0.0.1 on a free port and serves in a new thread.
    pub fn start(max_conns: usize) -> io::Result<UringEcho> {
        let (echo, go) = Self::start_paused(max_conns)?;
        drop(go);
        Ok(echo)
    }

    /// Binds (the listener queues connections in its backlog) but starts serving only when
    /// the returned sender is used or dropped.
    pub fn start_paused(max_conns: usize) -> io::Result<(UringEcho, std::sync::mpsc::Sender<()>)> {
        let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
        let config = uring_server::Config {
            max_conns,
            protocol: uring_server::Protocol::Echo,
            send_timeout: None,
        };
        // The driver is not `Send` (its buffer rings are `Rc`): bind in the serving thread.
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("uring-echo".into())
            .spawn(move || {
                let bound =
                    uring_server::Server::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config)
                        .and_then(|s| Ok((s.local_addr()?, s)));
                match bound {
                    Ok((addr, server)) => {
                        let _ = tx.send(Ok((addr, server.stop_handle())));
                        let _ = go_rx.recv();
                        server.run()
                    }
                    Err(e) => {
                        let _ = tx.send(Err(io::Error::new(e.kind(), e.to_string())));
                        Err(e)
                    }
                }
            })?;
        let (addr, stop) = rx
            .recv()
            .map_err(|_| io::Error::other("the uring echo thread died"))??;
        Ok((
            UringEcho {
                addr,
                stop,
                thread: Some(thread),
            },
            go_tx,
        ))
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server and returns what it did.
    pub fn stop(mut self) -> io::Result<UringStats> {
        self.stop.stop()?;
        let s = self
            .thread
            .take()
            .expect("joined once")
            .join()
            .map_err(|_| io::Error::other("the uring echo server thread panicked"))??;
        Ok(UringStats {
            stats: Stats {
                accepted: s.accepted,
                rejected: s.rejected,
                bytes_in: s.bytes_in,
                bytes_out: s.bytes_out,
            },
            rearmed: s.rearmed,
            rearmed_other: s.rearmed_other,
            dropped: s.dropped,
        })
    }
}

impl Drop for UringEcho {
    fn drop(&mut self) {
        if let Some(t) = self.thread.take() {
            let _ = self.stop.stop();
            let _ = t.join();
        }
    }
}
