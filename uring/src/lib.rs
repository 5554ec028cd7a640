//! Thin, safe io_uring bindings: exactly the kernel's ring protocol, no undefined behaviour from
//! safe code, and no more instructions per operation than hand-written C.
//!
//! Two ways to submit work, on one ring:
//!
//! - **The raw path** — [`Ring`], [`SubmissionQueue`], [`CompletionQueue`], [`Submitter`]: build
//!   an [`Sqe`] with a typed builder from [`opcode`] and push it with the `unsafe`
//!   [`Ring::push`], whose contract says the memory the SQE names must stay valid until its
//!   final CQE. This is for runtime authors who track buffer lifetimes themselves; it costs what
//!   liburing costs.
//! - **The owned path** — [`driver::Driver`]: operations *own* their buffers, paths, iovecs and
//!   sockaddrs while in flight and hand them back with the result, so safe code cannot free or
//!   reuse memory the kernel still writes — not by dropping a handle, not by `mem::forget`, not
//!   by dropping the driver with I/O in flight (it cancels, waits with a bound, and leaks what the
//!   kernel may still touch). Registered files and buffers, provided buffer rings, multishot and
//!   zero-copy sends are owned the same way. The design note is in [`driver`].
//!
//! ```
//! use uring::{opcode, Ring};
//!
//! # fn main() -> std::io::Result<()> {
//! let mut ring = Ring::new(8)?;
//! let nop = opcode::Nop::new().build().user_data(42);
//! // SAFETY: a NOP names no memory.
//! unsafe { ring.push(&nop) }.expect("the SQ has room");
//! ring.submit_and_wait(1)?;
//! let cqe = ring.cq().next().expect("one completion");
//! assert_eq!((cqe.user_data(), cqe.result()?), (42, 0));
//! # Ok(())
//! # }
//! ```
//!
//! Setup flags are in [`setup`], every registration in [`register`], the probe in [`probe`],
//! errors that say the cause and the remedy in [`error`].
//!
//! # Testing without a kernel
//!
//! With the `model` feature, `uring::model` is a deterministic model of the kernel side of the
//! ring: `uring::model::Config::build_driver()` gives a [`driver::Driver`] (or `build()` a
//! [`Ring`]) whose enters go to a scriptable model instead of the kernel. A reactor's own tests
//! run on it without a kernel — under Miri, in a fuzzer — with faults drawn from a seed
//! (`uring::model::Chaos`: failed enters, partial submissions, failed, short, late and
//! reordered completions) or scripted one by one, CQ overflow, and hostile ring memory; a
//! failing seed replays the same run. The module's docs are the guide;
//! `tests/model_reactor.rs` is a small reactor tested that way. The model is a testing tool:
//! default builds contain none of it.
//!
//! # References
//!
//! - [`io_uring(7)`](https://man7.org/linux/man-pages/man7/io_uring.7.html)
//! - [`io_uring_setup(2)`](https://man7.org/linux/man-pages/man2/io_uring_setup.2.html),
//!   [`io_uring_enter(2)`](https://man7.org/linux/man-pages/man2/io_uring_enter.2.html),
//!   [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
// Unsafe code is fenced into the modules that touch the kernel or the mapped rings.
// docs.rs (`--cfg docsrs`, nightly): badges saying which systems have an item.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(unsafe_code)]

#[allow(unsafe_code)]
pub mod chain;
#[allow(unsafe_code)]
pub mod cqueue;
#[allow(unsafe_code)]
pub mod driver;
pub mod error;
mod index;
#[allow(unsafe_code)]
mod mmap;
#[cfg(any(test, feature = "model"))]
#[cfg_attr(docsrs, doc(cfg(feature = "model")))]
#[allow(unsafe_code)]
pub mod model;
// The builders write SQE fields through a `transmute` (opcode/mod.rs).
#[allow(unsafe_code)]
pub mod opcode;
#[allow(unsafe_code)]
pub mod pbuf;
#[allow(unsafe_code)]
pub mod probe;
#[allow(unsafe_code)]
mod raw;
#[allow(unsafe_code)]
pub mod register;
#[allow(unsafe_code)]
pub mod ring;
pub mod setup;
#[allow(unsafe_code)]
pub mod squeue;
#[allow(unsafe_code)]
pub mod submit;
// The one file that calls the io_uring syscalls.
#[allow(unsafe_code)]
mod sys;
pub mod types;

pub use chain::{ChainTimeout, Link};
pub use cqueue::{CompletionQueue, Cqe, Cqe32, CqeEntry, CqeFlags, CqeMixed};
pub use probe::Probe;
pub use ring::Ring;
pub use setup::{Builder, Features, SetupFlags};
pub use squeue::{PushError, Sqe, Sqe128, SqeEntry, SqeFlags, SubmissionQueue};
pub use submit::{Submitter, WaitArgs};

/// The README's examples, compiled and run as doctests (the README opens with the first one).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
