//! What other threads use to reach a driver: a [`Waker`] ([`Driver::waker`]) that makes a
//! blocked wait return, and [`MsgRing`] to post a message to another driver ([`MsgTarget`]).
//!
//! The driver keeps one 8-byte read of an `eventfd` in flight; [`Waker::wake`] writes the
//! eventfd, the read completes, and a [`Driver::submit_and_wait`] (or any wait) blocked on the
//! ring returns. The driver re-arms the read in [`Driver::reap`], so a waker works any number
//! of times. Wakes coalesce: while one is on its way, more `wake()` calls write nothing.
//!
//! An `eventfd` rather than `IORING_OP_MSG_RING`: a `MSG_RING` needs a ring on the waking
//! thread (or Linux 6.13's ringless `IORING_REGISTER_SEND_MSG_RING`), while an eventfd read
//! works from Linux 5.6 with any thread, and one `write(2)` costs what a `MSG_RING` enter does.

use std::cell::Cell;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::op::{Completion, Operation, Read};
use super::{Driver, OpFile};
use crate::squeue::Sqe;

/// What the wakers and the driver's eventfd read share.
#[derive(Debug)]
struct Shared {
    efd: OwnedFd,
    /// A wake was written and its read has not completed yet: later wakes write nothing.
    pending: AtomicBool,
}

/// A handle that makes a blocked wait of its [`Driver`] return, from any thread
/// (`Send + Sync + Clone`). See [`Driver::waker`].
#[derive(Debug, Clone)]
pub struct Waker {
    shared: Arc<Shared>,
}

impl Waker {
    /// `write(eventfd, &1u64, 8)` — makes the driver's blocked [`Driver::submit_and_wait`]
    /// (or `wait`) return, or the next one return at once.
    ///
    /// Make the work the driver thread should see visible first (push to its queue), then
    /// wake: the driver clears the coalescing flag inside [`Driver::reap`], before the thread
    /// looks at its queue again, so no wake is lost. While a wake is on its way, further calls
    /// write nothing (no syscall).
    ///
    /// # Errors
    /// Only unexpected kernel errors; none in practice.
    ///
    /// # References
    /// - [eventfd(2)](https://man7.org/linux/man-pages/man2/eventfd.2.html)
    pub fn wake(&self) -> io::Result<()> {
        if self.shared.pending.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        loop {
            match rustix::io::write(&self.shared.efd, &1u64.to_ne_bytes()) {
                Ok(_) => return Ok(()),
                // The counter is at its maximum (only if the read was cancelled): the driver
                // is woken already.
                Err(rustix::io::Errno::AGAIN) => return Ok(()),
                Err(rustix::io::Errno::INTR) => {}
                Err(e) => {
                    self.shared.pending.store(false, Ordering::Release);
                    return Err(e.into());
                }
            }
        }
    }
}

/// The driver's side: the read it keeps armed.
#[derive(Debug)]
pub(super) struct WakeState {
    shared: Arc<Shared>,
    /// The read's final CQE came: arm a new one (in `reap`).
    rearm: Rc<Cell<bool>>,
    /// The read is in flight (not counted by [`Driver::in_flight`]).
    pub(super) armed: Rc<Cell<bool>>,
}

/// The eventfd read: an owned 8-byte read whose completion asks for the next one.
#[derive(Debug)]
struct WakeRead {
    read: Read<Box<[u8]>>,
    shared: Arc<Shared>,
    rearm: Rc<Cell<bool>>,
    armed: Rc<Cell<bool>>,
}

// SAFETY: delegates to `Read`, whose buffer this owns; `shared` keeps the eventfd open for as
// long as the read may use it.
unsafe impl Operation for WakeRead {
    type Output = ();
    const OBSERVES: bool = false;
    #[inline]
    fn sqe(&mut self) -> Sqe {
        self.read.sqe()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) {
        // SAFETY: forwarded: `c` is the final CQE of `read`'s SQE (our caller's promise).
        drop(unsafe { self.read.complete(c) });
        self.armed.set(false);
        // Cleared before the thread looks at its queue again (see `Waker::wake`).
        self.shared.pending.store(false, Ordering::Release);
        // Re-armed by the next `reap` whatever ended it, a cancel included: the user's
        // `cancel_all` (or a `NoMemoryOp` cancel) reaches this read too, and a read not
        // re-armed then loses every later wake. The drop stops the re-arming itself: it drops
        // the driver's `WakeState` before cancelling, so `rearm_wake` finds nothing to arm.
        self.rearm.set(true);
    }
    fn fail(self, _: io::Error) {}
}

