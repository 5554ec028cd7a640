//! The mapped rings and their fd ([`RawRing`]): `io_uring_setup(2)`, the mappings, and the
//! corrupt-ring state every enter checks.

use core::fmt;
use core::ptr;
use core::sync::atomic::{AtomicU32, Ordering};
use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};

use uring_sys as sys;

use crate::index;
use crate::mmap::Mmap;
use crate::setup::flags::{Features, SetupFlags};
use crate::sys::Kernel;

/// Where a registered ring fd may be used: `io_uring_enter(2)` with a registered index works
/// only in the thread (task) that registered it.
mod thread_id {
    use core::cell::Cell;
    use core::sync::atomic::{AtomicU64, Ordering};

    static NEXT: AtomicU64 = AtomicU64::new(1);
    std::thread_local! {
        static ID: Cell<u64> = const { Cell::new(0) };
    }

    /// A process-unique id of the calling thread, never reused (unlike a TLS address).
    #[inline]
    pub(crate) fn current() -> u64 {
        ID.with(|id| {
            let v = id.get();
            if v != 0 {
                return v;
            }
            // Relaxed: only uniqueness matters, no other memory is published with it.
            let v = NEXT.fetch_add(1, Ordering::Relaxed);
            id.set(v);
            v
        })
    }
}

pub(crate) use thread_id::current as current_thread_id;

/// The mapped ring and its fd: what [`Ring`](crate::Ring), [`Submitter`](crate::Submitter),
/// [`SubmissionQueue`](crate::SubmissionQueue) and [`CompletionQueue`](crate::CompletionQueue)
/// share. Fields are private to this module; everything else goes through the accessors below.
pub(crate) struct RawRing {
    sq_head: *const AtomicU32,
    sq_tail: *const AtomicU32,
    sq_flags: *const AtomicU32,
    sq_dropped: *const AtomicU32,
    cq_head: *const AtomicU32,
    cq_tail: *const AtomicU32,
    cq_overflow: *const AtomicU32,
    /// Null on kernels before 5.8 (no CQ flags word).
    cq_flags: *const AtomicU32,
    /// Base of the SQE array (`sq_entries` entries of the ring's SQE size).
    sqes: *mut u8,
    /// Base of the CQE array (`cq_entries` entries of the ring's CQE size).
    cqes: *const u8,
    pub(crate) sq_mask: u32,
    pub(crate) sq_entries: u32,
    pub(crate) cq_mask: u32,
    pub(crate) cq_entries: u32,
    pub(crate) flags: SetupFlags,
    pub(crate) features: Features,
    /// `Some((index, thread))` when the ring fd is registered (`IORING_REGISTER_RING_FDS`) by
    /// `thread`.
    pub(crate) registered: Option<(u32, u64)>,
    // Drop order: the fd closes first, then the mappings go.
    pub(crate) fd: OwnedFd,
    _sq_map: Mmap,
    _cq_map: Option<Mmap>,
    _sqe_map: Mmap,
    /// [`CORRUPT_CQ`], [`CORRUPT_SQ`], [`CORRUPT_RESIZE`] (sticky: the shared ring memory held
    /// indices a correct kernel never writes, and every later enter fails with
    /// [`RawRing::corrupt_error`]) and [`GENERAL_ENTER`]. One word, so the submit fast path
    /// tells "plain ring, nothing wrong" from everything else with one load.
    state: AtomicU32,
    /// Where enters and registrations go: the kernel, or the model kernel (`crate::model`),
    /// whose memory backs the mappings above, so it goes last.
    pub(crate) kernel: Kernel,
}

