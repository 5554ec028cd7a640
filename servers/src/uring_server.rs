//! The server behind `uring/examples/echo_uring.rs` and `uring/examples/http_uring.rs`: single-threaded TCP
//! on io_uring through the ownership layer (`uring::driver`), echoing bytes or answering
//! HTTP/1.1 requests with "Hello, world!".
//!
//! The design, one ring for everything:
//! - one **multishot accept** on the listener posts a CQE per new connection (re-armed if the
//!   kernel ends it);
//! - per connection, one **multishot recv with buffer select** from a shared **provided
//!   buffer ring**: the kernel picks a buffer per receive, the server copies the bytes into the
//!   connection's outgoing queue and drops the guard, which hands the buffer back to the ring at
//!   once. When the ring runs dry the kernel ends the recv with `ENOBUFS`, and when a CQE finds
//!   the CQ full it ends the multishot too; all its data came before that final CQE, so
//!   re-arming it keeps the byte order (a recv that ends without EOF or an error is always
//!   re-armed: the 2,000-connection load test stalled until this rule was complete);
//! - per connection, at most **one owned send** in flight (the queue's bytes move into the
//!   send's `Vec` and come back with the result), so bytes leave in order; a short send puts
//!   the rest back at the front of the queue;
//! - with `Config::send_timeout`, each send carries a **linked timeout**
//!   (`IORING_OP_LINK_TIMEOUT`): a peer that stops reading for that long is dropped instead of
//!   holding its queue forever. That is the idle connection that costs memory here; a peer that
//!   only stays silent holds a socket and no buffer (a multishot recv has no per-receive
//!   request to link a timer to);
//! - stopping (from another thread, e.g. a SIGINT handler) completes a read on an eventfd the
//!   loop always has in flight; the loop then cancels every operation, waits for their final
//!   completions (the driver owns their buffers until then), and returns its statistics.
//!
//! Kept apart from the examples' `main` so tests can run it, the same way as the epoll server
//! in [`crate::echo_server`], whose API this mirrors.

use std::io::{self, ErrorKind};
use std::net::{SocketAddr, TcpListener};
use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::http::{HELLO, find_head_end};
use uring::Ring;
use uring::driver::multishot::AcceptMulti;
use uring::driver::pbuf::{BufRing, RecvMulti, is_no_buffers};
use uring::driver::{Driver, Key, Multishot, Op, OpFile, Read, Send, TakeError};

/// `HELLO` back to back, `REPLIES_N` times: what the HTTP server sends from, with no copy. The
/// bytes owed to a peer are always a stretch of this periodic stream (whole replies, less the
/// part of the first one a short send already sent), so any stretch of up to
/// `(REPLIES_N - 1) * HELLO.len()` bytes is a sub-slice of this one `'static` array.
const REPLIES_N: usize = 16;
static REPLIES: [u8; HELLO.len() * REPLIES_N] = repeat_hello();

const fn repeat_hello<const N: usize>() -> [u8; N] {
    let mut a = [0u8; N];
    let mut i = 0;
    while i < N {
        a[i] = HELLO[i % HELLO.len()];
        i += 1;
    }
    a
}

/// Provided buffers: count and size (16 MiB in all, shared by every connection).
const BUFS: u32 = 1024;
const BUF_SIZE: u32 = 16 * 1024;

/// HTTP's provided buffers, consumed incrementally (Linux 6.12+): 1 MiB. Each ~40-byte request
/// takes the next bytes of the current buffer, so the receives of a turn pack into a few warm
/// cache lines and pages. With whole 16 KiB buffers every receive landed on a cold page of 16
/// MiB (the kernel's copy and the parse each missed the cache and TLB: `_copy_to_iter` took 5%
/// of the server's CPU under wrk against 1.4% for the epoll server's one hot buffer).
const INC_BUFS: u32 = 64;
const INC_BUF_SIZE: u32 = 16 * 1024;

pub use crate::Protocol;

/// Server settings.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Connections served at once; connections beyond are accepted and closed at once.
    pub max_conns: usize,
    /// Echo or HTTP.
    pub protocol: Protocol,
    /// Drop a connection whose send has not completed after this long (a linked timeout on
    /// every send). `None`: wait forever.
    pub send_timeout: Option<Duration>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_conns: 1024,
            protocol: Protocol::Echo,
            send_timeout: None,
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
    /// Receives re-armed after the buffer ring ran dry (`ENOBUFS`).
    pub rearmed: u64,
    /// Receives re-armed after the kernel ended them otherwise (a full CQ ends a multishot).
    pub rearmed_other: u64,
    /// Connections dropped because a send timed out or failed, or the peer reset.
    pub dropped: u64,
}

