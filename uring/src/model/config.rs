//! [`Config`]: the shape of a model ring, and building it.

use core::sync::atomic::Ordering;
use std::collections::{HashSet, VecDeque};
use std::io;
use std::os::fd::{FromRawFd, OwnedFd};
use std::sync::{Arc, Mutex};

use uring_sys as sys;

use super::kernel::{Memory, Shared, State};
use super::*;
use crate::cqueue::Cqe;
use crate::cqueue::CqeEntry;
use crate::mmap::Mmap;
use crate::raw::RawRing;
use crate::ring::Ring;
use crate::squeue::SqeEntry;

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
    impossible_results: bool,
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
            impossible_results: false,
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
    /// with 0; an `IORING_OP_TIMEOUT` with `-ETIME`, as it expires) instead of failing with
    /// `ETIME`, as if time passed.
    #[must_use]
    pub fn complete_on_wait(mut self, on: bool) -> Config {
        self.complete_on_wait = on;
        self
    }

    /// Whether a completing `IORING_OP_READ`/`RECV` writes `min(res, len)` bytes at
    /// `sqe.addr` and a `WRITE`/`SEND` reads them, as the kernel would (default on): under
    /// Miri or ASan a buffer freed or moved while in flight is then caught. Off (for SQEs whose
    /// addresses are not real memory), a read the model completes reads 0 bytes: it wrote none.
    #[must_use]
    pub fn touch_buffers(mut self, on: bool) -> Config {
        self.touch_buffers = on;
        self
    }

    /// Post results and flags as scripted even when no kernel could (a read of more bytes
    /// than asked or than the model wrote, a descriptor for an accept, a provided buffer's id,
    /// ...), to test code that must survive a broken kernel. Off by default: the model's safe
    /// API then only posts what a kernel could (see the module docs, "Soundness").
    ///
    /// # Safety
    /// Code that trusts the kernel's completions acts on these results: a
    /// [`Driver`](crate::driver::Driver) marks a read's bytes initialized up to `res` (it
    /// refuses only a `res` above the buffer's capacity), takes an accept's or open's `res`
    /// as a descriptor it owns, and so on. Every result scripted on this ring (by
    /// [`Model::complete`], a [`Handler`](super::Handler), [`Fault`](super::Fault)s, [`Chaos`](super::Chaos),
    /// `complete_on_wait`) must be one the code above the ring checks or does not act on, as
    /// in a test of exactly that check.
    #[must_use]
    pub unsafe fn impossible_results(mut self, on: bool) -> Config {
        self.impossible_results = on;
        self
    }

    /// The seed of the model's reordering.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Config {
        self.seed = seed;
        self
    }

    /// Builds a [`Driver`](crate::driver::Driver) over a model ring (`Sqe`, `Cqe`): the
    /// ownership-safe layer, whole, without a kernel. See the [module docs](super) for a
    /// reactor tested this way.
    ///
    /// # Errors
    /// As for [`build`](Self::build).
    pub fn build_driver(self) -> io::Result<(crate::driver::Driver, Model)> {
        let (ring, model) = self.build::<Sqe, Cqe>()?;
        Ok((crate::driver::Driver::from_ring(ring), model))
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
                impossible_results: self.impossible_results,
                forged: HashSet::new(),
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
                chaos: None,
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
