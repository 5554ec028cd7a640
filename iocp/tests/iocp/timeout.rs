//! Timeouts of `get` and `get_many`, and that an op still pending across a timeout is not lost.

use std::io::Write;
use std::time::{Duration, Instant};

use iocp::{Entries, Notify, Output, Submitted};

use crate::util::{self, next_op};

#[test]
fn get_times_out_on_an_empty_port() {
    let port = util::port();
    let t = Instant::now();
    assert!(
        port.get(Some(Duration::from_millis(100)))
            .unwrap()
            .is_none()
    );
    let waited = t.elapsed();
    assert!(
        waited >= Duration::from_millis(80),
        "returned after {waited:?}"
    );
    assert!(waited < Duration::from_secs(5), "returned after {waited:?}");
}

#[test]
fn zero_timeout_polls() {
    let port = util::port();
    let t = Instant::now();
    assert!(port.get(Some(Duration::ZERO)).unwrap().is_none());
    assert!(t.elapsed() < Duration::from_secs(1));
    port.post(1, 2, 3).unwrap();
    assert!(port.get(Some(Duration::ZERO)).unwrap().is_some());
}

#[test]
fn get_many_times_out_with_zero_entries() {
    let port = util::port();
    let mut entries = Entries::new(8);
    port.post(0, 0, 0).unwrap();
    assert_eq!(
        port.get_many(&mut entries, Some(Duration::ZERO)).unwrap(),
        1
    );
    assert_eq!(entries.len(), 1);
    let t = Instant::now();
    assert_eq!(
        port.get_many(&mut entries, Some(Duration::from_millis(60)))
            .unwrap(),
        0
    );
    assert!(t.elapsed() >= Duration::from_millis(40));
    // The previous call's completion was dropped by the new call.
    assert!(entries.is_empty());
}

#[test]
fn pending_read_survives_timeouts_then_completes() {
    let port = util::port();
    let (server, mut client) = util::pipe_pair();
    // SAFETY: the pipe end is used only through this crate.
    let server = unsafe { port.associate_handle(server, 1, Notify::Always) }.unwrap();
    let Submitted::Pending(ticket) = server.read_at(0, Vec::with_capacity(16), 99) else {
        panic!("a read with no writer cannot finish at once");
    };
    for _ in 0..3 {
        assert!(port.get(Some(Duration::from_millis(30))).unwrap().is_none());
    }
    client.write_all(b"late").unwrap();
    let done = next_op(&port);
    assert_eq!(done.token(), ticket.token());
    assert_eq!(done.key(), 1);
    assert_eq!(done.result().unwrap(), 4);
    match done.into_output() {
        Output::Read(buf) => assert_eq!(buf, b"late"),
        other => panic!("{other:?}"),
    }
}
