//! Regression for issue 19, as an attacker would try it from safe code: a UDP datagram larger
//! than the receive buffer (its size is the remote peer's choice) and a send larger than UDP
//! allows both fail inside the call (`WSAEMSGSIZE`), but the status underneath is the warning
//! `STATUS_BUFFER_OVERFLOW`, so the kernel may still queue a completion packet. The crate used to
//! hand back a `Done` for such a call and free the operation; the packet was then decoded from
//! freed memory (stale or duplicate completions, a still-pending receive handed back with its
//! buffer, the kernel writing into that `Vec`, page faults).
//!
//! Each scenario checks, in both notification modes:
//! - every operation's result arrives exactly once (at once or through the port), with its own
//!   token, and nothing else arrives: no packet is decoded from a freed operation;
//! - every buffer handed back is never written again: its spare capacity is filled with a canary
//!   at hand-back and must still hold it once all traffic (including a datagram for a later
//!   receive) is over.

use std::collections::BTreeMap;
use std::net::UdpSocket;
use std::time::{Duration, Instant};

use iocp::{Attached, Completion, CompletionPort, Done, Notify, Submitted};
use windows_sys::Win32::Foundation::ERROR_MORE_DATA;
use windows_sys::Win32::Networking::WinSock::WSAEMSGSIZE;

use crate::util::{self, PATIENCE};

const CANARY: u8 = 0xA5;

/// One result handed back: the result (error as its raw code), the buffer as it was handed
/// back, and the buffer kept since, its spare capacity filled with [`CANARY`].
type HandedBack = (Result<usize, i32>, Vec<u8>, Vec<u8>);

/// Results handed back, by token, and the tokens still pending.
#[derive(Default)]
struct Ledger {
    pending: Vec<usize>,
    done: BTreeMap<usize, HandedBack>,
}

impl Ledger {
    fn submitted(&mut self, token: usize, s: Submitted) {
        match s {
            Submitted::Pending(t) => {
                assert_eq!(t.token(), token);
                self.pending.push(token);
            }
            Submitted::Done(d) => self.handed_back(d, "at once"),
        }
    }

    /// Records a result; the buffer's spare capacity gets the canary (safe code: `resize`), so a
    /// later kernel write into it shows.
    fn handed_back(&mut self, d: Done, how: &str) {
        let token = d.token();
        let result = d.result().map_err(|e| e.raw_os_error().unwrap_or(-1));
        let mut buf = d.into_buf().expect("a buffer");
        let snapshot = buf.clone();
        buf.resize(buf.capacity(), CANARY);
        println!(
            "token {token} handed back {how}: {result:?}, {} bytes",
            snapshot.len()
        );
        let before = self.done.insert(token, (result, snapshot, buf));
        assert!(before.is_none(), "token {token} handed back twice");
    }

    /// Takes whatever the port delivers within `wait`; every delivery must be a pending op of
    /// ours, once.
    fn drain(&mut self, port: &CompletionPort, wait: Duration) {
        let end = Instant::now() + wait;
        while self.take_one(port, end.saturating_duration_since(Instant::now())) {}
    }

    /// Takes one delivery within `wait`; `false` if none came.
    fn take_one(&mut self, port: &CompletionPort, wait: Duration) -> bool {
        match port.get(Some(wait)).expect("get") {
            None => false,
            Some(Completion::Op(d)) => {
                let token = d.token();
                let Some(i) = self.pending.iter().position(|&t| t == token) else {
                    panic!(
                        "a completion for token {token} ({:?}), which is not pending: \
                         decoded from a freed or handed-back operation",
                        d.result()
                    );
                };
                self.pending.swap_remove(i);
                self.handed_back(d, "through the port");
                true
            }
            Some(other) => panic!("unexpected completion {other:?}"),
        }
    }

    /// Waits until `token` has been handed back.
    fn wait_for(&mut self, port: &CompletionPort, token: usize) {
        let end = Instant::now() + PATIENCE;
        while !self.done.contains_key(&token) {
            let left = end.saturating_duration_since(Instant::now());
            assert!(self.take_one(port, left), "token {token} never completed");
        }
    }

    /// No buffer was written after it was handed back.
    fn check_canaries(&self) {
        for (token, (_, snapshot, buf)) in &self.done {
            assert_eq!(
                &buf[..snapshot.len()],
                &snapshot[..],
                "token {token}: bytes changed after hand-back"
            );
            assert!(
                buf[snapshot.len()..].iter().all(|&b| b == CANARY),
                "token {token}: the kernel wrote into the buffer after it was handed back"
            );
        }
    }
}

