//! Memory per in-flight operation in `uring::driver`, measured: a counting global allocator
//! sees every heap byte the driver allocates while `N` operations of one kind go in flight.
//!
//! `cargo bench -p evbind-uring --bench mem` (run by `ci/bench/mem.sh`, beside tokio-uring's
//! figures from `ci/bench/mem-tokio-uring`). For each kind the operations (with their buffers)
//! are built first (and moved out of their `Vec` without freeing it), and the handles' `Vec`
//! reserved, so the counted bytes are the driver's
//! alone: its slots (the slab's 64-slot chunks, amortized), any operation state too big for a
//! slot's 64 inline bytes (boxed), and what submission allocates. The caller's own memory
//! (the buffer, the `Op` handle) is reported beside: the handle is `size_of::<Op<T>>()`.
//!
//! Output: one tab-separated line per kind, `kind heap_bytes_per_op allocs_per_op handle_bytes`,
//! after a `#`-comment header; `ci/bench/mem.sh` turns it into a table.
#![allow(unsafe_code, missing_docs)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::os::fd::{AsFd, OwnedFd};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Duration;

use uring::Ring;
use uring::driver::fixed::ReadFixed;
use uring::driver::multishot::AcceptMulti;
use uring::driver::pbuf::RecvMulti;
use uring::driver::{
    Accept, Connect, Driver, Multishot, MultishotOperation, Nop, Op, Operation, Read, Readv, Recv,
    Send, SendMsg, Timeout, Write,
};

/// Counts live heap bytes and allocations (the requested sizes, as the program sees them).
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged (so
// `System`'s guarantees hold) and only adds relaxed counter updates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), Relaxed);
        ALLOCS.fetch_add(1, Relaxed);
        // SAFETY: the caller's contract for `alloc` is `System`'s.
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), Relaxed);
        ALLOCS.fetch_add(1, Relaxed);
        // SAFETY: as `alloc`.
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Relaxed);
        // SAFETY: `p` came from `System` with layout `l` (every allocation here is `System`'s).
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new, Relaxed);
        LIVE.fetch_sub(l.size(), Relaxed);
        ALLOCS.fetch_add(1, Relaxed);
        // SAFETY: as `dealloc` for `p` and `l`; `new` is the caller's valid new size.
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static A: Counting = Counting;

/// Operations in flight per kind: a multiple of the slab's 64-slot chunk.
const N: usize = 1024;

fn snapshot() -> (usize, usize) {
    (LIVE.load(Relaxed), ALLOCS.load(Relaxed))
}

fn driver() -> Driver {
    let ring = Ring::builder()
        .cq_entries(4 * N as u32)
        .build(N as u32)
        .expect("io_uring_setup");
    Driver::from_ring(ring)
}

fn report(kind: &str, before: (usize, usize), after: (usize, usize), handle: usize) {
    let bytes = after.0 as f64 - before.0 as f64;
    let allocs = after.1 - before.1;
    println!(
        "{kind}\t{:.1}\t{:.2}\t{handle}",
        bytes / N as f64,
        allocs as f64 / N as f64
    );
}

/// Submits the `N` single-shot `ops` on a fresh driver, lets them reach the kernel (those that
/// can complete do, and stay in their slots until taken), and reports the driver's heap bytes.
fn single<T: Operation>(kind: &str, mut ops: Vec<T>, setup: impl FnOnce(&mut Driver)) {
    let mut d = driver();
    setup(&mut d);
    let mut handles: Vec<Op<T>> = Vec::with_capacity(ops.len());
    let before = snapshot();
    for op in ops.drain(..) {
        match d.submit(op) {
            Ok(h) => handles.push(h),
            Err(e) => panic!("{kind}: submit: {}", e.error),
        }
    }
    d.submit_pending().expect("submit");
    d.reap(|_| {});
    let after = snapshot();
    assert_eq!(handles.len(), N);
    report(kind, before, after, size_of::<Op<T>>());
    let _ = d.cancel_all();
    drop(handles);
    drop(d); // waits for every final CQE (cancelled above)
}

/// As [`single`], for multishot operations.
fn multi<T: MultishotOperation>(kind: &str, mut ops: Vec<T>, d: &mut Driver) {
    let mut handles: Vec<Multishot<T>> = Vec::with_capacity(ops.len());
    let before = snapshot();
    for op in ops.drain(..) {
        match d.submit_multishot(op) {
            Ok(h) => handles.push(h),
            Err(e) => panic!("{kind}: submit: {}", e.error),
        }
    }
    d.submit_pending().expect("submit");
    d.reap(|_| {});
    let after = snapshot();
    report(kind, before, after, size_of::<Multishot<T>>());
    let _ = d.cancel_all();
}