/// [`RawRing::state`] bit: the CQ tail was more than `cq_entries` ahead of the head.
pub(crate) const CORRUPT_CQ: u32 = 1;
/// [`RawRing::state`] bit: the SQ head was behind our tail by more than `sq_entries`, or
/// beyond it.
pub(crate) const CORRUPT_SQ: u32 = 2;
/// [`RawRing::state`] bit: the kernel resized the rings but mapping the new ones failed, so
/// the mappings this ring holds are the old rings, which the kernel no longer uses.
pub(crate) const CORRUPT_RESIZE: u32 = 4;
/// The [`RawRing::state`] bits that say the ring is corrupt.
const CORRUPT: u32 = CORRUPT_CQ | CORRUPT_SQ | CORRUPT_RESIZE;
/// [`RawRing::state`] bit, not an error: this ring enters the kernel through the general path
/// of [`Submitter::submit_and_wait`](crate::Submitter::submit_and_wait) (SQPOLL, IOPOLL, a
/// registered ring fd, the model kernel). Kept by [`RawRing::update_enter_path`].
pub(crate) const GENERAL_ENTER: u32 = 1 << 31;

// SAFETY: the raw pointers point into mappings this struct owns (`_sq_map`, `_cq_map`,
// `_sqe_map`), which are process-wide, not thread-bound. The shared words are only accessed
// through `AtomicU32`; the SQE and CQE arrays only through a `SubmissionQueue` or
// `CompletionQueue`, of which at most one each exists at a time (they borrow the `Ring`
// mutably, see `Ring::sq`, `Ring::cq`, `Ring::split`).
unsafe impl Send for RawRing {}
// SAFETY: as above: `&RawRing` only allows atomic access to the shared words and syscalls on
// the fd; the arrays need the exclusive SQ/CQ handles.
unsafe impl Sync for RawRing {}

impl RawRing {
    /// Base of the SQE array: `sq_entries` entries of the ring's SQE size, page-aligned,
    /// inside the SQE mapping this ring owns.
    #[inline(always)]
    pub(crate) fn sqes(&self) -> *mut u8 {
        self.sqes
    }

    /// Base of the CQE array: `cq_entries` slots of the ring's CQE size, 16-aligned, inside
    /// the CQ mapping this ring owns.
    #[inline(always)]
    pub(crate) fn cqes(&self) -> *const u8 {
        self.cqes
    }

    /// The kernel's SQ head.
    #[inline]
    pub(crate) fn sq_head(&self) -> &AtomicU32 {
        // SAFETY: `sq_head` points into `_sq_map` at the kernel's `sq_off.head`, checked to be
        // in bounds and 4-aligned in `RawRing::map`; the mapping lives as long as `self`.
        // The kernel writes it concurrently, which is fine for an atomic.
        unsafe { &*self.sq_head }
    }

    /// Our SQ tail.
    #[inline]
    pub(crate) fn sq_tail(&self) -> &AtomicU32 {
        // SAFETY: as for `sq_head` (`sq_off.tail`, checked in `RawRing::map`).
        unsafe { &*self.sq_tail }
    }

    /// The SQ flags word (`IORING_SQ_*`), written by the kernel.
    #[inline]
    pub(crate) fn sq_flags(&self) -> &AtomicU32 {
        // SAFETY: as for `sq_head` (`sq_off.flags`, checked in `RawRing::map`).
        unsafe { &*self.sq_flags }
    }

    /// The count of SQEs the kernel dropped as invalid.
    #[inline]
    pub(crate) fn sq_dropped(&self) -> &AtomicU32 {
        // SAFETY: as for `sq_head` (`sq_off.dropped`, checked in `RawRing::map`).
        unsafe { &*self.sq_dropped }
    }

    /// Our CQ head.
    #[inline]
    pub(crate) fn cq_head(&self) -> &AtomicU32 {
        // SAFETY: as for `sq_head` (`cq_off.head` in the CQ mapping, checked in `RawRing::map`).
        unsafe { &*self.cq_head }
    }

    /// The kernel's CQ tail.
    #[inline]
    pub(crate) fn cq_tail(&self) -> &AtomicU32 {
        // SAFETY: as for `cq_head` (`cq_off.tail`).
        unsafe { &*self.cq_tail }
    }