/// Stops a running [`Server`] from any thread, or from a signal handler ([`StopHandle::fd`]).
#[derive(Debug, Clone)]
pub struct StopHandle {
    stop: Arc<AtomicBool>,
    efd: Arc<OwnedFd>,
}

impl StopHandle {
    /// Makes [`Server::run`] cancel everything and return.
    pub fn stop(&self) -> io::Result<()> {
        self.stop.store(true, Ordering::Release);
        rustix::io::write(&*self.efd, &1u64.to_ne_bytes())?;
        Ok(())
    }

    /// The eventfd whose 8-byte write stops the server (async-signal-safe to write to).
    pub fn fd(&self) -> std::os::fd::RawFd {
        use std::os::fd::AsRawFd;
        self.efd.as_raw_fd()
    }
}

/// A bound server, ready to [`run`](Self::run).
#[derive(Debug)]
pub struct Server {
    d: Driver,
    bufs: BufRing,
    listener: TcpListener,
    config: Config,
    stop: StopHandle,
    setup: String,
}

struct Conn {
    sock: OwnedFd,
    recv: Option<Multishot<RecvMulti>>,
    /// Echo: the send in flight, its buffer the queue's bytes.
    send: Option<Op<Send<Vec<u8>>>>,
    /// HTTP: the send in flight, a stretch of [`REPLIES`] (no copy, nothing to allocate).
    send_static: Option<Op<Send<&'static [u8]>>>,
    /// Echo: bytes queued for the peer, not yet handed to a send. Taken from the [`Pool`]
    /// when bytes arrive and handed to the send, so an idle connection holds no buffer.
    out: Vec<u8>,
    /// HTTP: reply bytes owed to the peer (in flight included), and where in `HELLO` the
    /// next of them starts.
    owed: usize,
    phase: usize,
    /// Unparsed request bytes (HTTP).
    inbuf: Vec<u8>,
    /// The peer finished sending.
    eof: bool,
}

impl Conn {
    fn sending(&self) -> bool {
        self.send.is_some() || self.send_static.is_some()
    }

    fn has_output(&self) -> bool {
        !self.out.is_empty() || self.owed > 0
    }
}

/// Echo: the emptied buffers of completed sends, shared by all connections, so queuing bytes
/// allocates nothing in the steady state and a connection holds a buffer only while it has
/// bytes queued or in flight (one per connection would be ~150 bytes more per connection at
/// 2,000 busy connections, `./x bench mem`).
#[derive(Default)]
struct Pool(Vec<Vec<u8>>);

impl Pool {
    /// Buffers kept at most, and the largest capacity kept (a peer that queued a lot should
    /// not leave a large buffer behind for ever).
    const MAX_BUFFERS: usize = 4096;
    const MAX_CAPACITY: usize = 64 * 1024;

    fn take(&mut self) -> Vec<u8> {
        self.0.pop().unwrap_or_default()
    }

    fn put(&mut self, mut buf: Vec<u8>) {
        if buf.capacity() > 0
            && buf.capacity() <= Self::MAX_CAPACITY
            && self.0.len() < Self::MAX_BUFFERS
        {
            buf.clear();
            self.0.push(buf);
        }
    }
}

#[derive(Clone, Copy)]
enum Who {
    Accept,
    Wake,
    Recv(usize),
    Send(usize),
}

/// Which operation a completion belongs to: a table indexed by the driver's slot index
/// ([`Key::index`]), each entry holding the full key (a slot reused by a later operation has
/// another generation). A hash map did the same at several hundred instructions a request.
#[derive(Default)]
struct Whose(Vec<Option<(Key, Who)>>);

impl Whose {
    fn insert(&mut self, k: Key, who: Who) {
        let i = k.index() as usize;
        if i >= self.0.len() {
            self.0.resize(i + 1, None);
        }
        self.0[i] = Some((k, who));
    }

    fn get(&self, k: Key) -> Option<Who> {
        match self.0.get(k.index() as usize) {
            Some(&Some((key, who))) if key == k => Some(who),
            _ => None,
        }
    }

