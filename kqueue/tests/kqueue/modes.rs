//! Level vs EV_CLEAR, EV_ONESHOT, EV_DISPATCH, EV_DISABLE/EV_ENABLE, EV_DELETE.

use crate::util::{kq, poll, socket_pair, wait};
use kqueue::{Change, Filter};
use std::io::{Read, Write};
use std::time::Duration;

const LONG: Duration = Duration::from_secs(5);

#[test]
fn level_triggered_read_repeats_until_drained() {
    let kq = kq();
    let (mut a, mut b) = socket_pair();
    kq.apply(&[Change::read(&a, 1)]).unwrap();
    b.write_all(b"abc").unwrap();
    assert_eq!(wait(&kq, LONG).len(), 1);
    assert_eq!(
        poll(&kq).len(),
        1,
        "level-triggered: still readable, reported again"
    );
    let mut buf = [0u8; 3];
    a.read_exact(&mut buf).unwrap();
    assert!(poll(&kq).is_empty(), "drained: no longer reported");
}

#[test]
fn clear_reports_each_change_once() {
    let kq = kq();
    let (_a_keep, mut b) = socket_pair();
    let a = &_a_keep;
    kq.apply(&[Change::read(a, 1).clear()]).unwrap();
    b.write_all(b"abc").unwrap();
    let ev = wait(&kq, LONG);
    assert_eq!((ev.len(), ev[0].data()), (1, 3));
    assert!(
        poll(&kq).is_empty(),
        "EV_CLEAR: not reported again without new data"
    );
    b.write_all(b"de").unwrap();
    let ev = wait(&kq, LONG);
    assert_eq!(ev.len(), 1, "new data re-arms it");
    assert_eq!(ev[0].data(), 5, "data is still the whole amount readable");
}

#[test]
fn oneshot_is_deleted_after_it_fires() {
    let kq = kq();
    let (a, mut b) = socket_pair();
    kq.apply(&[Change::read(&a, 1).oneshot()]).unwrap();
    b.write_all(b"x").unwrap();
    assert_eq!(wait(&kq, LONG).len(), 1);
    assert!(poll(&kq).is_empty(), "EV_ONESHOT: gone after one report");
    // Deleting it now finds nothing: ENOENT, which `apply` treats as benign.
    let mut results = Vec::new();
    kq.apply_each(&[Change::read(&a, 1).delete()], |i, _, r| {
        results.push((i, r.map_err(|e| e.raw_os_error())))
    })
    .unwrap();
    assert_eq!(results, [(0, Err(Some(libc::ENOENT)))]);
    kq.apply(&[Change::read(&a, 1).delete()])
        .expect("ENOENT on delete is benign");
}

#[test]
fn dispatch_disables_until_enabled() {
    let kq = kq();
    let (a, mut b) = socket_pair();
    kq.apply(&[Change::read(&a, 1).dispatch()]).unwrap();
    b.write_all(b"x").unwrap();
    assert_eq!(wait(&kq, LONG).len(), 1);
    assert!(
        poll(&kq).is_empty(),
        "EV_DISPATCH: disabled after the report though still readable"
    );
    kq.apply(&[Change::read(&a, 1).dispatch().enable()])
        .unwrap();
    let ev = wait(&kq, LONG);
    assert_eq!(ev.len(), 1, "re-enabled and still readable");
    assert_eq!(ev[0].filter(), Filter::Read);
}

#[test]
fn disable_and_delete() {
    let kq = kq();
    let (a, mut b) = socket_pair();
    kq.apply(&[Change::read(&a, 1).disable()]).unwrap();
    b.write_all(b"x").unwrap();
    assert!(poll(&kq).is_empty(), "added disabled");
    kq.apply(&[Change::read(&a, 1).enable()]).unwrap();
    assert_eq!(poll(&kq).len(), 1);
    kq.apply(&[Change::read(&a, 1).delete()]).unwrap();
    assert!(poll(&kq).is_empty(), "deleted");
}

#[test]
fn wait_applies_changes_and_reads_many_events_in_one_call() {
    let kq = kq();
    let pairs: Vec<_> = (0..10).map(|_| socket_pair()).collect();
    for (_, mut b) in pairs.iter().map(|(a, b)| (a, b)) {
        b.write_all(b"x").unwrap();
    }
    let changes: Vec<Change> = pairs
        .iter()
        .enumerate()
        .map(|(i, (a, _))| Change::read(a, i))
        .collect();
    let mut events = kqueue::Events::with_capacity(64);
    let n = kq.wait(&changes, &mut events, Some(LONG)).unwrap();
    assert_eq!(n, 10);
    let mut tokens: Vec<usize> = events.iter().map(|e| e.token()).collect();
    tokens.sort_unstable();
    assert_eq!(tokens, (0..10).collect::<Vec<_>>());
    // A smaller buffer returns at most its capacity per call.
    let mut small = kqueue::Events::with_capacity(3);
    assert_eq!(kq.wait(&[], &mut small, Some(LONG)).unwrap(), 3);
}
