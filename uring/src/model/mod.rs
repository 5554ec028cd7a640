//! A deterministic model of the kernel side of the ring — a **testing tool**, not a second
//! ring: test a reactor, a runtime or the ring protocol without a kernel, under Miri, in a
//! fuzzer, with faults a real kernel rarely shows (failed enters, short and failed results,
//! late and reordered CQEs, CQ overflow, hostile ring memory), reproducibly from a seed.
//!
//! Built only with the `model` cargo feature (`evbind-uring = { features = ["model"] }` in
//! `[dev-dependencies]`; and in this crate's own unit tests). A [`Config`] builds a [`Ring`](crate::Ring)
//! ([`Config::build`]) or a [`Driver`](crate::driver::Driver) ([`Config::build_driver`]) whose
//! SQ/CQ rings and SQE array are plain heap memory laid out exactly as the kernel lays out
//! `struct io_rings` (heads, tails, masks, flags, overflow counter, CQEs, then the SQ index
//! array, at the offsets the `io_uring_params` it reports say), and whose
//! `io_uring_enter(2)`/`io_uring_register(2)` go to a [`Model`] instead of the kernel. The ring
//! protocol code (push, publish, reap, overflow flush, index wrap-around) and the driver run
//! unchanged against it: no syscall is made on the model path except one `eventfd(2)` standing
//! in for the ring fd (Miri runs it).
//!
//! # Testing a reactor without a kernel
//!
//! Build the reactor on [`Config::build_driver`] instead of `Driver::new`, tell the model what
//! the requests it cannot perform do (a [`Handler`]: here, reads return every byte asked, and
//! the model writes them), draw faults from a seed ([`Chaos`]), and run the reactor's loop as
//! usual: each `io_uring_enter` of the loop is a step of the model. A wait that nothing can
//! satisfy fails with `ETIME` at once (the model never blocks), or, with
//! [`Config::complete_on_wait`], lets time pass: the oldest pending request completes (a
//! timeout expires). `uring/tests/model_reactor.rs` is a whole reactor tested this way, also
//! under Miri.
//!
//! ```
//! use uring::driver::{Read, OpFile};
//! use uring::model::{Chaos, Config, Outcome};
//! use uring_sys as sys;
//!
//! let (mut driver, model) = Config::new(8).complete_on_wait(true).build_driver().unwrap();
//! model.set_handler(|sqe| match sqe.opcode() {
//!     sys::IORING_OP_READ => Outcome::Complete { res: sqe.as_raw().len as i32, flags: 0 },
//!     _ => Outcome::Pending,
//! });
//! let seed = 7; // print it in a failing test: the same seed replays the same faults
//! model.set_chaos(Chaos::all(seed));
//!
//! let op = driver.submit(Read::new(OpFile::from_raw_fd(3), Vec::with_capacity(64), 0)).unwrap();
//! while !driver.is_done(&op) {
//!     // EINTR, EAGAIN, EBUSY (injected) and ETIME: reap and go on, as on a real kernel.
//!     let _ = driver.submit_and_wait(1);
//!     driver.reap(|_| {});
//! }
//! let (res, buf) = driver.take(op).unwrap();
//! match res {
//!     Ok(n) => assert!(buf.len() == n as usize && buf.iter().all(|&b| b == 0xA5)),
//!     Err(e) => println!("injected: {e}"),
//! }
//! ```
//!
//! Steps the model takes on its own are few, by design: between enters nothing happens unless
//! the test says so ([`Model::complete`], [`Model::post_more`], ...), so a test decides every
//! interleaving. [`Model::in_flight`] names the requests waiting for a decision, and
//! [`Model::stats`] counts what happened.
//!
//! # Faults
//!
//! - Random, from a seed: [`Chaos`] via [`Model::set_chaos`].
//! - Scripted: [`Fault`] (error, short result, delayed completion, hang) for the next requests
//!   started ([`Model::inject`]); [`Model::set_reorder`]; enter failures
//!   ([`Model::fail_next_enter`]) and partial submission ([`Model::limit_next_submit`]); CQ
//!   overflow from a small CQ ([`Config::cq_entries`], [`Config::overflow_capacity`],
//!   [`Config::nodrop`]).
//! - Hostile ring memory a correct kernel never writes: [`Model::set_sq_flags`], and, `unsafe`
//!   (see below), [`Model::set_cq_tail`], [`Model::set_sq_head`], [`Model::post_raw`].
//!
//! # Soundness
//!
//! The model is the kernel, and code above the ring trusts the kernel: a
//! [`Driver`](crate::driver::Driver) marks `res` bytes of a read's buffer initialized, takes
//! an accept's `res` as a descriptor it owns, hands a buffer back on its final CQE. So the
//! model's **safe** API only ever does what a kernel could:
//!
//! - every result it posts for a request is one a kernel could have given for that SQE with
//!   what the model did: a read succeeds with at most `len` bytes and only when the model
//!   wrote them, operations the model does not perform (those that would create a descriptor
//!   or fill memory: accept, open, statx, readv, recvmsg, ...) fail with `EOPNOTSUPP`, and no
//!   CQE claims a provided buffer — whatever a [`Handler`], [`Model::complete`],
//!   [`Fault`], [`Chaos`] or [`Config::complete_on_wait`] asked for;
//! - it writes or reads a request's buffer ([`Config::touch_buffers`]) only before that
//!   request's own final CQE, never after one posted in its name.
//!
//! What a kernel could not do is `unsafe`, with the contract in each `# Safety` section:
//! forging or replaying CQEs ([`Model::post_raw`], [`Model::set_cq_tail`]), moving the SQ
//! head ([`Model::set_sq_head`]), and posting impossible results
//! ([`Config::impossible_results`], for tests of the checks code makes against a broken
//! kernel). Even then the model never writes a buffer after a forged or replayed CQE named its
//! request, never consumes an SQE twice, and never touches a ring slot the ring may be using
//! from another thread. `model/tests/attacks.rs` holds each attack. The raw ring's own
//! contract stays the test's: SQEs pushed with [`Ring::push`](crate::Ring::push) (`unsafe`)
//! name memory valid until their completion, as on a real kernel.
//!
//! ```compile_fail
//! let (_driver, model) = uring::model::Config::new(4).build_driver().unwrap();
//! model.post_raw(1 << 63, 16, 0); // error[E0133]: forging a CQE is unsafe
//! ```
//!
//! ```compile_fail
//! let (_driver, model) = uring::model::Config::new(4).build_driver().unwrap();
//! model.set_cq_tail(model.cq_tail().wrapping_add(4)); // error[E0133]: replaying CQEs too
//! ```
//!
//! # What is modelled
//!
//! What the model does on an enter, in order: posts the CQEs whose delay ran out; with
//! `IORING_ENTER_GETEVENTS` flushes the overflow list; consumes up to `to_submit` published
//! SQEs (through the SQ index array, or directly with `NO_SQARRAY`; an out-of-range array entry
//! counts in `sq_dropped`); starts each link chain's first request; posts the completions of
//! this enter (reordered when [`Model::set_reorder`] is on); and, when `min_complete` CQEs are
//! not ready, fails with `ETIME` (a real kernel would sleep; the model never blocks) unless
//! [`Config::complete_on_wait`] lets it complete pending requests, oldest first.
//!
//! Semantics modelled:
//! - `IORING_OP_NOP` completes with 0, or with `sqe.len` under `IORING_NOP_INJECT_RESULT`;
//! - `IORING_OP_ASYNC_CANCEL` by `user_data`, `ANY`, `ALL`, `FD`: matches complete with
//!   `-ECANCELED`; the cancel itself with 0 / the count / `-ENOENT`;
//! - `IORING_OP_LINK_TIMEOUT` behind a request: `-ECANCELED` when the request completes first;
//!   completing the timeout (e.g. `-ETIME`) first cancels the request;
//! - an opcode at or past `IORING_OP_LAST` completes with `-EINVAL`;
//! - every other opcode stays pending until [`Model::complete`] (or the [`Handler`] decides);
//!   at completion `READ`/`RECV` write `min(res, len)` bytes at `sqe.addr` and `WRITE`/`SEND`
//!   read them ([`Config::touch_buffers`]), so Miri/ASan see a buffer freed while in flight;
//! - `IOSQE_IO_LINK` chains (a failure completes the rest with `-ECANCELED`, or silently when
//!   the failed request had `CQE_SKIP_SUCCESS`, as the kernel's `REQ_F_SKIP_LINK_CQES`),
//!   `IOSQE_IO_HARDLINK` (the chain goes on), `IOSQE_CQE_SKIP_SUCCESS` (no CQE when `res >= 0`);
//! - multishot: [`Outcome::Multishot`] or [`Model::post_more`] post `IORING_CQE_F_MORE` CQEs;
//! - CQ overflow: with `NODROP` (default) completions that do not fit wait in an overflow list,
//!   `IORING_SQ_CQ_OVERFLOW` is set, and a `GETEVENTS` enter flushes them in order; past
//!   [`Config::overflow_capacity`] (or without `NODROP`) they are dropped and `cq.overflow`
//!   counts them.
//! - no registration: `io_uring_register(2)` fails with `EINVAL` (so no registered files,
//!   buffers or provided-buffer rings on a model ring).

