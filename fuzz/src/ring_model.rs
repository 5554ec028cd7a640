//! `ring_model`: the ring core and the ownership layer (`uring::driver`) run unchanged against
//! the model kernel (`uring::model`), driven by arbitrary interleavings of submit / publish /
//! complete / reap / take / cancel / detach / `mem::forget` / drop, with the model's faults
//! (errors, short results, delayed and hung requests, reordered CQEs, failing enters, partial
//! submission, CQ overflow) and hostile ring memory (forged and stale CQEs, impossible buffer
//! ids, a CQ tail far ahead, an SQ head past the tail, any SQ flags).
//!
//! Checked on every input:
//! - each submitted operation completes exactly once: its handle is redeemed once (`take` /
//!   `release`), or it was detached or forgotten, and at the end nothing is in flight and
//!   `Driver::close` leaks nothing (unless the ring was made corrupt, when the driver must
//!   refuse to go on with `EUCLEAN`);
//! - an owned buffer comes back exactly once, as the very allocation that was submitted (same
//!   pointer and capacity), with `len <= capacity` and the result no larger than the buffer;
//! - nothing is freed while in flight: the model writes into a read's buffer (and reads a
//!   write's) when it completes the request, so a buffer the driver freed or moved early is a
//!   use-after-free under AddressSanitizer;
//! - no input makes the crate panic.

use arbitrary::Arbitrary;
use std::time::Duration;
use uring::driver::{
    Driver, Multishot, Nop, Op, OpFile, Read, TakeError, Timeout, Write, multishot::PollMulti,
};
use uring::model::{self, Fault, Model};

/// How long the driver waits for cancelled operations when closed. The model never blocks
/// (a wait that cannot be satisfied returns at once), so this bounds only a harness bug.
const DROP_TIMEOUT: Duration = Duration::from_secs(2);

/// The shape of the model ring.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub struct Shape {
    /// SQ entries: `1 << (n % 4)` (1 to 8).
    pub sq_log2: u8,
    /// CQ entries: `sq << (n % 3)`.
    pub cq_shift: u8,
    /// All four ring indices start here (wrap-around within a few operations when near
    /// `u32::MAX`).
    pub start_near_wrap: bool,
    /// `IORING_SETUP_NO_SQARRAY`.
    pub no_sqarray: bool,
    /// Shuffle each enter's CQEs.
    pub reorder: bool,
    /// The model's RNG seed (reordering).
    pub seed: u64,
}

/// One step.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum Step {
    /// Submit an owned read of `len` bytes (a `Vec` of that capacity, `fill` of it initialized).
    Read { len: u8, fill: u8 },
    /// Submit an owned write of `len` bytes.
    Write { len: u8 },
    /// Submit a NOP.
    Nop,
    /// Submit a timeout (the model leaves it pending until completed or cancelled).
    Timeout { ms: u8 },
    /// Submit a multishot poll.
    PollMulti,
    /// `io_uring_enter` without waiting.
    SubmitPending,
    /// `io_uring_enter` waiting for `n % 4` completions (the model never blocks).
    SubmitAndWait { n: u8 },
    /// Reap the CQ.
    Reap,
    /// The model completes in-flight request `pick` with `res` (negative: an errno).
    Complete { pick: u8, res: i16 },
    /// The model completes it with CQE flags too (e.g. `F_BUFFER` with an impossible id).
    CompleteWith { pick: u8, res: i16, flags: u32 },
    /// The model posts a multishot CQE (`F_MORE`) for request `pick`.
    PostMore { pick: u8, res: i16 },
    /// A fault for the next request the model starts.
    Inject { kind: u8, arg: u8 },
    /// The next enter fails with EINTR, EAGAIN or EBUSY and does nothing.
    FailNextEnter { which: u8 },
    /// The next enter consumes at most `n` SQEs.
    LimitNextSubmit { n: u8 },
    /// Redeem held handle `pick` (an op or a multishot item / release).
    Take { pick: u8 },
    /// Cancel held handle `pick`.
    Cancel { pick: u8 },
    /// Cancel everything in flight.
    CancelAll,
    /// Give up held handle `pick` (the driver drops the op after its final CQE).
    Detach { pick: u8 },
    /// `mem::forget` held handle `pick`.
    Forget { pick: u8 },
    /// A CQE nobody asked for: an unknown tag, or a stale copy of a finished op's tag.
    Forge {
        stale: bool,
        pick: u8,
        res: i16,
        flags: u32,
    },
    /// Any `IORING_SQ_*` bits in the SQ flags word.
    SqFlags { flags: u32 },
    /// Hostile memory: CQ tail far ahead (`false`) or SQ head past the tail (`true`). Only
    /// applied when nothing is in flight (afterwards the driver must refuse with `EUCLEAN`
    /// and leak whatever it could not account for, which would be a deliberate leak).
    Corrupt { sq: bool, by: u16 },
}

