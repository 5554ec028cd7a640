//! Raw epoll ABI for Linux: `<sys/epoll.h>` and `<linux/eventpoll.h>`, exactly.
//!
//! Every struct, union, field and constant carries the name the C headers give it, and every
//! constant has the width of its C type (`__poll_t`/`uint32_t` event bits are `u32`, `int`
//! arguments are `c_int`). Layouts are asserted at compile time beside each definition and checked
//! against the machine's C compiler by this crate's tests (`tests/abi/c_compiler.rs`), and
//! against `libc` and `linux-raw-sys` (`tests/abi/crosscheck.rs`).
//!
//! Tracks the Linux 6.18 uapi (`include/uapi/linux/eventpoll.h`) and glibc's `<sys/epoll.h>`.
//!
//! - [`sys_epoll`] mirrors `<sys/epoll.h>`: [`epoll_event`] (packed to 12 bytes on x86_64, natural
//!   layout elsewhere), the [`epoll_data`] union, the `EPOLL*` event bits, `EPOLL_CTL_*`,
//!   [`EPOLL_CLOEXEC`] and the raw calls [`epoll_create1`], [`epoll_ctl`], [`epoll_wait`],
//!   [`epoll_pwait`] and [`epoll_pwait2`].
//! - [`eventpoll`] mirrors what only `<linux/eventpoll.h>` has: [`epoll_params`] with
//!   [`EPIOCSPARAMS`]/[`EPIOCGPARAMS`] (busy polling, Linux 6.9+), [`EPOLLNVAL`] and
//!   [`EPOLL_URING_WAKE`].
//!
//! This crate only names the ABI. For a safe interface use the `epoll` crate.
//!
//! On targets other than Linux and Android the crate is empty.
// docs.rs (`--cfg docsrs`, nightly): badges saying which systems have an item.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![no_std]
#![allow(non_camel_case_types, non_upper_case_globals)]

#[cfg(any(target_os = "linux", target_os = "android"))]
pub mod eventpoll;
#[cfg(any(target_os = "linux", target_os = "android"))]
pub mod sys_epoll;

#[cfg(any(target_os = "linux", target_os = "android"))]
pub use eventpoll::*;
#[cfg(any(target_os = "linux", target_os = "android"))]
pub use sys_epoll::*;

/// Re-export of the `libc` crate this one is built on (for `sigset_t`, `timespec`, `c_int`).
pub use libc;

/// The README's examples, compiled and run as doctests (the README opens with the first one).
#[cfg(all(doctest, any(target_os = "linux", target_os = "android")))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
