//! A small single-threaded async runtime on `uring::driver`, with no `unsafe`: `block_on`,
//! `spawn`, `sleep`, `timeout`, and TCP accept/connect/read/write futures that own their
//! buffers and cancel their operation when dropped. It is the answer to "how do I build a
//! runtime on this" in one file; `uring/examples/runtime.rs` runs an echo server and clients on it.
//!
//! How it works:
//! - Every I/O future submits one driver operation and keeps its `Op` handle. Polling it
//!   `take`s the output, or files the task's `Waker` under the operation's `Key`.
//! - `block_on` runs ready tasks, then blocks in `submit_and_wait(1)` (one syscall submits
//!   what the tasks pushed and waits), then `reap`s: each completion wakes the task filed
//!   under its key.
//! - A future dropped before its operation completed `abandon`s it: the kernel is asked to
//!   cancel it and the driver frees its buffer when it ends.
//! - A task woken from another thread (or a `Stop` handle) wakes the driver through its
//!   `Waker`, so a blocked `submit_and_wait` returns.
//!
//! The `tests` crate (`tests/src/echo.rs`) runs `echo_server` under the load scenarios.
#![forbid(unsafe_code)]

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::ThreadId;
use std::time::Duration;

use crate::http::{HELLO, find_head_end};
use uring::driver::{
    self, Accept, Connect, Driver, IoBuf, Key, Op, Operation, Recv, Send, Slice, TakeError,
};

/// The id `block_on`'s own future is woken under.
const MAIN: usize = usize::MAX;

/// Ready task ids, shared with wakers on any thread.
struct Queue {
    ready: Mutex<VecDeque<usize>>,
    /// Wakes the driver's blocked wait when a task is woken from another thread.
    driver: driver::Waker,
    owner: ThreadId,
}

impl Queue {
    fn push(&self, id: usize) {
        self.ready.lock().unwrap().push_back(id);
        if std::thread::current().id() != self.owner {
            let _ = self.driver.wake();
        }
    }
    fn pop(&self) -> Option<usize> {
        self.ready.lock().unwrap().pop_front()
    }
}

struct TaskWaker {
    id: usize,
    queue: Arc<Queue>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.queue.push(self.id);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.queue.push(self.id);
    }
}

type Task = Pin<Box<dyn Future<Output = ()>>>;

struct Inner {
    driver: RefCell<Driver>,
    /// The waker of the task waiting on each operation in flight.
    waiters: RefCell<HashMap<Key, Waker>>,
    tasks: RefCell<Vec<Option<Task>>>,
    free: RefCell<Vec<usize>>,
    queue: Arc<Queue>,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Inner>>> = const { RefCell::new(None) };
}

/// The runtime of this thread (inside `block_on`).
fn current() -> Rc<Inner> {
    CURRENT.with(|c| c.borrow().clone().expect("not inside Runtime::block_on"))
}

/// A single-threaded runtime: one `Driver`, its tasks.
pub struct Runtime {
    inner: Rc<Inner>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").finish_non_exhaustive()
    }
}

/// Stops a running server from any thread (see `echo_server`).
#[derive(Debug, Clone, Default)]
pub struct Stop {
    inner: Arc<StopInner>,
}

#[derive(Debug, Default)]
struct StopInner {
    flag: AtomicBool,
    /// The task waiting in `stopped()`.
    waker: Mutex<Option<Waker>>,
}

impl Stop {
    /// Makes `stopped(self)` complete, waking its task (and through the task's waker the
    /// runtime's blocked wait, when called from another thread).
    pub fn stop(&self) {
        self.inner.flag.store(true, Ordering::Release);
        if let Some(w) = self.inner.waker.lock().unwrap().take() {
            w.wake();
        }
    }
}

