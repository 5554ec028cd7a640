//! Thin, safe kqueue bindings for FreeBSD, macOS (and the other Apple systems), NetBSD,
//! OpenBSD and DragonFly.
//!
#![cfg_attr(
    kqueue_os,
    doc = r#"
- [`Kqueue`] owns the queue's descriptor (close-on-exec).
- [`Change`] builds one `struct kevent` of the change list per filter: [`Filter::Read`],
  [`Filter::Write`], [`Filter::Timer`] (ns/µs/ms/s, absolute where the system has it),
  [`Filter::User`], [`Filter::Signal`], [`Filter::Vnode`], [`Filter::Proc`], and
  `Except`/`Machport` where they exist. A `&[Change]` goes to the kernel as it is.
- [`Kqueue::apply`] applies a batch with `EV_RECEIPT` and reports each change's error;
  [`Kqueue::wait`] applies changes and reads many [`Event`]s in one `kevent` call.
- Every field the kernel writes is decoded from its integer: an unknown filter is
  [`Filter::Unknown`], never an enum transmute; unknown flag bits are kept.
"#
)]
#![cfg_attr(
    not(kqueue_os),
    doc = r#"
*This build targets a system without kqueue, so the API is absent; its documentation is
rendered for the BSD and Apple targets (see `package.metadata.docs.rs`).*
"#
)]
//!
//! ## The ABI
//!
//! `struct kevent` differs per system: FreeBSD 12+ appends `uint64_t ext[4]`; NetBSD has a
//! `uint32_t` filter and flags, `int64_t` data and binds `kevent` as `__kevent50` (the 40-byte
//! layout; newer NetBSD keeps that symbol as a compatibility entry beside `__kevent100`);
//! macOS and DragonFly have `intptr_t` data; OpenBSD `int64_t`. The crate uses `libc`'s
//! struct and function for the target and proves at compile time that its own mirror has the
//! same size, field offsets and field types (and an alignment C's divides: Apple packs the
//! struct to 4 bytes), and that every constant it uses equals `libc`'s.
//!
//! The encoding and decoding (filters, flags, timer units, timeouts, user-event bits, receipt
//! errors) is written once, generic over a per-system table, and unit-tested for all five
//! systems on any Unix host, Linux included.
//!
//! ## Other systems
//!
//! On Linux, Windows and every system without kqueue this crate is empty: use `epoll` or
//! `uring` on Linux and `iocp` on Windows from this workspace.
//!
//! | system | minimum | notes |
//! |---|---|---|
//! | FreeBSD | 12 | `kevent@@FBSD_1.5`, `ext[4]` |
//! | macOS / iOS | 10.12 | `EVFILT_EXCEPT`, `EVFILT_MACHPORT`, `NOTE_EXITSTATUS` |
//! | NetBSD | 8 | timer units and `NOTE_ABSTIME` need 10 |
//! | OpenBSD | 7.x | `EVFILT_USER`, timer units need recent releases |
//! | DragonFly | 6 | millisecond timers only |
//!
//! MSRV: Rust 1.85.

// docs.rs (`--cfg docsrs`, nightly): badges saying which systems have an item.
#![cfg_attr(docsrs, feature(doc_cfg))]
// `kqueue_os` is our build-script shorthand, and `all(test, unix)` only lets the unit tests
// of the portable logic run on Linux: the badges name the systems instead.
#![cfg_attr(docsrs, doc(auto_cfg(hide(kqueue_os, test, unix))))]
#![deny(unsafe_code)]
#![warn(missing_docs)]

#[cfg(any(kqueue_os, all(test, unix)))]
mod change;
#[cfg(any(kqueue_os, all(test, unix)))]
mod event;
#[cfg(kqueue_os)]
mod kqueue;
#[cfg(any(kqueue_os, all(test, unix)))]
mod os;
#[cfg(kqueue_os)]
mod sys;
#[cfg(any(kqueue_os, all(test, unix)))]
mod types;

#[cfg(any(kqueue_os, all(test, unix)))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(
        target_os = "freebsd",
        target_os = "dragonfly",
        target_os = "netbsd",
        target_os = "openbsd",
        target_vendor = "apple"
    )))
)]
pub use change::Change;
#[cfg(any(kqueue_os, all(test, unix)))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(
        target_os = "freebsd",
        target_os = "dragonfly",
        target_os = "netbsd",
        target_os = "openbsd",
        target_vendor = "apple"
    )))
)]
pub use event::{Event, Events};
#[cfg(kqueue_os)]
#[cfg_attr(
    docsrs,
    doc(cfg(any(
        target_os = "freebsd",
        target_os = "dragonfly",
        target_os = "netbsd",
        target_os = "openbsd",
        target_vendor = "apple"
    )))
)]
pub use kqueue::{ChangeError, Kqueue, errno};
#[cfg(any(kqueue_os, all(test, unix)))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(
        target_os = "freebsd",
        target_os = "dragonfly",
        target_os = "netbsd",
        target_os = "openbsd",
        target_vendor = "apple"
    )))
)]
pub use types::{Filter, Flags, ProcEvents, Timer, UserOp, VnodeEvents};

/// The README's examples, compiled and run as doctests (the README opens with the first one).
#[cfg(all(doctest, kqueue_os))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
