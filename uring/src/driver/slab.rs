//! The slot table that owns every in-flight operation's memory.
//!
//! A `Slab<T>` hands out [`Key`]s (index + generation). Storage is a list of fixed-size chunks
//! that never move once allocated, so a pointer into a slot stays valid until that slot is
//! removed, even while the slab grows: the kernel may hold such a pointer (a `timespec`, an
//! `iovec` array) for as long as the operation is in flight.
//!
//! A key encodes into 63 bits of `user_data` (bit 63 is the driver's tag). Each slot starts at a
//! per-slab random generation and bumps it on every removal, so a stale or forged key is
//! detected with overwhelming probability (one chance in 2^39 for a blind guess); decoding never
//! trusts the value beyond a bounds check.

use std::hash::{BuildHasher, Hasher};

/// Slots per chunk. A power of two so the chunk/offset split is a shift and a mask.
const CHUNK_SHIFT: u32 = 6;
const CHUNK: usize = 1 << CHUNK_SHIFT;

/// Bits of `user_data` used for the slot index.
pub(crate) const INDEX_BITS: u32 = 24;
/// The largest number of slots a slab holds (16 Mi - 1): the index must fit [`INDEX_BITS`],
/// and the last index is never used: at the last generation its key would be all ones, which
/// is the driver's `INTERNAL` `user_data` (a completion for it would be ignored).
pub(crate) const MAX_SLOTS: usize = (1 << INDEX_BITS) - 1;
/// Bits of `user_data` used for the generation (63 - 24).
pub(crate) const GEN_BITS: u32 = 63 - INDEX_BITS;
pub(crate) const GEN_MASK: u64 = (1 << GEN_BITS) - 1;
const INDEX_MASK: u64 = (1 << INDEX_BITS) - 1;

/// Identifies one operation's slot: its index and the generation it had when filled, packed
/// into 63 bits (index low, generation high) exactly as they go into `user_data`.
///
/// Opaque on purpose: the generation is the driver's second line of defence against a forged
/// completion (the first: no safe API lets anyone post a CQE with a tagged `user_data` into a
/// driver's ring; see the driver's soundness contract), so safe code cannot read it. Nothing
/// reveals it: [`Debug`](core::fmt::Debug) prints the index only, [`Hash`] hashes the index
/// only (a custom `Hasher` sees nothing more), and there is no `Ord`. Compare, hash, or use
/// [`Key::index`] (dense, reused) to find a waiter. (The model kernel, feature `model`, is a
/// kernel and sees every SQE's `user_data`, generation included: `Model::in_flight`, a
/// `Handler`'s `&Sqe`. That gives a test nothing to forge with: the model posts a request's
/// CQE only for that request, and posting any other is `unsafe`.)
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Key {
    bits: u64,
}

/// Bit 63 of a slot's stored key: the slot is vacant (a key never has it, so a vacant slot
/// matches no key).
const VACANT: u64 = 1 << 63;
const KEY_MASK: u64 = !VACANT;

impl Key {
    /// The key packed into 63 bits (index low, generation high); bit 63 is always clear.
    #[inline]
    pub(crate) const fn to_bits(self) -> u64 {
        self.bits
    }

    /// Unpacks [`Key::to_bits`]; bit 63 is ignored. Any value decodes: whether it names a live
    /// slot is for the slab to decide.
    #[inline]
    pub(crate) const fn from_bits(bits: u64) -> Key {
        Key {
            bits: bits & KEY_MASK,
        }
    }

    #[cfg(test)]
    const fn generation(self) -> u64 {
        self.bits >> INDEX_BITS
    }

    /// The slot index: below the number of operations ever live at once, reused after an
    /// operation is taken (a dense index for a runtime's waker table).
    #[inline]
    pub const fn index(self) -> u32 {
        (self.bits & INDEX_MASK) as u32
    }
}

/// Hashes the index only: keys of live operations have distinct indices, so this loses
/// nothing for a waiter table, and a `Hasher` learns nothing of the generation.
impl core::hash::Hash for Key {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u32(self.index());
    }
}

impl core::fmt::Debug for Key {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Key")
            .field("index", &self.index())
            .finish_non_exhaustive()
    }
}

struct Slot<T> {
    /// The occupant's key bits, or the next key bits with `VACANT` set when vacant.
    key: u64,
    /// Next vacant slot when this one is vacant, `NONE` at the end of the list.
    next_free: u32,
    /// The value; left in place (not dropped) when the slot is vacated, so the next occupant
    /// can be written field by field and a slot's allocations (e.g. a queue) are reused.
    value: T,
}

