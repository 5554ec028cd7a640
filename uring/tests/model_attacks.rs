//! Attacks on the model kernel's soundness claim (`uring::model`, "Soundness") from safe code
//! only: with a `Driver` over a model ring, no safe call on the model or the driver may make
//! the model write or read memory the driver no longer owns, or make the driver trust a result
//! no kernel could give. Each test is one attack; run them under Miri (`cargo +nightly miri
//! test -p evbind-uring --features model --test model_attacks`, with
//! `MIRIFLAGS=-Zmiri-disable-isolation -Zmiri-ignore-leaks`: drops that time out leak on
//! purpose) to see a use-after-free or a data race, which plain runs cannot.
#![forbid(unsafe_code)]

use std::io;
use std::time::Duration;

use uring::driver::{
    Accept, Driver, OpFile, Read, Readv, SendMsg, SendZc, TakeError, Write, Writev,
};
use uring::model::{Chaos, Config, Fault, Model, Outcome};
use uring_sys as sys;

/// A driver over a model ring whose drop gives up at once (the model never blocks: a wait
/// that nothing can satisfy fails with `ETIME` immediately, so a long timeout only spins).
fn driver(cfg: Config) -> (Driver, Model) {
    let (mut d, m) = cfg.build_driver().unwrap();
    d.set_drop_timeout(Duration::ZERO);
    (d, m)
}

fn take<T: uring::driver::Operation>(d: &mut Driver, op: uring::driver::Op<T>) -> T::Output {
    match d.take(op) {
        Ok(out) => out,
        Err(TakeError::Pending(_)) => panic!("pending"),
        Err(TakeError::Foreign(_)) => panic!("foreign"),
    }
}

fn fd() -> OpFile {
    OpFile::from_raw_fd(3)
}

/// A handler's multishot outcome on a single-shot read, shuffled: the `F_MORE` CQEs (which the
/// driver ignores for a single-shot operation) may come after the final one; the model wrote
/// the buffer before posting any of them, so nothing is written after the driver hands the
/// buffer back.
#[test]
fn a_multishot_outcome_on_a_single_shot_read() {
    let (mut d, m) = driver(Config::new(8).seed(3));
    m.set_reorder(true);
    m.set_handler(|sqe| match sqe.opcode() {
        sys::IORING_OP_READ => Outcome::Multishot(vec![64, 64, 64, 5]),
        _ => Outcome::Pending,
    });
    for _ in 0..4 {
        let op = d
            .submit(Read::new(fd(), Vec::with_capacity(16), 0))
            .map_err(|e| e.error)
            .unwrap();
        d.submit_pending().unwrap();
        d.reap(|_| {});
        let (res, buf) = take(&mut d, op);
        // The final result, at most what the model wrote.
        assert_eq!(res.unwrap(), 5);
        assert_eq!(buf, [0xA5; 5]);
    }
    assert!(m.in_flight().is_empty());
}

/// `complete_with(.., F_MORE)` on a single-shot read: the model ends the request, the driver
/// waits for a final CQE that never comes and leaks the buffer on drop (never frees it).
#[test]
fn a_final_cqe_with_more_on_a_single_shot_read_leaks() {
    let (mut d, m) = driver(Config::new(4));
    let op = d
        .submit(Read::new(fd(), Vec::with_capacity(16), 0))
        .map_err(|e| e.error)
        .unwrap();
    d.submit_pending().unwrap();
    let ud = m.in_flight()[0];
    assert!(m.complete_with(ud, 16, sys::IORING_CQE_F_MORE));
    d.reap(|_| {});
    assert!(!d.is_done(&op));
    assert!(m.in_flight().is_empty());
    assert_eq!(d.close(), 1, "the read is leaked, not freed");
    assert!(!m.complete(ud, 16));
}

/// The model READS a write's buffer when it completes it (`touch_buffers`): a driver dropped
/// while the write is in flight and cannot be cancelled (every enter fails) must leak the
/// buffer, so the model's later completion reads live memory (Miri: no use-after-free).
///
/// (A `Fault::Hang` on the drop's cancel does not keep the write: the model performs the
/// cancel when the request starts, only its own CQE hangs, as on a kernel.)
#[test]
fn a_write_completed_after_its_driver_gave_up() {
    let (mut d, m) = driver(Config::new(4));
    let op = d
        .submit(Write::new(fd(), vec![7u8; 32], 0))
        .map_err(|e| e.error)
        .unwrap();
    d.submit_pending().unwrap();
    let ud = m.in_flight()[0];
    m.set_chaos(Chaos::new(2).enter_errors(100));
    drop(op);
    assert_eq!(d.close(), 1);
    assert_eq!(m.in_flight(), [ud]);
    m.set_chaos(Chaos::new(2));
    assert!(m.complete(ud, 32), "the model reads the leaked buffer");
}