    /// The CQ overflow counter.
    #[inline]
    pub(crate) fn cq_overflow(&self) -> &AtomicU32 {
        // SAFETY: as for `cq_head` (`cq_off.overflow`).
        unsafe { &*self.cq_overflow }
    }

    /// The CQ flags word (`IORING_CQ_*`, ours to write), absent before Linux 5.8.
    #[inline]
    pub(crate) fn cq_flags(&self) -> Option<&AtomicU32> {
        if self.cq_flags.is_null() {
            None
        } else {
            // SAFETY: as for `cq_head` (`cq_off.flags`, non-zero and checked in
            // `RawRing::map`).
            Some(unsafe { &*self.cq_flags })
        }
    }

    /// The CQ tail to trust given our `head` and the kernel's `tail`: `tail` itself, or `head`
    /// (nothing to read) when the kernel claims more CQEs than the ring holds — memory a
    /// correct kernel never writes. That marks the ring corrupt: the next enter fails.
    #[inline(always)]
    pub(crate) fn checked_cq_tail(&self, head: u32, tail: u32) -> u32 {
        if index::len(head, tail) > self.cq_entries {
            self.mark_corrupt(CORRUPT_CQ);
            head
        } else {
            tail
        }
    }

    /// Records that the shared ring memory broke the protocol (sticky).
    #[cold]
    #[inline(never)]
    pub(crate) fn mark_corrupt(&self, what: u32) {
        // Relaxed: a flag read by the next enter on any thread; nothing is published with it.
        self.state.fetch_or(what, Ordering::Relaxed);
    }

    /// Whether the shared ring memory was seen breaking the protocol.
    #[inline(always)]
    pub(crate) fn is_corrupt(&self) -> bool {
        // Relaxed: see `mark_corrupt`.
        self.state.load(Ordering::Relaxed) & CORRUPT != 0
    }

    /// Whether an enter can take the fast path: not corrupt, and none of what
    /// [`GENERAL_ENTER`] stands for. One relaxed load (see `mark_corrupt`).
    #[inline(always)]
    pub(crate) fn plain_enter(&self) -> bool {
        self.state.load(Ordering::Relaxed) == 0
    }

    /// Sets or clears [`GENERAL_ENTER`] from the setup flags, the registered ring fd and the
    /// model; call after changing any of them.
    pub(crate) fn update_enter_path(&mut self) {
        let general = self
            .flags
            .intersects(SetupFlags::SQPOLL | SetupFlags::IOPOLL)
            || self.registered.is_some()
            || self.kernel.is_model();
        let state = self.state.get_mut();
        if general {
            *state |= GENERAL_ENTER;
        } else {
            *state &= !GENERAL_ENTER;
        }
    }

    /// The error every enter returns once the ring is corrupt: `EUCLEAN` with the cause.
    #[cold]
    #[inline(never)]
    pub(crate) fn corrupt_error(&self) -> io::Error {
        let bits = self.state.load(Ordering::Relaxed);
        if bits & CORRUPT_RESIZE != 0 {
            return crate::error::with_message(
                libc::EUCLEAN,
                "the kernel resized this ring but mapping the new rings failed: the mappings \
                 held are the old rings, which the kernel no longer reads or writes; drop the \
                 ring",
            );
        }
        let what = match (bits & CORRUPT_CQ != 0, bits & CORRUPT_SQ != 0) {
            (true, true) => "the CQ tail and the SQ head were",
            (true, false) => "the CQ tail was more than cq_entries ahead of the CQ head, which is",
            _ => "the SQ head was beyond the SQ tail (or more than sq_entries behind it), which is",
        };
        crate::error::with_message(
            libc::EUCLEAN,
            format!(
                "the shared ring memory is corrupt: {what} impossible for a correct kernel (a \
                 kernel bug or a stray write into the mapped ring); no CQE was read past the \
                 damage, drop the ring"
            ),
        )
    }

