//! Buffers the driver can own while the kernel uses them.
//!
//! An operation takes its buffer by value, the driver keeps it in the operation's slot until
//! the final completion, and the completion hands it back. The traits below say where the
//! bytes are; they are `unsafe` to implement because the kernel trusts the answer.

use core::ops::{Bound, RangeBounds};

/// A buffer whose bytes the kernel may read after submission (writes, sends).
///
/// # Safety
///
/// Implementors promise that
/// - `stable_ptr()` points to `bytes_total()` bytes of memory owned by `self` (or `'static`)
///   of which the first `bytes_init()` are initialized;
/// - the pointer and the memory stay valid and unchanged when `self` is moved, until `self`
///   is dropped or accessed through `&mut` (the driver does neither while the kernel may
///   use the memory);
/// - the three methods return the same values each time while `self` is not mutated.
pub unsafe trait IoBuf: 'static {
    /// Where the bytes start.
    fn stable_ptr(&self) -> *const u8;
    /// How many bytes from `stable_ptr()` are initialized (what a write sends).
    fn bytes_init(&self) -> usize;
    /// How many bytes from `stable_ptr()` the buffer owns (what a read may fill).
    fn bytes_total(&self) -> usize;

    /// A view of `range` (relative to this buffer) that is itself an [`IoBuf`], so that an
    /// operation can use part of a buffer and still hand the whole one back.
    ///
    /// Out-of-range bounds are clamped to `bytes_total()` (and an inverted range becomes empty),
    /// never a panic and never memory beyond the buffer.
    fn slice(self, range: impl RangeBounds<usize>) -> Slice<Self>
    where
        Self: Sized,
    {
        let total = self.bytes_total();
        let begin = match range.start_bound() {
            Bound::Included(&n) => n,
            Bound::Excluded(&n) => n.saturating_add(1),
            Bound::Unbounded => 0,
        }
        .min(total);
        let end = match range.end_bound() {
            Bound::Included(&n) => n.saturating_add(1),
            Bound::Excluded(&n) => n,
            Bound::Unbounded => total,
        }
        .clamp(begin, total);
        Slice {
            buf: self,
            begin,
            end,
        }
    }
}

/// A buffer the kernel may write into after submission (reads, receives).
///
/// # Safety
///
/// Everything [`IoBuf`] promises, and `stable_mut_ptr()` is `stable_ptr()` usable for writes
/// of `bytes_total()` bytes.
pub unsafe trait IoBufMut: IoBuf {
    /// Where the bytes start, for writing.
    fn stable_mut_ptr(&mut self) -> *mut u8;

    /// Records that the kernel initialized the bytes `[0, pos)`.
    ///
    /// # Safety
    ///
    /// The first `pos` bytes (and `pos <= bytes_total()`) must really be initialized.
    unsafe fn set_init(&mut self, pos: usize);
}

// SAFETY: a Vec's heap block does not move when the Vec value moves; `capacity()` bytes are
// allocated and the first `len()` are initialized. (An empty Vec gives a dangling, aligned
// pointer with 0 bytes, which the kernel never dereferences for a length of 0.)
unsafe impl IoBuf for Vec<u8> {
    #[inline]
    fn stable_ptr(&self) -> *const u8 {
        self.as_ptr()
    }
    #[inline]
    fn bytes_init(&self) -> usize {
        self.len()
    }
    #[inline]
    fn bytes_total(&self) -> usize {
        self.capacity()
    }
}

// SAFETY: as for `IoBuf`; `as_mut_ptr` is valid for writes of `capacity()` bytes.
unsafe impl IoBufMut for Vec<u8> {
    #[inline]
    fn stable_mut_ptr(&mut self) -> *mut u8 {
        self.as_mut_ptr()
    }
    #[inline]
    unsafe fn set_init(&mut self, pos: usize) {
        if pos > self.len() {
            // SAFETY: the caller promises `[0, pos)` is initialized and `pos <= capacity()`.
            unsafe { self.set_len(pos) };
        }
    }
}

