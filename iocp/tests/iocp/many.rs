//! `GetQueuedCompletionStatusEx` with many entries: batches, order, mixed packets.

use std::io::Write;
use std::time::Duration;

use iocp::{Completion, Entries, Notify, Output, Submitted};

use crate::util::{self, PATIENCE};

#[test]
fn thousand_posts_in_batches_of_64() {
    const N: usize = 1000;
    let port = util::port();
    for i in 0..N {
        port.post(i % 3, (i * 2) as u32, i).unwrap();
    }
    let mut entries = Entries::new(64);
    let mut next_token = 0;
    let mut calls = 0;
    while next_token < N {
        let n = port.get_many(&mut entries, Some(PATIENCE)).unwrap();
        calls += 1;
        assert!((1..=64).contains(&n), "batch of {n}");
        assert_eq!(entries.len(), n);
        for c in entries.drain() {
            match c {
                Completion::Posted { key, bytes, token } => {
                    // FIFO: posts from one thread come out in order.
                    assert_eq!(token, next_token);
                    assert_eq!(key, token % 3);
                    assert_eq!(bytes as usize, token * 2);
                    next_token += 1;
                }
                other => panic!("expected Posted, got {other:?}"),
            }
        }
    }
    assert_eq!(next_token, N);
    // 1000 queued packets need at least ceil(1000 / 64) = 16 calls.
    assert!(calls >= 16, "{calls} calls");
    assert_eq!(
        port.get_many(&mut entries, Some(Duration::ZERO)).unwrap(),
        0
    );
}

#[test]
fn ops_and_posts_in_one_batch() {
    let port = util::port();
    let (server, mut client) = util::pipe_pair();
    // SAFETY: the pipe end is used only through this crate.
    let server = unsafe { port.associate_handle(server, 11, Notify::Always) }.unwrap();
    // Eight reads of 4 bytes each, then 32 bytes from the client fill them in order.
    let tickets: Vec<_> = (0..8)
        .map(
            |i| match server.read_at(0, Vec::with_capacity(4), 100 + i) {
                Submitted::Pending(t) => t,
                Submitted::Done(d) => panic!("read finished with no writer: {d:?}"),
            },
        )
        .collect();
    assert_eq!(tickets.len(), 8);
    let data = util::pattern(3, 32);
    client.write_all(&data).unwrap();
    for i in 0..4 {
        port.post(22, 0, i).unwrap();
    }
    let mut entries = Entries::new(32);
    let (mut ops, mut posts) = (Vec::new(), 0);
    while ops.len() < 8 || posts < 4 {
        assert!(port.get_many(&mut entries, Some(PATIENCE)).unwrap() > 0);
        for c in entries.drain() {
            match c {
                Completion::Op(d) => {
                    assert_eq!(d.key(), 11);
                    assert_eq!(d.result().unwrap(), 4);
                    let token = d.token();
                    let Output::Read(buf) = d.into_output() else {
                        panic!()
                    };
                    ops.push((token, buf));
                }
                Completion::Posted { key: 22, .. } => posts += 1,
                other => panic!("{other:?}"),
            }
        }
    }
    // Pipe reads are served in the order they were queued.
    ops.sort_by_key(|(t, _)| *t);
    let joined: Vec<u8> = ops.into_iter().flat_map(|(_, b)| b).collect();
    assert_eq!(joined, data);
    assert_eq!(posts, 4);
}