use core::sync::atomic::Ordering;
use std::sync::Arc;

use crate::squeue::Sqe;

mod chaos;
mod config;
mod honest;
mod kernel;
#[cfg(test)]
mod tests;

pub use chaos::Chaos;
pub use config::Config;
pub(crate) use kernel::Shared;
use kernel::{Req, cqe};

// `struct io_rings` offsets (the kernel's, 64-byte cache lines).
const SQ_HEAD: usize = 0;
const SQ_TAIL: usize = 4;
const CQ_HEAD: usize = 8;
const CQ_TAIL: usize = 12;
const SQ_RING_MASK: usize = 16;
const CQ_RING_MASK: usize = 20;
const SQ_RING_ENTRIES: usize = 24;
const CQ_RING_ENTRIES: usize = 28;
const SQ_DROPPED: usize = 32;
const SQ_FLAGS: usize = 36;
const CQ_FLAGS: usize = 40;
const CQ_OVERFLOW: usize = 44;
const CQES: usize = 64;

/// How a request the model started ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Complete now with `res` and CQE `flags`.
    Complete {
        /// `cqe.res`.
        res: i32,
        /// `cqe.flags`.
        flags: u32,
    },
    /// Stay in flight until [`Model::complete`] or a cancel.
    Pending,
    /// Post one CQE per result, all but the last with `IORING_CQE_F_MORE`.
    Multishot(Vec<i32>),
}