/// A fuzz input.
#[derive(Debug, Arbitrary)]
pub struct Input {
    /// The ring.
    pub shape: Shape,
    /// What happens (at most 96 steps are run).
    pub steps: Vec<Step>,
}

/// A handle the harness holds, with what it submitted.
enum Held {
    Read(Op<Read<Vec<u8>>>, *const u8, usize),
    Write(Op<Write<Vec<u8>>>, *const u8, usize),
    Nop(Op<Nop>),
    Timeout(Op<Timeout>),
    Poll(Multishot<PollMulti>),
}

struct Harness {
    d: Driver,
    m: Model,
    held: Vec<Held>,
    /// Tags of operations that have finished (for stale forged CQEs).
    finished_tags: Vec<u64>,
    corrupt: bool,
    sq_corrupt: bool,
    taken: usize,
}

fn pick<T>(v: &[T], p: u8) -> Option<usize> {
    (!v.is_empty()).then(|| usize::from(p) % v.len())
}

fn check_buf(buf: &Vec<u8>, ptr: *const u8, cap: usize, res: &std::io::Result<u32>) {
    assert_eq!(buf.as_ptr(), ptr, "a different allocation came back");
    assert_eq!(buf.capacity(), cap, "the buffer's capacity changed");
    assert!(
        buf.len() <= buf.capacity(),
        "len {} > capacity {}",
        buf.len(),
        buf.capacity()
    );
    if let Ok(n) = res {
        assert!(
            *n as usize <= cap,
            "result {n} larger than the {cap}-byte buffer"
        );
    }
}

impl Harness {
    fn submit_read(&mut self, len: u8, fill: u8) {
        let mut buf = Vec::with_capacity(usize::from(len));
        buf.resize(usize::from(fill.min(len)), 0u8);
        let (ptr, cap) = (buf.as_ptr(), buf.capacity());
        match self.d.submit(Read::new(OpFile::from_raw_fd(1000), buf, 0)) {
            Ok(op) => self.held.push(Held::Read(op, ptr, cap)),
            Err(e) => {
                let buf = e.op.into_buf();
                check_buf(&buf, ptr, cap, &Ok(0));
            }
        }
    }

    fn submit_write(&mut self, len: u8) {
        let buf = vec![0x5Au8; usize::from(len)];
        let (ptr, cap) = (buf.as_ptr(), buf.capacity());
        match self.d.submit(Write::new(OpFile::from_raw_fd(1001), buf, 0)) {
            Ok(op) => self.held.push(Held::Write(op, ptr, cap)),
            Err(e) => {
                let buf = e.op.into_buf();
                check_buf(&buf, ptr, cap, &Ok(0));
            }
        }
    }

