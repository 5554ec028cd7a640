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
//! | **Tag space**: only the driver's own SQEs complete with a `user_data` that has bit 63 set ([`TAG`]) | the SQE's `user_data` | the driver sets it on every SQE it pushes ([`NoMem`] included); [`Driver::push_raw`] refuses bit 63 (check) |
//! | | `MSG_RING` data, poll update (`user_data` of another request) | not [`NoMemory`](crate::opcode::NoMemory), so only through `unsafe` [`Driver::push_raw`]/[`Ring::push`] (`unsafe` contract); [`register::send_msg_ring`](crate::register::send_msg_ring) refuses bit 63 (check) |
//! | | resource tags (files, buffers: the kernel posts a tag as a CQE) | every tagged registration refuses bit 63, on any ring (check) |
//! | | [`MsgRing`] to another driver | refuses bit 63 (check); names only a [`MsgTarget`], a driver's ring (type) |
//! | | SQEs pushed on a plain ring before [`Driver::from_ring`] | [`Ring::push`]'s `unsafe` contract: `user_data` with bit 63 must be complete before a driver owns the ring |
//! | **The generation is secret** (a forger's second obstacle) | [`Key`] | no accessor; `Debug` and `Hash` see the index only; no `Ord` (type) |
//! | **Completions are the kernel's**: an output trusts its CQE (bytes written, buffer id, new fd) | [`Operation::complete`], [`Operation::observe`], [`MultishotOperation::item`], [`MultishotOperation::observe`] | `unsafe fn`s: only the driver calls them, with the CQEs of the SQE the value built (type) |
//! | **The ring fd the driver enters and registers by** is its own | the thread's registered-ring table: `register_ring_fds`, `unregister_ring_fds` | `unsafe fn`s (their contract: never change an index a ring uses), and refused on a driver's ring (check) |
//! | **The tables the driver manages**: its file table, fixed-buffer table, provided-buffer rings | `register_files*`, `unregister_files`, `register_file_alloc_range`, `register_buffers*`, `unregister_buffers`, `register_clone_buffers`, `register_buf_ring*`, `unregister_buf_ring` | [`Driver::ring`] hands out a [`DriverRing`], whose [`Submitter`](crate::Submitter) refuses them with `PermissionDenied` (check); the full `Submitter` is never reachable while a driver owns the ring; `register_raw` is `unsafe` (contract) |
//! | **Slots, leases and rings belong to one driver** | [`Op`], [`Multishot`] handles; [`fixed::FixedBuf`] leases, [`fixed::FixedFile`] slots (through [`Target`]), [`pbuf::BufRing`] | each carries its driver's id, checked by [`Driver::take`]/[`Driver::next`]/[`Driver::release`]/[`Driver::cancel`] and by [`Operation::validate`] at submission (check); a handle's key carries the slot's generation (check). A file *slot* is a number like an fd ([`NoMem`] builders take raw slot numbers): naming one reaches a file, never memory |
//! | **What the kernel reports about owned memory is what it did** | the `MSG_*` flags of [`Recv`], [`Send`], [`SendZc`], [`SendMsg`], [`pbuf::RecvMulti`], [`pbuf::RecvSelect`], [`multishot::RecvMsgMulti`] (`MSG_TRUNC` reports bytes never copied; `MSG_ZEROCOPY` reads the buffer after the CQE) | allow-lists checked at submission, `InvalidInput` otherwise (check); a result longer than the buffer is `EUCLEAN` (check) |
//! | **The ring's memory layout** | [`Ring::resize`] | needs `&mut Ring`, which a driver never hands out (type); a remap that fails after the kernel resized marks the ring corrupt (`EUCLEAN`) |
//! | **Memory in flight stays owned** | dropping or forgetting handles, dropping the driver, [`Driver::detach`] | handles are names, not owners; the driver cancels, waits and leaks what is still in flight (see below), also when user code (a `complete`, a drop) panics during the drop |
//! | **Descriptors are owned once** | [`Close`], [`Accept`], [`OpenAt`], [`NoMem`] outputs | outputs come only from the `unsafe` completion path (type); `Close` closes the fd whether or not the kernel did, never twice |
//!
//! A completion cannot be made up and fed to an operation:
//!
//! ```compile_fail
//! use uring::driver::{Completion, Operation, Read};
//! let read = Read::new(uring::driver::Target::from_raw_fd(0), vec![0u8; 64], 0);
//! let forged = Completion { res: 64, flags: uring::CqeFlags::empty(), aux: 0 };
//! // error[E0133]: call to unsafe function: the bytes were never written.
//! let (_, buf) = read.complete(forged);
//! ```
//!
//! ```compile_fail
//! use uring::driver::{Completion, Accept, Operation};
//! let accept = Accept::new(uring::driver::Target::from_raw_fd(3), 0);
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
//! raw path's 29, and 223 per 4 KiB read against 65 (the crate README breaks it down), where
//! the kernel's share of a read makes the rates about equal.
//!
//! Raw SQEs can still go through [`Driver::push_raw`]; their `user_data` must have bit 63
//! clear (checked), and their CQEs are kept for [`Driver::foreign_completions`]. Builders the
//! `opcode` module marks [`NoMemory`](crate::opcode::NoMemory) need no unsafe at all: wrap them
//! in [`NoMem`].
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
//! | a memory-free opcode builder as it is | [`NoMem`] |
//!
//! # Limits
//!
//! - A `Driver` is single-threaded (`!Send`: buffer rings and pools are shared through `Rc`).
//! - A CQE can be *forged* into any ring by `IORING_OP_MSG_RING` from another ring that knows
//!   its fd; to pass as one of this driver's it must name a live slot and guess its 39-bit
//!   random generation, and a wrong guess is counted in [`Driver::stale_completions`].
//! - A detached [`NoMem`] op that installs a *direct* descriptor leaves the slot installed
//!   (only a table entry, no memory); fds are always closed.
//! - Operations that need more than 64 bytes of state (`SendMsg`, `Connect`, `Statx`,
//!   vectored I/O) allocate once per operation.

mod buf;
pub mod fixed;
mod fs;
mod msg;
pub mod multishot;
mod op;
pub mod pbuf;
mod raw;
mod remote;
mod slab;
mod view;

use core::marker::PhantomData;
use core::mem::MaybeUninit;
use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub use buf::{IoBuf, IoBufMut, Slice};
pub use fs::{OpenAt2, Statx};
pub use msg::{Connect, Readv, SendMsg, Writev};
pub use op::{
    Accept, Close, Completion, Multishot, MultishotOperation, Nop, Op, OpenAt, Operation, Read,
    Recv, Send, SendZc, Target, Timeout, Write,
};
pub use raw::{BuildSqe, NoMem, NoMemOutput};
pub use remote::{MsgRing, MsgTarget, Waker};
pub use slab::Key;
pub use view::DriverRing;

use crate::cqueue::{Cqe, CqeFlags};
use crate::opcode;
use crate::ring::Ring;
use crate::squeue::Sqe;
use crate::types::CancelFlags;
use slab::Slab;

/// Bit 63 of `user_data`: this CQE belongs to a driver slot.
pub const TAG: u64 = 1 << 63;
/// `user_data` of the driver's own SQEs (cancels); their CQEs are ignored.
pub const INTERNAL: u64 = u64::MAX;

/// Bytes of an operation stored inline in its slot; larger operations are boxed.
const INLINE: usize = 64;

/// The inline storage of one slot: 64 bytes, 8-aligned.
#[repr(C, align(8))]
struct Inline(MaybeUninit<[u8; INLINE]>);

/// Whether `T` is stored inline (else a `Box<T>` is).
const fn fits<T>() -> bool {
    size_of::<T>() <= INLINE && align_of::<T>() <= 8
}

impl Inline {
    #[cfg(test)]
    fn new<T>(value: T) -> Inline {
        let mut s = Inline(MaybeUninit::uninit());
        if fits::<T>() {
            // SAFETY: `T` fits the 64 bytes and 8-byte alignment of `Inline` (checked just above).
            unsafe { s.0.as_mut_ptr().cast::<T>().write(value) };
        } else {
            // SAFETY: a `Box<T>` is one pointer: 8 bytes, 8-aligned, which `Inline` holds.
            unsafe { s.0.as_mut_ptr().cast::<Box<T>>().write(Box::new(value)) };
        }
        s
    }