    fn remove(&mut self, k: Key) {
        if let Some(e) = self.0.get_mut(k.index() as usize) {
            if matches!(e, Some((key, _)) if *key == k) {
                *e = None;
            }
        }
    }
}

impl Server {
    /// Binds `addr` (port 0: any free port) and sets up the ring. Fails with the ring's error
    /// (e.g. `ENOSYS`/`EPERM` when io_uring is denied) so a caller can fall back to epoll.
    pub fn bind(addr: SocketAddr, config: Config) -> io::Result<Server> {
        let (ring, ring_setup) = ring()?;
        let mut d = Driver::from_ring(ring);
        let mut setup = ring_setup.to_string();
        // HTTP receives small requests: an incremental ring where the kernel has one (6.12+).
        if config.protocol == Protocol::Http {
            match d.buf_ring_incremental(INC_BUFS, INC_BUF_SIZE) {
                Ok(bufs) => {
                    setup.push_str(", incremental buffer ring");
                    return Self::listen(addr, config, d, bufs, setup);
                }
                Err(e) if e.kind() == ErrorKind::InvalidInput => {
                    setup.push_str(", whole-buffer ring (no incremental buffer ring: Linux 6.12+)");
                }
                Err(e) => return Err(e),
            }
        }
        // The provided-buffer ring (Linux 5.19) is made here, not in `run`, so that a kernel
        // without it is found before serving: `ErrorKind::Unsupported`, for the caller's
        // fallback. (Multishot accept is 5.19 too, multishot recv 6.0.)
        let bufs = match d.buf_ring(BUFS, BUF_SIZE) {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::InvalidInput => {
                return Err(io::Error::new(
                    ErrorKind::Unsupported,
                    format!("this kernel lacks what the io_uring server uses: {e}"),
                ));
            }
            Err(e) => return Err(e),
        };
        Self::listen(addr, config, d, bufs, setup)
    }

