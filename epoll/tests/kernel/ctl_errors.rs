//! `epoll_ctl` errors are clear (`EEXIST`, `ENOENT`, `EPERM`, `EINVAL`), and busy-poll
//! parameters round-trip.

use crate::util::pipe;
use epoll::{BusyPoll, CtlError, Epoll, Interest};
use std::io::{self, ErrorKind};

fn ctl(e: &io::Error) -> &CtlError {
    e.get_ref()
        .and_then(|e| e.downcast_ref::<CtlError>())
        .expect("a CtlError payload")
}

#[test]
fn add_twice_is_already_exists() {
    let ep = Epoll::new().unwrap();
    let (r, _w) = pipe();
    ep.add(&r, 0, Interest::READABLE).unwrap();
    let e = ep.add(&r, 0, Interest::READABLE).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AlreadyExists);
    assert_eq!(ctl(&e).raw_os_error(), libc::EEXIST);
    assert_eq!(ctl(&e).op(), "EPOLL_CTL_ADD");
    let msg = e.to_string();
    assert!(
        msg.contains("already registered") && msg.contains("modify"),
        "{msg}"
    );
}

#[test]
fn modify_or_delete_unregistered_is_not_found() {
    let ep = Epoll::new().unwrap();
    let (r, _w) = pipe();
    let e = ep.modify(&r, 0, Interest::READABLE).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(ctl(&e).raw_os_error(), libc::ENOENT);
    assert!(e.to_string().contains("not registered"), "{e}");
    let e = ep.delete(&r).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(ctl(&e).op(), "EPOLL_CTL_DEL");
}

#[test]
fn regular_file_is_permission_denied() {
    let ep = Epoll::new().unwrap();
    // This test binary: a regular file wherever the tests run (the source tree may not be there,
    // as in the kernel matrix's guests).
    let f = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
    let e = ep.add(&f, 0, Interest::READABLE).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert_eq!(ctl(&e).raw_os_error(), libc::EPERM);
    assert!(e.to_string().contains("regular files"), "{e}");
}

#[test]
fn adding_itself_is_invalid() {
    let ep = Epoll::new().unwrap();
    let e = ep.add(&ep, 0, Interest::READABLE).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
}

#[test]
fn busy_poll_round_trip() {
    let ep = Epoll::new().unwrap();
    match ep.busy_poll() {
        Err(e) if epoll::errno(&e) == Some(libc::ENOTTY) => {
            println!("SKIPPED busy_poll_round_trip: {e}");
            return;
        }
        r => assert_eq!(r.unwrap(), BusyPoll::default()),
    }
    let p = BusyPoll {
        usecs: 50,
        budget: 16,
        prefer: true,
    };
    ep.set_busy_poll(p).unwrap();
    assert_eq!(ep.busy_poll().unwrap(), p);
    let e = ep
        .set_busy_poll(BusyPoll {
            usecs: u32::MAX,
            ..p
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("EPIOCSPARAMS"), "{e}");
}
