//! `io_uring_enter(2)` and `io_uring_register(2)`: the [`Submitter`].

use core::ffi::c_void;
use core::fmt;
use core::sync::atomic::{Ordering, fence};
use core::time::Duration;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use uring_sys as sys;

use crate::index;
use crate::raw::RawRing;
use crate::setup::flags::{Features, SetupFlags};

/// The half of a ring that enters the kernel: submit, wait, register.
///
/// Shared (`Copy`, `Sync`): any number of threads may hold one. It submits what the
/// [`SubmissionQueue`](crate::SubmissionQueue) has published and waits for what the
/// [`CompletionQueue`](crate::CompletionQueue) will read.
///
/// # Errors from `io_uring_enter(2)`
/// Returned as plain OS errors (`raw_os_error()` works):
/// - `EINTR` (kind `Interrupted`): a signal arrived while waiting. Nothing is lost: SQEs not
///   consumed stay in the SQ, completions stay in the CQ; call again.
/// - `EAGAIN` (kind `WouldBlock`): the kernel ran out of resources for new requests; reap
///   completions, then submit again.
/// - `EBUSY`: the CQ overflowed and the overflow could not be flushed (or, on kernels before
///   `IORING_FEAT_NODROP`, too many requests are in flight); reap completions, then call again.
/// - `ETIME` only from the timed waits, which turn it into their return value.
/// - `EBADFD`: the ring was set up `R_DISABLED` and is not enabled yet
///   ([`register_enable_rings`](Submitter::register_enable_rings)).
/// - `EEXIST`: a `SINGLE_ISSUER` ring entered from a thread other than its issuer.
///
/// # References
/// - [`io_uring_enter(2)`](https://man7.org/linux/man-pages/man2/io_uring_enter.2.html)
/// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
#[derive(Clone, Copy)]
pub struct Submitter<'a> {
    raw: &'a RawRing,
    /// Handed out by [`crate::driver::DriverRing`]: the registrations that would change the
    /// tables a [`crate::driver::Driver`] manages (files, buffers, buffer rings, ring fds) are
    /// refused.
    pub(crate) managed: bool,
}

impl fmt::Debug for Submitter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Submitter")
            .field("fd", &self.raw.fd.as_raw_fd())
            .finish_non_exhaustive()
    }
}

/// Options for a wait: timeout, min-wait. See [`Submitter::wait_with`].
#[derive(Debug, Clone, Copy, Default)]
pub struct WaitArgs {
    timeout: Option<Duration>,
    min_wait: Option<Duration>,
    no_iowait: bool,
    absolute: bool,
}

impl WaitArgs {
    /// No timeout, no min-wait.
    pub const fn new() -> Self {
        WaitArgs {
            timeout: None,
            min_wait: None,
            no_iowait: false,
            absolute: false,
        }
    }

    /// `IORING_ENTER_ABS_TIMER` (Linux 6.12+): give up at the absolute time `deadline`, measured
    /// on the ring's clock (`CLOCK_MONOTONIC` unless changed with `IORING_REGISTER_CLOCK`) from
    /// its epoch — e.g. `clock_gettime(CLOCK_MONOTONIC)` plus a timeout. Replaces
    /// [`timeout`](Self::timeout). Older kernels refuse it with `EINVAL`.
    #[must_use]
    pub const fn deadline(mut self, deadline: Duration) -> Self {
        self.timeout = Some(deadline);
        self.absolute = true;
        self
    }

    /// `IORING_ENTER_NO_IOWAIT` (Linux 6.15+, `IORING_FEAT_NO_IOWAIT`): do not count the wait
    /// as iowait (ignored on kernels without the feature, where it would be refused).
    #[must_use]
    pub const fn no_iowait(mut self) -> Self {
        self.no_iowait = true;
        self
    }

    /// Give up after `timeout` (relative). Needs `IORING_FEAT_EXT_ARG` (Linux 5.11+).
    #[must_use]
    pub const fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Min-wait (`min_wait_usec`, Linux 6.12+, `IORING_FEAT_MIN_TIMEOUT`): wait up to
    /// `min_wait` for `want` completions, then return as soon as there is at least one (or the
    /// timeout passes). Microsecond resolution.
    #[must_use]
    pub const fn min_wait(mut self, min_wait: Duration) -> Self {
        self.min_wait = Some(min_wait);
        self
    }
}

impl<'a> Submitter<'a> {
    #[inline]
    pub(crate) fn new(raw: &'a RawRing) -> Self {
        Submitter {
            raw,
            managed: false,
        }
    }

