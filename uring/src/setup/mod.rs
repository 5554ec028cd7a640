//! Ring setup: `io_uring_setup(2)`'s flags, the features the kernel reports, and the builder.

use core::marker::PhantomData;
use std::io;
use std::os::fd::{AsFd, AsRawFd};

use uring_sys as sys;

use crate::cqueue::Cqe;
use crate::cqueue::CqeEntry;
use crate::ring::Ring;
use crate::squeue::Sqe;
use crate::squeue::SqeEntry;

pub(crate) mod flags;
pub use flags::{Features, SetupFlags};
pub(crate) use flags::{MAX_CQ_ENTRIES, MAX_ENTRIES};

/// The setup flags this crate's ring protocol cannot drive (yet): the builder refuses them
/// with a clear error instead of mapping a ring it would misread.
const UNSUPPORTED: SetupFlags = SetupFlags::REGISTERED_FD_ONLY
    .union(SetupFlags::SQ_REWIND)
    .union(SetupFlags::SQE_MIXED);

/// Every flag this crate knows (a flag it does not know could change the ring layout).
const KNOWN: SetupFlags = SetupFlags::IOPOLL
    .union(SetupFlags::SQPOLL)
    .union(SetupFlags::SQ_AFF)
    .union(SetupFlags::CQSIZE)
    .union(SetupFlags::CLAMP)
    .union(SetupFlags::ATTACH_WQ)
    .union(SetupFlags::R_DISABLED)
    .union(SetupFlags::SUBMIT_ALL)
    .union(SetupFlags::COOP_TASKRUN)
    .union(SetupFlags::TASKRUN_FLAG)
    .union(SetupFlags::SQE128)
    .union(SetupFlags::CQE32)
    .union(SetupFlags::SINGLE_ISSUER)
    .union(SetupFlags::DEFER_TASKRUN)
    .union(SetupFlags::NO_SQARRAY)
    .union(SetupFlags::NO_MMAP)
    .union(SetupFlags::CQE_MIXED)
    .union(SetupFlags::HYBRID_IOPOLL);

/// `io_uring_setup(2)` with every option — builds a [`Ring`].
///
/// ```no_run
/// use uring::{Ring, SetupFlags};
/// let ring: Ring = Ring::builder()
///     .flags(SetupFlags::SINGLE_ISSUER | SetupFlags::DEFER_TASKRUN)
///     .cq_entries(1024)
///     .build(256)?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # References
/// - [`io_uring_setup(2)`](https://man7.org/linux/man-pages/man2/io_uring_setup.2.html)
pub struct Builder<S: SqeEntry = Sqe, C: CqeEntry = Cqe> {
    pub(crate) params: sys::io_uring_params,
    pub(crate) register_ring_fd: bool,
    _entries: PhantomData<fn() -> (S, C)>,
}

impl<S: SqeEntry, C: CqeEntry> Clone for Builder<S, C> {
    fn clone(&self) -> Self {
        Builder {
            params: self.params,
            register_ring_fd: self.register_ring_fd,
            _entries: PhantomData,
        }
    }
}

impl<S: SqeEntry, C: CqeEntry> core::fmt::Debug for Builder<S, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Builder")
            .field("flags", &SetupFlags::from_bits_retain(self.params.flags))
            .field("cq_entries", &self.params.cq_entries)
            .field("sq_thread_cpu", &self.params.sq_thread_cpu)
            .field("sq_thread_idle", &self.params.sq_thread_idle)
            .field("wq_fd", &self.params.wq_fd)
            .field("register_ring_fd", &self.register_ring_fd)
            .finish()
    }
}

impl<S: SqeEntry, C: CqeEntry> Default for Builder<S, C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: SqeEntry, C: CqeEntry> Builder<S, C> {
    /// A builder with no flags: the kernel's defaults.
    pub fn new() -> Self {
        Builder {
            params: sys::io_uring_params::zeroed(),
            register_ring_fd: false,
            _entries: PhantomData,
        }
    }

    /// ORs in setup flags. `CQSIZE`, `SQ_AFF` and `ATTACH_WQ` are set for you by
    /// [`cq_entries`](Self::cq_entries), [`sq_thread_cpu`](Self::sq_thread_cpu) and
    /// [`attach_wq`](Self::attach_wq).
    #[must_use]
    pub fn flags(mut self, flags: SetupFlags) -> Self {
        self.params.flags |= flags.bits();
        self
    }

    /// `IORING_SETUP_SQPOLL` with `sq_thread_idle` in milliseconds: a kernel thread polls the
    /// SQ and sleeps after `idle_ms` without work (then [`Submitter::submit`] wakes it).
    ///
    /// [`Submitter::submit`]: crate::Submitter::submit
    #[must_use]
    pub fn sqpoll(mut self, idle_ms: u32) -> Self {
        self.params.flags |= sys::IORING_SETUP_SQPOLL;
        self.params.sq_thread_idle = idle_ms;
        self
    }

