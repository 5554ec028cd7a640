//! The model's hostile calls are safe: none makes the model (the kernel, here) write or read a
//! buffer its owner was told is free. Each test is one attack from safe code (and, for the
//! raw ring, `push`es whose contract is kept); before the model tracked these, each showed
//! the model writing `0xA5` into a buffer already handed back (and, under Miri, a
//! use-after-free for the variants that drop it).

use super::*;
use crate::driver::{Driver, OpFile, Read};

fn driver(cfg: Config) -> (Driver, Model) {
    let (r, m) = ring(cfg);
    (Driver::from_ring(r), m)
}

/// A READ of `buf` (16 bytes) with `user_data`.
fn read_sqe(user_data: u64, buf: &mut [u8]) -> Sqe {
    let mut rd = Sqe::new(sys::IORING_OP_READ).user_data(user_data);
    rd.as_raw_mut().addr_union.addr = buf.as_mut_ptr() as u64;
    rd.as_raw_mut().len = buf.len() as u32;
    rd
}

/// `post_raw` with the `user_data` of a live driver read: the driver takes the forged CQE as
/// the final one and hands the buffer back; the model still holds the read, and its later
/// completion must not write into the buffer the caller now owns.
#[test]
fn a_forged_final_cqe_does_not_let_the_model_write_a_returned_buffer() {
    let (mut d, m) = driver(Config::new(4));
    let op = d
        .submit(Read::new(OpFile::from_raw_fd(3), vec![0u8; 16], 0))
        .map_err(|e| e.error)
        .unwrap();
    d.submit_pending().unwrap();
    let ud = m.in_flight()[0];
    // SAFETY: this breaks `post_raw`'s contract on purpose (the tag of a live op), in a way
    // that stays defined: the CQE says 0 bytes, so the driver marks nothing initialized. What
    // is tested is the model's own side: it must not write the buffer handed back.
    unsafe { m.post_raw(ud, 0, 0) };
    d.reap(|_| {});
    let (res, buf) = d.take(op).map_err(|_| "pending").unwrap();
    assert_eq!(res.unwrap(), 0);
    // The model's own completion of the read it still holds: no write.
    assert!(m.complete(ud, 16));
    assert_eq!(buf.capacity(), 16);
    // SAFETY: reading the spare capacity as bytes; `vec![0; 16]` initialized all 16.
    let bytes = unsafe { core::slice::from_raw_parts(buf.as_ptr(), 16) };
    assert_eq!(
        bytes, [0u8; 16],
        "the model wrote a buffer the driver had handed back"
    );
    d.reap(|_| {});
    assert_eq!(d.stale_completions(), 1);
}

/// The same, the buffer dropped before the model completes: under Miri (or ASan) a write
/// would be a use-after-free.
#[test]
fn a_forged_final_cqe_then_a_freed_buffer() {
    let (mut d, m) = driver(Config::new(4));
    let op = d
        .submit(Read::new(OpFile::from_raw_fd(3), vec![0u8; 64], 0))
        .map_err(|e| e.error)
        .unwrap();
    d.submit_pending().unwrap();
    let ud = m.in_flight()[0];
    // SAFETY: as above, defined: the 64 bytes were initialized by `vec![0; 64]`.
    unsafe { m.post_raw(ud, 64, 0) };
    d.reap(|_| {});
    drop(d.take(op).map_err(|_| "pending").unwrap());
    assert!(m.complete(ud, 64));
    d.reap(|_| {});
    assert_eq!(d.stale_completions(), 1);
}

/// `post_more` on a single-shot read of a raw ring: a CQE the kernel never posts for it. A
/// user who takes it as the completion and frees the buffer is not written into later.
#[test]
fn a_more_cqe_on_a_single_shot_read_poisons_it() {
    let (mut r, m) = ring(Config::new(4));
    let mut buf = vec![0u8; 16];
    push(&mut r, &read_sqe(1, &mut buf));
    r.submit().unwrap();
    assert!(m.post_more(1, 16, 0));
    // And it says nothing was read: the model writes nothing for it.
    assert_eq!(reap(&mut r), vec![(1, 0, sys::IORING_CQE_F_MORE)]);
    assert!(m.complete(1, 16));
    assert_eq!(buf, [0u8; 16]);
}

/// `set_cq_tail` a whole ring ahead (which the ring cannot tell from a full CQ) replays old
/// CQEs: a raw ring reusing `user_data` 1 for a second read sees the first read's CQE again
/// and frees the second buffer; the model's later completion of the second read must not
/// write it.
#[test]
fn a_cq_tail_replay_does_not_let_the_model_write_a_reused_tags_buffer() {
    let (mut r, m) = ring(Config::new(4).cq_entries(4));
    let mut a = vec![0u8; 16];
    push(&mut r, &read_sqe(1, &mut a));
    r.submit().unwrap();
    assert!(m.complete(1, 16));
    assert_eq!(reap(&mut r), vec![(1, 16, 0)]);
    assert_eq!(a, [0xA5; 16]);
    let mut b = vec![0u8; 16];
    push(&mut r, &read_sqe(1, &mut b));
    r.submit().unwrap();
    // SAFETY: the replayed CQE's `user_data` (1) names the second read: this test is the
    // raw-ring code that must not trust it, and checks only the model's side.
    unsafe { m.set_cq_tail(m.cq_tail().wrapping_add(4)) };
    let replayed = reap(&mut r);
    assert!(replayed.contains(&(1, 16, 0)), "{replayed:?}");
    // The user took `b` back on the replayed CQE; the model now completes the real read.
    assert!(m.complete(1, 16));
    assert_eq!(b, [0u8; 16], "the model wrote a buffer its owner got back");
}

