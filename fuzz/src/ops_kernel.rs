//! `ops_kernel`: arbitrary sequences of typed operations on safe resources (a pipe, a
//! socketpair, a memfd, files in a temp dir) submitted to the real kernel through the
//! ownership layer (`uring::driver`), with handles taken, cancelled, detached, forgotten and the
//! driver dropped mid-flight.
//!
//! Checks: every submitted operation that is taken completes exactly once and hands back the
//! very buffer it was given (same allocation, same capacity, `len` set as the result says);
//! results are within the buffer; after cancel-all and draining, nothing is in flight, every
//! kept handle was taken, and no completion was stale. "Nothing freed while in flight" is
//! checked by AddressSanitizer (the harness reads every returned buffer; a buffer freed and
//! reused early would be a use-after-free or carry foreign bytes) and by the driver's
//! `in_flight` count.

use arbitrary::Arbitrary;
use std::ffi::CString;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};
use uring::driver::{Close, Driver, Nop, Op, OpenAt, Read, Recv, Send, TakeError, Timeout, Write};

/// Which resource an I/O goes to.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum Res {
    /// The pipe (read end for reads, write end for writes).
    Pipe,
    /// One end of the socketpair (reads on A, writes on B, or the reverse).
    Sock(bool),
    /// The memfd, at an offset.
    Memfd(u16),
}

/// One step.
#[derive(Debug, Clone, Arbitrary)]
pub enum Step {
    /// A NOP.
    Nop,
    /// A read of up to `cap` bytes.
    Read(Res, u8),
    /// A write of `len` bytes.
    Write(Res, u8),
    /// A relative timeout of `us` microseconds (completes with ETIME), optionally counting.
    Timeout(u16, u8),
    /// `openat` of file `n` in the temp dir (O_CREAT|O_RDWR).
    Open(u8),
    /// `close` through the ring of an fd an earlier open returned.
    CloseOpened(u8),
    /// `io_uring_enter` to submit.
    Submit,
    /// Submit and wait for one completion (bounded by a timeout the harness keeps pending).
    Reap,
    /// Try to take handle `i`.
    Take(u8),
    /// Cancel handle `i`.
    Cancel(u8),
    /// Detach handle `i` (the driver finishes it).
    Detach(u8),
    /// `mem::forget` handle `i` (must be harmless).
    Forget(u8),
    /// `write(2)` bytes into the pipe or socket from outside, so pending reads complete.
    Feed(bool, u8),
    /// Drop the driver with everything in flight, and continue on a new one.
    DropDriver,
    /// An attack on the driver's soundness contract through the registration APIs safe code
    /// can reach (kind `k % 8`, argument `a`): tags with bit 63, the tables the driver
    /// manages, the thread's ring-fd table, a forged `MSG_RING` CQE, plus the registrations
    /// that are allowed on a driver's ring (sync cancel, eventfd). See `Harness::attack`.
    Register(u8, u8),
}

/// A fuzz input.
#[derive(Debug, Arbitrary)]
pub struct Input {
    /// log2 of the ring size (masked to 2..=6).
    pub entries_log2: u8,
    /// The steps (at most 96 are run).
    pub steps: Vec<Step>,
}

enum Handle {
    Nop(Op<Nop>),
    Read(Op<Read<Vec<u8>>>, *const u8, usize),
    Write(Op<Write<Vec<u8>>>, *const u8, usize, usize),
    Recv(Op<Recv<Vec<u8>>>, *const u8, usize),
    Send(Op<Send<Vec<u8>>>, *const u8, usize, usize),
    Timeout(Op<Timeout>),
    Open(Op<OpenAt>),
    Close(Op<Close>),
}

struct World {
    pipe_r: OwnedFd,
    pipe_w: OwnedFd,
    sock: [OwnedFd; 2],
    memfd: OwnedFd,
    dir: CString,
    dirfd: OwnedFd,
    opened: Vec<OwnedFd>,
}