    /// Stores `value` over whatever the storage held (which is not dropped).
    #[inline]
    fn write<T>(&mut self, value: T) {
        if fits::<T>() {
            // SAFETY: `T` fits the 64 bytes and 8-byte alignment of `Inline` (checked just above).
            unsafe { self.0.as_mut_ptr().cast::<T>().write(value) };
        } else {
            // SAFETY: a `Box<T>` is one pointer: 8 bytes, 8-aligned, which `Inline` holds.
            unsafe { self.0.as_mut_ptr().cast::<Box<T>>().write(Box::new(value)) };
        }
    }

    /// # Safety
    /// A `T` was stored by `Inline::new::<T>` and not taken or dropped since.
    #[inline]
    unsafe fn get_mut<T>(&mut self) -> &mut T {
        if fits::<T>() {
            // SAFETY: the caller's promise: a live `T` is stored inline.
            unsafe { &mut *self.0.as_mut_ptr().cast::<T>() }
        } else {
            // SAFETY: the caller's promise: a live `Box<T>` is stored inline.
            unsafe { &mut *self.0.as_mut_ptr().cast::<Box<T>>() }
        }
    }

    /// # Safety
    /// As for `get_mut`; afterwards the storage holds no value.
    #[inline]
    unsafe fn take<T>(&mut self) -> T {
        if fits::<T>() {
            // SAFETY: the caller's promise: a live `T` is stored inline; it is moved out once.
            unsafe { self.0.as_mut_ptr().cast::<T>().read() }
        } else {
            // SAFETY: as above, for the box.
            unsafe { *self.0.as_mut_ptr().cast::<Box<T>>().read() }
        }
    }
}

/// The type-erased operations on a slot's stored value.
struct VTable {
    /// Drops the stored value (an operation that never went in flight or is finished).
    drop: unsafe fn(&mut Inline),
    /// Every CQE, at reap time: `observe`.
    observe: unsafe fn(&mut Inline, &mut Completion),
    /// A non-final CQE of a detached multishot operation: make the item and drop it.
    more: unsafe fn(&mut Inline, Completion),
    /// Finishes a detached operation: completes it with the final CQE and drops the output.
    finish: unsafe fn(&mut Inline, Completion),
    /// Makes and drops one item from a queued multishot CQE (used when dropping the driver).
    drop_item: unsafe fn(&mut Inline, Completion),
}

// The vtable's functions share one contract. Each `unsafe fn` below requires:
// - the slot stores a live `T` (the vtable for `T` is only paired with a slot storing a `T`:
//   `Slot::init_single`/`Slot::init_multi`);
// - for those taking a completion: it is a CQE the kernel posted for the SQE built from that
//   very `T` (only `dispatch` makes one, from a CQE whose `user_data` named this slot at this
//   generation while in flight — a value no safe API lets anyone else post, see the soundness
//   contract above), passed once, in ring order; `finish` gets the final one.

/// # Safety
/// See the vtable's contract above.
unsafe fn drop_stored<T>(s: &mut Inline) {
    // SAFETY: the slot stores a `T` (the vtable's contract).
    drop(unsafe { s.take::<T>() });
}

/// # Safety
/// See the vtable's contract above.
unsafe fn single_observe<T: Operation>(s: &mut Inline, c: &mut Completion) {
    // SAFETY: the slot stores a `T` and `c` is one of its CQEs (the vtable's contract).
    unsafe { s.get_mut::<T>().observe(c) };
}

/// # Safety
/// See the vtable's contract above.
unsafe fn multi_observe<T: MultishotOperation>(s: &mut Inline, c: &mut Completion) {
    // SAFETY: as in `single_observe`.
    unsafe { s.get_mut::<T>().observe(c) };
}

/// # Safety
/// See the vtable's contract above; `c` is the final CQE.
unsafe fn single_finish<T: Operation>(s: &mut Inline, c: Completion) {
    // SAFETY: the slot stores a `T`, taken once; `c` is its final CQE (the contract).
    drop(unsafe { s.take::<T>().complete(c) });
}

/// # Safety
/// See the vtable's contract above.
unsafe fn multi_more<T: MultishotOperation>(s: &mut Inline, c: Completion) {
    // SAFETY: the slot stores a `T` and `c` is one of its observed CQEs (the contract).
    drop(unsafe { s.get_mut::<T>().item(c) });
}

/// # Safety
/// See the vtable's contract above; `c` is the final CQE.
unsafe fn multi_finish<T: MultishotOperation>(s: &mut Inline, c: Completion) {
    // SAFETY: the slot stores a `T`, taken once.
    let mut op = unsafe { s.take::<T>() };
    // SAFETY: `c` is its final, observed CQE (the contract).
    drop(unsafe { op.item(c) });
    drop(op);
}

/// # Safety
/// See the vtable's contract above.
unsafe fn multi_drop_item<T: MultishotOperation>(s: &mut Inline, c: Completion) {
    // SAFETY: as in `multi_more`.
    drop(unsafe { s.get_mut::<T>().item(c) });
}

unsafe fn no_item(_: &mut Inline, _: Completion) {}

/// Where an operation is in its life (the low two bits of [`Slot::state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Phase {
    /// In the slot, SQE not pushed yet (or building it panicked).
    Preparing = 0,
    /// Pushed: the kernel may use the memory.
    InFlight = 1,
    /// The final CQE arrived: the memory is ours again.
    Done = 2,
}

/// [`Slot::state`] bits: the phase, and whether the operation is multishot or detached. One
/// byte, so the hot paths (reap, take) test a slot with one compare: a single-shot, attached
/// operation in flight is exactly `Phase::InFlight`, a finished one exactly `Phase::Done`.
const PHASE_MASK: u8 = 3;
const MULTI: u8 = 4;
const DETACHED: u8 = 8;
/// The stored single-shot operation wants its CQEs seen ([`Operation::OBSERVES`]).
const OBSERVE: u8 = 16;

/// The hot fields first (state, final CQE, vtable): reap and take touch those and the start of
/// the inline value; the multishot queue is cold.
///
/// 96 bytes, 112 with the slab's key and free-list link: the multishot queue is boxed (one
/// pointer, not a 32-byte `VecDeque` in every slot), since only multishot operations use it.
struct Slot {
    /// `Phase as u8 | MULTI | DETACHED`.
    state: u8,
    /// The final CQE of a single-shot operation.
    last: Completion,
    vt: &'static VTable,
    data: Inline,
    /// Queued CQEs of a multishot operation, oldest first. Made when the slot first holds a
    /// multishot operation and kept (emptied) for the next ones, like the slot itself.
    #[allow(
        clippy::box_collection,
        reason = "the box is the point: 8 bytes in every slot instead of the 32 of a VecDeque"
    )]
    queue: Option<Box<VecDeque<Completion>>>,
}

impl Slot {
    #[inline]
    fn phase(&self) -> Phase {
        match self.state & PHASE_MASK {
            0 => Phase::Preparing,
            1 => Phase::InFlight,
            _ => Phase::Done,
        }
    }

    #[inline]
    fn set_phase(&mut self, p: Phase) {
        self.state = (self.state & !PHASE_MASK) | p as u8;
    }

    #[inline]
    fn multishot(&self) -> bool {
        self.state & MULTI != 0
    }

    #[inline]
    fn detached(&self) -> bool {
        self.state & DETACHED != 0
    }

    #[inline]
    fn set_detached(&mut self) {
        self.state |= DETACHED;
    }

    /// Makes this (vacant) slot hold a single-shot `op`, in place.
    #[inline]
    fn init_single<T: Operation>(&mut self, op: T) {
        self.data.write(op);
        self.vt = const {
            &VTable {
                drop: drop_stored::<T>,
                observe: if T::OBSERVES {
                    single_observe::<T>
                } else {
                    no_observe
                },
                more: no_item,
                finish: single_finish::<T>,
                drop_item: no_item,
            }
        };
        self.state = Phase::Preparing as u8;
    }

