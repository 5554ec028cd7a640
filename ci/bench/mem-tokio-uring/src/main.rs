//! Heap bytes per in-flight operation in tokio-uring 0.5, measured the way
//! `uring/benches/mem.rs` measures `uring::driver`: a counting global allocator, `N` operations
//! of one kind in flight on a fresh runtime, the operations' inputs (buffers, boxed futures)
//! made before the first count, so what is counted is what submitting and polling them
//! allocates (the driver's `Slab<Lifecycle>` entries, amortized over its doublings, and any
//! per-operation state).
//!
//! tokio-uring keeps an operation's data (buffer, fd handle) in the caller's future, not in the
//! driver: the future's size (`size_of_val`) is printed beside, as the handle's is for
//! `uring::driver`. Kinds tokio-uring 0.5 has no API for (timeouts, multishot, recv/send as
//! opposed to read/write on a socket) are left out.
//!
//! Output: tab-separated `kind heap_bytes_per_op allocs_per_op future_bytes`, the kinds named
//! as in `uring/benches/mem.rs`. Built and run only by `ci/bench/mem.sh`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::task::Poll;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to `System` unchanged and only adds counter updates.
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
        // SAFETY: `p` came from `System` with layout `l`.
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

const N: usize = 1024;

fn snapshot() -> (usize, usize) {
    (LIVE.load(Relaxed), ALLOCS.load(Relaxed))
}

fn report(kind: &str, before: (usize, usize), after: (usize, usize), future: usize) {
    let bytes = after.0 as f64 - before.0 as f64;
    println!(
        "{kind}\t{:.1}\t{:.2}\t{future}",
        bytes / N as f64,
        (after.1 - before.1) as f64 / N as f64
    );
}

/// Polls each (already boxed) future once, so its operation is submitted and its waker stored,
/// and reports what that allocated.
async fn poll_once_each<F: Future>(kind: &str, mut futs: Vec<Pin<Box<F>>>, future: usize) {
    let before = snapshot();
    for f in futs.iter_mut() {
        std::future::poll_fn(|cx| {
            let _ = f.as_mut().poll(cx);
            Poll::Ready(())
        })
        .await;
    }
    let after = snapshot();
    report(kind, before, after, future);
    drop(futs); // in-flight ops become `Ignored`; the runtime's drop cancels them
}

/// A fresh runtime (so no earlier kind left slab capacity behind) with room for `N` SQEs.
fn runtime<F: Future>(f: F) -> F::Output {
    tokio_uring::builder()
        .entries(N as u32)
        .uring_builder(tokio_uring::uring_builder().setup_cqsize(4 * N as u32))
        .start(f)
}

fn boxed<F: Future>(futs: impl Iterator<Item = F>) -> (Vec<Pin<Box<F>>>, usize) {
    let v: Vec<_> = futs.map(Box::pin).collect();
    let size = v.first().map_or(0, |f| size_of_val(&**f));
    (v, size)
}

fn main() {
    println!("# tokio-uring 0.5: kind\theap_bytes_per_op\tallocs_per_op\tfuture_bytes (N = {N})");

    runtime(async {
        let (futs, size) = boxed((0..N).map(|_| tokio_uring::no_op()));
        poll_once_each("Nop", futs, size).await;
    });

    runtime(async {
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        let a = tokio_uring::net::UnixStream::from_std(a);
        let (futs, size) = boxed((0..N).map(|_| a.read(Vec::<u8>::with_capacity(4096))));
        poll_once_each("Read (Vec 4 KiB)", futs, size).await;
    });

    // `write_at(..).submit()` submits at once and returns an `Unpin` in-flight operation:
    // no box needed, the `Vec` of them is reserved before counting.
    runtime(async {
        let null = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/null")
            .unwrap();
        let null = tokio_uring::fs::File::from_std(null);
        let mut bufs: Vec<Vec<u8>> = (0..N).map(|_| vec![0u8; 4096]).collect();
        let mut ops = Vec::with_capacity(N);
        let before = snapshot();
        for b in bufs.drain(..) {
            ops.push(null.write_at(b, 0).submit());
        }
        for op in ops.iter_mut() {
            std::future::poll_fn(|cx| {
                let _ = Pin::new(&mut *op).poll(cx);
                Poll::Ready(())
            })
            .await;
        }
        let after = snapshot();
        report("Write (Vec 4 KiB)", before, after, size_of_val(&ops[0]));
    });

    // tokio-uring's sockets have no send: `write` (IORING_OP_WRITE) on a socket is its send.
    runtime(async {
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        let a = tokio_uring::net::UnixStream::from_std(a);
        let mut bufs: Vec<Vec<u8>> = (0..N).map(|_| vec![0u8; 64]).collect();
        let mut ops = Vec::with_capacity(N);
        let before = snapshot();
        for b in bufs.drain(..) {
            ops.push(a.write(b).submit());
        }
        for op in ops.iter_mut() {
            std::future::poll_fn(|cx| {
                let _ = Pin::new(&mut *op).poll(cx);
                Poll::Ready(())
            })
            .await;
        }
        let after = snapshot();
        report("Send (Vec 64 B)", before, after, size_of_val(&ops[0]));
    });

    runtime(async {
        let l = tokio_uring::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .unwrap();
        let (futs, size) = boxed((0..N).map(|_| l.accept()));
        poll_once_each("Accept", futs, size).await;
    });

    runtime(async {
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        let a = tokio_uring::net::UnixStream::from_std(a);
        let registry =
            tokio_uring::buf::fixed::FixedBufRegistry::new((0..N).map(|_| vec![0u8; 4096]));
        registry.register().unwrap();
        let leases: Vec<_> = (0..N).map(|i| registry.check_out(i).unwrap()).collect();
        let (futs, size) = boxed(leases.into_iter().map(|b| a.read_fixed(b)));
        poll_once_each("ReadFixed (leased)", futs, size).await;
    });

    // `TcpStream::connect` makes its socket (an `Rc`'d fd) when first polled: counted, as the
    // driver's `Connect` is given a socket made before.
    runtime(async {
        let l = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let addr = l.local_addr().unwrap();
        let (futs, size) = boxed((0..N).map(|_| tokio_uring::net::TcpStream::connect(addr)));
        poll_once_each("Connect", futs, size).await;
    });
}