    /// The ring's setup flags.
    #[inline]
    pub fn flags(&self) -> SetupFlags {
        self.raw.flags
    }

    /// The kernel's `IORING_FEAT_*` features.
    #[inline]
    pub fn features(&self) -> Features {
        self.raw.features
    }

    /// Published SQEs the kernel has not consumed yet.
    #[inline]
    pub fn sq_len(&self) -> u32 {
        // Relaxed on both: only a count for `to_submit` (the kernel clamps it to what is
        // really there, and reads the SQEs with its own acquire of the tail).
        let head = self.raw.sq_head().load(Ordering::Relaxed);
        let tail = self.raw.sq_tail().load(Ordering::Relaxed);
        let n = index::len(head, tail);
        if n > self.raw.sq_entries {
            return self.sq_len_slow();
        }
        n
    }

    /// `sq_len` when the relaxed loads claimed more than a ring: reload in an order that
    /// cannot see a head newer than the tail (Acquire on the head synchronizes with the
    /// producer's tail store through the kernel), and mark the ring corrupt if it persists.
    #[cold]
    #[inline(never)]
    fn sq_len_slow(&self) -> u32 {
        let head = self.raw.sq_head().load(Ordering::Acquire);
        let tail = self.raw.sq_tail().load(Ordering::Relaxed);
        let n = index::len(head, tail);
        if n > self.raw.sq_entries {
            self.raw.mark_corrupt(crate::raw::CORRUPT_SQ);
            return 0;
        }
        n
    }

    /// CQEs ready to reap.
    #[inline]
    pub fn cq_len(&self) -> u32 {
        // Acquire on the kernel's tail (see `CompletionQueue::new`), Relaxed on our own head.
        let tail = self.raw.cq_tail().load(Ordering::Acquire);
        let head = self.raw.cq_head().load(Ordering::Relaxed);
        index::ready(head, tail, self.raw.cq_entries)
    }

    /// `io_uring_enter(fd, sq_len, 0, flags, NULL)` — submits the published SQEs.
    ///
    /// Enters the kernel only when needed: not at all when nothing is pending; under SQPOLL only
    /// to wake the poller (`IORING_SQ_NEED_WAKEUP`) or to flush completions. It adds
    /// `GETEVENTS` when the kernel asks for it (`IORING_SQ_CQ_OVERFLOW`, `IORING_SQ_TASKRUN`) or
    /// the ring is `IOPOLL`, so overflowed completions are flushed to the CQ.
    ///
    /// Returns the number of SQEs the kernel consumed (under SQPOLL: the number handed to the
    /// poller, which consumes them on its own time).
    ///
    /// # Errors
    /// See the [type docs](Submitter).
    ///
    /// # References
    /// - [`io_uring_enter(2)`](https://man7.org/linux/man-pages/man2/io_uring_enter.2.html)
    #[doc(alias = "io_uring_enter")]
    #[inline]
    pub fn submit(&self) -> io::Result<usize> {
        self.submit_and_wait(0)
    }

    /// `io_uring_enter(fd, sq_len, want, GETEVENTS, NULL)` — submits the published SQEs and
    /// waits until at least `want` CQEs are ready.
    ///
    /// Returns the number of SQEs the kernel consumed.
    ///
    /// # Errors
    /// See the [type docs](Submitter).
    #[doc(alias = "io_uring_enter")]
    #[inline]
    pub fn submit_and_wait(&self, want: usize) -> io::Result<usize> {
        let to_submit = self.sq_len();
        if !self.raw.plain_enter() {
            return self.submit_and_wait_general(to_submit, want);
        }
        // A plain ring (no SQPOLL, no IOPOLL, no registered fd), not corrupt: enter with
        // `GETEVENTS` when waiting or when the kernel asks for it, not at all when there is
        // nothing to do. Everything else is out of line, so this path is small enough to be
        // inlined into the caller's loop (measured: 128 -> 92 user-space instructions per
        // NOP at batch 1, `./x bench uring`).
        let flags = if want > 0 || self.kernel_wants_getevents() {
            sys::IORING_ENTER_GETEVENTS
        } else if to_submit == 0 {
            return Ok(0);
        } else {
            0
        };
        let want = u32::try_from(want).unwrap_or(u32::MAX);
        // SAFETY: the ring's own fd, open as long as the `RawRing` we borrow; no argument. The
        // SQEs being submitted were pushed through `SubmissionQueue::push*`, whose callers
        // promised (unsafe contract) that what they point to stays valid until completion.
        let ret = unsafe {
            crate::sys::enter_raw(
                self.raw.fd.as_raw_fd(),
                to_submit,
                want,
                flags,
                core::ptr::null(),
                0,
            )
        };
        if ret < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(ret as usize)
    }