    /// Makes this (vacant) slot hold a multishot `op`, in place.
    #[inline]
    fn init_multi<T: MultishotOperation>(&mut self, op: T) {
        self.data.write(op);
        self.vt = const {
            &VTable {
                drop: drop_stored::<T>,
                observe: multi_observe::<T>,
                more: multi_more::<T>,
                finish: multi_finish::<T>,
                drop_item: multi_drop_item::<T>,
            }
        };
        self.state = Phase::Preparing as u8 | MULTI;
        match &mut self.queue {
            Some(q) => q.clear(),
            None => self.queue = Some(Box::default()),
        }
    }

    /// The multishot queue (made on first use: `init_multi` already made it for a multishot
    /// slot, so this never allocates there).
    #[inline]
    fn queue(&mut self) -> &mut VecDeque<Completion> {
        self.queue.get_or_insert_with(Box::default)
    }

    /// The oldest queued multishot CQE (none for a single-shot slot).
    #[inline]
    fn pop_queued(&mut self) -> Option<Completion> {
        self.queue.as_mut()?.pop_front()
    }

    /// Whether no multishot CQE is queued.
    #[inline]
    fn nothing_queued(&self) -> bool {
        self.queue.as_ref().is_none_or(|q| q.is_empty())
    }

    /// Makes this (vacant) slot hold a single-shot `op`, builds its SQE there (the slot does
    /// not move while occupied) and marks it in flight: the push that follows either succeeds
    /// or hands the op back ([`take_unpushed`]).
    #[inline]
    fn start_single<T: Operation>(&mut self, op: T) -> Sqe {
        self.init_single(op);
        // SAFETY: `init_single::<T>` just stored a `T`.
        let sqe = unsafe { self.data.get_mut::<T>() }.sqe();
        self.state = Phase::InFlight as u8 | if T::OBSERVES { OBSERVE } else { 0 };
        sqe
    }

    /// As [`Slot::start_single`], for a multishot `op`.
    #[inline]
    fn start_multi<T: MultishotOperation>(&mut self, op: T) -> Sqe {
        self.init_multi(op);
        // SAFETY: `init_multi::<T>` just stored a `T`.
        let sqe = unsafe { self.data.get_mut::<T>() }.sqe();
        self.state = Phase::InFlight as u8 | MULTI;
        sqe
    }

    #[cfg(test)]
    fn single<T: Operation>(op: T) -> Slot {
        let mut s = Slot::default();
        s.init_single(op);
        s
    }
}

unsafe fn no_observe(_: &mut Inline, _: &mut Completion) {}
unsafe fn no_drop(_: &mut Inline) {}

impl Default for Slot {
    /// A vacant slot: no value stored (the vtable does nothing).
    fn default() -> Slot {
        Slot {
            data: Inline(MaybeUninit::uninit()),
            vt: const {
                &VTable {
                    drop: no_drop,
                    observe: no_observe,
                    more: no_item,
                    finish: no_item,
                    drop_item: no_item,
                }
            },
            state: Phase::Done as u8,
            last: Completion {
                res: 0,
                flags: CqeFlags::empty(),
                aux: 0,
            },
            queue: None,
        }
    }
}

/// Why a submission failed; the operation (with its buffer) is handed back.
pub struct SubmitError<T> {
    /// What went wrong.
    pub error: io::Error,
    /// The operation, untouched by the kernel.
    pub op: T,
}

impl<T> SubmitError<T> {
    /// The operation back.
    pub fn into_op(self) -> T {
        self.op
    }
}

impl<T: Operation> SubmitError<T> {
    /// The failure as the operation's own output ([`Operation::fail`]): the error as the
    /// result, with the memory the operation owns handed back — what a generic future over
    /// any `T: Operation` returns when submitting failed.
    pub fn into_output(self) -> T::Output {
        self.op.fail(self.error)
    }
}

impl<T> fmt::Debug for SubmitError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubmitError")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Display for SubmitError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "submission failed: {}", self.error)
    }
}

impl<T> std::error::Error for SubmitError<T> {}

impl<T> From<SubmitError<T>> for io::Error {
    fn from(e: SubmitError<T>) -> io::Error {
        e.error
    }
}

/// Why [`Driver::take`] could not hand the output back yet; the handle is returned.
pub enum TakeError<H> {
    /// The final completion has not arrived; reap and try again.
    Pending(H),
    /// The handle belongs to another driver (or was already redeemed).
    Foreign(H),
}

impl<H> fmt::Debug for TakeError<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TakeError::Pending(_) => f.write_str("Pending"),
            TakeError::Foreign(_) => f.write_str("Foreign"),
        }
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The ownership-safe driver: a [`Ring`] and the slots that own each operation's memory.
///
/// See the [module docs](self) for the model.
pub struct Driver {
    ring: Ring,
    slab: Slab<Slot>,
    id: u64,
    /// Pushed and not finished (single-shot: no final CQE; multishot: idem).
    in_flight: usize,
    foreign: Vec<Cqe>,
    drop_timeout: Duration,
    stale: u64,
    /// Buffer rings and pools an in-flight operation may reach: leaked if one is leaked.
    pub(crate) keep: Vec<std::rc::Rc<dyn std::any::Any>>,
    pub(crate) next_bgid: u16,
    /// The eventfd read behind [`Driver::waker`], once one was asked for.
    wake: Option<remote::WakeState>,
    /// The opcodes found supported (the probe is asked once per opcode).
    opcodes_ok: KnownOpcodes,
}

impl fmt::Debug for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver")
            .field("id", &self.id)
            .field("ring", &self.ring)
            .field("slots", &self.slab.len())
            .field("in_flight", &self.in_flight)
            .finish_non_exhaustive()
    }
}

impl Driver {
    /// A driver on a new ring of `entries` SQEs (`io_uring_setup(2)`).
    pub fn new(entries: u32) -> io::Result<Driver> {
        Ok(Driver::from_ring(Ring::new(entries)?))
    }

    /// A driver on `ring`. The ring must not have SQEs in flight that were pushed elsewhere
    /// with `user_data` bit 63 set.
    pub fn from_ring(ring: Ring) -> Driver {
        Driver {
            ring,
            slab: Slab::new(),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            in_flight: 0,
            foreign: Vec::new(),
            drop_timeout: Duration::from_secs(2),
            stale: 0,
            keep: Vec::new(),
            next_bgid: 0,
            wake: None,
            opcodes_ok: KnownOpcodes::default(),
        }
    }

