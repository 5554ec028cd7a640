//! Events per second: this crate vs raw `libc` epoll vs `mio` vs `polling`, level- and
//! edge-triggered, on 1,000 pipes with 64 made ready per round.
//!
//! Each round writes one byte to 64 pipes (a sliding window over the 1,000), then waits until the
//! 64 events are in, reading each pipe's byte as its event is handled. The writes, reads and
//! dispatch loop are the same code for every implementation; only the epoll layer differs.
//!
//! `cargo bench -p evbind-epoll --bench epoll -- [--rounds N] [--trials N] [--only IMPL] [--mode lt|et]`
//!
//! `--only` runs one implementation once, for `valgrind --tool=callgrind`: the measured loop of
//! each is the `#[inline(never)]` function `rounds_IMPL`, so `--toggle-collect='*rounds_*'`
//! counts user-space instructions of exactly the rounds (see `ci/bench/epoll.sh`).

use std::hint::black_box;
use std::os::fd::RawFd;
use std::time::Duration;

const PIPES: usize = 1000;
const READY: usize = 64;

struct Pipes {
    r: Vec<RawFd>,
    w: Vec<RawFd>,
}

impl Pipes {
    fn new() -> Self {
        let (mut r, mut w) = (Vec::new(), Vec::new());
        for _ in 0..PIPES {
            let mut p = [0; 2];
            // SAFETY: `p` is a live `[c_int; 2]`.
            let rc = unsafe { libc::pipe2(p.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) };
            assert_eq!(rc, 0, "pipe2: {}", std::io::Error::last_os_error());
            r.push(p[0]);
            w.push(p[1]);
        }
        Pipes { r, w }
    }

    /// Makes the round's 64 pipes readable.
    #[inline(always)]
    fn make_ready(&self, round: usize) {
        for k in 0..READY {
            let i = (round * READY + k) % PIPES;
            // SAFETY: `i < PIPES == self.w.len()` (a remainder); the fd is open for the bench's
            // life; one byte is read from a live static. Unchecked like the C reference.
            let n = unsafe { libc::write(*self.w.get_unchecked(i), b"x".as_ptr().cast(), 1) };
            debug_assert_eq!(n, 1);
        }
    }

    /// Handles one event: reads the byte of pipe `token`.
    #[inline(always)]
    fn consume(&self, token: usize) {
        debug_assert!(token < PIPES);
        let mut b = 0u8;
        // SAFETY: every registration's token is its index in `self.r` (< PIPES), so `token` is in
        // bounds (unchecked like the C reference); the fd is open; `b` is writable for one byte.
        let n = unsafe { libc::read(*self.r.get_unchecked(token), (&mut b as *mut u8).cast(), 1) };
        debug_assert_eq!(n, 1);
    }
}

