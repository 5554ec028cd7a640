//! Thin, safe, zero-cost epoll for Linux.
//!
//! [`Epoll`] owns its fd; [`add`](Epoll::add), [`modify`](Epoll::modify) and
//! [`delete`](Epoll::delete) take any [`AsFd`](std::os::fd::AsFd), a `u64` token and an
//! [`Interest`] covering every bit the kernel accepts: level-triggered (the default),
//! [edge-triggered](Interest::EDGE_TRIGGERED), [oneshot](Interest::ONESHOT),
//! [exclusive](Interest::EXCLUSIVE), [read-closed](Interest::READ_CLOSED) reported apart from
//! hang-up, [wakeup](Interest::WAKEUP). [`wait`](Epoll::wait) fills the caller's reusable
//! [`Events`] buffer (no allocation per call) with nanosecond timeouts through `epoll_pwait2`.
//! [`Waker`] wakes a blocked wait from another thread, and
//! [`set_busy_poll`](Epoll::set_busy_poll) sets the busy-poll parameters.
//!
//! The calls go straight to `epoll-sys`; everything above them is `#[inline]` bookkeeping, so a
//! wait loop costs what the same loop written in C costs.
//!
//! ```
//! use epoll::{Epoll, Events, Interest};
//! use std::io::Write;
//! use std::os::unix::net::UnixStream;
//! use std::time::Duration;
//!
//! let ep = Epoll::new()?;
//! let (mut a, b) = UnixStream::pair()?;
//! ep.add(&b, 7, Interest::READABLE)?;
//! a.write_all(b"hi")?;
//!
//! let mut events = Events::with_capacity(64);
//! ep.wait(&mut events, Some(Duration::from_secs(1)))?;
//! let ev = events.iter().next().unwrap();
//! assert_eq!(ev.token(), 7);
//! assert!(ev.is_readable());
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Level- and edge-triggered
//!
//! **Level-triggered** (the default) reports a fd in every wait for as long as it is ready: data
//! left unread is reported again. **Edge-triggered** ([`Interest::EDGE_TRIGGERED`]) reports a
//! fd once per *change*: once the event is returned, it is not returned again until new data
//! arrives (or new space frees up), however much is left unread.
//!
//! ```
//! # use epoll::{Epoll, Events, Interest};
//! # use std::io::Write;
//! # use std::os::unix::net::UnixStream;
//! # use std::time::Duration;
//! let ep = Epoll::new()?;
//! let (mut a, level) = UnixStream::pair()?;
//! let (mut c, edge) = UnixStream::pair()?;
//! ep.add(&level, 1, Interest::READABLE)?;
//! ep.add(&edge, 2, Interest::READABLE | Interest::EDGE_TRIGGERED)?;
//! a.write_all(b"x")?;
//! c.write_all(b"x")?;
//!
//! let mut events = Events::with_capacity(8);
//! assert_eq!(ep.wait(&mut events, Some(Duration::ZERO))?, 2); // both are new
//! ep.wait(&mut events, Some(Duration::ZERO))?;
//! let tokens: Vec<u64> = events.iter().map(|e| e.token()).collect();
//! assert_eq!(tokens, [1]); // nothing was read: level reports again, edge does not
//!
//! c.write_all(b"y")?; // a new edge
//! ep.wait(&mut events, Some(Duration::ZERO))?;
//! assert_eq!(events.len(), 2);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # The drain-to-`EAGAIN` rule
//!
//! With edge triggering, a reader that stops before the fd says `EAGAIN`
//! ([`WouldBlock`](std::io::ErrorKind::WouldBlock)) may never hear of the rest of the data:
//! the edge it had was consumed. So on every edge-triggered event, read (or write, or accept)
//! until `WouldBlock`, with the fd non-blocking.
//!
//! ```
//! # use epoll::{Epoll, Events, Interest};
//! # use std::io::{ErrorKind, Read, Write};
//! # use std::os::unix::net::UnixStream;
//! # use std::time::Duration;
//! let ep = Epoll::new()?;
//! let (mut a, mut b) = UnixStream::pair()?;
//! b.set_nonblocking(true)?;
//! ep.add(&b, 0, Interest::READABLE | Interest::EDGE_TRIGGERED)?;
//! a.write_all(&[1; 10_000])?;
//!
//! let mut events = Events::with_capacity(8);
//! ep.wait(&mut events, Some(Duration::from_secs(1)))?;
//! let mut total = 0;
//! let mut buf = [0; 4096];
//! loop {
//!     match b.read(&mut buf) {
//!         Ok(0) => break, // EOF
//!         Ok(n) => total += n,
//!         Err(e) if e.kind() == ErrorKind::WouldBlock => break, // drained: wait again
//!         Err(e) => return Err(e),
//!     }
//! }
//! assert_eq!(total, 10_000);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # One-shot
//!
//! [`Interest::ONESHOT`] disables the registration after one event; [`Epoll::modify`] re-arms
//! it. Useful when several threads wait on one epoll and a fd must be handled by one at a time.
//!
//! ```
//! # use epoll::{Epoll, Events, Interest};
//! # use std::io::Write;
//! # use std::os::unix::net::UnixStream;
//! # use std::time::Duration;
//! let ep = Epoll::new()?;
//! let (mut a, b) = UnixStream::pair()?;
//! ep.add(&b, 3, Interest::READABLE | Interest::ONESHOT)?;
//! a.write_all(b"x")?;
//! let mut events = Events::with_capacity(8);
//! assert_eq!(ep.wait(&mut events, Some(Duration::ZERO))?, 1);
//! assert_eq!(ep.wait(&mut events, Some(Duration::ZERO))?, 0); // disarmed
//! ep.modify(&b, 3, Interest::READABLE | Interest::ONESHOT)?; // re-arm
//! assert_eq!(ep.wait(&mut events, Some(Duration::ZERO))?, 1);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Closing a registered fd, and the fd-reuse (ABA) hazard
//!
//! epoll registers an *open file description* under the fd number it was added with, and
//! does not keep it open. Closing a fd removes its registrations only if it was the last fd
//! referring to that file: if the fd was `dup`ed (or inherited by a child process), the
//! registration lives on and keeps reporting the **old token**, and it can no longer be
//! deleted through the closed number. If the number is then reused for a new file, events for
//! the old file arrive with a token your program now gives the new one (the ABA problem).
//!
//! Rule: [`delete`](Epoll::delete) a fd before closing it, and do not reuse tokens for new
//! registrations until then.
//!
//! ```
//! # use epoll::{Epoll, Events, Interest};
//! # use std::io::Write;
//! # use std::os::unix::net::UnixStream;
//! # use std::time::Duration;
//! let ep = Epoll::new()?;
//! let (mut a, b) = UnixStream::pair()?;
//! ep.add(&b, 9, Interest::READABLE)?;
//! let dup = b.try_clone()?; // a second fd for the same file
//! drop(b); // closes the registered number, not the file
//! a.write_all(b"x")?;
//! let mut events = Events::with_capacity(8);
//! ep.wait(&mut events, Some(Duration::ZERO))?;
//! assert_eq!(events.iter().next().unwrap().token(), 9); // still reported
//! // ... and `dup` is a different number, so it is not registered: `delete(&dup)` is ENOENT.
//! assert_eq!(ep.delete(&dup).unwrap_err().kind(), std::io::ErrorKind::NotFound);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # `EPOLLEXCLUSIVE` and its limits
//!
//! When one fd (a listening socket, say) is added to several epoll instances, each waited on by
//! its own thread, every thread wakes for every event (the thundering herd).
//! [`Interest::EXCLUSIVE`] makes the kernel wake one of them (or, if none is waiting at that
//! moment, possibly more). Limits: it is accepted only by [`add`](Epoll::add), never by
//! [`modify`](Epoll::modify) (`EINVAL`; delete and add again); it combines only with the
//! read/write bits, `ERROR`, `HANGUP`, `EDGE_TRIGGERED` and `WAKEUP` (`ONESHOT`, `PRIORITY`,
//! `READ_CLOSED` give `EINVAL`); it cannot target an epoll fd; and it does nothing
//! for a fd added to one instance waited on by several threads (use `ONESHOT` for that).
//!
//! ```
//! # use epoll::{Epoll, Interest};
//! # use std::io::ErrorKind;
//! # use std::os::unix::net::UnixStream;
//! let ep = Epoll::new()?;
//! let (_a, b) = UnixStream::pair()?;
//! ep.add(&b, 0, Interest::READABLE | Interest::EXCLUSIVE)?;
//! let err = ep.modify(&b, 0, Interest::READABLE).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::InvalidInput);
//! let (_c, d) = UnixStream::pair()?;
//! let err = ep.add(&d, 0, Interest::READABLE | Interest::EXCLUSIVE | Interest::ONESHOT);
//! assert_eq!(err.unwrap_err().kind(), ErrorKind::InvalidInput);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Signals and `EINTR`
//!
//! A signal handler that runs while a thread waits ends that wait with
//! [`Interrupted`](std::io::ErrorKind::Interrupted); `epoll_wait` is never restarted, even with
//! `SA_RESTART`. [`Epoll::wait`] returns the error instead of retrying, so a signal can stop a
//! loop; retry if you want to go on. [`Epoll::wait_with_sigmask`] (`epoll_pwait`) installs a
//! signal mask for the duration of the wait only.
//!
//! # Timeouts
//!
//! `None` waits forever, `Duration::ZERO` polls. Whole milliseconds use `epoll_wait`; a
//! sub-millisecond part uses `epoll_pwait2` (Linux 5.11+), or is rounded **up** on older kernels
//! and where a seccomp filter denies `epoll_pwait2` (with `ENOSYS` or `EPERM`, as container
//! profiles written before the call do): a positive timeout never turns into a zero-timeout busy
//! loop, and a denied `epoll_pwait2` never fails a wait.
//!
//! # References
//! - [epoll(7)](https://man7.org/linux/man-pages/man7/epoll.7.html)
//! - [epoll_ctl(2)](https://man7.org/linux/man-pages/man2/epoll_ctl.2.html)
//! - [epoll_wait(2)](https://man7.org/linux/man-pages/man2/epoll_wait.2.html)
//!
//! On targets other than Linux and Android the crate is empty.
// docs.rs (`--cfg docsrs`, nightly): badges saying which systems have an item.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(unsafe_code)]