    /// The ring, as far as safe code may reach it while the driver owns it: features, the
    /// probe, waits, and the registrations that do not touch the tables the driver manages
    /// (see [`DriverRing`]).
    #[inline]
    pub fn ring(&self) -> DriverRing<'_> {
        DriverRing::new(&self.ring)
    }

    /// This driver's id: fixed-buffer leases and provided-buffer rings carry it, and operations
    /// using them are refused by any other driver.
    #[inline]
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Operations pushed whose final CQE has not arrived.
    #[inline]
    pub fn in_flight(&self) -> usize {
        let waker = self.wake.as_ref().is_some_and(|w| w.armed.get());
        self.in_flight - usize::from(waker)
    }

    /// CQEs whose tagged `user_data` named no live slot (stale or forged), ignored.
    #[inline]
    pub fn stale_completions(&self) -> u64 {
        self.stale
    }

    /// How long dropping the driver waits for cancelled operations before leaking them.
    pub fn set_drop_timeout(&mut self, d: Duration) {
        self.drop_timeout = d;
    }

    /// Pushes `sqe`, making room by submitting when the SQ is full.
    #[inline]
    fn push(&mut self, sqe: &Sqe) -> io::Result<()> {
        // SAFETY: every pointer in `sqe` is owned by a slot that stays occupied until the final
        // CQE (the `Operation` contract), or the SQE carries none (internal cancels).
        if unsafe { self.ring.push(sqe) }.is_ok() {
            return Ok(());
        }
        // Full: hand the pushed SQEs to the kernel and try once more.
        self.ring.submit()?;
        // SAFETY: as above.
        unsafe { self.ring.push(sqe) }.map_err(io::Error::from)
    }

    /// Moves `op` into a slot and pushes its SQE (no syscall unless the SQ is full; see
    /// [`Driver::submit_pending`]).
    ///
    /// # Errors
    /// The operation is refused by [`Operation::validate`] (e.g. a fixed-buffer lease of
    /// another ring), the slab is full, or the SQ stays full; the operation is handed back.
    #[inline(always)]
    pub fn submit<T: Operation>(&mut self, op: T) -> Result<Op<T>, SubmitError<T>> {
        if let Err(error) = op.validate(self.id) {
            return Err(SubmitError { error, op });
        }
        // SAFETY: `start_single::<T>` stores `op` as a `T`.
        let key = unsafe { self.start_and_push(op, Slot::start_single::<T>) }?;
        Ok(Op {
            key,
            driver: self.id,
            _t: PhantomData,
        })
    }

    /// What [`Driver::submit`] and [`Driver::submit_multishot`] share: makes room in the SQ,
    /// occupies a slot with `op` through `start` and writes its SQE into the ring; on failure
    /// the op comes back, the slot free.
    ///
    /// # Safety
    /// `start` stores `op` in the slot as a `T` (it is [`Slot::start_single`] or
    /// [`Slot::start_multi`] for `T`).
    #[inline(always)]
    unsafe fn start_and_push<T>(
        &mut self,
        op: T,
        start: impl FnOnce(&mut Slot, T) -> Sqe,
    ) -> Result<Key, SubmitError<T>> {
        let Driver {
            ring,
            slab,
            in_flight,
            opcodes_ok,
            ..
        } = self;
        // Room first (as `submit_batch`), so the SQE can be written as soon as it is built.
        let mut sq = ring.sq();
        if sq.reserve_one().is_err() {
            drop(sq);
            sq = match sq_after_submit(ring) {
                Ok(sq) => sq,
                Err(error) => return Err(SubmitError { error, op }),
            };
        }
        let (key, sqe) = occupy(slab, op, start)?;
        // An opcode this kernel lacks is the error naming the release that added it (e.g.
        // SEND_ZC, Linux 6.0), not a bare EINVAL in the CQE. Asked once per opcode, with the
        // SQ held (asking moves no index, so the room reserved above stays).
        // (A ring over the model kernel asks nobody: the model answers for itself.)
        if let Err(error) = opcodes_ok.check(sqe.opcode(), |o| sq.supports_opcode(o)) {
            // SAFETY: `start` stored a `T` (this function's contract), never pushed.
            let op = unsafe { take_unpushed::<T>(slab, key) };
            return Err(SubmitError { error, op });
        }
        // SAFETY: a slot was reserved above and nothing written since; the slot at `key`
        // owns every pointer in `sqe` until the final CQE (the `Operation` contract).
        unsafe { sq.write_reserved(sqe) };
        *in_flight += 1;
        Ok(key)
    }

    /// Submits `op` with a timeout (`IORING_OP_LINK_TIMEOUT` linked behind it): if it has not
    /// completed after `timeout`, the kernel cancels it and its result is `ECANCELED` (a
    /// partial result if it had started). The timer's `timespec` is owned by an internal slot
    /// the driver finishes by itself. Linux 5.5+.
    ///
    /// # Errors
    /// As for [`Driver::submit`]; also when two SQ entries cannot be freed by submitting.
    pub fn submit_with_timeout<T: Operation>(
        &mut self,
        op: T,
        timeout: Duration,
    ) -> Result<Op<T>, SubmitError<T>> {
        if let Err(error) = op.validate(self.id) {
            return Err(SubmitError { error, op });
        }
        // Both SQEs must go in back to back: make room for two first.
        if self.ring.sq_space_left() < 2 {
            if let Err(error) = self.ring.submit() {
                return Err(SubmitError { error, op });
            }
            if self.ring.sq_space_left() < 2 {
                return Err(SubmitError {
                    error: io::Error::new(
                        io::ErrorKind::WouldBlock,
                        "the submission queue has no room for an operation and its timeout; \
                         reap completions and retry",
                    ),
                    op,
                });
            }
        }
        let (key, sqe) = occupy(&mut self.slab, op, Slot::start_single::<T>)?;
        // As in `submit`: an opcode this kernel lacks (the operation's, or LINK_TIMEOUT's) is
        // refused with the release that added it, not a bare EINVAL in the CQE.
        let checked = [sqe.opcode(), uring_sys::IORING_OP_LINK_TIMEOUT]
            .into_iter()
            .try_for_each(|opcode| {
                self.opcodes_ok
                    .check(opcode, |o| self.ring.supports_opcode(o))
            });
        if let Err(error) = checked {
            // SAFETY: `start_single` stored a `T`, never pushed.
            let op = unsafe { take_unpushed::<T>(&mut self.slab, key) };
            return Err(SubmitError { error, op });
        }
        let sqe = sqe.flags(crate::squeue::SqeFlags::IO_LINK);
        let timer = occupy(
            &mut self.slab,
            op::LinkTimeout::new(timeout),
            |slot, t: op::LinkTimeout| {
                let sqe = slot.start_single(t);
                slot.set_detached();
                sqe
            },
        );
        let pushed = match timer {
            Ok((tkey, tsqe)) => {
                let mut sq = self.ring.sq();
                // SAFETY: both slots own every pointer in their SQEs until their final CQEs;
                // room for both was made above, so neither push fails.
                let r = unsafe { sq.push_multiple(&[sqe, tsqe]) };
                drop(sq);
                match r {
                    Ok(()) => Ok(()),
                    Err(e) => {
                        // SAFETY: `start_single` stored a `LinkTimeout`, never pushed.
                        let _: op::LinkTimeout = unsafe { take_unpushed(&mut self.slab, tkey) };
                        Err(io::Error::from(e))
                    }
                }
            }
            Err(e) => Err(e.error),
        };
        match pushed {
            Ok(()) => {
                self.in_flight += 2;
                Ok(Op {
                    key,
                    driver: self.id,
                    _t: PhantomData,
                })
            }
            Err(error) => {
                // SAFETY: `start_single` stored a `T`, never pushed.
                let op = unsafe { take_unpushed::<T>(&mut self.slab, key) };
                Err(SubmitError { error, op })
            }
        }
    }

    /// Submits many operations with one SQ tail publication (the raw path's batching):
    /// `out` gets each one's handle, or its error with the operation handed back, in order.
    /// No syscall unless the SQ fills up.
    ///
    /// As [`Driver::submit`], an operation whose opcode the running kernel lacks is refused
    /// with the error naming the release that added it (the kernel's probe, asked once per
    /// opcode per driver).
    pub fn submit_batch<T: Operation>(
        &mut self,
        ops: impl IntoIterator<Item = T>,
        mut out: impl FnMut(Result<Op<T>, SubmitError<T>>),
    ) {
        let Driver {
            ring,
            slab,
            id,
            in_flight,
            opcodes_ok,
            ..
        } = self;
        let id = *id;
        let mut sq = ring.sq();
        for op in ops {
            if let Err(error) = op.validate(id) {
                out(Err(SubmitError { error, op }));
                continue;
            }
            // Room first, so nothing has to be undone after the slot is filled and the SQE is
            // built straight into the ring.
            if sq.reserve_one().is_err() {
                // Full: publish, let the kernel take what is there, and look once more.
                drop(sq);
                let r = ring.submit();
                sq = ring.sq();
                if let Err(error) = r.and_then(|_| sq.reserve_one().map_err(io::Error::from)) {
                    out(Err(SubmitError { error, op }));
                    continue;
                }
            }
            match occupy(slab, op, Slot::start_single::<T>) {
                Ok((key, sqe)) => {
                    // As in `start_and_push`: an opcode this kernel lacks is refused with its
                    // release; asked once per opcode. The SQ stays held (the probe is the
                    // process's, not the ring's), so the room reserved above is still there.
                    if let Err(error) = opcodes_ok.check(sqe.opcode(), |o| sq.supports_opcode(o)) {
                        // SAFETY: `start_single::<T>` stored a `T`, never pushed.
                        let op = unsafe { take_unpushed::<T>(slab, key) };
                        out(Err(SubmitError { error, op }));
                        continue;
                    }
                    // SAFETY: a slot was reserved just above (nothing was written since); as
                    // in `push`, the slot owns every pointer in `sqe` until the final CQE.
                    unsafe { sq.write_reserved(sqe) };
                    // Counted before `out` runs (it may panic): the SQE is in the ring, and
                    // `sq` publishes it even while unwinding.
                    *in_flight += 1;
                    out(Ok(Op {
                        key,
                        driver: id,
                        _t: PhantomData,
                    }));
                }
                Err(e) => out(Err(e)),
            }
        }
    }

    /// Moves a multishot `op` into a slot and pushes its SQE.
    ///
    /// # Errors
    /// As for [`Driver::submit`].
    pub fn submit_multishot<T: MultishotOperation>(
        &mut self,
        op: T,
    ) -> Result<Multishot<T>, SubmitError<T>> {
        if let Err(error) = op.validate(self.id) {
            return Err(SubmitError { error, op });
        }
        // SAFETY: `start_multi::<T>` stores `op` as a `T`.
        let key = unsafe { self.start_and_push(op, Slot::start_multi::<T>) }?;
        Ok(Multishot {
            key,
            driver: self.id,
            _t: PhantomData,
        })
    }

    /// Pushes a raw SQE whose memory the caller vouches for.
    ///
    /// # Safety
    /// As for [`Ring::push`]: every pointer in `sqe` stays valid until its completion.
    ///
    /// # Errors
    /// `user_data` with bit 63 set (reserved for the driver: `InvalidInput`), or the SQ is full.
    pub unsafe fn push_raw(&mut self, sqe: &Sqe) -> io::Result<()> {
        if sqe.get_user_data() & TAG != 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "user_data with bit 63 set is reserved for the driver's own operations; \
                 use a value below 1 << 63",
            ));
        }
        if self.ring.sq_space_left() == 0 {
            self.ring.submit()?;
        }
        // SAFETY: the caller's promise.
        unsafe { self.ring.push(sqe) }.map_err(io::Error::from)
    }

    /// CQEs of raw SQEs (untagged `user_data`), collected by [`Driver::reap`].
    pub fn foreign_completions(&mut self) -> std::vec::Drain<'_, Cqe> {
        self.foreign.drain(..)
    }

    /// `io_uring_enter(2)` — submits the pushed SQEs without waiting.
    pub fn submit_pending(&mut self) -> io::Result<usize> {
        self.ring.submit()
    }

    /// `io_uring_enter(2)` — submits the pushed SQEs and waits for `want` completions (then
    /// call [`Driver::reap`]).
    pub fn submit_and_wait(&mut self, want: usize) -> io::Result<usize> {
        self.ring.submit_and_wait(want)
    }

    /// Moves every ready CQE into its slot, calling `ready(key)` once per CQE of a live,
    /// attached operation (a runtime wakes the task waiting on that key). Returns how many CQEs
    /// were consumed.
    pub fn reap(&mut self, mut ready: impl FnMut(Key)) -> usize {
        let mut n = 0;
        let Driver {
            ring,
            slab,
            in_flight,
            foreign,
            stale,
            ..
        } = self;
        for cqe in ring.cq() {
            n += 1;
            dispatch(slab, in_flight, foreign, stale, cqe, &mut ready);
        }
        self.rearm_wake();
        n
    }

    /// `io_uring_enter(2)` with `IORING_ENTER_GETEVENTS` and no wait — submits what is pushed
    /// and runs the ring's pending task work, so that completions appear in the CQ for
    /// [`Driver::reap`], without blocking.
    ///
    /// What a non-blocking turn needs on a `DEFER_TASKRUN` ring: there a completion is task
    /// work that runs only inside an enter that asks for events, so after an outer `epoll`
    /// reports the ring fd readable, [`Driver::submit_pending`] + `reap` find nothing; call
    /// this, then `reap`. On other rings it also flushes overflowed CQEs. One syscall.
    ///
    /// # Errors
    /// As for [`Driver::submit_pending`] (`EINTR`: call again).
    ///
    /// # References
    /// - [`io_uring_enter(2)`](https://man7.org/linux/man-pages/man2/io_uring_enter.2.html)
    #[doc(alias = "IORING_ENTER_GETEVENTS")]
    pub fn get_events(&mut self) -> io::Result<()> {
        if self.ring.sq_space_left() < self.ring.sq_entries() {
            self.ring.submit()?;
        }
        let s = self.ring.submitter();
        if self.ring.flags().contains(crate::SetupFlags::DEFER_TASKRUN)
            && self.ring.features().contains(crate::Features::EXT_ARG)
        {
            // A wait for one completion with a zero timeout: the kernel runs the deferred
            // task work on every release that has it (a bare GETEVENTS with nothing to wait
            // for returns before running it on some, 6.1 among them), and returns at once.
            return match s.wait(1, Some(Duration::ZERO)) {
                Ok(_) => Ok(()),
                Err(e) if e.raw_os_error() == Some(libc::ETIME) => Ok(()),
                Err(e) => Err(e),
            };
        }
        s.get_events()
    }

    /// Whether the operation's final CQE has arrived (its output can be taken).
    pub fn is_done<T>(&self, op: &Op<T>) -> bool {
        op.driver == self.id
            && self
                .slab
                .get(op.key)
                .is_some_and(|s| s.phase() == Phase::Done)
    }

    /// The output of a finished operation, handing its memory back.
    ///
    /// # Errors
    /// [`TakeError::Pending`] when the final CQE has not arrived yet (reap and retry);
    /// [`TakeError::Foreign`] when the handle is not this driver's.
    #[inline]
    pub fn take<T: Operation>(&mut self, op: Op<T>) -> Result<T::Output, TakeError<Op<T>>> {
        if op.driver != self.id {
            return Err(TakeError::Foreign(op));
        }
        let taken = self.slab.vacate_if(op.key, |slot| {
            // Exactly `Done`: single-shot (and attached: a detached slot is never left Done).
            if slot.state == Phase::Done as u8 {
                // SAFETY: the handle names this driver's slot at this generation, and only
                // `submit::<T>` made an `Op<T>` for it, so the slot stores a `T`; Done means
                // the kernel is finished with its memory. The slot is vacated right after.
                Ok((unsafe { slot.data.take::<T>() }, slot.last))
            } else {
                Err(())
            }
        });
        match taken {
            // SAFETY: `last` is the final CQE `dispatch` stored for this slot, observed in
            // ring order, and `value` is the `T` its SQE was built from.
            Some(Ok((value, last))) => Ok(unsafe { value.complete(last) }),
            Some(Err(())) => Err(TakeError::Pending(op)),
            None => Err(TakeError::Foreign(op)),
        }
    }

    /// Submits, waits and reaps until `op` is done, then takes its output (a blocking helper
    /// for tests and simple programs).
    ///
    /// # Errors
    /// `io_uring_enter` failed (the operation is detached: the driver finishes it), or the
    /// handle is another driver's (`InvalidInput`).
    pub fn wait<T: Operation>(&mut self, op: Op<T>) -> io::Result<T::Output> {
        let mut op = op;
        loop {
            match self.take(op) {
                Ok(out) => return Ok(out),
                Err(TakeError::Foreign(_)) => return Err(foreign_handle()),
                Err(TakeError::Pending(o)) => op = o,
            }
            if let Err(e) = self.submit_and_wait(1) {
                if e.kind() != io::ErrorKind::Interrupted {
                    self.detach(op);
                    return Err(e);
                }
            }
            self.reap(|_| {});
        }
    }

    /// Gives up the handle: the driver finishes the operation by itself (and drops its output,
    /// closing any fd it produced) when the final CQE comes, or now if it already came.
    pub fn detach<T: Operation>(&mut self, op: Op<T>) {
        self.detach_key(op.driver, op.key);
    }

    fn detach_key(&mut self, driver: u64, key: Key) {
        if driver != self.id {
            return;
        }
        let Some(slot) = self.slab.get_mut(key) else {
            return;
        };
        match slot.phase() {
            Phase::InFlight => slot.set_detached(),
            Phase::Done | Phase::Preparing => {
                let mut slot = self.slab.remove(key).expect("checked above");
                finish_slot(&mut slot);
            }
        }
    }

    /// Cancels `op` and gives up its handle in one call: what a runtime does when the future
    /// waiting on an operation is dropped. The kernel is asked to cancel it
    /// ([`Driver::cancel`]; pushed, not submitted) and the driver finishes it by itself when
    /// its final CQE comes ([`Driver::detach`]): an idle `recv` ends at the next enter instead
    /// of holding its buffer until the peer speaks, and its memory (and any fd it made) is
    /// freed then. `detach` alone leaves it in flight.
    ///
    /// # Errors
    /// The cancel could not be pushed (SQ full and the submit failed): the operation is
    /// still detached, and ends when it completes by itself.
    pub fn abandon<T: Operation>(&mut self, op: Op<T>) -> io::Result<()> {
        let r = self.cancel(&op);
        self.detach(op);
        r
    }

    /// [`Driver::abandon`] for a multishot operation: cancel, then
    /// [`Driver::detach_multishot`] (queued items are made and dropped: buffers go back to
    /// their ring, accepted fds are closed).
    ///
    /// # Errors
    /// As for [`Driver::abandon`].
    pub fn abandon_multishot<T: MultishotOperation>(&mut self, h: Multishot<T>) -> io::Result<()> {
        let r = self.cancel_multishot(&h);
        self.detach_multishot(h);
        r
    }

    /// Asks the kernel to cancel `op` (`IORING_OP_ASYNC_CANCEL` by `user_data`); its final
    /// CQE (usually `ECANCELED`) still comes through the handle. Pushed, not submitted.
    pub fn cancel<T>(&mut self, op: &Op<T>) -> io::Result<()> {
        self.cancel_key(op.driver, op.key)
    }

    /// Cancels a multishot operation; the final CQE ends its stream.
    pub fn cancel_multishot<T>(&mut self, op: &Multishot<T>) -> io::Result<()> {
        self.cancel_key(op.driver, op.key)
    }

    fn cancel_key(&mut self, driver: u64, key: Key) -> io::Result<()> {
        if driver != self.id {
            return Err(foreign_handle());
        }
        match self.slab.get(key) {
            Some(s) if s.phase() == Phase::InFlight => {}
            _ => return Ok(()),
        }
        let sqe = opcode::AsyncCancel::new(TAG | key.to_bits())
            .build()
            .user_data(INTERNAL);
        self.push(&sqe)
    }

    /// Cancels every in-flight request on `fd` (`IORING_ASYNC_CANCEL_FD | ALL`, Linux 5.19+).
    ///
    /// # Errors
    /// `EOPNOTSUPP`, saying so, on a kernel without cancel flags (it would refuse the cancel,
    /// and nothing would be cancelled); the SQ is full.
    pub fn cancel_fd(&mut self, fd: std::os::fd::BorrowedFd<'_>) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        if !self.ring.has_cancel_flags() {
            return Err(crate::probe::cancel_flags_error("Driver::cancel_fd"));
        }
        let sqe = opcode::AsyncCancelFd::new(crate::types::Fd(fd.as_raw_fd()))
            .flags(CancelFlags::ALL)
            .build()
            .user_data(INTERNAL);
        self.push(&sqe)
    }

    /// Cancels every in-flight request on the ring (`IORING_ASYNC_CANCEL_ANY | ALL`, Linux
    /// 5.19+; before, one cancel by `user_data` per in-flight operation).
    pub fn cancel_all(&mut self) -> io::Result<()> {
        if !self.ring.has_cancel_flags() {
            for key in self.slab.keys() {
                self.cancel_key(self.id, key)?;
            }
            return Ok(());
        }
        let sqe = opcode::AsyncCancel::new(0)
            .flags(CancelFlags::ANY.union(CancelFlags::ALL))
            .build()
            .user_data(INTERNAL);
        self.push(&sqe)
    }

    /// The next item of a multishot operation, if one is queued (reap first).
    pub fn next<T: MultishotOperation>(&mut self, h: &Multishot<T>) -> Option<T::Item> {
        if h.driver != self.id {
            return None;
        }
        let slot = self.slab.get_mut(h.key)?;
        let c = slot.pop_queued()?;
        // SAFETY: only `submit_multishot::<T>` made a `Multishot<T>` for this slot and
        // generation, so it stores a `T` (until `release`, which consumes the handle); `c` is
        // one of its CQEs, queued by `dispatch` after `observe`, popped once, in order.
        Some(unsafe { slot.data.get_mut::<T>().item(c) })
    }

    /// Whether the multishot operation ended (its final CQE arrived) and every item was taken.
    pub fn is_finished<T>(&self, h: &Multishot<T>) -> bool {
        h.driver == self.id
            && self
                .slab
                .get(h.key)
                .is_some_and(|s| s.phase() == Phase::Done && s.nothing_queued())
    }

    /// The operation back once finished (to re-arm it, e.g. after `ENOBUFS`).
    ///
    /// # Errors
    /// The handle back when items are still queued or the final CQE has not come
    /// ([`TakeError::Pending`]), or it is not this driver's ([`TakeError::Foreign`]).
    pub fn release<T: MultishotOperation>(
        &mut self,
        h: Multishot<T>,
    ) -> Result<T, TakeError<Multishot<T>>> {
        if h.driver != self.id || self.slab.get(h.key).is_none() {
            return Err(TakeError::Foreign(h));
        }
        if !self.is_finished(&h) {
            return Err(TakeError::Pending(h));
        }
        let mut slot = self.slab.remove(h.key).expect("checked above");
        // SAFETY: as in `next`; the final CQE came, so the kernel is done with the memory.
        Ok(unsafe { slot.data.take::<T>() })
    }

    /// Gives up a multishot handle: queued and future items are made and dropped (buffers go
    /// back to their ring, accepted fds are closed) and the operation is dropped after its
    /// final CQE. Call [`Driver::cancel_multishot`] first to end it early.
    pub fn detach_multishot<T: MultishotOperation>(&mut self, h: Multishot<T>) {
        if h.driver != self.id {
            return;
        }
        let Some(slot) = self.slab.get_mut(h.key) else {
            return;
        };
        while let Some(c) = slot.pop_queued() {
            // SAFETY: the slot stores a `T` (see `next`).
            unsafe { (slot.vt.drop_item)(&mut slot.data, c) };
        }
        if slot.phase() == Phase::InFlight {
            slot.set_detached();
        } else {
            let mut slot = self.slab.remove(h.key).expect("checked above");
            // SAFETY: the slot stores a `T` and the kernel is done with it.
            unsafe { (slot.vt.drop)(&mut slot.data) };
        }
    }
}

