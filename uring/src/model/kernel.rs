//! The model kernel: its ring memory, its state, and what an enter does.

use core::ffi::c_void;
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicU32, Ordering};
use std::alloc::Layout;
use std::collections::{HashSet, VecDeque};
use std::io;
use std::sync::{Mutex, MutexGuard};

use uring_sys as sys;

use super::*;
use crate::cqueue::Cqe;

/// The model's ring memory: two zeroed, 64-aligned heap allocations, freed on drop.
pub(super) struct Memory {
    pub(super) rings: NonNull<u8>,
    pub(super) rings_len: usize,
    pub(super) sqes: NonNull<u8>,
    pub(super) sqes_len: usize,
}

// SAFETY: the memory is owned; every access goes through atomics (the ring words) or is
// ordered by the ring protocol's release/acquire pairs (SQEs, CQEs), as with the kernel.
unsafe impl Send for Memory {}
// SAFETY: as above.
unsafe impl Sync for Memory {}

impl Memory {
    pub(super) fn new(rings_len: usize, sqes_len: usize) -> io::Result<Memory> {
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
    pub(super) fn word(&self, off: usize) -> &AtomicU32 {
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
pub(super) struct Req {
    pub(super) sqe: Sqe,
    pub(super) started: bool,
}

impl Req {
    pub(super) fn user_data(&self) -> u64 {
        self.sqe.get_user_data()
    }
    pub(super) fn flags(&self) -> u8 {
        self.sqe.get_flags().bits()
    }
}

/// What the ring holds on to: the memory and the kernel state.
pub(crate) struct Shared {
    pub(super) mem: Memory,
    pub(super) state: Mutex<State>,
}

pub(super) struct State {
    pub(super) sq_entries: u32,
    pub(super) cq_entries: u32,
    pub(super) sqe_size: usize,
    pub(super) cqe_size: usize,
    pub(super) no_sqarray: bool,
    pub(super) array: usize,
    pub(super) nodrop: bool,
    pub(super) overflow_capacity: usize,
    pub(super) complete_on_wait: bool,
    pub(super) touch_buffers: bool,
    /// Results are posted as scripted, possible or not (`Config::impossible_results`).
    pub(super) impossible_results: bool,
    /// `user_data` values a CQE the model did not post as a request's final completion has
    /// carried (`post_raw`, `post_more`, a multishot outcome, stale slots a hostile CQ tail
    /// exposed): the ring's user may have taken it as the end of the request and freed its
    /// buffer, so no request with one of these is ever touched.
    pub(super) forged: HashSet<u64>,
    /// The kernel's SQ head (its copy is published to `SQ_HEAD`).
    pub(super) sq_head: u32,
    /// The kernel's CQ tail (published to `CQ_TAIL`).
    pub(super) cq_tail: u32,
    pub(super) overflow: VecDeque<Cqe>,
    /// Requests in flight: link chains, the first of each started.
    pub(super) chains: Vec<VecDeque<Req>>,
    /// CQEs waiting for `n` more enters.
    pub(super) delayed: Vec<(u32, Cqe)>,
    /// CQEs produced during this enter, posted at its end.
    pub(super) batch: Vec<Cqe>,
    pub(super) faults: VecDeque<Fault>,
    /// The next enter fails with this errno, doing nothing.
    pub(super) enter_error: Option<i32>,
    /// The next enter consumes at most this many SQEs.
    pub(super) submit_limit: Option<u32>,
    pub(super) reorder: bool,
    /// Random faults ([`Model::set_chaos`]).
    pub(super) chaos: Option<Chaos>,
    pub(super) rng: u64,
    pub(super) handler: Option<Handler>,
    pub(super) stats: Stats,
}

pub(super) fn cqe(user_data: u64, res: i32, flags: u32) -> Cqe {
    Cqe::from_raw(sys::io_uring_cqe {
        user_data,
        res,
        flags,
        big_cqe: [],
    })
}

impl Shared {
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `io_uring_enter(2)` against the model (see the module docs).
    fn enter_model(
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
        let to_submit = st
            .chaos_enter(to_submit)
            .map_err(io::Error::from_raw_os_error)?;
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
        self.start_left(st);
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
        // Every chain in first, then started: a handler panicking while one starts leaves the
        // later ones in `chains`, unstarted, for the next enter to start (`start_left`), where
        // they were lost before (consumed, never completed). An unstarted front matches no
        // cancel or completion, so starting them one by one changes nothing else.
        let first = st.chains.len();
        st.chains.extend(new_chains);
        for k in first..st.chains.len() {
            self.advance(st, k);
        }
        n
    }

    /// Starts the chains a panicking [`Handler`] left unstarted (see `consume`).
    fn start_left(&self, st: &mut State) {
        for k in 0..st.chains.len() {
            if st.chains[k].front().is_some_and(|r| !r.started) {
                self.advance(st, k);
            }
        }
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
                            // Nothing is written for these (see `honest`).
                            let (r, f) = st.honest(&front.sqe, r, sys::IORING_CQE_F_MORE, false);
                            st.batch.push(cqe(front.user_data(), r, f));
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
        // What a kernel could post (see `honest`), before the faults change it.
        let touched = st.touches(sqe);
        let out = match out {
            Outcome::Complete { res, flags } => {
                let (res, flags) = st.honest(sqe, res, flags, touched);
                Outcome::Complete { res, flags }
            }
            out => out,
        };
        let fault = match st.faults.pop_front() {
            Some(f) => Some(f),
            None => st.chaos_fault(sqe.opcode(), &out),
        };
        match (fault, out) {
            (None, out) => out,
            // Wrapping: `Fault::Error(i32::MIN)` (safe to ask for) has no `-e`; a plain `-e`
            // panicked here, inside the enter, with the model's lock held and the rest of the
            // batch consumed but never started. `i32::MIN` stays a failure.
            (Some(Fault::Error(e)), _) => Outcome::Complete {
                res: e.wrapping_neg(),
                flags: 0,
            },
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
        let touched = st.touches(&req.sqe);
        let (res, flags) = if flags == DELAYED {
            (st.honest(&req.sqe, res, 0, touched).0, DELAYED)
        } else {
            st.honest(&req.sqe, res, flags, touched)
        };
        if touched && res > 0 {
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
    pub(super) fn gc(st: &mut State) {
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

    /// Completes the oldest pending request with 0, a timeout with `-ETIME` (`complete_on_wait`).
    fn complete_oldest(&self, st: &mut State) -> bool {
        let Some(k) = st
            .chains
            .iter()
            .position(|c| c.front().is_some_and(|r| r.started))
        else {
            return false;
        };
        // Time passes: a timeout expires, anything else is done.
        let res = if st.chains[k][0].sqe.opcode() == sys::IORING_OP_TIMEOUT {
            -libc::ETIME
        } else {
            0
        };
        if !self.finish_front(st, k, res, 0) {
            self.advance(st, k);
        }
        true
    }

    /// Completes the started request `user_data` with `res`/`flags` (final unless `more`).
    pub(super) fn complete(
        &self,
        st: &mut State,
        user_data: u64,
        res: i32,
        flags: u32,
        more: bool,
    ) -> bool {
        for k in 0..st.chains.len() {
            let c = &st.chains[k];
            if c.is_empty() {
                continue;
            }
            if c[0].started && c[0].user_data() == user_data {
                if more {
                    // Nothing is written for these (see `honest`).
                    let (res, flags) =
                        st.honest(&c[0].sqe, res, flags | sys::IORING_CQE_F_MORE, false);
                    st.batch.push(cqe(user_data, res, flags));
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
                let t = st.chains[k].remove(1).expect("checked");
                let (res, flags) = st.honest(&t.sqe, res, flags, false);
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
    pub(super) fn post_batch(&self, st: &mut State) {
        let mut batch = core::mem::take(&mut st.batch);
        if st.reorder {
            for i in (1..batch.len()).rev() {
                let j = (st.next_random() % (i as u64 + 1)) as usize;
                batch.swap(i, j);
            }
        }
        for c in batch.drain(..) {
            self.post(st, c);
        }
        st.batch = batch;
    }

    /// Posts one CQE: to the CQ, the overflow list, or the overflow counter.
    pub(super) fn post(&self, st: &mut State, c: Cqe) {
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

    /// The CQE in the slot of CQ index `idx` (as last written; zeroed if never).
    pub(super) fn cqe_at(&self, st: &State, idx: u32) -> Cqe {
        let slot = (idx & (st.cq_entries - 1)) as usize;
        // SAFETY: `slot < cq_entries`, inside `rings` as in `write_cqe`; only the model writes
        // CQE slots (under the lock we hold), the ring only reads them, and any bytes are a
        // valid CQE (integers).
        let raw = unsafe {
            ptr::read(
                self.mem
                    .rings
                    .as_ptr()
                    .add(CQES + slot * st.cqe_size)
                    .cast::<sys::io_uring_cqe>(),
            )
        };
        Cqe::from_raw(raw)
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

/// The seam's view of the model: enters and registrations of a model ring come here.
impl crate::sys::ModelKernel for Shared {
    fn enter(
        &self,
        to_submit: u32,
        min_complete: u32,
        flags: u32,
        arg: *const c_void,
        argsz: usize,
    ) -> io::Result<usize> {
        self.enter_model(to_submit, min_complete, flags, arg, argsz)
    }

    /// `io_uring_register(2)`: nothing is registered on a model ring.
    ///
    /// # Safety
    /// None needed: the model reads nothing through `arg`.
    unsafe fn register(&self, opcode: u32, _arg: *const c_void, _nr_args: u32) -> io::Result<u32> {
        Err(crate::error::with_message(
            libc::EINVAL,
            format!("io_uring_register({opcode}) is not implemented by the model kernel"),
        ))
    }
}