/// A `Fault::Hang` on the drop's cancel: the cancel still cancels (its CQE hangs), so the
/// drop frees the write's buffer; the model must hold nothing that names it.
#[test]
fn a_hung_cancel_during_the_drop() {
    let (mut d, m) = driver(Config::new(4));
    let op = d
        .submit(Write::new(fd(), vec![7u8; 32], 0))
        .map_err(|e| e.error)
        .unwrap();
    d.submit_pending().unwrap();
    let ud = m.in_flight()[0];
    m.inject(Fault::Hang);
    drop(op);
    assert_eq!(d.close(), 0);
    assert!(!m.complete(ud, 32), "the write is gone from the model");
    // The hung cancel (the driver's internal tag) ends with nothing to touch.
    for ud in m.in_flight() {
        assert!(m.complete(ud, 0));
    }
}

/// The same for a read whose driver is dropped while every enter fails (chaos at 100%): the
/// shutdown cannot even submit its cancel. The model then writes the read's buffer: it must
/// have been leaked.
#[test]
fn a_read_completed_after_every_enter_failed_during_the_drop() {
    let (mut d, m) = driver(Config::new(4));
    let op = d
        .submit(Read::new(fd(), Vec::with_capacity(64), 0))
        .map_err(|e| e.error)
        .unwrap();
    d.submit_pending().unwrap();
    let ud = m.in_flight()[0];
    m.set_chaos(Chaos::new(1).enter_errors(100));
    drop(op);
    drop(d);
    assert!(m.complete(ud, 64));
}

/// A handler panicking inside an enter of the driver's drop (a second read, pushed but not
/// submitted, starts in the drop's first enter): the driver leaks what is in flight and the
/// panic goes on; the model completing the first read afterwards writes leaked memory.
#[test]
fn a_handler_panicking_during_the_drop() {
    let (mut d, m) = driver(Config::new(4));
    let op = d
        .submit(Read::new(fd(), Vec::with_capacity(64), 0))
        .map_err(|e| e.error)
        .unwrap();
    d.submit_pending().unwrap();
    let ud = m.in_flight()[0];
    // Every request the handler sees from now on panics (cancels are the model's own).
    m.set_handler(|_| panic!("handler panics"));
    // A second read whose start panics inside the drop's enter.
    let op2 = d.submit(Read::new(fd(), Vec::with_capacity(8), 0));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        drop(op);
        drop(op2);
        drop(d);
    }));
    assert!(r.is_err(), "the handler's panic goes on");
    m.set_handler(|_| Outcome::Pending);
    assert!(m.complete(ud, 64), "the model writes the leaked buffer");
}

/// A handler panicking in `submit_pending` (the model's enter, mid-batch): the requests of
/// that batch not started yet are started by the next enter (they were lost: consumed, never
/// completed, so the driver waited for them until its drop leaked them). Nothing is freed
/// while the model may still touch it.
#[test]
fn a_handler_panicking_mid_batch() {
    let (mut d, m) = driver(Config::new(8));
    let mut n = 0;
    m.set_handler(move |_| {
        n += 1;
        if n == 2 {
            panic!("second request");
        }
        Outcome::Pending
    });
    let ops: Vec<_> = (0..4)
        .map(|_| {
            d.submit(Read::new(fd(), Vec::with_capacity(32), 0))
                .map_err(|e| e.error)
                .unwrap()
        })
        .collect();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| d.submit_pending()));
    assert!(r.is_err());
    // The first and the one whose start panicked (pending: its outcome never came).
    assert_eq!(m.in_flight().len(), 2);
    // (Nothing left to submit: a plain submit would not enter.)
    d.get_events().unwrap();
    let held = m.in_flight();
    assert_eq!(held.len(), 4, "the next enter starts the rest");
    for ud in held {
        assert!(m.complete(ud, 32));
    }
    d.reap(|_| {});
    for op in ops {
        let (res, buf) = take(&mut d, op);
        assert_eq!(res.unwrap(), 32);
        assert_eq!(buf, [0xA5; 32]);
    }
    assert_eq!(d.close(), 0);
}

/// The `Model` handle dropped first: the ring keeps the model's memory and state alive, the
/// driver goes on working, its drop cancels through the model as usual.
#[test]
fn the_model_dropped_before_the_driver() {
    let (mut d, m) = driver(Config::new(4).complete_on_wait(true));
    m.set_handler(|sqe| match sqe.opcode() {
        sys::IORING_OP_READ => Outcome::Complete {
            res: sqe.as_raw().len as i32,
            flags: 0,
        },
        _ => Outcome::Pending,
    });
    drop(m);
    let op = d
        .submit(Read::new(fd(), Vec::with_capacity(8), 0))
        .map_err(|e| e.error)
        .unwrap();
    d.submit_and_wait(1).unwrap();
    d.reap(|_| {});
    let (res, buf) = take(&mut d, op);
    assert_eq!(res.unwrap(), 8);
    assert_eq!(buf, [0xA5; 8]);
    let _pending = d.submit(Write::new(fd(), vec![1u8; 8], 0));
    drop(d);
}

