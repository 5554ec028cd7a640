//! A model of the kernel side of the ring — **test support**, not a second ring.
//!
//! Built only with the `model` cargo feature (and in this crate's own unit tests). A
//! [`Config`] builds a [`Ring`] whose SQ/CQ rings and SQE array are plain heap memory laid out
//! exactly as the kernel lays out `struct io_rings` (heads, tails, masks, flags, overflow
//! counter, CQEs, then the SQ index array, at the offsets the `io_uring_params` it reports say),
//! and whose `io_uring_enter(2)`/`io_uring_register(2)` go to a [`Model`] instead of the
//! kernel. The ring protocol code (push, publish, reap, overflow flush, index wrap-around) runs
//! unchanged against it, so proptest, Miri and libFuzzer exercise it without a kernel: no
//! syscall is made on the model path except one `eventfd(2)` standing in for the ring fd.
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
//!
//! Faults: [`Fault`] (error, short result, delayed completion, hang) for the next requests
//! started; [`Model::set_reorder`]; enter failures ([`Model::fail_next_enter`]) and partial
//! submission ([`Model::limit_next_submit`]); and hostile memory writes a correct kernel never makes
//! ([`Model::set_cq_tail`], [`Model::set_sq_head`], [`Model::set_sq_flags`],
//! [`Model::post_raw`]).

use core::ffi::c_void;
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicU32, Ordering};
use std::alloc::Layout;
use std::collections::VecDeque;
use std::io;
use std::os::fd::{FromRawFd, OwnedFd};
use std::sync::{Arc, Mutex, MutexGuard};

use uring_sys as sys;

use crate::cqueue::Cqe;
use crate::cqueue::CqeEntry;
use crate::mmap::Mmap;
use crate::raw::RawRing;
use crate::ring::Ring;
use crate::squeue::Sqe;
use crate::squeue::SqeEntry;

#[cfg(test)]
mod tests;

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
/// ASYNC_CANCEL, LINK_TIMEOUT); the default leaves them [`Outcome::Pending`].
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
}

/// The shape of a model ring.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    sq_entries: u32,
    cq_entries: Option<u32>,
    start: u32,
    no_sqarray: bool,
    nodrop: bool,
    overflow_capacity: usize,
    complete_on_wait: bool,
    touch_buffers: bool,
    seed: u64,
}

impl Config {
    /// `entries` SQEs (a power of two, 1..=32768), twice as many CQEs, indices starting at 0,
    /// an SQ index array, `NODROP` with an unbounded overflow list.
    pub fn new(entries: u32) -> Config {
        Config {
            sq_entries: entries,
            cq_entries: None,
            start: 0,
            no_sqarray: false,
            nodrop: true,
            overflow_capacity: usize::MAX,
            complete_on_wait: false,
            touch_buffers: true,
            seed: 0x9e37_79b9_7f4a_7c15,
        }
    }

    /// CQ size (a power of two, at least the SQ size), as `IORING_SETUP_CQSIZE`.
    #[must_use]
    pub fn cq_entries(mut self, n: u32) -> Config {
        self.cq_entries = Some(n);
        self
    }

    /// Every ring index (SQ head/tail, CQ head/tail) starts at `start`, e.g. near `u32::MAX`
    /// to cross the wrap.
    #[must_use]
    pub fn start_index(mut self, start: u32) -> Config {
        self.start = start;
        self
    }

    /// `IORING_SETUP_NO_SQARRAY`: the SQ tail indexes the SQE array directly.
    #[must_use]
    pub fn no_sqarray(mut self, on: bool) -> Config {
        self.no_sqarray = on;
        self
    }

    /// `IORING_FEAT_NODROP` (default on): overflowing CQEs wait in a list instead of being
    /// dropped.
    #[must_use]
    pub fn nodrop(mut self, on: bool) -> Config {
        self.nodrop = on;
        self
    }

    /// At most `n` CQEs wait in the overflow list; more are dropped and counted.
    #[must_use]
    pub fn overflow_capacity(mut self, n: usize) -> Config {
        self.overflow_capacity = n;
        self
    }

