//! The ring's raw path beside tokio's `io-uring` crate, in the same run, as ratios.
//!
//! `cargo bench -p evbind-uring --bench ring` prints one table: NOPs/s at batch 32 and batch 1,
//! and 4 KiB page-cached random reads at queue depth 32 (plain, fixed buffers, fixed file,
//! both), each in two loop styles: `batch` (reap the batch into an array, then push the
//! refills) and `split` (the ring split once, one refill pushed per CQE while draining the CQ
//! iterator, `sync()` calls: how io-uring's own examples write a loop). Each row runs both
//! crates alternately several times and keeps each one's best, so a noisy neighbour hurts both
//! alike. Rates are given per CPU-second of the submitting thread (which does the kernel work of
//! NOPs and page-cached reads inline, and is steady on a loaded machine) and per wall-clock
//! second. Ratio = ours / io-uring (higher is better).
//!
//! `ring callgrind-ours N [B] [batch|split]` / `ring callgrind-theirs ...` run only N rounds of
//! B (default 32) NOPs, and `ring callgrind-read-ours N [plain|fixedbuf|fixedfile|both]
//! [batch|split]` (or `-theirs`) N reads at QD 32, for `valgrind --tool=callgrind
//! --toggle-collect=...` (see `ci/bench/uring.sh`, which adds the C liburing column).
#![allow(unsafe_code, missing_docs)]

use std::hint::black_box;
use std::io::Write as _;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use uring::Ring;
use uring::opcode::{Nop, Read, ReadFixed};
use uring::types::{Fd, Fixed};

const QD: usize = 32;
const BLOCK: usize = 4096;
const FILE_SIZE: u64 = 64 << 20;

// ---------------------------------------------------------------------------------------------
// NOPs

#[inline(never)]
fn nops_ours(ring: &mut Ring, batch: usize, rounds: usize) {
    for _ in 0..rounds {
        {
            let mut sq = ring.sq();
            for _ in 0..batch {
                // SAFETY: a NOP carries no pointers.
                unsafe { sq.push(&Nop::new().build().user_data(0x42)) }.unwrap();
            }
        }
        ring.submit_and_wait(batch).unwrap();
        ring.cq().for_each(|c| {
            black_box(c);
        });
    }
}

#[inline(never)]
fn nops_theirs(ring: &mut io_uring::IoUring, batch: usize, rounds: usize) {
    for _ in 0..rounds {
        {
            let mut sq = ring.submission();
            for _ in 0..batch {
                let e = io_uring::opcode::Nop::new().build().user_data(0x42);
                // SAFETY: a NOP carries no pointers.
                unsafe { sq.push(&e) }.unwrap();
            }
        }
        ring.submit_and_wait(batch).unwrap();
        ring.completion().for_each(|c| {
            black_box(c);
        });
    }
}

/// The callgrind entry points: nothing but the measured loop inside them.
#[inline(never)]
fn callgrind_ours(rounds: usize, batch: usize) {
    let mut ring = Ring::new(32).unwrap();
    nops_ours(&mut ring, batch, 100);
    nop_loop_ours(&mut ring, batch, rounds);
}

#[inline(never)]
fn nop_loop_ours(ring: &mut Ring, batch: usize, rounds: usize) {
    nops_ours(ring, batch, rounds);
}

#[inline(never)]
fn callgrind_theirs(rounds: usize, batch: usize) {
    let mut ring = io_uring::IoUring::new(32).unwrap();
    nops_theirs(&mut ring, batch, 100);
    nop_loop_theirs(&mut ring, batch, rounds);
}

#[inline(never)]
fn nop_loop_theirs(ring: &mut io_uring::IoUring, batch: usize, rounds: usize) {
    nops_theirs(ring, batch, rounds);
}

// The same NOPs written the way io-uring's own users write a loop (its `tcp_echo` example):
// split the ring once, then per round `submit_and_wait`, `cq.sync()`, `sq.sync()` (io-uring
// sees freed SQ slots only then), drain the CQ with its iterator pushing one refill per
// completion, `sq.sync()` to publish them.