    /// [`submit_and_wait`](Self::submit_and_wait) on a ring that is not plain: SQPOLL, IOPOLL,
    /// a registered ring fd, a corrupt ring, the model kernel.
    #[inline(never)]
    fn submit_and_wait_general(&self, to_submit: u32, want: usize) -> io::Result<usize> {
        let mut flags = 0;
        if want > 0 || self.cq_needs_enter() {
            flags |= sys::IORING_ENTER_GETEVENTS;
        }
        if self.raw.flags.contains(SetupFlags::SQPOLL) {
            if self.sqpoll_needs_wakeup() {
                flags |= sys::IORING_ENTER_SQ_WAKEUP;
            } else if flags == 0 {
                // The poller is awake and will see the published tail: no syscall.
                if self.raw.is_corrupt() {
                    return Err(self.raw.corrupt_error());
                }
                return Ok(to_submit as usize);
            }
        } else if to_submit == 0 && flags == 0 {
            if self.raw.is_corrupt() {
                return Err(self.raw.corrupt_error());
            }
            return Ok(0);
        }
        let want = u32::try_from(want).unwrap_or(u32::MAX);
        self.enter(to_submit, want, flags, core::ptr::null(), 0)
    }

    /// `io_uring_enter(fd, 0, 0, GETEVENTS, NULL)` — runs pending task work and flushes
    /// overflowed completions to the CQ without waiting (what a `DEFER_TASKRUN` ring needs for
    /// completions to appear).
    #[inline]
    pub fn get_events(&self) -> io::Result<()> {
        self.enter(0, 0, sys::IORING_ENTER_GETEVENTS, core::ptr::null(), 0)
            .map(drop)
    }

    /// `io_uring_enter(fd, 0, 0, IORING_ENTER_SQ_WAIT, NULL)` — under SQPOLL, waits until the
    /// poller has consumed SQEs and the SQ has room again (Linux 5.10+); returns at once
    /// otherwise. What to do when a push fails with a full SQ on an SQPOLL ring.
    pub fn squeue_wait(&self) -> io::Result<()> {
        let mut flags = sys::IORING_ENTER_SQ_WAIT;
        if self.raw.flags.contains(SetupFlags::SQPOLL) && self.sqpoll_needs_wakeup() {
            flags |= sys::IORING_ENTER_SQ_WAKEUP;
        }
        self.enter(0, 0, flags, core::ptr::null(), 0).map(drop)
    }

    /// Submits the published SQEs and waits until `want` CQEs are ready or `timeout` passes
    /// (`IORING_ENTER_EXT_ARG`, Linux 5.11+; with `None`, as long as it takes).
    ///
    /// Returns the number of CQEs ready, which is less than `want` when the timeout passed.
    ///
    /// # Errors
    /// `EINTR` when a signal arrives (call again); without `IORING_FEAT_EXT_ARG` a timeout
    /// gives `EOPNOTSUPP` saying so; otherwise as [`submit`](Self::submit).
    ///
    /// # References
    /// - [`io_uring_enter(2)`](https://man7.org/linux/man-pages/man2/io_uring_enter.2.html)
    pub fn wait(&self, want: usize, timeout: Option<Duration>) -> io::Result<usize> {
        let mut args = WaitArgs::new();
        args.timeout = timeout;
        self.wait_with(want, &args)
    }