/// Model is `Send + Sync`: another thread completes reads (the model writes their buffers)
/// while this one submits, reaps and frees them. Under Miri, a write after the buffer was
/// handed back, or an unordered one, is a race or a use-after-free.
#[test]
fn completing_from_another_thread_while_the_driver_reaps() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    let (mut d, m) = driver(Config::new(8));
    send_sync(&m);
    let rounds = if cfg!(miri) { 4 } else { 64 };
    std::thread::scope(|s| {
        let m = &m;
        let (tx, rx) = std::sync::mpsc::channel::<u64>();
        s.spawn(move || {
            for ud in rx {
                assert!(m.complete(ud, 16));
            }
        });
        for _ in 0..rounds {
            let op = d
                .submit(Read::new(fd(), Vec::with_capacity(16), 0))
                .map_err(|e| e.error)
                .unwrap();
            d.submit_pending().unwrap();
            let ud = *m.in_flight().last().unwrap();
            tx.send(ud).unwrap();
            while !d.is_done(&op) {
                d.reap(|_| {});
                std::thread::yield_now();
            }
            let (res, buf) = take(&mut d, op);
            assert_eq!(res.unwrap(), 16);
            assert_eq!(buf, [0xA5; 16]);
        }
        drop(tx);
    });
}

/// The vectored and message operations on a model ring: the model does not perform them, so a
/// handler claiming bytes read gets `EOPNOTSUPP` for the reads (no uninitialized bytes counted
/// as read), and no buffer behind an iovec is ever touched.
#[test]
fn vectored_and_message_reads_claim_nothing() {
    let (mut d, m) = driver(Config::new(8));
    m.set_handler(|_| Outcome::Complete {
        res: 1 << 20,
        flags: sys::IORING_CQE_F_BUFFER | (3 << sys::IORING_CQE_BUFFER_SHIFT),
    });
    let rv = d
        .submit(Readv::new(
            fd(),
            vec![Vec::with_capacity(8), Vec::with_capacity(8)],
            0,
        ))
        .map_err(|e| e.error)
        .unwrap();
    let acc = d.submit(Accept::new(fd(), 0)).map_err(|e| e.error).unwrap();
    let wv = d
        .submit(Writev::new(fd(), vec![vec![1u8; 4]], 0))
        .map_err(|e| e.error)
        .unwrap();
    let sm = d
        .submit(SendMsg::new(fd(), vec![vec![1u8; 4]], 0))
        .map_err(|e| e.error)
        .unwrap();
    let zc = d
        .submit(SendZc::new(fd(), vec![1u8; 4], 0))
        .map_err(|e| e.error)
        .unwrap();
    d.submit_pending().unwrap();
    d.reap(|_| {});
    let (res, bufs) = take(&mut d, rv);
    assert_eq!(res.unwrap_err().raw_os_error(), Some(libc::EOPNOTSUPP));
    assert!(bufs.iter().all(Vec::is_empty));
    let out = take(&mut d, acc);
    assert_eq!(
        out.as_ref().unwrap_err().raw_os_error(),
        Some(libc::EOPNOTSUPP),
        "{out:?}"
    );
    // A send's count above the bytes it was given is no kernel's: refused (EUCLEAN), as for
    // `Write` and `Send`, not handed to the caller to index its buffers with.
    let (res, _) = take(&mut d, wv);
    assert_eq!(
        res.map_err(|e| uring::error::errno(&e)),
        Err(Some(libc::EUCLEAN))
    );
    let (res, _) = take(&mut d, sm);
    assert_eq!(
        res.map_err(|e| uring::error::errno(&e)),
        Err(Some(libc::EUCLEAN))
    );
    let (res, _) = take(&mut d, zc);
    assert!(res.unwrap() <= 4);
}

/// `SendZc` notifications out of protocol: a lone `F_NOTIF` CQE, a notification before the
/// result, `F_MORE` on the notification. The model never touches a zero-copy send's buffer,
/// and the driver hands it back only on a final CQE.
#[test]
fn send_zc_notification_games() {
    let (mut d, m) = driver(Config::new(8).seed(9));
    m.set_reorder(true);
    m.set_handler(|sqe| match sqe.opcode() {
        sys::IORING_OP_SEND_ZC => Outcome::Multishot(vec![4, 0, 0]),
        _ => Outcome::Pending,
    });
    for _ in 0..3 {
        let op = d
            .submit(SendZc::new(fd(), vec![1u8; 4], 0))
            .map_err(|e| e.error)
            .unwrap();
        d.submit_pending().unwrap();
        d.reap(|_| {});
        let (res, buf) = take(&mut d, op);
        assert!(res.unwrap() <= 4);
        drop(buf);
    }
    m.set_handler(|_| Outcome::Pending);
    let op = d
        .submit(SendZc::new(fd(), vec![1u8; 4], 0))
        .map_err(|e| e.error)
        .unwrap();
    d.submit_pending().unwrap();
    let ud = m.in_flight()[0];
    assert!(m.post_more(ud, 0, sys::IORING_CQE_F_NOTIF));
    assert!(m.complete_with(ud, 4, sys::IORING_CQE_F_NOTIF | sys::IORING_CQE_F_MORE));
    d.reap(|_| {});
    assert!(!d.is_done(&op), "no final CQE yet");
    drop(op);
    assert_eq!(d.close(), 1);
}