#[inline(never)]
fn nops_split_ours(ring: &mut Ring, batch: usize, rounds: usize) {
    let (submitter, mut sq, mut cq) = ring.split();
    for _ in 0..batch {
        // SAFETY: a NOP carries no pointers.
        unsafe { sq.push(&Nop::new().build().user_data(0x42)) }.unwrap();
    }
    sq.sync();
    for round in 1..=rounds {
        submitter.submit_and_wait(batch).unwrap();
        cq.sync();
        // io-uring's SQ reloads the kernel's head only here: the slots that enter consumed.
        sq.sync();
        for c in &mut cq {
            black_box(c);
            if round < rounds {
                // SAFETY: a NOP carries no pointers.
                unsafe { sq.push(&Nop::new().build().user_data(0x42)) }.unwrap();
            }
        }
        sq.sync();
    }
}

#[inline(never)]
fn nops_split_theirs(ring: &mut io_uring::IoUring, batch: usize, rounds: usize) {
    let (submitter, mut sq, mut cq) = ring.split();
    for _ in 0..batch {
        let e = io_uring::opcode::Nop::new().build().user_data(0x42);
        // SAFETY: a NOP carries no pointers.
        unsafe { sq.push(&e) }.unwrap();
    }
    sq.sync();
    for round in 1..=rounds {
        submitter.submit_and_wait(batch).unwrap();
        cq.sync();
        // io-uring's SQ reloads the kernel's head only here: the slots that enter consumed.
        sq.sync();
        for c in &mut cq {
            black_box(c);
            if round < rounds {
                let e = io_uring::opcode::Nop::new().build().user_data(0x42);
                // SAFETY: a NOP carries no pointers.
                unsafe { sq.push(&e) }.unwrap();
            }
        }
        sq.sync();
    }
}

#[inline(never)]
fn callgrind_split_ours(rounds: usize, batch: usize) {
    let mut ring = Ring::new(32).unwrap();
    nops_split_ours(&mut ring, batch, 100);
    nop_split_loop_ours(&mut ring, batch, rounds);
}

#[inline(never)]
fn nop_split_loop_ours(ring: &mut Ring, batch: usize, rounds: usize) {
    nops_split_ours(ring, batch, rounds);
}

#[inline(never)]
fn callgrind_split_theirs(rounds: usize, batch: usize) {
    let mut ring = io_uring::IoUring::new(32).unwrap();
    nops_split_theirs(&mut ring, batch, 100);
    nop_split_loop_theirs(&mut ring, batch, rounds);
}

#[inline(never)]
fn nop_split_loop_theirs(ring: &mut io_uring::IoUring, batch: usize, rounds: usize) {
    nops_split_theirs(ring, batch, rounds);
}

// ---------------------------------------------------------------------------------------------
// Reads

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Plain,
    FixedBuffers,
    FixedFile,
    /// Fixed buffers and a registered file.
    Both,
}

/// How the loop is written: reap the batch into an array then push the refills (`Batch`), or
/// split the ring and push each refill while draining the CQ iterator (`Split`).
#[derive(Clone, Copy, PartialEq)]
enum Style {
    Batch,
    Split,
}

/// A deterministic stream of 4 KiB-aligned offsets inside the file.
struct Offsets(u64);

impl Offsets {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let r = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (r % (FILE_SIZE / BLOCK as u64)) * BLOCK as u64
    }
}

struct Buffers(Vec<u8>);

impl Buffers {
    fn new() -> Self {
        Buffers(vec![0u8; QD * BLOCK])
    }
    fn ptr(&mut self, i: usize) -> *mut u8 {
        self.0[i * BLOCK..].as_mut_ptr()
    }
    fn iovecs(&mut self) -> Vec<libc::iovec> {
        (0..QD)
            .map(|i| libc::iovec {
                iov_base: self.ptr(i).cast(),
                iov_len: BLOCK,
            })
            .collect()
    }
}

