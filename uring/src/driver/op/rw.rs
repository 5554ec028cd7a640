//! Reads and writes of owned buffers: `read`/`write` and the vectored `readv`/`writev`
//! (which allocate their `iovec` array per operation).

use std::io;

use super::{Completion, OpFile, Operation, clamp_len, read_output, within};
#[cfg(doc)]
use crate::driver::SubmitError;
use crate::driver::buf::{IoBuf, IoBufMut};
use crate::opcode;
use crate::squeue::Sqe;

/// `IORING_OP_READ` — `pread(2)` into an owned buffer (its whole `bytes_total()`).
#[derive(Debug)]
pub struct Read<B> {
    target: OpFile,
    offset: u64,
    buf: B,
}

impl<B> Read<B> {
    /// The buffer back, e.g. from a [`SubmitError`] (the operation was
    /// never submitted, so the kernel never saw it).
    pub fn into_buf(self) -> B {
        self.buf
    }
}

impl<B: IoBufMut> Read<B> {
    /// Reads into `buf` from `offset` (`u64::MAX`: the file position).
    pub fn new(target: impl Into<OpFile>, buf: B, offset: u64) -> Self {
        Read {
            target: target.into(),
            offset,
            buf,
        }
    }
}

// SAFETY: the only pointer is `buf`'s, owned by `self` (IoBufMut: stable, writable for
// `bytes_total()` bytes).
unsafe impl<B: IoBufMut> Operation for Read<B> {
    type Output = (io::Result<u32>, B);
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> (io::Result<u32>, B) {
        (Err(error), self.buf)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        let len = clamp_len(self.buf.bytes_total());
        opcode::Read::new(self.target, self.buf.stable_mut_ptr(), len)
            .offset(self.offset)
            .build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> Self::Output {
        // SAFETY: `c` is the final CQE of the read `sqe` set up into `buf`'s `bytes_total()`.
        unsafe { read_output(c, self.buf) }
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        self.target.check(ring_id)
    }
}

/// `IORING_OP_WRITE` — `pwrite(2)` of an owned buffer's initialized bytes.
#[derive(Debug)]
pub struct Write<B> {
    target: OpFile,
    offset: u64,
    buf: B,
}

impl<B> Write<B> {
    /// The buffer back, e.g. from a [`SubmitError`] (the operation was
    /// never submitted, so the kernel never saw it).
    pub fn into_buf(self) -> B {
        self.buf
    }
}

impl<B: IoBuf> Write<B> {
    /// Writes `buf`'s initialized bytes at `offset` (`u64::MAX`: the file position).
    pub fn new(target: impl Into<OpFile>, buf: B, offset: u64) -> Self {
        Write {
            target: target.into(),
            offset,
            buf,
        }
    }
}

// SAFETY: the only pointer is `buf`'s, owned by `self`, `bytes_init()` readable bytes.
unsafe impl<B: IoBuf> Operation for Write<B> {
    type Output = (io::Result<u32>, B);
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> (io::Result<u32>, B) {
        (Err(error), self.buf)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        let len = clamp_len(self.buf.bytes_init());
        opcode::Write::new(self.target, self.buf.stable_ptr(), len)
            .offset(self.offset)
            .build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> Self::Output {
        (within(c.result(), self.buf.bytes_init()), self.buf)
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        self.target.check(ring_id)
    }
}

pub(super) fn iovecs_of<B: IoBuf>(bufs: &[B], init_only: bool) -> Vec<libc::iovec> {
    bufs.iter()
        .map(|b| libc::iovec {
            iov_base: b.stable_ptr().cast_mut().cast(),
            iov_len: if init_only {
                b.bytes_init()
            } else {
                b.bytes_total()
            },
        })
        .collect()
}

/// The bytes `bufs` offer together: each one's initialized bytes, or with `total` all of them.
/// What a vectored completion may claim at most ([`within`]).
pub(super) fn bytes_of<B: IoBuf>(bufs: &[B], total: bool) -> usize {
    bufs.iter()
        .map(|b| {
            if total {
                b.bytes_total()
            } else {
                b.bytes_init()
            }
        })
        .fold(0, usize::saturating_add)
}

/// Spreads `n` filled bytes over `bufs` in order, setting each one's initialized length.
fn spread_init<B: IoBufMut>(bufs: &mut [B], mut n: usize) {
    for b in bufs {
        let take = n.min(b.bytes_total());
        // SAFETY: the kernel filled the iovecs in order, `take` bytes of this one (the first
        // `take` bytes of its `bytes_total()`).
        unsafe { b.set_init(take) };
        n -= take;
        if n == 0 {
            break;
        }
    }
}

/// `IORING_OP_READV` — `preadv2(2)` into owned buffers (each one's whole `bytes_total()`).
#[derive(Debug)]
pub struct Readv<B> {
    target: OpFile,
    offset: u64,
    bufs: Vec<B>,
    iovecs: Vec<libc::iovec>,
}

impl<B: IoBufMut> Readv<B> {
    /// Reads into `bufs`, in order, from `offset` (`u64::MAX`: the file position).
    pub fn new(target: impl Into<OpFile>, bufs: Vec<B>, offset: u64) -> Self {
        Readv {
            target: target.into(),
            offset,
            bufs,
            iovecs: Vec::new(),
        }
    }
}

// SAFETY: the iovec array and every buffer it points into are owned by `self`; the array is
// built in `sqe` (its heap block does not move afterwards) from the buffers' stable pointers.
unsafe impl<B: IoBufMut> Operation for Readv<B> {
    type Output = (io::Result<u32>, Vec<B>);
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> (io::Result<u32>, Vec<B>) {
        (Err(error), self.bufs)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        self.iovecs = self
            .bufs
            .iter_mut()
            .map(|b| libc::iovec {
                iov_base: b.stable_mut_ptr().cast(),
                iov_len: b.bytes_total(),
            })
            .collect();
        let len = clamp_len(self.iovecs.len());
        opcode::Readv::new(self.target, self.iovecs.as_ptr(), len)
            .offset(self.offset)
            .build()
    }
    #[inline]
    unsafe fn complete(mut self, c: Completion) -> Self::Output {
        let r = within(c.result(), bytes_of(&self.bufs, true));
        if let Ok(n) = r {
            spread_init(&mut self.bufs, n as usize);
        }
        (r, self.bufs)
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        self.target.check(ring_id)
    }
}

/// `IORING_OP_WRITEV` — `pwritev2(2)` of owned buffers' initialized bytes.
#[derive(Debug)]
pub struct Writev<B> {
    target: OpFile,
    offset: u64,
    bufs: Vec<B>,
    iovecs: Vec<libc::iovec>,
}

impl<B: IoBuf> Writev<B> {
    /// Writes `bufs`, in order, at `offset` (`u64::MAX`: the file position).
    pub fn new(target: impl Into<OpFile>, bufs: Vec<B>, offset: u64) -> Self {
        Writev {
            target: target.into(),
            offset,
            bufs,
            iovecs: Vec::new(),
        }
    }
}

// SAFETY: as for `Readv`, for reads of `bytes_init()` bytes.
unsafe impl<B: IoBuf> Operation for Writev<B> {
    type Output = (io::Result<u32>, Vec<B>);
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> (io::Result<u32>, Vec<B>) {
        (Err(error), self.bufs)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        self.iovecs = iovecs_of(&self.bufs, true);
        let len = clamp_len(self.iovecs.len());
        opcode::Writev::new(self.target, self.iovecs.as_ptr(), len)
            .offset(self.offset)
            .build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> Self::Output {
        // As `Write`: a count above the bytes given is no kernel's.
        (within(c.result(), bytes_of(&self.bufs, false)), self.bufs)
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        self.target.check(ring_id)
    }
}
