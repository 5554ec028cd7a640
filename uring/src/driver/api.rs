//! The [`Driver`] itself: submitting, reaping, taking back, cancelling and detaching.

use core::marker::PhantomData;
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::error::{SubmitError, TakeError};
use super::op::{Multishot, MultishotOperation, Op, Operation};
use super::slab::{Key, Slab};
use super::slot::{Phase, Slot, dispatch, finish_slot, occupy, take_unpushed};
use super::view::DriverRing;
use super::{INTERNAL, TAG, op, remote};
use crate::cqueue::Cqe;
use crate::opcode;
use crate::ring::Ring;
use crate::squeue::Sqe;
use crate::types::CancelFlags;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The ownership-safe driver: a [`Ring`] and the slots that own each operation's memory.
///
/// See the [module docs](super) for the model.
pub struct Driver {
    pub(super) ring: Ring,
    pub(super) slab: Slab<Slot>,
    pub(super) id: u64,
    /// Pushed and not finished (single-shot: no final CQE; multishot: idem).
    pub(super) in_flight: usize,
    pub(super) foreign: Vec<Cqe>,
    pub(super) drop_timeout: Duration,
    pub(super) stale: u64,
    /// Buffer rings and pools an in-flight operation may reach: leaked if one is leaked.
    pub(crate) keep: Vec<std::rc::Rc<dyn std::any::Any>>,
    pub(crate) next_bgid: u16,
    /// The eventfd read behind [`Driver::waker`], once one was asked for.
    pub(super) wake: Option<remote::WakeState>,
    /// The opcodes found supported (the probe is asked once per opcode).
    opcodes_ok: KnownOpcodes,
}

impl fmt::Debug for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver")
            .field("id", &self.id)
            .field("ring", &self.ring)
            .field("slots", &self.slab.len())
            .field("in_flight", &self.in_flight)
            .finish_non_exhaustive()
    }
}

/// How many `EBUSY`/`EAGAIN` failures of the enter in a row, with nothing reaped between them,
/// [`Driver::wait`] retries before it returns the error.
pub(crate) const WAIT_TRANSIENT_RETRIES: u32 = 64;

impl Driver {
    /// A driver on a new ring of `entries` SQEs (`io_uring_setup(2)`).
    pub fn new(entries: u32) -> io::Result<Driver> {
        Ok(Driver::from_ring(Ring::new(entries)?))
    }

    /// A driver on `ring`. No request of the ring's own with `user_data` bit 63 set may still
    /// be in flight: only the `unsafe` [`SubmissionQueue::push`](crate::squeue::SubmissionQueue::push)
    /// could have pushed one, and its contract forbids it (as
    /// [`register_raw`](crate::Submitter::register_raw)'s does such a resource tag).
    pub fn from_ring(ring: Ring) -> Driver {
        Driver {
            ring,
            slab: Slab::new(),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            in_flight: 0,
            foreign: Vec::new(),
            drop_timeout: Duration::from_secs(2),
            stale: 0,
            keep: Vec::new(),
            next_bgid: 0,
            wake: None,
            opcodes_ok: KnownOpcodes::default(),
        }
    }