    fn listen(
        addr: SocketAddr,
        config: Config,
        d: Driver,
        bufs: BufRing,
        setup: String,
    ) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        let efd = rustix::event::eventfd(0, rustix::event::EventfdFlags::CLOEXEC)?;
        let stop = StopHandle {
            stop: Arc::new(AtomicBool::new(false)),
            efd: Arc::new(efd),
        };
        Ok(Server {
            d,
            bufs,
            listener,
            config,
            stop,
            setup,
        })
    }

    /// The bound address (with the port the kernel chose).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Which ring and buffer set-up this kernel took (of the fallbacks `ring()` tries in turn),
    /// for a start-up message.
    pub fn setup(&self) -> &str {
        &self.setup
    }

    /// A handle that stops [`run`](Self::run) from another thread.
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }

    /// Serves until stopped; returns what it did.
    pub fn run(self) -> io::Result<Stats> {
        let Server {
            mut d,
            bufs,
            listener,
            config,
            stop,
            ..
        } = self;
        let mut stats = Stats::default();
        let mut whose = Whose::default();
        let mut pool = Pool::default();
        let mut conns: Vec<Option<Conn>> = Vec::new();
        let mut free: Vec<usize> = Vec::new();
        let mut open = 0usize;

        let mut accept = Some(
            d.submit_multishot(AcceptMulti::new(listener.as_fd(), 0))
                .map_err(|e| e.error)?,
        );
        whose.insert(accept.as_ref().expect("armed").key(), Who::Accept);
        let mut wake = Some(
            d.submit(Read::new(OpFile::from(&*stop.efd), vec![0u8; 8], u64::MAX))
                .map_err(|e| e.error)?,
        );
        whose.insert(wake.as_ref().expect("armed").key(), Who::Wake);

        let mut ready = Vec::new();
        let mut touched = Vec::new();
        // The eventfd read completes on `StopHandle::stop` or a write from a signal handler.
        let mut woken = false;
        while !woken && !stop.stop.load(Ordering::Acquire) {
            // One io_uring_enter a turn: it submits the sends the last turn queued and waits.
            // (A min-wait for 32 completions, Linux 6.12+, was measured: at 50 µs it cost
            // twice the CPU per request under wrk, at 200 µs a third more; the timer it arms
            // each turn costs more than the wake-ups it saves.)
            match d.submit_and_wait(1) {
                Ok(_) => {}
                Err(e) if matches!(e.kind(), ErrorKind::Interrupted) => {}
                Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {}
                Err(e) => return Err(e),
            }
            ready.clear();
            d.reap(|k| ready.push(k));
            for &k in &ready {
                match whose.get(k) {
                    Some(Who::Accept) => {
                        let h = accept.take().expect("armed");
                        while let Some(item) = d.next(&h) {
                            let Ok(fd) = item else { continue }; // ECONNABORTED, EMFILE, ...
                            if open >= config.max_conns {
                                stats.rejected += 1;
                                continue; // dropping the fd closes it
                            }
                            let i = free.pop().unwrap_or_else(|| {
                                conns.push(None);
                                conns.len() - 1
                            });
                            let recv = d
                                .submit_multishot(RecvMulti::new(&fd, &bufs))
                                .map_err(|e| e.error)?;
                            whose.insert(recv.key(), Who::Recv(i));
                            conns[i] = Some(Conn {
                                sock: fd,
                                recv: Some(recv),
                                send: None,
                                send_static: None,
                                out: Vec::new(),
                                owed: 0,
                                phase: 0,
                                inbuf: Vec::new(),
                                eof: false,
                            });
                            open += 1;
                            stats.accepted += 1;
                        }
                        if d.is_finished(&h) {
                            // The kernel ended the multishot accept: arm a new one.
                            whose.remove(h.key());
                            let op = d.release(h).map_err(|_| io::Error::other("accept"))?;
                            let h = d.submit_multishot(op).map_err(|e| e.error)?;
                            whose.insert(h.key(), Who::Accept);
                            accept = Some(h);
                        } else {
                            accept = Some(h);
                        }
                    }
                    Some(Who::Wake) => {
                        woken = true;
                        if let Some(op) = wake.take() {
                            whose.remove(op.key());
                            let _ = d.take(op);
                        }
                    }
                    Some(Who::Recv(i)) => {
                        if recv_ready(
                            &mut d,
                            &mut conns[i],
                            config,
                            &mut stats,
                            &mut whose,
                            &mut pool,
                            i,
                        )? {
                            touched.push(i);
                        } else {
                            close(&mut d, &mut conns[i], &mut whose, &mut pool);
                            free.push(i);
                            open -= 1;
                        }
                    }
                    Some(Who::Send(i)) => {
                        let Some(c) = conns[i].as_mut() else { continue };
                        let ok = if c.send_static.is_some() {
                            sent_static(&mut d, c, &mut stats, &mut whose, i)?
                        } else {
                            sent_owned(&mut d, c, &mut stats, &mut whose, &mut pool, i)?
                        };
                        if ok {
                            touched.push(i);
                        } else {
                            // Timed out (ECANCELED), reset, broken pipe: drop the peer.
                            stats.dropped += 1;
                            close(&mut d, &mut conns[i], &mut whose, &mut pool);
                            free.push(i);
                            open -= 1;
                        }
                    }
                    None => {}
                }
            }
            // Start a send where bytes wait and none is in flight; close finished peers. The
            // sends are only pushed here: the next turn's enter submits them all at once.
            for &i in &touched {
                let Some(c) = conns[i].as_mut() else { continue };
                if !c.sending() && c.has_output() {
                    start_send(&mut d, c, config, &mut whose, i)?;
                }
                if c.eof && !c.sending() && !c.has_output() && c.recv.is_none() {
                    close(&mut d, &mut conns[i], &mut whose, &mut pool);
                    free.push(i);
                    open -= 1;
                }
            }
            touched.clear();
        }

        // Stop: cancel everything, wait (bounded) for every final completion.
        let _ = d.cancel_all();
        let deadline = Instant::now() + Duration::from_secs(5);
        while d.in_flight() > 0 && Instant::now() < deadline {
            let _ = d.submit_and_wait(1);
            d.reap(|_| {});
        }
        drop(conns);
        Ok(stats)
    }
}