fn owned(fd: i32, what: &str) -> OwnedFd {
    assert!(fd >= 0, "{what}: {}", std::io::Error::last_os_error());
    // SAFETY: the syscall just returned this fd (>= 0): open and owned by nobody else.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

impl World {
    fn new() -> World {
        // SAFETY: SIG_IGN for SIGPIPE installs no code; process-wide and idempotent.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
        let mut p = [0; 2];
        // SAFETY: `p` is a writable array of two ints.
        let r = unsafe { libc::pipe2(p.as_mut_ptr(), libc::O_CLOEXEC) };
        assert_eq!(r, 0);
        let (pipe_r, pipe_w) = (owned(p[0], "pipe"), owned(p[1], "pipe"));
        let (a, b) = std::os::unix::net::UnixStream::pair().expect("socketpair");
        // SAFETY: the name is a NUL-terminated literal.
        let memfd = owned(
            unsafe { libc::memfd_create(c"ops_kernel".as_ptr(), libc::MFD_CLOEXEC) },
            "memfd_create",
        );
        let mut template = *b"/tmp/ops_kernel.XXXXXX\0";
        // SAFETY: `template` is a writable NUL-terminated buffer ending in XXXXXX.
        let d = unsafe { libc::mkdtemp(template.as_mut_ptr().cast()) };
        assert!(!d.is_null(), "mkdtemp");
        let dir = CString::from_vec_with_nul(template.to_vec()).expect("one NUL");
        // SAFETY: `dir` is a NUL-terminated path.
        let dirfd = owned(
            unsafe {
                libc::open(
                    dir.as_ptr(),
                    libc::O_DIRECTORY | libc::O_RDONLY | libc::O_CLOEXEC,
                )
            },
            "open dir",
        );
        World {
            pipe_r,
            pipe_w,
            sock: [a.into(), b.into()],
            memfd,
            dir,
            dirfd,
            opened: Vec::new(),
        }
    }
}

impl Drop for World {
    fn drop(&mut self) {
        // The opened files are closed with `opened`; remove the directory's contents.
        for n in 0..8 {
            let name = format!("f{n}\0");
            // SAFETY: `dirfd` is open and `name` is NUL-terminated.
            unsafe { libc::unlinkat(self.dirfd.as_raw_fd(), name.as_ptr().cast(), 0) };
        }
        // SAFETY: `dir` is a NUL-terminated path.
        unsafe { libc::rmdir(self.dir.as_ptr()) };
    }
}

struct Harness {
    world: World,
    driver: Driver,
    entries: u32,
    handles: Vec<Option<Handle>>,
    /// Handles forgotten or detached: the driver must finish them by itself.
    let_go: usize,
    /// A plain ring of the same thread: the attacker's.
    plain: uring::Ring,
    /// CQEs forged into the current driver's ring (each must be counted stale, none taken).
    forged: u64,
    /// Buffers handed back by `take`, with the bytes they held then: the kernel must never
    /// write into them afterwards (checked at the end, after everything was drained).
    returned: Vec<(Vec<u8>, Vec<u8>)>,
}

fn fill(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|k| seed.wrapping_add(k as u8)).collect()
}

impl Harness {
    fn push(&mut self, h: Option<Handle>) {
        if let Some(h) = h {
            self.handles.push(Some(h));
        }
    }

