//! Memory-free opcode builders ([`crate::opcode::NoMemory`]) submitted through the driver as
//! they are: nothing to own, so any of them is safe to push.

use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use uring_sys as sys;

use super::op::{Completion, MultishotOperation, Operation};
use crate::opcode::{self, NoMemory};
use crate::squeue::{Sqe, SqeFlags};

/// Builders the driver accepts as [`NoMemoryOp`]. Implemented only for this crate's
/// [`NoMemory`] builders (checked at compile time below).
pub trait BuildSqe: NoMemory {
    /// The builder's SQE.
    fn build_sqe(self) -> Sqe;
}

macro_rules! build_sqe {
    ($($t:ident),* $(,)?) => {$(
        impl BuildSqe for opcode::$t {
            #[inline]
            fn build_sqe(self) -> Sqe {
                self.build()
            }
        }
    )*};
}

build_sqe!(
    Nop,
    AsyncCancel,
    AsyncCancelFd,
    Fsync,
    SyncFileRange,
    Fallocate,
    Fadvise,
    Ftruncate,
    FixedFdInstall,
    AcceptMulti,
    Shutdown,
    Socket,
    Listen,
    PollAdd,
    PollRemove,
    Splice,
    Tee,
    TimeoutRemove,
    RemoveBuffers,
);

/// A memory-free SQE owned by the driver. Submit it with [`super::Driver::submit`] (one
/// output, the final CQE) or [`super::Driver::submit_multishot`] (an item per CQE).
///
/// Flags that would break the driver's bookkeeping are dropped: `IOSQE_CQE_SKIP_SUCCESS` (the
/// slot needs its final CQE) and `IOSQE_BUFFER_SELECT` (the kernel would pick a buffer the
/// driver does not account for). The `user_data` is the driver's.
///
/// When the op makes a new file descriptor (`socket`, `accept`, `fixed_fd_install`, not into a
/// direct slot), the result carries it as an [`OwnedFd`]: a detached or dropped result closes
/// it. A direct-descriptor result is only a slot number; a detached one stays installed in the
/// table (no memory is involved).
#[derive(Debug, Clone, Copy)]
pub struct NoMemoryOp {
    sqe: Sqe,
    makes_fd: bool,
}

impl NoMemoryOp {
    /// Wraps a memory-free builder.
    pub fn new<T: BuildSqe>(op: T) -> NoMemoryOp {
        let mut sqe = op.build_sqe();
        let flags = sqe.get_flags() - (SqeFlags::CQE_SKIP_SUCCESS | SqeFlags::BUFFER_SELECT);
        sqe.set_flags(flags);
        // SAFETY: every member of this union is a plain integer; reading it as `u32` is valid
        // whichever one the builder wrote.
        let file_index = unsafe { sqe.as_raw().splice_fd_in_union.file_index };
        let makes_fd = matches!(
            sqe.opcode(),
            sys::IORING_OP_SOCKET | sys::IORING_OP_ACCEPT | sys::IORING_OP_FIXED_FD_INSTALL
        ) && (file_index == 0 || sqe.opcode() == sys::IORING_OP_FIXED_FD_INSTALL);
        NoMemoryOp { sqe, makes_fd }
    }

    /// Adds `IOSQE_IO_LINK`, `IO_HARDLINK`, `IO_DRAIN` or `ASYNC` (others are ignored).
    ///
    /// The kernel's rules apply to every SQE that follows, the driver's own too: an SQE pushed
    /// right after a linked one in the same batch is linked behind it (a [`Driver::cancel`]
    /// included), and everything submitted after an `IO_DRAIN` request waits until it has run
    /// (so a cancel cannot reach the requests the drain waits for; dropping the driver still
    /// can, see the [module docs](super)).
    ///
    /// [`Driver::cancel`]: super::Driver::cancel
    pub fn flags(mut self, flags: SqeFlags) -> NoMemoryOp {
        let allowed =
            SqeFlags::IO_LINK | SqeFlags::IO_HARDLINK | SqeFlags::IO_DRAIN | SqeFlags::ASYNC;
        self.sqe = self.sqe.flags(flags & allowed);
        self
    }

    fn output(&self, c: Completion) -> NoMemoryOutput {
        let fd = if self.makes_fd && c.res >= 0 {
            // SAFETY: a successful socket/accept/fixed_fd_install into no direct slot returns
            // a new descriptor that nothing else owns.
            Some(unsafe { OwnedFd::from_raw_fd(c.res as RawFd) })
        } else {
            None
        };
        NoMemoryOutput { completion: c, fd }
    }
}

/// The output of a [`NoMemoryOp`].
#[derive(Debug)]
pub struct NoMemoryOutput {
    /// The CQE's `res`/`flags`.
    pub completion: Completion,
    /// The new descriptor, for ops that make one (closed when dropped).
    pub fd: Option<OwnedFd>,
}

impl NoMemoryOutput {
    /// `res` as a result.
    pub fn result(&self) -> io::Result<u32> {
        self.completion.result()
    }
}

// SAFETY: the SQE comes from a `NoMemory` builder: the kernel dereferences no memory of ours.
unsafe impl Operation for NoMemoryOp {
    type Output = NoMemoryOutput;
    fn fail(self, error: io::Error) -> NoMemoryOutput {
        // A failure is a negative `res` whatever the error holds: `from_raw_os_error` takes
        // any `i32` (0, a negative number, `i32::MIN`, which has no negation), so anything
        // but a positive errno is reported as `EIO`.
        let errno = crate::error::errno(&error)
            .filter(|&e| e > 0)
            .unwrap_or(libc::EIO);
        NoMemoryOutput {
            completion: Completion {
                res: -errno,
                flags: crate::cqueue::CqeFlags::empty(),
                aux: 0,
            },
            fd: None,
        }
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        self.sqe
    }
    /// A multishot op submitted single-shot: the descriptors of the CQEs before the final one
    /// cannot be handed out, so they are closed here, never leaked.
    #[inline]
    unsafe fn observe(&mut self, c: &mut Completion) {
        if c.flags.contains(crate::cqueue::CqeFlags::MORE) {
            drop(self.output(*c));
        }
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> NoMemoryOutput {
        self.output(c)
    }
}

// SAFETY: as above.
unsafe impl MultishotOperation for NoMemoryOp {
    type Item = NoMemoryOutput;
    #[inline]
    fn sqe(&mut self) -> Sqe {
        self.sqe
    }
    #[inline]
    unsafe fn item(&mut self, c: Completion) -> NoMemoryOutput {
        self.output(c)
    }
}
