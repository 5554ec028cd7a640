//! The ownership-safe driver (`uring::driver`) against the real kernel: owned buffers, drop
//! and cancellation with I/O in flight, forgotten handles, provided buffer rings, multishot,
//! zero-copy send, fixed buffers and files, and misuse that must be an error, not UB.
//!
//! Run it under AddressSanitizer too (ci/stages/80-asan.sh): a use-after-free or double free
//! of memory the kernel writes shows up there.
#![allow(unsafe_code)]
// Forgetting handles is what several tests check (a handle has no Drop today; the point is
// that forgetting one is safe whatever it becomes).
#![allow(clippy::forget_non_drop)]

mod attacks;
mod audit;
mod basic;
mod drop;
mod fixed;
mod gates;
mod msgfs;
mod multishot;
mod nomem;
mod pbuf;
mod runtime;
mod support;
mod zc;
