//! Fault injection and bad input: io_uring denied by seccomp, CQ overflow, a too-low
//! `RLIMIT_MEMLOCK`, signals during waits, and invalid arguments — each must give a clear error
//! or the kernel's errno through the API, lose nothing, and leave the ring or epoll working.

use std::fs::File;
use std::io::{self, ErrorKind, Read, Write};
use std::os::fd::{AsFd, AsRawFd, IntoRawFd};
use std::os::unix::net::UnixStream;
use std::os::unix::thread::JoinHandleExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use epoll::{Epoll, Events, Interest};
use tests::backend::{self, Backend};
use tests::child;
use tests::report::Row;
use tests::sys;
use uring::opcode;
use uring::types::{Fd, Fixed};
use uring::{Ring, Sqe};

// ----- children ------------------------------------------------------------------------------

/// The entry point of a re-executed child: runs the scenario `name`, printing `key=value` lines
/// for the parent to check.
pub(crate) fn child_main(name: &str) {
    match name {
        "seccomp_enosys" => child_seccomp(libc::ENOSYS),
        "seccomp_eperm" => child_seccomp(libc::EPERM),
        "pwait2_enosys" => child_pwait2(libc::ENOSYS),
        "pwait2_eperm" => child_pwait2(libc::EPERM),
        "memlock" => child_memlock(),
        "exec_example_denied" => child_exec_example(),
        _ => panic!("unknown child scenario {name:?}"),
    }
}

/// Installs the ENOSYS filter and becomes the example named in `EVENT_IO_EXAMPLE` (the filter
/// stays across `exec`).
fn child_exec_example() {
    use std::os::unix::process::CommandExt;
    sys::deny_io_uring_setup(libc::ENOSYS).expect("installing the seccomp filter");
    let exe = std::env::var("EVENT_IO_EXAMPLE").expect("EVENT_IO_EXAMPLE");
    let e = std::process::Command::new(exe)
        .args(["--port", "0"])
        .env_remove(child::ENV)
        .exec();
    panic!("exec: {e}");
}

/// The uring example binary `name`, built in this test's profile (or `TESTS_EXAMPLES_DIR`'s).
fn example(name: &str) -> std::path::PathBuf {
    tests::examples::build("evbind-uring", name, env!("CARGO_TARGET_TMPDIR"))
}

/// The echo example under a seccomp filter that denies io_uring_setup: it says so in one line,
/// serves with epoll, echoes, and stops cleanly on SIGINT.
pub(crate) fn example_fallback() -> Row {
    use std::io::{BufRead, BufReader, Read};
    use std::process::Stdio;
    let exe = example("echo_uring");
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .env(child::ENV, "exec_example_denied")
        .env("EVENT_IO_EXAMPLE", &exe)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning the example");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).expect("the example's first line");
    let addr: std::net::SocketAddr = line
        .trim()
        .rsplit(' ')
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    assert!(line.contains("epoll server"), "{line:?}");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let msg = b"through the epoll fallback";
    s.write_all(msg).unwrap();
    let mut got = vec![0u8; msg.len()];
    s.read_exact(&mut got).unwrap();
    assert_eq!(&got, msg);
    drop(s);
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let status = child.wait().unwrap();
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "exit {status}; stderr: {err}");
    let notices: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("falling back to epoll"))
        .collect();
    assert_eq!(notices.len(), 1, "one notice line, got stderr: {err}");
    assert!(notices[0].contains("io_uring unavailable"), "{err}");
    assert!(rest.contains("bytes_in: 26"), "stats after SIGINT: {rest}");
    let mut row = Row::new("seccomp: the echo example under ENOSYS");
    row.connections = 1;
    row.bytes_verified = msg.len() as u64;
    row.faults = 1;
    row.note = "one-line notice, served by epoll, clean exit on SIGINT".into();
    row
}

/// Denies `epoll_pwait2` with `errno`, then waits with sub-millisecond timeouts (which use it
/// where it can be used): each wait must end as a wait does, never with the filter's errno.
fn child_pwait2(errno: i32) {
    sys::deny_syscall(libc::SYS_epoll_pwait2, errno).expect("installing the seccomp filter");
    let ep = Epoll::new().expect("an epoll instance");
    // The filter is in force: the call itself fails with its errno.
    let ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    let mut raw = [libc::epoll_event { events: 0, u64: 0 }; 1];
    // SAFETY: `raw` has room for one event and `ts` is a valid timespec, both alive for the
    // call; a null sigmask is allowed.
    let r = unsafe {
        libc::syscall(
            libc::SYS_epoll_pwait2,
            ep.as_raw_fd(),
            raw.as_mut_ptr(),
            1,
            &ts as *const libc::timespec,
            std::ptr::null::<libc::sigset_t>(),
            0,
        )
    };
    let raw_errno = if r < 0 {
        io::Error::last_os_error().raw_os_error().unwrap_or(-1)
    } else {
        0
    };
    println!("raw_errno={raw_errno}");
    let (a, mut b) = UnixStream::pair().unwrap();
    ep.add(&a, 7, Interest::READABLE).unwrap();
    let mut events = Events::with_capacity(4);
    // Nothing ready: the timeout (rounded up to 2 ms) passes and the wait says so.
    let idle = ep.wait(&mut events, Some(Duration::from_micros(1_500)));
    println!("idle={:?}", idle.map_err(|e| e.raw_os_error()));
    b.write_all(b"x").unwrap();
    let ready = ep.wait(&mut events, Some(Duration::from_micros(500)));
    let tokens: Vec<u64> = events.iter().map(|e| e.token()).collect();
    println!("ready={:?}", ready.map_err(|e| e.raw_os_error()));
    println!("tokens={tokens:?}");
    // Also with a signal mask (epoll_pwait2's other caller).
    let masked = ep.wait_with_sigmask(
        &mut events,
        Some(Duration::from_micros(500)),
        &epoll::SigSet::empty(),
    );
    println!("masked={:?}", masked.map_err(|e| e.raw_os_error()));
}