    /// The fd (or registered index) and the extra `io_uring_enter(2)` flag to use from the
    /// calling thread.
    #[inline]
    pub(crate) fn enter_target(&self) -> (RawFd, u32) {
        match self.registered {
            Some((index, thread)) if thread == current_thread_id() => {
                (index as RawFd, sys::IORING_ENTER_REGISTERED_RING)
            }
            _ => (self.fd.as_raw_fd(), 0),
        }
    }

    /// `io_uring_setup(2)` and the mappings.
    pub(crate) fn new(
        entries: u32,
        mut params: sys::io_uring_params,
        sqe_size: usize,
        cqe_size: usize,
    ) -> io::Result<RawRing> {
        let requested = params.flags;
        // NO_MMAP: we provide the memory (anonymous shared mappings, page-aligned, which the
        // kernel pins), sized as the kernel will lay the rings out.
        let provided = if requested & sys::IORING_SETUP_NO_MMAP != 0 {
            let (sq_entries, cq_entries) = expected_sizes(entries, &params);
            let array = if requested & sys::IORING_SETUP_NO_SQARRAY != 0 {
                0
            } else {
                sq_entries as usize * 4
            };
            // The ring header (64 bytes on every kernel with NO_MMAP), the CQEs, a cache line
            // of alignment slack, the SQ index array.
            let rings_len = 64 + cq_entries as usize * cqe_size + 256 + array;
            let rings = Mmap::anonymous(rings_len)?;
            let sqes = Mmap::anonymous(sq_entries as usize * sqe_size)?;
            params.sq_off.user_addr = sqes.as_ptr() as u64;
            params.cq_off.user_addr = rings.as_ptr() as u64;
            Some((rings, sqes))
        } else {
            None
        };
        // SAFETY: `params`' `resv` words are zero (built from `zeroed()` in `Builder::new`,
        // never set). Under NO_MMAP its `user_addr`s point to the page-aligned mappings in
        // `provided`, sized for the rings the kernel will lay out (`expected_sizes`; the kernel
        // checks the sizes it pins), which the returned `RawRing` owns for its whole life.
        let fd = unsafe { crate::sys::setup(entries, &mut params) }.map_err(|e| {
            let errno = e.raw_os_error().unwrap_or(libc::EIO);
            crate::error::setup_error(errno, entries, requested)
        })?;
        let features = Features::from_bits_retain(params.features);
        Self::map(fd, &params, features, sqe_size, cqe_size, provided)
    }