/// Decides the outcome of requests with opcodes the model does not know (all but NOP,
/// ASYNC_CANCEL, an opcode past `IORING_OP_LAST`, and a LINK_TIMEOUT linked behind a request;
/// one at the head of a chain, e.g. split from its request by a partial submit, comes here
/// too); the default leaves them [`Outcome::Pending`].
///
/// It runs inside the model's `io_uring_enter`, with the model locked: calling the [`Model`]
/// from it (through an `Arc<Model>` it captured) deadlocks. A panic in it unwinds out of that
/// enter and leaves the model usable: the request it was deciding stays pending, and the
/// requests of that enter not started yet start at the next enter.
pub type Handler = Box<dyn FnMut(&Sqe) -> Outcome + Send>;

/// A fault for the next request the model starts ([`Model::inject`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Complete with `-errno` instead.
    Error(i32),
    /// Complete with this (short) result instead of a larger non-negative one.
    Short(i32),
    /// Post the CQE only at the `n`-th enter after this one (at least the next).
    Delay(u32),
    /// Stay pending (like a request waiting on a device).
    Hang,
}

/// Counters of what the model did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// `io_uring_enter` calls.
    pub enters: u64,
    /// SQEs consumed.
    pub consumed: u64,
    /// CQEs written to the CQ.
    pub posted: u64,
    /// CQEs that went to the overflow list.
    pub overflowed: u64,
    /// CQEs lost (counted in `cq.overflow`).
    pub dropped: u64,
    /// Faults [`Chaos`] injected (failed or partial enters, failed, short or delayed
    /// requests).
    pub faults: u64,
}

/// The model kernel behind a ring built by [`Config::build`]: complete requests, inject faults,
/// write hostile values into the ring memory, read statistics.
pub struct Model {
    shared: Arc<Shared>,
}

impl core::fmt::Debug for Model {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let st = self.shared.lock();
        f.debug_struct("Model")
            .field("in_flight", &st.chains.len())
            .field("overflow", &st.overflow.len())
            .field("stats", &st.stats)
            .finish_non_exhaustive()
    }
}

impl Model {
    /// Sets the [`Handler`] deciding the outcome of opcodes the model does not know.
    pub fn set_handler(&self, h: impl FnMut(&Sqe) -> Outcome + Send + 'static) {
        self.shared.lock().handler = Some(Box::new(h));
    }

