//! The file an operation targets: a plain fd, or a fixed-file slot of this driver.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};

#[cfg(doc)]
use crate::driver::NoMemoryOp;
use crate::types::{self, Fd, RawTarget};

/// The file an operation targets: a plain fd, or a registered file slot (from a
/// [`fixed::FixedFile`](crate::driver::fixed::FixedFile), which remembers its driver: an
/// operation naming another driver's slot is refused at submission).
///
/// A slot, like an fd, is a number: an `OpFile` is `Copy` and outlives its `FixedFile`, and the
/// memory-free builders of [`NoMemoryOp`] take raw `types::Fixed` numbers (and can
/// install a direct descriptor into any slot). Naming a slot one does not own can make I/O fail
/// or reach another file — never touch memory: a request holds its own reference to the file
/// it resolved.
#[derive(Debug, Clone, Copy)]
pub struct OpFile(OpFileKind);

#[derive(Debug, Clone, Copy)]
enum OpFileKind {
    Fd(RawFd),
    Fixed { slot: u32, driver: u64 },
}

impl OpFile {
    /// A plain descriptor number (`sqe->fd`). Memory-safe whatever the number: a closed or
    /// reused fd makes the I/O fail or go to another file, never touch memory we do not own.
    #[inline]
    pub const fn from_raw_fd(fd: RawFd) -> OpFile {
        OpFile(OpFileKind::Fd(fd))
    }

    /// Slot `slot` of the file table of driver `driver`.
    #[inline]
    pub(crate) const fn fixed(slot: u32, driver: u64) -> OpFile {
        OpFile(OpFileKind::Fixed { slot, driver })
    }

    /// Refuses a registered slot of another driver's table: its index names whatever the
    /// driver `ring_id` has there (another file, or nothing).
    #[inline]
    pub(crate) fn check(self, ring_id: u64) -> io::Result<()> {
        match self.0 {
            OpFileKind::Fixed { driver, .. } if driver != ring_id => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "this FixedFile belongs to another Driver's file table: its slot number names \
                 another file (or none) on this ring; install the file in this driver's table",
            )),
            _ => Ok(()),
        }
    }
}

/// The builders take an `OpFile` as they take [`types::Fd`] or [`types::Fixed`]: a slot
/// the driver names is one the caller owns.
impl types::sealed::Sealed for OpFile {
    #[inline]
    fn raw_target(self) -> RawTarget {
        match self.0 {
            OpFileKind::Fd(fd) => types::sealed::Sealed::raw_target(Fd(fd)),
            OpFileKind::Fixed { slot, .. } => types::sealed::Sealed::raw_target(types::Fixed(slot)),
        }
    }
}

impl types::Target for OpFile {}

impl From<BorrowedFd<'_>> for OpFile {
    fn from(fd: BorrowedFd<'_>) -> Self {
        OpFile::from_raw_fd(fd.as_raw_fd())
    }
}

impl<T: AsRawFd> From<&T> for OpFile {
    fn from(fd: &T) -> Self {
        OpFile::from_raw_fd(fd.as_raw_fd())
    }
}

// A plain fd number is memory-safe to pass to the kernel: the worst a closed or reused fd can
// do is an error or I/O on the wrong file, never a write into memory we do not own.