/// Pushes connection `i`'s next send: HTTP replies straight from [`REPLIES`], echoed bytes
/// from the queue's `Vec`.
fn start_send(
    d: &mut Driver,
    c: &mut Conn,
    config: Config,
    whose: &mut Whose,
    i: usize,
) -> io::Result<()> {
    if c.owed > 0 {
        let len = c.owed.min(REPLIES.len() - c.phase);
        let op = Send::new(
            &c.sock,
            &REPLIES[c.phase..c.phase + len],
            libc::MSG_NOSIGNAL,
        );
        let r = match config.send_timeout {
            Some(t) => d.submit_with_timeout(op, t),
            None => d.submit(op),
        };
        let op = r.map_err(|e| e.error)?;
        whose.insert(op.key(), Who::Send(i));
        c.send_static = Some(op);
        return Ok(());
    }
    // The queued bytes go to the send; the next ones queue in a buffer from the pool.
    let buf = std::mem::take(&mut c.out);
    let op = Send::new(&c.sock, buf, libc::MSG_NOSIGNAL);
    let r = match config.send_timeout {
        Some(t) => d.submit_with_timeout(op, t),
        None => d.submit(op),
    };
    match r {
        Ok(op) => {
            whose.insert(op.key(), Who::Send(i));
            c.send = Some(op);
            Ok(())
        }
        Err(e) => {
            c.out = e.op.into_buf();
            Err(e.error)
        }
    }
}

/// An HTTP send completed. Returns false when the connection should close.
fn sent_static(
    d: &mut Driver,
    c: &mut Conn,
    stats: &mut Stats,
    whose: &mut Whose,
    i: usize,
) -> io::Result<bool> {
    let Some(op) = c.send_static.take() else {
        return Ok(true);
    };
    whose.remove(op.key());
    match d.take(op) {
        Ok((Ok(n), _)) => {
            // A short send leaves the rest owed, from where it stopped.
            stats.bytes_out += u64::from(n);
            let n = n as usize;
            c.owed -= n;
            c.phase = (c.phase + n) % HELLO.len();
            Ok(true)
        }
        Ok((Err(_), _)) => Ok(false),
        Err(TakeError::Pending(op)) => {
            whose.insert(op.key(), Who::Send(i));
            c.send_static = Some(op);
            Ok(true)
        }
        Err(TakeError::Foreign(_)) => Err(io::Error::other("a send handle of another driver")),
    }
}

/// An echo send completed. Returns false when the connection should close.
fn sent_owned(
    d: &mut Driver,
    c: &mut Conn,
    stats: &mut Stats,
    whose: &mut Whose,
    pool: &mut Pool,
    i: usize,
) -> io::Result<bool> {
    let Some(op) = c.send.take() else {
        return Ok(true);
    };
    whose.remove(op.key());
    match d.take(op) {
        Ok((Ok(n), mut buf)) => {
            stats.bytes_out += u64::from(n);
            let n = n as usize;
            if n < buf.len() {
                // Short send: the rest goes first.
                buf.drain(..n);
                buf.extend_from_slice(&c.out);
                pool.put(std::mem::replace(&mut c.out, buf));
            } else {
                pool.put(buf);
            }
            Ok(true)
        }
        Ok((Err(_), _)) => Ok(false),
        Err(TakeError::Pending(op)) => {
            whose.insert(op.key(), Who::Send(i));
            c.send = Some(op);
            Ok(true)
        }
        Err(TakeError::Foreign(_)) => Err(io::Error::other("a send handle of another driver")),
    }
}

