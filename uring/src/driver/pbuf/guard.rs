//! The guards over buffers the kernel picked: [`BufRef`] (one buffer) and [`BundleRef`]
//! (consecutive buffers of one bundle completion); each gives its buffers back to the ring
//! when dropped.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::rc::Rc;

use super::ring::Inner;
/// One completion's data in a provided buffer; derefs to the filled bytes and puts the buffer
/// back into its ring on drop. Empty (and holding no buffer) at end of stream.
pub struct BufRef {
    pub(super) ring: Option<Rc<Inner>>,
    pub(super) bid: u16,
    pub(super) start: u32,
    pub(super) len: u32,
}

impl BufRef {
    /// The buffer id the kernel picked (`None` for an empty completion).
    pub fn bid(&self) -> Option<u16> {
        self.ring.as_ref().map(|_| self.bid)
    }

    /// Where the bytes start and how many there are; `None` for an empty completion.
    fn raw_parts(&self) -> Option<(*mut u8, usize)> {
        let r = self.ring.as_ref()?;
        let at = self.bid as usize * r.size as usize + self.start as usize;
        Some((r.bufs.ptr.as_ptr().wrapping_add(at), self.len as usize))
    }
}

impl fmt::Debug for BufRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BufRef")
            .field("bid", &self.bid())
            .field("start", &self.start)
            .field("len", &self.len)
            .finish()
    }
}

impl Deref for BufRef {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self.raw_parts() {
            // SAFETY: `consume` checked `bid < count` and `start + len <= size`, so the range
            // lies in the buffer block (alive while `ring` is); the kernel wrote these `len`
            // bytes before posting the CQE and no longer holds this part (a non-incremental
            // buffer left the ring; an incremental one is only written past `start + len`);
            // `consume` hands each part out once, so no other guard aliases it.
            Some((p, n)) => unsafe { core::slice::from_raw_parts(p, n) },
            None => &[],
        }
    }
}

impl DerefMut for BufRef {
    fn deref_mut(&mut self) -> &mut [u8] {
        match self.raw_parts() {
            // SAFETY: as in `deref`; `&mut self` makes the borrow unique.
            Some((p, n)) => unsafe { core::slice::from_raw_parts_mut(p, n) },
            None => &mut [],
        }
    }
}

// SAFETY: the bytes at `raw_parts()` are a provided buffer the kernel handed over (its CQE was
// observed, so the driver holds it out of the ring) and that goes back only when this guard
// drops: while an operation owns the guard they stay valid, initialized (`len` bytes the
// kernel wrote) and unchanged; the `Rc` keeps the block alive and it never moves.
unsafe impl crate::driver::buf::IoBuf for BufRef {
    #[inline]
    fn stable_ptr(&self) -> *const u8 {
        self.raw_parts()
            .map_or(core::ptr::NonNull::dangling().as_ptr(), |(p, _)| p)
    }
    #[inline]
    fn bytes_init(&self) -> usize {
        self.raw_parts().map_or(0, |(_, n)| n)
    }
    #[inline]
    fn bytes_total(&self) -> usize {
        self.bytes_init()
    }
}

impl Drop for BufRef {
    fn drop(&mut self) {
        if let Some(r) = &self.ring {
            r.release(self.bid);
        }
    }
}

/// One bundle completion: `len` bytes spread over consecutive buffers (all full but the last).
/// Every buffer goes back to the ring on drop. Empty at end of stream.
pub struct BundleRef {
    pub(super) ring: Rc<Inner>,
    pub(super) bids: Vec<u16>,
    pub(super) len: u32,
}

impl BundleRef {
    /// Total bytes.
    pub fn len(&self) -> usize {
        self.len as usize
    }
    /// Whether there are no bytes (end of stream).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// The buffer ids, in order.
    pub fn bids(&self) -> &[u16] {
        &self.bids
    }
    /// The filled bytes of each buffer, in order.
    pub fn chunks(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let size = self.ring.size as usize;
        let mut left = self.len as usize;
        self.bids.iter().map(move |&bid| {
            let n = left.min(size);
            left -= n;
            // SAFETY: `observe` checked every bid is in range and took it from the kernel
            // (marked out, referenced by this bundle only); `n <= size` bytes of it were
            // written by the kernel before the CQE; the block lives while `ring` does.
            unsafe {
                core::slice::from_raw_parts(self.ring.bufs.ptr.as_ptr().add(bid as usize * size), n)
            }
        })
    }
    /// Appends the bytes to `out`.
    pub fn copy_to(&self, out: &mut Vec<u8>) {
        out.reserve(self.len as usize);
        for c in self.chunks() {
            out.extend_from_slice(c);
        }
    }
}

impl fmt::Debug for BundleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BundleRef")
            .field("bids", &self.bids)
            .field("len", &self.len)
            .finish()
    }
}

impl Drop for BundleRef {
    fn drop(&mut self) {
        for &bid in &self.bids {
            self.ring.release(bid);
        }
    }
}
