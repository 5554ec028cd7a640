//! The ownership-safe layer: submit operations from safe code, and the kernel only ever
//! touches memory the driver still owns.
//!
//! # The ownership model
//!
//! A [`Driver`] owns one [`Ring`] and a slab of slots keyed by `user_data`. Submitting an
//! operation ([`Driver::submit`], [`Driver::submit_multishot`]) *moves* it — with its buffer,
//! path, `timespec`, `iovec`s, `msghdr`, … — into a slot, builds the SQE from the slot (whose
//! address never changes while occupied), and pushes it. The slot keeps everything until the
//! operation's **final** CQE:
//!
//! - single-shot: the one CQE, or for `SEND_ZC` the notification CQE (`IORING_CQE_F_NOTIF`)
//!   that follows the result — in general, the first CQE without `IORING_CQE_F_MORE`;
//! - multishot: the CQE without `IORING_CQE_F_MORE` (end of stream, error, `ENOBUFS`, cancel).
//!
//! Only then can [`Driver::take`] (or [`Driver::release`] for multishot) hand the memory back,
//! as `(io::Result<u32>, buffer)` for I/O, with the buffer's filled length set for reads.
//!
//! `user_data` is `1 << 63 | generation << 24 | slot index`; the generation starts at a random
//! value per slot and changes on every reuse, so a stale or foreign `user_data` is ignored, never
//! trusted. The reserved value `u64::MAX` marks the driver's own internal SQEs (cancels).
//!
//! Handles ([`Op`], [`Multishot`]) are plain names: dropping or `mem::forget`ting one frees
//! nothing, so it cannot cause a use-after-free; the slot stays until the operation ends and
//! the driver is dropped (or until [`Driver::detach`], which makes the driver finish and drop
//! the output itself: an fd accepted or opened by a detached or cancelled operation is closed,
//! never leaked).
//!
//! Nothing is allocated per operation on the hot path: an operation up to 64 bytes (a read
//! with a `Vec<u8>`, a send, a timeout with its `timespec`) lives inline in its slot; a larger
//! one (a `connect` with a `sockaddr_storage`, `recvmsg` with its `msghdr`) is boxed.
//!
//! # What is leaked, when
//!
//! Dropping a `Driver` with operations in flight submits `IORING_OP_ASYNC_CANCEL` with
//! `IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL` (after submitting what is pushed, so it
//! is never linked behind an open `IO_LINK` chain), also cancels synchronously
//! (`IORING_REGISTER_SYNC_CANCEL`, which an `IO_DRAIN` request cannot defer), and waits for the
//! final CQEs, up to
//! [`Driver::set_drop_timeout`] (2 s by default). The memory of every operation whose final CQE
//! did not arrive by then — and the provided-buffer rings and fixed-buffer pools, which such an
//! operation may still reach — is **leaked**, never freed: the kernel may still write into it.
//! A pushed SQE counts as in flight from the moment it is in the ring, even if
//! `io_uring_enter` then fails. `mem::forget(driver)` leaks everything and is likewise safe.
//!
//! # Soundness contract
//!
//! The driver hands memory back to safe code on a CQE, so it relies on invariants over state
//! that other APIs of this crate can reach. Each row is one invariant, every public API that
//! could reach that state, and how that API is guarded. `uring/tests/owned/attacks.rs` attacks
//! every row from safe code; the `compile_fail` examples below show the rows the type system
//! guards.
//!
//! | invariant | APIs that reach it | guard |
//! |---|---|---|
//! | **Tag space**: only the driver's own SQEs complete with a `user_data` that has bit 63 set ([`TAG`]) | the SQE's `user_data` | the driver sets it on every SQE it pushes ([`NoMemoryOp`] included); [`Driver::push_raw`] refuses bit 63 (check) |
//! | | `MSG_RING` data, poll update (`user_data` of another request) | not [`NoMemory`](crate::opcode::NoMemory), so only through `unsafe` [`Driver::push_raw`]/[`Ring::push`] (`unsafe` contract); [`register::send_msg_ring`](crate::register::send_msg_ring) refuses bit 63 (check) |
//! | | resource tags (files, buffers: the kernel posts a tag as a CQE) | every tagged registration refuses bit 63, on any ring (check) |
//! | | [`MsgRing`] to another driver | refuses bit 63 (check); names only a [`MsgTarget`], a driver's ring (type) |
//! | | SQEs pushed on a plain ring before [`Driver::from_ring`] | [`Ring::push`]'s `unsafe` contract: `user_data` with bit 63 must be complete before a driver owns the ring |
//! | **The generation is secret** from the API (a forger's second obstacle) | [`Key`] | no accessor; `Debug` and `Hash` see the index only; no `Ord` (type). The kernel itself shows it: `/proc/self/fdinfo/<ring fd>` lists the `user_data` of SQEs not yet consumed and CQEs not yet reaped, readable from safe code, so the tag-space row above is what keeps a forger out |
//! | **Completions are the kernel's**: an output trusts its CQE (bytes written, buffer id, new fd) | [`Operation::complete`], [`Operation::observe`], [`MultishotOperation::item`], [`MultishotOperation::observe`] | `unsafe fn`s: only the driver calls them, with the CQEs of the SQE the value built (type) |
//! | **The ring fd the driver enters and registers by** is its own | the thread's registered-ring table: `register_ring_fds`, `unregister_ring_fds` | `unsafe fn`s (their contract: never change an index a ring uses), and refused on a driver's ring (check) |
//! | **The tables the driver manages**: its file table, fixed-buffer table, provided-buffer rings | `register_files*`, `unregister_files`, `register_file_alloc_range`, `register_buffers*`, `unregister_buffers`, `register_clone_buffers`, `register_buf_ring*`, `unregister_buf_ring` | [`Driver::ring`] hands out a [`DriverRing`], whose [`Submitter`](crate::Submitter) refuses them with `PermissionDenied` (check); the full `Submitter` is never reachable while a driver owns the ring; `register_raw` is `unsafe` (contract) |
//! | **Slots, leases and rings belong to one driver** | [`Op`], [`Multishot`] handles; [`fixed::FixedBuf`] leases, [`fixed::FixedFile`] slots (through [`OpFile`]), [`pbuf::BufRing`] | each carries its driver's id, checked by [`Driver::take`]/[`Driver::next`]/[`Driver::release`]/[`Driver::cancel`] and by [`Operation::validate`] at submission (check); a handle's key carries the slot's generation (check). A file *slot* is a number like an fd ([`NoMemoryOp`] builders take raw slot numbers): naming one reaches a file, never memory |
//! | **What the kernel reports about owned memory is what it did** | the `MSG_*` flags of [`Recv`], [`Send`], [`SendZc`], [`SendMsg`], [`pbuf::RecvMulti`], [`pbuf::RecvSelect`], [`multishot::RecvMsgMulti`] (`MSG_TRUNC` reports bytes never copied; `MSG_ZEROCOPY` reads the buffer after the CQE) | allow-lists checked at submission, `InvalidInput` otherwise (check); a result longer than the buffer is `EUCLEAN` (check) |
//! | **The ring's memory layout** | [`Ring::resize`] | needs `&mut Ring`, which a driver never hands out (type); a remap that fails after the kernel resized marks the ring corrupt (`EUCLEAN`) |
//! | **Memory in flight stays owned** | dropping or forgetting handles, dropping the driver, [`Driver::detach`] | handles are names, not owners; the driver cancels, waits and leaks what is still in flight (see below), also when user code (a `complete`, a drop) panics during the drop |
//! | **Descriptors are owned once** | [`Close`], [`Accept`], [`OpenAt`], [`NoMemoryOp`] outputs | outputs come only from the `unsafe` completion path (type); `Close` closes the fd whether or not the kernel did, never twice |
//!
//! A completion cannot be made up and fed to an operation:
//!
//! ```compile_fail
//! use uring::driver::{Completion, Operation, Read};
//! let read = Read::new(uring::driver::OpFile::from_raw_fd(0), vec![0u8; 64], 0);
//! let forged = Completion { res: 64, flags: uring::CqeFlags::empty(), aux: 0 };
//! // error[E0133]: call to unsafe function: the bytes were never written.
//! let (_, buf) = read.complete(forged);
//! ```
//!
//! ```compile_fail
//! use uring::driver::{Completion, Accept, Operation};
//! let accept = Accept::new(uring::driver::OpFile::from_raw_fd(3), 0);
//! let forged = Completion { res: 1, flags: uring::CqeFlags::empty(), aux: 0 };
//! // error[E0133]: an `OwnedFd` for stdout would close it behind its owner's back.
//! let fd = accept.complete(forged);
//! ```
//!
//! The thread's registered-ring table cannot be changed from safe code:
//!
//! ```compile_fail
//! let ring = uring::Ring::new(4).unwrap();
//! // error[E0133]: another ring of this thread may enter by that index.
//! ring.submitter().unregister_ring_fds(&[0]).unwrap();
//! ```
//!
//! A driver's ring gives no `&Ring` (so neither `resize` nor the full `Submitter`):
//!
//! ```compile_fail
//! let d = uring::driver::Driver::new(4).unwrap();
//! let ring: &uring::Ring = d.ring();
//! ```
//!
//! # For runtime authors
//!
//! - **The loop.** Push operations ([`Driver::submit`]), then block in
//!   [`Driver::submit_and_wait`] (one syscall submits and waits), then [`Driver::reap`] with a
//!   closure that wakes the task waiting on each [`Key`]; each task [`Driver::take`]s its
//!   output. `examples/runtime.rs` is a whole single-threaded runtime built this way, with no
//!   `unsafe`.
//! - **Errors of the wait, in practice.** `EINTR` (a signal): call again, nothing is lost.
//!   `EBUSY` (the CQ overflowed and the kernel could not flush it) and `EAGAIN` (out of request
//!   memory): reap, then call again. A corrupt ring (`EUCLEAN`) is final: drop the driver.
//! - **Waking the loop from another thread**: [`Driver::waker`] (an eventfd read the driver
//!   keeps armed; not counted by [`Driver::in_flight`]).
//! - **A turn that must not block**, or a driver inside another event loop (the ring fd is
//!   `AsFd`: register it with epoll): on a `DEFER_TASKRUN` ring completions are task work that
//!   only runs inside an enter asking for events, so call [`Driver::get_events`] before `reap`.
//! - **A dropped future**: [`Driver::abandon`] (cancel + detach). `detach` alone leaves an idle
//!   `recv` in flight, holding its buffer, until the peer speaks.
//! - **Generic futures**: [`SubmitError::into_output`] turns a failed submission into the
//!   operation's own output ([`Operation::fail`]), buffers handed back.
//! - **Receive buffers.** A `Vec<u8>` is read into from index 0, over its whole capacity, and
//!   its `len` becomes the result if that is longer than it was: a `Vec::with_capacity(n)`
//!   comes back with `len` = the result, while a `vec![0; n]` keeps `len` n, with the bytes
//!   past the result as they were (stale data from an earlier use, or zeros). Use the result,
//!   not `len`, for a reused buffer. A [`Slice`] of a buffer reads into that range only.
//! - **Counting.** [`Driver::in_flight`] counts every pushed operation whose final CQE has not
//!   come, including the internal slot of a [`Driver::submit_with_timeout`]'s linked timeout
//!   (so one such call counts 2 until both CQEs are reaped) and detached operations.
//! - **Thread per core**: one driver per thread ([`Driver`] is `!Send`), messages between
//!   them with [`MsgRing`] to a [`MsgTarget`] (they arrive in
//!   [`Driver::foreign_completions`]).
//!
//! # Compared with the raw path
//!
//! [`Ring::push`] is `unsafe`: the caller promises every pointer in the SQE stays valid until
//! the completion. The driver discharges that promise by owning the memory. The cost is one
//! slab insert and remove per operation (no allocation, no syscall) and the move of the
//! operation into its slot; `benches/owned.rs` measures it against the raw path and tokio's
//! `io-uring` (`./x bench owned`): about 140 user-space instructions per batched NOP against the
//! raw path's 29, and 222 per 4 KiB read against 65 (the crate README breaks it down), where
//! the kernel's share of a read makes the rates about equal.
//!
//! Raw SQEs can still go through [`Driver::push_raw`]; their `user_data` must have bit 63
//! clear (checked), and their CQEs are kept for [`Driver::foreign_completions`]. Builders the
//! `opcode` module marks [`NoMemory`](crate::opcode::NoMemory) need no unsafe at all: wrap them
//! in [`NoMemoryOp`].
//!
//! # What is where
//!
//! | you want | use |
//! |---|---|
//! | receive a stream without managing buffers | [`pbuf`]: `driver.buf_ring(n, size)` + [`pbuf::RecvMulti`]; each item is a [`pbuf::BufRef`] that goes back to the ring on drop; `ENOBUFS` ends the stream ([`pbuf::is_no_buffers`]) and [`Driver::release`] + [`Driver::submit_multishot`] re-arms it. Incremental rings ([`Driver::buf_ring_incremental`]) and bundles ([`pbuf::RecvBundle`]) too |
//! | read/write/send/recv with your own buffer | [`Read`], [`Write`], [`Send`], [`Recv`], [`Readv`], [`Writev`], [`SendMsg`] with any [`IoBuf`]/[`IoBufMut`] (`Vec<u8>`, `Box<[u8]>`, `&'static [u8]`, a [`Slice`] of one) |
//! | zero-copy send | [`SendZc`], [`SendMsg::zero_copy`]: the buffer comes back with the notification CQE |
//! | registered buffers | [`Driver::fixed_buffers`] → [`fixed::FixedBufPool`] leases for [`fixed::ReadFixed`], [`fixed::WriteFixed`], [`SendZc::fixed`]; a lease of another driver is refused |
//! | registered files | [`Driver::fixed_files`] + [`Driver::install`] → an owned [`fixed::FixedFile`] slot |
//! | multishot accept/poll/timeout/recvmsg | [`multishot`] |
//! | a runtime | keep `Op<T>`s by [`Key`], call [`Driver::reap`] with a closure that wakes the task of each key, then [`Driver::take`]; [`Driver::abandon`] when a future is dropped (cancel + detach: `detach` alone leaves an idle `recv` in flight); [`Driver::waker`] to wake a blocked wait from another thread; [`Driver::get_events`] for a non-blocking turn on a `DEFER_TASKRUN` ring. `examples/runtime.rs` is a whole small runtime built this way |
//! | many ops, one tail publication | [`Driver::submit_batch`] |
//! | an op with a deadline | [`Driver::submit_with_timeout`] (`IORING_OP_LINK_TIMEOUT`), or cancel: [`Driver::cancel`], [`Driver::cancel_fd`], [`Driver::cancel_all`] |
//! | a memory-free opcode builder as it is | [`NoMemoryOp`] |
//!
//! # Limits
//!
//! - A `Driver` is single-threaded (`!Send`: buffer rings and pools are shared through `Rc`).
//! - A CQE can be *forged* into any ring by `IORING_OP_MSG_RING` from another ring that knows
//!   its fd (only through `unsafe`: every safe way to post one refuses bit 63); to pass as
//!   one of this driver's it must name a live slot and its 39-bit random generation (guessed,
//!   or read from `/proc/self/fdinfo` while the slot's SQE or a CQE of it is in the ring), and
//!   a wrong guess is counted in [`Driver::stale_completions`].
//! - A detached [`NoMemoryOp`] that installs a *direct* descriptor leaves the slot installed
//!   (only a table entry, no memory); fds are always closed.
//! - Operations that need more than 64 bytes of state (`SendMsg`, `Connect`, `Statx`,
//!   vectored I/O) allocate once per operation.