/// Hostile SQ flags (every bit: `CQ_OVERFLOW`, `TASKRUN`, `NEED_WAKEUP` ...): the ring enters
/// more often, nothing else; the model's flush clears `CQ_OVERFLOW` when nothing overflowed.
#[test]
fn every_sq_flag_set() {
    let (mut d, m) = driver(Config::new(4).complete_on_wait(true));
    m.set_handler(|sqe| match sqe.opcode() {
        sys::IORING_OP_READ => Outcome::Complete { res: 4, flags: 0 },
        _ => Outcome::Pending,
    });
    for _ in 0..4 {
        m.set_sq_flags(u32::MAX);
        let op = d
            .submit(Read::new(fd(), Vec::with_capacity(4), 0))
            .map_err(|e| e.error)
            .unwrap();
        d.submit_and_wait(1).unwrap();
        m.set_sq_flags(u32::MAX);
        d.reap(|_| {});
        let _ = d.get_events();
        let (res, buf) = take(&mut d, op);
        assert_eq!(res.unwrap(), 4);
        assert_eq!(buf, [0xA5; 4]);
    }
}

/// Chaos at every extreme (all rates 100%, delays up to `u32::MAX` enters), many reads and
/// writes, buffers dropped as soon as handed back, the driver dropped mid-flight, then every
/// request the model still holds completed: under Miri, no access to a freed buffer.
#[test]
fn chaos_at_the_extremes() {
    for seed in 0..if cfg!(miri) { 2 } else { 16 } {
        let (mut d, m) = driver(Config::new(8).cq_entries(8).complete_on_wait(true));
        m.set_handler(|sqe| match sqe.opcode() {
            sys::IORING_OP_READ | sys::IORING_OP_WRITE => Outcome::Complete {
                res: sqe.as_raw().len as i32,
                flags: 0,
            },
            _ => Outcome::Pending,
        });
        m.set_chaos(
            Chaos::new(seed)
                .enter_errors(if seed % 2 == 0 { 50 } else { 100 })
                .partial_submits(100)
                .errors(if seed % 3 == 0 { 100 } else { 30 })
                .short_results(100)
                .delays(100, u32::MAX)
                .reorder(true),
        );
        let mut ops = Vec::new();
        for i in 0..6 {
            if i % 2 == 0 {
                if let Ok(op) = d.submit(Read::new(fd(), Vec::with_capacity(32), 0)) {
                    ops.push(Ok(op));
                }
            } else if let Ok(op) = d.submit(Write::new(fd(), vec![3u8; 32], 0)) {
                ops.push(Err(op));
            }
            let _ = d.submit_and_wait(1);
            d.reap(|_| {});
            ops.retain_mut(|op| match op {
                Ok(r) if d.is_done(r) => false,
                Err(w) if d.is_done(w) => false,
                _ => true,
            });
        }
        drop(ops);
        drop(d);
        m.set_chaos(Chaos::new(seed));
        for ud in m.in_flight() {
            m.complete(ud, 32);
        }
    }
}

/// An injected error of `i32::MIN` (negated: no `i32`) must not panic inside the model's enter.
#[test]
fn an_injected_error_of_i32_min() {
    let (mut d, m) = driver(Config::new(4));
    m.set_handler(|_| Outcome::Complete { res: 0, flags: 0 });
    m.inject(Fault::Error(i32::MIN));
    let op = d
        .submit(Read::new(fd(), Vec::with_capacity(4), 0))
        .map_err(|e| e.error)
        .unwrap();
    d.submit_pending().unwrap();
    d.reap(|_| {});
    let (res, buf) = take(&mut d, op);
    assert!(res.is_err());
    assert!(buf.is_empty());
}

/// A negative "errno" injected is a positive result: for a read it must still be one the model
/// brought about (it writes the bytes it reports), never uninitialized bytes counted as read.
#[test]
fn an_injected_negative_errno_is_an_honest_result() {
    let (mut d, m) = driver(Config::new(4).touch_buffers(false));
    m.set_handler(|_| Outcome::Complete { res: 0, flags: 0 });
    m.inject(Fault::Error(-16));
    let op = d
        .submit(Read::new(fd(), Vec::with_capacity(16), 0))
        .map_err(|e| e.error)
        .unwrap();
    d.submit_pending().unwrap();
    d.reap(|_| {});
    let (res, buf) = take(&mut d, op);
    // Untouched buffers: nothing was written, so no byte may be counted as read.
    assert_eq!(res.unwrap(), 0);
    assert!(buf.is_empty());
}