    /// As [`wait`](Self::wait), with every [`WaitArgs`] option (min-wait).
    ///
    /// # Errors
    /// As [`wait`](Self::wait); a min-wait without `IORING_FEAT_MIN_TIMEOUT` (Linux 6.12+)
    /// gives `EOPNOTSUPP` saying so.
    pub fn wait_with(&self, want: usize, args: &WaitArgs) -> io::Result<usize> {
        let no_iowait = if args.no_iowait && self.raw.features.contains(Features::NO_IOWAIT) {
            sys::IORING_ENTER_NO_IOWAIT
        } else {
            0
        };
        if args.timeout.is_none() && args.min_wait.is_none() && no_iowait == 0 {
            self.submit_and_wait(want)?;
            return Ok(self.cq_len() as usize);
        }
        if !self.raw.features.contains(Features::EXT_ARG) {
            return Err(crate::error::with_message(
                libc::EOPNOTSUPP,
                "a wait with a timeout needs IORING_ENTER_EXT_ARG (Linux 5.11+, \
                 IORING_FEAT_EXT_ARG), which this kernel lacks; push an IORING_OP_TIMEOUT \
                 instead",
            ));
        }
        let mut arg = sys::io_uring_getevents_arg {
            sigmask: 0,
            sigmask_sz: 0,
            min_wait_usec: 0,
            ts: 0,
        };
        if let Some(min) = args.min_wait {
            if !self.raw.features.contains(Features::MIN_TIMEOUT) {
                return Err(crate::error::with_message(
                    libc::EOPNOTSUPP,
                    "min-wait needs IORING_FEAT_MIN_TIMEOUT (Linux 6.12+), which this kernel \
                     lacks; wait with a plain timeout",
                ));
            }
            arg.min_wait_usec = u32::try_from(min.as_micros()).unwrap_or(u32::MAX);
        }
        let ts;
        if let Some(t) = args.timeout {
            ts = sys::__kernel_timespec {
                tv_sec: i64::try_from(t.as_secs()).unwrap_or(i64::MAX),
                tv_nsec: i64::from(t.subsec_nanos()),
            };
            arg.ts = (&raw const ts) as u64;
        }
        let to_submit = self.sq_len();
        let mut flags = sys::IORING_ENTER_GETEVENTS | sys::IORING_ENTER_EXT_ARG | no_iowait;
        if args.absolute {
            flags |= sys::IORING_ENTER_ABS_TIMER;
        }
        if self.raw.flags.contains(SetupFlags::SQPOLL) && self.sqpoll_needs_wakeup() {
            flags |= sys::IORING_ENTER_SQ_WAKEUP;
        }
        let want = u32::try_from(want).unwrap_or(u32::MAX);
        match self.enter(
            to_submit,
            want,
            flags,
            (&raw const arg).cast(),
            core::mem::size_of::<sys::io_uring_getevents_arg>(),
        ) {
            Ok(_) => {}
            Err(e) if e.raw_os_error() == Some(libc::ETIME) => {}
            Err(e) => return Err(e),
        }
        Ok(self.cq_len() as usize)
    }

    /// Submits the published SQEs and waits as the registered wait argument `index` says
    /// (`IORING_ENTER_EXT_ARG_REG`, Linux 6.13+): entry `index` of the region registered with
    /// `register_mem_region(.., REG_WAIT_ARG)` is a `struct io_uring_reg_wait` (timeout with
    /// `IORING_REG_WAIT_TS`, min-wait, signal mask) the kernel reads at this call, so a hot
    /// wait loop passes no argument struct at all.
    ///
    /// Returns the number of CQEs ready (fewer than `want` when the timeout passed).
    ///
    /// # Errors
    /// `EFAULT`/`EINVAL` from the kernel when `index` lies outside the registered region or no
    /// region is registered; `EINTR` as for [`wait`](Self::wait).
    ///
    /// # References
    /// - [`io_uring_enter(2)`](https://man7.org/linux/man-pages/man2/io_uring_enter.2.html)
    pub fn wait_registered(&self, want: usize, index: u32) -> io::Result<usize> {
        let to_submit = self.sq_len();
        let mut flags =
            sys::IORING_ENTER_GETEVENTS | sys::IORING_ENTER_EXT_ARG | sys::IORING_ENTER_EXT_ARG_REG;
        if self.raw.flags.contains(SetupFlags::SQPOLL) && self.sqpoll_needs_wakeup() {
            flags |= sys::IORING_ENTER_SQ_WAKEUP;
        }
        let want = u32::try_from(want).unwrap_or(u32::MAX);
        // With EXT_ARG_REG the "pointer" is the byte offset of the entry in the region; the
        // kernel bounds-checks it against the region it pinned, so no memory of ours is read.
        let offset = index as usize * core::mem::size_of::<sys::io_uring_reg_wait>();
        match self.enter(
            to_submit,
            want,
            flags,
            core::ptr::without_provenance(offset),
            core::mem::size_of::<sys::io_uring_reg_wait>(),
        ) {
            Ok(_) => {}
            Err(e) if e.raw_os_error() == Some(libc::ETIME) => {}
            Err(e) => return Err(e),
        }
        Ok(self.cq_len() as usize)
    }

    /// Whether completions need a `GETEVENTS` enter to show up: overflowed CQEs or pending task
    /// work, or an `IOPOLL` ring (whose completions are polled in the syscall).
    #[inline]
    fn cq_needs_enter(&self) -> bool {
        self.raw.flags.contains(SetupFlags::IOPOLL) || self.kernel_wants_getevents()
    }

