//! Regression tests from the adversarial audit of the driver's safe API: each sequence of safe
//! calls here once lost a count, leaked, or panicked.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use uring::driver::{Driver, Nop};

/// A panic in `reap`'s closure (a runtime's waker) after a CQE was consumed: the operation's
/// final CQE is gone from the ring, so it must no longer count as in flight — otherwise the
/// drop waits the whole drop timeout for a CQE that never comes and then leaks the slab and
/// every buffer ring.
#[test]
fn panic_in_reap_callback_keeps_in_flight_exact() {
    let mut d = Driver::new(8).unwrap();
    let ops: Vec<_> = (0..4).map(|_| d.submit(Nop).unwrap()).collect();
    d.submit_and_wait(4).unwrap();
    let mut calls = 0;
    let r = catch_unwind(AssertUnwindSafe(|| {
        d.reap(|_| {
            calls += 1;
            if calls == 2 {
                panic!("waker panicked");
            }
        })
    }));
    assert!(r.is_err());
    // The two CQEs seen so far are consumed; the other two are still in the CQ.
    d.reap(|_| {});
    assert_eq!(d.in_flight(), 0, "every final CQE was consumed");
    for op in ops {
        assert_eq!(d.take(op).unwrap().unwrap(), 0);
    }
    d.set_drop_timeout(Duration::from_secs(5));
    let t0 = Instant::now();
    assert_eq!(d.close(), 0, "nothing is in flight, nothing leaked");
    assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
}

/// `RecvMsgMulti` with a control length near `usize::MAX`: the header size it needs overflows.
/// It must be refused at submission with a clear error — not a debug-build overflow panic, and
/// not (in release) a wrapped size small enough to pass the check.
#[test]
fn recvmsg_multishot_huge_lengths_are_refused() {
    use uring::driver::multishot::RecvMsgMulti;
    let mut d = Driver::new(8).unwrap();
    let ring = d.buf_ring(4, 256).unwrap();
    let (_a, b) = std::os::unix::net::UnixDatagram::pair().unwrap();
    for (namelen, controllen) in [
        (0, usize::MAX),
        (u32::MAX, usize::MAX - 8),
        (8, usize::MAX - 30),
    ] {
        let err = d
            .submit_multishot(RecvMsgMulti::new(&b, &ring, namelen, controllen))
            .unwrap_err();
        assert_eq!(err.error.kind(), std::io::ErrorKind::InvalidInput, "{err}");
        assert!(err.error.to_string().contains("too small"), "{err}");
    }
    assert_eq!(d.in_flight(), 0);
}

/// A `NoMem` pushed last with `IO_LINK` leaves the chain open: the cancel the drop pushes would
/// be linked behind it (the same batch), never run while the poll waits, and the drop would
/// leak everything after its timeout. The drop must end the chain first.
#[test]
fn drop_after_an_open_link_cancels_everything() {
    use std::os::fd::AsRawFd;
    use uring::driver::{NoMem, Read};
    use uring::opcode;
    use uring::squeue::SqeFlags;
    use uring::types::{Fd, PollEvents};
    let (r, _w) = crate::support::pipe();
    let (r2, _w2) = crate::support::pipe();
    let mut d = Driver::new(8).unwrap();
    let read = d.submit(Read::new(&r2, vec![0u8; 8], u64::MAX)).unwrap();
    let poll = NoMem::new(opcode::PollAdd::new(Fd(r.as_raw_fd()), PollEvents::IN));
    let poll = d.submit(poll.flags(SqeFlags::IO_LINK)).unwrap();
    std::mem::forget((read, poll));
    d.set_drop_timeout(Duration::from_secs(5));
    let t0 = Instant::now();
    assert_eq!(d.close(), 0, "both cancelled, nothing leaked");
    assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
}

/// A `NoMem` with `IO_DRAIN` waits for a read that never completes, and every SQE after it —
/// the drop's `ASYNC_CANCEL` too — is deferred behind it: the read could never be cancelled,
/// and the drop leaked everything after its timeout. The drop also cancels synchronously
/// (`IORING_REGISTER_SYNC_CANCEL`, no SQE), which nothing defers.
#[test]
fn drop_behind_a_drain_cancels_everything() {
    use uring::driver::{NoMem, Read};
    use uring::opcode;
    use uring::squeue::SqeFlags;
    let (r, _w) = crate::support::pipe();
    let mut d = Driver::new(8).unwrap();
    let read = d.submit(Read::new(&r, vec![0u8; 8], u64::MAX)).unwrap();
    d.submit_pending().unwrap();
    let nop = NoMem::new(opcode::Nop::new()).flags(SqeFlags::IO_DRAIN);
    let nop = d.submit(nop).unwrap();
    d.submit_pending().unwrap();
    std::mem::forget((read, nop));
    d.set_drop_timeout(Duration::from_secs(5));
    let t0 = Instant::now();
    assert_eq!(
        d.close(),
        0,
        "the read cancelled, the drained NOP ran, nothing leaked"
    );
    assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
}