    /// Tries to take handle `i`; checks the output. Returns whether it was taken.
    fn take(&mut self, i: usize) -> bool {
        let Some(h) = self.handles.get_mut(i).and_then(Option::take) else {
            return false;
        };
        let d = &mut self.driver;
        macro_rules! take_or_put_back {
            ($op:expr, $wrap:expr) => {
                match d.take($op) {
                    Ok(out) => out,
                    Err(TakeError::Pending(op)) => {
                        self.handles[i] = Some($wrap(op));
                        return false;
                    }
                    Err(e) => panic!("take of handle {i}: {e:?}"),
                }
            };
        }
        match h {
            Handle::Nop(op) => {
                let r = take_or_put_back!(op, Handle::Nop);
                assert!(matches!(r, Ok(0)), "NOP result {r:?}");
            }
            Handle::Read(op, ptr, cap) => {
                let (r, buf) = take_or_put_back!(op, |op| Handle::Read(op, ptr, cap));
                check_buf("read", &buf, ptr, cap);
                if let Ok(n) = r {
                    assert!(n as usize <= cap, "read {n} bytes into {cap}");
                    assert_eq!(buf.len(), n as usize, "read length not set");
                }
                self.keep_returned(buf);
            }
            Handle::Recv(op, ptr, cap) => {
                let (r, buf) = take_or_put_back!(op, |op| Handle::Recv(op, ptr, cap));
                check_buf("recv", &buf, ptr, cap);
                if let Ok(n) = r {
                    assert!(n as usize <= cap, "recv {n} bytes into {cap}");
                    assert_eq!(buf.len(), n as usize, "recv length not set");
                }
                self.keep_returned(buf);
            }
            Handle::Write(op, ptr, cap, len) => {
                let (r, buf) = take_or_put_back!(op, |op| Handle::Write(op, ptr, cap, len));
                check_buf("write", &buf, ptr, cap);
                assert_eq!(buf.len(), len, "a write changed its buffer's length");
                if let Ok(n) = r {
                    assert!(n as usize <= len, "wrote {n} of {len} bytes");
                }
            }
            Handle::Send(op, ptr, cap, len) => {
                let (r, buf) = take_or_put_back!(op, |op| Handle::Send(op, ptr, cap, len));
                check_buf("send", &buf, ptr, cap);
                assert_eq!(buf.len(), len, "a send changed its buffer's length");
                if let Ok(n) = r {
                    assert!(n as usize <= len, "sent {n} of {len} bytes");
                }
            }
            Handle::Timeout(op) => {
                let r = take_or_put_back!(op, Handle::Timeout);
                if let Err(e) = r {
                    assert!(
                        matches!(e.raw_os_error(), Some(libc::ETIME | libc::ECANCELED)),
                        "timeout result {e}"
                    );
                }
            }
            Handle::Open(op) => {
                if let Ok(fd) = take_or_put_back!(op, Handle::Open) {
                    // Kept to be closed through the ring later (or on drop).
                    self.world.opened.push(fd);
                }
            }
            Handle::Close(op) => {
                let _ = take_or_put_back!(op, Handle::Close);
            }
        }
        true
    }
}

impl Harness {
    /// Keeps a handed-back read buffer, with its whole capacity zeroed past `len` (so a late
    /// kernel write anywhere in it shows), to compare at the end.
    fn keep_returned(&mut self, mut buf: Vec<u8>) {
        if self.returned.len() >= 32 {
            return;
        }
        let len = buf.len();
        buf.resize(buf.capacity(), 0);
        let snapshot = buf.clone();
        buf.truncate(len);
        self.returned.push((buf, snapshot));
    }