    /// Maps the rings of `fd` as `params` (filled in by the kernel) describes them.
    pub(crate) fn map(
        fd: OwnedFd,
        params: &sys::io_uring_params,
        features: Features,
        sqe_size: usize,
        cqe_size: usize,
        provided: Option<(Mmap, Mmap)>,
    ) -> io::Result<RawRing> {
        let bad = |what: &str| {
            crate::error::with_message(
                libc::EINVAL,
                format!(
                    "io_uring_setup(2) returned an inconsistent ring ({what}); this kernel does \
                     not follow the uapi this crate tracks"
                ),
            )
        };
        let sq_entries = params.sq_entries;
        let cq_entries = params.cq_entries;
        if !sq_entries.is_power_of_two() || !cq_entries.is_power_of_two() {
            return Err(bad("ring sizes are not powers of two"));
        }
        let flags = SetupFlags::from_bits_retain(params.flags);
        let no_sqarray = flags.contains(SetupFlags::NO_SQARRAY);

        let sq_off = params.sq_off;
        let cq_off = params.cq_off;
        let sq_array_end = if no_sqarray {
            0
        } else {
            sq_off.array as usize + sq_entries as usize * 4
        };
        let sq_len = sq_array_end.max(sq_off.dropped as usize + 4);
        let cq_len = cq_off.cqes as usize + cq_entries as usize * cqe_size;
        let single = features.contains(Features::SINGLE_MMAP);
        let (sq_len, cq_len) = if single {
            let n = sq_len.max(cq_len);
            (n, n)
        } else {
            (sq_len, cq_len)
        };

        let (sq_map, cq_map, sqe_map) = match provided {
            // NO_MMAP: SQ and CQ rings share our one region, the SQEs are in the other.
            Some((rings, sqes)) => {
                if sq_entries as usize * sqe_size > sqes.len() {
                    return Err(bad("more SQEs than the memory provided for them"));
                }
                (rings, None, sqes)
            }
            None => {
                let sq_map = Mmap::new(fd.as_fd(), sys::IORING_OFF_SQ_RING, sq_len)?;
                let cq_map = if single {
                    None
                } else {
                    Some(Mmap::new(fd.as_fd(), sys::IORING_OFF_CQ_RING, cq_len)?)
                };
                let sqe_map = Mmap::new(
                    fd.as_fd(),
                    sys::IORING_OFF_SQES,
                    sq_entries as usize * sqe_size,
                )?;
                (sq_map, cq_map, sqe_map)
            }
        };

        // Every word we will turn into an `&AtomicU32` must lie inside its mapping, 4-aligned.
        let word = |map: &Mmap, off: u32| -> io::Result<*const AtomicU32> {
            if off as usize + 4 > map.len() || off % 4 != 0 {
                return Err(bad("a ring offset lies outside the mapping"));
            }
            Ok(map.offset(off).cast::<AtomicU32>())
        };
        let cq_base = cq_map.as_ref().unwrap_or(&sq_map);
        if cq_off.cqes as usize + cq_entries as usize * cqe_size > cq_base.len()
            || cq_off.cqes as usize % 16 != 0
        {
            return Err(bad("the CQE array lies outside the mapping"));
        }
        let cq_flags = if cq_off.flags != 0 {
            word(cq_base, cq_off.flags)?
        } else {
            ptr::null()
        };
        let raw = RawRing {
            sq_head: word(&sq_map, sq_off.head)?,
            sq_tail: word(&sq_map, sq_off.tail)?,
            sq_flags: word(&sq_map, sq_off.flags)?,
            sq_dropped: word(&sq_map, sq_off.dropped)?,
            cq_head: word(cq_base, cq_off.head)?,
            cq_tail: word(cq_base, cq_off.tail)?,
            cq_overflow: word(cq_base, cq_off.overflow)?,
            cq_flags,
            sqes: sqe_map.as_ptr(),
            cqes: cq_base.offset(cq_off.cqes),
            sq_mask: sq_entries - 1,
            sq_entries,
            cq_mask: cq_entries - 1,
            cq_entries,
            flags,
            features,
            registered: None,
            fd,
            _sq_map: sq_map,
            _cq_map: cq_map,
            _sqe_map: sqe_map,
            state: AtomicU32::new(0),
            kernel: Kernel::REAL,
        };

        if !no_sqarray {
            // Offset 0 is the SQ head: a kernel that reports it has not told us where the
            // array is (resizing does that), and writing there would clobber the indices.
            if sq_array_end > raw._sq_map.len() || sq_off.array % 4 != 0 || sq_off.array == 0 {
                return Err(bad("the SQ index array lies outside the mapping"));
            }
            // The index array maps ring slot i to SQE i, once: pushes then only write SQEs.
            let array = raw._sq_map.offset(sq_off.array).cast::<AtomicU32>();
            for i in 0..sq_entries {
                // SAFETY: `array` + i is inside `_sq_map` (checked just above: the array's end
                // is within the mapping) and 4-aligned; the kernel only reads the array, so an
                // atomic view is sound. Relaxed: the tail's `Release` store publishes it before
                // the kernel reads any of it.
                unsafe { (*array.add(i as usize)).store(i, Ordering::Relaxed) };
            }
        }
        let mut raw = raw;
        raw.update_enter_path();
        Ok(raw)
    }