    /// Redeems held handle `i` if it is done; puts it back otherwise.
    fn take(&mut self, i: usize) {
        let h = self.held.swap_remove(i);
        let back = match h {
            Held::Read(op, ptr, cap) => match self.d.take(op) {
                Ok((res, buf)) => {
                    check_buf(&buf, ptr, cap, &res);
                    None
                }
                Err(TakeError::Pending(op)) => Some(Held::Read(op, ptr, cap)),
                Err(TakeError::Foreign(_)) => panic!("our own handle called foreign"),
            },
            Held::Write(op, ptr, cap) => match self.d.take(op) {
                Ok((res, buf)) => {
                    check_buf(&buf, ptr, cap, &res);
                    None
                }
                Err(TakeError::Pending(op)) => Some(Held::Write(op, ptr, cap)),
                Err(TakeError::Foreign(_)) => panic!("our own handle called foreign"),
            },
            Held::Nop(op) => match self.d.take(op) {
                Ok(_) => None,
                Err(TakeError::Pending(op)) => Some(Held::Nop(op)),
                Err(TakeError::Foreign(_)) => panic!("our own handle called foreign"),
            },
            Held::Timeout(op) => match self.d.take(op) {
                Ok(_) => None,
                Err(TakeError::Pending(op)) => Some(Held::Timeout(op)),
                Err(TakeError::Foreign(_)) => panic!("our own handle called foreign"),
            },
            Held::Poll(h) => {
                // Items first; once finished and drained, release the operation.
                while self.d.next(&h).is_some() {}
                match self.d.release(h) {
                    Ok(_) => None,
                    Err(TakeError::Pending(h)) => Some(Held::Poll(h)),
                    Err(TakeError::Foreign(_)) => panic!("our own handle called foreign"),
                }
            }
        };
        match back {
            Some(h) => self.held.push(h),
            None => self.taken += 1,
        }
    }

    fn cancel(&mut self, i: usize) {
        // Cancelling may fail only for lack of SQ room or a failing enter: both fine here.
        let _ = match &self.held[i] {
            Held::Read(op, ..) => self.d.cancel(op),
            Held::Write(op, ..) => self.d.cancel(op),
            Held::Nop(op) => self.d.cancel(op),
            Held::Timeout(op) => self.d.cancel(op),
            Held::Poll(h) => self.d.cancel_multishot(h),
        };
    }

    fn detach(&mut self, i: usize, forget: bool) {
        let h = self.held.swap_remove(i);
        if forget {
            // The handles have no `Drop` today, so this equals dropping one; `mem::forget` is
            // what the contract names, and stays the test if they ever get one.
            #[allow(clippy::forget_non_drop)]
            std::mem::forget(h);
            return;
        }
        match h {
            Held::Read(op, ..) => self.d.detach(op),
            Held::Write(op, ..) => self.d.detach(op),
            Held::Nop(op) => self.d.detach(op),
            Held::Timeout(op) => self.d.detach(op),
            Held::Poll(h) => self.d.detach_multishot(h),
        }
    }