impl Drop for Pipes {
    fn drop(&mut self) {
        for &fd in self.r.iter().chain(&self.w) {
            // SAFETY: every fd came from `pipe2` and is closed once, here.
            unsafe { libc::close(fd) };
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Level,
    Edge,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Impl {
    Epoll,
    Libc,
    Mio,
    Polling,
}

impl Impl {
    const ALL: [Impl; 4] = [Impl::Epoll, Impl::Libc, Impl::Mio, Impl::Polling];
    fn name(self) -> &'static str {
        match self {
            Impl::Epoll => "epoll (this crate)",
            Impl::Libc => "libc (raw epoll_wait)",
            Impl::Mio => "mio",
            Impl::Polling => "polling",
        }
    }
    fn key(self) -> &'static str {
        match self {
            Impl::Epoll => "epoll",
            Impl::Libc => "libc",
            Impl::Mio => "mio",
            Impl::Polling => "polling",
        }
    }
}

#[inline(never)]
fn rounds_epoll(p: &Pipes, mode: Mode, rounds: usize) -> usize {
    use epoll::{Epoll, Events, Interest};
    let ep = Epoll::new().unwrap();
    let mut interest = Interest::READABLE;
    if mode == Mode::Edge {
        interest |= Interest::EDGE_TRIGGERED;
    }
    for (i, &fd) in p.r.iter().enumerate() {
        // SAFETY: `fd` is open for the whole function.
        let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
        ep.add(fd, i as u64, interest).unwrap();
    }
    let mut events = Events::with_capacity(256);
    let mut total = 0;
    for round in 0..rounds {
        p.make_ready(round);
        let mut got = 0;
        while got < READY {
            ep.wait(&mut events, None).unwrap();
            for ev in &events {
                p.consume(ev.token() as usize);
                got += 1;
            }
        }
        total += got;
    }
    total
}

#[inline(never)]
fn rounds_libc(p: &Pipes, mode: Mode, rounds: usize) -> usize {
    // SAFETY: plain FFI; the fd is closed at the end.
    let ep = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
    assert!(ep >= 0);
    let mut flags = libc::EPOLLIN as u32;
    if mode == Mode::Edge {
        flags |= libc::EPOLLET as u32;
    }
    for (i, &fd) in p.r.iter().enumerate() {
        let mut ev = libc::epoll_event {
            events: flags,
            u64: i as u64,
        };
        // SAFETY: `ev` is a live local; both fds are open.
        let rc = unsafe { libc::epoll_ctl(ep, libc::EPOLL_CTL_ADD, fd, &mut ev) };
        assert_eq!(rc, 0);
    }
    let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; 256];
    let mut total = 0;
    for round in 0..rounds {
        p.make_ready(round);
        let mut got = 0;
        while got < READY {
            // SAFETY: `events` is writable for its length.
            let n = unsafe { libc::epoll_wait(ep, events.as_mut_ptr(), events.len() as i32, -1) };
            assert!(n >= 0);
            for ev in &events[..n as usize] {
                p.consume(ev.u64 as usize);
                got += 1;
            }
        }
        total += got;
    }
    // SAFETY: `ep` is ours and closed once.
    unsafe { libc::close(ep) };
    total
}

#[inline(never)]
fn rounds_mio(p: &Pipes, rounds: usize) -> usize {
    use mio::unix::SourceFd;
    use mio::{Events, Interest, Poll, Token};
    let mut poll = Poll::new().unwrap();
    for (i, fd) in p.r.iter().enumerate() {
        poll.registry()
            .register(&mut SourceFd(fd), Token(i), Interest::READABLE)
            .unwrap();
    }
    let mut events = Events::with_capacity(256);
    let mut total = 0;
    for round in 0..rounds {
        p.make_ready(round);
        let mut got = 0;
        while got < READY {
            poll.poll(&mut events, None).unwrap();
            for ev in &events {
                p.consume(ev.token().0);
                got += 1;
            }
        }
        total += got;
    }
    total
}

#[inline(never)]
fn rounds_polling(p: &Pipes, mode: Mode, rounds: usize) -> usize {
    use polling::{Event, Events, PollMode, Poller};
    let poller = Poller::new().unwrap();
    let pm = match mode {
        Mode::Level => PollMode::Level,
        Mode::Edge => PollMode::Edge,
    };
    for (i, &fd) in p.r.iter().enumerate() {
        // SAFETY: `fd` stays open until `poller` is dropped at the end of this function.
        unsafe { poller.add_with_mode(fd, Event::readable(i), pm).unwrap() };
    }
    let mut events = Events::with_capacity(std::num::NonZeroUsize::new(256).unwrap());
    let mut total = 0;
    for round in 0..rounds {
        p.make_ready(round);
        let mut got = 0;
        while got < READY {
            events.clear();
            poller.wait(&mut events, None).unwrap();
            for ev in events.iter() {
                p.consume(ev.key);
                got += 1;
            }
        }
        total += got;
    }
    for &fd in &p.r {
        // SAFETY: `fd` is open and registered above.
        poller
            .delete(unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) })
            .unwrap();
    }
    total
}