/// `IoBuf` for a container whose bytes are all initialized and do not move when it does:
/// the bytes at `as_ptr()`, `len()` of them, initialized and total alike. Each use says why
/// the type qualifies.
macro_rules! whole_buf {
    ($($(#[$why:meta])* $t:ty;)*) => {$(
        $(#[$why])*
        // SAFETY: `$t` owns (or borrows for `'static`) `len()` initialized bytes at `as_ptr()`
        // that stay put and unchanged while the value moves (the reason for each type is at
        // its line below).
        unsafe impl IoBuf for $t {
            #[inline]
            fn stable_ptr(&self) -> *const u8 {
                self.as_ptr()
            }
            #[inline]
            fn bytes_init(&self) -> usize {
                self.len()
            }
            #[inline]
            fn bytes_total(&self) -> usize {
                self.len()
            }
        }
    )*};
}

whole_buf! {
    /// A boxed slice's heap block does not move with the box; all of it is initialized.
    Box<[u8]>;
    /// `'static` shared bytes live forever and never change.
    &'static [u8];
    /// As for `&'static [u8]`.
    &'static str;
    /// A `String` is a `Vec<u8>`; only its initialized bytes are offered (no `IoBufMut`, so the
    /// kernel never writes non-UTF-8 into it).
    String;
}

// SAFETY: as for `IoBuf`; the box owns its bytes uniquely.
unsafe impl IoBufMut for Box<[u8]> {
    #[inline]
    fn stable_mut_ptr(&mut self) -> *mut u8 {
        self.as_mut_ptr()
    }
    #[inline]
    unsafe fn set_init(&mut self, _pos: usize) {}
}

/// A range of an owned buffer: the operation uses `[begin, end)` of `buf` and hands the whole
/// buffer back ([`Slice::into_inner`]).
#[derive(Debug)]
pub struct Slice<B> {
    buf: B,
    begin: usize,
    end: usize,
}

impl<B: IoBuf> Slice<B> {
    /// Where the view starts in the whole buffer.
    #[inline]
    pub fn begin(&self) -> usize {
        self.begin
    }
    /// Where the view ends in the whole buffer.
    #[inline]
    pub fn end(&self) -> usize {
        self.end
    }
    /// The whole buffer.
    #[inline]
    pub fn get_ref(&self) -> &B {
        &self.buf
    }
    /// The whole buffer, back.
    #[inline]
    pub fn into_inner(self) -> B {
        self.buf
    }
    /// The initialized bytes of the view.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        let init = self.bytes_init();
        // SAFETY: `IoBuf` promises `bytes_init()` initialized bytes at `stable_ptr()`, and the
        // view's pointer and length stay inside them (begin <= end <= total, clamped to init).
        unsafe { core::slice::from_raw_parts(self.stable_ptr(), init) }
    }
}

// SAFETY: the view is a sub-range of `buf`'s owned bytes (`begin <= end <= bytes_total()`,
// established in `IoBuf::slice`), moving with `buf` exactly as `buf` does.
unsafe impl<B: IoBuf> IoBuf for Slice<B> {
    #[inline]
    fn stable_ptr(&self) -> *const u8 {
        self.buf.stable_ptr().wrapping_add(self.begin)
    }
    #[inline]
    fn bytes_init(&self) -> usize {
        self.buf.bytes_init().clamp(self.begin, self.end) - self.begin
    }
    #[inline]
    fn bytes_total(&self) -> usize {
        self.end - self.begin
    }
}

// SAFETY: as above, for writes: the view never exceeds `buf`'s writable bytes.
unsafe impl<B: IoBufMut> IoBufMut for Slice<B> {
    #[inline]
    fn stable_mut_ptr(&mut self) -> *mut u8 {
        self.buf.stable_mut_ptr().wrapping_add(self.begin)
    }
    #[inline]
    unsafe fn set_init(&mut self, pos: usize) {
        // Claim `[0, begin + pos)` only when the view starts inside the inner buffer's
        // initialized part, so no gap of uninitialized bytes is declared initialized.
        if self.begin <= self.buf.bytes_init() {
            // SAFETY: `[0, begin)` was initialized (checked) and `[begin, begin + pos)` is by
            // the caller's promise.
            unsafe { self.buf.set_init(self.begin + pos) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vec_init_grows_only() {
        let mut v = Vec::with_capacity(16);
        v.extend_from_slice(b"abc");
        assert_eq!((v.bytes_init(), v.bytes_total() >= 16), (3, true));
        let p = v.stable_mut_ptr();
        // SAFETY: writing within capacity, then declaring those bytes initialized.
        unsafe {
            p.add(3).write(b'd');
            v.set_init(4);
            v.set_init(2);
        }
        assert_eq!(v, b"abcd");
    }

    #[test]
    #[allow(clippy::reversed_empty_ranges)]
    fn slice_clamps() {
        let v = vec![1u8, 2, 3, 4];
        let s = v.slice(1..100);
        assert_eq!((s.begin(), s.end(), s.bytes_total()), (1, 4, 3));
        assert_eq!(s.as_bytes(), &[2, 3, 4]);
        let s = s.into_inner().slice(3..1);
        assert_eq!(s.bytes_total(), 0);
        let s = s.into_inner().slice(..=1);
        assert_eq!(s.as_bytes(), &[1, 2]);
        let s = s.into_inner().slice(10..);
        assert_eq!((s.bytes_total(), s.bytes_init()), (0, 0));
    }

    #[test]
    fn slice_set_init_extends_vec() {
        let mut v = Vec::with_capacity(8);
        v.push(9u8);
        let mut s = v.slice(1..8);
        assert_eq!(s.bytes_init(), 0);
        // SAFETY: writing within the view, then declaring it initialized.
        unsafe {
            s.stable_mut_ptr().write(7);
            s.set_init(1);
        }
        assert_eq!(s.into_inner(), vec![9, 7]);
    }

    #[test]
    fn slice_past_init_does_not_claim_gap() {
        let v: Vec<u8> = Vec::with_capacity(8);
        let mut s = v.slice(4..8);
        // SAFETY: writing within the view, then declaring it initialized.
        unsafe {
            s.stable_mut_ptr().write(1);
            s.set_init(1);
        }
        assert_eq!(s.into_inner().len(), 0, "bytes 0..4 were never written");
    }

    #[test]
    fn static_and_box() {
        let s: &'static [u8] = b"hello";
        assert_eq!((s.bytes_init(), s.bytes_total()), (5, 5));
        let b: Box<[u8]> = vec![0; 3].into_boxed_slice();
        assert_eq!(b.bytes_total(), 3);
        assert_eq!("xy".slice(1..).as_bytes(), b"y");
    }
}