    /// `IORING_SETUP_SQ_AFF`: pins the SQPOLL thread to `cpu` (needs [`sqpoll`](Self::sqpoll)).
    #[must_use]
    pub fn sq_thread_cpu(mut self, cpu: u32) -> Self {
        self.params.flags |= sys::IORING_SETUP_SQ_AFF;
        self.params.sq_thread_cpu = cpu;
        self
    }

    /// `IORING_SETUP_CQSIZE`: the CQ gets `entries` entries (rounded up to a power of two,
    /// at least the SQ size, at most 65536).
    #[must_use]
    pub fn cq_entries(mut self, entries: u32) -> Self {
        self.params.flags |= sys::IORING_SETUP_CQSIZE;
        self.params.cq_entries = entries;
        self
    }

    /// `IORING_SETUP_CLAMP`: clamp sizes above the kernel's maximum instead of failing.
    #[must_use]
    pub fn clamp(mut self) -> Self {
        self.params.flags |= sys::IORING_SETUP_CLAMP;
        self
    }

    /// `IORING_SETUP_ATTACH_WQ`: share the io-wq backend (and SQPOLL thread) of `ring`.
    #[must_use]
    pub fn attach_wq(mut self, ring: impl AsFd) -> Self {
        self.params.flags |= sys::IORING_SETUP_ATTACH_WQ;
        self.params.wq_fd = ring.as_fd().as_raw_fd() as u32;
        self
    }

    /// `IORING_SETUP_R_DISABLED`: the ring starts disabled; enable it with
    /// [`Submitter::register_enable_rings`](crate::Submitter::register_enable_rings).
    #[must_use]
    pub fn disabled(mut self) -> Self {
        self.params.flags |= sys::IORING_SETUP_R_DISABLED;
        self
    }

    /// `IORING_SETUP_SUBMIT_ALL`.
    #[must_use]
    pub fn submit_all(mut self) -> Self {
        self.params.flags |= sys::IORING_SETUP_SUBMIT_ALL;
        self
    }

    /// `IORING_SETUP_COOP_TASKRUN`, with `IORING_SETUP_TASKRUN_FLAG` when `taskrun_flag`.
    #[must_use]
    pub fn coop_taskrun(mut self, taskrun_flag: bool) -> Self {
        self.params.flags |= sys::IORING_SETUP_COOP_TASKRUN;
        if taskrun_flag {
            self.params.flags |= sys::IORING_SETUP_TASKRUN_FLAG;
        }
        self
    }

    /// `IORING_SETUP_SINGLE_ISSUER`: only the creating thread (or the one enabling an
    /// `R_DISABLED` ring) submits.
    #[must_use]
    pub fn single_issuer(mut self) -> Self {
        self.params.flags |= sys::IORING_SETUP_SINGLE_ISSUER;
        self
    }

    /// `IORING_SETUP_DEFER_TASKRUN` (with `SINGLE_ISSUER`, which it requires): completions are
    /// posted only when the task waits with `GETEVENTS`.
    #[must_use]
    pub fn defer_taskrun(mut self) -> Self {
        self.params.flags |= sys::IORING_SETUP_DEFER_TASKRUN | sys::IORING_SETUP_SINGLE_ISSUER;
        self
    }

    /// `IORING_SETUP_NO_MMAP`: the crate allocates the ring memory (anonymous shared pages
    /// the kernel pins) instead of mapping the kernel's. Linux 6.5+; kernels before 6.13 want
    /// each region physically contiguous, so there only rings fitting one page each work
    /// (otherwise setup fails with the kernel's `EINVAL`/`EFAULT`).
    #[must_use]
    pub fn no_mmap(mut self) -> Self {
        self.params.flags |= sys::IORING_SETUP_NO_MMAP;
        self
    }

    /// `IORING_SETUP_NO_SQARRAY`: drop the SQ index array.
    #[must_use]
    pub fn no_sqarray(mut self) -> Self {
        self.params.flags |= sys::IORING_SETUP_NO_SQARRAY;
        self
    }

    /// `IORING_SETUP_IOPOLL`, with `IORING_SETUP_HYBRID_IOPOLL` when `hybrid`.
    #[must_use]
    pub fn iopoll(mut self, hybrid: bool) -> Self {
        self.params.flags |= sys::IORING_SETUP_IOPOLL;
        if hybrid {
            self.params.flags |= sys::IORING_SETUP_HYBRID_IOPOLL;
        }
        self
    }