/// An unconnected TCP socket, for `Connect`.
fn tcp_socket() -> OwnedFd {
    // SAFETY: socket(2) takes no pointers; the result is checked before it is owned.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
    assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
    // SAFETY: `fd` is a new descriptor that nothing else owns.
    unsafe { std::os::fd::FromRawFd::from_raw_fd(fd) }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    println!("# kind\theap_bytes_per_op\tallocs_per_op\thandle_bytes (N = {N} in flight)");

    // NOPs complete at once and wait in their slots for `take`.
    single("Nop", (0..N).map(|_| Nop).collect(), |_| {});

    // A read of a silent socket stays in flight; its 4 KiB Vec is the caller's.
    let (r, w) = std::os::unix::net::UnixStream::pair().expect("socketpair");
    single(
        "Read (Vec 4 KiB)",
        (0..N)
            .map(|_| Read::new(&r, Vec::<u8>::with_capacity(4096), u64::MAX))
            .collect(),
        |_| {},
    );
    let null = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/null")
        .expect("/dev/null");
    single(
        "Write (Vec 4 KiB)",
        (0..N)
            .map(|_| Write::new(&null, vec![0u8; 4096], u64::MAX))
            .collect(),
        |_| {},
    );

    let (a, b) = std::os::unix::net::UnixStream::pair().expect("socketpair");
    single(
        "Recv (Vec 4 KiB)",
        (0..N)
            .map(|_| Recv::new(&a, Vec::<u8>::with_capacity(4096), 0))
            .collect(),
        |_| {},
    );
    single(
        "Send (Vec 64 B)",
        (0..N)
            .map(|_| Send::new(&b, vec![0u8; 64], libc::MSG_NOSIGNAL))
            .collect(),
        |_| {},
    );
    // Drain what the sends queued, so the recvs of a later kind stay pending.
    drop((a, b));

    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    single(
        "Accept",
        (0..N).map(|_| Accept::new(listener.as_fd(), 0)).collect(),
        |_| {},
    );
    single(
        "Timeout (1 h)",
        (0..N)
            .map(|_| Timeout::new(Duration::from_secs(3600)))
            .collect(),
        |_| {},
    );

    // Read with a linked timeout: two slots (the timeout's is the driver's).
    {
        let mut d = driver();
        let mut handles = Vec::with_capacity(N);
        let mut ops: Vec<_> = (0..N)
            .map(|_| Read::new(&r, Vec::<u8>::with_capacity(4096), u64::MAX))
            .collect();
        let before = snapshot();
        for op in ops.drain(..) {
            match d.submit_with_timeout(op, Duration::from_secs(3600)) {
                Ok(h) => handles.push(h),
                Err(e) => panic!("read+timeout: {}", e.error),
            }
        }
        d.submit_pending().expect("submit");
        d.reap(|_| {});
        let after = snapshot();
        report(
            "Read + linked timeout",
            before,
            after,
            size_of::<Op<Read<Vec<u8>>>>(),
        );
        let _ = d.cancel_all();
    }

    // Multishot recv from a provided-buffer ring (the ring's own memory is set up first and
    // not counted: it is shared by every connection, see ci/bench/mem.sh for its size).
    {
        let (a, _b) = std::os::unix::net::UnixStream::pair().expect("socketpair");
        let mut d = driver();
        let bufs = d.buf_ring(64, 4096).expect("buf_ring");
        let ops: Vec<_> = (0..N).map(|_| RecvMulti::new(&a, &bufs)).collect();
        multi("RecvMulti (provided buffers)", ops, &mut d);
    }
    {
        let mut d = driver();
        let ops: Vec<_> = (0..N)
            .map(|_| AcceptMulti::new(listener.as_fd(), 0))
            .collect();
        multi("AcceptMulti", ops, &mut d);
    }

    // Fixed-buffer reads: the leases are checked out first (the pool is shared state).
    {
        let mut d = driver();
        let pool = d.fixed_buffers(N as u16, 4096).expect("fixed_buffers");
        let mut ops: Vec<_> = (0..N)
            .map(|_| ReadFixed::new(&r, pool.checkout().expect("lease"), u64::MAX))
            .collect();
        let mut handles = Vec::with_capacity(N);
        let before = snapshot();
        for op in ops.drain(..) {
            match d.submit(op) {
                Ok(h) => handles.push(h),
                Err(e) => panic!("read_fixed: {}", e.error),
            }
        }
        d.submit_pending().expect("submit");
        d.reap(|_| {});
        let after = snapshot();
        report(
            "ReadFixed (leased)",
            before,
            after,
            size_of::<Op<ReadFixed>>(),
        );
        let _ = d.cancel_all();
    }

    // State bigger than a slot's inline bytes is boxed once per operation.
    let (a, b) = std::os::unix::net::UnixStream::pair().expect("socketpair");
    single(
        "Readv (1 × Vec 4 KiB)",
        (0..N)
            .map(|_| Readv::new(&a, vec![Vec::<u8>::with_capacity(4096)], u64::MAX))
            .collect(),
        |_| {},
    );
    single(
        "SendMsg (1 × Vec 64 B)",
        (0..N)
            .map(|_| SendMsg::new(&b, vec![vec![0u8; 64]], libc::MSG_NOSIGNAL))
            .collect(),
        |_| {},
    );
    let socks: Vec<OwnedFd> = (0..N).map(|_| tcp_socket()).collect();
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, listener.local_addr().unwrap().port()));
    single(
        "Connect",
        socks.iter().map(|s| Connect::new(s, addr)).collect(),
        |_| {},
    );
    drop(w);

    rings();
}

