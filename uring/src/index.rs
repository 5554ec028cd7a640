//! Pure ring-index arithmetic: no memory, no syscalls (so Miri and proptest cover it).
//!
//! Indices are free-running `u32`s: they wrap at 2^32, and because the ring sizes are powers of
//! two no larger than 2^16, `tail - head` (wrapping) is the number of entries between them and
//! `index & mask` the slot, across the wrap.

/// Entries between `head` and `tail` (wrapping).
#[inline]
pub(crate) const fn len(head: u32, tail: u32) -> u32 {
    tail.wrapping_sub(head)
}

/// Free slots in a ring of `entries` from `head` to `tail`; 0 when the indices claim more
/// than `entries` (a kernel that broke the protocol: we then push nothing).
#[inline]
pub(crate) const fn space(head: u32, tail: u32, entries: u32) -> u32 {
    entries.saturating_sub(len(head, tail))
}

/// The slot of `index` in a ring with `mask = entries - 1`.
#[inline]
pub(crate) const fn slot(index: u32, mask: u32) -> usize {
    (index & mask) as usize
}

/// The CQEs ready between `head` and `tail`, never more than the ring holds.
#[inline]
pub(crate) const fn ready(head: u32, tail: u32, entries: u32) -> u32 {
    let n = len(head, tail);
    if n > entries { entries } else { n }
}

#[cfg(test)]
mod tests {
    use crate::index;
    use proptest::prelude::*;

    /// A model ring with unbounded (u64) counters: the truth the wrapping u32 arithmetic must
    /// agree with.
    #[derive(Debug)]
    struct Model {
        head: u64,
        tail: u64,
        entries: u64,
    }

    proptest! {
        #[test]
        fn wrapping_indices_match_the_model(
            start in any::<u32>(),
            shift in 0u32..=16,
            ops in proptest::collection::vec((any::<bool>(), 0u32..70000), 1..64),
        ) {
            let entries = 1u32 << shift;
            let mask = entries - 1;
            let mut m = Model { head: u64::from(start), tail: u64::from(start), entries: u64::from(entries) };
            for (push, n) in ops {
                let (h, t) = (m.head as u32, m.tail as u32);
                prop_assert_eq!(u64::from(index::len(h, t)), m.tail - m.head);
                prop_assert_eq!(u64::from(index::space(h, t, entries)), m.entries - (m.tail - m.head));
                prop_assert_eq!(index::slot(t, mask) as u64, m.tail % m.entries);
                prop_assert_eq!(u64::from(index::ready(h, t, entries)), m.tail - m.head);
                if push {
                    let k = u64::from(n).min(m.entries - (m.tail - m.head));
                    m.tail += k;
                } else {
                    let k = u64::from(n).min(m.tail - m.head);
                    m.head += k;
                }
            }
        }

        #[test]
        fn a_bogus_head_never_claims_space(head in any::<u32>(), tail in any::<u32>(), shift in 0u32..=16) {
            let entries = 1u32 << shift;
            let space = index::space(head, tail, entries);
            prop_assert!(space <= entries);
            prop_assert!(index::ready(head, tail, entries) <= entries);
            prop_assert!(index::slot(tail, entries - 1) < entries as usize);
        }
    }

    #[test]
    fn across_the_wrap() {
        let head = u32::MAX - 2;
        let tail = 5u32;
        assert_eq!(index::len(head, tail), 8);
        assert_eq!(index::space(head, tail, 8), 0);
        assert_eq!(index::space(head, tail, 16), 8);
        assert_eq!(index::slot(u32::MAX, 7), 7);
        assert_eq!(index::slot(u32::MAX.wrapping_add(1), 7), 0);
    }
}