/// The opcodes a driver has found the running kernel supports, a bit each: the probe is asked
/// once per opcode, and a submission after that pays one bit test.
#[derive(Debug, Default)]
struct KnownOpcodes([u64; 4]);

impl KnownOpcodes {
    /// `Ok` when `opcode` is known to be supported; else asks `probe` (the ring's
    /// `supports_opcode`: the error names the release that added it) and remembers a yes.
    #[inline(always)]
    fn check(&mut self, opcode: u8, probe: impl FnOnce(u8) -> io::Result<()>) -> io::Result<()> {
        if self.0[usize::from(opcode >> 6)] >> (opcode & 63) & 1 != 0 {
            return Ok(());
        }
        self.first_use(opcode, probe)
    }

    #[cold]
    #[inline(never)]
    fn first_use(
        &mut self,
        opcode: u8,
        probe: impl FnOnce(u8) -> io::Result<()>,
    ) -> io::Result<()> {
        probe(opcode)?;
        self.0[usize::from(opcode >> 6)] |= 1 << (opcode & 63);
        Ok(())
    }
}

/// The SQ after an `io_uring_enter` that hands the kernel what is pushed, with a slot reserved
/// (the SQ was full).
#[cold]
fn sq_after_submit(ring: &mut Ring) -> io::Result<crate::squeue::SubmissionQueue<'_>> {
    ring.submit()?;
    let mut sq = ring.sq();
    sq.reserve_one()?;
    Ok(sq)
}