fn read_sqe_ours(mode: Mode, fd: i32, bufs: &mut Buffers, slot: usize, off: u64) -> uring::Sqe {
    let ptr = bufs.ptr(slot);
    let sqe = match mode {
        Mode::Plain => Read::new(Fd(fd), ptr, BLOCK as u32).offset(off).build(),
        Mode::FixedBuffers => ReadFixed::new(Fd(fd), ptr, BLOCK as u32, slot as u16)
            .offset(off)
            .build(),
        Mode::FixedFile => Read::new(Fixed(0), ptr, BLOCK as u32).offset(off).build(),
        Mode::Both => ReadFixed::new(Fixed(0), ptr, BLOCK as u32, slot as u16)
            .offset(off)
            .build(),
    };
    sqe.user_data(slot as u64)
}

fn read_sqe_theirs(
    mode: Mode,
    fd: i32,
    bufs: &mut Buffers,
    slot: usize,
    off: u64,
) -> io_uring::squeue::Entry {
    use io_uring::{opcode, types};
    let ptr = bufs.ptr(slot);
    let e = match mode {
        Mode::Plain => opcode::Read::new(types::Fd(fd), ptr, BLOCK as u32)
            .offset(off)
            .build(),
        Mode::FixedBuffers => opcode::ReadFixed::new(types::Fd(fd), ptr, BLOCK as u32, slot as u16)
            .offset(off)
            .build(),
        Mode::FixedFile => opcode::Read::new(types::Fixed(0), ptr, BLOCK as u32)
            .offset(off)
            .build(),
        Mode::Both => opcode::ReadFixed::new(types::Fixed(0), ptr, BLOCK as u32, slot as u16)
            .offset(off)
            .build(),
    };
    e.user_data(slot as u64)
}

/// `total` reads at queue depth 32 on our ring; returns the elapsed time.
fn reads_ours(file: &std::fs::File, mode: Mode, style: Style, total: usize) -> Times {
    let mut ring = Ring::new(QD as u32).unwrap();
    let mut bufs = Buffers::new();
    let iovecs = bufs.iovecs();
    let fd = file.as_raw_fd();
    let fds = [fd];
    if matches!(mode, Mode::FixedBuffers | Mode::Both) {
        // SAFETY: the iovecs describe `bufs`, which outlives the ring (declared before it is
        // dropped at the end of this function... the ring is dropped first, see below).
        unsafe {
            ring.submitter()
                .register_raw(
                    uring_sys::IORING_REGISTER_BUFFERS,
                    iovecs.as_ptr().cast(),
                    QD as u32,
                )
                .unwrap()
        };
    }
    if matches!(mode, Mode::FixedFile | Mode::Both) {
        // SAFETY: `fds` is one valid fd for the call; the kernel takes its own reference.
        unsafe {
            ring.submitter()
                .register_raw(uring_sys::IORING_REGISTER_FILES, fds.as_ptr().cast(), 1)
                .unwrap()
        };
    }
    let start = Clock::start();
    match style {
        Style::Batch => read_loop_ours(&mut ring, mode, fd, &mut bufs, total),
        Style::Split => read_split_loop_ours(&mut ring, mode, fd, &mut bufs, total),
    }
    let t = start.elapsed();
    drop(ring);
    drop(bufs);
    t
}

fn reads_theirs(file: &std::fs::File, mode: Mode, style: Style, total: usize) -> Times {
    let mut ring = io_uring::IoUring::new(QD as u32).unwrap();
    let mut bufs = Buffers::new();
    let iovecs = bufs.iovecs();
    let fd = file.as_raw_fd();
    if matches!(mode, Mode::FixedBuffers | Mode::Both) {
        // SAFETY: the iovecs describe `bufs`, which outlives the ring.
        unsafe { ring.submitter().register_buffers(&iovecs).unwrap() };
    }
    if matches!(mode, Mode::FixedFile | Mode::Both) {
        ring.submitter().register_files(&[fd]).unwrap();
    }
    let start = Clock::start();
    match style {
        Style::Batch => read_loop_theirs(&mut ring, mode, fd, &mut bufs, total),
        Style::Split => read_split_loop_theirs(&mut ring, mode, fd, &mut bufs, total),
    }
    let t = start.elapsed();
    drop(ring);
    drop(bufs);
    t
}