impl Runtime {
    /// A runtime on a new ring of `entries`: `SINGLE_ISSUER | DEFER_TASKRUN` where the kernel
    /// has them (the setup a single-threaded runtime wants), a plain ring otherwise.
    pub fn new(entries: u32) -> io::Result<Runtime> {
        let ring = uring::Ring::builder()
            .single_issuer()
            .defer_taskrun()
            .build(entries)
            .or_else(|_| uring::Ring::new(entries))?;
        let mut driver = Driver::from_ring(ring);
        let queue = Arc::new(Queue {
            ready: Mutex::new(VecDeque::new()),
            driver: driver.waker()?,
            owner: std::thread::current().id(),
        });
        Ok(Runtime {
            inner: Rc::new(Inner {
                driver: RefCell::new(driver),
                waiters: RefCell::new(HashMap::new()),
                tasks: RefCell::new(Vec::new()),
                free: RefCell::new(Vec::new()),
                queue,
            }),
        })
    }

    /// Runs `fut` (and every task it spawns) to completion on this thread.
    pub fn block_on<F: Future>(&self, fut: F) -> F::Output {
        CURRENT.with(|c| *c.borrow_mut() = Some(self.inner.clone()));
        let out = self.run(fut);
        CURRENT.with(|c| *c.borrow_mut() = None);
        out
    }

    fn run<F: Future>(&self, fut: F) -> F::Output {
        let rt = &self.inner;
        let mut fut = std::pin::pin!(fut);
        let main = Waker::from(Arc::new(TaskWaker {
            id: MAIN,
            queue: rt.queue.clone(),
        }));
        let mut poll_main = true;
        loop {
            if std::mem::take(&mut poll_main) {
                if let Poll::Ready(v) = fut.as_mut().poll(&mut Context::from_waker(&main)) {
                    return v;
                }
            }
            while let Some(id) = rt.queue.pop() {
                if id == MAIN {
                    poll_main = true;
                } else {
                    poll_task(rt, id);
                }
            }
            if poll_main {
                continue;
            }
            let mut d = rt.driver.borrow_mut();
            match d.submit_and_wait(1) {
                Ok(_) => {}
                // A signal; or the CQ overflowed (reap, then enter again): nothing is lost.
                Err(e) if matches!(e.raw_os_error(), Some(libc::EINTR | libc::EBUSY)) => {}
                Err(e) => panic!("io_uring_enter: {e}"),
            }
            let mut waiters = rt.waiters.borrow_mut();
            d.reap(|key| {
                if let Some(w) = waiters.remove(&key) {
                    w.wake();
                }
            });
        }
    }
}

/// Polls spawned task `id` once (taking it out of the table while it runs, so it can spawn).
fn poll_task(rt: &Rc<Inner>, id: usize) {
    let Some(mut task) = rt.tasks.borrow_mut().get_mut(id).and_then(Option::take) else {
        return; // Finished already (a stale wake).
    };
    let waker = Waker::from(Arc::new(TaskWaker {
        id,
        queue: rt.queue.clone(),
    }));
    if task
        .as_mut()
        .poll(&mut Context::from_waker(&waker))
        .is_pending()
    {
        rt.tasks.borrow_mut()[id] = Some(task);
    } else {
        rt.free.borrow_mut().push(id);
    }
}

/// Runs `fut` as a task of the current runtime.
pub fn spawn(fut: impl Future<Output = ()> + 'static) {
    let rt = current();
    let id = match rt.free.borrow_mut().pop() {
        Some(id) => id,
        None => {
            let mut tasks = rt.tasks.borrow_mut();
            tasks.push(None);
            tasks.len() - 1
        }
    };
    rt.tasks.borrow_mut()[id] = Some(Box::pin(fut));
    rt.queue.push(id);
}

/// One driver operation as a future: its output, or — if it could not be submitted — the
/// failure as its output (`SubmitError::into_output`). Dropped early, it abandons the
/// operation (cancel; the driver frees the memory when the kernel is done).
pub struct OpFuture<T: Operation> {
    op: Option<Op<T>>,
    failed: Option<T::Output>,
}

impl<T: Operation> std::fmt::Debug for OpFuture<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpFuture")
            .field("in_flight", &self.op.is_some())
            .finish_non_exhaustive()
    }
}