fn child_seccomp(errno: i32) {
    sys::deny_io_uring_setup(errno).expect("installing the seccomp filter");
    let e = Ring::new(8).expect_err("io_uring_setup is denied by the filter");
    println!("errno={}", uring::error::errno(&e).unwrap_or(-1));
    println!("kind={:?}", e.kind());
    println!("message={}", e.to_string().replace('\n', " "));
    let mut notices = Vec::new();
    let b = backend::open_with(|l| notices.push(l.to_owned())).expect("a backend");
    match b {
        Backend::Epoll(ep) => {
            // The fallback works: an event on a socket pair arrives.
            let (a, mut b) = UnixStream::pair().unwrap();
            ep.add(&a, 7, Interest::READABLE).unwrap();
            b.write_all(b"x").unwrap();
            let mut events = Events::with_capacity(4);
            let n = ep.wait(&mut events, Some(Duration::from_secs(5))).unwrap();
            let tokens: Vec<u64> = events.iter().map(|e| e.token()).collect();
            println!("backend=epoll");
            println!("epoll_events={n}");
            println!("epoll_tokens={tokens:?}");
        }
        Backend::Uring(_) => println!("backend=uring"),
    }
    println!("notices={}", notices.len());
    for n in &notices {
        println!("notice={n}");
    }
}

fn child_memlock() {
    // Root has CAP_IPC_LOCK, which exempts io_uring from RLIMIT_MEMLOCK: drop it first, then
    // create the ring (the kernel decides at creation whether to account pinned memory).
    sys::drop_cap_ipc_lock().expect("dropping CAP_IPC_LOCK");
    const LIMIT: u64 = 64 * 1024;
    sys::set_rlimit(libc::RLIMIT_MEMLOCK, LIMIT, LIMIT).expect("lowering RLIMIT_MEMLOCK");
    // The buffers outlive the ring (declared first, dropped last).
    let mut small = vec![0u8; 32 * 1024];
    let mut big = vec![0u8; 4 << 20];
    let mut again = vec![0u8; 48 * 1024];
    let mut ring = Ring::new(8).expect("a ring");
    // 32 KiB fits the 64 KiB limit, the next 4 MiB does not: the kernel pins and accounts the
    // first, fails on the second, and must undo the first.
    let iovecs = [iov(&mut small), iov(&mut big)];
    // SAFETY: both buffers outlive the ring (declared before it) and no reference to them is
    // used while requests could touch them (none are submitted while registered).
    let r = unsafe { ring.submitter().register_buffers(&iovecs) };
    let e = r.expect_err("4 MiB of fixed buffers over a 64 KiB RLIMIT_MEMLOCK");
    println!("errno={}", uring::error::errno(&e).unwrap_or(-1));
    println!("message={e}");
    nop(&mut ring, 1);
    // No partial state: no table is left registered (else EBUSY), and the first buffer's
    // 32 KiB were unaccounted (else 48 KiB more would exceed 64 KiB).
    let iovecs = [iov(&mut again)];
    // SAFETY: `again` outlives the ring; the read below is reaped before it is looked at.
    unsafe { ring.submitter().register_buffers(&iovecs) }
        .expect("48 KiB after the failed registration: nothing of it was left accounted");
    // The registered buffer works: read a file into it.
    let mut f = sys::tempfile();
    f.write_all(&[0xA5; 1000]).unwrap();
    let sqe = opcode::ReadFixed::new(Fd(f.as_raw_fd()), again.as_mut_ptr(), 1000, 0)
        .offset(0)
        .build();
    // SAFETY: `again` is registered buffer 0 and alive; the CQE is reaped inside `one`.
    let res = unsafe { one(&mut ring, sqe) };
    assert_eq!(
        res, 1000,
        "READ_FIXED into the buffer registered after the failure"
    );
    assert!(again[..1000].iter().all(|&b| b == 0xA5));
    nop(&mut ring, 2);
    println!("second_registration=ok");
    drop(ring);
}

fn iov(buf: &mut [u8]) -> libc::iovec {
    libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    }
}

// ----- ring helpers --------------------------------------------------------------------------

