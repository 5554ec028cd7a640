//! `ReadFile`/`WriteFile` on named pipes: round trips, bulk transfer, broken pipe.

use iocp::{Completion, Notify, Output, Submitted};
use windows_sys::Win32::Foundation::{ERROR_BROKEN_PIPE, ERROR_MORE_DATA, ERROR_NO_DATA};
use windows_sys::Win32::System::Pipes::{PIPE_READMODE_MESSAGE, PIPE_TYPE_MESSAGE};

use crate::util::{self, finish, next_op};

#[test]
fn ping_pong_round_trips() {
    let port = util::port();
    let (server, client) = util::pipe_pair();
    // SAFETY: both ends are used only through this crate.
    let server = unsafe { port.associate_handle(server, 1, Notify::Always) }.unwrap();
    // SAFETY: as above.
    let client = unsafe { port.associate_handle(client, 2, Notify::Always) }.unwrap();
    for round in 0..50usize {
        let ping = format!("ping {round}").into_bytes();
        // The read is queued first, then the write fills it.
        let read = server.read_at(0, Vec::with_capacity(64), round * 10);
        let write = client.write_at(0, ping.clone(), round * 10 + 1);
        let (mut r, mut w) = (read.done(), write.done());
        while r.is_none() || w.is_none() {
            let d = next_op(&port);
            match d.key() {
                1 => r = Some(d),
                2 => w = Some(d),
                k => panic!("key {k}"),
            }
        }
        let (r, w) = (r.unwrap(), w.unwrap());
        assert_eq!(w.result().unwrap(), ping.len());
        assert_eq!(r.result().unwrap(), ping.len());
        assert_eq!(r.into_buf().unwrap(), ping);

        let pong = format!("pong {round}").into_bytes();
        let d = finish(&port, server.write_at(0, pong.clone(), 0));
        assert_eq!(d.result().unwrap(), pong.len());
        let d = finish(&port, client.read_at(0, Vec::with_capacity(64), 0));
        assert_eq!(d.into_buf().unwrap(), pong);
    }
    util::assert_empty(&port);
}

#[test]
fn bulk_transfer_larger_than_the_pipe_buffer() {
    const TOTAL: usize = 1 << 20; // 16 x the 64 KiB pipe buffer
    const CHUNK: usize = 16 * 1024;
    let port = util::port();
    let (server, client) = util::pipe_pair();
    // SAFETY: both ends are used only through this crate.
    let server = unsafe { port.associate_handle(server, 1, Notify::Always) }.unwrap();
    // SAFETY: as above.
    let client = unsafe { port.associate_handle(client, 2, Notify::Always) }.unwrap();
    let data = util::pattern(42, TOTAL);
    // All writes in flight at once; reads one at a time.
    let mut writes_left = TOTAL / CHUNK;
    for (i, chunk) in data.chunks(CHUNK).enumerate() {
        assert!(matches!(
            client.write_at(0, chunk.to_vec(), i),
            Submitted::Pending(_)
        ));
    }
    let mut got = Vec::with_capacity(TOTAL);
    let mut reading = false;
    let (mut written, mut reads) = (0, 0);
    while got.len() < TOTAL || writes_left > 0 {
        if !reading && got.len() < TOTAL {
            assert!(matches!(
                server.read_at(0, Vec::with_capacity(CHUNK), 0),
                Submitted::Pending(_)
            ));
            reading = true;
        }
        match util::next(&port) {
            Completion::Op(d) if d.key() == 2 => {
                written += d.result().unwrap();
                writes_left -= 1;
            }
            Completion::Op(d) if d.key() == 1 => {
                let n = d.result().unwrap();
                assert!(n > 0 && n <= CHUNK);
                got.extend_from_slice(&d.into_buf().unwrap());
                reading = false;
                reads += 1;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(written, TOTAL);
    assert_eq!(got.len(), TOTAL);
    assert!(got == data, "bytes differ");
    assert!(reads >= TOTAL / CHUNK);
}

#[test]
fn closing_the_writer_breaks_the_pipe() {
    let port = util::port();
    let (server, client) = util::pipe_pair();
    // SAFETY: the pipe end is used only through this crate.
    let server = unsafe { port.associate_handle(server, 1, Notify::Always) }.unwrap();
    // Pending read, then the other end goes away.
    let read = server.read_at(0, Vec::with_capacity(8), 5);
    assert!(matches!(read, Submitted::Pending(_)));
    drop(client);
    let d = next_op(&port);
    assert_eq!(d.token(), 5);
    let err = d.result().unwrap_err();
    assert_eq!(err.raw_os_error(), Some(ERROR_BROKEN_PIPE as i32), "{err}");
    let Output::Read(buf) = d.into_output() else {
        panic!()
    };
    assert!(buf.is_empty());
    // A write to a pipe with no reader fails at once (no packet).
    let d = finish(&port, server.write_at(0, b"x".to_vec(), 6));
    let code = d.result().unwrap_err().raw_os_error();
    assert!(
        code == Some(ERROR_NO_DATA as i32) || code == Some(ERROR_BROKEN_PIPE as i32),
        "{code:?}"
    );
    assert_eq!(d.into_buf().unwrap(), b"x");
    util::assert_empty(&port);
}

/// A message longer than the read buffer: `ERROR_MORE_DATA` with the buffer full of the message's
/// start, then the rest on the next read. Both modes: the packet still comes for this warning.
#[test]
fn message_longer_than_the_buffer_reports_more_data_with_the_bytes() {
    for notify in [Notify::Always, Notify::SkipOnSuccess] {
        let port = util::port();
        let (server, client) = util::pipe_pair_mode(PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE);
        // SAFETY: both ends are used only through this crate.
        let server = unsafe { port.associate_handle(server, 1, notify) }.unwrap();
        // SAFETY: as above.
        let client = unsafe { port.associate_handle(client, 2, Notify::Always) }.unwrap();
        let msg = util::pattern(8, 10);
        assert_eq!(
            finish(&port, client.write_at(0, msg.clone(), 0))
                .result()
                .unwrap(),
            10
        );
        let s = server.read_at(0, Vec::with_capacity(4), 1);
        let d = finish(&port, s);
        let err = d.result().unwrap_err();
        assert_eq!(
            err.raw_os_error(),
            Some(ERROR_MORE_DATA as i32),
            "{notify:?}: {err}"
        );
        assert_eq!(d.into_buf().unwrap(), &msg[..4], "{notify:?}");
        let d = finish(&port, server.read_at(0, Vec::with_capacity(64), 2));
        assert_eq!(d.result().unwrap(), 6, "{notify:?}");
        assert_eq!(d.into_buf().unwrap(), &msg[4..], "{notify:?}");
        util::assert_empty(&port);
    }
}
