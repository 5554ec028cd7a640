//! A fd closed while registered (epoll(7) Q6, "Will closing a file descriptor cause it to be
//! removed from all epoll interest lists?").

use crate::util::{ZERO, pipe, write_bytes};
use epoll::{Epoll, Events, Interest};
use std::io::ErrorKind;
use std::os::fd::AsRawFd;

#[test]
fn closing_the_only_fd_removes_the_registration() {
    let ep = Epoll::new().unwrap();
    let (r, w) = pipe();
    ep.add(&r, 1, Interest::READABLE).unwrap();
    write_bytes(&w, 1);
    let num = r.as_raw_fd();
    drop(r);
    let mut ev = Events::with_capacity(4);
    assert_eq!(
        ep.wait(&mut ev, ZERO).unwrap(),
        0,
        "a closed file was still reported"
    );
    // The number may be reused by a new file, which is then not registered.
    let (r2, w2) = pipe();
    if r2.as_raw_fd() == num {
        ep.add(&r2, 2, Interest::READABLE).unwrap();
        write_bytes(&w2, 1);
        ep.wait(&mut ev, ZERO).unwrap();
        assert_eq!(ev.iter().map(|e| e.token()).collect::<Vec<_>>(), [2]);
    }
}

#[test]
fn closed_but_duplicated_fd_keeps_reporting_the_old_token() {
    let ep = Epoll::new().unwrap();
    let (r, w) = pipe();
    ep.add(&r, 77, Interest::READABLE).unwrap();
    let dup = r.try_clone().unwrap();
    drop(r);
    write_bytes(&w, 1);
    let mut ev = Events::with_capacity(4);
    assert_eq!(
        ep.wait(&mut ev, ZERO).unwrap(),
        1,
        "registration died with a dup alive"
    );
    assert_eq!(ev.iter().next().unwrap().token(), 77);
    // It cannot be removed through the duplicate (a different fd number)...
    assert_eq!(ep.delete(&dup).unwrap_err().kind(), ErrorKind::NotFound);
    // ...only by closing every fd of the file.
    drop(dup);
    assert_eq!(ep.wait(&mut ev, ZERO).unwrap(), 0);
}

#[test]
fn writer_closed_reports_hangup() {
    let ep = Epoll::new().unwrap();
    let (r, w) = pipe();
    ep.add(&r, 1, Interest::READABLE).unwrap();
    drop(w);
    let mut ev = Events::with_capacity(4);
    assert_eq!(ep.wait(&mut ev, ZERO).unwrap(), 1);
    let e = ev.iter().next().unwrap();
    assert!(e.is_hangup() && !e.is_readable(), "{e:?}");
}