    /// When a wait asks for more CQEs than are ready, complete pending requests (oldest first,
    /// with 0) instead of failing with `ETIME`, as if time passed.
    #[must_use]
    pub fn complete_on_wait(mut self, on: bool) -> Config {
        self.complete_on_wait = on;
        self
    }

    /// Whether a completing `IORING_OP_READ`/`RECV` writes `min(res, len)` bytes at
    /// `sqe.addr` and a `WRITE`/`SEND` reads them, as the kernel would (default on): under
    /// Miri or ASan a buffer freed or moved while in flight is then caught. Turn it off for
    /// SQEs whose addresses are not real memory.
    #[must_use]
    pub fn touch_buffers(mut self, on: bool) -> Config {
        self.touch_buffers = on;
        self
    }

    /// The seed of the model's reordering.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Config {
        self.seed = seed;
        self
    }

    /// Builds the ring and the model kernel behind it.
    ///
    /// # Errors
    /// `EINVAL` for sizes that are not powers of two, a CQ smaller than the SQ, or a
    /// `CqeMixed` ring (not modelled); the `eventfd(2)` error if the stand-in fd fails.
    pub fn build<S: SqeEntry, C: CqeEntry>(self) -> io::Result<(Ring<S, C>, Model)> {
        let sq = self.sq_entries;
        let cq = self.cq_entries.unwrap_or(sq.saturating_mul(2));
        if !sq.is_power_of_two() || sq > 32768 || !cq.is_power_of_two() || cq < sq || cq > 65536 {
            return Err(crate::error::with_message(
                libc::EINVAL,
                format!(
                    "model ring sizes must be powers of two, SQ <= 32768 <= ..., CQ >= SQ, CQ <= 65536 (got {sq} SQ, {cq} CQ)"
                ),
            ));
        }
        if C::SETUP_FLAG == sys::IORING_SETUP_CQE_MIXED {
            return Err(crate::error::with_message(
                libc::EINVAL,
                "the model does not implement CQE_MIXED rings; use Cqe or Cqe32",
            ));
        }
        let sqe_size = core::mem::size_of::<S>();
        let cqe_size = C::SLOT;
        let cqes_end = CQES + cq as usize * cqe_size;
        let array = cqes_end.next_multiple_of(64);
        let rings_len = if self.no_sqarray {
            cqes_end
        } else {
            array + sq as usize * 4
        };
        let mem = Memory::new(rings_len, sq as usize * sqe_size)?;

        let mut p = sys::io_uring_params::zeroed();
        p.sq_entries = sq;
        p.cq_entries = cq;
        p.flags = S::SETUP_FLAG | C::SETUP_FLAG;
        if self.no_sqarray {
            p.flags |= sys::IORING_SETUP_NO_SQARRAY;
        }
        if self.cq_entries.is_some() {
            p.flags |= sys::IORING_SETUP_CQSIZE;
        }
        p.features = sys::IORING_FEAT_SINGLE_MMAP | sys::IORING_FEAT_EXT_ARG;
        if self.nodrop {
            p.features |= sys::IORING_FEAT_NODROP;
        }
        p.sq_off.head = SQ_HEAD as u32;
        p.sq_off.tail = SQ_TAIL as u32;
        p.sq_off.ring_mask = SQ_RING_MASK as u32;
        p.sq_off.ring_entries = SQ_RING_ENTRIES as u32;
        p.sq_off.flags = SQ_FLAGS as u32;
        p.sq_off.dropped = SQ_DROPPED as u32;
        p.sq_off.array = if self.no_sqarray { 0 } else { array as u32 };
        p.cq_off.head = CQ_HEAD as u32;
        p.cq_off.tail = CQ_TAIL as u32;
        p.cq_off.ring_mask = CQ_RING_MASK as u32;
        p.cq_off.ring_entries = CQ_RING_ENTRIES as u32;
        p.cq_off.overflow = CQ_OVERFLOW as u32;
        p.cq_off.cqes = CQES as u32;
        p.cq_off.flags = CQ_FLAGS as u32;

        let shared = Arc::new(Shared {
            mem,
            state: Mutex::new(State {
                sq_entries: sq,
                cq_entries: cq,
                sqe_size,
                cqe_size,
                no_sqarray: self.no_sqarray,
                array,
                nodrop: self.nodrop,
                overflow_capacity: self.overflow_capacity,
                complete_on_wait: self.complete_on_wait,
                touch_buffers: self.touch_buffers,
                sq_head: self.start,
                cq_tail: self.start,
                overflow: VecDeque::new(),
                chains: Vec::new(),
                delayed: Vec::new(),
                batch: Vec::new(),
                faults: VecDeque::new(),
                enter_error: None,
                submit_limit: None,
                reorder: false,
                rng: self.seed | 1,
                handler: None,
                stats: Stats::default(),
            }),
        });
        for (off, v) in [
            (SQ_HEAD, self.start),
            (SQ_TAIL, self.start),
            (CQ_HEAD, self.start),
            (CQ_TAIL, self.start),
            (SQ_RING_MASK, sq - 1),
            (CQ_RING_MASK, cq - 1),
            (SQ_RING_ENTRIES, sq),
            (CQ_RING_ENTRIES, cq),
        ] {
            shared.mem.word(off).store(v, Ordering::Relaxed);
        }

        // The ring fd: an eventfd stands in (nothing is ever submitted to it); it gives
        // `Ring::as_fd` something real to borrow.
        // SAFETY: plain syscall with no pointers.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `eventfd` returned a new fd nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        // SAFETY: both regions are 64-aligned heap allocations of the given lengths owned by
        // `shared.mem`, which the ring keeps alive (it holds the `Arc`) as long as it uses them.
        let (rings, sqes) = unsafe {
            (
                Mmap::borrowed(shared.mem.rings, shared.mem.rings_len),
                Mmap::borrowed(shared.mem.sqes, shared.mem.sqes_len),
            )
        };
        let raw = RawRing::for_model(fd, &p, sqe_size, cqe_size, rings, sqes, shared.clone())?;
        Ok((Ring::from_raw(raw), Model { shared }))
    }
}

