//! Bench-only load client for `ci/bench/mem.sh`: opens many connections to an echo or HTTP
//! server, keeps them idle and then busy, and samples the server's memory (`VmRSS`, `VmHWM`
//! from `/proc/<pid>/status`) at each step, so the figures line up with what the connections
//! were doing.
//!
//! ```sh
//! conn_load --port 7878 --pid "$SERVER_PID" --conns 2000 --seconds 30 [--http] [--samples FILE]
//! ```
//!
//! Steps: sample the idle process (`base`); open `--conns` connections, one at a time; every
//! connection does one round trip (so the server has accepted it and set up its state), then
//! all stay quiet for a second (`idle`); then every connection keeps one small message in
//! flight (send 64 bytes, read them back, again; with `--http` a GET and its reply) for
//! `--seconds`, the server sampled every second (`busy`). Prints one `key=value` line that
//! `mem.sh` reads (with the kernel's slab memory before and at the end, system-wide); with
//! `--samples`, one `seconds rss_kib` line per busy sample too.
//! Needs `--conns` + a few descriptors (`ulimit -n`).

use epoll::{Epoll, Events, Interest};
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

const MSG: &[u8; 64] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n";
const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
/// The servers' reply to `GET` (the same canned response in every server).
const REPLY_LEN: usize =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world!".len();

/// `VmRSS` and `VmHWM` of `pid`, in KiB.
fn mem(pid: u32) -> io::Result<(u64, u64)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> u64 {
        s.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    Ok((field("VmRSS:"), field("VmHWM:")))
}

/// The kernel's slab memory (`Slab:` of `/proc/meminfo`, KiB): system-wide, so it holds both
/// ends' sockets too; the same for every server, so the difference between servers is theirs
/// (epoll items, io_uring requests).
fn slab() -> io::Result<u64> {
    let s = std::fs::read_to_string("/proc/meminfo")?;
    Ok(s.lines()
        .find_map(|l| l.strip_prefix("Slab:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0))
}

struct Conn {
    s: TcpStream,
    /// Bytes of the current reply still to read.
    want: usize,
}

fn usage() -> ! {
    eprintln!(
        "usage: conn_load --port N --pid PID [--conns N] [--seconds N] [--http] [--samples FILE]"
    );
    std::process::exit(2);
}

fn main() -> io::Result<()> {
    let (mut port, mut pid, mut conns, mut seconds, mut http, mut samples) =
        (0u16, 0u32, 2000usize, 30u64, false, None::<String>);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--port" => port = val().parse().unwrap_or_else(|_| usage()),
            "--pid" => pid = val().parse().unwrap_or_else(|_| usage()),
            "--conns" => conns = val().parse().unwrap_or_else(|_| usage()),
            "--seconds" => seconds = val().parse().unwrap_or_else(|_| usage()),
            "--samples" => samples = Some(val()),
            "--http" => http = true,
            _ => usage(),
        }
    }
    if port == 0 || pid == 0 {
        usage();
    }
    let (msg, reply): (&[u8], usize) = if http {
        (GET, REPLY_LEN)
    } else {
        (MSG, MSG.len())
    };
    let (base, _) = mem(pid)?;
    let slab_base = slab()?;

    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let ep = Epoll::new()?;
    let mut cs = Vec::with_capacity(conns);
    for i in 0..conns {
        let s = TcpStream::connect(addr)?;
        s.set_nodelay(true)?;
        s.set_nonblocking(true)?;
        ep.add(&s, i as u64, Interest::READABLE)?;
        cs.push(Conn { s, want: 0 });
    }

    // One round trip each; then quiet.
    let mut events = Events::with_capacity(1024);
    let mut buf = vec![0u8; 64 * 1024];
    let mut round = |cs: &mut Vec<Conn>, until: Option<Instant>| -> io::Result<u64> {
        for c in cs.iter_mut() {
            c.s.write_all(msg)?;
            c.want = reply;
        }
        let mut waiting = cs.len();
        let mut trips = 0u64;
        while waiting > 0 {
            ep.wait(&mut events, Some(Duration::from_secs(10)))?;
            if events.is_empty() {
                return Err(io::Error::new(ErrorKind::TimedOut, "no reply for 10 s"));
            }
            for ev in &events {
                let c = &mut cs[ev.token() as usize];
                loop {
                    match c.s.read(&mut buf) {
                        Ok(0) => return Err(io::Error::new(ErrorKind::UnexpectedEof, "closed")),
                        Ok(n) if n <= c.want => c.want -= n,
                        Ok(_) => return Err(io::Error::other("more bytes than sent")),
                        Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                        Err(e) if e.kind() == ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                }
                if c.want == 0 {
                    trips += 1;
                    match until {
                        // Busy: the next message at once, until the deadline.
                        Some(t) if Instant::now() < t => {
                            c.s.write_all(msg)?;
                            c.want = reply;
                        }
                        _ => waiting -= 1,
                    }
                }
            }
        }
        Ok(trips)
    };
    round(&mut cs, None)?;
    std::thread::sleep(Duration::from_secs(1));
    let (idle, _) = mem(pid)?;

    // Busy, sampled once a second (the loop runs in one-second slices).
    let start = Instant::now();
    let mut rss = Vec::new();
    let mut trips = 0u64;
    for _ in 0..seconds {
        trips += round(&mut cs, Some(Instant::now() + Duration::from_secs(1)))?;
        rss.push((start.elapsed().as_secs_f64(), mem(pid)?.0));
    }
    let (_, hwm) = mem(pid)?;
    let slab_busy = slab()?;
    let elapsed = start.elapsed().as_secs_f64();

    // Least-squares slope of RSS over time (KiB per minute), after the first tenth (warm-up).
    let tail = &rss[rss.len() / 10..];
    let n = tail.len() as f64;
    let (mx, my) = tail
        .iter()
        .fold((0.0, 0.0), |(x, y), &(t, r)| (x + t / n, y + r as f64 / n));
    let (sxy, sxx) = tail.iter().fold((0.0, 0.0), |(a, b), &(t, r)| {
        (a + (t - mx) * (r as f64 - my), b + (t - mx) * (t - mx))
    });
    // (+ 0.0: a flat run prints 0.0, not -0.0.)
    let slope = if sxx > 0.0 {
        sxy / sxx * 60.0 + 0.0
    } else {
        0.0
    };
    let first = rss.first().map_or(0, |s| s.1);
    let last = rss.last().map_or(0, |s| s.1);
    let max = rss.iter().map(|s| s.1).max().unwrap_or(0);
    if let Some(path) = samples {
        let mut f = std::fs::File::create(path)?;
        for (t, r) in &rss {
            writeln!(f, "{t:.1} {r}")?;
        }
    }
    println!(
        "conns={conns} base_kib={base} idle_kib={idle} busy_kib={last} hwm_kib={hwm} \
         first_kib={first} last_kib={last} max_kib={max} slope_kib_per_min={slope:.1} \
         trips_per_s={:.0} seconds={elapsed:.0} slab_base_kib={slab_base} slab_busy_kib={slab_busy}",
        trips as f64 / elapsed
    );
    Ok(())
}
