//! The `main` shared by `echo_uring` and `http_uring`: arguments, SIGINT, and the fallback to
//! epoll when io_uring is denied.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI32, Ordering};

use servers::{echo_server, uring_server};

/// The eventfd that stops the io_uring server; written by the SIGINT handler.
static STOP_FD: AtomicI32 = AtomicI32::new(-1);
/// The epoll server's stop handle, when that one runs.
static EPOLL_STOP: OnceLock<echo_server::StopHandle> = OnceLock::new();

extern "C" fn on_sigint(_: libc::c_int) {
    let fd = STOP_FD.load(Ordering::Relaxed);
    if fd >= 0 {
        let one = 1u64.to_ne_bytes();
        // SAFETY: write(2) is async-signal-safe; `one` is 8 readable bytes; a failed write only
        // means the server is already stopping.
        unsafe { libc::write(fd, one.as_ptr().cast(), 8) };
    } else if let Some(h) = EPOLL_STOP.get() {
        // An atomic store and an eventfd write: async-signal-safe.
        let _ = h.stop();
    }
}

fn usage(name: &str) -> ! {
    eprintln!("usage: {name} [--port N] [--max-conns N] [--send-timeout-ms N]");
    std::process::exit(2);
}

/// Parses the arguments, serves until SIGINT, prints the statistics.
pub(crate) fn main(
    name: &str,
    protocol: uring_server::Protocol,
    default_port: u16,
) -> io::Result<()> {
    let mut port = default_port;
    let mut config = uring_server::Config {
        protocol,
        ..uring_server::Config::default()
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = || -> u64 {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| usage(name))
        };
        match a.as_str() {
            "--port" => port = u16::try_from(num()).unwrap_or_else(|_| usage(name)),
            "--max-conns" => config.max_conns = num() as usize,
            "--send-timeout-ms" => {
                config.send_timeout = Some(std::time::Duration::from_millis(num()))
            }
            _ => usage(name),
        }
    }
    // SAFETY: `on_sigint` only does async-signal-safe things (see there).
    unsafe { libc::signal(libc::SIGINT, on_sigint as *const () as libc::sighandler_t) };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    match uring_server::Server::bind(addr, config) {
        Ok(server) => {
            STOP_FD.store(server.stop_handle().fd(), Ordering::Relaxed);
            println!(
                "{name}: io_uring server on {} (max {} connections; ring: {})",
                server.local_addr()?,
                config.max_conns,
                server.setup()
            );
            let stats = server.run()?;
            println!("{stats:?}");
        }
        Err(e)
            if matches!(uring::error::errno(&e), Some(libc::ENOSYS | libc::EPERM))
                || e.kind() == io::ErrorKind::Unsupported =>
        {
            eprintln!("{name}: io_uring unavailable ({e}); falling back to epoll");
            let epoll_config = echo_server::Config {
                max_conns: config.max_conns,
                protocol,
            };
            let server = echo_server::Server::bind(addr, epoll_config)?;
            let _ = EPOLL_STOP.set(server.stop_handle());
            println!("{name}: epoll server on {}", server.local_addr()?);
            let stats = server.run()?;
            println!("{stats:?}");
        }
        Err(e) => return Err(e),
    }
    Ok(())
}