// Where the code is (the docs above are the design; each file's own docs say more):
// - api.rs: the `Driver` and its API (submit, reap, take, cancel, detach);
// - slot.rs: the type-erased slot storage (inline or boxed value, vtable, phase) and the
//   routing of each CQE to its slot (`dispatch`); slab.rs: the slab of slots and `Key`;
// - shutdown.rs: close and drop: cancel, bounded wait, leak what is still in flight;
// - error.rs: `SubmitError`, `TakeError`;
// - op/: `Operation`, `MultishotOperation`, `Completion` and the handles (op/operation.rs),
//   `OpFile` (op/file.rs), and the operations by family (rw, net, fs, timeout, misc);
// - fixed.rs (registered buffers and files, and their operations), pbuf/ (provided-buffer
//   rings: ring.rs, the guards in guard.rs, the operations in ops.rs), multishot.rs,
//   nomemory.rs (`NoMemoryOp`), remote.rs (`MsgRing`, `Waker`), buf.rs (`IoBuf`), view.rs
//   (`DriverRing`).
mod api;
#[cfg(test)]
pub(crate) use api::WAIT_TRANSIENT_RETRIES;
mod buf;
mod error;
pub mod fixed;
pub mod multishot;
mod nomemory;
mod op;
pub mod pbuf;
mod remote;
mod shutdown;
mod slab;
mod slot;
mod view;

pub use api::Driver;
pub use buf::{IoBuf, IoBufMut, Slice};
pub use error::{SubmitError, TakeError};
pub use nomemory::{BuildSqe, NoMemoryOp, NoMemoryOutput};
pub use op::{
    Accept, Close, Completion, Connect, Multishot, MultishotOperation, Nop, Op, OpFile, OpenAt,
    OpenAt2, Operation, Read, Readv, Recv, Send, SendMsg, SendZc, Statx, Timeout, Write, Writev,
};
pub use remote::{MsgRing, MsgTarget, Waker};
pub use slab::Key;
pub use view::DriverRing;

#[cfg(doc)]
use crate::ring::Ring;

/// Bit 63 of `user_data`: this CQE belongs to a driver slot.
pub const TAG: u64 = 1 << 63;
/// `user_data` of the driver's own SQEs (cancels); their CQEs are ignored.
pub const INTERNAL: u64 = u64::MAX;

/// The system page size (`sysconf(_SC_PAGESIZE)`), 4096 if it cannot be read.
pub(crate) fn page_size() -> usize {
    // SAFETY: `sysconf` only reads a configuration value.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if n > 0 { n as usize } else { 4096 }
}
