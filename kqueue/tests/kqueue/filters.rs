//! One test per filter: the event arrives, with the documented `data`/`fflags`.

use crate::util::{kq, poll, socket_pair, temp_path, wait};
use kqueue::{Change, Filter, ProcEvents, UserOp, VnodeEvents};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LONG: Duration = Duration::from_secs(5);

#[test]
fn read_reports_bytes_available() {
    let kq = kq();
    let (a, mut b) = socket_pair();
    kq.apply(&[Change::read(&a, 11)]).unwrap();
    assert!(poll(&kq).is_empty(), "nothing to read yet");
    b.write_all(b"hello").unwrap();
    let ev = wait(&kq, LONG);
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(
        (ev[0].filter(), ev[0].token(), ev[0].ident()),
        (Filter::Read, 11, a.as_raw_fd() as usize)
    );
    assert_eq!(ev[0].data(), 5, "data is the number of bytes to read");
    assert!(!ev[0].is_eof());
}

#[test]
fn read_reports_eof_when_the_peer_closes() {
    let kq = kq();
    let (a, b) = socket_pair();
    kq.apply(&[Change::read(&a, 1)]).unwrap();
    drop(b);
    let ev = wait(&kq, LONG);
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert!(ev[0].is_eof(), "{:?}", ev[0]);
    assert!(
        ev[0].eof_error().is_none(),
        "a clean close carries no socket error"
    );
}

#[test]
fn write_reports_buffer_space() {
    let kq = kq();
    let (a, _b) = socket_pair();
    kq.apply(&[Change::write(&a, 2)]).unwrap();
    let ev = wait(&kq, LONG);
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(ev[0].filter(), Filter::Write);
    assert!(
        ev[0].data() > 0,
        "a fresh socket has send-buffer space: {:?}",
        ev[0]
    );
}

#[test]
fn signal_counts_deliveries() {
    // The filter records delivery attempts even for an ignored signal (kqueue(2)), so
    // ignoring SIGUSR2 keeps the test process alive. No other test touches SIGUSR2.
    // SAFETY: setting a signal to SIG_IGN has no memory-safety preconditions.
    unsafe { libc::signal(libc::SIGUSR2, libc::SIG_IGN) };
    let kq = kq();
    kq.apply(&[Change::signal(libc::SIGUSR2, 3)]).unwrap();
    for _ in 0..2 {
        // SAFETY: kill(2) on our own pid with a valid signal number.
        assert_eq!(unsafe { libc::kill(libc::getpid(), libc::SIGUSR2) }, 0);
    }
    let ev = wait(&kq, LONG);
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(
        (ev[0].filter(), ev[0].ident(), ev[0].token()),
        (Filter::Signal, libc::SIGUSR2 as usize, 3)
    );
    assert_eq!(
        ev[0].data(),
        2,
        "data counts the deliveries since the last report"
    );
}

#[test]
fn vnode_reports_write_extend_and_delete() {
    let path = temp_path("vnode");
    let file = std::fs::File::create(&path).unwrap();
    let kq = kq();
    let watch = VnodeEvents::WRITE | VnodeEvents::EXTEND | VnodeEvents::DELETE;
    kq.apply(&[Change::vnode(&file, watch, 4).clear()]).unwrap();
    assert!(poll(&kq).is_empty());
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(b"more")
        .unwrap();
    let ev = wait(&kq, LONG);
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(ev[0].filter(), Filter::Vnode);
    assert!(
        ev[0]
            .vnode_events()
            .contains(VnodeEvents::WRITE | VnodeEvents::EXTEND),
        "{:?}",
        ev[0]
    );
    std::fs::remove_file(&path).unwrap();
    let ev = wait(&kq, LONG);
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert!(
        ev[0].vnode_events().contains(VnodeEvents::DELETE),
        "{:?}",
        ev[0]
    );
}

#[test]
fn proc_reports_exit_with_status() {
    // The child waits for its stdin to close, so it cannot exit before we register.
    let mut child = Command::new("/bin/sh")
        .args(["-c", "read x; exit 3"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let kq = kq();
    kq.apply(&[Change::proc(child.id(), ProcEvents::EXIT, 5)])
        .unwrap();
    drop(child.stdin.take());
    let ev = wait(&kq, LONG);
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(
        (ev[0].filter(), ev[0].ident(), ev[0].token()),
        (Filter::Proc, child.id() as usize, 5)
    );
    assert!(ev[0].proc_events().contains(ProcEvents::EXIT));
    let status = ev[0]
        .exit_status()
        .expect("NOTE_EXIT carries the wait status");
    assert!(libc::WIFEXITED(status), "status {status:#x}");
    assert_eq!(libc::WEXITSTATUS(status), 3);
    assert_eq!(child.wait().unwrap().code(), Some(3));
}

#[test]
fn proc_reports_fork() {
    let mut child = Command::new("/bin/sh")
        .args(["-c", "read x; /bin/sh -c true; read y"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let kq = kq();
    kq.apply(&[Change::proc(
        child.id(),
        ProcEvents::FORK | ProcEvents::EXIT,
        6,
    )])
    .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"go\n").unwrap();
    let ev = wait(&kq, LONG);
    assert!(!ev.is_empty());
    assert!(
        ev[0].proc_events().contains(ProcEvents::FORK),
        "{:?}",
        ev[0]
    );
    drop(stdin);
    child.wait().unwrap();
}

#[test]
fn user_event_wakes_a_waiter_in_another_thread() {
    let kq = kq();
    kq.apply(&[Change::user(42, 7).clear()]).unwrap();
    assert!(poll(&kq).is_empty(), "not triggered yet");
    let start = Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(50));
            kq.apply(&[Change::user_op(42, true, UserOp::Or(0x5)).unwrap()])
                .unwrap();
        });
        let ev = wait(&kq, LONG);
        assert_eq!(ev.len(), 1, "{ev:?}");
        assert_eq!(
            (ev[0].filter(), ev[0].ident(), ev[0].token()),
            (Filter::User, 42, 7)
        );
        assert_eq!(ev[0].user_bits(), 0x5);
    });
    assert!(
        start.elapsed() < LONG,
        "woken by the trigger, not the timeout"
    );
    // EV_CLEAR: reported once per trigger.
    assert!(poll(&kq).is_empty());
    kq.apply(&[Change::user_trigger(42)]).unwrap();
    assert_eq!(poll(&kq).len(), 1);
}

#[cfg(any(
    target_vendor = "apple",
    target_os = "openbsd",
    target_os = "dragonfly"
))]
#[test]
fn except_reports_out_of_band_data() {
    use std::net::{TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut tx = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (rx, _) = listener.accept().unwrap();
    let kq = kq();
    kq.apply(&[Change::except(&rx, 8)]).unwrap();
    tx.write_all(b"x").unwrap();
    // SAFETY: send(2) of one byte from a live buffer on an open socket.
    let n = unsafe { libc::send(tx.as_raw_fd(), b"!".as_ptr().cast(), 1, libc::MSG_OOB) };
    assert_eq!(n, 1);
    let ev = wait(&kq, LONG);
    assert!(ev.iter().any(|e| e.token() == 8), "{ev:?}");
    let mut buf = [0u8; 8];
    let _ = std::io::Read::read(&mut &rx, &mut buf);
}
