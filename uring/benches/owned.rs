//! The ownership-safe driver beside the raw path and tokio's `io-uring`, in the same run.
//!
//! `cargo bench -p evbind-uring --bench owned` prints one table: batched NOPs (32 per submit) and
//! 4 KiB page-cached random reads at queue depth 32 in four set-ups (plain `READ` into owned
//! `Box<[u8]>` buffers; fixed-buffer leases against raw `READ_FIXED`; a registered file; both).
//! Each row runs the three alternately several times and keeps each one's best. The targets
//! (issue 16): safe >= 0.95 of raw by wall time on reads; by callgrind (`ci/bench/owned.sh`,
//! which runs this binary as `callgrind-WHO-CASE N`) at most 1.5x raw's instructions per op.
#![allow(unsafe_code, missing_docs)]

use std::hint::black_box;
use std::io::Write as _;
use std::os::fd::{AsFd, AsRawFd};
use std::time::{Duration, Instant};

/// Wall-clock and submitting-thread CPU time of one run.
#[derive(Clone, Copy)]
struct Times {
    wall: Duration,
    cpu: Duration,
}

fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec to write; CLOCK_THREAD_CPUTIME_ID needs nothing else.
    let r = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(r, 0);
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Started at `start()`, read with `times()`.
struct Clock(Instant, Duration);

impl Clock {
    fn start() -> Clock {
        Clock(Instant::now(), thread_cpu())
    }
    fn times(&self) -> Times {
        Times {
            wall: self.0.elapsed(),
            cpu: thread_cpu() - self.1,
        }
    }
}

use uring::Ring;
use uring::driver::fixed::ReadFixed as OwnedReadFixed;
use uring::driver::{Driver, Nop as OwnedNop, Op, OpFile, Operation, Read as OwnedRead};
use uring::opcode::{Nop, Read, ReadFixed};
use uring::types::{Fd, Fixed};

const QD: usize = 32;
const BLOCK: usize = 4096;
const FILE_SIZE: u64 = 64 << 20;

// ---- NOPs, batch 32 ----

#[inline(never)]
fn nops_raw(ring: &mut Ring, rounds: usize) {
    for _ in 0..rounds {
        {
            let mut sq = ring.sq();
            for _ in 0..QD {
                // SAFETY: a NOP carries no pointers.
                unsafe { sq.push(&Nop::new().build().user_data(0x42)) }.unwrap();
            }
        }
        ring.submit_and_wait(QD).unwrap();
        ring.cq().for_each(|c| {
            black_box(c);
        });
    }
}

#[inline(never)]
fn nops_safe(d: &mut Driver, handles: &mut Vec<Op<OwnedNop>>, rounds: usize) {
    for _ in 0..rounds {
        d.submit_batch((0..QD).map(|_| OwnedNop), |r| handles.push(r.unwrap()));
        d.submit_and_wait(QD).unwrap();
        d.reap(|k| {
            black_box(k);
        });
        for h in handles.drain(..) {
            black_box(d.take(h).ok().unwrap().unwrap());
        }
    }
}

#[inline(never)]
fn nops_tokio(ring: &mut io_uring::IoUring, rounds: usize) {
    for _ in 0..rounds {
        {
            let mut sq = ring.submission();
            for _ in 0..QD {
                let e = io_uring::opcode::Nop::new().build().user_data(0x42);
                // SAFETY: a NOP carries no pointers.
                unsafe { sq.push(&e) }.unwrap();
            }
        }
        ring.submit_and_wait(QD).unwrap();
        ring.completion().for_each(|c| {
            black_box(c);
        });
    }
}

// ---- reads ----

struct Offsets(u64);

impl Offsets {
    fn new() -> Self {
        Offsets(0x9E37_79B9_7F4A_7C15)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let r = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (r % (FILE_SIZE / BLOCK as u64)) * BLOCK as u64
    }
}

/// What the reads use: registered buffers (`READ_FIXED`), a registered file (`IOSQE_FIXED_FILE`).
#[derive(Clone, Copy)]
struct Mode {
    fixed_buf: bool,
    fixed_file: bool,
}

const MODES: [(&str, &str, Mode); 4] = [
    (
        "plain",
        "4K rand read QD32, plain",
        Mode {
            fixed_buf: false,
            fixed_file: false,
        },
    ),
    (
        "fixbuf",
        "4K read QD32, fixed buffers",
        Mode {
            fixed_buf: true,
            fixed_file: false,
        },
    ),
    (
        "fixfile",
        "4K read QD32, registered file",
        Mode {
            fixed_buf: false,
            fixed_file: true,
        },
    ),
    (
        "both",
        "4K read QD32, fixed buf + file",
        Mode {
            fixed_buf: true,
            fixed_file: true,
        },
    ),
];