/// `(Size, Rss)` in KiB of this process's io_uring mappings (SQ/CQ rings, SQE array, and
/// provided-buffer rings the kernel allocated), from `/proc/self/smaps`.
fn uring_maps() -> (u64, u64) {
    let smaps = std::fs::read_to_string("/proc/self/smaps").expect("smaps");
    let (mut size, mut rss, mut ours) = (0, 0, false);
    for line in smaps.lines() {
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or("");
        if first.contains('-') && !first.ends_with(':') {
            ours = line.contains("io_uring");
        } else if ours && first == "Size:" {
            size += words
                .next()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        } else if ours && first == "Rss:" {
            rss += words
                .next()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    (size, rss)
}

/// `VmRSS`, `VmLck`, `VmPin` in KiB from `/proc/self/status`.
fn status() -> (u64, u64, u64) {
    let s = std::fs::read_to_string("/proc/self/status").expect("status");
    let field = |name: &str| -> u64 {
        s.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmLck:"), field("VmPin:"))
}

/// What the kernel maps or pins for a driver set up as the example servers set theirs up
/// (1,024 SQEs, 8,192 CQEs, 1,024 provided buffers of 16 KiB), and for a fixed-buffer pool of
/// 1,024 × 4 KiB: a markdown table (its lines start with `|`; `mem.sh` prints them as they are).
fn rings() {
    println!("| what | mapped (KiB) | resident (KiB) | VmLck (KiB) | VmPin (KiB) |");
    println!("|---|---:|---:|---:|---:|");
    let (_, lck0, pin0) = status();
    let mut d = Driver::from_ring(
        Ring::builder()
            .cq_entries(8192)
            .build(1024)
            .expect("io_uring_setup"),
    );
    let (size, rss) = uring_maps();
    let (_, lck, pin) = status();
    println!(
        "| ring: 1,024 SQEs + 8,192 CQEs (io_uring mmaps) | {size} | {rss} | {} | {} |",
        lck - lck0,
        pin - pin0
    );
    let (rss1, _, _) = status();
    let bufs = d.buf_ring(1024, 16 * 1024).expect("buf_ring");
    let (size2, _) = uring_maps();
    let (rss3, lck3, pin3) = status();
    println!(
        "| provided-buffer ring: 1,024 × 16 KiB (process RSS growth; io_uring mmaps +{} KiB) | {} | {} | {} | {} |",
        size2 - size,
        1024 * 16 + 1024 * 16 / 1024,
        rss3 - rss1,
        lck3 - lck,
        pin3 - pin
    );
    let pool = d.fixed_buffers(1024, 4096).expect("fixed_buffers");
    let (rss4, lck4, pin4) = status();
    println!(
        "| registered buffers: 1,024 × 4 KiB (pinned) | {} | {} | {} | {} |",
        1024 * 4,
        rss4 - rss3,
        lck4 - lck3,
        pin4 - pin3
    );
    drop((pool, bufs));
}