/// The measured part of [`reads_ours`]: `total` reads kept at queue depth 32 (also the
/// callgrind entry point, so ring setup and registration are not counted).
#[inline(never)]
fn read_loop_ours(ring: &mut Ring, mode: Mode, fd: i32, bufs: &mut Buffers, total: usize) {
    let mut offs = Offsets(0x9E37_79B9_7F4A_7C15);
    {
        let mut sq = ring.sq();
        for slot in 0..QD {
            let sqe = read_sqe_ours(mode, fd, bufs, slot, offs.next());
            // SAFETY: `bufs` slot `slot` is not in flight elsewhere and outlives the ring.
            unsafe { sq.push(&sqe) }.unwrap();
        }
    }
    let mut issued = QD;
    let mut done = 0;
    let mut slots = [0usize; QD];
    while done < total {
        ring.submit_and_wait(1).unwrap();
        let mut n = 0;
        for c in ring.cq() {
            assert_eq!(c.res(), BLOCK as i32);
            slots[n] = c.user_data() as usize;
            n += 1;
        }
        done += n;
        let mut sq = ring.sq();
        for &slot in &slots[..n] {
            if issued < total {
                let sqe = read_sqe_ours(mode, fd, bufs, slot, offs.next());
                // SAFETY: as above; the slot's previous read has completed.
                unsafe { sq.push(&sqe) }.unwrap();
                issued += 1;
            }
        }
    }
}

/// The measured part of [`reads_theirs`], as [`read_loop_ours`].
#[inline(never)]
fn read_loop_theirs(
    ring: &mut io_uring::IoUring,
    mode: Mode,
    fd: i32,
    bufs: &mut Buffers,
    total: usize,
) {
    let mut offs = Offsets(0x9E37_79B9_7F4A_7C15);
    {
        let mut sq = ring.submission();
        for slot in 0..QD {
            let e = read_sqe_theirs(mode, fd, bufs, slot, offs.next());
            // SAFETY: as in `reads_ours`.
            unsafe { sq.push(&e) }.unwrap();
        }
    }
    let mut issued = QD;
    let mut done = 0;
    let mut slots = [0usize; QD];
    while done < total {
        ring.submit_and_wait(1).unwrap();
        let mut n = 0;
        for c in ring.completion() {
            assert_eq!(c.result(), BLOCK as i32);
            slots[n] = c.user_data() as usize;
            n += 1;
        }
        done += n;
        let mut sq = ring.submission();
        for &slot in &slots[..n] {
            if issued < total {
                let e = read_sqe_theirs(mode, fd, bufs, slot, offs.next());
                // SAFETY: as above.
                unsafe { sq.push(&e) }.unwrap();
                issued += 1;
            }
        }
    }
}

/// [`read_loop_ours`] written the way io-uring's users write it: split once, then
/// `submit_and_wait(1)`, `cq.sync()`, `sq.sync()`, one refill pushed per CQE while draining the
/// iterator, `sq.sync()`.
#[inline(never)]
fn read_split_loop_ours(ring: &mut Ring, mode: Mode, fd: i32, bufs: &mut Buffers, total: usize) {
    let mut offs = Offsets(0x9E37_79B9_7F4A_7C15);
    let (submitter, mut sq, mut cq) = ring.split();
    for slot in 0..QD {
        let sqe = read_sqe_ours(mode, fd, bufs, slot, offs.next());
        // SAFETY: `bufs` slot `slot` is not in flight elsewhere and outlives the ring.
        unsafe { sq.push(&sqe) }.unwrap();
    }
    sq.sync();
    let mut issued = QD;
    let mut done = 0;
    while done < total {
        submitter.submit_and_wait(1).unwrap();
        cq.sync();
        // io-uring's SQ reloads the kernel's head only here: the slots that enter consumed.
        sq.sync();
        for c in &mut cq {
            assert_eq!(c.res(), BLOCK as i32);
            done += 1;
            if issued < total {
                let slot = c.user_data() as usize;
                let sqe = read_sqe_ours(mode, fd, bufs, slot, offs.next());
                // SAFETY: as above; the slot's previous read has completed.
                unsafe { sq.push(&sqe) }.unwrap();
                issued += 1;
            }
        }
        sq.sync();
    }
}