/// Occupies a slot with `op` through `start` ([`Slot::start_single`], [`Slot::start_multi`]):
/// the key and the SQE tagged with it, or the op back when the slab is full.
#[inline(always)]
fn occupy<T>(
    slab: &mut Slab<Slot>,
    op: T,
    start: impl FnOnce(&mut Slot, T) -> Sqe,
) -> Result<(Key, Sqe), SubmitError<T>> {
    match slab.insert_with(op, start) {
        Ok((key, sqe)) => Ok((key, sqe.user_data(TAG | key.to_bits()))),
        Err(op) => Err(SubmitError {
            error: slab_full(),
            op,
        }),
    }
}

/// Takes the operation back from a slot whose SQE was never pushed, and frees the slot.
///
/// # Safety
/// The slot at `key` holds a `T`, stored by `occupy` with [`Slot::start_single::<T>`] or
/// [`Slot::start_multi::<T>`], and its SQE never reached the ring.
#[inline]
unsafe fn take_unpushed<T>(slab: &mut Slab<Slot>, key: Key) -> T {
    let slot = slab.get_mut(key).expect("just inserted");
    // SAFETY: the caller's promise: a `T` is stored and the kernel never saw it.
    let op = unsafe { slot.data.take::<T>() };
    slab.vacate(key);
    op
}

