//! Zero-copy send: the buffer stays owned until the notification CQE.

use std::io::Read as _;
use std::os::fd::AsFd;

use uring::CqeFlags;
use uring::Sqe;
use uring::driver::{Completion, Driver, Operation, SendZc};

use crate::support::{supported, tcp_pair, turn};

/// Wraps `SendZc` and records every CQE the driver shows it, to check the output (and the
/// buffer) is handed back only with the notification.
struct Watched {
    inner: SendZc<Vec<u8>>,
    seen: Vec<CqeFlags>,
}

// SAFETY: delegates to `SendZc`, whose memory this owns.
unsafe impl Operation for Watched {
    type Output = (std::io::Result<u32>, Vec<u8>, Vec<CqeFlags>, Completion);
    fn sqe(&mut self) -> Sqe {
        self.inner.sqe()
    }
    fn validate(&self, ring_id: u64) -> std::io::Result<()> {
        self.inner.validate(ring_id)
    }
    fn fail(self, error: std::io::Error) -> Self::Output {
        let (r, b) = self.inner.fail(error);
        let c = Completion {
            res: -libc::EIO,
            flags: CqeFlags::empty(),
            aux: 0,
        };
        (r, b, self.seen, c)
    }
    unsafe fn observe(&mut self, c: &mut Completion) {
        self.seen.push(c.flags);
        // SAFETY: forwarded: `c` is a CQE of the SQE `inner` built (our caller's promise).
        unsafe { self.inner.observe(c) };
    }
    unsafe fn complete(self, c: Completion) -> Self::Output {
        // SAFETY: forwarded: `c` is the final CQE of `inner`'s SQE (our caller's promise).
        let (r, b) = unsafe { self.inner.complete(c) };
        (r, b, self.seen, c)
    }
}

/// The test: SEND_ZC hands the buffer back only after the F_NOTIF CQE, and only then
/// may it be reused (here: rewritten and sent again).
#[test]
fn send_zc_buffer_back_only_after_notif() {
    let mut d = Driver::new(16).unwrap();
    if !supported(
        &d,
        uring_sys::IORING_OP_SEND_ZC,
        "send_zc_buffer_back_only_after_notif",
    ) {
        return;
    }
    let (c, mut s) = tcp_pair();
    let mut buf = vec![0xAB; 64 * 1024];
    let mut total = Vec::new();
    for round in 0..3u8 {
        buf.fill(round);
        let op = d
            .submit(Watched {
                inner: SendZc::new(c.as_fd(), buf, 0),
                seen: Vec::new(),
            })
            .unwrap();
        // Drain the receiver concurrently so the send completes.
        let mut chunk = vec![0u8; 64 * 1024];
        let mut got = 0;
        while !d.is_done(&op) {
            d.submit_pending().unwrap();
            d.reap(|_| {});
            s.set_nonblocking(true).unwrap();
            if let Ok(n) = s.read(&mut chunk) {
                got += n;
                total.extend_from_slice(&chunk[..n]);
            }
            if !d.is_done(&op) && got >= 64 * 1024 {
                turn(&mut d);
            }
        }
        let (res, back, seen, last) = d.wait(op).unwrap();
        assert_eq!(res.unwrap(), 64 * 1024);
        assert!(
            last.flags.contains(CqeFlags::NOTIF),
            "final CQE is the notification"
        );
        assert_eq!(seen.len(), 2, "result CQE then notification: {seen:?}");
        assert!(seen[0].contains(CqeFlags::MORE) && !seen[0].contains(CqeFlags::NOTIF));
        buf = back; // reused only now
    }
    s.set_nonblocking(false).unwrap();
    drop(c);
    s.read_to_end(&mut total).unwrap();
    let want: Vec<u8> = (0..3u8).flat_map(|r| vec![r; 64 * 1024]).collect();
    assert!(total == want, "every round's bytes arrived intact");
}

/// Plain use: the output is (result, buffer).
#[test]
fn send_zc_simple() {
    let mut d = Driver::new(16).unwrap();
    if !supported(&d, uring_sys::IORING_OP_SEND_ZC, "send_zc_simple") {
        return;
    }
    let (c, mut s) = tcp_pair();
    let op = d
        .submit(SendZc::new(c.as_fd(), b"zero copy".to_vec(), 0))
        .unwrap();
    let (res, buf) = d.wait(op).unwrap();
    assert_eq!(res.unwrap(), 9);
    assert_eq!(buf, b"zero copy");
    let mut got = [0u8; 9];
    s.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"zero copy");
}