/// A link timeout behind a read, with reordering, a cancel from the driver and the timeout
/// expiring in the model: the read ends once (`ECANCELED`), untouched, and the model never
/// writes its buffer afterwards.
#[test]
fn link_timeouts_cancels_and_reordering() {
    let (mut d, m) = driver(Config::new(8).seed(5));
    m.set_reorder(true);
    let op = d
        .submit_with_timeout(
            Read::new(fd(), Vec::with_capacity(16), 0),
            Duration::from_secs(5),
        )
        .map_err(|e| e.error)
        .unwrap();
    d.submit_pending().unwrap();
    let held = m.in_flight();
    assert_eq!(held.len(), 1, "the timeout is armed behind the read");
    d.cancel(&op).unwrap();
    d.submit_pending().unwrap();
    d.reap(|_| {});
    let (res, buf) = take(&mut d, op);
    assert_eq!(res.unwrap_err().raw_os_error(), Some(libc::ECANCELED));
    assert!(buf.is_empty());
    drop(buf);
    for ud in held {
        assert!(!m.complete(ud, 16), "nothing left to write");
    }
    // Dropped with a read and its timeout in flight: the drop's cancel ends both in the model
    // (the read untouched), nothing is leaked.
    let op = d
        .submit_with_timeout(
            Read::new(fd(), Vec::with_capacity(16), 0),
            Duration::from_secs(5),
        )
        .map_err(|e| e.error)
        .unwrap();
    d.submit_pending().unwrap();
    assert_eq!(d.in_flight(), 2);
    drop(op);
    assert_eq!(d.close(), 0, "the drop cancels both through the model");
    assert!(m.in_flight().is_empty());
}

/// Registrations on a model ring fail (`EINVAL`): no fixed buffers, no provided-buffer ring,
/// so no operation can name a buffer the model would touch through them.
#[test]
fn registrations_fail_and_leave_the_ring_working() {
    let (mut d, m) = driver(Config::new(4).complete_on_wait(true));
    assert!(d.fixed_buffers(2, 64).is_err());
    assert!(d.buf_ring(4, 64).is_err());
    m.set_handler(|_| Outcome::Complete { res: 4, flags: 0 });
    let op = d
        .submit(Read::new(fd(), Vec::with_capacity(4), 0))
        .map_err(|e| e.error)
        .unwrap();
    d.submit_and_wait(1).unwrap();
    d.reap(|_| {});
    assert_eq!(take(&mut d, op).0.unwrap(), 4);
}

/// `Ring::resize` on a model ring (`NO_SQARRAY`, as resizing needs): refused, and the ring's
/// enters still go to the model (never to the real kernel with the model's memory).
#[test]
fn resize_on_a_model_ring_is_refused_and_keeps_the_model() {
    let (mut ring, m) = Config::new(4)
        .no_sqarray(true)
        .build::<uring::squeue::Sqe, uring::cqueue::Cqe>()
        .unwrap();
    let before = m.stats().enters;
    let e = ring.resize(8, Some(16)).unwrap_err();
    assert_eq!(uring::error::errno(&e), Some(libc::EINVAL));
    assert!(
        e.to_string().contains("model kernel does not resize"),
        "{e}"
    );
    assert_eq!(ring.sq_entries(), 4);
    let e = ring.submit_and_wait(1).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ETIME), "the model's answer");
    assert_eq!(m.stats().enters, before + 1);
}

/// `Ring::split` on a model ring: the submitter (`Sync`) enters from another thread while this
/// one holds the CQ; every enter reaches the model.
#[test]
fn split_model_ring_across_threads() {
    let (mut ring, m) = Config::new(4)
        .build::<uring::squeue::Sqe, uring::cqueue::Cqe>()
        .unwrap();
    let (sub, _sq, mut cq) = ring.split();
    std::thread::scope(|s| {
        s.spawn(|| {
            for _ in 0..4 {
                let _ = sub.submit();
                let _ = sub.submit_and_wait(1);
            }
        });
        for _ in 0..4 {
            assert!(cq.next().is_none());
            cq.sync();
        }
    });
    assert!(m.stats().enters >= 4);
}