/// The model's ring memory: two zeroed, 64-aligned heap allocations, freed on drop.
struct Memory {
    rings: NonNull<u8>,
    rings_len: usize,
    sqes: NonNull<u8>,
    sqes_len: usize,
}

// SAFETY: the memory is owned; every access goes through atomics (the ring words) or is
// ordered by the ring protocol's release/acquire pairs (SQEs, CQEs), as with the kernel.
unsafe impl Send for Memory {}
// SAFETY: as above.
unsafe impl Sync for Memory {}

impl Memory {
    fn new(rings_len: usize, sqes_len: usize) -> io::Result<Memory> {
        let alloc = |len: usize| -> io::Result<NonNull<u8>> {
            let layout = Layout::from_size_align(len.max(64), 64)
                .map_err(|_| io::Error::from_raw_os_error(libc::ENOMEM))?;
            // SAFETY: the layout has a non-zero size.
            NonNull::new(unsafe { std::alloc::alloc_zeroed(layout) })
                .ok_or_else(|| io::Error::from_raw_os_error(libc::ENOMEM))
        };
        let rings = alloc(rings_len)?;
        let sqes = match alloc(sqes_len) {
            Ok(p) => p,
            Err(e) => {
                // SAFETY: allocated just above with this layout.
                unsafe {
                    std::alloc::dealloc(
                        rings.as_ptr(),
                        Layout::from_size_align_unchecked(rings_len.max(64), 64),
                    );
                };
                return Err(e);
            }
        };
        Ok(Memory {
            rings,
            rings_len,
            sqes,
            sqes_len,
        })
    }

    /// The ring word at byte offset `off` (a constant below `CQES`, or in the SQ array).
    fn word(&self, off: usize) -> &AtomicU32 {
        assert!(off % 4 == 0 && off + 4 <= self.rings_len);
        // SAFETY: in bounds and 4-aligned (asserted; the base is 64-aligned), inside memory we
        // own for `&self`'s life; ring words are only ever accessed atomically.
        unsafe { &*self.rings.as_ptr().add(off).cast::<AtomicU32>() }
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        // SAFETY: allocated in `Memory::new` with exactly these layouts; the ring that used
        // them held the `Arc` that owns `self`, so it is gone.
        unsafe {
            std::alloc::dealloc(
                self.rings.as_ptr(),
                Layout::from_size_align_unchecked(self.rings_len.max(64), 64),
            );
            std::alloc::dealloc(
                self.sqes.as_ptr(),
                Layout::from_size_align_unchecked(self.sqes_len.max(64), 64),
            );
        }
    }
}

