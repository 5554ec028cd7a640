//! `epoll_seq`: add/modify/delete/wait/write/read/close sequences on two pipes and two
//! socketpairs through the `epoll` crate, checked step by step against a model of epoll.
//!
//! The model (from epoll(7) and the kernel's `fs/eventpoll.c`, `fs/pipe.c`, `net/unix/af_unix.c`):
//! - a wait reports a registration with `events = poll_mask & (interest | EPOLLERR | EPOLLHUP)`;
//! - level-triggered: reported at every wait while that mask is non-zero;
//! - edge-triggered: reported once after an *edge* (the add/modify that found it ready, or a
//!   wake-up of the file's wait queue whose key meets the interest), if the mask is non-zero
//!   when the wait looks at it;
//! - one-shot: after one report the registration is disarmed until `modify`;
//! - delete and close of the registered fd end the reports;
//! - `add` twice is `EEXIST`, `modify`/`delete` of an unregistered fd `ENOENT`, any call on a
//!   closed fd `EBADF`.
//!
//! Edges the model is sure of are *required* (a write wakes the reader: `pipe_write` wakes
//! `rd_wait` on every write once the pipe has been polled, `sock_def_readable` on every unix
//! stream send). Wake-ups whose exact conditions depend on kernel details (a read waking the
//! writer, a partial pipe read waking the next reader, a close waking the peer) are *allowed*:
//! the wait may report them, or not. Every reported event must be one the model allows, with
//! exactly the model's mask, and the wait must report at least every required one (up to
//! `maxevents`). Waits use timeout 0 only, so the run is deterministic.

use arbitrary::Arbitrary;
use epoll::{CtlError, Epoll, Events, Interest, Ready};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::time::Duration;

/// Endpoints: 0 = pipe A read, 1 = pipe A write, 2 = pipe B read, 3 = pipe B write,
/// 4/5 = socketpair C, 6/7 = socketpair D.
pub const ENDPOINTS: usize = 8;
/// Bytes a stream may hold unread (far below every kernel limit, so writes never block and
/// writability never changes).
const MAX_QUEUED: usize = 2048;
/// Unread writes a socket may hold (each is one skb charged to the sender's send buffer).
const MAX_SKBS: usize = 16;

/// One step of a sequence.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum Op {
    /// `EPOLL_CTL_ADD`.
    Add {
        ep: u8,
        interest: u8,
        mode: u8,
        token: u16,
    },
    /// `EPOLL_CTL_MOD`.
    Modify {
        ep: u8,
        interest: u8,
        mode: u8,
        token: u16,
    },
    /// `EPOLL_CTL_DEL`.
    Delete { ep: u8 },
    /// `epoll_wait(.., maxevents, 0)`.
    Wait { maxevents: u8 },
    /// `write(2)`/`send(2)` of `len` bytes on the endpoint (skipped where it could block or
    /// raise `SIGPIPE`).
    Write { ep: u8, len: u8 },
    /// `read(2)` of up to `len` bytes.
    Read { ep: u8, len: u8 },
    /// `close(2)` of the endpoint.
    Close { ep: u8 },
}

/// A fuzz input: the ops, at most 64 of them.
#[derive(Debug, Arbitrary)]
pub struct Input {
    /// The sequence.
    pub ops: Vec<Op>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    PipeRead,
    PipeWrite,
    Sock,
}

/// The model of one registration.
#[derive(Debug, Clone, Copy)]
struct Reg {
    token: u64,
    interest: u32,
    et: bool,
    oneshot: bool,
    /// One-shot registrations are disarmed after their report until `modify`.
    armed: bool,
    /// On the ready list for sure (edge-triggered).
    required: bool,
    /// Maybe on the ready list (edge-triggered).
    allowed: bool,
}

/// The model of one endpoint.
#[derive(Debug)]
struct End {
    kind: Kind,
    peer: usize,
    open: bool,
    /// Bytes readable here (for a pipe write end: unused).
    queued: std::collections::VecDeque<u8>,
    /// Lengths of the unread sends into this socket (one skb each).
    skbs: std::collections::VecDeque<usize>,
    /// Pending `ECONNRESET` (the peer closed with data unread).
    err: bool,
    /// Next byte value this endpoint writes (the stream's content is checked).
    next_byte: u8,
    reg: Option<Reg>,
}