    /// Queues a fault for the next request started.
    pub fn inject(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
    }

    /// The next `io_uring_enter` fails with `errno` (e.g. `EINTR`, `EAGAIN`, `EBUSY`) and
    /// does nothing.
    pub fn fail_next_enter(&self, errno: i32) {
        self.shared.lock().enter_error = Some(errno);
    }

    /// The next `io_uring_enter` consumes at most `n` SQEs (the rest stay in the SQ).
    pub fn limit_next_submit(&self, n: u32) {
        self.shared.lock().submit_limit = Some(n);
    }

    /// Shuffle the completions of each enter (deterministically, from the seed).
    pub fn set_reorder(&self, on: bool) {
        self.shared.lock().reorder = on;
    }

    /// Random faults from now on, from `chaos`'s seed (which also reseeds reordering and sets
    /// it as `chaos` says). `Chaos::new(seed)` alone turns them off, e.g. before dropping a
    /// driver whose shutdown should not be interrupted.
    pub fn set_chaos(&self, chaos: Chaos) {
        chaos.install(&mut self.shared.lock());
    }

    /// Completes the in-flight request `user_data` with `res` (its final CQE; a link timeout
    /// armed behind a request "expires", cancelling the request), or with what a kernel could
    /// have posted instead (see the module docs, "Soundness": e.g. a read's `res` at most its `len`).
    /// The CQE is posted now, not at the next enter. Returns false when no such request is in
    /// flight.
    pub fn complete(&self, user_data: u64, res: i32) -> bool {
        self.complete_with(user_data, res, 0)
    }

    /// As [`complete`](Self::complete), with CQE `flags` (e.g. `IORING_CQE_F_SOCK_NONEMPTY`;
    /// `IORING_CQE_F_BUFFER` and `BUF_MORE` are cleared: the model has no provided buffers).
    /// The request ends in the model whatever the flags say (a `IORING_CQE_F_MORE` here tells
    /// the ring's user to wait for a CQE that never comes; it frees nothing early).
    pub fn complete_with(&self, user_data: u64, res: i32, flags: u32) -> bool {
        let mut st = self.shared.lock();
        let found = self.shared.complete(&mut st, user_data, res, flags, false);
        self.shared.post_batch(&mut st);
        Shared::gc(&mut st);
        found
    }

    /// Posts a multishot CQE (`IORING_CQE_F_MORE` added) for in-flight `user_data`, which
    /// stays in flight. Its buffer is no longer [touched](Config::touch_buffers) at the end
    /// (a single-shot request's user may take this CQE as its completion).
    pub fn post_more(&self, user_data: u64, res: i32, flags: u32) -> bool {
        let mut st = self.shared.lock();
        let found = self.shared.complete(&mut st, user_data, res, flags, true);
        if found {
            // A CQE before the final one: see `State::forged`.
            st.forged.insert(user_data);
        }
        self.shared.post_batch(&mut st);
        Shared::gc(&mut st);
        found
    }

    /// The `user_data` of every started request still in flight, oldest first.
    pub fn in_flight(&self) -> Vec<u64> {
        let st = self.shared.lock();
        st.chains
            .iter()
            .filter_map(|c| c.front().filter(|r| r.started).map(Req::user_data))
            .collect()
    }

    /// CQEs waiting in the overflow list.
    pub fn overflow_len(&self) -> usize {
        self.shared.lock().overflow.len()
    }

    /// What the model did so far.
    pub fn stats(&self) -> Stats {
        self.shared.lock().stats
    }

    /// Hostile: posts a CQE no request asked for (an unknown `user_data`, an impossible
    /// buffer id in `flags`, a duplicate, the tag of a live request, ...), through the normal
    /// CQ/overflow path. A request with this `user_data` (in flight or later) is never
    /// [touched](Config::touch_buffers): its owner may take this CQE as its end.
    ///
    /// # Safety
    /// Code that trusts the ring's completions must not act on this CQE as a kernel's. In
    /// particular, when a [`Driver`](crate::driver::Driver) owns the ring, `user_data` must
    /// not name an operation of it that is in flight or submitted before this CQE is reaped
    /// (the driver would hand the operation's memory back with a result nobody brought
    /// about: uninitialized bytes counted as read, a number taken as an owned descriptor);
    /// a tag of a finished operation or one no slot has is fine: the driver ignores it.
    pub unsafe fn post_raw(&self, user_data: u64, res: i32, flags: u32) {
        let mut st = self.shared.lock();
        st.forged.insert(user_data);
        self.shared.post(&mut st, cqe(user_data, res, flags));
    }

