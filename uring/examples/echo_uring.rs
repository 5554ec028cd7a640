//! A single-threaded TCP echo server on io_uring through the ownership layer: multishot
//! accept, multishot recv into a provided buffer ring, owned sends (one in flight per
//! connection), an optional linked timeout on sends, clean shutdown on SIGINT. When io_uring is
//! denied (seccomp, `kernel.io_uring_disabled`), or the kernel lacks what the server uses
//! (provided-buffer rings and multishot accept are Linux 5.19, multishot recv 6.0), it says so
//! in one line and serves the same protocol with the epoll server instead.
//!
//! ```sh
//! cargo run --release -p evbind-uring --example echo_uring -- --port 7878 --max-conns 1024
//! ```
//!
//! The server is `servers::uring_server` (`servers/src/uring_server.rs`; its doc explains the
//! design), which the tests run too; the shared `main` is `support/cli.rs`.

#[path = "support/cli.rs"]
mod cli;

use servers::uring_server;

fn main() -> std::io::Result<()> {
    cli::main("echo_uring", uring_server::Protocol::Echo, 7878)
}
