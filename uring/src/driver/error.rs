//! The errors of submitting and taking back an operation.

use std::fmt;
use std::io;

#[cfg(doc)]
use super::Driver;
use super::op::Operation;

/// Why a submission failed; the operation (with its buffer) is handed back.
pub struct SubmitError<T> {
    /// What went wrong.
    pub error: io::Error,
    /// The operation, untouched by the kernel.
    pub op: T,
}

impl<T> SubmitError<T> {
    /// The operation back.
    pub fn into_op(self) -> T {
        self.op
    }
}

impl<T: Operation> SubmitError<T> {
    /// The failure as the operation's own output ([`Operation::fail`]): the error as the
    /// result, with the memory the operation owns handed back — what a generic future over
    /// any `T: Operation` returns when submitting failed.
    pub fn into_output(self) -> T::Output {
        self.op.fail(self.error)
    }
}

impl<T> fmt::Debug for SubmitError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubmitError")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Display for SubmitError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "submission failed: {}", self.error)
    }
}

impl<T> std::error::Error for SubmitError<T> {}

impl<T> From<SubmitError<T>> for io::Error {
    fn from(e: SubmitError<T>) -> io::Error {
        e.error
    }
}

/// Why [`Driver::take`] could not hand the output back yet; the handle is returned.
pub enum TakeError<H> {
    /// The final completion has not arrived; reap and try again.
    Pending(H),
    /// The handle belongs to another driver (or was already redeemed).
    Foreign(H),
}

impl<H> fmt::Debug for TakeError<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TakeError::Pending(_) => f.write_str("Pending"),
            TakeError::Foreign(_) => f.write_str("Foreign"),
        }
    }
}