/// One request the model consumed.
#[derive(Debug, Clone, Copy)]
struct Req {
    sqe: Sqe,
    started: bool,
}

impl Req {
    fn user_data(&self) -> u64 {
        self.sqe.get_user_data()
    }
    fn flags(&self) -> u8 {
        self.sqe.get_flags().bits()
    }
}

/// What the ring holds on to: the memory and the kernel state.
pub(crate) struct Shared {
    mem: Memory,
    state: Mutex<State>,
}

struct State {
    sq_entries: u32,
    cq_entries: u32,
    sqe_size: usize,
    cqe_size: usize,
    no_sqarray: bool,
    array: usize,
    nodrop: bool,
    overflow_capacity: usize,
    complete_on_wait: bool,
    touch_buffers: bool,
    /// The kernel's SQ head (its copy is published to `SQ_HEAD`).
    sq_head: u32,
    /// The kernel's CQ tail (published to `CQ_TAIL`).
    cq_tail: u32,
    overflow: VecDeque<Cqe>,
    /// Requests in flight: link chains, the first of each started.
    chains: Vec<VecDeque<Req>>,
    /// CQEs waiting for `n` more enters.
    delayed: Vec<(u32, Cqe)>,
    /// CQEs produced during this enter, posted at its end.
    batch: Vec<Cqe>,
    faults: VecDeque<Fault>,
    /// The next enter fails with this errno, doing nothing.
    enter_error: Option<i32>,
    /// The next enter consumes at most this many SQEs.
    submit_limit: Option<u32>,
    reorder: bool,
    rng: u64,
    handler: Option<Handler>,
    stats: Stats,
}

