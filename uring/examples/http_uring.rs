//! A single-threaded HTTP/1.1 "Hello, world!" responder on io_uring, the same design as
//! `echo_uring` (multishot accept, multishot recv into a provided buffer ring, owned sends, an
//! optional linked send timeout, SIGINT, epoll fallback), for `wrk`:
//!
//! ```sh
//! cargo run --release -p evbind-uring --example http_uring -- --port 8080
//! wrk -t1 -c64 -d5s http://127.0.0.1:8080/
//! ```

#[path = "support/cli.rs"]
mod cli;

use servers::uring_server;

fn main() -> std::io::Result<()> {
    cli::main("http_uring", uring_server::Protocol::Http, 8080)
}