/// The stored key of a slot vacated at `bits`: the next generation (same index), with
/// `VACANT` set. One add: the generation sits at the top of the 63 key bits, so its carry out
/// lands in bit 63, which is `VACANT` anyway and cleared on the next occupation (the
/// generation wraps to 0 within [`GEN_MASK`]).
#[inline]
const fn vacated(bits: u64) -> u64 {
    VACANT | (bits & KEY_MASK).wrapping_add(1 << INDEX_BITS)
}

/// A generational slab with address-stable slots whose values are updated in place.
pub(crate) struct Slab<T> {
    chunks: Vec<Box<[Slot<T>; CHUNK]>>,
    /// Head of the free list, `NONE` when empty.
    free_head: u32,
    /// Number of slots created so far (all chunks are full of created slots).
    created: usize,
    seed: u64,
}

const NONE: u32 = u32::MAX;

impl<T: Default> Slab<T> {
    /// An empty slab whose slots start at generations derived from a random seed.
    pub(crate) fn new() -> Self {
        let seed = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        Self::with_seed(seed)
    }

    /// An empty slab with a chosen seed (tests).
    pub(crate) fn with_seed(seed: u64) -> Self {
        Slab {
            chunks: Vec::new(),
            free_head: NONE,
            created: 0,
            seed,
        }
    }

    /// Number of occupied slots, counted (for `Debug` and tests; not kept up to date on the
    /// hot path, where it cost an update per insert and per removal).
    pub(crate) fn len(&self) -> usize {
        self.chunks
            .iter()
            .flat_map(|c| c.iter())
            .filter(|s| s.key & VACANT == 0)
            .count()
    }