    fn step(&mut self, s: Step) {
        let in_flight = self.m.in_flight();
        match s {
            Step::Read { len, fill } if !self.corrupt => self.submit_read(len, fill),
            Step::Write { len } if !self.corrupt => self.submit_write(len),
            Step::Nop if !self.corrupt => {
                if let Ok(op) = self.d.submit(Nop) {
                    self.held.push(Held::Nop(op));
                }
            }
            Step::Timeout { ms } if !self.corrupt => {
                let t = Timeout::new(Duration::from_millis(u64::from(ms)));
                if let Ok(op) = self.d.submit(t) {
                    self.held.push(Held::Timeout(op));
                }
            }
            Step::PollMulti if !self.corrupt => {
                let p = PollMulti::new(OpFile::from_raw_fd(1002), libc::POLLIN as u32);
                if let Ok(h) = self.d.submit_multishot(p) {
                    self.held.push(Held::Poll(h));
                }
            }
            Step::SubmitPending => self.enter(|d| d.submit_pending()),
            Step::SubmitAndWait { n } => self.enter(|d| d.submit_and_wait(usize::from(n % 4))),
            Step::Reap => {
                self.d.reap(|_| {});
            }
            Step::Complete { pick: p, res } => {
                if let Some(i) = pick(&in_flight, p) {
                    self.finished(in_flight[i]);
                    self.m.complete(in_flight[i], i32::from(res));
                }
            }
            Step::CompleteWith {
                pick: p,
                res,
                flags,
            } => {
                if let Some(i) = pick(&in_flight, p) {
                    self.finished(in_flight[i]);
                    // Never F_MORE here: a final CQE (F_MORE goes through PostMore).
                    let flags = flags & !uring_sys::IORING_CQE_F_MORE;
                    self.m.complete_with(in_flight[i], i32::from(res), flags);
                }
            }
            Step::PostMore { pick: p, res } => {
                if let Some(i) = pick(&in_flight, p) {
                    self.m.post_more(in_flight[i], i32::from(res), 0);
                }
            }
            Step::Inject { kind, arg } => {
                let f = match kind % 4 {
                    0 => Fault::Error(i32::from(arg % 134) + 1),
                    1 => Fault::Short(i32::from(arg)),
                    2 => Fault::Delay(u32::from(arg % 5) + 1),
                    _ => Fault::Hang,
                };
                self.m.inject(f);
            }
            Step::FailNextEnter { which } => {
                let e = [libc::EINTR, libc::EAGAIN, libc::EBUSY][usize::from(which % 3)];
                self.m.fail_next_enter(e);
            }
            Step::LimitNextSubmit { n } => self.m.limit_next_submit(u32::from(n % 4)),
            Step::Take { pick: p } => {
                if let Some(i) = pick(&self.held, p) {
                    self.take(i);
                }
            }
            Step::Cancel { pick: p } => {
                if let Some(i) = pick(&self.held, p) {
                    self.cancel(i);
                }
            }
            Step::CancelAll => {
                let _ = self.d.cancel_all();
            }
            Step::Detach { pick: p } => {
                if let Some(i) = pick(&self.held, p) {
                    self.detach(i, false);
                }
            }
            Step::Forget { pick: p } => {
                if let Some(i) = pick(&self.held, p) {
                    self.detach(i, true);
                }
            }
            Step::Forge {
                stale,
                pick: p,
                res,
                flags,
            } => {
                let tag = match pick(&self.finished_tags, p) {
                    Some(i) if stale => self.finished_tags[i],
                    // A tag (bit 63) with a slot index no op has (0xadbeef: a run has at most
                    // 96 operations).
                    _ => uring::driver::TAG | (u64::from(p) << 40) | 0xdead_beef,
                };
                // Not a tag of an op still in flight: a forged copy of a live request's CQE
                // is indistinguishable from the real one, for any driver.
                if !in_flight.contains(&tag) {
                    // SAFETY: a finished operation's tag, or one whose slot index no slot
                    // has: the driver ignores both (`post_raw`'s contract).
                    unsafe { self.m.post_raw(tag, i32::from(res), flags) };
                }
            }
            Step::SqFlags { flags } => self.m.set_sq_flags(flags),
            Step::Corrupt { sq, by } => {
                if in_flight.is_empty() && self.d.in_flight() == 0 {
                    if sq {
                        let head = self.m.sq_tail().wrapping_add(1 + u32::from(by));
                        // SAFETY: past the tail: the ring refuses it (EUCLEAN) and this
                        // harness pushes nothing more, so no slot is pushed over.
                        unsafe { self.m.set_sq_head(head) };
                    } else {
                        let ahead = 4096 + u32::from(by);
                        // SAFETY: thousands ahead of a ring of at most 64: the ring reads
                        // none of the exposed CQEs (EUCLEAN).
                        unsafe { self.m.set_cq_tail(self.m.cq_head().wrapping_add(ahead)) };
                    }
                    self.corrupt = true;
                    self.sq_corrupt = sq;
                }
            }
            // Submissions after the ring was made corrupt are skipped (they would be pushed,
            // fail to enter, and be leaked on purpose).
            Step::Read { .. }
            | Step::Write { .. }
            | Step::Nop
            | Step::Timeout { .. }
            | Step::PollMulti => {}
        }
    }

