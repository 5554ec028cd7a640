//! Level-triggered, edge-triggered and one-shot behaviour (epoll(7), "Level-triggered and
//! edge-triggered").

use crate::util::{ZERO, drain, pipe, write_bytes};
use epoll::{Epoll, Events, Interest};

#[test]
fn level_triggered_reports_until_drained() {
    let ep = Epoll::new().unwrap();
    let (r, w) = pipe();
    ep.add(&r, 11, Interest::READABLE).unwrap();
    let mut ev = Events::with_capacity(4);
    assert_eq!(ep.wait(&mut ev, ZERO).unwrap(), 0, "empty pipe reported");
    write_bytes(&w, 3);
    for round in 0..3 {
        assert_eq!(
            ep.wait(&mut ev, ZERO).unwrap(),
            1,
            "round {round}: LT must re-report"
        );
        let e = ev.iter().next().unwrap();
        assert_eq!(e.token(), 11);
        assert!(e.is_readable() && !e.is_writable() && !e.is_hangup());
    }
    assert_eq!(drain(&r), 3);
    assert_eq!(
        ep.wait(&mut ev, ZERO).unwrap(),
        0,
        "drained pipe still reported"
    );
}

#[test]
fn edge_triggered_reports_once_per_edge() {
    let ep = Epoll::new().unwrap();
    let (r, w) = pipe();
    ep.add(&r, 5, Interest::READABLE | Interest::EDGE_TRIGGERED)
        .unwrap();
    let mut ev = Events::with_capacity(4);
    write_bytes(&w, 1);
    assert_eq!(ep.wait(&mut ev, ZERO).unwrap(), 1);
    // Not drained, but no new edge: silent.
    assert_eq!(
        ep.wait(&mut ev, ZERO).unwrap(),
        0,
        "ET re-reported without a new edge"
    );
    assert_eq!(ep.wait(&mut ev, ZERO).unwrap(), 0);
    // Each write is a new edge, even with unread data.
    for _ in 0..3 {
        write_bytes(&w, 1);
        assert_eq!(ep.wait(&mut ev, ZERO).unwrap(), 1, "new edge not reported");
        assert_eq!(ev.iter().next().unwrap().token(), 5);
        assert_eq!(ep.wait(&mut ev, ZERO).unwrap(), 0);
    }
    assert_eq!(drain(&r), 4);
}

#[test]
fn oneshot_needs_rearm_via_modify() {
    let ep = Epoll::new().unwrap();
    let (r, w) = pipe();
    ep.add(&r, 1, Interest::READABLE | Interest::ONESHOT)
        .unwrap();
    let mut ev = Events::with_capacity(4);
    write_bytes(&w, 1);
    assert_eq!(ep.wait(&mut ev, ZERO).unwrap(), 1);
    write_bytes(&w, 1);
    assert_eq!(
        ep.wait(&mut ev, ZERO).unwrap(),
        0,
        "ONESHOT fired twice without re-arm"
    );
    // Re-arm with a new token: the still-ready fd reports at once, with the new token.
    ep.modify(&r, 2, Interest::READABLE | Interest::ONESHOT)
        .unwrap();
    assert_eq!(ep.wait(&mut ev, ZERO).unwrap(), 1);
    assert_eq!(ev.iter().next().unwrap().token(), 2);
    assert_eq!(ep.wait(&mut ev, ZERO).unwrap(), 0);
    // The disarmed registration still exists: add is EEXIST, delete works.
    assert!(ep.add(&r, 3, Interest::READABLE).is_err());
    ep.delete(&r).unwrap();
}

#[test]
fn writable_and_events_buffer_reuse() {
    let ep = Epoll::new().unwrap();
    let mut pipes = Vec::new();
    for i in 0..10 {
        let (r, w) = pipe();
        ep.add(&w, i, Interest::WRITABLE).unwrap();
        pipes.push((r, w));
    }
    // A buffer of 4: ten writable pipes come 4 at a time, and LT keeps the rest for later.
    let mut ev = Events::with_capacity(4);
    assert_eq!(ev.capacity(), 4);
    assert_eq!(ep.wait(&mut ev, ZERO).unwrap(), 4);
    assert_eq!(ev.len(), 4);
    assert!(ev.iter().all(|e| e.is_writable() && !e.is_readable()));
    // Capacity 0 is clamped to 1 (the kernel rejects maxevents = 0).
    let mut one = Events::with_capacity(0);
    assert_eq!(one.capacity(), 1);
    assert_eq!(ep.wait(&mut one, ZERO).unwrap(), 1);
}

#[test]
fn modify_changes_interest_and_token() {
    let ep = Epoll::new().unwrap();
    let (r, w) = pipe();
    ep.add(&w, 1, Interest::READABLE).unwrap();
    let mut ev = Events::with_capacity(4);
    assert_eq!(
        ep.wait(&mut ev, ZERO).unwrap(),
        0,
        "a write end is never readable"
    );
    ep.modify(&w, 2, Interest::WRITABLE).unwrap();
    assert_eq!(ep.wait(&mut ev, ZERO).unwrap(), 1);
    assert_eq!(ev.iter().next().unwrap().token(), 2);
    ep.delete(&w).unwrap();
    assert_eq!(ep.wait(&mut ev, ZERO).unwrap(), 0);
    drop(r);
}

#[test]
fn wakeup_and_band_bits_are_accepted() {
    // EPOLLWAKEUP needs CAP_BLOCK_SUSPEND to take effect but is accepted (and dropped) without
    // it; the band bits are plain poll bits. Neither changes what is reported here.
    let ep = Epoll::new().unwrap();
    let (r, w) = pipe();
    let interest = Interest::READABLE | Interest::WAKEUP | Interest::READ_NORMAL;
    ep.add(&r, 4, interest).unwrap();
    write_bytes(&w, 1);
    let mut ev = Events::with_capacity(4);
    assert_eq!(ep.wait(&mut ev, ZERO).unwrap(), 1);
    let e = ev.iter().next().unwrap();
    assert!(e.is_readable());
    assert!(e.ready().contains(epoll::Ready::READ_NORMAL), "{e:?}");
}
