//! Load: the echo servers under thousands of loopback connections, every byte checked.

use std::net::TcpStream;
use std::time::Duration;

use tests::data::{Pattern, Rng};
use tests::echo::{Echo, Kind};
use tests::load::{self, Plan};
use tests::report::Row;
use tests::sys;

/// Concurrent connections in the main load run (divided by the scale, see [`scale`]).
const CONNS: usize = 2000;
/// Bytes each connection sends and must get back (divided by the scale).
const STREAM: usize = 1 << 20;
/// The largest single write.
const MAX_WRITE: usize = 64 * 1024;
/// The bound on one run (it takes a few seconds here).
const WITHIN: Duration = Duration::from_secs(120);

/// `TESTS_LOAD_SCALE` (default 1): the load runs divide their connection counts and stream
/// sizes by it. The kernel matrix (ci/stages/95-kernels.sh) runs them under QEMU's emulation at
/// 1/16 size; everything else they check stays the same.
fn scale() -> usize {
    std::env::var("TESTS_LOAD_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&s| s >= 1)
        .unwrap_or(1)
}

fn conns() -> usize {
    CONNS / scale()
}

fn stream() -> usize {
    STREAM / scale()
}

fn pattern() -> Pattern {
    Pattern::new(stream(), 64 * 1024, 0x5EED)
}

/// Room for the client's and the server's end of every connection in this one process.
fn fds_for(conns: usize) {
    let want = (2 * conns + 256) as u64;
    let got = sys::raise_nofile(want).expect("RLIMIT_NOFILE");
    assert!(
        got >= want,
        "RLIMIT_NOFILE {got} < {want}: raise the hard limit"
    );
}

/// The echo server of `kind`, or `None` (printing why the scenario skips) when the kernel
/// lacks what the io_uring server uses (`ErrorKind::Unsupported`: before Linux 5.19).
fn start(kind: Kind, max_conns: usize, what: &str) -> Option<(Echo, std::sync::mpsc::Sender<()>)> {
    match Echo::start_paused(kind, max_conns) {
        Ok(s) => Some(s),
        Err(e) if e.kind() == std::io::ErrorKind::Unsupported => {
            println!("SKIPPED {what}: {e}");
            None
        }
        Err(e) => panic!("echo server: {e}"),
    }
}

/// The row of a scenario that skipped.
fn skipped(what: &str) -> Row {
    let mut row = Row::new(what);
    row.note = "skipped: the kernel lacks what the io_uring server uses".into();
    row
}

/// `load::run`, and on failure what the server says too.
fn run(server: Echo, p: &Pattern, plans: &[Plan]) -> (load::Report, Echo) {
    match load::run(server.addr(), p, plans, MAX_WRITE, WITHIN) {
        Ok(r) => (r, server),
        Err(e) => panic!("load run: {e}; the server says: {:?}", server.stop()),
    }
}

/// 2,000 connections × 1 MiB in random-sized writes.
fn echo(kind: Kind) -> Row {
    let (conns, stream) = (conns(), stream());
    fds_for(conns);
    let title = format!("load: {} echo, {conns} conns", kind.name());
    let Some((server, go)) = start(kind, conns + 16, &title) else {
        return skipped(&title);
    };
    drop(go);
    let (r, server) = run(server, &pattern(), &vec![Plan::Full; conns]);
    let s = server.stop().expect("server stats");
    assert_eq!(r.sent, (conns * stream) as u64, "every byte sent");
    assert_eq!(r.verified, r.sent, "every byte back, in order, once");
    assert_eq!(s.accepted, conns as u64, "{s:?}");
    assert_eq!((s.bytes_in, s.bytes_out), (r.sent, r.sent), "{s:?}");
    assert_eq!(s.dropped, 0, "{s:?}");
    let title = if scale() == 1 {
        "2,000 conns × 1 MiB".to_string()
    } else {
        format!("{conns} conns × {} KiB", stream / 1024)
    };
    let mut row = Row::new(&format!("load: {} echo, {title}", kind.name()));
    row.connections = r.connections as u64;
    row.bytes_verified = r.verified;
    row.note = match kind {
        Kind::Epoll => "random writes of 1 B–64 KiB".into(),
        Kind::Uring => format!(
            "random writes of 1 B–64 KiB; recv re-armed {} times after ENOBUFS (1,024 × 16 KiB \
             buffers), {} after a full CQ",
            s.rearmed, s.rearmed_other
        ),
        Kind::Runtime => "random writes of 1 B–64 KiB; one async task per connection, \
                          owned 16 KiB recv buffer echoed back as it is"
            .into(),
    };
    row
}

/// Half-closing and resetting peers mid-stream among full ones: the half-closed get back all
/// they sent, the resets cost the server nothing, and it keeps serving.
fn half_close_reset(kind: Kind) -> Row {
    let n = 300 / scale();
    let stream = stream();
    fds_for(n);
    let title = format!("load: {} echo, half-closed and reset peers", kind.name());
    let Some((server, go)) = start(kind, n + 16, &title) else {
        return skipped(&title);
    };
    drop(go);
    let p = pattern();
    let mut rng = Rng::new(7);
    let plans: Vec<Plan> = (0..n)
        .map(|i| match i % 3 {
            0 => Plan::HalfClose(rng.range(0, stream - 1)),
            1 => Plan::Reset(rng.range(1, stream - 1)),
            _ => Plan::Full,
        })
        .collect();
    let (r, server) = run(server, &p, &plans);
    assert_eq!((r.half_closed, r.reset), (n / 3, n / 3));
    // Afterwards the server still serves new connections, fully.
    let (after, server) = run(server, &p, &[Plan::Full; 8]);
    assert_eq!(after.verified, (8 * stream) as u64);
    let s = server.stop().expect("server stats");
    assert_eq!(s.accepted, (n + 8) as u64, "{s:?}");
    let mut row = Row::new(&format!(
        "load: {} echo, half-closed and reset peers",
        kind.name()
    ));
    row.connections = (n + 8) as u64;
    row.bytes_verified = r.verified + after.verified;
    row.faults = (r.half_closed + r.reset) as u64;
    row.note = format!(
        "{} half-closed part-way got all they sent back; {} reset mid-stream; 8 more served after",
        r.half_closed, r.reset
    );
    row
}

/// Connections opened faster than accepted: 1,000 connects while the server is bound but not
/// serving yet (the backlog fills, later SYNs wait), then it starts and serves them all.
fn backlog(kind: Kind) -> Row {
    const BYTES: usize = 16 * 1024;
    let n = 1000 / scale();
    fds_for(n);
    let title = format!("load: {} echo, connects before accept", kind.name());
    let Some((server, go)) = start(kind, n + 16, &title) else {
        return skipped(&title);
    };
    let addr = server.addr();
    let connector = std::thread::spawn(move || {
        (0..n)
            .map(|_| TcpStream::connect(addr))
            .collect::<std::io::Result<Vec<_>>>()
    });
    // Let the connects pile up in the backlog before anything is accepted.
    std::thread::sleep(Duration::from_millis(300));
    go.send(()).expect("the server thread waits");
    let socks = connector
        .join()
        .expect("connector thread")
        .expect("every connect completes once the server accepts");
    let p = Pattern::new(BYTES, 4096, 3);
    let r = load::run_on(socks, &p, &vec![Plan::Full; n], 4096, WITHIN).expect("load run");
    let s = server.stop().expect("server stats");
    assert_eq!(r.verified, (n * BYTES) as u64);
    assert_eq!(s.accepted, n as u64, "{s:?}");
    let mut row = Row::new(&format!(
        "load: {} echo, {} connects before accept",
        kind.name(),
        if n == 1000 {
            "1,000".to_string()
        } else {
            n.to_string()
        }
    ));
    row.connections = n as u64;
    row.bytes_verified = r.verified;
    row.note = "backlog filled while not accepting; every connection served after start".into();
    row
}

pub(crate) fn epoll_echo() -> Row {
    echo(Kind::Epoll)
}
pub(crate) fn epoll_half_close_reset() -> Row {
    half_close_reset(Kind::Epoll)
}
pub(crate) fn epoll_backlog() -> Row {
    backlog(Kind::Epoll)
}
pub(crate) fn uring_echo() -> Row {
    echo(Kind::Uring)
}
pub(crate) fn uring_half_close_reset() -> Row {
    half_close_reset(Kind::Uring)
}
pub(crate) fn uring_backlog() -> Row {
    backlog(Kind::Uring)
}
pub(crate) fn runtime_echo() -> Row {
    echo(Kind::Runtime)
}
pub(crate) fn runtime_half_close_reset() -> Row {
    half_close_reset(Kind::Runtime)
}