/// CPU time of the calling thread, user and kernel (`CLOCK_THREAD_CPUTIME_ID`).
///
/// The rounds never block (every wait finds its events ready), so this is the work done, and,
/// unlike wall time, it does not count the time other processes held the CPU: the machine these
/// run on is shared.
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a live `timespec`.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0);
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Runs `rounds` rounds; `None` when the implementation lacks the mode (mio is edge-only).
/// Returns the events handled and the thread CPU time taken.
fn run(which: Impl, mode: Mode, rounds: usize) -> Option<(usize, Duration)> {
    let p = Pipes::new();
    let start = thread_cpu_time();
    let n = match which {
        Impl::Epoll => rounds_epoll(&p, mode, rounds),
        Impl::Libc => rounds_libc(&p, mode, rounds),
        Impl::Mio if mode == Mode::Edge => rounds_mio(&p, rounds),
        Impl::Mio => return None,
        Impl::Polling => rounds_polling(&p, mode, rounds),
    };
    Some((black_box(n), thread_cpu_time() - start))
}

fn arg<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    let i = args.iter().position(|a| a == name)?;
    let v = args
        .get(i + 1)
        .unwrap_or_else(|| panic!("{name} needs a value"));
    Some(
        v.parse()
            .unwrap_or_else(|_| panic!("bad value for {name}: {v}")),
    )
}

fn parse_mode(s: &str) -> Mode {
    match s {
        "lt" | "level" => Mode::Level,
        "et" | "edge" => Mode::Edge,
        _ => panic!("--mode is lt or et, not {s}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`; a smoke run under `cargo test --benches` passes nothing.
    let rounds: usize = arg(&args, "--rounds").unwrap_or(4_000);
    let trials: usize = arg(&args, "--trials").unwrap_or(9);
    let modes = match arg::<String>(&args, "--mode") {
        Some(m) => vec![parse_mode(&m)],
        None => vec![Mode::Level, Mode::Edge],
    };

    if let Some(only) = arg::<String>(&args, "--only") {
        let which = *Impl::ALL
            .iter()
            .find(|i| i.key() == only)
            .unwrap_or_else(|| panic!("--only is one of epoll, libc, mio, polling"));
        for mode in modes {
            match run(which, mode, rounds) {
                Some((n, t)) => println!("{} {:?}: {n} events in {t:?}", which.key(), mode),
                None => println!("{} {:?}: n/a", which.key(), mode),
            }
        }
        return;
    }

    println!(
        "{PIPES} pipes, {READY} made ready per round, {rounds} rounds x {trials} trials \
         (best trial shown; implementations interleaved, order rotated; per second of thread CPU time)\n"
    );
    println!(
        "{:<6} {:<24} {:>14} {:>12} {:>10}",
        "mode", "implementation", "events/cpu-s", "cpu-ns/event", "vs libc"
    );
    for mode in modes {
        let mut best = [None::<f64>; 4];
        for trial in 0..trials {
            // Rotate who goes first, so no implementation always follows the same one.
            for j in 0..Impl::ALL.len() {
                let k = (j + trial) % Impl::ALL.len();
                let which = Impl::ALL[k];
                if let Some((n, t)) = run(which, mode, rounds) {
                    let rate = n as f64 / t.as_secs_f64();
                    best[k] = Some(best[k].map_or(rate, |b: f64| b.max(rate)));
                }
            }
        }
        let libc_rate = best[1].unwrap();
        let mode_name = match mode {
            Mode::Level => "LT",
            Mode::Edge => "ET",
        };
        for (k, &which) in Impl::ALL.iter().enumerate() {
            match best[k] {
                Some(rate) => println!(
                    "{:<6} {:<24} {:>14.0} {:>12.1} {:>9.3}x",
                    mode_name,
                    which.name(),
                    rate,
                    1e9 / rate,
                    rate / libc_rate
                ),
                None => println!(
                    "{:<6} {:<24} {:>14} {:>12} {:>10}",
                    mode_name,
                    which.name(),
                    "n/a",
                    "",
                    "edge-only"
                ),
            }
        }
    }
}