const IN: u32 = libc::EPOLLIN as u32;
const RDNORM: u32 = libc::EPOLLRDNORM as u32;
const RDBAND: u32 = libc::EPOLLRDBAND as u32;
const PRI: u32 = libc::EPOLLPRI as u32;
const OUT: u32 = libc::EPOLLOUT as u32;
const WRNORM: u32 = libc::EPOLLWRNORM as u32;
const WRBAND: u32 = libc::EPOLLWRBAND as u32;
const ERR: u32 = libc::EPOLLERR as u32;
const HUP: u32 = libc::EPOLLHUP as u32;
const RDHUP: u32 = libc::EPOLLRDHUP as u32;

/// The harness: real fds and the model side by side.
#[derive(Debug)]
pub struct Harness {
    epoll: Epoll,
    fds: Vec<Option<OwnedFd>>,
    raw: Vec<RawFd>,
    ends: Vec<End>,
}

fn errno(r: &io::Error) -> i32 {
    r.raw_os_error()
        .or_else(|| {
            r.get_ref()
                .and_then(|e| e.downcast_ref::<CtlError>())
                .map(CtlError::raw_os_error)
        })
        .unwrap_or(-1)
}

fn nonblocking_pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` is a writable array of two ints, as pipe2(2) requires.
    let r = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) };
    assert_eq!(r, 0, "pipe2: {}", io::Error::last_os_error());
    // SAFETY: pipe2 succeeded, so both fds are open and owned by nobody else.
    unsafe {
        use std::os::fd::FromRawFd;
        (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1]))
    }
}

fn nonblocking_socketpair() -> (OwnedFd, OwnedFd) {
    let (a, b) = std::os::unix::net::UnixStream::pair().expect("socketpair");
    a.set_nonblocking(true).expect("O_NONBLOCK");
    b.set_nonblocking(true).expect("O_NONBLOCK");
    (a.into(), b.into())
}

/// Maps the fuzzer's interest selector onto a small set of bits the model understands.
fn interest_bits(sel: u8) -> u32 {
    let mut bits = 0;
    if sel & 1 != 0 {
        bits |= IN;
    }
    if sel & 2 != 0 {
        bits |= OUT;
    }
    if sel & 4 != 0 {
        bits |= RDHUP;
    }
    if sel & 8 != 0 {
        bits |= PRI;
    }
    bits
}

impl Harness {
    /// Two pipes, two socketpairs, all non-blocking, and an epoll instance.
    pub fn new() -> Self {
        // Writes into a closed pipe must fail with EPIPE, not kill the fuzzer (libFuzzer's main
        // is not Rust's, which would have ignored SIGPIPE).
        // SAFETY: setting SIGPIPE to SIG_IGN installs no handler code; it is process-wide and
        // idempotent.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
        let (a0, a1) = nonblocking_pipe();
        let (b0, b1) = nonblocking_pipe();
        let (c0, c1) = nonblocking_socketpair();
        let (d0, d1) = nonblocking_socketpair();
        let fds: Vec<OwnedFd> = vec![a0, a1, b0, b1, c0, c1, d0, d1];
        let raw = fds.iter().map(AsRawFd::as_raw_fd).collect();
        let kinds = [
            (Kind::PipeRead, 1),
            (Kind::PipeWrite, 0),
            (Kind::PipeRead, 3),
            (Kind::PipeWrite, 2),
            (Kind::Sock, 5),
            (Kind::Sock, 4),
            (Kind::Sock, 7),
            (Kind::Sock, 6),
        ];
        let ends = kinds
            .iter()
            .map(|&(kind, peer)| End {
                kind,
                peer,
                open: true,
                queued: Default::default(),
                skbs: Default::default(),
                err: false,
                next_byte: 0,
                reg: None,
            })
            .collect();
        Harness {
            epoll: Epoll::new().expect("epoll_create1"),
            fds: fds.into_iter().map(Some).collect(),
            raw,
            ends,
        }
    }

    /// The fd of endpoint `i`; for a closed endpoint, the (still unused) closed fd number.
    fn fd(&self, i: usize) -> BorrowedFd<'_> {
        match &self.fds[i] {
            Some(fd) => fd.as_fd(),
            // SAFETY: the number was closed by `Op::Close` and the harness opens no fd during a
            // sequence, so it names no open file: the call fails with EBADF, which is what the
            // sequence checks. The epoll crate keeps no copy of the number.
            None => unsafe { BorrowedFd::borrow_raw(self.raw[i]) },
        }
    }

    /// `poll` mask of endpoint `i` as the kernel computes it (`pipe_poll`, `unix_poll`).
    fn poll_mask(&self, i: usize) -> u32 {
        let e = &self.ends[i];
        let peer = &self.ends[e.peer];
        match e.kind {
            Kind::PipeRead => {
                let mut m = 0;
                if !e.queued.is_empty() {
                    m |= IN | RDNORM;
                }
                if !peer.open {
                    m |= HUP;
                }
                m
            }
            Kind::PipeWrite => {
                // Never full (MAX_QUEUED is far below one page per slot).
                let mut m = OUT | WRNORM;
                if !peer.open {
                    m |= ERR;
                }
                m
            }
            Kind::Sock => {
                let mut m = OUT | WRNORM | WRBAND;
                if e.err {
                    m |= ERR;
                }
                if !peer.open {
                    // The peer's close set SHUTDOWN_MASK here.
                    m |= HUP | RDHUP | IN | RDNORM;
                }
                if !e.queued.is_empty() {
                    m |= IN | RDNORM;
                }
                m
            }
        }
    }

    /// A wake-up of endpoint `i`'s wait queue with `key` (0: no key, wakes every interest).
    fn wake(&mut self, i: usize, key: u32, required: bool) {
        if let Some(reg) = &mut self.ends[i].reg
            && reg.et
            && reg.armed
            && (key == 0 || key & (reg.interest | ERR | HUP) != 0)
        {
            if required {
                reg.required = true;
            } else {
                reg.allowed = true;
            }
        }
    }

    fn expect_ctl(&self, what: &str, i: usize, got: io::Result<()>, want: Result<(), i32>) {
        match (&got, want) {
            (Ok(()), Ok(())) => {}
            (Err(e), Err(w)) if errno(e) == w => {}
            _ => panic!("{what} on endpoint {i}: kernel/crate said {got:?}, model says {want:?}"),
        }
    }

    /// Runs one op against the kernel and the model, panicking on any disagreement.
    pub fn step(&mut self, op: Op) {
        match op {
            Op::Add {
                ep,
                interest,
                mode,
                token,
            }
            | Op::Modify {
                ep,
                interest,
                mode,
                token,
            } => {
                let add = matches!(op, Op::Add { .. });
                let i = usize::from(ep) % ENDPOINTS;
                let bits = interest_bits(interest);
                let et = mode & 1 != 0;
                let oneshot = mode & 2 != 0;
                let mut flags = Interest::from_bits_retain(bits);
                if et {
                    flags |= Interest::EDGE_TRIGGERED;
                }
                if oneshot {
                    flags |= Interest::ONESHOT;
                }
                let token = (u64::from(token) << 8) | i as u64;
                let fd = self.fd(i);
                let got = if add {
                    self.epoll.add(fd, token, flags)
                } else {
                    self.epoll.modify(fd, token, flags)
                };
                let e = &self.ends[i];
                let want = if !e.open {
                    Err(libc::EBADF)
                } else if add && e.reg.is_some() {
                    Err(libc::EEXIST)
                } else if !add && e.reg.is_none() {
                    Err(libc::ENOENT)
                } else {
                    Ok(())
                };
                self.expect_ctl(if add { "add" } else { "modify" }, i, got, want);
                if want.is_ok() {
                    // ep_insert/ep_modify poll the file and queue the item if it is ready.
                    let ready = self.poll_mask(i) & (bits | ERR | HUP) != 0;
                    let prev = self.ends[i].reg;
                    self.ends[i].reg = Some(Reg {
                        token,
                        interest: bits,
                        et,
                        oneshot,
                        armed: true,
                        required: ready,
                        // An item already queued stays queued across a modify.
                        allowed: prev.is_some_and(|r| r.required || r.allowed),
                    });
                }
            }
            Op::Delete { ep } => {
                let i = usize::from(ep) % ENDPOINTS;
                let got = self.epoll.delete(self.fd(i));
                let e = &self.ends[i];
                let want = if !e.open {
                    Err(libc::EBADF)
                } else if e.reg.is_none() {
                    Err(libc::ENOENT)
                } else {
                    Ok(())
                };
                self.expect_ctl("delete", i, got, want);
                self.ends[i].reg = None;
            }
            Op::Close { ep } => {
                let i = usize::from(ep) % ENDPOINTS;
                if self.fds[i].take().is_none() {
                    return;
                }
                let peer = self.ends[i].peer;
                let e = &mut self.ends[i];
                e.open = false;
                e.reg = None;
                let unread = !e.queued.is_empty();
                if self.ends[i].kind == Kind::Sock && self.ends[peer].open {
                    // unix_release_sock: the peer is shut down both ways, and gets ECONNRESET
                    // when we close with data unread.
                    if unread {
                        self.ends[peer].err = true;
                    }
                }
                self.wake(peer, 0, false);
            }
            Op::Write { ep, len } => {
                let i = usize::from(ep) % ENDPOINTS;
                let len = usize::from(len % 64) + 1;
                let e = &self.ends[i];
                if !e.open || e.kind == Kind::PipeRead {
                    return;
                }
                let peer = e.peer;
                let p = &self.ends[peer];
                // Writes to a closed peer (EPIPE) and writes past the model's bounds are
                // skipped: their errors depend on the order of checks in the kernel.
                if !p.open || p.queued.len() + len > MAX_QUEUED || p.skbs.len() >= MAX_SKBS {
                    return;
                }
                let start = self.ends[i].next_byte;
                let buf: Vec<u8> = (0..len).map(|k| start.wrapping_add(k as u8)).collect();
                let fd = self.fd(i).as_raw_fd();
                // SAFETY: `buf` is valid for `len` bytes for the duration of the call.
                let n = unsafe {
                    if e.kind == Kind::Sock {
                        libc::send(fd, buf.as_ptr().cast(), len, libc::MSG_NOSIGNAL)
                    } else {
                        libc::write(fd, buf.as_ptr().cast(), len)
                    }
                };
                assert_eq!(
                    n,
                    len as isize,
                    "write on endpoint {i}: {}",
                    io::Error::last_os_error()
                );
                self.ends[i].next_byte = start.wrapping_add(len as u8);
                self.ends[peer].queued.extend(&buf);
                if self.ends[i].kind == Kind::Sock {
                    self.ends[peer].skbs.push_back(len);
                    self.wake(peer, IN | PRI | RDNORM | RDBAND, true);
                } else {
                    self.wake(peer, IN | RDNORM, true);
                }
            }
            Op::Read { ep, len } => {
                let i = usize::from(ep) % ENDPOINTS;
                let len = usize::from(len % 64) + 1;
                let e = &self.ends[i];
                if !e.open || e.kind == Kind::PipeWrite {
                    return;
                }
                let mut buf = vec![0u8; len];
                let fd = self.fd(i).as_raw_fd();
                // SAFETY: `buf` is valid and writable for `len` bytes during the call.
                let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), len) };
                let got = if n < 0 {
                    Err(io::Error::last_os_error().raw_os_error().unwrap_or(0))
                } else {
                    Ok(n as usize)
                };
                let peer = e.peer;
                let peer_open = self.ends[peer].open;
                let e = &mut self.ends[i];
                let want = if !e.queued.is_empty() {
                    Ok(len.min(e.queued.len()))
                } else if e.err {
                    Err(libc::ECONNRESET)
                } else if !peer_open {
                    Ok(0)
                } else {
                    Err(libc::EAGAIN)
                };
                if e.kind == Kind::Sock && want.is_ok_and(|n| n > 0) {
                    // A unix stream read may stop at an skb boundary: any prefix of at least
                    // one byte is right.
                    let Ok(n) = got else {
                        panic!("read on endpoint {i}: got {got:?}, model says {want:?}");
                    };
                    assert!(
                        n >= 1 && n <= want.unwrap(),
                        "read on endpoint {i}: got {n}, model says up to {want:?}"
                    );
                } else {
                    assert_eq!(got, want, "read on endpoint {i}");
                }
                if let Ok(n) = got {
                    let expect: Vec<u8> = e.queued.drain(..n).collect();
                    assert_eq!(&buf[..n], &expect[..], "stream content on endpoint {i}");
                    let mut left = if e.kind == Kind::Sock { n } else { 0 };
                    while left > 0 {
                        let front = e.skbs.front_mut().expect("model skbs match the bytes");
                        let k = left.min(*front);
                        *front -= k;
                        left -= k;
                        if *front == 0 {
                            e.skbs.pop_front();
                        }
                    }
                    if n > 0 {
                        let more = !e.queued.is_empty();
                        if more {
                            self.wake(i, IN | RDNORM, false);
                        }
                        self.wake(peer, 0, false);
                    }
                } else if want == Err(libc::ECONNRESET) {
                    e.err = false;
                }
            }
            Op::Wait { maxevents } => self.wait(usize::from(maxevents) % ENDPOINTS + 1),
        }
    }

    fn wait(&mut self, max: usize) {
        let mut events = Events::with_capacity(max);
        let n = self
            .epoll
            .wait(&mut events, Some(Duration::ZERO))
            .expect("epoll_wait");
        assert_eq!(n, events.len());
        assert!(n <= max, "{n} events for maxevents {max}");
        let mut seen = [false; ENDPOINTS];
        for ev in events.iter() {
            let i = (ev.token() & 0xff) as usize;
            assert!(i < ENDPOINTS, "unknown token {:#x}", ev.token());
            assert!(!seen[i], "endpoint {i} reported twice in one wait");
            seen[i] = true;
            let mask = self.poll_mask(i);
            let Some(reg) = self.ends[i].reg else {
                panic!("event {ev:?} for endpoint {i}, which has no registration");
            };
            assert_eq!(ev.token(), reg.token, "token of endpoint {i}");
            assert!(
                reg.armed,
                "event {ev:?} for a disarmed one-shot registration"
            );
            let want = mask & (reg.interest | ERR | HUP);
            assert_eq!(
                ev.ready(),
                Ready::from_bits_retain(want),
                "mask of endpoint {i} (interest {:#x}, et {}, oneshot {})",
                reg.interest,
                reg.et,
                reg.oneshot
            );
            assert!(
                !reg.et || reg.required || reg.allowed,
                "edge-triggered endpoint {i} reported without an edge"
            );
        }
        let mut required = 0;
        #[allow(clippy::needless_range_loop)] // `i` indexes the model and `seen` alike
        for i in 0..ENDPOINTS {
            let mask = self.poll_mask(i);
            let Some(reg) = &mut self.ends[i].reg else {
                continue;
            };
            let ready = reg.armed && mask & (reg.interest | ERR | HUP) != 0;
            if ready && (!reg.et || reg.required) {
                required += 1;
            }
            if seen[i] {
                reg.required = false;
                reg.allowed = false;
                if reg.oneshot {
                    reg.armed = false;
                }
            } else if n < max {
                // The whole ready list was walked: every queued item was polled and dropped.
                assert!(
                    !ready || (reg.et && !reg.required),
                    "endpoint {i} is ready (mask {mask:#x}, {reg:?}) but was not reported"
                );
                reg.required = false;
                reg.allowed = false;
            }
        }
        assert!(
            n >= required.min(max),
            "{n} events, but {required} registrations must be reported"
        );
    }
}

impl Default for Harness {
    fn default() -> Self {
        Self::new()
    }
}

/// Runs one input on fresh fds.
pub fn run(input: &Input) {
    let mut h = Harness::new();
    for &op in input.ops.iter().take(64) {
        h.step(op);
    }
}