/// A model driver's `MsgTarget` is the stand-in eventfd: a real driver's `MsgRing` to it is
/// refused by the kernel (`EBADFD`: not an io_uring), so a real kernel never writes a model
/// ring's memory.
#[test]
#[cfg_attr(miri, ignore = "needs a real io_uring")]
fn a_real_ring_cannot_message_a_model_ring() {
    let (model_driver, _m) = driver(Config::new(4));
    let target = model_driver.msg_target().unwrap();
    let mut real = match Driver::new(4) {
        Ok(d) => d,
        Err(e) => {
            println!("SKIPPED no io_uring here: {e}");
            return;
        }
    };
    let msg = uring::driver::MsgRing::new(&target, 1, 2).unwrap();
    let op = match real.submit(msg) {
        Ok(op) => op,
        Err(e) => {
            println!("SKIPPED MSG_RING not supported: {}", e.error);
            return;
        }
    };
    real.submit_and_wait(1).unwrap();
    real.reap(|_| {});
    let r: io::Result<()> = take(&mut real, op);
    assert_eq!(r.unwrap_err().raw_os_error(), Some(libc::EBADFD));
}

/// The waker on a model driver: its eventfd read is a READ the model may complete (writing the
/// waker's own 8-byte buffer, which the driver owns while the read is in flight); wakes from
/// another thread write the real eventfd only.
#[test]
fn waker_on_a_model_driver() {
    let (mut d, m) = driver(Config::new(4));
    let w = d.waker().unwrap();
    d.submit_pending().unwrap();
    std::thread::scope(|s| {
        s.spawn(|| w.wake().unwrap());
    });
    for _ in 0..3 {
        let ud = m.in_flight()[0];
        assert!(m.complete(ud, 8));
        d.reap(|_| {});
        d.submit_pending().unwrap();
    }
    drop(d);
    for ud in m.in_flight() {
        m.complete(ud, 8);
    }
}

/// CQ overflow without `NODROP`: a read's final CQE is lost (counted in `cq.overflow`); the
/// driver never sees it, keeps the read in flight and leaks its buffer on drop.
#[test]
fn a_lost_final_cqe_leaks_never_frees() {
    let (mut d, m) = driver(Config::new(2).cq_entries(2).nodrop(false));
    let ops: Vec<_> = (0..4)
        .map(|_| {
            let op = d
                .submit(Read::new(fd(), Vec::with_capacity(8), 0))
                .map_err(|e| e.error)
                .unwrap();
            d.submit_pending().unwrap();
            op
        })
        .collect();
    for ud in m.in_flight() {
        assert!(m.complete(ud, 8));
    }
    assert_eq!(m.stats().dropped, 2);
    d.reap(|_| {});
    let done = ops.iter().filter(|op| d.is_done(op)).count();
    assert_eq!(done, 2);
    drop(ops);
    assert_eq!(
        d.close(),
        2,
        "the two reads whose CQEs were lost are leaked"
    );
}

/// Another thread completes everything the model holds, in a loop, while this one drops the
/// driver (its shutdown cancels and reaps): each request ends once, under the model's lock,
/// and its buffer is freed only after its final CQE. Miri checks the interleavings it runs.
#[test]
fn completing_from_another_thread_during_the_drop() {
    for round in 0..if cfg!(miri) { 2 } else { 32 } {
        let (mut d, m) = driver(Config::new(8).seed(round));
        d.set_drop_timeout(Duration::from_millis(if cfg!(miri) { 1 } else { 50 }));
        let ops: Vec<_> = (0..6)
            .map(|_| {
                d.submit(Read::new(fd(), Vec::with_capacity(16), 0))
                    .map_err(|e| e.error)
                    .unwrap()
            })
            .collect();
        d.submit_pending().unwrap();
        let stop = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    for ud in m.in_flight() {
                        m.complete(ud, 16);
                    }
                    std::thread::yield_now();
                }
            });
            drop(ops);
            drop(d);
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        });
        for ud in m.in_flight() {
            m.complete(ud, 16);
        }
    }
}

/// A multishot poll (a `NoMemoryOp`) under `post_more`/`complete_with` with every flag (`F_MORE`
/// on the final, `F_BUFFER`, `F_NOTIF`), then cancelled and dropped: items come out in order,
/// the stream ends once.
#[test]
fn multishot_poll_flag_games() {
    use uring::driver::NoMemoryOp;
    use uring::opcode::PollAdd;
    use uring::types::PollEvents;
    let (mut d, m) = driver(Config::new(8));
    let h = d
        .submit_multishot(NoMemoryOp::new(
            PollAdd::new(fd(), PollEvents::IN).multi(true),
        ))
        .map_err(|e| e.error)
        .unwrap();
    d.submit_pending().unwrap();
    let ud = m.in_flight()[0];
    assert!(m.post_more(ud, 1, sys::IORING_CQE_F_BUFFER | (7 << 16)));
    assert!(m.post_more(ud, -libc::EIO, sys::IORING_CQE_F_NOTIF));
    assert!(m.post_more(ud, 4, 0));
    d.reap(|_| {});
    let mut items = Vec::new();
    while let Some(i) = d.next(&h) {
        // No provided buffer is claimed.
        assert_eq!(i.completion.buffer_id(), None);
        items.push(i.completion.res);
    }
    assert_eq!(items, [1, -libc::EIO, 4]);
    d.cancel_multishot(&h).unwrap();
    d.submit_pending().unwrap();
    d.reap(|_| {});
    while d.next(&h).is_some() {}
    assert!(d.is_finished(&h));
    assert_eq!(d.close(), 0);
}