/// [`read_split_loop_ours`] on io-uring, call for call.
#[inline(never)]
fn read_split_loop_theirs(
    ring: &mut io_uring::IoUring,
    mode: Mode,
    fd: i32,
    bufs: &mut Buffers,
    total: usize,
) {
    let mut offs = Offsets(0x9E37_79B9_7F4A_7C15);
    let (submitter, mut sq, mut cq) = ring.split();
    for slot in 0..QD {
        let e = read_sqe_theirs(mode, fd, bufs, slot, offs.next());
        // SAFETY: as in `reads_ours`.
        unsafe { sq.push(&e) }.unwrap();
    }
    sq.sync();
    let mut issued = QD;
    let mut done = 0;
    while done < total {
        submitter.submit_and_wait(1).unwrap();
        cq.sync();
        // io-uring's SQ reloads the kernel's head only here: the slots that enter consumed.
        sq.sync();
        for c in &mut cq {
            assert_eq!(c.result(), BLOCK as i32);
            done += 1;
            if issued < total {
                let slot = c.user_data() as usize;
                let e = read_sqe_theirs(mode, fd, bufs, slot, offs.next());
                // SAFETY: as above.
                unsafe { sq.push(&e) }.unwrap();
                issued += 1;
            }
        }
        sq.sync();
    }
}

// ---------------------------------------------------------------------------------------------

/// Wall-clock and this thread's CPU time (user + system) of one run.
#[derive(Clone, Copy)]
struct Times {
    wall: Duration,
    cpu: Duration,
}

/// Starts both clocks.
struct Clock {
    wall: Instant,
    cpu: Duration,
}

fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid `timespec` to write; CLOCK_THREAD_CPUTIME_ID needs nothing else.
    let r = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(r, 0);
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

impl Clock {
    fn start() -> Clock {
        Clock {
            wall: Instant::now(),
            cpu: thread_cpu(),
        }
    }
    fn elapsed(&self) -> Times {
        Times {
            wall: self.wall.elapsed(),
            cpu: thread_cpu() - self.cpu,
        }
    }
}

/// Best rates of one side: by CPU time and by wall-clock.
#[derive(Clone, Copy, Default)]
struct Rates {
    cpu: f64,
    wall: f64,
}

/// Runs `ours` and `theirs` alternately `reps` times, swapping which goes first every
/// repetition; returns each one's best ops/s.
fn compare(
    ops: usize,
    reps: usize,
    mut ours: impl FnMut() -> Times,
    mut theirs: impl FnMut() -> Times,
) -> (Rates, Rates) {
    let (mut a, mut b) = (Rates::default(), Rates::default());
    let rate = |t: Duration| ops as f64 / t.as_secs_f64().max(1e-9);
    let best = |r: &mut Rates, t: Times| {
        r.cpu = r.cpu.max(rate(t.cpu));
        r.wall = r.wall.max(rate(t.wall));
    };
    for rep in 0..reps {
        // Alternate which crate goes first, so running second (warm caches, a neighbour's burst
        // that just ended) favours neither.
        if rep % 2 == 0 {
            best(&mut a, ours());
            best(&mut b, theirs());
        } else {
            best(&mut b, theirs());
            best(&mut a, ours());
        }
    }
    (a, b)
}

fn timed(f: impl FnOnce()) -> Times {
    let start = Clock::start();
    f();
    start.elapsed()
}

fn row(name: &str, (ours, theirs): (Rates, Rates)) {
    println!(
        "| {name:<29} | {:>8.2} M/s | {:>8.2} M/s | {:>5.2}x | {:>8.2} M/s | {:>8.2} M/s | {:>5.2}x |",
        ours.cpu / 1e6,
        theirs.cpu / 1e6,
        ours.cpu / theirs.cpu,
        ours.wall / 1e6,
        theirs.wall / 1e6,
        ours.wall / theirs.wall,
    );
}

fn page_cached_file() -> std::fs::File {
    let path = std::env::temp_dir().join(format!("uring-bench-{}", std::process::id()));
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    let chunk = vec![0xA5u8; 1 << 20];
    for _ in 0..(FILE_SIZE >> 20) {
        f.write_all(&chunk).unwrap();
    }
    f.sync_all().unwrap();
    f
}

