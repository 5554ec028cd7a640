//! 10,000 registered socket pairs, every event accounted for exactly once.
//!
//! The hard `RLIMIT_NOFILE` here is 20,000 and cannot be raised without `CAP_SYS_RESOURCE`, so
//! each pair's writing end is closed once it has written: 10,000 registered fds stay open.

use crate::util::{ZERO, raise_nofile};
use epoll::{Epoll, Events, Interest};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

const PAIRS: usize = 10_000;

/// Waits until `PAIRS` events arrived; checks each token in `base..base + PAIRS` came once.
fn collect_all(ep: &Epoll, ev: &mut Events, base: u64, mut on_event: impl FnMut(usize)) {
    let mut seen = vec![0u32; PAIRS];
    let mut total = 0;
    while total < PAIRS {
        let n = ep.wait(ev, Some(Duration::from_secs(5))).unwrap();
        assert!(n > 0, "timed out with {total} of {PAIRS} events");
        assert!(n <= ev.capacity());
        for e in ev.iter() {
            let t = e.token().wrapping_sub(base) as usize;
            assert!(t < PAIRS, "unexpected token {}", e.token());
            assert!(e.is_readable() && e.is_read_closed(), "{e:?}");
            seen[t] += 1;
            on_event(t);
        }
        total += n;
    }
    let wrong: Vec<usize> = (0..PAIRS).filter(|&i| seen[i] != 1).take(5).collect();
    assert!(
        wrong.is_empty(),
        "tokens not seen exactly once (first few): {wrong:?}"
    );
    assert_eq!(
        ep.wait(ev, ZERO).unwrap(),
        0,
        "events beyond the {PAIRS} expected"
    );
}

#[test]
fn ten_thousand_socket_pairs() {
    raise_nofile(PAIRS as libc::rlim_t + 512);
    let ep = Epoll::new().unwrap();
    let mut ours = Vec::with_capacity(PAIRS);
    let interest = Interest::READABLE | Interest::READ_CLOSED | Interest::EDGE_TRIGGERED;
    for i in 0..PAIRS {
        let (mut theirs, b) = UnixStream::pair().unwrap();
        b.set_nonblocking(true).unwrap();
        ep.add(&b, i as u64, interest).unwrap();
        theirs.write_all(&[(i % 251) as u8]).unwrap();
        drop(theirs);
        ours.push(b);
    }
    let mut ev = Events::with_capacity(1024);

    // Round 1, edge-triggered: each fd once, its own byte behind its own token.
    collect_all(&ep, &mut ev, 0, |t| {
        let mut b = [0u8; 4];
        assert_eq!((&ours[t]).read(&mut b).unwrap(), 1);
        assert_eq!(
            b[0],
            (t % 251) as u8,
            "token {t} delivered another fd's data"
        );
    });

    // Round 2: re-arm all 10,000 one-shot with new tokens; the EOF is reported once each.
    for (i, b) in ours.iter().enumerate() {
        let t = (PAIRS + i) as u64;
        ep.modify(
            b,
            t,
            Interest::READABLE | Interest::READ_CLOSED | Interest::ONESHOT,
        )
        .unwrap();
    }
    collect_all(&ep, &mut ev, PAIRS as u64, |_| {});
}