    /// The ring, as far as safe code may reach it while the driver owns it: features, the
    /// probe, waits, and the registrations that do not touch the tables the driver manages
    /// (see [`DriverRing`]).
    #[inline]
    pub fn ring(&self) -> DriverRing<'_> {
        DriverRing::new(&self.ring)
    }

    /// This driver's id: fixed-buffer leases and provided-buffer rings carry it, and operations
    /// using them are refused by any other driver.
    #[inline]
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Operations pushed whose final CQE has not arrived.
    #[inline]
    pub fn in_flight(&self) -> usize {
        let waker = self.wake.as_ref().is_some_and(|w| w.armed.get());
        self.in_flight - usize::from(waker)
    }

    /// CQEs whose tagged `user_data` named no live slot (stale or forged), ignored.
    #[inline]
    pub fn stale_completions(&self) -> u64 {
        self.stale
    }

    /// Pushes `sqe`, making room by submitting when the SQ is full.
    #[inline]
    fn push(&mut self, sqe: &Sqe) -> io::Result<()> {
        // SAFETY: every pointer in `sqe` is owned by a slot that stays occupied until the final
        // CQE (the `Operation` contract), or the SQE carries none (internal cancels).
        if unsafe { self.ring.push(sqe) }.is_ok() {
            return Ok(());
        }
        // Full: hand the pushed SQEs to the kernel and try once more.
        self.ring.submit()?;
        // SAFETY: as above.
        unsafe { self.ring.push(sqe) }.map_err(io::Error::from)
    }

    /// Moves `op` into a slot and pushes its SQE (no syscall unless the SQ is full; see
    /// [`Driver::submit_pending`]).
    ///
    /// # Errors
    /// The operation is refused by [`Operation::validate`] (e.g. a fixed-buffer lease of
    /// another ring), the slab is full, or the SQ stays full; the operation is handed back.
    #[inline(always)]
    pub fn submit<T: Operation>(&mut self, op: T) -> Result<Op<T>, SubmitError<T>> {
        if let Err(error) = op.validate(self.id) {
            return Err(SubmitError { error, op });
        }
        // SAFETY: `start_single::<T>` stores `op` as a `T`.
        let key = unsafe { self.start_and_push(op, Slot::start_single::<T>) }?;
        Ok(Op {
            key,
            driver: self.id,
            _t: PhantomData,
        })
    }

    /// What [`Driver::submit`] and [`Driver::submit_multishot`] share: makes room in the SQ,
    /// occupies a slot with `op` through `start` and writes its SQE into the ring; on failure
    /// the op comes back, the slot free.
    ///
    /// # Safety
    /// `start` stores `op` in the slot as a `T` (it is [`Slot::start_single`] or
    /// [`Slot::start_multi`] for `T`).
    #[inline(always)]
    unsafe fn start_and_push<T>(
        &mut self,
        op: T,
        start: impl FnOnce(&mut Slot, T) -> Sqe,
    ) -> Result<Key, SubmitError<T>> {
        let Driver {
            ring,
            slab,
            in_flight,
            opcodes_ok,
            ..
        } = self;
        // Room first (as `submit_batch`), so the SQE can be written as soon as it is built.
        let mut sq = ring.sq();
        if sq.reserve_one().is_err() {
            drop(sq);
            sq = match sq_after_submit(ring) {
                Ok(sq) => sq,
                Err(error) => return Err(SubmitError { error, op }),
            };
        }
        let (key, sqe) = occupy(slab, op, start)?;
        // An opcode this kernel lacks is the error naming the release that added it (e.g.
        // SEND_ZC, Linux 6.0), not a bare EINVAL in the CQE. Asked once per opcode, with the
        // SQ held (asking moves no index, so the room reserved above stays).
        // (A ring over the model kernel asks nobody: the model answers for itself.)
        if let Err(error) = opcodes_ok.check(sqe.opcode(), |o| sq.supports_opcode(o)) {
            // SAFETY: `start` stored a `T` (this function's contract), never pushed.
            let op = unsafe { take_unpushed::<T>(slab, key) };
            return Err(SubmitError { error, op });
        }
        // SAFETY: a slot was reserved above and nothing written since; the slot at `key`
        // owns every pointer in `sqe` until the final CQE (the `Operation` contract).
        unsafe { sq.write_reserved(sqe) };
        *in_flight += 1;
        Ok(key)
    }

    /// Submits `op` with a timeout (`IORING_OP_LINK_TIMEOUT` linked behind it): if it has not
    /// completed after `timeout`, the kernel cancels it and its result is `ECANCELED` (a
    /// partial result if it had started). The timer's `timespec` is owned by an internal slot
    /// the driver finishes by itself. Linux 5.5+.
    ///
    /// # Errors
    /// As for [`Driver::submit`]; also when two SQ entries cannot be freed by submitting.
    pub fn submit_with_timeout<T: Operation>(
        &mut self,
        op: T,
        timeout: Duration,
    ) -> Result<Op<T>, SubmitError<T>> {
        if let Err(error) = op.validate(self.id) {
            return Err(SubmitError { error, op });
        }
        // Both SQEs must go in back to back: make room for two first.
        if self.ring.sq_space_left() < 2 {
            if let Err(error) = self.ring.submit() {
                return Err(SubmitError { error, op });
            }
            if self.ring.sq_space_left() < 2 {
                return Err(SubmitError {
                    error: io::Error::new(
                        io::ErrorKind::WouldBlock,
                        "the submission queue has no room for an operation and its timeout; \
                         reap completions and retry",
                    ),
                    op,
                });
            }
        }
        let (key, sqe) = occupy(&mut self.slab, op, Slot::start_single::<T>)?;
        // As in `submit`: an opcode this kernel lacks (the operation's, or LINK_TIMEOUT's) is
        // refused with the release that added it, not a bare EINVAL in the CQE.
        let checked = [sqe.opcode(), uring_sys::IORING_OP_LINK_TIMEOUT]
            .into_iter()
            .try_for_each(|opcode| {
                self.opcodes_ok
                    .check(opcode, |o| self.ring.supports_opcode(o))
            });
        if let Err(error) = checked {
            // SAFETY: `start_single` stored a `T`, never pushed.
            let op = unsafe { take_unpushed::<T>(&mut self.slab, key) };
            return Err(SubmitError { error, op });
        }
        let sqe = sqe.flags(crate::squeue::SqeFlags::IO_LINK);
        let timer = occupy(
            &mut self.slab,
            op::LinkTimeout::new(timeout),
            |slot, t: op::LinkTimeout| {
                let sqe = slot.start_single(t);
                slot.set_detached();
                sqe
            },
        );
        let pushed = match timer {
            Ok((tkey, tsqe)) => {
                let mut sq = self.ring.sq();
                // SAFETY: both slots own every pointer in their SQEs until their final CQEs;
                // room for both was made above, so neither push fails.
                let r = unsafe { sq.push_multiple(&[sqe, tsqe]) };
                drop(sq);
                match r {
                    Ok(()) => Ok(()),
                    Err(e) => {
                        // SAFETY: `start_single` stored a `LinkTimeout`, never pushed.
                        let _: op::LinkTimeout = unsafe { take_unpushed(&mut self.slab, tkey) };
                        Err(io::Error::from(e))
                    }
                }
            }
            Err(e) => Err(e.error),
        };
        match pushed {
            Ok(()) => {
                self.in_flight += 2;
                Ok(Op {
                    key,
                    driver: self.id,
                    _t: PhantomData,
                })
            }
            Err(error) => {
                // SAFETY: `start_single` stored a `T`, never pushed.
                let op = unsafe { take_unpushed::<T>(&mut self.slab, key) };
                Err(SubmitError { error, op })
            }
        }
    }

    /// Submits many operations with one SQ tail publication (the raw path's batching):
    /// `out` gets each one's handle, or its error with the operation handed back, in order.
    /// No syscall unless the SQ fills up.
    ///
    /// As [`Driver::submit`], an operation whose opcode the running kernel lacks is refused
    /// with the error naming the release that added it (the kernel's probe, asked once per
    /// opcode per driver).
    pub fn submit_batch<T: Operation>(
        &mut self,
        ops: impl IntoIterator<Item = T>,
        mut out: impl FnMut(Result<Op<T>, SubmitError<T>>),
    ) {
        let Driver {
            ring,
            slab,
            id,
            in_flight,
            opcodes_ok,
            ..
        } = self;
        let id = *id;
        let mut sq = ring.sq();
        for op in ops {
            if let Err(error) = op.validate(id) {
                out(Err(SubmitError { error, op }));
                continue;
            }
            // Room first, so nothing has to be undone after the slot is filled and the SQE is
            // built straight into the ring.
            if sq.reserve_one().is_err() {
                // Full: publish, let the kernel take what is there, and look once more.
                drop(sq);
                let r = ring.submit();
                sq = ring.sq();
                if let Err(error) = r.and_then(|_| sq.reserve_one().map_err(io::Error::from)) {
                    out(Err(SubmitError { error, op }));
                    continue;
                }
            }
            match occupy(slab, op, Slot::start_single::<T>) {
                Ok((key, sqe)) => {
                    // As in `start_and_push`: an opcode this kernel lacks is refused with its
                    // release; asked once per opcode. The SQ stays held (the probe is the
                    // process's, not the ring's), so the room reserved above is still there.
                    if let Err(error) = opcodes_ok.check(sqe.opcode(), |o| sq.supports_opcode(o)) {
                        // SAFETY: `start_single::<T>` stored a `T`, never pushed.
                        let op = unsafe { take_unpushed::<T>(slab, key) };
                        out(Err(SubmitError { error, op }));
                        continue;
                    }
                    // SAFETY: a slot was reserved just above (nothing was written since); as
                    // in `push`, the slot owns every pointer in `sqe` until the final CQE.
                    unsafe { sq.write_reserved(sqe) };
                    // Counted before `out` runs (it may panic): the SQE is in the ring, and
                    // `sq` publishes it even while unwinding.
                    *in_flight += 1;
                    out(Ok(Op {
                        key,
                        driver: id,
                        _t: PhantomData,
                    }));
                }
                Err(e) => out(Err(e)),
            }
        }
    }

    /// Moves a multishot `op` into a slot and pushes its SQE.
    ///
    /// # Errors
    /// As for [`Driver::submit`].
    pub fn submit_multishot<T: MultishotOperation>(
        &mut self,
        op: T,
    ) -> Result<Multishot<T>, SubmitError<T>> {
        if let Err(error) = op.validate(self.id) {
            return Err(SubmitError { error, op });
        }
        // SAFETY: `start_multi::<T>` stores `op` as a `T`.
        let key = unsafe { self.start_and_push(op, Slot::start_multi::<T>) }?;
        Ok(Multishot {
            key,
            driver: self.id,
            _t: PhantomData,
        })
    }

    /// Pushes a raw SQE whose memory the caller vouches for.
    ///
    /// # Safety
    /// As for [`Ring::push`]: every pointer in `sqe` stays valid until its completion.
    ///
    /// # Errors
    /// `user_data` with bit 63 set (reserved for the driver: `InvalidInput`), or the SQ is full.
    pub unsafe fn push_raw(&mut self, sqe: &Sqe) -> io::Result<()> {
        if sqe.get_user_data() & TAG != 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "user_data with bit 63 set is reserved for the driver's own operations; \
                 use a value below 1 << 63",
            ));
        }
        if self.ring.sq_space_left() == 0 {
            self.ring.submit()?;
        }
        // SAFETY: the caller's promise.
        unsafe { self.ring.push(sqe) }.map_err(io::Error::from)
    }

    /// CQEs of raw SQEs (untagged `user_data`), collected by [`Driver::reap`].
    pub fn foreign_completions(&mut self) -> std::vec::Drain<'_, Cqe> {
        self.foreign.drain(..)
    }

    /// `io_uring_enter(2)` — submits the pushed SQEs without waiting.
    pub fn submit_pending(&mut self) -> io::Result<usize> {
        self.ring.submit()
    }

    /// `io_uring_enter(2)` — submits the pushed SQEs and waits for `want` completions (then
    /// call [`Driver::reap`]).
    pub fn submit_and_wait(&mut self, want: usize) -> io::Result<usize> {
        self.ring.submit_and_wait(want)
    }

    /// Moves every ready CQE into its slot, calling `ready(key)` once per CQE of a live,
    /// attached operation (a runtime wakes the task waiting on that key). Returns how many CQEs
    /// were consumed.
    pub fn reap(&mut self, mut ready: impl FnMut(Key)) -> usize {
        let mut n = 0;
        let Driver {
            ring,
            slab,
            in_flight,
            foreign,
            stale,
            ..
        } = self;
        for cqe in ring.cq() {
            n += 1;
            dispatch(slab, in_flight, foreign, stale, cqe, &mut ready);
        }
        self.rearm_wake();
        n
    }

    /// `io_uring_enter(2)` with `IORING_ENTER_GETEVENTS` and no wait — submits what is pushed
    /// and runs the ring's pending task work, so that completions appear in the CQ for
    /// [`Driver::reap`], without blocking.
    ///
    /// What a non-blocking turn needs on a `DEFER_TASKRUN` ring: there a completion is task
    /// work that runs only inside an enter that asks for events, so after an outer `epoll`
    /// reports the ring fd readable, [`Driver::submit_pending`] + `reap` find nothing; call
    /// this, then `reap`. On other rings it also flushes overflowed CQEs. One syscall.
    ///
    /// # Errors
    /// As for [`Driver::submit_pending`] (`EINTR`: call again).
    ///
    /// # References
    /// - [`io_uring_enter(2)`](https://man7.org/linux/man-pages/man2/io_uring_enter.2.html)
    #[doc(alias = "IORING_ENTER_GETEVENTS")]
    pub fn get_events(&mut self) -> io::Result<()> {
        if self.ring.sq_space_left() < self.ring.sq_entries() {
            self.ring.submit()?;
        }
        let s = self.ring.submitter();
        if self.ring.flags().contains(crate::SetupFlags::DEFER_TASKRUN)
            && self.ring.features().contains(crate::Features::EXT_ARG)
        {
            // A wait for one completion with a zero timeout: the kernel runs the deferred
            // task work on every release that has it (a bare GETEVENTS with nothing to wait
            // for returns before running it on some, 6.1 among them), and returns at once.
            return match s.wait(1, Some(Duration::ZERO)) {
                Ok(_) => Ok(()),
                Err(e) if e.raw_os_error() == Some(libc::ETIME) => Ok(()),
                Err(e) => Err(e),
            };
        }
        s.get_events()
    }

    /// Whether the operation's final CQE has arrived (its output can be taken).
    pub fn is_done<T>(&self, op: &Op<T>) -> bool {
        op.driver == self.id
            && self
                .slab
                .get(op.key)
                .is_some_and(|s| s.phase() == Phase::Done)
    }

    /// The output of a finished operation, handing its memory back.
    ///
    /// # Errors
    /// [`TakeError::Pending`] when the final CQE has not arrived yet (reap and retry);
    /// [`TakeError::Foreign`] when the handle is not this driver's.
    #[inline]
    pub fn take<T: Operation>(&mut self, op: Op<T>) -> Result<T::Output, TakeError<Op<T>>> {
        if op.driver != self.id {
            return Err(TakeError::Foreign(op));
        }
        let taken = self.slab.vacate_if(op.key, |slot| {
            // Exactly `Done`: single-shot (and attached: a detached slot is never left Done).
            if slot.state == Phase::Done as u8 {
                // SAFETY: the handle names this driver's slot at this generation, and only
                // `submit::<T>` made an `Op<T>` for it, so the slot stores a `T`; Done means
                // the kernel is finished with its memory. The slot is vacated right after.
                Ok((unsafe { slot.data.take::<T>() }, slot.last))
            } else {
                Err(())
            }
        });
        match taken {
            // SAFETY: `last` is the final CQE `dispatch` stored for this slot, observed in
            // ring order, and `value` is the `T` its SQE was built from.
            Some(Ok((value, last))) => Ok(unsafe { value.complete(last) }),
            Some(Err(())) => Err(TakeError::Pending(op)),
            None => Err(TakeError::Foreign(op)),
        }
    }

    /// Submits, waits and reaps until `op` is done, then takes its output (a blocking helper
    /// for tests and simple programs).
    ///
    /// Transient failures of the enter are handled as the [module docs](crate::driver) advise
    /// a loop to: `EINTR` is retried; `EBUSY` (a CQ overflow the kernel could not flush) and
    /// `EAGAIN` (out of request memory) are retried after a reap, which makes room, unless 64
    /// of them come in a row with nothing reaped in between.
    ///
    /// # Errors
    /// `io_uring_enter` failed otherwise, or kept failing with `EBUSY`/`EAGAIN` (the operation
    /// is detached: the driver finishes it), or the handle is another driver's
    /// (`InvalidInput`).
    pub fn wait<T: Operation>(&mut self, op: Op<T>) -> io::Result<T::Output> {
        let mut op = op;
        let mut transient = 0;
        loop {
            match self.take(op) {
                Ok(out) => return Ok(out),
                Err(TakeError::Foreign(_)) => return Err(foreign_handle()),
                Err(TakeError::Pending(o)) => op = o,
            }
            match self.submit_and_wait(1) {
                Ok(_) => transient = 0,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(crate::error::errno(&e), Some(libc::EBUSY | libc::EAGAIN))
                        && transient < WAIT_TRANSIENT_RETRIES =>
                {
                    transient += 1;
                }
                Err(e) => {
                    self.detach(op);
                    return Err(e);
                }
            }
            if self.reap(|_| {}) > 0 {
                transient = 0;
            }
        }
    }

    /// Gives up the handle: the driver finishes the operation by itself (and drops its output,
    /// closing any fd it produced) when the final CQE comes, or now if it already came.
    pub fn detach<T: Operation>(&mut self, op: Op<T>) {
        self.detach_key(op.driver, op.key);
    }

    fn detach_key(&mut self, driver: u64, key: Key) {
        if driver != self.id {
            return;
        }
        let Some(slot) = self.slab.get_mut(key) else {
            return;
        };
        match slot.phase() {
            Phase::InFlight => slot.set_detached(),
            Phase::Done | Phase::Preparing => {
                let mut slot = self.slab.remove(key).expect("checked above");
                finish_slot(&mut slot);
            }
        }
    }

    /// Cancels `op` and gives up its handle in one call: what a runtime does when the future
    /// waiting on an operation is dropped. The kernel is asked to cancel it
    /// ([`Driver::cancel`]; pushed, not submitted) and the driver finishes it by itself when
    /// its final CQE comes ([`Driver::detach`]): an idle `recv` ends at the next enter instead
    /// of holding its buffer until the peer speaks, and its memory (and any fd it made) is
    /// freed then. `detach` alone leaves it in flight.
    ///
    /// # Errors
    /// The cancel could not be pushed (SQ full and the submit failed): the operation is
    /// still detached, and ends when it completes by itself.
    pub fn abandon<T: Operation>(&mut self, op: Op<T>) -> io::Result<()> {
        let r = self.cancel(&op);
        self.detach(op);
        r
    }

    /// [`Driver::abandon`] for a multishot operation: cancel, then
    /// [`Driver::detach_multishot`] (queued items are made and dropped: buffers go back to
    /// their ring, accepted fds are closed).
    ///
    /// # Errors
    /// As for [`Driver::abandon`].
    pub fn abandon_multishot<T: MultishotOperation>(&mut self, h: Multishot<T>) -> io::Result<()> {
        let r = self.cancel_multishot(&h);
        self.detach_multishot(h);
        r
    }

    /// Asks the kernel to cancel `op` (`IORING_OP_ASYNC_CANCEL` by `user_data`); its final
    /// CQE (usually `ECANCELED`) still comes through the handle. Pushed, not submitted.
    pub fn cancel<T>(&mut self, op: &Op<T>) -> io::Result<()> {
        self.cancel_key(op.driver, op.key)
    }

    /// Cancels a multishot operation; the final CQE ends its stream.
    pub fn cancel_multishot<T>(&mut self, op: &Multishot<T>) -> io::Result<()> {
        self.cancel_key(op.driver, op.key)
    }

    fn cancel_key(&mut self, driver: u64, key: Key) -> io::Result<()> {
        if driver != self.id {
            return Err(foreign_handle());
        }
        match self.slab.get(key) {
            Some(s) if s.phase() == Phase::InFlight => {}
            _ => return Ok(()),
        }
        let sqe = opcode::AsyncCancel::new(TAG | key.to_bits())
            .build()
            .user_data(INTERNAL);
        self.push(&sqe)
    }

    /// Cancels every in-flight request on `fd` (`IORING_ASYNC_CANCEL_FD | ALL`, Linux 5.19+).
    ///
    /// # Errors
    /// `EOPNOTSUPP`, saying so, on a kernel without cancel flags (it would refuse the cancel,
    /// and nothing would be cancelled); the SQ is full.
    pub fn cancel_fd(&mut self, fd: std::os::fd::BorrowedFd<'_>) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        if !self.ring.has_cancel_flags() {
            return Err(crate::probe::cancel_flags_error("Driver::cancel_fd"));
        }
        let sqe = opcode::AsyncCancelFd::new(crate::types::Fd(fd.as_raw_fd()))
            .flags(CancelFlags::ALL)
            .build()
            .user_data(INTERNAL);
        self.push(&sqe)
    }

    /// Cancels every in-flight request on the ring (`IORING_ASYNC_CANCEL_ANY | ALL`, Linux
    /// 5.19+; before, one cancel by `user_data` per in-flight operation).
    pub fn cancel_all(&mut self) -> io::Result<()> {
        if !self.ring.has_cancel_flags() {
            for key in self.slab.keys() {
                self.cancel_key(self.id, key)?;
            }
            return Ok(());
        }
        let sqe = opcode::AsyncCancel::new(0)
            .flags(CancelFlags::ANY.union(CancelFlags::ALL))
            .build()
            .user_data(INTERNAL);
        self.push(&sqe)
    }

    /// The next item of a multishot operation, if one is queued (reap first).
    pub fn next<T: MultishotOperation>(&mut self, h: &Multishot<T>) -> Option<T::Item> {
        if h.driver != self.id {
            return None;
        }
        let slot = self.slab.get_mut(h.key)?;
        let c = slot.pop_queued()?;
        // SAFETY: only `submit_multishot::<T>` made a `Multishot<T>` for this slot and
        // generation, so it stores a `T` (until `release`, which consumes the handle); `c` is
        // one of its CQEs, queued by `dispatch` after `observe`, popped once, in order.
        Some(unsafe { slot.data.get_mut::<T>().item(c) })
    }

    /// Whether the multishot operation ended (its final CQE arrived) and every item was taken.
    pub fn is_finished<T>(&self, h: &Multishot<T>) -> bool {
        h.driver == self.id
            && self
                .slab
                .get(h.key)
                .is_some_and(|s| s.phase() == Phase::Done && s.nothing_queued())
    }

    /// The operation back once finished (to re-arm it, e.g. after `ENOBUFS`).
    ///
    /// # Errors
    /// The handle back when items are still queued or the final CQE has not come
    /// ([`TakeError::Pending`]), or it is not this driver's ([`TakeError::Foreign`]).
    pub fn release<T: MultishotOperation>(
        &mut self,
        h: Multishot<T>,
    ) -> Result<T, TakeError<Multishot<T>>> {
        if h.driver != self.id || self.slab.get(h.key).is_none() {
            return Err(TakeError::Foreign(h));
        }
        if !self.is_finished(&h) {
            return Err(TakeError::Pending(h));
        }
        let mut slot = self.slab.remove(h.key).expect("checked above");
        // SAFETY: as in `next`; the final CQE came, so the kernel is done with the memory.
        Ok(unsafe { slot.data.take::<T>() })
    }

    /// Gives up a multishot handle: queued and future items are made and dropped (buffers go
    /// back to their ring, accepted fds are closed) and the operation is dropped after its
    /// final CQE. Call [`Driver::cancel_multishot`] first to end it early.
    pub fn detach_multishot<T: MultishotOperation>(&mut self, h: Multishot<T>) {
        if h.driver != self.id {
            return;
        }
        let Some(slot) = self.slab.get_mut(h.key) else {
            return;
        };
        while let Some(c) = slot.pop_queued() {
            // SAFETY: the slot stores a `T` (see `next`).
            unsafe { (slot.vt.drop_item)(&mut slot.data, c) };
        }
        if slot.phase() == Phase::InFlight {
            slot.set_detached();
        } else {
            let mut slot = self.slab.remove(h.key).expect("checked above");
            // SAFETY: the slot stores a `T` and the kernel is done with it.
            unsafe { (slot.vt.drop)(&mut slot.data) };
        }
    }
}