impl Driver {
    /// A [`Waker`] for this driver: its [`wake`](Waker::wake), from any thread, makes a
    /// blocked [`Driver::submit_and_wait`] (or any wait on the ring) return.
    ///
    /// The first call creates an `eventfd` and keeps an 8-byte read of it in flight (one
    /// slot, not counted by [`Driver::in_flight`]); [`Driver::reap`] re-arms it after each
    /// wake. Every call returns a handle to the same eventfd. The read is pushed, not
    /// submitted: the next enter submits it. Linux 5.6+ (`IORING_OP_READ`).
    ///
    /// # Errors
    /// `eventfd(2)` failed (out of fds), or the read could not be pushed (slab or SQ full).
    ///
    /// # References
    /// - [eventfd(2)](https://man7.org/linux/man-pages/man2/eventfd.2.html)
    #[doc(alias = "eventfd")]
    pub fn waker(&mut self) -> io::Result<Waker> {
        if let Some(w) = &self.wake {
            return Ok(Waker {
                shared: w.shared.clone(),
            });
        }
        let efd = rustix::event::eventfd(
            0,
            rustix::event::EventfdFlags::CLOEXEC | rustix::event::EventfdFlags::NONBLOCK,
        )?;
        let shared = Arc::new(Shared {
            efd,
            pending: AtomicBool::new(false),
        });
        self.wake = Some(WakeState {
            shared: shared.clone(),
            rearm: Rc::new(Cell::new(false)),
            armed: Rc::new(Cell::new(false)),
        });
        if let Err(e) = self.arm_wake() {
            self.wake = None;
            return Err(e);
        }
        Ok(Waker { shared })
    }

    /// Pushes the eventfd read (detached: its completion only asks for the next one).
    pub(super) fn arm_wake(&mut self) -> io::Result<()> {
        let Some(w) = &self.wake else {
            return Ok(());
        };
        let op = WakeRead {
            read: Read::new(
                OpFile::from_raw_fd(w.shared.efd.as_raw_fd()),
                vec![0u8; 8].into_boxed_slice(),
                u64::MAX,
            ),
            shared: w.shared.clone(),
            rearm: w.rearm.clone(),
            armed: w.armed.clone(),
        };
        let armed = w.armed.clone();
        let op = self.submit(op).map_err(|e| e.error)?;
        armed.set(true);
        self.detach(op);
        Ok(())
    }

    /// After a reap: re-arm the eventfd read if its last one completed.
    #[inline]
    pub(super) fn rearm_wake(&mut self) {
        if let Some(w) = &self.wake {
            if w.rearm.replace(false) && self.arm_wake().is_err() {
                // Slab or SQ full: try again after the next reap.
                if let Some(w) = &self.wake {
                    w.rearm.set(true);
                }
            }
        }
    }
}

/// Another driver's ring, as a target for [`MsgRing`]: `Send + Sync + Clone`, so a
/// thread-per-core runtime hands each thread the targets of the others
/// ([`Driver::msg_target`]). It holds a duplicate of the ring's fd, so the number it names
/// stays that ring's for as long as a message to it may be in flight.
#[derive(Debug, Clone)]
pub struct MsgTarget {
    fd: Arc<OwnedFd>,
}

impl Driver {
    /// This driver's ring as a [`MsgTarget`] for other drivers' [`MsgRing`]s (a `dup(2)` of
    /// the ring fd). Their messages arrive here as untagged CQEs, in
    /// [`Driver::foreign_completions`] after a [`Driver::reap`].
    ///
    /// # Errors
    /// `dup(2)` failed (out of fds).
    pub fn msg_target(&self) -> io::Result<MsgTarget> {
        use std::os::fd::AsFd;
        Ok(MsgTarget {
            fd: Arc::new(self.ring.as_fd().try_clone_to_owned()?),
        })
    }
}

/// `IORING_OP_MSG_RING` (`IORING_MSG_DATA`) to another driver: posts a CQE with `user_data`
/// and `res` on the target ring, where it shows up in [`Driver::foreign_completions`]. The
/// output is this side's result. Linux 5.18+ (`EINVAL` before, said so).
///
/// Only `user_data` below `1 << 63` is accepted: the target driver's own completions have
/// bit 63 set, and a message must never pass as one of them (see the driver's soundness
/// contract). Only a [`MsgTarget`] — a driver's ring — can be named, so no plain ring sees a
/// CQE it did not ask for.
///
/// # References
/// - [`io_uring_prep_msg_ring(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_msg_ring.3.html)
#[doc(alias = "IORING_OP_MSG_RING")]
#[doc(alias = "io_uring_prep_msg_ring")]
#[derive(Debug)]
pub struct MsgRing {
    to: Arc<OwnedFd>,
    user_data: u64,
    res: i32,
}

impl MsgRing {
    /// A message of `user_data` and `res` to `to`.
    ///
    /// # Errors
    /// `user_data` has bit 63 set (`InvalidInput`).
    pub fn new(to: &MsgTarget, user_data: u64, res: i32) -> io::Result<MsgRing> {
        if user_data & super::TAG != 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a message's user_data must be below 1 << 63: values with bit 63 set are the \
                 target driver's own completions",
            ));
        }
        Ok(MsgRing {
            to: to.fd.clone(),
            user_data,
            res,
        })
    }
}

// SAFETY: no pointer; the CQE it posts on the target carries a `user_data` without bit 63
// (checked in `new`), which the target driver never takes for one of its own.
unsafe impl Operation for MsgRing {
    type Output = io::Result<()>;
    const OBSERVES: bool = false;
    #[inline]
    fn sqe(&mut self) -> Sqe {
        crate::opcode::MsgRingData::new(
            crate::types::Fd(self.to.as_raw_fd()),
            self.res,
            self.user_data,
        )
        .build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> io::Result<()> {
        match c.result() {
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => Err(crate::error::with_message(
                libc::EINVAL,
                "IORING_OP_MSG_RING failed with EINVAL: it needs Linux 5.18+",
            )),
            r => r.map(drop),
        }
    }
    fn fail(self, error: io::Error) -> io::Result<()> {
        Err(error)
    }
}