fn parse_mode(arg: Option<&str>) -> Mode {
    match arg {
        Some("plain") | None => Mode::Plain,
        Some("fixedbuf") => Mode::FixedBuffers,
        Some("fixedfile") => Mode::FixedFile,
        Some("both") => Mode::Both,
        Some(other) => panic!("unknown read mode {other}"),
    }
}

fn parse_style(arg: Option<&str>) -> Style {
    match arg {
        Some("batch") | None => Style::Batch,
        Some("split") => Style::Split,
        Some(other) => panic!("unknown loop style {other}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(which) = args.first().filter(|a| a.starts_with("callgrind-")) {
        let rounds: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10_000);
        let style = parse_style(args.get(3).map(String::as_str));
        match which.as_str() {
            "callgrind-ours" | "callgrind-theirs" => {
                let batch: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(32);
                assert!((1..=32).contains(&batch), "batch must be 1..=32");
                match (which.as_str(), style) {
                    ("callgrind-ours", Style::Batch) => callgrind_ours(rounds, batch),
                    ("callgrind-ours", Style::Split) => callgrind_split_ours(rounds, batch),
                    (_, Style::Batch) => callgrind_theirs(rounds, batch),
                    (_, Style::Split) => callgrind_split_theirs(rounds, batch),
                }
            }
            "callgrind-read-ours" | "callgrind-read-theirs" => {
                let mode = parse_mode(args.get(2).map(String::as_str));
                let file = page_cached_file();
                if which == "callgrind-read-ours" {
                    reads_ours(&file, mode, style, rounds);
                } else {
                    reads_theirs(&file, mode, style, rounds);
                }
            }
            other => panic!("unknown mode {other}"),
        }
        return;
    }
    let quick = std::env::var_os("URING_BENCH_QUICK").is_some();
    let reps = if quick { 3 } else { 7 };
    let nop_batches = if quick { 2_000 } else { 30_000 };
    let reads = if quick { 20_000 } else { 100_000 };

    println!("uring raw path vs io-uring 0.7 (ratio = ours / io-uring; best of {reps} runs each)");
    println!(
        "per CPU-second of the submitting thread (steady under load), and per wall-clock second"
    );
    println!();
    println!(
        "| {:<29} | {:>12} | {:>12} | {:>6} | {:>12} | {:>12} | {:>6} |",
        "case", "uring cpu", "io-uring cpu", "ratio", "uring wall", "io-uring wall", "ratio"
    );
    println!(
        "|{:-<31}|{:-<14}|{:-<14}|{:-<8}|{:-<14}|{:-<14}|{:-<8}|",
        "", "", "", "", "", "", ""
    );

    let file = page_cached_file();
    // Warm the page cache for every block.
    let _ = reads_ours(
        &file,
        Mode::Plain,
        Style::Batch,
        (FILE_SIZE as usize / BLOCK) * 2,
    );
    let _ = reads_theirs(&file, Mode::Plain, Style::Batch, FILE_SIZE as usize / BLOCK);
    for (style, sname) in [(Style::Batch, "batch"), (Style::Split, "split")] {
        for (batch, rounds) in [(32usize, nop_batches), (1, nop_batches * 4)] {
            let mut ours = Ring::new(32).unwrap();
            let mut theirs = io_uring::IoUring::new(32).unwrap();
            let r = match style {
                Style::Batch => compare(
                    batch * rounds,
                    reps,
                    || timed(|| nops_ours(&mut ours, batch, rounds)),
                    || timed(|| nops_theirs(&mut theirs, batch, rounds)),
                ),
                Style::Split => compare(
                    batch * rounds,
                    reps,
                    || timed(|| nops_split_ours(&mut ours, batch, rounds)),
                    || timed(|| nops_split_theirs(&mut theirs, batch, rounds)),
                ),
            };
            row(&format!("{sname} NOP b{batch}"), r);
        }
        for (name, mode) in [
            ("read plain", Mode::Plain),
            ("read fixedbuf", Mode::FixedBuffers),
            ("read fixedfile", Mode::FixedFile),
            ("read both", Mode::Both),
        ] {
            let r = compare(
                reads,
                reps,
                || reads_ours(&file, mode, style, reads),
                || reads_theirs(&file, mode, style, reads),
            );
            row(&format!("{sname} {name}"), r);
        }
    }
}