    /// One attack on the soundness contract (see `Step::Register`); each must be refused or
    /// harmless.
    fn attack(&mut self, kind: u8, arg: u8) {
        use std::io::ErrorKind::{InvalidInput, PermissionDenied};
        use uring::register::FileSlot;
        let tag = uring::driver::TAG | u64::from(arg);
        let d = &mut self.driver;
        match kind % 8 {
            // Tagged files on the driver's ring: the table is the driver's.
            0 => {
                let e = d
                    .ring()
                    .submitter()
                    .register_files_tags(&[Some(self.world.pipe_r.as_fd())], &[tag])
                    .expect_err("tagged files on a driver's ring");
                assert_eq!(e.kind(), PermissionDenied, "{e}");
            }
            // Tags with bit 63 on a plain ring (it could become a driver's later).
            1 => {
                let s = self.plain.submitter();
                let e = s
                    .register_files_tags(&[Some(self.world.pipe_r.as_fd())], &[tag])
                    .expect_err("a tag with bit 63");
                assert_eq!(e.kind(), InvalidInput, "{e}");
                if s.register_files_sparse(4).is_ok() || arg % 2 == 0 {
                    let e = s
                        .register_files_update_tags(
                            u32::from(arg % 4),
                            &[FileSlot::Fd(self.world.pipe_w.as_fd())],
                            &[tag],
                        )
                        .expect_err("a tag with bit 63");
                    assert_eq!(e.kind(), InvalidInput, "{e}");
                }
            }
            // Unregistering the driver's tables behind its back.
            2 => {
                let s = d.ring().submitter();
                let r = match arg % 4 {
                    0 => s.unregister_files(),
                    1 => s.unregister_buffers(),
                    2 => s.unregister_buf_ring(u16::from(arg)),
                    _ => s.register_buffers_sparse(u32::from(arg) + 1),
                };
                assert_eq!(r.expect_err("refused").kind(), PermissionDenied);
            }
            // The thread's ring-fd table, through the driver's ring.
            3 => {
                let s = d.ring().submitter();
                // SAFETY: refused before the kernel is asked (that is the check); nothing
                // is registered or removed.
                let r = unsafe { s.unregister_ring_fds(&[u32::from(arg % 16)]) };
                assert_eq!(r.expect_err("refused").kind(), PermissionDenied);
                // SAFETY: as above.
                let r = unsafe { s.register_ring_fds(&[self.plain.as_fd()]) };
                assert_eq!(r.expect_err("refused").kind(), PermissionDenied);
            }
            // A forged CQE (MSG_RING from the plain ring; needs `unsafe`) with a guessed
            // generation: counted stale, completes nothing.
            4 => {
                let target = uring::types::Fd(d.ring().as_raw_fd());
                let sqe = uring::opcode::MsgRingData::new(target, 0, tag | (u64::from(arg) << 24))
                    .build()
                    .user_data(1);
                // SAFETY: MSG_RING carries no pointer.
                if unsafe { self.plain.push(&sqe) }.is_ok() && self.plain.submit_and_wait(1).is_ok()
                {
                    for c in self.plain.cq() {
                        if c.res() == 0 {
                            self.forged += 1;
                        }
                    }
                }
            }
            // Allowed on a driver's ring: cancel by user_data (harmless: the op ends
            // with ECANCELED, its memory comes back through its handle).
            5 => {
                let key = uring::register::SyncCancel::any()
                    .all()
                    .timeout(Duration::from_millis(1));
                let _ = d.ring().submitter().register_sync_cancel(&key);
            }
            // Allowed: an eventfd, registered and removed.
            6 => {
                // SAFETY: eventfd(2) returns a new fd or -1 (checked by `owned`).
                let efd = owned(unsafe { libc::eventfd(0, libc::EFD_CLOEXEC) }, "eventfd");
                let s = d.ring().submitter();
                if s.register_eventfd(efd.as_fd()).is_ok() {
                    s.unregister_eventfd().unwrap();
                }
            }
            // The buffer-ring and buffer registrations of the driver's own tables.
            _ => {
                let s = d.ring().submitter();
                let e = s
                    .register_buf_ring_mmap(
                        8,
                        u16::from(arg),
                        uring::register::BufRingFlags::empty(),
                    )
                    .expect_err("refused");
                assert_eq!(e.kind(), PermissionDenied, "{e}");
                let e = s
                    .register_files_update(0, &[FileSlot::Empty])
                    .expect_err("refused");
                assert_eq!(e.kind(), PermissionDenied, "{e}");
            }
        }
    }
}

fn check_buf(what: &str, buf: &Vec<u8>, ptr: *const u8, cap: usize) {
    assert_eq!(buf.as_ptr(), ptr, "{what}: a different buffer came back");
    assert_eq!(buf.capacity(), cap, "{what}: the buffer's capacity changed");
    // A read of every byte: ASan flags a buffer that was freed behind our back.
    let sum: u32 = buf.iter().map(|&b| u32::from(b)).sum();
    std::hint::black_box(sum);
}

/// Ops per input.
const MAX_STEPS: usize = 96;