    /// `IORING_SQ_CQ_OVERFLOW` or `IORING_SQ_TASKRUN`: only an enter with `GETEVENTS` flushes
    /// the overflowed completions or runs the task work.
    #[inline]
    fn kernel_wants_getevents(&self) -> bool {
        // Relaxed: a hint to enter the kernel; the syscall itself synchronizes.
        self.raw.sq_flags().load(Ordering::Relaxed)
            & (sys::IORING_SQ_CQ_OVERFLOW | sys::IORING_SQ_TASKRUN)
            != 0
    }

    /// SQPOLL: whether the poller sleeps and must be woken.
    #[inline]
    fn sqpoll_needs_wakeup(&self) -> bool {
        // The tail was stored with Release (SubmissionQueue::sync/drop). The poller sets
        // NEED_WAKEUP, then a full barrier, then rechecks the tail before sleeping. A
        // store-release followed by a plain load may be reordered (store buffering), so without
        // this SeqCst fence we could read a stale "awake" while the poller reads a stale tail,
        // and both sleep with work pending (tokio io-uring #197/#281, liburing #541).
        fence(Ordering::SeqCst);
        // Relaxed: ordered by the fence above.
        self.raw.sq_flags().load(Ordering::Relaxed) & sys::IORING_SQ_NEED_WAKEUP != 0
    }

    /// `io_uring_enter2`, with the registered ring index when this thread registered it.
    #[inline]
    fn enter(
        &self,
        to_submit: u32,
        min_complete: u32,
        flags: u32,
        arg: *const c_void,
        argsz: usize,
    ) -> io::Result<usize> {
        if self.raw.is_corrupt() {
            return Err(self.raw.corrupt_error());
        }
        let (fd, extra) = self.raw.enter_target();
        // SAFETY: `fd` is this ring's fd (owned by the `RawRing` we borrow) or its registered
        // index in this thread (`enter_target` checked the thread). `arg` is null or points to
        // an `io_uring_getevents_arg` (whose `ts` is null or a live `__kernel_timespec`) that
        // the caller keeps alive for this call. The SQEs being submitted were pushed through
        // `SubmissionQueue::push*`, whose callers promised (unsafe contract) that what they
        // point to stays valid until completion.
        unsafe {
            self.raw
                .kernel
                .enter(fd, to_submit, min_complete, flags | extra, arg, argsz)
        }
    }

    /// `io_uring_register(fd, opcode, arg, nr_args)` — the raw registration call every typed
    /// `register_*` method is built on. Uses the registered ring fd when the ring has one and
    /// the kernel allows it (`IORING_FEAT_REG_REG_RING`, Linux 6.3+).
    ///
    /// Returns the kernel's non-negative result.
    ///
    /// # Safety
    /// - `arg` and `nr_args` must be what `opcode` expects, valid for the reads and writes the
    ///   kernel does during the call.
    /// - Memory the kernel keeps using after the call (registered buffers, buffer rings,
    ///   regions, eventfds are fine) must stay valid until it is unregistered or the ring is
    ///   dropped.
    /// - `opcode` must not change the ring's memory layout behind this crate's back
    ///   (`IORING_REGISTER_RESIZE_RINGS` is only sound through the crate's own method).
    /// - On a ring a [`Driver`](crate::driver::Driver) owns (this submitter came from
    ///   [`DriverRing::submitter`](crate::driver::DriverRing::submitter)): `opcode` must not
    ///   change the tables the driver manages (registered files and buffers, provided-buffer
    ///   rings, the registered ring fds) and must not make the kernel post a CQE whose
    ///   `user_data` has bit 63 set (a resource tag); see the driver's soundness contract.
    /// - Tags (`IORING_REGISTER_FILES2`, `BUFFERS2`, `*_UPDATE2`) become CQE `user_data`: on a
    ///   ring a `Driver` owns or will own, none may have bit 63 set.
    ///
    /// # References
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "io_uring_register")]
    pub unsafe fn register_raw(
        &self,
        opcode: u32,
        arg: *const c_void,
        nr_args: u32,
    ) -> io::Result<u32> {
        let (fd, extra) = self.raw.enter_target();
        let (fd, opcode) = if extra != 0 && self.raw.features.contains(Features::REG_REG_RING) {
            (fd, opcode | sys::IORING_REGISTER_USE_REGISTERED_RING)
        } else {
            (self.raw.fd.as_raw_fd(), opcode)
        };
        // SAFETY: `fd` is this ring's fd (or its registered index in this thread, with the
        // matching flag); the caller upholds the contract for `arg`/`nr_args`.
        unsafe { self.raw.kernel.register(fd, opcode, arg, nr_args) }
    }
}

impl AsFd for Submitter<'_> {
    #[inline]
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.raw.fd.as_fd()
    }
}
