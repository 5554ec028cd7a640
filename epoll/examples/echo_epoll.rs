//! A single-threaded, edge-triggered, non-blocking TCP echo server on 127.0.0.1, and with
//! `--http` a tiny HTTP/1.1 "Hello, world!" responder for `wrk`.
//!
//! ```sh
//! cargo run --release -p evbind-epoll --example echo_epoll -- --port 7878 --max-conns 1024
//! cargo run --release -p evbind-epoll --example echo_epoll -- --port 8080 --http
//! wrk -t1 -c64 -d5s http://127.0.0.1:8080/
//! ```
//!
//! The server itself is `servers::echo_server` (`servers/src/echo_server.rs`), which the tests
//! run too.

use servers::echo_server::{Config, Protocol, Server};
use std::net::{Ipv4Addr, SocketAddr};

fn usage() -> ! {
    eprintln!("usage: echo_epoll [--port N] [--max-conns N] [--http]");
    std::process::exit(2);
}

fn main() -> std::io::Result<()> {
    let mut port = 7878u16;
    let mut config = Config::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => {
                port = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            "--max-conns" => {
                config.max_conns = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            "--http" => config.protocol = Protocol::Http,
            _ => usage(),
        }
    }
    let server = Server::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)), config)?;
    let mode = match config.protocol {
        Protocol::Echo => "echo",
        Protocol::Http => "http",
    };
    println!(
        "{mode} server on {} (max {} connections)",
        server.local_addr()?,
        config.max_conns
    );
    let stats = server.run()?;
    println!("{stats:?}");
    Ok(())
}
