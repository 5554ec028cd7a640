//! `SetFileCompletionNotificationModes(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)`: an op that succeeds
//! inside the call yields its result at once and queues no packet; one that pends still does.
//! The invariant checked everywhere: packets dequeued == operations reported pending.

use std::io::Write;

use iocp::{Notify, Submitted, tcp_socket};
use windows_sys::Win32::Foundation::ERROR_HANDLE_EOF;

use crate::util::{self, TempPath, next_op};

/// Counts of how ops finished.
#[derive(Default, Debug)]
struct Tally {
    at_once: usize,
    pending: usize,
}

impl Tally {
    fn take(&mut self, s: Submitted, port: &iocp::CompletionPort) -> iocp::Done {
        match s {
            Submitted::Done(d) => {
                self.at_once += 1;
                d
            }
            Submitted::Pending(t) => {
                self.pending += 1;
                let d = next_op(port);
                assert_eq!(d.token(), t.token());
                d
            }
        }
    }
}

#[test]
fn file_ops_with_skip_on_success() {
    let port = util::port();
    let path = TempPath::new("skip");
    // SAFETY: the file is used only through this crate.
    let file =
        unsafe { port.associate_handle(util::overlapped_file(&path), 0, Notify::SkipOnSuccess) }
            .unwrap();
    assert_eq!(file.notify(), Notify::SkipOnSuccess);
    let mut tally = Tally::default();
    for i in 0..50 {
        let d = tally.take(
            file.write_at(i * 100, util::pattern(i as usize, 100), 0),
            &port,
        );
        assert_eq!(d.result().unwrap(), 100);
    }
    for i in 0..50 {
        let d = tally.take(file.read_at(i * 100, Vec::with_capacity(100), 0), &port);
        assert_eq!(d.into_buf().unwrap(), util::pattern(i as usize, 100));
    }
    // Past the end: Windows may fail inside the call (no packet) or pend and fail through the
    // port (Wine does the latter); either way exactly one result, ERROR_HANDLE_EOF.
    let mut eof = Tally::default();
    let d = eof.take(file.read_at(1 << 30, Vec::with_capacity(1), 0), &port);
    let err = d.result().unwrap_err();
    assert_eq!(err.raw_os_error(), Some(ERROR_HANDLE_EOF as i32), "{err}");
    println!("skip-on-success, read past EOF: {eof:?}");
    util::assert_empty(&port);
    println!("skip-on-success, file: {tally:?}");
    assert_eq!(tally.at_once + tally.pending, 100);
}

#[test]
fn pipe_ops_with_skip_on_success() {
    let port = util::port();
    let (server, client) = util::pipe_pair();
    // SAFETY: both ends are used only through this crate.
    let server = unsafe { port.associate_handle(server, 1, Notify::SkipOnSuccess) }.unwrap();
    // SAFETY: as above.
    let client = unsafe { port.associate_handle(client, 2, Notify::Always) }.unwrap();
    let mut tally = Tally::default();
    // Data already buffered: the read can finish inside the call (no packet).
    let d = tally.take(client.write_at(0, b"ready".to_vec(), 0), &port);
    assert_eq!(d.result().unwrap(), 5);
    let d = tally.take(server.read_at(0, Vec::with_capacity(16), 1), &port);
    assert_eq!(d.into_buf().unwrap(), b"ready");
    // Nothing buffered: the read must pend and its packet must come.
    let s = server.read_at(0, Vec::with_capacity(16), 2);
    assert!(matches!(s, Submitted::Pending(_)), "{s:?}");
    let mut raw_client = client.into_inner();
    raw_client.write_all(b"later").unwrap();
    let d = tally.take(s, &port);
    assert_eq!(d.into_buf().unwrap(), b"later");
    util::assert_empty(&port);
    println!("skip-on-success, pipe: {tally:?}");
    assert!(
        tally.pending >= 2,
        "the client write (Always) and the empty read pend"
    );
}

#[test]
fn socket_ops_with_skip_on_success() {
    let port = util::port();
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    // SAFETY: the socket is used only through this crate.
    let c = match unsafe {
        port.associate_socket(tcp_socket(&addr).unwrap(), 0, Notify::SkipOnSuccess)
    } {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::Unsupported => {
            println!("skipped: {e}");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    let mut tally = Tally::default();
    tally.take(c.connect(addr, 0), &port).result().unwrap();
    let (mut peer, _) = l.accept().unwrap();
    let mut sent = 0;
    for i in 0..20 {
        let d = tally.take(c.send(util::pattern(i, 1000), 1), &port);
        sent += d.result().unwrap();
    }
    assert_eq!(sent, 20_000);
    let mut got = vec![0; 20_000];
    std::io::Read::read_exact(&mut peer, &mut got).unwrap();
    assert_eq!(
        got,
        (0..20)
            .flat_map(|i| util::pattern(i, 1000))
            .collect::<Vec<_>>()
    );
    peer.write_all(b"buffered").unwrap();
    let mut buf = Vec::with_capacity(8);
    while buf.len() < 8 {
        buf = tally.take(c.recv(buf, 2), &port).into_buf().unwrap();
    }
    assert_eq!(buf, b"buffered");
    util::assert_empty(&port);
    println!("skip-on-success, socket: {tally:?}");
}
