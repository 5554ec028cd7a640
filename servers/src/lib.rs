//! The servers behind the examples: echo and HTTP/1.1 "Hello, world!" on `epoll`
//! ([`echo_server`], the `echo_epoll` example) and on io_uring through the ownership layer
//! ([`uring_server`], `echo_uring` and `http_uring`), and the async runtime of the `runtime`
//! example with its echo server ([`runtime`]).
//!
//! They live in this unpublished workspace crate (not in one crate's `examples/`) because the
//! examples of `evbind-uring` and `evbind-epoll`, the `tests` crate's load and fault scenarios,
//! the epoll kernel tests and the benches (`ci/bench/wrk.sh`, `mem.sh` run the example
//! binaries) all run the same code. Each server binds, hands out a stop handle usable from
//! another thread, serves until stopped and returns its statistics.

pub mod echo_server;
pub mod http;
pub mod runtime;
pub mod uring_server;

/// What a server does with the bytes it reads (the same for the epoll and the io_uring server,
/// so a fallback from one to the other keeps it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Write every byte back.
    Echo,
    /// Answer each HTTP/1.1 request head (`\r\n\r\n`-terminated; bodies are not supported)
    /// with `200 OK` and "Hello, world!".
    Http,
}