/// Routes one CQE: the common case (the final CQE of an attached single-shot operation)
/// inline, everything else in [`dispatch_slow`].
#[inline(always)]
fn dispatch(
    slab: &mut Slab<Slot>,
    in_flight: &mut usize,
    foreign: &mut Vec<Cqe>,
    stale: &mut u64,
    cqe: Cqe,
    ready: &mut impl FnMut(Key),
) {
    let ud = cqe.user_data();
    // Tagged and not `INTERNAL` (`u64::MAX`, which `from_bits` would read as a key whose
    // generation no slot has: it is routed to the slow path to be ignored, not counted).
    if ud & TAG != 0 && ud != INTERNAL {
        let key = Key::from_bits(ud);
        if let Some(slot) = slab.get_mut(key) {
            let flags = cqe.flags();
            // `InFlight` (with or without `OBSERVE`): single-shot, attached; and no `F_MORE`:
            // its final CQE.
            let state = slot.state;
            if state & !OBSERVE == Phase::InFlight as u8 && !flags.contains(CqeFlags::MORE) {
                // Counted first, as in `dispatch_slow` (the CQE is consumed whatever panics).
                *in_flight -= 1;
                // Stored in place; `observe` (skipped, as the type asked, when it keeps the
                // default no-op) sees it there before anything reads it.
                slot.last = Completion {
                    res: cqe.res(),
                    flags,
                    aux: 0,
                };
                if state & OBSERVE != 0 {
                    // SAFETY: the vtable matches the stored type (`Slot::init_single`), and the
                    // completion is a CQE of the SQE built from it (its `user_data` named this
                    // slot at this generation while in flight), passed once, in ring order.
                    unsafe { (slot.vt.observe)(&mut slot.data, &mut slot.last) };
                }
                slot.state = Phase::Done as u8;
                ready(key);
                return;
            }
        }
    }
    dispatch_slow(slab, in_flight, foreign, stale, cqe, ready);
}

/// [`dispatch`] for every other CQE: foreign, internal, stale or forged, non-final, multishot,
/// detached.
#[inline(never)]
fn dispatch_slow(
    slab: &mut Slab<Slot>,
    in_flight: &mut usize,
    foreign: &mut Vec<Cqe>,
    stale: &mut u64,
    cqe: Cqe,
    ready: &mut impl FnMut(Key),
) {
    let ud = cqe.user_data();
    if ud & TAG == 0 {
        foreign.push(cqe);
        return;
    }
    if ud == INTERNAL {
        return;
    }
    let key = Key::from_bits(ud);
    let Some(slot) = slab.get_mut(key) else {
        *stale += 1;
        return;
    };
    if slot.phase() != Phase::InFlight {
        *stale += 1;
        return;
    }
    let mut c = Completion {
        res: cqe.res(),
        flags: cqe.flags(),
        aux: 0,
    };
    let last = !c.flags.contains(CqeFlags::MORE);
    if last {
        // Counted before anything below runs code that may panic (`observe`, an output's drop,
        // the caller's `ready`): the CQE is consumed either way (the CQ head is published when
        // the iterator drops, also while unwinding), so the operation is no longer in flight.
        *in_flight -= 1;
    }
    // SAFETY: the vtable matches the stored type (`Slot::single`/`Slot::multi`).
    unsafe { (slot.vt.observe)(&mut slot.data, &mut c) };
    if slot.multishot() {
        if slot.detached() {
            if last {
                let mut slot = slab.remove(key).expect("checked above");
                // SAFETY: the vtable matches the stored type (`Slot::multi`).
                unsafe { (slot.vt.finish)(&mut slot.data, c) };
            } else {
                // SAFETY: as above.
                unsafe { (slot.vt.more)(&mut slot.data, c) };
            }
        } else {
            slot.queue().push_back(c);
            if last {
                slot.set_phase(Phase::Done);
            }
            ready(key);
        }
    } else if !last {
        // Seen by `observe`; nothing is stored.
    } else if slot.detached() {
        let mut slot = slab.remove(key).expect("checked above");
        // SAFETY: as above; the final CQE came, the kernel is done with the memory.
        unsafe { (slot.vt.finish)(&mut slot.data, c) };
    } else {
        // Exactly `Done` (the OBSERVE bit cleared), as the fast path leaves it: `take` tests
        // for exactly that.
        slot.state = Phase::Done as u8;
        slot.last = c;
        ready(key);
    }
}

/// Drops a slot's value when the kernel is done with it: a finished single-shot operation is
/// completed and its output dropped (closing produced fds); queued multishot items are made
/// and dropped (returning provided buffers).
fn finish_slot(slot: &mut Slot) {
    match (slot.phase(), slot.multishot()) {
        (Phase::InFlight, _) => unreachable!("never called for an in-flight slot"),
        (Phase::Preparing, _) => {
            // SAFETY: the vtable matches the stored type.
            unsafe { (slot.vt.drop)(&mut slot.data) }
        }
        (Phase::Done, false) => {
            // SAFETY: as above.
            unsafe { (slot.vt.finish)(&mut slot.data, slot.last) }
        }
        (Phase::Done, true) => {
            while let Some(c) = slot.pop_queued() {
                // SAFETY: as above.
                unsafe { (slot.vt.drop_item)(&mut slot.data, c) };
            }
            // SAFETY: as above.
            unsafe { (slot.vt.drop)(&mut slot.data) }
        }
    }
}

/// The system page size (`sysconf(_SC_PAGESIZE)`), 4096 if it cannot be read.
pub(crate) fn page_size() -> usize {
    // SAFETY: `sysconf` only reads a configuration value.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if n > 0 { n as usize } else { 4096 }
}

fn slab_full() -> io::Error {
    io::Error::new(
        io::ErrorKind::OutOfMemory,
        "the driver has 16 Mi operations in flight; reap completions before submitting more",
    )
}

fn foreign_handle() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "this handle belongs to another Driver (or was already redeemed)",
    )
}

impl Driver {
    /// Drops the driver as `drop` does (cancel everything in flight, wait up to the drop
    /// timeout, leak what is still in flight) and says how many operations were leaked.
    pub fn close(mut self) -> usize {
        self.shutdown()
    }