impl Harness {
    fn submit_io(&mut self, step: &Step) -> Option<Handle> {
        let d = &mut self.driver;
        let w = &self.world;
        macro_rules! sub {
            ($op:expr) => {
                match d.submit($op) {
                    Ok(op) => op,
                    // Slab or SQ full: the op (and its buffer) comes back; nothing to check.
                    Err(_) => return None,
                }
            };
        }
        Some(match *step {
            Step::Nop => Handle::Nop(sub!(Nop)),
            Step::Read(res, cap) => {
                let cap = usize::from(cap) + 1;
                let buf = Vec::with_capacity(cap);
                let (ptr, cap) = (buf.as_ptr(), buf.capacity());
                match res {
                    Res::Pipe => {
                        Handle::Read(sub!(Read::new(w.pipe_r.as_fd(), buf, u64::MAX)), ptr, cap)
                    }
                    Res::Memfd(off) => Handle::Read(
                        sub!(Read::new(w.memfd.as_fd(), buf, u64::from(off))),
                        ptr,
                        cap,
                    ),
                    Res::Sock(side) => Handle::Recv(
                        sub!(Recv::new(w.sock[usize::from(side)].as_fd(), buf, 0)),
                        ptr,
                        cap,
                    ),
                }
            }
            Step::Write(res, len) => {
                let len = usize::from(len) + 1;
                let buf = fill(len, len as u8);
                let (ptr, cap) = (buf.as_ptr(), buf.capacity());
                match res {
                    Res::Pipe => Handle::Write(
                        sub!(Write::new(w.pipe_w.as_fd(), buf, u64::MAX)),
                        ptr,
                        cap,
                        len,
                    ),
                    Res::Memfd(off) => Handle::Write(
                        sub!(Write::new(w.memfd.as_fd(), buf, u64::from(off))),
                        ptr,
                        cap,
                        len,
                    ),
                    Res::Sock(side) => Handle::Send(
                        sub!(Send::new(
                            w.sock[usize::from(!side)].as_fd(),
                            buf,
                            libc::MSG_NOSIGNAL
                        )),
                        ptr,
                        cap,
                        len,
                    ),
                }
            }
            Step::Timeout(us, count) => Handle::Timeout(sub!(
                Timeout::new(Duration::from_micros(u64::from(us) % 2000))
                    .count(u32::from(count % 4))
            )),
            Step::Open(n) => {
                let path = CString::new(format!("f{}", n % 8)).expect("no NUL");
                Handle::Open(sub!(OpenAt::new(
                    w.dirfd.as_raw_fd(),
                    path,
                    libc::O_CREAT | libc::O_RDWR | libc::O_CLOEXEC,
                    0o600
                )))
            }
            Step::CloseOpened(k) => {
                if self.world.opened.is_empty() {
                    return None;
                }
                let k = usize::from(k) % self.world.opened.len();
                let fd = self.world.opened.swap_remove(k);
                Handle::Close(sub!(Close::new(fd)))
            }
            _ => return None,
        })
    }