    fn finished(&mut self, tag: u64) {
        if self.finished_tags.len() < 64 {
            self.finished_tags.push(tag);
        }
    }

    fn enter(&mut self, f: impl FnOnce(&mut Driver) -> std::io::Result<usize>) {
        match f(&mut self.d) {
            Ok(_) => {}
            Err(e) => {
                let errno = uring::error::errno(&e);
                // A corrupt ring is noticed when the core next reads the bad index (a reap, a
                // push); until then an injected enter error can still come first.
                let corrupt = self.corrupt && errno == Some(libc::EUCLEAN);
                assert!(
                    corrupt
                        || matches!(
                            errno,
                            Some(libc::EINTR | libc::EAGAIN | libc::EBUSY | libc::ETIME)
                        ),
                    "unexpected enter error: {e}"
                );
            }
        }
    }

    /// Cancels and drains until every held handle is redeemed, then closes the driver.
    fn finish(mut self) {
        if !self.corrupt {
            for _ in 0..64 {
                let _ = self.d.cancel_all();
                let _ = self.d.submit_and_wait(0);
                let _ = self.d.submit_and_wait(1);
                self.d.reap(|_| {});
                for i in (0..self.held.len()).rev() {
                    self.take(i);
                }
                if self.held.is_empty() && self.d.in_flight() == 0 {
                    break;
                }
            }
            assert!(
                self.held.is_empty(),
                "{} handles never finished (model in flight: {:?})",
                self.held.len(),
                self.m.in_flight()
            );
            assert_eq!(self.d.in_flight(), 0, "ops in flight after the drain");
        } else {
            // The core must notice: a push is refused (SQ head past the tail) or the reap
            // reads nothing (CQ tail a ring ahead), and from then on every enter is EUCLEAN.
            self.d.reap(|_| {});
            if self.sq_corrupt {
                let e = self
                    .d
                    .submit(Nop)
                    .expect_err("a push onto an SQ whose head is past its tail");
                drop(e);
            }
            let e = self
                .d
                .submit_and_wait(1)
                .expect_err("an enter on a corrupt ring");
            assert_eq!(uring::error::errno(&e), Some(libc::EUCLEAN), "{e}");
            // Whatever is held cannot finish on a corrupt ring: give it up (nothing was in
            // flight when the ring went bad and nothing was submitted since, so nothing leaks).
            for i in (0..self.held.len()).rev() {
                self.detach(i, false);
            }
        }
        let leaked = self.d.close();
        assert_eq!(leaked, 0, "close() leaked {leaked} operations");
    }
}

/// Runs one input.
pub fn run(input: &Input) {
    let s = input.shape;
    let sq = 1u32 << (s.sq_log2 % 4);
    let cq = sq << (s.cq_shift % 3).max(1);
    let mut cfg = model::Config::new(sq)
        .cq_entries(cq)
        .no_sqarray(s.no_sqarray)
        // FEAT_NODROP (every kernel since 5.5): without it a lost CQE is lost for any driver.
        .nodrop(true)
        .complete_on_wait(true)
        .seed(s.seed);
    if s.start_near_wrap {
        cfg = cfg.start_index(u32::MAX - 3);
    }
    let (ring, m) = cfg.build::<uring::Sqe, uring::Cqe>().expect("a model ring");
    m.set_reorder(s.reorder);
    let mut d = Driver::from_ring(ring);
    d.set_drop_timeout(DROP_TIMEOUT);
    let mut h = Harness {
        d,
        m,
        held: Vec::new(),
        finished_tags: Vec::new(),
        corrupt: false,
        sq_corrupt: false,
        taken: 0,
    };
    for &step in input.steps.iter().take(96) {
        h.step(step);
    }
    let _ = h.taken;
    h.finish();
}
