//! Shared helpers for the cross-crate tests in `tests/tests/results`: the backend choice a
//! server makes (io_uring, else epoll), child processes by re-execution, the raw system calls
//! the fault scenarios need (seccomp, rlimits, signals), the echo servers started in a thread, the example binaries built in the test's own profile,
//! the load client with the byte streams it sends and checks, and the results table.
#![deny(unsafe_code)]

pub mod backend;
pub mod child;
pub mod data;
pub mod echo;
pub mod examples;
pub mod load;
pub mod report;
#[allow(unsafe_code)]
pub mod sys;