/// `set_sq_head` a step back (within a ring, so the ring cannot tell) would make the model
/// consume the same SQE twice: two requests with one driver tag, the second writing the
/// buffer after the first completed and the driver handed it back. The model does not
/// follow a head moved backwards.
#[test]
fn an_sq_head_rewind_does_not_replay_a_driver_read() {
    let (mut d, m) = driver(Config::new(4));
    let op = d
        .submit(Read::new(OpFile::from_raw_fd(3), vec![0u8; 16], 0))
        .map_err(|e| e.error)
        .unwrap();
    d.submit_pending().unwrap();
    let ud = m.in_flight()[0];
    // SAFETY: backwards: no slot is freed for the ring to push over.
    unsafe { m.set_sq_head(m.sq_head().wrapping_sub(1)) };
    // Any enter: the driver's next submission.
    let nop = d
        .submit(crate::driver::NoMemoryOp::new(Nop::new()))
        .map_err(|e| e.error);
    let _ = d.submit_pending();
    assert_eq!(
        m.in_flight().iter().filter(|&&u| u == ud).count(),
        1,
        "the read was consumed twice"
    );
    assert!(m.complete(ud, 16));
    d.reap(|_| {});
    let (_, mut buf) = d.take(op).map_err(|_| "pending").unwrap();
    buf.fill(0);
    assert!(!m.complete(ud, 16), "a second request with the same tag");
    assert_eq!(buf, [0u8; 16]);
    drop(nop);
}

// ---- results no kernel could give: the safe API posts only what one could ----------------

/// `complete_on_wait` completes a waiting accept "with 0": the driver would take fd 0 (stdin)
/// as a descriptor it owns and close it on drop. The model does not perform accepts: it fails.
#[test]
fn time_passing_never_hands_a_driver_a_descriptor() {
    use crate::driver::Accept;
    let (mut d, m) = Config::new(4)
        .complete_on_wait(true)
        .build_driver()
        .unwrap();
    let op = d
        .submit(Accept::new(OpFile::from_raw_fd(3), 0))
        .map_err(|e| e.error)
        .unwrap();
    d.submit_and_wait(1).unwrap();
    d.reap(|_| {});
    let e = d.take(op).map_err(|_| "pending").unwrap().unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::EOPNOTSUPP), "{e}");
    assert!(m.in_flight().is_empty());
}

/// The same from a handler answering every request with 1 (stdout, for an accept).
#[test]
fn a_handler_cannot_make_up_a_descriptor() {
    use crate::driver::Accept;
    let (mut d, m) = Config::new(4).build_driver().unwrap();
    m.set_handler(|_| Outcome::Complete { res: 1, flags: 0 });
    let op = d
        .submit(Accept::new(OpFile::from_raw_fd(3), 0))
        .map_err(|e| e.error)
        .unwrap();
    d.submit_pending().unwrap();
    d.reap(|_| {});
    let e = d.take(op).map_err(|_| "pending").unwrap().unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::EOPNOTSUPP), "{e}");
}

/// With `touch_buffers(false)` the model writes no buffer, so a read it completes "with 16
/// bytes" would leave 16 uninitialized bytes in the `Vec` the driver hands back (Miri reports
/// reading them). It reads 0 bytes instead.
#[test]
fn an_untouched_read_reads_nothing() {
    let (mut d, m) = Config::new(4).touch_buffers(false).build_driver().unwrap();
    let op = d
        .submit(Read::new(OpFile::from_raw_fd(3), Vec::with_capacity(16), 0))
        .map_err(|e| e.error)
        .unwrap();
    d.submit_pending().unwrap();
    assert!(m.complete(m.in_flight()[0], 16));
    d.reap(|_| {});
    let (res, buf) = d.take(op).map_err(|_| "pending").unwrap();
    assert_eq!(res.unwrap(), 0);
    assert!(buf.is_empty());
    assert_eq!(buf.iter().map(|&b| u32::from(b)).sum::<u32>(), 0);
}

/// A provided buffer's id in a completion's flags: the model has no provided buffers, so the
/// flag is cleared (code taking buffer `bid` from a ring would read one never filled).
#[test]
fn no_completion_claims_a_provided_buffer() {
    let (mut r, m) = ring(Config::new(4));
    push(&mut r, &pending(1));
    r.submit().unwrap();
    assert!(m.complete_with(1, 5, sys::IORING_CQE_F_BUFFER | (7 << 16)));
    let [(1, 5, flags)] = reap(&mut r)[..] else {
        panic!("one CQE");
    };
    assert_eq!(flags & sys::IORING_CQE_F_BUFFER, 0);
}