    /// The CQ tail in the ring memory.
    pub fn cq_tail(&self) -> u32 {
        self.shared.mem.word(CQ_TAIL).load(Ordering::Relaxed)
    }

    /// The CQ head in the ring memory (the ring's).
    pub fn cq_head(&self) -> u32 {
        self.shared.mem.word(CQ_HEAD).load(Ordering::Relaxed)
    }

    /// The SQ head in the ring memory.
    pub fn sq_head(&self) -> u32 {
        self.shared.mem.word(SQ_HEAD).load(Ordering::Relaxed)
    }

    /// The SQ tail in the ring memory (the ring's).
    pub fn sq_tail(&self) -> u32 {
        self.shared.mem.word(SQ_TAIL).load(Ordering::Relaxed)
    }

    /// Hostile: writes `tail` as the CQ tail (e.g. more than `cq_entries` ahead of the head).
    /// Forwards, the model's own tail follows (later CQEs go on from there) and the old CQEs
    /// the jump exposes again count as forged (see [`post_raw`](Self::post_raw)); backwards,
    /// the model keeps its own tail, so it never writes a CQE slot the ring may be reading.
    ///
    /// # Safety
    /// As for [`post_raw`](Self::post_raw), for every old CQE a forward jump exposes again
    /// (their `user_data` are those of requests the ring already reaped: a tag a driver has
    /// finished with is fine; raw-ring code reusing a `user_data` would take the old CQE for
    /// its new request's).
    pub unsafe fn set_cq_tail(&self, tail: u32) {
        let mut st = self.shared.lock();
        let ahead = tail.wrapping_sub(st.cq_tail);
        if ahead < 1 << 31 {
            // Forwards: the slots between expose old CQEs again (see `State::forged`).
            for i in 0..ahead.min(st.cq_entries) {
                let ud = self
                    .shared
                    .cqe_at(&st, st.cq_tail.wrapping_add(i))
                    .user_data();
                st.forged.insert(ud);
            }
            st.cq_tail = tail;
        }
        // Backwards the model keeps its own tail: it never writes a slot the ring may be
        // reading (up to the tail it saw), so no data race with a reaping thread.
        self.shared.mem.word(CQ_TAIL).store(tail, Ordering::Release);
    }

    /// Hostile: overwrites the SQ flags word (`IORING_SQ_NEED_WAKEUP`, `CQ_OVERFLOW`,
    /// `TASKRUN`: any bits).
    pub fn set_sq_flags(&self, flags: u32) {
        self.shared
            .mem
            .word(SQ_FLAGS)
            .store(flags, Ordering::Relaxed);
    }

    /// Hostile: writes `head` as the SQ head (backwards, or beyond the tail). Forwards up to
    /// the published tail the model's own head follows (the SQEs between are skipped, never
    /// completed); backwards or past the tail it keeps its own, so it never consumes an SQE
    /// twice nor reads a slot the ring may be writing.
    ///
    /// # Safety
    /// Code pushing on the ring trusts the SQ head for which slots it may overwrite: moved
    /// forwards, it frees slots the model has not consumed. Only SQEs whose memory may be
    /// forgotten (never completed; for a [`Driver`](crate::driver::Driver) their operations
    /// stay in flight, and it leaks them) may be skipped this way.
    pub unsafe fn set_sq_head(&self, head: u32) {
        let mut st = self.shared.lock();
        // Acquire: as in `consume`, the SQEs up to this tail are written.
        let tail = self.shared.mem.word(SQ_TAIL).load(Ordering::Acquire);
        if head.wrapping_sub(st.sq_head) <= tail.wrapping_sub(st.sq_head) {
            // Forwards, not past the tail: the SQEs between are skipped (never consumed).
            st.sq_head = head;
        }
        // Backwards or past the tail the model keeps its own head: it never consumes an SQE
        // twice (two requests with one buffer) nor reads a slot the ring may be writing.
        self.shared.mem.word(SQ_HEAD).store(head, Ordering::Release);
    }
}
