//! Every error path that has a kernel errno exposes it: `raw_os_error()` on a plain OS error,
//! the kept errno of a `CtlError` or `ParamsError`, and `epoll::errno` for all of them, so a
//! caller branches on the errno, never on the message (issue 17).

use crate::util::pipe;
use epoll::{BusyPoll, CtlError, Epoll, Interest, ParamsError, SigSet};
use std::io;

fn payload<T: std::error::Error + 'static>(e: &io::Error) -> Option<&T> {
    e.get_ref().and_then(|e| e.downcast_ref::<T>())
}

#[test]
fn ctl_errors_keep_the_errno() {
    let ep = Epoll::new().unwrap();
    let (r, w) = pipe();
    // A regular file that exists wherever the test runs (also in the kernel matrix's guests,
    // which have no source tree): the test binary itself.
    let file = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
    ep.add(&r, 0, Interest::READABLE).unwrap();
    let cases: [(io::Error, i32); 5] = [
        (ep.add(&r, 0, Interest::READABLE).unwrap_err(), libc::EEXIST),
        (ep.delete(&w).unwrap_err(), libc::ENOENT),
        (
            ep.modify(&w, 0, Interest::READABLE).unwrap_err(),
            libc::ENOENT,
        ),
        (
            ep.add(&file, 0, Interest::READABLE).unwrap_err(),
            libc::EPERM,
        ),
        (
            ep.add(&ep, 0, Interest::READABLE).unwrap_err(),
            libc::EINVAL,
        ),
    ];
    for (e, want) in cases {
        assert_eq!(epoll::errno(&e), Some(want), "{e}");
        assert_eq!(payload::<CtlError>(&e).unwrap().raw_os_error(), want);
        assert_eq!(e.kind(), io::Error::from_raw_os_error(want).kind(), "{e}");
    }
}

#[test]
fn busy_poll_errors_keep_the_errno() {
    let ep = Epoll::new().unwrap();
    let e = match ep.busy_poll() {
        // Before Linux 6.9 both ioctls answer ENOTTY, whose kind is uncategorised: only the
        // errno tells "no busy-poll" apart.
        Err(e) => e,
        Ok(_) => ep
            .set_busy_poll(BusyPoll {
                usecs: u32::MAX,
                budget: 8,
                prefer: false,
            })
            .unwrap_err(),
    };
    let errno = epoll::errno(&e).expect("the busy-poll error keeps its errno");
    assert!(matches!(errno, libc::ENOTTY | libc::EINVAL), "{e}");
    let p = payload::<ParamsError>(&e).expect("a ParamsError payload");
    assert_eq!(p.raw_os_error(), errno);
    assert!(matches!(p.op(), "EPIOCGPARAMS" | "EPIOCSPARAMS"));
    assert_eq!(e.kind(), io::Error::from_raw_os_error(errno).kind());
    println!("busy-poll error: {e}");
}

#[test]
fn plain_os_errors_keep_the_errno() {
    // sigaddset(3) with a bad number: EINVAL straight from libc.
    let e = SigSet::empty().add(0).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::EINVAL));
    assert_eq!(epoll::errno(&e), Some(libc::EINVAL));
}

#[test]
fn errors_without_an_errno_say_so() {
    assert_eq!(epoll::errno(&io::Error::other("not from the kernel")), None);
}
