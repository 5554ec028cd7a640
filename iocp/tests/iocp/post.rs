//! `PostQueuedCompletionStatus`: packets of our own, their fields and order.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use iocp::Completion;

use crate::util::{self, next};

#[test]
fn posted_fields_come_back_in_order() {
    let port = util::port();
    let sent = [
        (0usize, 0u32, 0usize),
        (7, 42, 1),
        (usize::MAX, u32::MAX, isize::MAX as usize),
    ];
    for &(key, bytes, token) in &sent {
        port.post(key, bytes, token).unwrap();
    }
    for &(key, bytes, token) in &sent {
        match next(&port) {
            Completion::Posted {
                key: k,
                bytes: b,
                token: t,
            } => {
                assert_eq!((k, b, t), (key, bytes, token));
            }
            other => panic!("expected Posted, got {other:?}"),
        }
    }
    util::assert_empty(&port);
}

#[test]
fn token_above_isize_max_is_refused() {
    let port = util::port();
    let err = port.post(1, 2, isize::MAX as usize + 1).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    // Nothing was queued by the refused post.
    util::assert_empty(&port);
}

#[test]
fn post_wakes_a_thread_blocked_in_get() {
    let port = Arc::new(util::port());
    let waiter = {
        let port = Arc::clone(&port);
        std::thread::spawn(move || port.get(None).unwrap())
    };
    std::thread::sleep(Duration::from_millis(100));
    port.post(5, 6, 7).unwrap();
    match waiter.join().unwrap() {
        Some(Completion::Posted {
            key: 5,
            bytes: 6,
            token: 7,
        }) => {}
        other => panic!("waiter got {other:?}"),
    }
}

#[test]
fn many_threads_post_and_get_every_packet_once() {
    const THREADS: usize = 4;
    const PER: usize = 500;
    let port = Arc::new(util::port());
    let posters: Vec<_> = (0..THREADS)
        .map(|t| {
            let port = Arc::clone(&port);
            std::thread::spawn(move || {
                for i in 0..PER {
                    port.post(t, i as u32, t * PER + i).unwrap();
                }
            })
        })
        .collect();
    let mut seen = vec![false; THREADS * PER];
    for _ in 0..THREADS * PER {
        match next(&port) {
            Completion::Posted { key, bytes, token } => {
                assert_eq!(token, key * PER + bytes as usize);
                assert!(!seen[token], "token {token} dequeued twice");
                seen[token] = true;
            }
            other => panic!("expected Posted, got {other:?}"),
        }
    }
    for p in posters {
        p.join().unwrap();
    }
    assert!(seen.iter().all(|&s| s));
    util::assert_empty(&port);
}
