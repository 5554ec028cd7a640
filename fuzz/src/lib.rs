//! Shared code of the fuzz targets: each target's input type, model and checks live here, so
//! `fuzz_targets/*.rs` are one-line drivers and the same code runs from a regression test.
//!
//! Not a published crate: see `fuzz/README.md`.

pub mod epoll_seq;
pub mod model_vs_kernel;
pub mod ops_kernel;
pub mod raw_sqe;
pub mod ring_model;
