//! EV_RECEIPT: per-change results from `apply`, and EV_ERROR entries from `wait`.

use crate::util::{kq, socket_pair};
use kqueue::{Change, ChangeError, Events, Filter, Flags};
use std::time::Duration;

/// A descriptor number that is not open in the test process.
const BAD_FD: usize = 1_000_000;

fn bad_read() -> Change {
    Change::new(BAD_FD, Filter::Read, Flags::ADD, 0, 0, 99).unwrap()
}

#[test]
fn each_change_gets_its_own_result() {
    let kq = kq();
    let (a, b) = socket_pair();
    let changes = [Change::read(&a, 0), bad_read(), Change::write(&b, 2)];
    let mut results = Vec::new();
    kq.apply_each(&changes, |i, c, r| {
        results.push((i, c.token(), r.map_err(|e| e.raw_os_error())))
    })
    .unwrap();
    assert_eq!(
        results,
        [
            (0, 0, Ok(())),
            (1, 99, Err(Some(libc::EBADF))),
            (2, 2, Ok(()))
        ]
    );
    // The good changes after the bad one were applied.
    let mut ev = Events::with_capacity(8);
    kq.wait(&[], &mut ev, Some(Duration::from_secs(5))).unwrap();
    assert!(
        ev.iter()
            .any(|e| e.token() == 2 && e.filter() == Filter::Write),
        "{ev:?}"
    );
}

#[test]
fn apply_names_the_failing_change() {
    let kq = kq();
    let (a, _b) = socket_pair();
    let err = kq.apply(&[Change::read(&a, 0), bad_read()]).unwrap_err();
    let ce = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<ChangeError>())
        .expect("a ChangeError inside");
    assert_eq!(
        (ce.index, ce.change.ident(), ce.error.raw_os_error()),
        (1, BAD_FD, Some(libc::EBADF))
    );
    assert!(err.to_string().contains("#1"), "{err}");
    // The errno is reachable without knowing the payload type (issue 17).
    assert_eq!(kqueue::errno(&err), Some(libc::EBADF));
    assert_eq!(
        err.kind(),
        std::io::Error::from_raw_os_error(libc::EBADF).kind()
    );
}

#[test]
fn batches_beyond_32_keep_their_indices() {
    let kq = kq();
    let mut changes: Vec<Change> = (0..70).map(|i| Change::user(i, i)).collect();
    changes[45] = bad_read();
    let mut failed = Vec::new();
    let mut count = 0;
    kq.apply_each(&changes, |i, _, r| {
        count += 1;
        if r.is_err() {
            failed.push(i);
        }
    })
    .unwrap();
    assert_eq!((count, failed), (70, vec![45]));
}

#[test]
fn wait_reports_a_failed_change_as_an_error_event() {
    let kq = kq();
    let mut ev = Events::with_capacity(4);
    let n = kq
        .wait(&[bad_read()], &mut ev, Some(Duration::ZERO))
        .unwrap();
    assert_eq!(n, 1);
    let e = ev.as_slice()[0];
    assert!(e.flags().contains(Flags::ERROR), "{e:?}");
    assert_eq!(e.error().and_then(|e| e.raw_os_error()), Some(libc::EBADF));
    assert_eq!(e.ident(), BAD_FD);
}

#[test]
fn write_filter_on_a_widowed_pipe_is_benign() {
    let mut fds = [0; 2];
    // SAFETY: pipe(2) writes two descriptors into the array.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    use std::os::fd::{FromRawFd, OwnedFd};
    // SAFETY: both descriptors were just returned by pipe(2) and are owned here only.
    let (r, w) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(r);
    let kq = kq();
    // Some kernels (macOS) answer EPIPE and register anyway; `apply` must not fail either way.
    kq.apply(&[Change::write(&w, 1)]).unwrap();
}