/// Submits `sqe` alone and returns its CQE's `res`, retrying waits interrupted by signals.
///
/// # Safety
/// Every pointer in `sqe` is valid for what its opcode does until this function returns (it
/// reaps the CQE before returning).
unsafe fn one(ring: &mut Ring, sqe: Sqe) -> i32 {
    let ud = 0x5EED_0000 + u64::from(sqe.opcode());
    let sqe = sqe.user_data(ud);
    // SAFETY: the caller's promise covers the SQE's pointers until the CQE, reaped below.
    unsafe { ring.sq().push(&sqe) }.expect("the SQ has room (one SQE at a time)");
    let cqe = wait_one(ring);
    assert_eq!(cqe.user_data(), ud, "the CQE of the SQE just submitted");
    cqe.res()
}

/// Submits and waits for the next CQE; fails (does not hang) when none comes within 10 s.
fn wait_one(ring: &mut Ring) -> uring::Cqe {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(c) = ring.cq().next() {
            return c;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no CQE within 10 s of submitting");
        match ring
            .submitter()
            .wait(1, Some(left.min(Duration::from_millis(500))))
        {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => panic!("io_uring_enter: {e}"),
        }
    }
}

/// A NOP round trip: the ring still works.
fn nop(ring: &mut Ring, n: u64) {
    let sqe = opcode::Nop::new().build().user_data(0xA0A0_0000 + n);
    // SAFETY: a NOP carries no pointer.
    unsafe { ring.sq().push(&sqe) }.expect("room for a NOP");
    let c = wait_one(ring);
    assert_eq!(
        (c.user_data(), c.res()),
        (0xA0A0_0000 + n, 0),
        "NOP after a fault"
    );
}

// ----- seccomp -------------------------------------------------------------------------------

/// What a child scenario printed: it must have exited 0; `get` reads one of its `key=value`
/// lines (a missing key fails with the child's whole output).
struct ChildReport {
    name: String,
    stdout: String,
    stderr: String,
}

impl ChildReport {
    fn run(name: &str) -> ChildReport {
        let out = child::run(name).expect("re-executing the test binary");
        let report = ChildReport {
            name: name.to_owned(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(
            out.status.success(),
            "child {name} failed: {}\n{}\n{}",
            out.status,
            report.stdout,
            report.stderr
        );
        report
    }

    fn get(&self, k: &str) -> String {
        child::value(&self.stdout, k)
            .unwrap_or_else(|| {
                panic!(
                    "child {} did not report {k}:\n{}\n{}",
                    self.name, self.stdout, self.stderr
                )
            })
            .to_owned()
    }
}

fn seccomp(errno: i32, name: &str) -> Row {
    // Control: without the filter, this process gets a ring.
    let mut notices = 0;
    let b = backend::open_with(|_| notices += 1).expect("a backend");
    assert!(
        matches!(b, Backend::Uring(_)),
        "io_uring works without the filter"
    );
    assert_eq!(notices, 0);
    drop(b);

    let report = ChildReport::run(name);
    let get = |k: &str| report.get(k);
    // The raw errno is kept, the kind is the errno's, and the message names cause and remedy.
    assert_eq!(get("errno"), errno.to_string(), "errno kept");
    let kind = io::Error::from_raw_os_error(errno).kind();
    assert_eq!(get("kind"), format!("{kind:?}"));
    let msg = get("message");
    if errno == libc::ENOSYS {
        assert!(msg.contains("seccomp"), "cause named: {msg}");
        assert!(msg.contains("allow io_uring_setup"), "remedy named: {msg}");
    } else {
        let sysctl = std::fs::read_to_string("/proc/sys/kernel/io_uring_disabled")
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok());
        if matches!(sysctl, Some(1 | 2)) {
            assert!(msg.contains("io_uring_disabled"), "cause named: {msg}");
        } else {
            assert!(msg.contains("seccomp"), "cause named: {msg}");
            assert!(msg.contains("allow io_uring"), "remedy named: {msg}");
        }
    }
    // The fallback picked epoll, said so in exactly one line, and epoll delivered the event.
    assert_eq!(get("backend"), "epoll");
    assert_eq!(get("notices"), "1");
    assert!(get("notice").starts_with("notice: io_uring unavailable, using epoll: "));
    assert_eq!(get("epoll_events"), "1");
    assert_eq!(get("epoll_tokens"), "[7]");
    let mut row = Row::new(&format!("seccomp: io_uring_setup → {}", errno_name(errno)));
    row.faults = 1;
    row.note = format!(
        "clear error ({}), errno kept, epoll fallback with 1 notice",
        errno_name(errno)
    );
    row
}

fn errno_name(e: i32) -> &'static str {
    match e {
        libc::ENOSYS => "ENOSYS",
        libc::EPERM => "EPERM",
        libc::ENOMEM => "ENOMEM",
        libc::EBADF => "EBADF",
        libc::EINVAL => "EINVAL",
        libc::EFAULT => "EFAULT",
        libc::ENOTSOCK => "ENOTSOCK",
        libc::EEXIST => "EEXIST",
        libc::ENOENT => "ENOENT",
        libc::EOVERFLOW => "EOVERFLOW",
        libc::ENXIO => "ENXIO",
        libc::EOPNOTSUPP => "EOPNOTSUPP",
        _ => "errno",
    }
}

