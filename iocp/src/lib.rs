//! Thin, safe Windows I/O completion ports with owned `OVERLAPPED` operations.
//!
//! An I/O completion port is the kernel queue that overlapped I/O reports to. This crate gives you
//! the port ([`CompletionPort`]), handles and sockets bound to it ([`Attached`]), and overlapped
//! operations that own every byte the kernel touches: each operation is one heap allocation whose
//! first field is the `OVERLAPPED`, holding its buffer, and it is freed only once the kernel can no
//! longer write to it.
//!
//! | operation | Win32 call | on |
//! |---|---|---|
//! | [`Attached::read_at`] | `ReadFile` | files (at an offset), named pipes |
//! | [`Attached::write_at`] | `WriteFile` | files (at an offset), named pipes |
//! | [`Attached::recv`] | `WSARecv` | sockets |
//! | [`Attached::send`] | `WSASend` | sockets |
//! | [`Attached::accept`] | `AcceptEx` | listening TCP sockets |
//! | [`Attached::connect`] | `ConnectEx` | unconnected TCP sockets |
//! | [`Ticket::cancel`] | `CancelIoEx` | any operation still in flight |
//! | [`CompletionPort::post`] | `PostQueuedCompletionStatus` | the port itself |
//! | [`CompletionPort::get`], [`CompletionPort::get_many`] | `GetQueuedCompletionStatusEx` | the port itself |
//!
//! # Lifecycle of an operation
//!
//! Starting an operation returns a [`Submitted`]:
//!
//! - [`Submitted::Pending`] with a [`Ticket`]: the kernel owns the operation; its result arrives as
//!   a [`Completion::Op`] from [`CompletionPort::get`] or [`CompletionPort::get_many`]. The ticket
//!   can cancel it; dropping the ticket does not cancel it and frees nothing the kernel may write.
//! - [`Submitted::Done`] with a [`Done`]: the call finished without a completion packet (it failed
//!   at once, or it succeeded at once on a handle attached with
//!   [`Notify::SkipOnSuccess`]). Nothing will arrive at the port for it.
//!
//! Which of the two a call that returned at once gives is decided by the status the kernel
//! recorded in the `OVERLAPPED`, not by the error code: a call that failed with a warning status
//! underneath (a datagram or pipe message longer than the buffer: `WSAEMSGSIZE`,
//! `ERROR_MORE_DATA`) still queues a packet, so on a [`Notify::Always`] handle it is `Pending` and
//! its result comes through the port.
//!
//! One case is ambiguous: a [`Attached::read_at`] or [`Attached::write_at`] that fails inside the
//! call and leaves the `OVERLAPPED` untouched (an offset the file system refuses, an error from
//! the disk, a write on a read-only handle). Windows is not expected to queue a packet for it;
//! Wine queues one for some of these. Its `Done` is returned at once, a packet that follows is
//! dropped by [`CompletionPort::get`] and [`CompletionPort::get_many`], and the operation's small
//! header (not its buffer) stays allocated for that packet, so it leaks where none comes.
//!
//! Either way the [`Done`] hands back the buffer (or socket) with the byte count or the error.
//!
//! The memory of a pending operation is freed when its completion packet is dequeued and the
//! [`Done`] and [`Ticket`] are both dropped. If the port is closed first, the packet can never be
//! dequeued and the kernel may still write into the operation, so the operation is leaked on
//! purpose: keep the port alive until every pending operation has completed (cancel them and
//! drain the port when shutting down).
//!
#![cfg_attr(windows, doc = include_str!("example.md"))]
//!
//! # Soundness contract
//!
//! The port reads every non-null `OVERLAPPED` pointer in a completion packet as one of this crate's
//! operations. Attaching a handle is therefore `unsafe` ([`CompletionPort::associate_handle`],
//! [`CompletionPort::associate_socket`]): from then on, no code in any process may start
//! overlapped I/O on that file object with an `OVERLAPPED` of its own (one that does not set the
//! low bit of `hEvent`), and no code may change its completion notification modes, except through
//! this crate. Synchronous I/O through `std` (which passes no `OVERLAPPED`) is fine.
//!
//! # Platforms
//!
//! Windows only. On every other target this crate is empty: use `uring` or `epoll` on Linux and
//! `kqueue` on the BSDs and macOS.
//!
//! # References
//!
//! - [I/O Completion Ports](https://learn.microsoft.com/en-us/windows/win32/fileio/i-o-completion-ports)
//! - [Synchronous and Asynchronous I/O](https://learn.microsoft.com/en-us/windows/win32/fileio/synchronous-and-asynchronous-i-o)
#![cfg_attr(
    not(windows),
    doc = "\n\n**This build is not for Windows, so the crate is empty.**"
)]
// The docs above link the Windows items, which do not exist in an empty build.
#![cfg_attr(not(windows), allow(rustdoc::broken_intra_doc_links))]
// docs.rs (`--cfg docsrs`, nightly): badges saying which systems have an item.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(unsafe_code)]

#[cfg(windows)]
#[allow(unsafe_code)]
mod net;
#[cfg(windows)]
#[allow(unsafe_code)]
mod op;
#[cfg(windows)]
#[allow(unsafe_code)]
mod port;

#[cfg(windows)]
pub use net::tcp_socket;
#[cfg(windows)]
pub use op::{Done, Output, Submitted, Ticket};
#[cfg(windows)]
pub use port::{Attached, Completion, CompletionPort, Entries, Notify};

/// The README's examples, compiled and run as doctests (the README opens with the first one).
#[cfg(all(doctest, windows))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