    /// [`Ring::resize`](crate::Ring::resize) for a ring of `sqe_size`-byte SQEs and
    /// `cqe_size`-byte CQ slots: `IORING_REGISTER_RESIZE_RINGS`, then the new rings mapped in
    /// place of the old ones (or the ring marked [`CORRUPT_RESIZE`] if that fails).
    pub(crate) fn resize(
        &mut self,
        sq_entries: u32,
        cq_entries: Option<u32>,
        sqe_size: usize,
        cqe_size: usize,
    ) -> io::Result<()> {
        if sq_entries == 0 || sq_entries > crate::setup::flags::MAX_ENTRIES {
            return Err(crate::error::too_many_entries(sq_entries));
        }
        if self.flags.contains(SetupFlags::NO_MMAP) {
            return Err(crate::error::with_message(
                libc::EINVAL,
                "resizing a NO_MMAP ring is not supported (the new rings would need new \
                 memory from us); build the ring without NO_MMAP",
            ));
        }
        if !self.flags.contains(SetupFlags::NO_SQARRAY) {
            return Err(crate::error::with_message(
                libc::EINVAL,
                "resizing needs a ring set up with NO_SQARRAY: the kernel does not say where \
                 the resized ring's SQ index array is, so it could not be filled in; build the \
                 ring with Builder::no_sqarray() (Linux 6.6+)",
            ));
        }
        if self.kernel.is_model() {
            // Refused here, not only by the model's `register` (which refuses every opcode):
            // past a successful resize, `RawRing::map` builds the new ring on `Kernel::REAL`
            // and maps it from the fd, which for a model ring is a stand-in eventfd. A model
            // ring must never turn into one whose enters reach the kernel.
            return Err(crate::error::with_message(
                libc::EINVAL,
                "the model kernel does not resize rings",
            ));
        }
        let mut p = sys::io_uring_params::zeroed();
        p.sq_entries = sq_entries;
        if let Some(cq) = cq_entries {
            p.flags |= sys::IORING_SETUP_CQSIZE;
            p.cq_entries = cq;
        }
        // Duplicate first, so nothing can fail between the resize and the remap but the mmap.
        let dup = self.fd.try_clone()?;
        // SAFETY: `p` is a valid `io_uring_params` the kernel reads and writes back during
        // the call; it keeps nothing. The ring's layout changes, which is sound here because
        // `&mut self` excludes every SQ/CQ handle, and we remap below before any other use.
        let r = unsafe {
            self.kernel.register(
                self.fd.as_raw_fd(),
                sys::IORING_REGISTER_RESIZE_RINGS,
                (&raw mut p).cast_const().cast(),
                1,
            )
        };
        if let Err(e) = r {
            let errno = e.raw_os_error().unwrap_or(libc::EIO);
            let why = match errno {
                libc::EINVAL if !self.flags.contains(SetupFlags::DEFER_TASKRUN) => {
                    "the ring was not set up with DEFER_TASKRUN, which resizing requires".to_owned()
                }
                libc::EINVAL => format!(
                    "the kernel rejected the sizes ({sq_entries} SQ, {cq_entries:?} CQ) or is \
                     older than Linux 6.13 (IORING_REGISTER_RESIZE_RINGS)"
                ),
                libc::EOVERFLOW => {
                    "more SQEs or CQEs are pending than the new rings hold; reap first".to_owned()
                }
                _ => e.to_string(),
            };
            return Err(crate::error::with_message(
                errno,
                format!("resizing the rings failed: {why}"),
            ));
        }
        p.flags |= self.flags.bits();
        let mut new = match RawRing::map(dup, &p, self.features, sqe_size, cqe_size, None) {
            Ok(new) => new,
            Err(e) => {
                // The kernel already moved to the new rings; ours are stale. Pushing into them
                // or reading them touches only our old mappings, but nothing would ever
                // arrive: every later enter fails instead of waiting forever.
                self.mark_corrupt(CORRUPT_RESIZE);
                return Err(crate::error::with_message(
                    libc::EUCLEAN,
                    format!(
                        "the kernel resized the rings but mapping the new ones failed ({e}); \
                         this ring is unusable now (every enter fails with EUCLEAN): drop it"
                    ),
                ));
            }
        };
        // The new mapping keeps the original fd number; the duplicate goes with the old maps.
        core::mem::swap(&mut new.fd, &mut self.fd);
        new.registered = self.registered.take();
        new.flags = self.flags;
        new.update_enter_path();
        drop(core::mem::replace(self, new));
        Ok(())
    }
}