// Nothing is pinned: the operation lives in the driver's slot, not in the future.
impl<T: Operation> Unpin for OpFuture<T> {}

/// Submits `op` to the current runtime's driver.
pub fn submit<T: Operation>(op: T) -> OpFuture<T> {
    let rt = current();
    let r = rt.driver.borrow_mut().submit(op);
    match r {
        Ok(op) => OpFuture {
            op: Some(op),
            failed: None,
        },
        Err(e) => OpFuture {
            op: None,
            failed: Some(e.into_output()),
        },
    }
}

impl<T: Operation> Future for OpFuture<T> {
    type Output = T::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T::Output> {
        let this = self.get_mut();
        if let Some(out) = this.failed.take() {
            return Poll::Ready(out);
        }
        let op = this.op.take().expect("polled after completion");
        let rt = current();
        let taken = rt.driver.borrow_mut().take(op);
        match taken {
            Ok(out) => Poll::Ready(out),
            Err(TakeError::Pending(op)) => {
                rt.waiters.borrow_mut().insert(op.key(), cx.waker().clone());
                this.op = Some(op);
                Poll::Pending
            }
            Err(TakeError::Foreign(_)) => unreachable!("an op of this runtime's driver"),
        }
    }
}

impl<T: Operation> Drop for OpFuture<T> {
    fn drop(&mut self) {
        if let Some(op) = self.op.take() {
            // Outside the runtime (it is gone) the handle is only a name: nothing to do.
            let rt = CURRENT.with(|c| c.borrow().clone());
            if let Some(rt) = rt {
                rt.waiters.borrow_mut().remove(&op.key());
                let _ = rt.driver.borrow_mut().abandon(op);
            }
        }
    }
}

/// Completes after `d` (`IORING_OP_TIMEOUT`).
pub async fn sleep(d: Duration) {
    let _ = submit(driver::Timeout::new(d)).await;
}

