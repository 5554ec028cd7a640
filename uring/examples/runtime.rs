//! A complete small async runtime on `uring::driver`, with no `unsafe` (it lives in
//! `servers/src/runtime.rs`, `servers::runtime`, which the tests run too), and an echo server and clients written with `async`/`await` on it.
//!
//! ```sh
//! cargo run --release -p evbind-uring --example runtime                 # the demo: server + clients
//! cargo run --release -p evbind-uring --example runtime -- --port 8080  # serve echo until killed
//! cargo run --release -p evbind-uring --example runtime -- --port 8080 --http   # for wrk
//! ```
//!
//! The demo starts the echo server on a free port, runs 16 clients that each send 200
//! messages and check every echoed byte (each read bounded by `timeout`), shows a `timeout`
//! abandoning a read that never completes, and stops the server from another thread (the
//! driver's waker makes the runtime's blocked wait return).
#![forbid(unsafe_code)]

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use servers::runtime::{Runtime, Stop, TcpListener, TcpStream, echo_server, spawn, timeout};

const CLIENTS: usize = 16;
const MESSAGES: usize = 200;

fn main() -> io::Result<()> {
    let mut port = None;
    let mut http = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => port = args.next().and_then(|p| p.parse::<u16>().ok()),
            "--http" => http = true,
            _ => {
                eprintln!("usage: runtime [--port PORT [--http]]");
                std::process::exit(2);
            }
        }
    }
    let rt = Runtime::new(256)?;
    if let Some(port) = port {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))?;
        println!("runtime: serving on {}", listener.local_addr()?);
        let served = rt.block_on(echo_server(listener, Stop::default(), http));
        println!("{served:?}");
        return Ok(());
    }
    rt.block_on(demo())
}

async fn demo() -> io::Result<()> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    let addr = listener.local_addr()?;
    let stop = Stop::default();
    // Another thread stops the server once every client is done.
    let (done_tx, done_rx) = std::sync::mpsc::channel::<io::Result<()>>();
    let stopper = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let results: Vec<io::Result<()>> = done_rx.iter().take(CLIENTS).collect();
            stop.stop();
            results.into_iter().collect::<io::Result<()>>()
        })
    };
    let t0 = Instant::now();
    for i in 0..CLIENTS {
        let done = done_tx.clone();
        spawn(async move {
            let _ = done.send(client(addr, i).await);
        });
    }
    // A read nobody answers, bounded: `timeout` drops it, which abandons (cancels) the read.
    spawn(async move {
        if let Ok(idle) = TcpStream::connect(addr).await {
            let r = timeout(Duration::from_millis(50), idle.read(Vec::with_capacity(8))).await;
            assert!(r.is_err(), "nobody writes to this connection");
        }
    });
    let served = echo_server(listener, stop, false).await;
    stopper
        .join()
        .map_err(|_| io::Error::other("the stopping thread panicked"))??;
    let want = (CLIENTS * MESSAGES * message(0, 0).len()) as u64;
    println!(
        "runtime: {} clients x {MESSAGES} messages echoed and checked in {:?}; server: {served:?}",
        CLIENTS,
        t0.elapsed()
    );
    if served.bytes_out < want {
        return Err(io::Error::other("fewer bytes echoed than sent"));
    }
    Ok(())
}

fn message(client: usize, k: usize) -> Vec<u8> {
    format!("client {client:03} message {k:05}\n").into_bytes()
}

/// Sends `MESSAGES` messages and checks each echo, byte for byte.
async fn client(addr: SocketAddr, id: usize) -> io::Result<()> {
    let conn = TcpStream::connect(addr).await?;
    let mut buf = Vec::with_capacity(256);
    for k in 0..MESSAGES {
        let msg = message(id, k);
        let (r, sent) = conn.write_all(msg).await;
        r?;
        let mut got = Vec::new();
        while got.len() < sent.len() {
            let (r, b) = timeout(Duration::from_secs(5), conn.read(buf)).await?;
            buf = b;
            match r? {
                0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                n => got.extend_from_slice(&buf[..n]),
            }
        }
        if got != sent {
            return Err(io::Error::other(format!(
                "client {id}: echo differs at {k}"
            )));
        }
    }
    Ok(())
}
