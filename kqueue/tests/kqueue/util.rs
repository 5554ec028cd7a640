//! Shared helpers.

use kqueue::{Event, Events, Kqueue};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A fresh queue.
pub(crate) fn kq() -> Kqueue {
    Kqueue::new().expect("kqueue()")
}

/// Waits up to `timeout` with no changes and returns what came back.
pub(crate) fn wait(kq: &Kqueue, timeout: Duration) -> Vec<Event> {
    let mut events = Events::with_capacity(16);
    kq.wait(&[], &mut events, Some(timeout))
        .expect("kevent wait");
    events.iter().copied().collect()
}

/// Polls without blocking.
pub(crate) fn poll(kq: &Kqueue) -> Vec<Event> {
    wait(kq, Duration::ZERO)
}

/// A connected socket pair (both ends blocking).
pub(crate) fn socket_pair() -> (UnixStream, UnixStream) {
    UnixStream::pair().expect("socketpair")
}

/// A path in the temp directory no other test uses.
pub(crate) fn temp_path(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("kqueue-test-{}-{tag}-{n}", std::process::id()))
}