/// `fut`'s output, or `TimedOut` after `d` (dropping `fut`, which abandons its operation).
pub async fn timeout<F: Future>(d: Duration, fut: F) -> io::Result<F::Output> {
    let mut fut = std::pin::pin!(fut);
    let mut timer = submit(driver::Timeout::new(d));
    std::future::poll_fn(|cx| {
        if let Poll::Ready(v) = fut.as_mut().poll(cx) {
            return Poll::Ready(Ok(v));
        }
        match Pin::new(&mut timer).poll(cx) {
            Poll::Ready(_) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("timed out after {d:?}"),
            ))),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

/// Completes once `stop.stop()` was called.
pub async fn stopped(stop: &Stop) {
    std::future::poll_fn(|cx| {
        if stop.inner.flag.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        *stop.inner.waker.lock().unwrap() = Some(cx.waker().clone());
        // Checked again: a `stop()` between the first check and the store saw no waker.
        if stop.inner.flag.load(Ordering::Acquire) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
}

/// A listening TCP socket.
#[derive(Debug)]
pub struct TcpListener(std::net::TcpListener);

impl TcpListener {
    /// Binds `addr` (port 0: a free one).
    pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
        std::net::TcpListener::bind(addr).map(TcpListener)
    }
    /// The bound address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
    /// The next connection (`IORING_OP_ACCEPT`).
    pub async fn accept(&self) -> io::Result<TcpStream> {
        let fd = submit(Accept::new(&self.0, 0)).await?;
        Ok(TcpStream(std::net::TcpStream::from(fd)))
    }
}

/// A connected TCP socket.
#[derive(Debug)]
pub struct TcpStream(std::net::TcpStream);

impl TcpStream {
    /// Connects to `addr`: a socket from `IORING_OP_SOCKET` (Linux 5.19+), then
    /// `IORING_OP_CONNECT`; where the kernel has no `IORING_OP_SOCKET`, std's blocking
    /// `connect` (immediate on loopback).
    pub async fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
        let domain = if addr.is_ipv4() {
            libc::AF_INET
        } else {
            libc::AF_INET6
        };
        let socket = uring::opcode::Socket::new(domain, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        let out = submit(driver::NoMemoryOp::new(socket)).await;
        let Some(fd) = out.fd else {
            return std::net::TcpStream::connect(addr).map(TcpStream);
        };
        let stream = std::net::TcpStream::from(fd);
        submit(Connect::new(&stream, addr)).await?;
        Ok(TcpStream(stream))
    }

    /// Receives into `buf` (`IORING_OP_RECV` over its spare capacity); `Ok(0)` at EOF. The
    /// buffer comes back either way.
    pub async fn read(&self, mut buf: Vec<u8>) -> (io::Result<usize>, Vec<u8>) {
        buf.clear();
        let (r, buf) = submit(Recv::new(&self.0, buf, 0)).await;
        (r.map(|n| n as usize), buf)
    }

    /// Sends all of `buf` (`IORING_OP_SEND`, again after a short send); the buffer comes back.
    pub async fn write_all(&self, buf: Vec<u8>) -> (io::Result<()>, Vec<u8>) {
        let mut at = 0;
        let mut buf = buf;
        while at < buf.len() {
            let (r, back) = submit(Send::new(&self.0, buf.slice(at..), libc::MSG_NOSIGNAL)).await;
            buf = Slice::into_inner(back);
            match r {
                Ok(0) => return (Err(io::ErrorKind::WriteZero.into()), buf),
                Ok(n) => at += n as usize,
                Err(e) => return (Err(e), buf),
            }
        }
        (Ok(()), buf)
    }
}

/// What an echo server did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Served {
    /// Connections accepted.
    pub accepted: u64,
    /// Bytes received (and, for echo, sent back).
    pub bytes_in: u64,
    /// Bytes sent.
    pub bytes_out: u64,
}

/// Serves `listener` until `stop`: one task per connection, echoing bytes (or, with `http`,
/// answering each request head with [`HELLO`], the reply all the example servers send).
pub async fn echo_server(listener: TcpListener, stop: Stop, http: bool) -> Served {
    let stats = Rc::new(RefCell::new(Served::default()));
    let accepting = async {
        loop {
            match listener.accept().await {
                Ok(conn) => {
                    stats.borrow_mut().accepted += 1;
                    spawn(serve(conn, stats.clone(), http));
                }
                // Out of fds for a moment (EMFILE) or a connection reset before accept.
                Err(_) => sleep(Duration::from_millis(1)).await,
            }
        }
    };
    let mut accepting = std::pin::pin!(accepting);
    let mut stopped = std::pin::pin!(stopped(&stop));
    std::future::poll_fn(|cx| {
        if stopped.as_mut().poll(cx).is_ready() {
            return Poll::Ready(());
        }
        accepting.as_mut().poll(cx)
    })
    .await;
    *stats.borrow()
}

async fn serve(conn: TcpStream, stats: Rc<RefCell<Served>>, http: bool) {
    let mut buf = Vec::with_capacity(16 * 1024);
    let mut out = Vec::new();
    let mut pending = Vec::new();
    loop {
        let (r, b) = conn.read(buf).await;
        buf = b;
        let n = match r {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        stats.borrow_mut().bytes_in += n as u64;
        let r = if http {
            pending.extend_from_slice(&buf[..n]);
            out.clear();
            let mut start = 0;
            while let Some(end) = find_head_end(&pending[start..]) {
                start += end;
                out.extend_from_slice(HELLO);
            }
            pending.drain(..start);
            if out.is_empty() {
                continue;
            }
            let len = out.len() as u64;
            let (r, back) = conn.write_all(std::mem::take(&mut out)).await;
            out = back;
            r.map(|()| len)
        } else {
            // Echo the very buffer (its `len` is what was received), then read into it again.
            let (r, back) = conn.write_all(buf).await;
            buf = back;
            r.map(|()| n as u64)
        };
        match r {
            Ok(sent) => stats.borrow_mut().bytes_out += sent,
            Err(_) => return,
        }
    }
}