    fn shutdown(&mut self) -> usize {
        // User code runs in there (a finished operation's `complete`, an output's or an
        // operation's drop) and may panic. Unwinding out would drop the slab, freeing the slots
        // of operations still in flight that the kernel may write, and the rings and pools in
        // `keep`: leak those instead, as a drop that times out does, then let the panic go on.
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.shutdown_inner())) {
            Ok(leaked) => leaked,
            Err(panic) => {
                if self.in_flight > 0 {
                    self.leak_everything();
                    // Nothing left to wait for (`close` unwinding runs the drop next).
                    self.in_flight = 0;
                }
                std::panic::resume_unwind(panic)
            }
        }
    }

    /// Forgets every slot and every kept ring or pool, without dropping them: the kernel may
    /// still use their memory.
    fn leak_everything(&mut self) {
        self.slab.leak_all();
        for rc in self.keep.drain(..) {
            core::mem::forget(rc);
        }
    }

    fn shutdown_inner(&mut self) -> usize {
        // No more re-arming of the waker's read: it is cancelled with everything else.
        self.wake = None;
        if self.in_flight > 0 && self.cancel_everything() {
            let deadline = Instant::now() + self.drop_timeout;
            loop {
                self.reap(|_| {});
                let now = Instant::now();
                if self.in_flight == 0 || now >= deadline {
                    break;
                }
                let left = (deadline - now).min(Duration::from_millis(100));
                // ETIME or EINTR: look again; a dead ring runs into the deadline.
                let _ = self.ring.submitter().wait(1, Some(left));
            }
        }
        let leaked = self.in_flight;
        for key in self.slab.keys() {
            let Some(slot) = self.slab.get_mut(key) else {
                continue;
            };
            if slot.phase() == Phase::InFlight {
                // Leaked below, but the items its CQEs already delivered are ours: make and
                // drop them (an accepted fd is closed, a provided buffer goes back), never
                // leak them with the operation.
                while let Some(c) = slot.pop_queued() {
                    // SAFETY: the slot stores its operation's type (the vtable's contract);
                    // `c` is one of its observed CQEs, queued by `dispatch`, popped once.
                    unsafe { (slot.vt.drop_item)(&mut slot.data, c) };
                }
                continue;
            }
            let mut slot = self.slab.remove(key).expect("listed");
            finish_slot(&mut slot);
        }
        if leaked > 0 {
            // What is left is in flight: the kernel may still write into it.
            self.leak_everything();
        }
        self.in_flight = 0;
        leaked
    }
}

impl Driver {
    /// Asks the kernel to cancel every request (for the drop); whether any way was taken.
    fn cancel_everything(&mut self) -> bool {
        // A `NoMem` pushed last with `IO_LINK` leaves its chain open; an `ASYNC_CANCEL` in the
        // same batch would be linked behind it and wait for it. A chain ends with its batch,
        // so submit what is pushed first. (It may fail; what is pushed still counts.)
        let _ = self.ring.submit();
        let queued = self.cancel_all().is_ok();
        let _ = self.ring.submit();
        // The kernel defers every SQE behind an `IO_DRAIN` request until all before it have
        // completed: a cancel queued behind a drain that waits for the very requests it would
        // cancel never runs. `IORING_REGISTER_SYNC_CANCEL` (Linux 6.0+) takes no SQE, so
        // nothing defers it. Bounded; errors (older kernel, nothing to cancel) are ignored.
        let synced = !self.drop_timeout.is_zero() && {
            let key = crate::register::SyncCancel::any()
                .timeout(self.drop_timeout.min(Duration::from_millis(100)));
            self.ring.submitter().register_sync_cancel(&key).is_ok()
        };
        queued || synced
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;
    use uring_sys as sys;

    /// What a slot costs (`benches/mem.rs` measures it with the slab's key and link: 112 B):
    /// the multishot queue is one pointer, not a `VecDeque` in every slot.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_slot_is_96_bytes() {
        assert_eq!(size_of::<Slot>(), 96);
        assert_eq!(size_of::<Option<Box<VecDeque<Completion>>>>(), 8);
    }

    /// An operation that records, through a shared counter, whether it was completed or
    /// dropped; `N` u64s of padding choose inline (small) or boxed (big) storage.
    struct Probe<const N: usize> {
        pad: [u64; N],
        log: Rc<core::cell::RefCell<Vec<&'static str>>>,
    }

    // SAFETY: the SQE carries no pointer.
    unsafe impl<const N: usize> Operation for Probe<N> {
        type Output = Rc<core::cell::RefCell<Vec<&'static str>>>;
        fn sqe(&mut self) -> Sqe {
            Sqe::new(sys::IORING_OP_NOP)
        }
        fn fail(self, _: io::Error) -> Self::Output {
            self.log.clone()
        }
        unsafe fn complete(self, c: Completion) -> Self::Output {
            self.log.borrow_mut().push(if c.res == 7 {
                "complete(7)"
            } else {
                "complete"
            });
            self.log.clone()
        }
    }

    impl<const N: usize> Drop for Probe<N> {
        fn drop(&mut self) {
            assert!(self.pad.iter().all(|&x| x == 9));
            self.log.borrow_mut().push("drop");
        }
    }

    fn probe<const N: usize>() -> (Probe<N>, Rc<core::cell::RefCell<Vec<&'static str>>>) {
        let log = Rc::new(core::cell::RefCell::new(Vec::new()));
        (
            Probe {
                pad: [9; N],
                log: log.clone(),
            },
            log,
        )
    }

    #[test]
    fn storage_inline_and_boxed() {
        assert!(fits::<Probe<1>>());
        assert!(!fits::<Probe<16>>());
        let (p, log) = probe::<1>();
        let mut s = Inline::new(p);
        // SAFETY: a `Probe<1>` was stored.
        assert_eq!(unsafe { s.get_mut::<Probe<1>>() }.pad, [9]);
        // SAFETY: as above, taken once.
        drop(unsafe { s.take::<Probe<1>>() });
        assert_eq!(*log.borrow(), ["drop"]);

        let (p, log) = probe::<16>();
        let mut s = Inline::new(p);
        // SAFETY: a `Probe<16>` was stored (boxed).
        unsafe { s.get_mut::<Probe<16>>() }.pad[0] = 9;
        // SAFETY: as above, taken once.
        drop(unsafe { s.take::<Probe<16>>() });
        assert_eq!(*log.borrow(), ["drop"]);
    }

    /// `finish_slot` on each phase: a prepared op is dropped; a done op is completed with its
    /// final CQE and the output dropped; each exactly once.
    #[test]
    fn finish_slot_each_phase() {
        for big in [false, true] {
            let (mut slot, log) = if big {
                let (p, l) = probe::<16>();
                (Slot::single(p), l)
            } else {
                let (p, l) = probe::<2>();
                (Slot::single(p), l)
            };
            finish_slot(&mut slot);
            assert_eq!(*log.borrow(), ["drop"]);

            let (p, log) = probe::<2>();
            let mut slot = Slot::single(p);
            slot.set_phase(Phase::Done);
            slot.last.res = 7;
            finish_slot(&mut slot);
            assert_eq!(*log.borrow(), ["complete(7)", "drop"]);
        }
    }

    /// Dispatch with hostile user_data: untagged goes to `foreign`, tagged-but-unknown is
    /// counted stale, the internal value is ignored; a real one completes its slot once.
    #[test]
    fn dispatch_rejects_hostile_user_data() {
        let mut slab = Slab::new();
        let (p, log) = probe::<1>();
        let key = slab.insert(Slot::single(p)).ok().unwrap();
        slab.get_mut(key).unwrap().set_phase(Phase::InFlight);
        let mut in_flight = 1;
        let mut foreign = Vec::new();
        let mut stale = 0;
        let mut readies = Vec::new();
        let cqe = |ud: u64, flags: u32| {
            let mut raw = sys::io_uring_cqe::zeroed();
            raw.user_data = ud;
            raw.res = 7;
            raw.flags = flags;
            Cqe::from_raw(raw)
        };
        let bad_gen = Key::from_bits(key.to_bits() ^ (1 << 30));
        for ud in [
            5,
            INTERNAL,
            TAG | bad_gen.to_bits(),
            TAG | (key.to_bits() + 1),
            TAG | key.to_bits(),
            TAG | key.to_bits(),
        ] {
            dispatch(
                &mut slab,
                &mut in_flight,
                &mut foreign,
                &mut stale,
                cqe(ud, 0),
                &mut |k| readies.push(k),
            );
        }
        assert_eq!(foreign.len(), 1);
        assert_eq!(
            stale, 3,
            "bad generation, unknown slot, duplicate final CQE"
        );
        assert_eq!(readies, [key]);
        assert_eq!(in_flight, 0);
        let mut slot = slab.remove(key).unwrap();
        finish_slot(&mut slot);
        assert_eq!(*log.borrow(), ["complete(7)", "drop"]);
    }
}