#[cfg(any(test, feature = "model"))]
impl RawRing {
    /// A ring over the model kernel's memory (`crate::model`): `rings` holds the SQ and CQ
    /// rings at the offsets `params` reports (one region, as with `IORING_FEAT_SINGLE_MMAP`),
    /// `sqes` the SQE array; enters and registrations go to `model` (a
    /// [`Kernel::model`], or the model's shared state it is made from).
    pub(crate) fn for_model(
        fd: OwnedFd,
        params: &sys::io_uring_params,
        sqe_size: usize,
        cqe_size: usize,
        rings: Mmap,
        sqes: Mmap,
        model: impl Into<Kernel>,
    ) -> io::Result<RawRing> {
        let features = Features::from_bits_retain(params.features);
        let mut raw = Self::map(
            fd,
            params,
            features,
            sqe_size,
            cqe_size,
            Some((rings, sqes)),
        )?;
        raw.kernel = model.into();
        raw.update_enter_path();
        Ok(raw)
    }
}

/// The SQ and CQ sizes `io_uring_setup(entries, params)` will choose (the kernel's rounding
/// and clamping), for sizing NO_MMAP memory before the call. `map` checks the kernel's answer
/// against the memory provided.
fn expected_sizes(entries: u32, params: &sys::io_uring_params) -> (u32, u32) {
    let clamp = params.flags & sys::IORING_SETUP_CLAMP != 0;
    let max = crate::setup::flags::MAX_ENTRIES;
    let sq = if clamp { entries.min(max) } else { entries }
        .max(1)
        .next_power_of_two();
    let cq = if params.flags & sys::IORING_SETUP_CQSIZE != 0 {
        let cq = params.cq_entries;
        let cq = if clamp {
            cq.min(crate::setup::flags::MAX_CQ_ENTRIES)
        } else {
            cq
        };
        cq.max(1).next_power_of_two().max(sq)
    } else {
        sq * 2
    };
    (sq, cq)
}

impl fmt::Debug for RawRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ring")
            .field("fd", &self.fd.as_raw_fd())
            .field("sq_entries", &self.sq_entries)
            .field("cq_entries", &self.cq_entries)
            .field("flags", &self.flags)
            .field("features", &self.features)
            .field("registered", &self.registered.map(|r| r.0))
            .finish()
    }
}

impl Drop for RawRing {
    fn drop(&mut self) {
        if let Some((index, thread)) = self.registered {
            if thread == current_thread_id() {
                let mut up = sys::io_uring_rsrc_update::zeroed();
                up.offset = index;
                // SAFETY: `up` is a valid `io_uring_rsrc_update` for the call; the fd is this
                // ring's (owned by `self`), and unregistering takes nothing the ring still uses.
                // A failure leaves the registration to go with the thread: nothing to do.
                let _ = unsafe {
                    crate::sys::register(
                        self.fd.as_raw_fd(),
                        sys::IORING_UNREGISTER_RING_FDS,
                        (&raw const up).cast(),
                        1,
                    )
                };
            }
            // From another thread the registration cannot be undone (it lives in the
            // registering thread's io_uring context); it goes when that thread exits.
        }
    }
}
