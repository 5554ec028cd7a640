//! Thin, safe io_uring bindings.
//!
//! Work in progress: see the workspace README.
// Unsafe code is fenced into the modules that touch the kernel or the mapped rings.
#![deny(unsafe_code)]

#[allow(unsafe_code)]
pub mod chain;
pub mod cqueue;
#[allow(unsafe_code)]
pub mod driver;
pub mod error;
#[allow(unsafe_code)]
mod mmap;
#[cfg(any(test, feature = "model"))]
#[allow(unsafe_code)]
pub mod model;
// The builders write SQE fields through a `transmute` (opcode/mod.rs).
#[allow(unsafe_code)]
pub mod opcode;
#[allow(unsafe_code)]
pub mod probe;
#[allow(unsafe_code)]
pub mod register;
#[allow(unsafe_code)]
pub mod ring;
pub mod setup;
#[allow(unsafe_code)]
pub mod squeue;
#[allow(unsafe_code)]
pub mod submit;
pub mod types;

pub use chain::{Link, LinkTimeout};
pub use cqueue::{Cqe, Cqe32, CqeFlags};
pub use probe::Probe;
pub use ring::{CompletionQueue, CqeEntry, CqeMixed, PushError, Ring, SqeEntry, SubmissionQueue};
pub use setup::{Builder, Features, SetupFlags};
pub use squeue::{Sqe, Sqe128, SqeFlags};
pub use submit::{Submitter, WaitArgs};