/// The raw path's SQE for buffer `slot` (file slot 0 when the file is registered).
#[inline(always)]
fn raw_sqe(mode: Mode, fd: i32, base: *mut u8, slot: usize, off: u64) -> uring::squeue::Sqe {
    let ptr = base.wrapping_add(slot * BLOCK);
    let len = BLOCK as u32;
    let s = match (mode.fixed_buf, mode.fixed_file) {
        (false, false) => Read::new(Fd(fd), ptr, len).offset(off).build(),
        (false, true) => Read::new(Fixed(0), ptr, len).offset(off).build(),
        (true, false) => ReadFixed::new(Fd(fd), ptr, len, slot as u16)
            .offset(off)
            .build(),
        (true, true) => ReadFixed::new(Fixed(0), ptr, len, slot as u16)
            .offset(off)
            .build(),
    };
    s.user_data(slot as u64)
}

fn reads_raw(file: &std::fs::File, mode: Mode, total: usize) -> Times {
    let mut ring = Ring::new(QD as u32).unwrap();
    let mut bufs = vec![0u8; QD * BLOCK];
    let base = bufs.as_mut_ptr();
    let iovecs: Vec<libc::iovec> = (0..QD)
        .map(|i| libc::iovec {
            iov_base: base.wrapping_add(i * BLOCK).cast(),
            iov_len: BLOCK,
        })
        .collect();
    if mode.fixed_buf {
        // SAFETY: the iovecs describe `bufs`, which outlives the ring (dropped first below).
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
    if mode.fixed_file {
        ring.submitter().register_files(&[file.as_fd()]).unwrap();
    }
    let start = Clock::start();
    read_loop_raw(&mut ring, mode, file.as_raw_fd(), base, total);
    let t = start.times();
    drop(ring);
    drop(bufs);
    t
}

/// The measured loop of the raw path (the callgrind entry point too).
#[inline(never)]
fn read_loop_raw(ring: &mut Ring, mode: Mode, fd: i32, base: *mut u8, total: usize) {
    let mut offs = Offsets::new();
    {
        let mut sq = ring.sq();
        for slot in 0..QD {
            // SAFETY: buffer `slot` is not in flight and outlives the ring.
            unsafe { sq.push(&raw_sqe(mode, fd, base, slot, offs.next())) }.unwrap();
        }
    }
    let (mut issued, mut done) = (QD, 0);
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
                // SAFETY: as above; this slot's previous read completed.
                unsafe { sq.push(&raw_sqe(mode, fd, base, slot, offs.next())) }.unwrap();
                issued += 1;
            }
        }
    }
}

/// The safe path: each read owns its `Box<[u8]>` (or fixed-buffer lease); the completion hands
/// it back and it is resubmitted. Handles are kept by slot index, as a runtime would.
fn reads_safe(file: &std::fs::File, mode: Mode, total: usize) -> Times {
    let mut d = Driver::new(QD as u32).unwrap();
    let (_files, fixed_file);
    let target = if mode.fixed_file {
        let files = d.fixed_files(1).unwrap();
        let f = d.install(&files, file.try_clone().unwrap().into()).unwrap();
        let t = OpFile::from(&f);
        (_files, fixed_file) = (Some(files), Some(f));
        t
    } else {
        (_files, fixed_file) = (None, None);
        OpFile::from(file)
    };
    let start;
    if mode.fixed_buf {
        let pool = d.fixed_buffers(QD as u16, BLOCK).unwrap();
        let bufs: Vec<_> = (0..QD).map(|_| pool.checkout().unwrap()).collect();
        start = Clock::start();
        read_loop_safe(&mut d, bufs, total, |b, off| {
            OwnedReadFixed::new(target, b, off)
        });
    } else {
        let bufs: Vec<_> = (0..QD)
            .map(|_| vec![0u8; BLOCK].into_boxed_slice())
            .collect();
        start = Clock::start();
        read_loop_safe(&mut d, bufs, total, |b, off| OwnedRead::new(target, b, off));
    }
    let t = start.times();
    drop(fixed_file);
    t
}

/// The measured loop of the safe path (the callgrind entry point too).
#[inline(never)]
fn read_loop_safe<T, B>(d: &mut Driver, bufs: Vec<B>, total: usize, mut mk: impl FnMut(B, u64) -> T)
where
    T: Operation<Output = (std::io::Result<u32>, B)>,
{
    let mut offs = Offsets::new();
    let mut handles: Vec<Option<Op<T>>> = (0..QD * 2).map(|_| None).collect();
    let mut ready: Vec<u32> = Vec::with_capacity(QD);
    let (mut issued, mut done) = (0, 0);
    for b in bufs {
        let h = d.submit(mk(b, offs.next())).unwrap();
        let i = h.key().index() as usize;
        handles[i] = Some(h);
        issued += 1;
    }
    while done < total {
        d.submit_and_wait(1).unwrap();
        d.reap(|k| ready.push(k.index()));
        done += ready.len();
        for i in ready.drain(..) {
            let h = handles[i as usize].take().unwrap();
            let (res, buf) = d.take(h).ok().unwrap();
            assert_eq!(res.unwrap(), BLOCK as u32);
            if issued < total {
                let h = d.submit(mk(buf, offs.next())).unwrap();
                let j = h.key().index() as usize;
                handles[j] = Some(h);
                issued += 1;
            }
        }
    }
}

