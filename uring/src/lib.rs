//! Thin, safe io_uring bindings.
//!
//! Work in progress: see the workspace README.

pub mod cqueue;
pub mod opcode;
pub mod squeue;
pub mod types;

pub use cqueue::{Cqe, Cqe32, CqeFlags};
pub use squeue::{Sqe, Sqe128, SqeFlags};
