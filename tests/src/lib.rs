//! Shared helpers for the cross-crate tests in `tests/tests/results`: the backend choice a
//! server makes (io_uring, else epoll), child processes by re-execution, the raw system calls
//! the fault scenarios need (seccomp, rlimits, signals), and the results table.
#![deny(unsafe_code)]

pub mod backend;
pub mod child;
pub mod report;
#[allow(unsafe_code)]
pub mod sys;