    /// Registers the ring fd with itself (`IORING_REGISTER_RING_FDS`) after setup, so every
    /// `io_uring_enter(2)` (and `io_uring_register(2)` on Linux 6.3+) skips the fd lookup.
    /// Linux 5.18+; on older kernels [`build`](Self::build) fails with the kernel's error.
    #[must_use]
    pub fn registered_ring_fd(mut self) -> Self {
        self.register_ring_fd = true;
        self
    }

    /// The setup flags so far, including those the entry types imply.
    pub fn get_flags(&self) -> SetupFlags {
        // The entry types, not hand-set bits, decide the entry sizes: a 64-byte ring with
        // SQE128 set by hand would have the kernel read SQEs we never wrote.
        let sizes =
            sys::IORING_SETUP_SQE128 | sys::IORING_SETUP_CQE32 | sys::IORING_SETUP_CQE_MIXED;
        SetupFlags::from_bits_retain((self.params.flags & !sizes) | S::SETUP_FLAG | C::SETUP_FLAG)
    }

    /// `io_uring_setup(entries, &params)` — creates the ring and maps it.
    ///
    /// # Errors
    /// `entries` outside `1..=32768` without `CLAMP` gives `EINVAL` saying so; io_uring disabled
    /// by `kernel.io_uring_disabled` gives `EPERM`, denied by seccomp or missing `ENOSYS`, a too
    /// low memlock limit `ENOMEM`, each with a message naming the cause and the remedy (the
    /// errno stays reachable with [`error::errno`](crate::error::errno)).
    ///
    /// # References
    /// - [`io_uring_setup(2)`](https://man7.org/linux/man-pages/man2/io_uring_setup.2.html)
    #[doc(alias = "io_uring_setup")]
    pub fn build(&self, entries: u32) -> io::Result<Ring<S, C>> {
        let flags = self.get_flags();
        let bad =
            (flags & UNSUPPORTED) | SetupFlags::from_bits_retain(flags.bits() & !KNOWN.bits());
        if !bad.is_empty() {
            let why = if bad == SetupFlags::REGISTERED_FD_ONLY {
                "a ring without an fd could be neither `AsFd` nor `Send` (its registered index \
                 works only in the thread that set it up); `Builder::registered_ring_fd()` gives \
                 the same io_uring_enter saving and keeps the fd"
            } else if bad == SetupFlags::SQ_REWIND || bad == SetupFlags::SQE_MIXED {
                "this crate's SQ protocol does not drive it yet (it is newer than the Linux 6.18 \
                 this crate is tested on)"
            } else {
                "this crate's ring maps the rings itself and keeps the classic SQ/CQ protocol"
            };
            return Err(crate::error::with_message(
                libc::EINVAL,
                format!("setup flags {bad:?} are not supported: {why}; leave them out"),
            ));
        }
        if !flags.contains(SetupFlags::CLAMP) && (entries == 0 || entries > MAX_ENTRIES) {
            return Err(crate::error::too_many_entries(entries));
        }
        if flags.contains(SetupFlags::CQSIZE)
            && !flags.contains(SetupFlags::CLAMP)
            && (self.params.cq_entries == 0 || self.params.cq_entries > MAX_CQ_ENTRIES)
        {
            return Err(crate::error::with_message(
                libc::EINVAL,
                format!(
                    "io_uring_setup(2): cq_entries {} is outside 1..={} \
                     (IORING_MAX_CQ_ENTRIES); ask for fewer, or set SetupFlags::CLAMP",
                    self.params.cq_entries, MAX_CQ_ENTRIES
                ),
            ));
        }
        let mut params = self.params;
        params.flags = flags.bits();
        Ring::setup(entries, params, self.register_ring_fd)
    }
}

impl Ring {
    /// `io_uring_setup(entries, &params)` with no flags — a ring of `entries` SQEs (rounded up
    /// to a power of two) and twice as many CQEs.
    ///
    /// # Errors
    /// See [`Builder::build`].
    ///
    /// # References
    /// - [`io_uring_setup(2)`](https://man7.org/linux/man-pages/man2/io_uring_setup.2.html)
    #[doc(alias = "io_uring_setup")]
    pub fn new(entries: u32) -> io::Result<Ring> {
        Builder::new().build(entries)
    }
}

impl<S: SqeEntry, C: CqeEntry> Ring<S, C> {
    /// A [`Builder`] for every setup option.
    pub fn builder() -> Builder<S, C> {
        Builder::new()
    }

    /// The setup flags the kernel accepted.
    #[inline]
    pub fn flags(&self) -> SetupFlags {
        self.raw.flags
    }

    /// The `IORING_FEAT_*` features the kernel reported.
    #[inline]
    pub fn features(&self) -> Features {
        self.raw.features
    }
}