fn reads_tokio(file: &std::fs::File, mode: Mode, total: usize) -> Times {
    let mut ring = io_uring::IoUring::new(QD as u32).unwrap();
    let mut bufs = vec![0u8; QD * BLOCK];
    let base = bufs.as_mut_ptr();
    let iovecs: Vec<libc::iovec> = (0..QD)
        .map(|i| libc::iovec {
            iov_base: base.wrapping_add(i * BLOCK).cast(),
            iov_len: BLOCK,
        })
        .collect();
    if mode.fixed_buf {
        // SAFETY: the iovecs describe `bufs`, which outlives the ring.
        unsafe { ring.submitter().register_buffers(&iovecs).unwrap() };
    }
    if mode.fixed_file {
        ring.submitter()
            .register_files(&[file.as_raw_fd()])
            .unwrap();
    }
    let start = Clock::start();
    read_loop_tokio(&mut ring, mode, file.as_raw_fd(), base, total);
    let t = start.times();
    drop(ring);
    drop(bufs);
    t
}

#[inline(always)]
fn tokio_sqe(mode: Mode, fd: i32, base: *mut u8, slot: usize, off: u64) -> io_uring::squeue::Entry {
    use io_uring::{opcode, types};
    let ptr = base.wrapping_add(slot * BLOCK);
    let len = BLOCK as u32;
    let e = match (mode.fixed_buf, mode.fixed_file) {
        (false, false) => opcode::Read::new(types::Fd(fd), ptr, len)
            .offset(off)
            .build(),
        (false, true) => opcode::Read::new(types::Fixed(0), ptr, len)
            .offset(off)
            .build(),
        (true, false) => opcode::ReadFixed::new(types::Fd(fd), ptr, len, slot as u16)
            .offset(off)
            .build(),
        (true, true) => opcode::ReadFixed::new(types::Fixed(0), ptr, len, slot as u16)
            .offset(off)
            .build(),
    };
    e.user_data(slot as u64)
}

/// The measured loop of io-uring 0.7 (the callgrind entry point too).
#[inline(never)]
fn read_loop_tokio(ring: &mut io_uring::IoUring, mode: Mode, fd: i32, base: *mut u8, total: usize) {
    let mut offs = Offsets::new();
    {
        let mut sq = ring.submission();
        for slot in 0..QD {
            // SAFETY: as in `read_loop_raw`.
            unsafe { sq.push(&tokio_sqe(mode, fd, base, slot, offs.next())) }.unwrap();
        }
    }
    let (mut issued, mut done) = (QD, 0);
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
                // SAFETY: as above.
                unsafe { sq.push(&tokio_sqe(mode, fd, base, slot, offs.next())) }.unwrap();
                issued += 1;
            }
        }
    }
}

// ---- harness ----

/// Runs the three alternately `reps` times; each one's best rate by CPU time and by wall time.
fn best3(ops: usize, reps: usize, mut f: [&mut dyn FnMut() -> Times; 3]) -> [(f64, f64); 3] {
    let mut best = [(0f64, 0f64); 3];
    for _ in 0..reps {
        for (b, f) in best.iter_mut().zip(f.iter_mut()) {
            let t = f();
            b.0 = b.0.max(ops as f64 / t.cpu.as_secs_f64());
            b.1 = b.1.max(ops as f64 / t.wall.as_secs_f64());
        }
    }
    best
}

fn timed(f: impl FnOnce()) -> Times {
    let c = Clock::start();
    f();
    c.times()
}

fn row(name: &str, [safe, raw, tokio]: [(f64, f64); 3]) {
    println!(
        "| {name:<30} | {:>8.2} | {:>8.2} | {:>8.2} | {:>6.3} | {:>6.3} | {:>6.3} | {:>6.3} |",
        safe.0 / 1e6,
        raw.0 / 1e6,
        tokio.0 / 1e6,
        safe.0 / raw.0,
        safe.0 / tokio.0,
        safe.1 / raw.1,
        safe.1 / tokio.1,
    );
}