/// io_uring_setup denied with ENOSYS (what Docker's default profile does).
pub(crate) fn seccomp_enosys() -> Row {
    seccomp(libc::ENOSYS, "seccomp_enosys")
}

/// io_uring_setup denied with EPERM.
pub(crate) fn seccomp_eperm() -> Row {
    seccomp(libc::EPERM, "seccomp_eperm")
}

/// `epoll_pwait2` denied by seccomp with `ENOSYS` (a profile's answer for an unknown call) and
/// with `EPERM` (older container profiles): sub-millisecond waits fall back to `epoll_wait`
/// rounded up, in a child each (the fallback is remembered per process).
pub(crate) fn seccomp_pwait2() -> Row {
    for (errno, name) in [
        (libc::ENOSYS, "pwait2_enosys"),
        (libc::EPERM, "pwait2_eperm"),
    ] {
        let report = ChildReport::run(name);
        let get = |k: &str| report.get(k);
        assert_eq!(get("raw_errno"), errno.to_string(), "the filter denies it");
        assert_eq!(get("idle"), "Ok(0)", "{name}: an idle wait times out");
        assert_eq!(get("ready"), "Ok(1)", "{name}: a ready fd is reported");
        assert_eq!(get("tokens"), "[7]", "{name}");
        assert_eq!(get("masked"), "Ok(1)", "{name}: the same with a sigmask");
    }
    let mut row = Row::new("seccomp: epoll_pwait2 → ENOSYS, EPERM");
    row.faults = 2;
    row.note = "sub-millisecond waits fall back to epoll_wait rounded up; no wait fails".into();
    row
}

// ----- CQ overflow ---------------------------------------------------------------------------

/// 100,000 NOPs through an 8-entry CQ, none reaped until all are submitted.
pub(crate) fn cq_overflow() -> Row {
    const N: u64 = 100_000;
    let mut ring: Ring = Ring::builder().cq_entries(8).build(8).expect("an 8/8 ring");
    assert_eq!(ring.cq_entries(), 8);
    assert!(
        ring.features().contains(uring::Features::NODROP),
        "FEAT_NODROP (Linux 5.5+) is what makes overflow lossless"
    );
    let mut submitted = 0u64;
    let mut saw_overflow_flag = false;
    let mut ebusy = 0u64;
    let mut seen = vec![false; N as usize];
    let mut reaped = 0u64;
    let mut reap = |ring: &mut Ring, reaped: &mut u64| {
        for c in ring.cq() {
            let i = c.user_data();
            assert!(i < N, "unknown user_data {i:#x}");
            assert_eq!(c.res(), 0);
            assert!(!seen[i as usize], "user_data {i} delivered twice");
            seen[i as usize] = true;
            *reaped += 1;
        }
    };
    while submitted < N {
        {
            let mut sq = ring.sq();
            while submitted < N {
                let sqe = opcode::Nop::new().build().user_data(submitted);
                // SAFETY: a NOP carries no pointer.
                if unsafe { sq.push(&sqe) }.is_err() {
                    break;
                }
                submitted += 1;
            }
        }
        match ring.submit() {
            Ok(_) => {}
            // Kernels before 5.19 refuse new submissions while the overflow list cannot be
            // flushed: the only way on is to reap.
            Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {
                ebusy += 1;
                reap(&mut ring, &mut reaped);
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => panic!("submit: {e}"),
        }
        saw_overflow_flag |= ring.sq().cq_overflow();
    }
    let overflow_counter = ring.cq().overflow();
    assert!(
        saw_overflow_flag,
        "the CQ overflowed (IORING_SQ_CQ_OVERFLOW)"
    );
    // Reap everything: each wait flushes the overflow list into the CQ as room appears.
    let deadline = Instant::now() + Duration::from_secs(60);
    while reaped < N {
        assert!(
            Instant::now() < deadline,
            "only {reaped} of {N} CQEs after 60 s"
        );
        reap(&mut ring, &mut reaped);
        if reaped < N {
            match ring.submitter().submit_and_wait(1) {
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => panic!("waiting: {e}"),
            }
        }
    }
    assert!(seen.iter().all(|&s| s), "every user_data delivered");
    assert_eq!(reaped, N, "each exactly once");
    // With NODROP the counter counts only completions truly dropped.
    assert_eq!(overflow_counter, 0, "CQEs dropped by the kernel");
    assert_eq!(ring.cq().overflow(), 0);
    nop(&mut ring, 3);
    let mut row = Row::new("CQ overflow: 100,000 NOPs, 8-entry CQ");
    row.faults = N - 8;
    row.note = format!(
        "{reaped} CQEs, each user_data once; overflow counter {overflow_counter}; EBUSY {ebusy}"
    );
    row
}

// ----- RLIMIT_MEMLOCK ------------------------------------------------------------------------

/// Fixed buffers over a lowered `RLIMIT_MEMLOCK` (in a child without `CAP_IPC_LOCK`).
pub(crate) fn memlock() -> Row {
    let report = ChildReport::run("memlock");
    assert_eq!(
        report.get("errno"),
        libc::ENOMEM.to_string(),
        "{}",
        report.stdout
    );
    let msg = report.get("message");
    assert!(msg.contains("RLIMIT_MEMLOCK"), "cause named: {msg}");
    assert!(msg.contains("ulimit -l"), "remedy named: {msg}");
    assert!(msg.contains("IORING_REGISTER_BUFFERS"), "call named: {msg}");
    assert_eq!(report.get("second_registration"), "ok");
    let mut row = Row::new("RLIMIT_MEMLOCK 64 KiB, 4 MiB fixed buffers");
    row.faults = 1;
    row.note =
        "ENOMEM naming RLIMIT_MEMLOCK; nothing left registered or accounted; ring works".into();
    row
}

// ----- EINTR ---------------------------------------------------------------------------------

const EINTR_BYTES: usize = 1000;

/// Writes `EINTR_BYTES` one at a time, each only once the waiter has read the one before
/// (`read`) and a pause has passed, while another thread signals the waiter all along. So the
/// waiter is blocked in its wait through every pause: without the hand-over, a waiter slower
/// than the writer (an emulated guest) always found data ready, never waited, and no signal
/// could interrupt a wait. Returns the signals sent. `waiter` must be running; `done` is set
/// by it when finished.
fn signal_and_write(
    mut w: UnixStream,
    waiter: libc::pthread_t,
    done: Arc<AtomicBool>,
    read: Arc<AtomicUsize>,
) -> u64 {
    let sent = Arc::new(AtomicU64::new(0));
    let signaller = {
        let done = done.clone();
        let sent = sent.clone();
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while !done.load(Ordering::Acquire) && Instant::now() < deadline {
                if sys::signal_thread(waiter, libc::SIGUSR1).is_err() {
                    break;
                }
                sent.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_micros(50));
            }
        })
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    for i in 0..EINTR_BYTES {
        while read.load(Ordering::Acquire) < i && Instant::now() < deadline {
            std::thread::sleep(Duration::from_micros(50));
        }
        std::thread::sleep(Duration::from_micros(300));
        w.write_all(&[(i % 251) as u8]).unwrap();
    }
    signaller.join().unwrap();
    sent.load(Ordering::Relaxed)
}

