//! `EPOLLRDHUP` is reported apart from `EPOLLHUP` (mio #939).

use crate::util::ZERO;
use epoll::{Epoll, Events, Interest, Ready};
use std::io::Write;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::time::Duration;

#[test]
fn unix_stream_rdhup_is_distinct_from_hup() {
    let ep = Epoll::new().unwrap();
    let (ours, theirs) = UnixStream::pair().unwrap();
    ep.add(
        &ours,
        1,
        Interest::READABLE | Interest::WRITABLE | Interest::READ_CLOSED,
    )
    .unwrap();
    let mut ev = Events::with_capacity(4);
    assert_eq!(
        ep.wait(&mut ev, ZERO).unwrap(),
        1,
        "writable expected first"
    );
    assert!(!ev.iter().next().unwrap().is_read_closed());

    theirs.shutdown(Shutdown::Write).unwrap();
    ep.wait(&mut ev, ZERO).unwrap();
    let e = *ev.iter().next().unwrap();
    assert!(
        e.is_read_closed(),
        "no RDHUP after peer shutdown(SHUT_WR): {e:?}"
    );
    assert!(e.is_readable(), "RDHUP comes with readable (EOF): {e:?}");
    assert!(
        !e.is_hangup(),
        "HUP must not be reported for a half close: {e:?}"
    );
    assert!(
        e.is_writable(),
        "still writable after the peer's half close: {e:?}"
    );

    // The peer closes both directions: now hang-up, with RDHUP still set.
    drop(theirs);
    ep.wait(&mut ev, ZERO).unwrap();
    let e = *ev.iter().next().unwrap();
    assert!(e.is_hangup(), "no HUP after the peer closed: {e:?}");
    assert!(
        e.ready().contains(Ready::READ_CLOSED | Ready::READABLE),
        "{e:?}"
    );
}

#[test]
fn tcp_rdhup_on_peer_shutdown() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut theirs = TcpStream::connect(l.local_addr().unwrap()).unwrap();
    let (ours, _) = l.accept().unwrap();
    ours.set_nonblocking(true).unwrap();
    let ep = Epoll::new().unwrap();
    ep.add(
        &ours,
        1,
        Interest::READABLE | Interest::WRITABLE | Interest::READ_CLOSED | Interest::EDGE_TRIGGERED,
    )
    .unwrap();
    let mut ev = Events::with_capacity(4);
    assert_eq!(ep.wait(&mut ev, Some(Duration::from_secs(1))).unwrap(), 1);
    theirs.write_all(b"bye").unwrap();
    theirs.shutdown(Shutdown::Write).unwrap();
    // Data and FIN may arrive as one edge or two: collect until RDHUP is seen.
    let mut seen = Ready::empty();
    for _ in 0..10 {
        if ep.wait(&mut ev, Some(Duration::from_millis(200))).unwrap() == 0 {
            break;
        }
        for e in &ev {
            seen |= e.ready();
        }
        if seen.contains(Ready::READ_CLOSED) {
            break;
        }
    }
    assert!(
        seen.contains(Ready::READ_CLOSED | Ready::READABLE),
        "{seen:?}"
    );
    assert!(
        !seen.contains(Ready::HANGUP),
        "HUP on a half-closed TCP socket: {seen:?}"
    );
}

#[test]
fn rdhup_not_reported_unless_asked() {
    let ep = Epoll::new().unwrap();
    let (ours, theirs) = UnixStream::pair().unwrap();
    ep.add(&ours, 1, Interest::READABLE).unwrap();
    theirs.shutdown(Shutdown::Write).unwrap();
    let mut ev = Events::with_capacity(4);
    assert_eq!(ep.wait(&mut ev, ZERO).unwrap(), 1);
    let e = ev.iter().next().unwrap();
    assert!(e.is_readable() && !e.is_read_closed(), "{e:?}");
}