/// A small xorshift generator for [`random_interleavings`].
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

enum Handle {
    R(uring::driver::Op<Read<Vec<u8>>>),
    W(uring::driver::Op<Write<Vec<u8>>>),
    Rv(uring::driver::Op<uring::driver::Recv<uring::driver::Slice<Vec<u8>>>>),
    Z(uring::driver::Op<SendZc<Vec<u8>>>),
    P(uring::driver::Multishot<uring::driver::NoMemoryOp>),
}

/// Random interleavings of everything safe on both sides: reads, writes, reads with
/// timeouts, cancels, detaches, handles dropped, waits and reaps on the driver; completions
/// with random results and flags (`F_MORE`, `F_NOTIF`, `F_BUFFER`), `post_more`, faults,
/// chaos, reordering, a small CQ (overflow) with or without `NODROP` on the model; then the
/// driver dropped mid-flight and everything the model still holds completed. Every read
/// handed back must hold exactly the bytes the model wrote; under Miri, no access to a freed
/// buffer, no race.
#[test]
fn random_interleavings() {
    // `MODEL_ATTACK_SEEDS=a..b` runs those seeds instead (e.g. many under Miri).
    let seeds = match std::env::var("MODEL_ATTACK_SEEDS") {
        Ok(r) => {
            let (a, b) = r.split_once("..").expect("MODEL_ATTACK_SEEDS=a..b");
            a.parse::<u64>().unwrap()..b.parse::<u64>().unwrap()
        }
        Err(_) => 0..if cfg!(miri) { 3u64 } else { 300 },
    };
    for seed in seeds {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d ^ (seed + 1).wrapping_mul(0x9e37_79b9));
        let cfg = Config::new(4)
            .cq_entries(if seed % 2 == 0 { 4 } else { 8 })
            .nodrop(seed % 5 != 0)
            .overflow_capacity(if seed % 7 == 0 { 1 } else { usize::MAX })
            .complete_on_wait(seed % 3 == 0)
            .no_sqarray(seed % 3 == 1)
            .start_index(if seed % 4 == 1 { u32::MAX - 6 } else { 0 })
            .seed(seed);
        let (mut d, m) = driver(cfg);
        m.set_reorder(seed % 2 == 1);
        if seed % 4 == 0 {
            m.set_chaos(Chaos::all(seed));
        }
        let mut hrng = Rng(seed | 1);
        m.set_handler(move |sqe| match hrng.below(4) {
            0 => Outcome::Pending,
            1 => Outcome::Complete {
                res: hrng.below(80) as i32,
                flags: hrng.below(16) as u32,
            },
            2 => Outcome::Multishot(vec![hrng.below(80) as i32, sqe.as_raw().len as i32]),
            _ => Outcome::Complete {
                res: -(hrng.below(200) as i32),
                flags: 0,
            },
        });
        let mut live: Vec<Handle> = Vec::new();
        let steps = if cfg!(miri) { 40 } else { 200 };
        let flags = [
            0,
            sys::IORING_CQE_F_MORE,
            sys::IORING_CQE_F_NOTIF,
            sys::IORING_CQE_F_BUFFER | (3 << sys::IORING_CQE_BUFFER_SHIFT),
            sys::IORING_CQE_F_SOCK_NONEMPTY,
        ];
        for _ in 0..steps {
            match rng.below(17) {
                14 => {
                    // A read into the second half of a buffer whose first half is initialized.
                    use uring::driver::IoBuf;
                    let mut v = Vec::with_capacity(32);
                    v.extend_from_slice(&[0xA5; 16]);
                    if let Ok(op) = d.submit(uring::driver::Recv::new(fd(), v.slice(16..32), 0)) {
                        live.push(Handle::Rv(op));
                    }
                }
                15 => {
                    if let Ok(op) = d.submit(SendZc::new(fd(), vec![5u8; 24], 0)) {
                        live.push(Handle::Z(op));
                    }
                }
                16 => {
                    use uring::opcode::PollAdd;
                    use uring::types::PollEvents;
                    let op = uring::driver::NoMemoryOp::new(
                        PollAdd::new(fd(), PollEvents::IN).multi(true),
                    );
                    if let Ok(h) = d.submit_multishot(op) {
                        live.push(Handle::P(h));
                    }
                }
                0 | 1 => {
                    let cap = 1 + rng.below(64) as usize;
                    if let Ok(op) = d.submit(Read::new(fd(), Vec::with_capacity(cap), 0)) {
                        live.push(Handle::R(op));
                    }
                }
                2 => {
                    let len = rng.below(64) as usize;
                    if let Ok(op) = d.submit(Write::new(fd(), vec![9u8; len], 0)) {
                        live.push(Handle::W(op));
                    }
                }
                3 => {
                    let r = d.submit_with_timeout(
                        Read::new(fd(), Vec::with_capacity(32), 0),
                        Duration::from_secs(1),
                    );
                    if let Ok(op) = r {
                        live.push(Handle::R(op));
                    }
                }
                4 if !live.is_empty() => {
                    let i = rng.below(live.len() as u64) as usize;
                    let _ = match &live[i] {
                        Handle::R(op) => d.cancel(op),
                        Handle::W(op) => d.cancel(op),
                        Handle::Rv(op) => d.cancel(op),
                        Handle::Z(op) => d.cancel(op),
                        Handle::P(h) => d.cancel_multishot(h),
                    };
                }
                5 if !live.is_empty() => {
                    let i = rng.below(live.len() as u64) as usize;
                    match live.swap_remove(i) {
                        Handle::R(op) => d.detach(op),
                        Handle::W(op) => d.detach(op),
                        Handle::Rv(op) => d.detach(op),
                        Handle::Z(op) => d.detach(op),
                        Handle::P(h) => d.detach_multishot(h),
                    }
                }
                6 if !live.is_empty() => {
                    // Dropped: only a name; the slot keeps the memory.
                    let i = rng.below(live.len() as u64) as usize;
                    let _ = live.swap_remove(i);
                }
                7 | 8 => {
                    let held = m.in_flight();
                    if !held.is_empty() {
                        let ud = held[rng.below(held.len() as u64) as usize];
                        let res = rng.below(100) as i32 - 20;
                        let f = flags[rng.below(flags.len() as u64) as usize];
                        match rng.below(3) {
                            0 => m.complete(ud, res),
                            1 => m.complete_with(ud, res, f),
                            _ => m.post_more(ud, res, f),
                        };
                    }
                }
                9 => {
                    let f = match rng.below(3) {
                        0 => Fault::Error(rng.below(200) as i32 - 100),
                        1 => Fault::Short(rng.below(40) as i32 - 5),
                        _ => Fault::Delay(1 + rng.below(3) as u32),
                    };
                    m.inject(f);
                }
                10 => {
                    let _ = d.submit_and_wait(rng.below(2) as usize);
                }
                11 => m.set_sq_flags(rng.next() as u32),
                _ => {
                    d.reap(|_| {});
                    let mut i = 0;
                    while i < live.len() {
                        let done = match &mut live[i] {
                            Handle::R(op) => d.is_done(op),
                            Handle::W(op) => d.is_done(op),
                            Handle::Rv(op) => d.is_done(op),
                            Handle::Z(op) => d.is_done(op),
                            Handle::P(h) => {
                                while let Some(item) = d.next(h) {
                                    assert_eq!(item.completion.buffer_id(), None);
                                    assert!(item.fd.is_none());
                                }
                                d.is_finished(h)
                            }
                        };
                        if !done {
                            i += 1;
                            continue;
                        }
                        match live.swap_remove(i) {
                            Handle::R(op) => {
                                let (res, buf) = take(&mut d, op);
                                match res {
                                    Ok(n) => {
                                        assert_eq!(buf.len(), n as usize, "seed {seed}");
                                        assert!(buf.iter().all(|&b| b == 0xA5), "seed {seed}");
                                    }
                                    Err(_) => assert!(buf.is_empty(), "seed {seed}"),
                                }
                            }
                            Handle::W(op) => {
                                let (res, buf) = take(&mut d, op);
                                if let Ok(n) = res {
                                    assert!(n as usize <= buf.len(), "seed {seed}");
                                }
                            }
                            Handle::Rv(op) => {
                                let (res, slice) = take(&mut d, op);
                                let v = slice.into_inner();
                                match res {
                                    Ok(n) => assert_eq!(v.len(), 16 + n as usize, "seed {seed}"),
                                    Err(_) => assert_eq!(v.len(), 16, "seed {seed}"),
                                }
                                assert!(v.iter().all(|&b| b == 0xA5), "seed {seed}");
                            }
                            Handle::Z(op) => {
                                let (res, buf) = take(&mut d, op);
                                if let Ok(n) = res {
                                    assert!(n as usize <= buf.len(), "seed {seed}");
                                }
                            }
                            Handle::P(_) => {}
                        }
                    }
                }
            }
        }
        drop(live);
        drop(d);
        m.set_chaos(Chaos::new(seed));
        m.set_handler(|_| Outcome::Pending);
        for _ in 0..3 {
            for ud in m.in_flight() {
                m.complete(ud, 64);
            }
        }
    }
}