    fn initial_generation(&self, index: usize) -> u64 {
        // A splitmix64 step: spreads the seed so neighbouring slots differ in every bit.
        let mut z = self.seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) & GEN_MASK
    }

    /// The slot a key's index names (whatever its state), if created.
    #[inline]
    fn slot_mut(&mut self, bits: u64) -> Option<&mut Slot<T>> {
        let i = (bits & INDEX_MASK) as usize;
        self.chunks
            .get_mut(i >> CHUNK_SHIFT)
            .map(|c| &mut c[i & (CHUNK - 1)])
    }

    /// Occupies a vacant slot, letting `init` write `arg` into it in place over the previous
    /// (vacated) value; gives `arg` back when the slab is at [`MAX_SLOTS`].
    #[inline(always)]
    pub(crate) fn insert_with<A, R>(
        &mut self,
        arg: A,
        init: impl FnOnce(&mut T, A) -> R,
    ) -> Result<(Key, R), A> {
        if self.free_head == NONE {
            if self.created >= MAX_SLOTS {
                return Err(arg);
            }
            self.grow();
        }
        let i = self.free_head as usize;
        debug_assert!(i < self.created);
        // SAFETY: the free list only holds indices of created slots (`grow` and `vacate_if`
        // put them there), and every created slot lives in `chunks`.
        let slot = unsafe {
            self.chunks
                .get_unchecked_mut(i >> CHUNK_SHIFT)
                .get_unchecked_mut(i & (CHUNK - 1))
        };
        debug_assert!(slot.key & VACANT != 0);
        let bits = slot.key & KEY_MASK;
        slot.key = bits;
        self.free_head = slot.next_free;
        let r = init(&mut slot.value, arg);
        Ok((Key { bits }, r))
    }

    /// Stores `value` (dropping the slot's previous, vacated value), or gives it back when full.
    #[cfg(test)]
    pub(crate) fn insert(&mut self, value: T) -> Result<Key, T> {
        self.insert_with(value, |v, value| *v = value)
            .map(|(k, ())| k)
    }

    #[cold]
    fn grow(&mut self) {
        let base = self.created;
        let mut chunk = Vec::with_capacity(CHUNK);
        for i in 0..CHUNK {
            let index = base + i;
            // The last chunk's last slot (index `MAX_SLOTS`) is made but never listed free.
            let next_free = if i + 1 < CHUNK && index + 1 < MAX_SLOTS {
                (index + 1) as u32
            } else {
                NONE
            };
            chunk.push(Slot {
                key: VACANT | (self.initial_generation(index) << INDEX_BITS) | index as u64,
                next_free,
                value: T::default(),
            });
        }
        let chunk: Box<[Slot<T>; CHUNK]> = chunk
            .into_boxed_slice()
            .try_into()
            .unwrap_or_else(|_| unreachable!("exactly CHUNK slots"));
        self.chunks.push(chunk);
        self.created += CHUNK;
        self.free_head = base as u32;
    }

    /// The value under `key`, if that slot is occupied at that generation.
    #[inline]
    pub(crate) fn get(&self, key: Key) -> Option<&T> {
        let i = key.index() as usize;
        let s = &self.chunks.get(i >> CHUNK_SHIFT)?[i & (CHUNK - 1)];
        (s.key == key.bits).then_some(&s.value)
    }

    /// The value under `key`, mutably.
    #[inline]
    pub(crate) fn get_mut(&mut self, key: Key) -> Option<&mut T> {
        let s = self.slot_mut(key.bits)?;
        if s.key == key.bits {
            Some(&mut s.value)
        } else {
            None
        }
    }

    /// Vacates the slot under `key` (its value stays, for reuse), bumping the generation so
    /// the key goes stale. Returns whether the key named an occupied slot.
    #[inline]
    pub(crate) fn vacate(&mut self, key: Key) -> bool {
        self.vacate_if(key, |_| Ok::<(), ()>(())).is_some()
    }

    /// Runs `f` on the value under `key`; when it returns `Ok`, vacates the slot (one lookup
    /// for the check-then-remove of the hot path). `None` when `key` names no occupied slot.
    #[inline]
    pub(crate) fn vacate_if<R, E>(
        &mut self,
        key: Key,
        f: impl FnOnce(&mut T) -> Result<R, E>,
    ) -> Option<Result<R, E>> {
        let free_head = self.free_head;
        let s = self.slot_mut(key.bits)?;
        if s.key != key.bits {
            return None;
        }
        let r = f(&mut s.value);
        if r.is_ok() {
            s.key = vacated(key.bits);
            s.next_free = free_head;
            self.free_head = key.index();
        }
        Some(r)
    }

    /// Vacates the slot under `key` and takes its value (leaving a default).
    pub(crate) fn remove(&mut self, key: Key) -> Option<T> {
        let v = core::mem::take(self.get_mut(key)?);
        self.vacate(key);
        Some(v)
    }

    /// Every occupied key, in index order.
    pub(crate) fn keys(&self) -> Vec<Key> {
        let mut out = Vec::new();
        for chunk in &self.chunks {
            for slot in chunk.iter() {
                if slot.key & VACANT == 0 {
                    out.push(Key { bits: slot.key });
                }
            }
        }
        out
    }

    /// Forgets every value without dropping it (the kernel may still use their memory) and
    /// leaks the chunks that held them.
    pub(crate) fn leak_all(&mut self) {
        for chunk in std::mem::take(&mut self.chunks) {
            std::mem::forget(chunk);
        }
        self.created = 0;
        self.free_head = NONE;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    #[test]
    fn insert_get_remove() {
        let mut s = Slab::with_seed(1);
        let a = s.insert("a").unwrap();
        let b = s.insert("b").unwrap();
        assert_eq!(s.get(a), Some(&"a"));
        assert_eq!(s.get(b), Some(&"b"));
        assert_eq!(s.remove(a), Some("a"));
        assert_eq!(s.get(a), None, "a removed key is stale");
        assert_eq!(s.remove(a), None, "removing twice fails");
        let c = s.insert("c").unwrap();
        assert_eq!(c.index(), a.index(), "the slot is reused");
        assert_ne!(c, a, "with a new generation");
        assert_eq!(s.get(a), None);
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn bits_roundtrip_and_tag_clear() {
        let mut s = Slab::with_seed(u64::MAX);
        for _ in 0..200 {
            let k = s.insert(()).unwrap();
            assert_eq!(k.to_bits() >> 63, 0);
            assert_eq!(Key::from_bits(k.to_bits()), k);
            assert_eq!(Key::from_bits(k.to_bits() | 1 << 63), k);
        }
    }

    #[test]
    fn hostile_keys_are_rejected() {
        let mut s = Slab::with_seed(7);
        let k = s.insert(5u32).unwrap();
        for bits in [0, u64::MAX, k.to_bits() ^ 1 << 40, k.to_bits() + 1, 1 << 23] {
            let h = Key::from_bits(bits);
            if h != k {
                assert_eq!(s.get(h), None);
                assert_eq!(s.remove(h), None);
            }
        }
        assert_eq!(s.get(k), Some(&5));
    }

    #[test]
    fn addresses_are_stable_across_growth() {
        let mut s = Slab::with_seed(3);
        let k0 = s.insert([0u8; 16]).unwrap();
        let p0 = s.get(k0).unwrap() as *const [u8; 16];
        for _ in 0..1000 {
            s.insert([1u8; 16]).unwrap();
        }
        assert_eq!(s.get(k0).unwrap() as *const [u8; 16], p0);
    }

    #[test]
    // 16 Mi inserts (256 MiB of slots): too slow under Miri, which runs the rest.
    #[cfg_attr(miri, ignore)]
    fn the_last_index_is_never_handed_out() {
        let mut s: Slab<()> = Slab::with_seed(3);
        let mut n = 0usize;
        let mut max = 0;
        while let Ok(k) = s.insert(()) {
            n += 1;
            max = max.max(k.index());
        }
        assert_eq!(n, MAX_SLOTS, "slots handed out before the slab is full");
        assert_eq!(max as usize, MAX_SLOTS - 1, "index 2^24 - 1 was handed out");
        assert_eq!(s.created, 1 << INDEX_BITS, "full at the last chunk");
        // Its key at the last generation would be `INTERNAL`, whose CQEs the driver ignores.
        assert_eq!(
            (1 << 63) | (GEN_MASK << INDEX_BITS) | (MAX_SLOTS as u64),
            u64::MAX
        );
    }

    #[test]
    fn generation_wraps_within_mask() {
        let mut s: Slab<()> = Slab::with_seed(0);
        let k = s.insert(()).unwrap();
        // Force the slot to the last generation and check the wrap.
        let last = (GEN_MASK << INDEX_BITS) | u64::from(k.index());
        s.chunks[0][k.index() as usize].key = last;
        let k = Key::from_bits(last);
        s.remove(k).unwrap();
        let k2 = s.insert(()).unwrap();
        assert_eq!((k2.generation(), k2.index()), (0, k.index()));
        assert_eq!(Key::from_bits(k2.to_bits()), k2);
        assert_eq!(s.get(k), None, "the last generation's key went stale");
    }

    /// The free list (popped without a bounds check) only ever gets the index of a slot that
    /// was occupied at exactly that key: stale keys, a vacant slot's own stored bits (its next
    /// generation), indices past the created slots and keys with bit 63 set vacate nothing,
    /// so no slot is listed twice and every index handed out is a created one.
    #[test]
    fn only_occupied_keys_reach_the_free_list() {
        let mut s = Slab::with_seed(9);
        let a = s.insert(1u32).unwrap();
        let b = s.insert(2u32).unwrap();
        assert!(s.vacate(a));
        let vacant_bits = s.chunks[0][a.index() as usize].key;
        for bits in [
            a.to_bits(),
            vacant_bits,
            vacant_bits & KEY_MASK,
            (b.to_bits() & !INDEX_MASK) | CHUNK as u64,
            b.to_bits() | VACANT,
            u64::from(u32::MAX),
        ] {
            let k = Key::from_bits(bits);
            if k != b {
                assert!(!s.vacate(k), "{bits:#x} vacated a slot");
                assert_eq!(s.remove(k), None);
            }
        }
        let mut seen = std::collections::HashSet::new();
        for i in 0..2 * CHUNK as u32 {
            let k = s.insert(i).unwrap();
            assert!((k.index() as usize) < s.created);
            assert_ne!(k.index(), b.index());
            assert!(
                seen.insert(k.index()),
                "index {} handed out twice",
                k.index()
            );
        }
        assert_eq!(s.get(b), Some(&2));
    }

    #[test]
    #[cfg_attr(miri, ignore = "leaks on purpose")]
    fn leak_all_does_not_drop() {
        use std::rc::Rc;
        let rc = Rc::new(());
        let mut s = Slab::new();
        s.insert(rc.clone()).unwrap();
        s.leak_all();
        drop(s);
        assert_eq!(
            Rc::strong_count(&rc),
            2,
            "the leaked clone was never dropped"
        );
    }

    /// Operations per property case: fewer under Miri (stage 85), which is far slower.
    const MAX_OPS: usize = if cfg!(miri) { 120 } else { 400 };

    proptest! {
        /// Against a naive oracle: a HashMap from key to value.
        #[test]
        fn matches_oracle(ops in proptest::collection::vec((0u8..3, 0usize..64), 0..MAX_OPS)) {
            let mut s = Slab::with_seed(42);
            let mut oracle: HashMap<Key, usize> = HashMap::new();
            let mut keys: Vec<Key> = Vec::new();
            for (i, (op, pick)) in ops.into_iter().enumerate() {
                match op {
                    0 => {
                        let k = s.insert(i).unwrap();
                        prop_assert!(oracle.insert(k, i).is_none());
                        keys.push(k);
                    }
                    1 if !keys.is_empty() => {
                        let k = keys[pick % keys.len()];
                        prop_assert_eq!(s.remove(k), oracle.remove(&k));
                    }
                    _ if !keys.is_empty() => {
                        let k = keys[pick % keys.len()];
                        prop_assert_eq!(s.get(k), oracle.get(&k));
                    }
                    _ => {}
                }
                prop_assert_eq!(s.len(), oracle.len());
            }
            let mut live = s.keys();
            live.sort_by_key(|k| k.index());
            let mut want: Vec<Key> = oracle.keys().copied().collect();
            want.sort_by_key(|k| k.index());
            prop_assert_eq!(live, want);
        }
    }
}