/// A UDP pair: `rx` attached with `notify`, `tx` plain and connected to it. `None` if the socket
/// provider refuses skip-on-success.
fn udp_pair(port: &CompletionPort, notify: Notify) -> Option<(Attached<UdpSocket>, UdpSocket)> {
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    tx.connect(rx.local_addr().unwrap()).unwrap();
    rx.connect(tx.local_addr().unwrap()).unwrap();
    // SAFETY: the socket is used only through this crate (and std's synchronous calls).
    match unsafe { port.associate_socket(rx, 7, notify) } {
        Ok(rx) => Some((rx, tx)),
        Err(e) if e.kind() == std::io::ErrorKind::Unsupported => {
            println!("skipped: {e}");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

/// Waits until a datagram is queued on `rx` (a 1-byte peek of a longer one fails with
/// `WSAEMSGSIZE`, which also says it is there).
fn wait_readable(rx: &UdpSocket) {
    rx.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut one = [0u8; 1];
    match rx.peek(&mut one) {
        Ok(_) => {}
        Err(e) if e.raw_os_error() == Some(WSAEMSGSIZE) => {}
        Err(e) => panic!("peek: {e}"),
    }
}

fn oversized_datagram_receive(notify: Notify) {
    let port = util::port();
    let Some((rx, tx)) = udp_pair(&port, notify) else {
        return;
    };
    let mut ledger = Ledger::default();
    for round in 0..8usize {
        let big = util::pattern(round, 100);
        let small = util::pattern(round + 100, 8);
        let (t_big, t_next) = (2 * round + 1, 2 * round + 2);
        assert_eq!(tx.send(&big).unwrap(), 100);
        wait_readable(rx.get_ref());
        // 8 bytes of room for a 100-byte datagram: fails inside the call with WSAEMSGSIZE.
        ledger.submitted(t_big, rx.recv(Vec::with_capacity(8), t_big));
        // Nothing queued now: this one pends (and reuses the freed block if the first was freed).
        ledger.submitted(t_next, rx.recv(Vec::with_capacity(8), t_next));
        ledger.drain(&port, Duration::from_millis(50));
        assert_eq!(tx.send(&small).unwrap(), 8);
        ledger.wait_for(&port, t_big);
        ledger.wait_for(&port, t_next);

        let (r, got, _) = &ledger.done[&t_big];
        let code = r.unwrap_err();
        assert!(
            code == WSAEMSGSIZE || code == ERROR_MORE_DATA as i32,
            "{notify:?}: oversized datagram gave {r:?}"
        );
        assert_eq!(got, &big[..8], "the start of the truncated datagram");
        let (r, got, _) = &ledger.done[&t_next];
        assert_eq!(*r, Ok(8), "{notify:?}");
        assert_eq!(got, &small);
    }
    ledger.drain(&port, Duration::from_millis(100));
    assert!(ledger.pending.is_empty(), "{:?}", ledger.pending);
    ledger.check_canaries();
}

fn oversized_send(notify: Notify) {
    let port = util::port();
    let Some((rx, tx)) = udp_pair(&port, notify) else {
        return;
    };
    // The attached socket sends to the plain one this time.
    let (sender, receiver) = (rx, tx);
    receiver.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut ledger = Ledger::default();
    for round in 0..8usize {
        let huge = util::pattern(round, 70_000);
        let small = util::pattern(round + 100, 16);
        let (t_huge, t_small) = (2 * round + 1, 2 * round + 2);
        // Larger than any UDP datagram (65,507 bytes of payload over IPv4).
        ledger.submitted(t_huge, sender.send(huge.clone(), t_huge));
        ledger.submitted(t_small, sender.send(small.clone(), t_small));
        ledger.wait_for(&port, t_huge);
        ledger.wait_for(&port, t_small);
        let (r, buf, _) = &ledger.done[&t_huge];
        assert!(
            r.is_err(),
            "{notify:?}: a 70,000-byte datagram was sent: {r:?}"
        );
        assert_eq!(buf, &huge, "the send buffer comes back unchanged");
        let (r, buf, _) = &ledger.done[&t_small];
        assert_eq!(*r, Ok(16), "{notify:?}");
        assert_eq!(buf, &small);
        let mut got = [0u8; 64];
        let n = receiver.recv(&mut got).unwrap();
        assert_eq!(&got[..n], &small[..], "only the small datagram arrives");
    }
    ledger.drain(&port, Duration::from_millis(100));
    assert!(ledger.pending.is_empty(), "{:?}", ledger.pending);
    ledger.check_canaries();
}

#[test]
fn oversized_datagram_receive_always() {
    oversized_datagram_receive(Notify::Always);
}

#[test]
fn oversized_datagram_receive_skip_on_success() {
    oversized_datagram_receive(Notify::SkipOnSuccess);
}

#[test]
fn oversized_send_always() {
    oversized_send(Notify::Always);
}

#[test]
fn oversized_send_skip_on_success() {
    oversized_send(Notify::SkipOnSuccess);
}