/// The ring: 1,024 SQ entries and a CQ of 8,192 (thousands of connections each post several
/// CQEs per turn; a full CQ also ends multishot requests early). Completions run only when the
/// server waits (`SINGLE_ISSUER | DEFER_TASKRUN`, Linux 6.1+: no task-work interrupts while it
/// works), else cooperatively (`COOP_TASKRUN`, 5.19+), else as the kernel likes; the ring fd
/// is registered (`IORING_REGISTER_RING_FDS`, 5.18+: each enter skips the fd lookup) where the
/// kernel has it. Returns the ring and which set-up it got.
fn ring() -> io::Result<(Ring, &'static str)> {
    let build = |b: uring::Builder| b.cq_entries(8192).build(1024);
    type Try = (fn() -> uring::Builder, &'static str);
    let tries: [Try; 5] = [
        (
            || {
                Ring::builder()
                    .single_issuer()
                    .defer_taskrun()
                    .registered_ring_fd()
            },
            "DEFER_TASKRUN, registered ring fd",
        ),
        (
            || Ring::builder().single_issuer().defer_taskrun(),
            "DEFER_TASKRUN (no registered ring fd)",
        ),
        (
            || Ring::builder().coop_taskrun(true).registered_ring_fd(),
            "COOP_TASKRUN (no DEFER_TASKRUN: Linux 6.1+), registered ring fd",
        ),
        (
            || Ring::builder().coop_taskrun(true),
            "COOP_TASKRUN (no DEFER_TASKRUN: Linux 6.1+)",
        ),
        (
            Ring::builder,
            "plain (no COOP_TASKRUN: Linux 5.19+, no DEFER_TASKRUN: 6.1+)",
        ),
    ];
    let mut last = None;
    for (builder, what) in tries {
        match build(builder()) {
            Ok(r) => return Ok((r, what)),
            Err(e) => last = Some(e),
        }
    }
    Err(last.expect("at least one try"))
}

/// Drains connection `i`'s receive items. Returns false when the connection should close.
fn recv_ready(
    d: &mut Driver,
    slot: &mut Option<Conn>,
    config: Config,
    stats: &mut Stats,
    whose: &mut Whose,
    pool: &mut Pool,
    i: usize,
) -> io::Result<bool> {
    let Some(c) = slot.as_mut() else {
        return Ok(true);
    };
    let Some(h) = c.recv.take() else {
        return Ok(true);
    };
    let mut rearm = false;
    let mut failed = false;
    while let Some(item) = d.next(&h) {
        match item {
            Ok(b) if b.is_empty() => c.eof = true,
            Ok(b) => {
                stats.bytes_in += b.len() as u64;
                match config.protocol {
                    Protocol::Echo => {
                        if c.out.capacity() == 0 {
                            c.out = pool.take();
                        }
                        c.out.extend_from_slice(&b);
                    }
                    Protocol::Http => {
                        let n = if c.inbuf.is_empty() {
                            // Whole requests parse in place; only a partial one is kept.
                            let (n, used) = count_heads(&b);
                            c.inbuf.extend_from_slice(&b[used..]);
                            n
                        } else {
                            c.inbuf.extend_from_slice(&b);
                            let (n, used) = count_heads(&c.inbuf);
                            c.inbuf.drain(..used);
                            n
                        };
                        c.owed += n * HELLO.len();
                        stats.requests += n as u64;
                        if c.inbuf.len() > 64 * 1024 {
                            failed = true; // not HTTP we understand
                        }
                    }
                }
                // `b` drops here: the buffer goes back to the ring.
            }
            Err(e) if is_no_buffers(&e) => rearm = true,
            Err(_) => failed = true, // ECONNRESET and friends
        }
    }
    if !d.is_finished(&h) {
        c.recv = Some(h);
        return Ok(!failed);
    }
    // The multishot recv ended: end of stream, an error, or the buffer ring ran dry.
    whose.remove(h.key());
    let op = d.release(h).map_err(|_| io::Error::other("recv release"))?;
    // Re-arm unless the stream ended or failed: besides ENOBUFS, the kernel also ends a
    // multishot whose CQE found the CQ full (its data came before, so the order holds).
    if !c.eof && !failed {
        if rearm {
            stats.rearmed += 1;
        } else {
            stats.rearmed_other += 1;
        }
        let h = d.submit_multishot(op).map_err(|e| e.error)?;
        whose.insert(h.key(), Who::Recv(i));
        c.recv = Some(h);
    } else if failed {
        stats.dropped += 1;
    }
    Ok(!failed)
}

/// Closes connection `slot`: its operations are cancelled and detached (the driver drops
/// them, and their buffers, after their final completions); the socket closes when the kernel
/// lets go of it.
fn close(d: &mut Driver, slot: &mut Option<Conn>, whose: &mut Whose, pool: &mut Pool) {
    let Some(c) = slot.take() else { return };
    pool.put(c.out);
    if let Some(h) = c.recv {
        whose.remove(h.key());
        let _ = d.cancel_multishot(&h);
        d.detach_multishot(h);
    }
    if let Some(op) = c.send {
        whose.remove(op.key());
        let _ = d.cancel(&op);
        d.detach(op);
    }
    if let Some(op) = c.send_static {
        whose.remove(op.key());
        let _ = d.cancel(&op);
        d.detach(op);
    }
    drop(c.sock);
}

/// How many complete request heads (`\r\n\r\n`-terminated) `b` holds, and how many bytes they
/// take.
fn count_heads(b: &[u8]) -> (usize, usize) {
    let (mut n, mut used) = (0, 0);
    while let Some(end) = find_head_end(&b[used..]) {
        n += 1;
        used += end;
    }
    (n, used)
}