/// Reads what is readable on `r` (non-blocking), checking the sequence; returns the count.
fn read_seq(r: &mut UnixStream, next: &mut usize) {
    let mut buf = [0u8; 256];
    loop {
        match r.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => {
                for &b in &buf[..n] {
                    assert_eq!(b, (*next % 251) as u8, "byte {next} out of order");
                    *next += 1;
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => panic!("read: {e}"),
        }
    }
}

fn eintr(
    name: &str,
    waiter: impl FnOnce(UnixStream, Arc<AtomicBool>, Arc<AtomicUsize>) -> (usize, u64, u64)
    + Send
    + 'static,
) -> Row {
    let old = sys::install_noop_handler(libc::SIGUSR1).unwrap();
    let (r, w) = UnixStream::pair().unwrap();
    r.set_nonblocking(true).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let read = Arc::new(AtomicUsize::new(0));
    let t = {
        let done = done.clone();
        let read = read.clone();
        std::thread::spawn(move || waiter(r, done, read))
    };
    let signals = signal_and_write(w, t.as_pthread_t(), done, read);
    let (got, wakeups, eintrs) = t.join().unwrap();
    sys::restore(libc::SIGUSR1, &old).unwrap();
    assert_eq!(got, EINTR_BYTES, "every byte read, in order");
    assert!(signals > 0);
    assert!(
        eintrs > 0,
        "{signals} signals never interrupted a wait: the test did not test EINTR"
    );
    let mut row = Row::new(name);
    row.faults = signals;
    row.bytes_verified = got as u64;
    row.note = format!(
        "{EINTR_BYTES} bytes in order over {wakeups} wake-ups; {eintrs} waits returned EINTR"
    );
    row
}

/// Signals during `io_uring_enter` waits: a POLL_ADD per wake-up, re-armed, nothing lost.
pub(crate) fn eintr_uring() -> Row {
    eintr("EINTR during io_uring_enter waits", |mut r, done, read| {
        let mut ring = Ring::new(8).unwrap();
        let (mut next, mut wakeups, mut eintrs) = (0usize, 0u64, 0u64);
        let deadline = Instant::now() + Duration::from_secs(60);
        while next < EINTR_BYTES {
            assert!(Instant::now() < deadline, "EINTR test stuck at byte {next}");
            let sqe = opcode::PollAdd::new(Fd(r.as_raw_fd()), uring::types::PollEvents::IN)
                .build()
                .user_data(wakeups);
            // SAFETY: POLL_ADD carries no pointer.
            unsafe { ring.sq().push(&sqe) }.unwrap();
            let cqe = loop {
                if let Some(c) = ring.cq().next() {
                    break c;
                }
                match ring.submit_and_wait(1) {
                    Ok(_) => {}
                    Err(e) if e.kind() == ErrorKind::Interrupted => eintrs += 1,
                    Err(e) => panic!("io_uring_enter: {e}"),
                }
            };
            assert_eq!(cqe.user_data(), wakeups, "the poll just armed");
            assert!(
                cqe.res() > 0 && cqe.res() & libc::POLLIN as i32 != 0,
                "{}",
                cqe.res()
            );
            wakeups += 1;
            read_seq(&mut r, &mut next);
            read.store(next, Ordering::Release);
        }
        done.store(true, Ordering::Release);
        (next, wakeups, eintrs)
    })
}

/// Signals during `epoll_wait`: level-triggered readiness, nothing lost.
pub(crate) fn eintr_epoll() -> Row {
    eintr("EINTR during epoll_wait", |mut r, done, read| {
        let ep = Epoll::new().unwrap();
        ep.add(&r, 1, Interest::READABLE).unwrap();
        let mut events = Events::with_capacity(4);
        let (mut next, mut wakeups, mut eintrs) = (0usize, 0u64, 0u64);
        let deadline = Instant::now() + Duration::from_secs(60);
        while next < EINTR_BYTES {
            assert!(Instant::now() < deadline, "EINTR test stuck at byte {next}");
            match ep.wait(&mut events, None) {
                Ok(n) => {
                    assert_eq!(n, 1);
                    assert_eq!(events.iter().next().map(|e| e.token()), Some(1));
                    wakeups += 1;
                    read_seq(&mut r, &mut next);
                    read.store(next, Ordering::Release);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => eintrs += 1,
                Err(e) => panic!("epoll_wait: {e}"),
            }
        }
        done.store(true, Ordering::Release);
        (next, wakeups, eintrs)
    })
}

// ----- bad input -----------------------------------------------------------------------------

/// One case: what it was, the result expected (`Ok(n)` or `Err(errno)`, several allowed).
struct Case<'a> {
    what: &'a str,
    res: i32,
    want: &'a [i32],
}

fn expect(cases: &mut Vec<String>, c: Case<'_>) {
    assert!(
        c.want.contains(&c.res),
        "{}: the kernel answered {} ({}), expected one of {:?}",
        c.what,
        c.res,
        if c.res < 0 {
            io::Error::from_raw_os_error(-c.res).to_string()
        } else {
            "ok".into()
        },
        c.want
    );
    cases.push(format!("{} → {}", c.what, show(c.res)));
}

fn show(res: i32) -> String {
    if res < 0 {
        errno_name(-res).to_owned()
    } else {
        res.to_string()
    }
}

/// A page of memory followed by an inaccessible page: a read past the first page faults
/// inside our own mapping, never into other memory.
struct Guarded {
    ptr: *mut u8,
}

impl Guarded {
    const PAGE: usize = 4096;

    fn new() -> Guarded {
        // SAFETY: an anonymous private mapping; no existing memory is affected.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                2 * Self::PAGE,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(p, libc::MAP_FAILED);
        // SAFETY: the second page of the mapping just made.
        let r = unsafe {
            libc::mprotect(
                p.cast::<u8>().add(Self::PAGE).cast(),
                Self::PAGE,
                libc::PROT_NONE,
            )
        };
        assert_eq!(r, 0);
        Guarded { ptr: p.cast() }
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`, unmapped once; no request uses it any more (every
        // CQE is reaped before the guard is dropped).
        unsafe { libc::munmap(self.ptr.cast(), 2 * Self::PAGE) };
    }
}

/// Closed fds, fds of the wrong kind, zero and huge lengths, invalid offsets, out-of-range
/// fixed indexes: the kernel's errno in the CQE or the registration's error, never a panic,
/// and a NOP goes through after each.
pub(crate) fn bad_input_uring() -> Row {
    let mut ring = Ring::new(16).unwrap();
    let mut cases = Vec::new();
    let mut n = 0u64;
    let mut file = sys::tempfile();
    file.write_all(&[7u8; 65536]).unwrap();
    let ffd = Fd(file.as_raw_fd());
    let mut buf = vec![0u8; 4096];
    let bp = buf.as_mut_ptr();

    // Submits `sqe`, checks the answer, then a NOP.
    macro_rules! case {
        ($what:expr, $sqe:expr, $want:expr) => {{
            // SAFETY: every pointer in these SQEs is to `buf`, `iovs`, the guarded mapping or
            // the fixed buffer, all alive until after `one` reaps the CQE.
            let res = unsafe { one(&mut ring, $sqe) };
            expect(
                &mut cases,
                Case {
                    what: $what,
                    res,
                    want: &$want,
                },
            );
            n += 1;
            nop(&mut ring, n);
        }};
    }

    // Closed fd: a pipe's read end, closed before the read.
    let closed = {
        let (a, _b) = UnixStream::pair().unwrap();
        a.into_raw_fd()
    };
    // SAFETY: `closed` came from into_raw_fd just above and is closed once, here.
    unsafe { libc::close(closed) };
    case!(
        "READ on a closed fd",
        opcode::Read::new(Fd(closed), bp, 16).build(),
        [-libc::EBADF]
    );
    case!(
        "WRITE on fd -1",
        opcode::Write::new(Fd(-1), bp, 16).build(),
        [-libc::EBADF]
    );
    // Wrong kinds.
    case!(
        "ACCEPT on a regular file",
        opcode::Accept::new(ffd, std::ptr::null_mut(), std::ptr::null_mut()).build(),
        [-libc::ENOTSOCK]
    );
    case!(
        "RECV on a regular file",
        opcode::Recv::new(ffd, bp, 16).build(),
        [-libc::ENOTSOCK]
    );
    let ro = File::open("/proc/self/exe").unwrap();
    case!(
        "WRITE on a read-only fd",
        opcode::Write::new(Fd(ro.as_raw_fd()), bp, 16).build(),
        [-libc::EBADF]
    );
    // (Not an epoll fd: io_uring arms a poll on it and the READ waits for an event, then
    // fails; a directory fails at once.)
    let dir = File::open(std::env::temp_dir()).unwrap();
    case!(
        "READ on a directory fd",
        opcode::Read::new(Fd(dir.as_raw_fd()), bp, 16).build(),
        [-libc::EISDIR]
    );
    // Zero and huge lengths.
    case!(
        "READ of 0 bytes",
        opcode::Read::new(ffd, bp, 0).offset(0).build(),
        [0]
    );
    case!(
        "WRITE of 0 bytes",
        opcode::Write::new(ffd, bp, 0).offset(0).build(),
        [0]
    );
    let guarded = Guarded::new();
    // The kernel copies until the guard page faults: a short read of one page, or EFAULT.
    case!(
        "READ of u32::MAX bytes into a 4 KiB page before a guard page",
        opcode::Read::new(ffd, guarded.ptr, u32::MAX)
            .offset(0)
            .build(),
        [Guarded::PAGE as i32, -libc::EFAULT]
    );
    let iovs = vec![
        libc::iovec {
            iov_base: bp.cast(),
            iov_len: 0
        };
        1025
    ];
    case!(
        "READV with 1025 iovecs (UIO_MAXIOV is 1024)",
        opcode::Readv::new(ffd, iovs.as_ptr(), 1025)
            .offset(0)
            .build(),
        [-libc::EINVAL]
    );
    // Invalid offsets.
    case!(
        "READ at offset 2^63 (negative loff_t)",
        opcode::Read::new(ffd, bp, 16).offset(1 << 63).build(),
        [-libc::EINVAL]
    );
    case!(
        "READ at offset 2^40 (past EOF)",
        opcode::Read::new(ffd, bp, 16).offset(1 << 40).build(),
        [0]
    );
    case!(
        "WRITE at offset 2^63",
        opcode::Write::new(ffd, bp, 16).offset(1 << 63).build(),
        [-libc::EINVAL]
    );
    case!(
        "READ at offset -1 (the file position, at EOF)",
        opcode::Read::new(ffd, bp, 16).offset(u64::MAX).build(),
        [0]
    );
    // Fixed buffers and files out of range, before and after registering.
    case!(
        "READ_FIXED index 0, no buffers registered",
        opcode::ReadFixed::new(ffd, bp, 16, 0).offset(0).build(),
        [-libc::EFAULT]
    );
    case!(
        "READ with fixed file 5, no files registered",
        opcode::Read::new(Fixed(5), bp, 16).offset(0).build(),
        [-libc::EBADF]
    );
    let mut fixed = vec![0u8; 4096];
    let fixed_iov = [iov(&mut fixed)];
    // SAFETY: `fixed` stays alive until after `unregister_buffers` below, and every request
    // naming it is reaped inside `one`.
    unsafe { ring.submitter().register_buffers(&fixed_iov) }.unwrap();
    let fp = fixed.as_mut_ptr();
    case!(
        "READ_FIXED index 7 of 1",
        opcode::ReadFixed::new(ffd, fp, 16, 7).offset(0).build(),
        [-libc::EFAULT]
    );
    case!(
        "READ_FIXED index 0, address outside the buffer",
        opcode::ReadFixed::new(ffd, bp, 16, 0).offset(0).build(),
        [-libc::EFAULT]
    );
    case!(
        "READ_FIXED index 0, 4096 bytes from offset 1",
        opcode::ReadFixed::new(ffd, fp.wrapping_add(1), 4096, 0)
            .offset(0)
            .build(),
        [-libc::EFAULT]
    );
    case!(
        "READ_FIXED index 0, in range",
        opcode::ReadFixed::new(ffd, fp, 4096, 0).offset(0).build(),
        [4096]
    );
    ring.submitter().register_files(&[file.as_fd()]).unwrap();
    case!(
        "READ with fixed file 1 of 1",
        opcode::Read::new(Fixed(1), bp, 16).offset(0).build(),
        [-libc::EBADF]
    );
    case!(
        "READ with fixed file u32::MAX",
        opcode::Read::new(Fixed(u32::MAX), bp, 16).offset(0).build(),
        [-libc::EBADF]
    );
    case!(
        "READ with fixed file 0 of 1",
        opcode::Read::new(Fixed(0), bp, 16).offset(0).build(),
        [16]
    );
    // Registration calls with bad arguments: an error through the API, the ring unchanged.
    let mut reg_cases = 0;
    let mut reg = |what: &str, r: io::Result<()>, want: &[i32], cases: &mut Vec<String>| {
        let e = r.expect_err(what);
        let errno = uring::error::errno(&e).expect("errno kept");
        assert!(
            want.contains(&errno),
            "{what}: {e} (errno {errno}), expected {want:?}"
        );
        cases.push(format!("{what} → {}", errno_name(errno)));
        reg_cases += 1;
    };
    reg(
        "register_buffers twice",
        // SAFETY: the call fails (a table is registered), so nothing is kept.
        unsafe { ring.submitter().register_buffers(&fixed_iov) },
        &[libc::EBUSY],
        &mut cases,
    );
    reg(
        "register_files_update at slot 100 of 1",
        ring.submitter()
            .register_files_update(100, &[uring::register::FileSlot::Fd(file.as_fd())])
            .map(drop),
        &[libc::EINVAL],
        &mut cases,
    );
    ring.submitter().unregister_buffers().unwrap();
    let zero = [libc::iovec {
        iov_base: bp.cast(),
        iov_len: 0,
    }];
    reg(
        "register_buffers with a 0-byte buffer",
        // SAFETY: a zero-length iovec names no memory.
        unsafe { ring.submitter().register_buffers(&zero) },
        &[libc::EFAULT, libc::EINVAL],
        &mut cases,
    );
    let huge = [libc::iovec {
        iov_base: bp.cast(),
        iov_len: 2 << 30,
    }];
    reg(
        "register_buffers with a 2 GiB buffer over 4 KiB",
        // SAFETY: the kernel refuses buffers over 1 GiB before pinning anything.
        unsafe { ring.submitter().register_buffers(&huge) },
        &[libc::EFAULT, libc::EINVAL],
        &mut cases,
    );
    nop(&mut ring, 1000);
    drop(ring);
    drop(fixed);
    drop(guarded);
    drop(buf);
    for c in &cases {
        eprintln!("  {c}");
    }
    let mut row = Row::new("bad input: io_uring SQEs and registrations");
    row.inputs = n + reg_cases;
    row.note =
        "kernel errno in each CQE/error (EBADF, ENOTSOCK, EINVAL, EFAULT, EBUSY); a NOP after each"
            .into();
    row
}

/// Bad input to epoll_ctl: the errno through the API, and the instance still delivers events.
pub(crate) fn bad_input_epoll() -> Row {
    let ep = Epoll::new().unwrap();
    let (a, mut b) = UnixStream::pair().unwrap();
    let file = sys::tempfile();
    let mut tried = 0;
    let mut check = |what: &str, r: io::Result<()>, errno: i32, kind: ErrorKind| {
        let e = r.expect_err(what);
        let got = e
            .get_ref()
            .and_then(|e| e.downcast_ref::<epoll::CtlError>())
            .map(|c| c.raw_os_error())
            .or(e.raw_os_error());
        assert_eq!(got, Some(errno), "{what}: {e}");
        assert_eq!(e.kind(), kind, "{what}: {e}");
        tried += 1;
    };
    check(
        "add a regular file",
        ep.add(&file, 1, Interest::READABLE),
        libc::EPERM,
        ErrorKind::PermissionDenied,
    );
    check(
        "modify an fd never added",
        ep.modify(&a, 1, Interest::READABLE),
        libc::ENOENT,
        ErrorKind::NotFound,
    );
    check(
        "delete an fd never added",
        ep.delete(&a),
        libc::ENOENT,
        ErrorKind::NotFound,
    );
    check(
        "add the epoll fd to itself",
        ep.add(&ep, 1, Interest::READABLE),
        libc::EINVAL,
        ErrorKind::InvalidInput,
    );
    ep.add(&a, 9, Interest::READABLE).unwrap();
    check(
        "add the same fd twice",
        ep.add(&a, 9, Interest::READABLE),
        libc::EEXIST,
        ErrorKind::AlreadyExists,
    );
    check(
        "modify with EXCLUSIVE",
        ep.modify(&a, 9, Interest::READABLE | Interest::EXCLUSIVE),
        libc::EINVAL,
        ErrorKind::InvalidInput,
    );
    // Still working, and the registration is the one from before the errors.
    b.write_all(b"!").unwrap();
    let mut events = Events::with_capacity(4);
    let n = ep.wait(&mut events, Some(Duration::from_secs(5))).unwrap();
    assert_eq!(n, 1);
    assert_eq!(events.iter().next().map(|e| e.token()), Some(9));
    let mut row = Row::new("bad input: epoll_ctl");
    row.inputs = tried;
    row.note =
        "EPERM, ENOENT, EINVAL, EEXIST through CtlError with the errno's kind; events still arrive"
            .into();
    row
}