    fn step(&mut self, step: &Step) {
        match *step {
            Step::Submit => {
                let _ = self.driver.submit_pending();
            }
            Step::Reap => {
                // A short timeout keeps the wait bounded even when nothing else completes.
                if let Ok(op) = self.driver.submit(Timeout::new(Duration::from_micros(200))) {
                    self.handles.push(Some(Handle::Timeout(op)));
                }
                let _ = self.driver.submit_and_wait(1);
                self.driver.reap(|_| {});
            }
            Step::Take(i) => {
                if !self.handles.is_empty() {
                    let i = usize::from(i) % self.handles.len();
                    self.take(i);
                }
            }
            Step::Cancel(i) => {
                if !self.handles.is_empty() {
                    let i = usize::from(i) % self.handles.len();
                    let d = &mut self.driver;
                    let r = match &self.handles[i] {
                        Some(Handle::Nop(op)) => d.cancel(op),
                        Some(Handle::Read(op, ..)) => d.cancel(op),
                        Some(Handle::Write(op, ..)) => d.cancel(op),
                        Some(Handle::Recv(op, ..)) => d.cancel(op),
                        Some(Handle::Send(op, ..)) => d.cancel(op),
                        Some(Handle::Timeout(op)) => d.cancel(op),
                        Some(Handle::Open(op)) => d.cancel(op),
                        Some(Handle::Close(op)) => d.cancel(op),
                        None => Ok(()),
                    };
                    let _ = r;
                }
            }
            Step::Detach(i) | Step::Forget(i) => {
                if self.handles.is_empty() {
                    return;
                }
                let i = usize::from(i) % self.handles.len();
                let Some(h) = self.handles[i].take() else {
                    return;
                };
                self.let_go += 1;
                let forget = matches!(step, Step::Forget(_));
                let d = &mut self.driver;
                macro_rules! go {
                    ($op:expr) => {
                        if forget {
                            // `Op` has no drop glue today; forgetting it must stay harmless
                            // even if it gains some.
                            #[allow(clippy::forget_non_drop)]
                            std::mem::forget($op)
                        } else {
                            d.detach($op)
                        }
                    };
                }
                match h {
                    Handle::Nop(op) => go!(op),
                    Handle::Read(op, ..) => go!(op),
                    Handle::Write(op, ..) => go!(op),
                    Handle::Recv(op, ..) => go!(op),
                    Handle::Send(op, ..) => go!(op),
                    Handle::Timeout(op) => go!(op),
                    Handle::Open(op) => go!(op),
                    Handle::Close(op) => go!(op),
                }
            }
            Step::Feed(sock, n) => {
                let fd = if sock {
                    self.world.sock[0].as_raw_fd()
                } else {
                    self.world.pipe_w.as_raw_fd()
                };
                let bytes = fill(usize::from(n) + 1, 0x30);
                // SAFETY: `bytes` is valid for its length during the call; MSG_DONTWAIT (and
                // the pipe's 64 KiB against at most 96 * 256 bytes) keep it from blocking.
                unsafe {
                    if sock {
                        libc::send(fd, bytes.as_ptr().cast(), bytes.len(), libc::MSG_DONTWAIT);
                    } else {
                        libc::write(fd, bytes.as_ptr().cast(), bytes.len());
                    }
                }
            }
            Step::Register(kind, arg) => self.attack(kind, arg),
            Step::DropDriver => {
                let fresh = Driver::new(self.entries).expect("io_uring_setup");
                let mut old = std::mem::replace(&mut self.driver, fresh);
                old.set_drop_timeout(Duration::from_millis(200));
                // Leaks (never frees) what the kernel did not finish in time: safe either way.
                let _leaked = old.close();
                // The handles of the old driver name nothing now; drop them (harmless).
                self.handles.clear();
                self.let_go = 0;
                self.forged = 0;
            }
            _ => {
                let h = self.submit_io(step);
                self.push(h);
            }
        }
    }

    /// Cancels everything, drains, and checks that every kept handle completed and nothing is
    /// left in flight.
    fn finish(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            for i in 0..self.handles.len() {
                self.take(i);
            }
            let open = self.handles.iter().filter(|h| h.is_some()).count();
            if open == 0 && self.driver.in_flight() == 0 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{open} handles never completed, {} in flight",
                self.driver.in_flight()
            );
            let _ = self.driver.cancel_all();
            // Unblock reads that a cancel cannot reach on old kernels.
            let _ = self.driver.submit_pending();
            let _ = self
                .driver
                .ring()
                .submitter()
                .wait(1, Some(Duration::from_millis(5)));
            self.driver.reap(|_| {});
        }
        // A forged CQE is in the CQ once its MSG_RING completed; reap until each was seen.
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.driver.stale_completions() < self.forged && Instant::now() < deadline {
            let _ = self
                .driver
                .ring()
                .submitter()
                .wait(1, Some(Duration::from_millis(5)));
            self.driver.reap(|_| {});
        }
        assert_eq!(
            self.driver.stale_completions(),
            self.forged,
            "stale completions: every forged CQE, nothing else"
        );
        // No buffer handed back was written after: the kernel finished with each before
        // `take` returned it.
        for (i, (buf, snapshot)) in self.returned.iter_mut().enumerate() {
            let len = buf.len();
            buf.resize(buf.capacity(), 0);
            assert!(
                buf[..] == snapshot[..],
                "returned buffer {i} was written after it was handed back"
            );
            buf.truncate(len);
        }
    }
}

/// Runs one input on a fresh driver and fresh resources.
pub fn run(input: &Input) {
    let entries = 1u32 << (input.entries_log2 % 5 + 2);
    let mut h = Harness {
        world: World::new(),
        driver: Driver::new(entries).expect("io_uring_setup"),
        entries,
        handles: Vec::new(),
        let_go: 0,
        plain: uring::Ring::new(4).expect("io_uring_setup"),
        forged: 0,
        returned: Vec::new(),
    };
    for step in input.steps.iter().take(MAX_STEPS) {
        h.step(step);
    }
    h.finish();
}
