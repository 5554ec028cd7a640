//! The type-erased slot storage: each slot owns one operation (inline up to 64 bytes, else
//! boxed) from submission to its final CQE, with the vtable that drops, observes and finishes
//! it; and the routing of each CQE to its slot (`dispatch`).

use core::mem::MaybeUninit;
use std::collections::VecDeque;
use std::io;

use super::error::SubmitError;
use super::op::{Completion, MultishotOperation, Operation};
use super::slab::{Key, Slab};
use super::{INTERNAL, TAG};
use crate::cqueue::{Cqe, CqeFlags};
use crate::squeue::Sqe;

/// Bytes of an operation stored inline in its slot; larger operations are boxed.
const INLINE: usize = 64;

/// The inline storage of one slot: 64 bytes, 8-aligned.
#[repr(C, align(8))]
pub(super) struct Inline(MaybeUninit<[u8; INLINE]>);

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
    pub(super) unsafe fn get_mut<T>(&mut self) -> &mut T {
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
    pub(super) unsafe fn take<T>(&mut self) -> T {
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
pub(super) struct VTable {
    /// Drops the stored value (an operation that never went in flight or is finished).
    pub(super) drop: unsafe fn(&mut Inline),
    /// Every CQE, at reap time: `observe`.
    observe: unsafe fn(&mut Inline, &mut Completion),
    /// A non-final CQE of a detached multishot operation: make the item and drop it.
    more: unsafe fn(&mut Inline, Completion),
    /// Finishes a detached operation: completes it with the final CQE and drops the output.
    finish: unsafe fn(&mut Inline, Completion),
    /// Makes and drops one item from a queued multishot CQE (used when dropping the driver).
    pub(super) drop_item: unsafe fn(&mut Inline, Completion),
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
pub(super) enum Phase {
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
pub(super) const OBSERVE: u8 = 16;

/// The hot fields first (state, final CQE, vtable): reap and take touch those and the start of
/// the inline value; the multishot queue is cold.
///
/// 96 bytes, 112 with the slab's key and free-list link: the multishot queue is boxed (one
/// pointer, not a 32-byte `VecDeque` in every slot), since only multishot operations use it.
pub(super) struct Slot {
    /// `Phase as u8 | MULTI | DETACHED`.
    pub(super) state: u8,
    /// The final CQE of a single-shot operation.
    pub(super) last: Completion,
    pub(super) vt: &'static VTable,
    pub(super) data: Inline,
    /// Queued CQEs of a multishot operation, oldest first. Made when the slot first holds a
    /// multishot operation and kept (emptied) for the next ones, like the slot itself.
    #[allow(
        clippy::box_collection,
        reason = "the box is the point: 8 bytes in every slot instead of the 32 of a VecDeque"
    )]
    pub(super) queue: Option<Box<VecDeque<Completion>>>,
}

impl Slot {
    #[inline]
    pub(super) fn phase(&self) -> Phase {
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
    pub(super) fn multishot(&self) -> bool {
        self.state & MULTI != 0
    }

    #[inline]
    pub(super) fn detached(&self) -> bool {
        self.state & DETACHED != 0
    }

    #[inline]
    pub(super) fn set_detached(&mut self) {
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
        // The queue first: its allocation is the one step here that can fail (unwind, with a
        // panicking allocation-error hook), and a slot must not hold `op` and a state saying
        // so while it has no queue to hold the op's CQEs.
        match &mut self.queue {
            Some(q) => q.clear(),
            None => self.queue = Some(Box::default()),
        }
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
    }

    /// The multishot queue (made on first use: `init_multi` already made it for a multishot
    /// slot, so this never allocates there).
    #[inline]
    fn queue(&mut self) -> &mut VecDeque<Completion> {
        self.queue.get_or_insert_with(Box::default)
    }

    /// The oldest queued multishot CQE (none for a single-shot slot).
    #[inline]
    pub(super) fn pop_queued(&mut self) -> Option<Completion> {
        self.queue.as_mut()?.pop_front()
    }

    /// Whether no multishot CQE is queued.
    #[inline]
    pub(super) fn nothing_queued(&self) -> bool {
        self.queue.as_ref().is_none_or(|q| q.is_empty())
    }

    /// Makes this (vacant) slot hold a single-shot `op`, builds its SQE there (the slot does
    /// not move while occupied) and marks it in flight: the push that follows either succeeds
    /// or hands the op back ([`take_unpushed`]).
    #[inline]
    pub(super) fn start_single<T: Operation>(&mut self, op: T) -> Sqe {
        self.init_single(op);
        // SAFETY: `init_single::<T>` just stored a `T`.
        let sqe = unsafe { self.data.get_mut::<T>() }.sqe();
        self.state = Phase::InFlight as u8 | if T::OBSERVES { OBSERVE } else { 0 };
        sqe
    }

    /// As [`Slot::start_single`], for a multishot `op`.
    #[inline]
    pub(super) fn start_multi<T: MultishotOperation>(&mut self, op: T) -> Sqe {
        self.init_multi(op);
        // SAFETY: `init_multi::<T>` just stored a `T`.
        let sqe = unsafe { self.data.get_mut::<T>() }.sqe();
        self.state = Phase::InFlight as u8 | MULTI;
        sqe
    }

    #[cfg(test)]
    pub(super) fn single<T: Operation>(op: T) -> Slot {
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

/// Occupies a slot with `op` through `start` ([`Slot::start_single`], [`Slot::start_multi`]):
/// the key and the SQE tagged with it, or the op back when the slab is full.
#[inline(always)]
pub(super) fn occupy<T>(
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

fn slab_full() -> io::Error {
    io::Error::new(
        io::ErrorKind::OutOfMemory,
        "the driver has 16 Mi operations in flight; reap completions before submitting more",
    )
}

/// Takes the operation back from a slot whose SQE was never pushed, and frees the slot.
///
/// # Safety
/// The slot at `key` holds a `T`, stored by `occupy` with [`Slot::start_single::<T>`] or
/// [`Slot::start_multi::<T>`], and its SQE never reached the ring.
#[inline]
pub(super) unsafe fn take_unpushed<T>(slab: &mut Slab<Slot>, key: Key) -> T {
    let slot = slab.get_mut(key).expect("just inserted");
    // SAFETY: the caller's promise: a `T` is stored and the kernel never saw it.
    let op = unsafe { slot.data.take::<T>() };
    slab.vacate(key);
    op
}

/// Routes one CQE: the common case (the final CQE of an attached single-shot operation)
/// inline, everything else in [`dispatch_slow`].
#[inline(always)]
pub(super) fn dispatch(
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
    if let Some(key) = dispatch_slow(slab, in_flight, foreign, stale, cqe) {
        ready(key);
    }
}

/// [`dispatch`] for every other CQE: foreign, internal, stale or forged, non-final, multishot,
/// detached. Returns the key to report ready (an attached operation's CQE), which `dispatch`
/// passes to the caller's `ready` last, as before.
///
/// Not generic over `ready`: one out-of-line copy, and the caller's closure never needs an
/// address (passing `&mut ready` here made `reap` keep it in memory and reload it for every
/// CQE of the fast path, one instruction more per read in `./x bench owned`).
#[inline(never)]
pub(super) fn dispatch_slow(
    slab: &mut Slab<Slot>,
    in_flight: &mut usize,
    foreign: &mut Vec<Cqe>,
    stale: &mut u64,
    cqe: Cqe,
) -> Option<Key> {
    let ud = cqe.user_data();
    if ud & TAG == 0 {
        foreign.push(cqe);
        return None;
    }
    if ud == INTERNAL {
        return None;
    }
    let key = Key::from_bits(ud);
    let Some(slot) = slab.get_mut(key) else {
        *stale += 1;
        return None;
    };
    if slot.phase() != Phase::InFlight {
        *stale += 1;
        return None;
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
            return Some(key);
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
        return Some(key);
    }
    None
}

/// Drops a slot's value when the kernel is done with it: a finished single-shot operation is
/// completed and its output dropped (closing produced fds); queued multishot items are made
/// and dropped (returning provided buffers).
pub(super) fn finish_slot(slot: &mut Slot) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;
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