fn cqe(user_data: u64, res: i32, flags: u32) -> Cqe {
    Cqe::from_raw(sys::io_uring_cqe {
        user_data,
        res,
        flags,
        big_cqe: [],
    })
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `io_uring_enter(2)` against the model (see the module docs).
    pub(crate) fn enter(
        &self,
        to_submit: u32,
        min_complete: u32,
        flags: u32,
        _arg: *const c_void,
        _argsz: usize,
    ) -> io::Result<usize> {
        let mut st = self.lock();
        let st = &mut *st;
        st.stats.enters += 1;
        if let Some(errno) = st.enter_error.take() {
            return Err(io::Error::from_raw_os_error(errno));
        }
        let to_submit = to_submit.min(st.submit_limit.take().unwrap_or(u32::MAX));
        // Delayed completions whose time has come.
        let mut i = 0;
        while i < st.delayed.len() {
            if st.delayed[i].0 <= 1 {
                let (_, c) = st.delayed.remove(i);
                st.batch.push(c);
            } else {
                st.delayed[i].0 -= 1;
                i += 1;
            }
        }
        let getevents = flags & sys::IORING_ENTER_GETEVENTS != 0;
        if getevents {
            self.flush(st);
        }
        let consumed = self.consume(st, to_submit);
        self.post_batch(st);
        if getevents {
            self.flush(st);
            loop {
                let ready = st
                    .cq_tail
                    .wrapping_sub(self.mem.word(CQ_HEAD).load(Ordering::Acquire));
                if ready >= min_complete {
                    break;
                }
                if !(st.complete_on_wait && self.complete_oldest(st)) {
                    // A real kernel would sleep; the model cannot, nothing else can finish.
                    // Plain ETIME, as a timed-out wait (`Submitter::wait` returns Ok on it).
                    Self::gc(st);
                    return Err(io::Error::from_raw_os_error(libc::ETIME));
                }
                self.post_batch(st);
                self.flush(st);
            }
        }
        Self::gc(st);
        Ok(consumed as usize)
    }

    /// `io_uring_register(2)`: nothing is registered on a model ring.
    ///
    /// # Safety
    /// None needed: the model reads nothing through `arg`.
    pub(crate) unsafe fn register(
        &self,
        opcode: u32,
        _arg: *const c_void,
        _nr_args: u32,
    ) -> io::Result<u32> {
        Err(crate::error::with_message(
            libc::EINVAL,
            format!("io_uring_register({opcode}) is not implemented by the model kernel"),
        ))
    }

    /// Reads up to `to_submit` published SQEs and starts them.
    fn consume(&self, st: &mut State, to_submit: u32) -> u32 {
        let tail = self.mem.word(SQ_TAIL).load(Ordering::Acquire);
        // Like the kernel: never more than a ring's worth, whatever the tail says.
        let avail = tail.wrapping_sub(st.sq_head).min(st.sq_entries);
        let n = to_submit.min(avail);
        let mut chain: VecDeque<Req> = VecDeque::new();
        let mut new_chains = Vec::new();
        for _ in 0..n {
            let slot = st.sq_head & (st.sq_entries - 1);
            st.sq_head = st.sq_head.wrapping_add(1);
            let idx = if st.no_sqarray {
                slot
            } else {
                self.mem
                    .word(st.array + slot as usize * 4)
                    .load(Ordering::Relaxed)
            };
            if idx >= st.sq_entries {
                self.mem.word(SQ_DROPPED).fetch_add(1, Ordering::Relaxed);
                continue;
            }
            // SAFETY: `idx < sq_entries` and the SQE region holds `sq_entries` entries of
            // `sqe_size >= 64` bytes, 64-aligned; any bytes are a valid `Sqe` (integers).
            // The ring wrote it before its release store of the tail we loaded with acquire.
            let sqe = unsafe {
                ptr::read(
                    self.mem
                        .sqes
                        .as_ptr()
                        .add(idx as usize * st.sqe_size)
                        .cast::<Sqe>(),
                )
            };
            st.stats.consumed += 1;
            let linked =
                sqe.get_flags().bits() & (sys::IOSQE_IO_LINK | sys::IOSQE_IO_HARDLINK) != 0;
            chain.push_back(Req {
                sqe,
                started: false,
            });
            if !linked {
                new_chains.push(core::mem::take(&mut chain));
            }
        }
        if !chain.is_empty() {
            // The batch ended inside a chain: the kernel ends the chain there.
            new_chains.push(chain);
        }
        // Published after the reads (release), so the ring may reuse the slots.
        self.mem.word(SQ_HEAD).store(st.sq_head, Ordering::Release);
        for c in new_chains {
            st.chains.push(c);
            let k = st.chains.len() - 1;
            self.advance(st, k);
        }
        n
    }

    /// Starts the first request of chain `k` and runs the chain as far as it completes.
    fn advance(&self, st: &mut State, k: usize) {
        loop {
            let Some(front) = st.chains[k].front().copied() else {
                return;
            };
            if front.started {
                return;
            }
            st.chains[k][0].started = true;
            let outcome = self.outcome(st, k, &front.sqe);
            match outcome {
                Outcome::Pending => return,
                Outcome::Complete { res, flags } => {
                    if self.finish_front(st, k, res, flags) {
                        return;
                    }
                }
                Outcome::Multishot(results) => {
                    let n = results.len();
                    let mut last = 0;
                    for (i, r) in results.into_iter().enumerate() {
                        if i + 1 < n {
                            st.batch
                                .push(cqe(front.user_data(), r, sys::IORING_CQE_F_MORE));
                        } else {
                            last = r;
                        }
                    }
                    if self.finish_front(st, k, last, 0) {
                        return;
                    }
                }
            }
        }
    }

    /// What a started request does: NOP, cancel, link timeout, the handler, faults.
    fn outcome(&self, st: &mut State, k: usize, sqe: &Sqe) -> Outcome {
        let raw = sqe.as_raw();
        let out = match sqe.opcode() {
            sys::IORING_OP_NOP => {
                // SAFETY: every field of the union is a plain integer.
                let nop_flags = unsafe { raw.rw_flags_union.nop_flags };
                let res = if nop_flags & sys::IORING_NOP_INJECT_RESULT != 0 {
                    raw.len as i32
                } else {
                    0
                };
                Outcome::Complete { res, flags: 0 }
            }
            sys::IORING_OP_ASYNC_CANCEL => {
                // SAFETY: plain integers, as above.
                let (target, cflags) =
                    unsafe { (raw.addr_union.addr, raw.rw_flags_union.cancel_flags) };
                let res = self.cancel(st, k, target, cflags, raw.fd);
                Outcome::Complete { res, flags: 0 }
            }
            op if op >= sys::IORING_OP_LAST => Outcome::Complete {
                res: -libc::EINVAL,
                flags: 0,
            },
            // A link timeout at the front of a chain has nothing to time: it waits for
            // `Model::complete` (its expiry).
            _ => match st.handler.as_mut() {
                Some(h) => h(sqe),
                None => Outcome::Pending,
            },
        };
        match (st.faults.pop_front(), out) {
            (None, out) => out,
            (Some(Fault::Error(e)), _) => Outcome::Complete { res: -e, flags: 0 },
            (Some(Fault::Short(s)), Outcome::Complete { res, flags }) if res >= 0 => {
                Outcome::Complete {
                    res: s.min(res),
                    flags,
                }
            }
            (Some(Fault::Short(_)), out) => out,
            (Some(Fault::Delay(d)), Outcome::Complete { res, flags }) => {
                // Post later; the request itself is done now.
                if sqe.get_flags().bits() & sys::IOSQE_CQE_SKIP_SUCCESS == 0 || res < 0 {
                    st.delayed.push((d, cqe(sqe.get_user_data(), res, flags)));
                }
                Outcome::Complete {
                    res,
                    flags: DELAYED,
                }
            }
            (Some(Fault::Delay(_)), out) => out,
            (Some(Fault::Hang), _) => Outcome::Pending,
        }
    }

    /// Completes the started first request of chain `k` with `res`; returns whether the
    /// chain is gone (or waits), i.e. the caller must stop advancing it.
    fn finish_front(&self, st: &mut State, k: usize, res: i32, flags: u32) -> bool {
        let Some(req) = st.chains[k].pop_front() else {
            return true;
        };
        if st.touch_buffers && res > 0 {
            touch(&req.sqe, res);
        }
        let skip = req.flags() & sys::IOSQE_CQE_SKIP_SUCCESS != 0 && res >= 0;
        if flags != DELAYED && !skip {
            st.batch.push(cqe(req.user_data(), res, flags));
        }
        // A link timeout right behind: the request finished first, so the timeout is
        // cancelled.
        if st.chains[k]
            .front()
            .is_some_and(|n| n.sqe.opcode() == sys::IORING_OP_LINK_TIMEOUT)
        {
            let t = st.chains[k].pop_front().expect("checked");
            st.batch.push(cqe(t.user_data(), -libc::ECANCELED, 0));
            if t.flags() & sys::IOSQE_IO_LINK == 0 && t.flags() & sys::IOSQE_IO_HARDLINK == 0 {
                st.chains[k].clear();
            }
        }
        let hard = req.flags() & sys::IOSQE_IO_HARDLINK != 0;
        if res < 0 && !hard {
            // A failed link breaks the chain: the rest is cancelled. When the failed request
            // had CQE_SKIP_SUCCESS, the kernel skips the cancelled ones' CQEs too
            // (`req_set_fail`: REQ_F_SKIP_LINK_CQES).
            let quiet = req.flags() & sys::IOSQE_CQE_SKIP_SUCCESS != 0;
            for r in st.chains[k].drain(..) {
                if !quiet {
                    st.batch.push(cqe(r.user_data(), -libc::ECANCELED, 0));
                }
            }
        }
        // Empty chains stay (indices are stable within one call) until `gc`.
        st.chains[k].is_empty()
    }

    /// Drops finished chains; called when no chain index is held.
    fn gc(st: &mut State) {
        st.chains.retain(|c| !c.is_empty());
    }

    /// `IORING_OP_ASYNC_CANCEL`: cancels started pending requests that match.
    fn cancel(&self, st: &mut State, me: usize, target: u64, cflags: u32, fd: i32) -> i32 {
        let any = cflags & sys::IORING_ASYNC_CANCEL_ANY != 0;
        let all = any || cflags & sys::IORING_ASYNC_CANCEL_ALL != 0;
        let by_fd = cflags & sys::IORING_ASYNC_CANCEL_FD != 0;
        let mut n = 0;
        for k in 0..st.chains.len() {
            let Some(&front) = st.chains[k].front() else {
                continue;
            };
            let hit = k != me
                && front.started
                && (any
                    || if by_fd {
                        front.sqe.as_raw().fd == fd
                    } else {
                        front.user_data() == target
                    });
            if hit && (all || n == 0) {
                n += 1;
                if !self.finish_front(st, k, -libc::ECANCELED, 0) {
                    self.advance(st, k);
                }
            }
        }
        match (n, all) {
            (0, _) => -libc::ENOENT,
            (n, true) => n,
            (_, false) => 0,
        }
    }

    /// Completes the oldest pending request with 0 (`complete_on_wait`).
    fn complete_oldest(&self, st: &mut State) -> bool {
        let Some(k) = st
            .chains
            .iter()
            .position(|c| c.front().is_some_and(|r| r.started))
        else {
            return false;
        };
        if !self.finish_front(st, k, 0, 0) {
            self.advance(st, k);
        }
        true
    }

    /// Completes the started request `user_data` with `res`/`flags` (final unless `more`).
    fn complete(&self, st: &mut State, user_data: u64, res: i32, flags: u32, more: bool) -> bool {
        for k in 0..st.chains.len() {
            let c = &st.chains[k];
            if c.is_empty() {
                continue;
            }
            if c[0].started && c[0].user_data() == user_data {
                if more {
                    st.batch
                        .push(cqe(user_data, res, flags | sys::IORING_CQE_F_MORE));
                } else if !self.finish_front(st, k, res, flags) {
                    self.advance(st, k);
                }
                return true;
            }
            // An armed link timeout behind the front: it expires, cancelling the request.
            if c[0].started
                && c.len() > 1
                && c[1].sqe.opcode() == sys::IORING_OP_LINK_TIMEOUT
                && c[1].user_data() == user_data
                && !more
            {
                st.chains[k].remove(1);
                st.batch.push(cqe(user_data, res, flags));
                if !self.finish_front(st, k, -libc::ECANCELED, 0) {
                    self.advance(st, k);
                }
                return true;
            }
        }
        false
    }

    /// Posts this enter's completions (shuffled when reordering).
    fn post_batch(&self, st: &mut State) {
        let mut batch = core::mem::take(&mut st.batch);
        if st.reorder {
            for i in (1..batch.len()).rev() {
                st.rng ^= st.rng << 13;
                st.rng ^= st.rng >> 7;
                st.rng ^= st.rng << 17;
                let j = (st.rng % (i as u64 + 1)) as usize;
                batch.swap(i, j);
            }
        }
        for c in batch.drain(..) {
            self.post(st, c);
        }
        st.batch = batch;
    }

    /// Posts one CQE: to the CQ, the overflow list, or the overflow counter.
    fn post(&self, st: &mut State, c: Cqe) {
        if st.overflow.is_empty() && self.cq_space(st) > 0 {
            self.write_cqe(st, c);
            return;
        }
        if st.nodrop && st.overflow.len() < st.overflow_capacity {
            st.overflow.push_back(c);
            st.stats.overflowed += 1;
            self.mem
                .word(SQ_FLAGS)
                .fetch_or(sys::IORING_SQ_CQ_OVERFLOW, Ordering::Relaxed);
        } else {
            st.stats.dropped += 1;
            self.mem.word(CQ_OVERFLOW).fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Moves overflowed CQEs to the CQ while there is room.
    fn flush(&self, st: &mut State) {
        while !st.overflow.is_empty() && self.cq_space(st) > 0 {
            let c = st.overflow.pop_front().expect("checked");
            self.write_cqe(st, c);
        }
        if st.overflow.is_empty() {
            self.mem
                .word(SQ_FLAGS)
                .fetch_and(!sys::IORING_SQ_CQ_OVERFLOW, Ordering::Relaxed);
        }
    }

    fn cq_space(&self, st: &State) -> u32 {
        // Acquire: the ring's reads of the CQEs before its head store are done.
        let head = self.mem.word(CQ_HEAD).load(Ordering::Acquire);
        st.cq_entries.saturating_sub(st.cq_tail.wrapping_sub(head))
    }

    fn write_cqe(&self, st: &mut State, c: Cqe) {
        let slot = (st.cq_tail & (st.cq_entries - 1)) as usize;
        // SAFETY: `slot < cq_entries`; the CQE array at `CQES` holds `cq_entries` slots of
        // `cqe_size` (16 or 32) bytes inside `rings`, 16-aligned. The slot is free (between
        // the tail and the head plus the ring size, checked by `cq_space`), so the ring does
        // not read it; it reads it after our release store of the tail below.
        unsafe {
            let p = self.mem.rings.as_ptr().add(CQES + slot * st.cqe_size);
            ptr::write(p.cast::<sys::io_uring_cqe>(), *c.as_raw());
            if st.cqe_size == 32 {
                ptr::write(p.add(16).cast::<[u64; 2]>(), [0, 0]);
            }
        }
        st.cq_tail = st.cq_tail.wrapping_add(1);
        st.stats.posted += 1;
        self.mem.word(CQ_TAIL).store(st.cq_tail, Ordering::Release);
    }
}

/// What the kernel does to a request's buffer at completion: READ/RECV write `res` bytes at
/// `addr`, WRITE/SEND read them (never more than `len`).
fn touch(sqe: &Sqe, res: i32) {
    let raw = sqe.as_raw();
    // SAFETY: plain integers.
    let addr = unsafe { raw.addr_union.addr } as usize;
    let n = (res as u32).min(raw.len) as usize;
    if n == 0 || addr == 0 {
        return;
    }
    let p = ptr::with_exposed_provenance_mut::<u8>(addr);
    match sqe.opcode() {
        sys::IORING_OP_READ | sys::IORING_OP_RECV => {
            // SAFETY: the SQE was pushed under `SubmissionQueue::push`'s contract: its buffer
            // (`addr`, `len` bytes) stays valid for the kernel's writes until this completion,
            // and `n <= len`. This is the kernel's write, done by the model.
            unsafe { ptr::write_bytes(p, 0xA5, n) };
        }
        sys::IORING_OP_WRITE | sys::IORING_OP_SEND => {
            let mut sum = 0u8;
            for i in 0..n {
                // SAFETY: as above, for the kernel's reads.
                sum = sum.wrapping_add(unsafe { ptr::read_volatile(p.add(i)) });
            }
            core::hint::black_box(sum);
        }
        _ => {}
    }
}

/// `flags` marker: the CQE of this completion was already queued as delayed.
const DELAYED: u32 = u32::MAX;

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

    /// Completes the in-flight request `user_data` with `res` (its final CQE; a link timeout
    /// armed behind a request "expires", cancelling the request). The CQE is posted now, not
    /// at the next enter. Returns false when no such request is in flight.
    pub fn complete(&self, user_data: u64, res: i32) -> bool {
        self.complete_with(user_data, res, 0)
    }

    /// As [`complete`](Self::complete), with CQE `flags` (e.g. `IORING_CQE_F_BUFFER | bid << 16`).
    pub fn complete_with(&self, user_data: u64, res: i32, flags: u32) -> bool {
        let mut st = self.shared.lock();
        let found = self.shared.complete(&mut st, user_data, res, flags, false);
        self.shared.post_batch(&mut st);
        Shared::gc(&mut st);
        found
    }

    /// Posts a multishot CQE (`IORING_CQE_F_MORE` added) for in-flight `user_data`, which
    /// stays in flight.
    pub fn post_more(&self, user_data: u64, res: i32, flags: u32) -> bool {
        let mut st = self.shared.lock();
        let found = self.shared.complete(&mut st, user_data, res, flags, true);
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
    /// buffer id in `flags`, a duplicate, ...), through the normal CQ/overflow path.
    pub fn post_raw(&self, user_data: u64, res: i32, flags: u32) {
        let mut st = self.shared.lock();
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
    /// The model's own tail follows, so later CQEs go on from there.
    pub fn set_cq_tail(&self, tail: u32) {
        let mut st = self.shared.lock();
        st.cq_tail = tail;
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

    /// Hostile: writes `head` as the SQ head (backwards, or beyond the tail). The model's own
    /// head follows.
    pub fn set_sq_head(&self, head: u32) {
        let mut st = self.shared.lock();
        st.sq_head = head;
        self.shared.mem.word(SQ_HEAD).store(head, Ordering::Release);
    }
}