#[cfg(any(target_os = "linux", target_os = "android"))]
mod error;
#[cfg(any(target_os = "linux", target_os = "android"))]
mod event;
#[cfg(any(target_os = "linux", target_os = "android"))]
mod flags;
#[cfg(any(target_os = "linux", target_os = "android"))]
mod instance;
#[cfg(any(target_os = "linux", target_os = "android"))]
mod sigset;
#[cfg(any(target_os = "linux", target_os = "android"))]
mod sys;
#[cfg(any(target_os = "linux", target_os = "android"))]
mod waker;
#[cfg(any(target_os = "linux", target_os = "android"))]
pub use error::{CtlError, ParamsError, errno};
#[cfg(any(target_os = "linux", target_os = "android"))]
pub use event::{Event, Events};
#[cfg(any(target_os = "linux", target_os = "android"))]
pub use flags::{Interest, Ready};
#[cfg(any(target_os = "linux", target_os = "android"))]
pub use instance::{BusyPoll, Epoll};
#[cfg(any(target_os = "linux", target_os = "android"))]
pub use sigset::SigSet;
#[cfg(any(target_os = "linux", target_os = "android"))]
pub use waker::Waker;

/// The README's examples, compiled and run as doctests (the README opens with the first one).
#[cfg(all(doctest, any(target_os = "linux", target_os = "android")))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