/// The opcodes a driver has found the running kernel supports, a bit each: the probe is asked
/// once per opcode, and a submission after that pays one bit test.
#[derive(Debug, Default)]
struct KnownOpcodes([u64; 4]);

impl KnownOpcodes {
    /// `Ok` when `opcode` is known to be supported; else asks `probe` (the ring's
    /// `supports_opcode`: the error names the release that added it) and remembers a yes.
    #[inline(always)]
    fn check(&mut self, opcode: u8, probe: impl FnOnce(u8) -> io::Result<()>) -> io::Result<()> {
        if self.0[usize::from(opcode >> 6)] >> (opcode & 63) & 1 != 0 {
            return Ok(());
        }
        self.first_use(opcode, probe)
    }

    #[cold]
    #[inline(never)]
    fn first_use(
        &mut self,
        opcode: u8,
        probe: impl FnOnce(u8) -> io::Result<()>,
    ) -> io::Result<()> {
        probe(opcode)?;
        self.0[usize::from(opcode >> 6)] |= 1 << (opcode & 63);
        Ok(())
    }
}

/// The SQ after an `io_uring_enter` that hands the kernel what is pushed, with a slot reserved
/// (the SQ was full).
#[cold]
fn sq_after_submit(ring: &mut Ring) -> io::Result<crate::squeue::SubmissionQueue<'_>> {
    ring.submit()?;
    let mut sq = ring.sq();
    sq.reserve_one()?;
    Ok(sq)
}

fn foreign_handle() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "this handle belongs to another Driver (or was already redeemed)",
    )
}