fn page_cached_file() -> std::fs::File {
    let path = std::env::temp_dir().join(format!("uring-owned-bench-{}", std::process::id()));
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

/// The callgrind entry points: only the measured loop inside `nop_loop_*` / `read_loop_*`.
#[inline(never)]
fn nop_loop_safe(d: &mut Driver, handles: &mut Vec<Op<OwnedNop>>, rounds: usize) {
    nops_safe(d, handles, rounds);
}

#[inline(never)]
fn nop_loop_raw(ring: &mut Ring, rounds: usize) {
    nops_raw(ring, rounds);
}

#[inline(never)]
fn nop_loop_tokio(ring: &mut io_uring::IoUring, rounds: usize) {
    nops_tokio(ring, rounds);
}

/// `callgrind-WHO-nop ROUNDS` or `callgrind-WHO-read-MODE READS` (WHO: safe, raw, tokio):
/// one run for `ci/bench/owned.sh`, which counts instructions inside `*_loop_WHO` only.
fn callgrind(which: &str, n: usize) {
    let mut parts = which.trim_start_matches("callgrind-").splitn(2, '-');
    let who = parts.next().unwrap_or("");
    let case = parts.next().unwrap_or("nop");
    if case == "nop" {
        match who {
            "safe" => {
                let mut d = Driver::new(QD as u32).unwrap();
                let mut handles = Vec::with_capacity(QD);
                nops_safe(&mut d, &mut handles, 100);
                nop_loop_safe(&mut d, &mut handles, n);
            }
            "raw" => {
                let mut ring = Ring::new(QD as u32).unwrap();
                nops_raw(&mut ring, 100);
                nop_loop_raw(&mut ring, n);
            }
            "tokio" => {
                let mut ring = io_uring::IoUring::new(QD as u32).unwrap();
                nops_tokio(&mut ring, 100);
                nop_loop_tokio(&mut ring, n);
            }
            other => panic!("unknown implementation {other}"),
        }
        return;
    }
    let mode = MODES
        .iter()
        .find(|m| case == format!("read-{}", m.0))
        .unwrap_or_else(|| panic!("unknown case {case}"))
        .2;
    let file = page_cached_file();
    match who {
        "safe" => drop(reads_safe(&file, mode, n)),
        "raw" => drop(reads_raw(&file, mode, n)),
        "tokio" => drop(reads_tokio(&file, mode, n)),
        other => panic!("unknown implementation {other}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(which) = args.first().filter(|a| a.starts_with("callgrind-")) {
        let n: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10_000);
        callgrind(which, n);
        return;
    }
    let quick = std::env::var_os("URING_BENCH_QUICK").is_some();
    let reps = if quick { 3 } else { 7 };
    let rounds = if quick { 2_000 } else { 30_000 };
    let reads = if quick { 20_000 } else { 200_000 };

    println!(
        "uring::driver (safe, owned buffers) vs the raw path vs io-uring 0.7, best of {reps} runs \
         each; M ops per CPU-second of the submitting thread, and ratios by CPU time and by wall \
         time (target: safe/raw >= 0.95 by wall time on reads)"
    );
    println!();
    println!(
        "| {:<30} | {:>8} | {:>8} | {:>8} | {:>6} | {:>6} | {:>6} | {:>6} |",
        "case", "safe", "raw", "io-uring", "s/raw", "s/io-u", "wall", "wall"
    );
    println!(
        "| {:<30} | {:>8} | {:>8} | {:>8} | {:>6} | {:>6} | {:>6} | {:>6} |",
        "", "M/cpu-s", "M/cpu-s", "M/cpu-s", "cpu", "cpu", "s/raw", "s/io-u"
    );
    println!(
        "|{:-<32}|{:-<10}|{:-<10}|{:-<10}|{:-<8}|{:-<8}|{:-<8}|{:-<8}|",
        "", "", "", "", "", "", "", ""
    );

    let mut d = Driver::new(QD as u32).unwrap();
    let mut handles = Vec::with_capacity(QD);
    let mut raw = Ring::new(QD as u32).unwrap();
    let mut tokio = io_uring::IoUring::new(QD as u32).unwrap();
    let r = best3(
        QD * rounds,
        reps,
        [
            &mut || timed(|| nops_safe(&mut d, &mut handles, rounds)),
            &mut || timed(|| nops_raw(&mut raw, rounds)),
            &mut || timed(|| nops_tokio(&mut tokio, rounds)),
        ],
    );
    row("NOP, batch 32", r);

    let file = page_cached_file();
    let _ = reads_raw(&file, MODES[0].2, (FILE_SIZE as usize / BLOCK) * 2);
    for (_, name, mode) in MODES {
        let r = best3(
            reads,
            reps,
            [
                &mut || reads_safe(&file, mode, reads),
                &mut || reads_raw(&file, mode, reads),
                &mut || reads_tokio(&file, mode, reads),
            ],
        );
        row(name, r);
    }
}
