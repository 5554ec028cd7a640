//! The operations that receive into a [`BufRing`]: [`RecvMulti`], [`ReadMulti`],
//! [`RecvSelect`] and [`RecvBundle`].

use std::io;

use super::ring::{BufRing, Using};
use super::{BufRef, BundleRef};
use crate::cqueue::CqeFlags;
use crate::driver::op::{Completion, MultishotOperation, OpFile, Operation};
use crate::opcode;
use crate::squeue::Sqe;
use crate::types::RecvSendFlags;
/// Whether `e` is `ENOBUFS`: the ring had no free buffer, and a multishot receive ended; drop
/// some [`BufRef`]s and re-arm (`Driver::release` + `Driver::submit_multishot`).
pub fn is_no_buffers(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::ENOBUFS)
}

/// Multishot `IORING_OP_RECV` with buffer select (Linux 6.0+): one [`BufRef`] per receive
/// until end of stream (an empty one), an error, or `ENOBUFS`.
#[derive(Debug)]
pub struct RecvMulti {
    target: OpFile,
    ring: Using,
    flags: i32,
}

impl RecvMulti {
    /// Receives on `target` into buffers of `ring`.
    pub fn new(target: impl Into<OpFile>, ring: &BufRing) -> Self {
        RecvMulti {
            target: target.into(),
            ring: Using::new(ring),
            flags: 0,
        }
    }
    /// `MSG_*` flags for each receive.
    pub fn msg_flags(mut self, flags: i32) -> Self {
        self.flags = flags;
        self
    }
}

// SAFETY: no pointer: the kernel takes buffers from the group, whose memory the `BufRing`
// reference held here keeps alive until the final CQE.
unsafe impl MultishotOperation for RecvMulti {
    type Item = io::Result<BufRef>;
    #[inline]
    fn sqe(&mut self) -> Sqe {
        opcode::RecvMulti::new(self.target, self.ring.bgid())
            .flags(self.flags as u32)
            .build()
    }
    #[inline]
    unsafe fn observe(&mut self, c: &mut Completion) {
        self.ring.observe(c);
    }
    #[inline]
    unsafe fn item(&mut self, c: Completion) -> io::Result<BufRef> {
        self.ring.guard(&c)
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        crate::driver::op::check_recv_flags(self.flags)?;
        self.target.check(ring_id)?;
        self.ring.check_driver(ring_id)
    }
}

/// `IORING_OP_READ_MULTISHOT` (Linux 6.7+): reads from a pipe/socket/eventfd-like file into
/// provided buffers, one [`BufRef`] per read.
#[derive(Debug)]
pub struct ReadMulti {
    target: OpFile,
    ring: Using,
}

impl ReadMulti {
    /// Reads from `target` into buffers of `ring`.
    pub fn new(target: impl Into<OpFile>, ring: &BufRing) -> Self {
        ReadMulti {
            target: target.into(),
            ring: Using::new(ring),
        }
    }
}

// SAFETY: as for `RecvMulti`.
unsafe impl MultishotOperation for ReadMulti {
    type Item = io::Result<BufRef>;
    #[inline]
    fn sqe(&mut self) -> Sqe {
        opcode::ReadMulti::new(self.target, self.ring.bgid())
            .offset(u64::MAX)
            .build()
    }
    #[inline]
    unsafe fn observe(&mut self, c: &mut Completion) {
        self.ring.observe(c);
    }
    #[inline]
    unsafe fn item(&mut self, c: Completion) -> io::Result<BufRef> {
        self.ring.guard(&c)
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        self.target.check(ring_id)?;
        self.ring.check_driver(ring_id)
    }
}

/// Single-shot `IORING_OP_RECV` into a buffer the kernel picks from `ring`.
#[derive(Debug)]
pub struct RecvSelect {
    target: OpFile,
    ring: Using,
    flags: i32,
}

impl RecvSelect {
    /// Receives once on `target` into a buffer of `ring`.
    pub fn new(target: impl Into<OpFile>, ring: &BufRing) -> Self {
        RecvSelect {
            target: target.into(),
            ring: Using::new(ring),
            flags: 0,
        }
    }
}

// SAFETY: as for `RecvMulti`.
unsafe impl Operation for RecvSelect {
    type Output = io::Result<BufRef>;
    fn fail(self, error: io::Error) -> io::Result<BufRef> {
        Err(error)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        opcode::Recv::new(self.target, core::ptr::null_mut(), 0)
            .flags(self.flags as u32)
            .buffer_select(Some(self.ring.bgid()))
            .build()
    }
    #[inline]
    unsafe fn observe(&mut self, c: &mut Completion) {
        self.ring.observe(c);
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> io::Result<BufRef> {
        self.ring.guard(&c)
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        crate::driver::op::check_recv_flags(self.flags)?;
        self.target.check(ring_id)?;
        self.ring.check_driver(ring_id)
    }
}

/// Multishot `IORING_OP_RECV` with `IORING_RECVSEND_BUNDLE` (Linux 6.10+,
/// `IORING_FEAT_RECVSEND_BUNDLE`): one completion may fill several buffers, taken in ring
/// order; each item is a [`BundleRef`] over all of them.
///
/// The ring must be this operation's alone while it lives (checked both ways: `new` fails if
/// another operation holds the ring, and other operations are refused at submission), because
/// the buffers of a bundle are found by ring position, which only one consumer keeps in order.
/// Not with incremental rings.
#[derive(Debug)]
pub struct RecvBundle {
    target: OpFile,
    ring: Using,
    /// Bids of observed completions not yet turned into items, in order.
    bids: std::collections::VecDeque<u16>,
}

impl RecvBundle {
    /// Receives bundles on `target` into buffers of `ring`.
    ///
    /// # Errors
    /// `InvalidInput` when `ring` is incremental or another operation holds it.
    pub fn new(target: impl Into<OpFile>, ring: &BufRing) -> io::Result<Self> {
        let inner = &ring.inner;
        if inner.incremental {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "bundle receives need a non-incremental buffer ring",
            ));
        }
        if inner.exclusive.get() || inner.users.get() > 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a bundle receive needs its buffer ring to itself, and another operation holds \
                 this one; give the bundle its own ring",
            ));
        }
        let ring = Using::new(ring);
        ring.inner.exclusive.set(true);
        Ok(RecvBundle {
            target: target.into(),
            bids: std::collections::VecDeque::with_capacity(ring.count() as usize),
            ring,
        })
    }
}

impl Drop for RecvBundle {
    fn drop(&mut self) {
        // Observed but never itemized (only when the driver drops it unfinished): give back.
        for bid in self.bids.drain(..) {
            self.ring.inner.release(bid);
        }
        self.ring.inner.exclusive.set(false);
    }
}

// SAFETY: no pointer: as for `RecvMulti`.
unsafe impl MultishotOperation for RecvBundle {
    type Item = io::Result<BundleRef>;
    #[inline]
    fn sqe(&mut self) -> Sqe {
        opcode::RecvMulti::new(self.target, self.ring.bgid())
            .ioprio(RecvSendFlags::BUNDLE)
            .build()
    }
    /// Finds the buffers by ring position (the kernel took consecutive entries from the one
    /// holding the reported bid) and accounts for each, all or none.
    #[inline]
    unsafe fn observe(&mut self, c: &mut Completion) {
        let Some(first) = c.buffer_id() else {
            return;
        };
        let inner = &self.ring.inner;
        let size = inner.size as usize;
        let len = c.res.max(0) as usize;
        let n = len.div_ceil(size).max(1);
        let ok = (first as usize) < inner.state.len() && n <= inner.state.len() && {
            let p = inner.pos_of[first as usize].get() as usize;
            (0..n).all(|k| {
                let bid = inner.bid_at[(p + k) & inner.mask as usize].get();
                (k > 0 || bid == first) && inner.state[bid as usize].in_kernel.get()
            })
        };
        if !ok {
            c.res = -libc::EBADMSG;
            c.flags.remove(CqeFlags::BUFFER);
            return;
        }
        let p = inner.pos_of[first as usize].get() as usize;
        for k in 0..n {
            let bid = inner.bid_at[(p + k) & inner.mask as usize].get();
            let st = &inner.state[bid as usize];
            st.in_kernel.set(false);
            st.refs.set(st.refs.get() + 1);
            self.bids.push_back(bid);
        }
        c.aux = n as u32;
    }
    #[inline]
    unsafe fn item(&mut self, c: Completion) -> io::Result<BundleRef> {
        let n = if c.buffer_id().is_some() {
            c.aux as usize
        } else {
            0
        };
        let bids: Vec<u16> = self.bids.drain(..n.min(self.bids.len())).collect();
        if let Err(e) = c.result() {
            // Buffers a failed completion consumed go straight back (see `BufRing::guard`),
            // never to the next item.
            for bid in bids {
                self.ring.inner.release(bid);
            }
            return Err(e);
        }
        Ok(BundleRef {
            ring: self.ring.inner.clone(),
            bids,
            len: c.res as u32,
        })
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        self.target.check(ring_id)?;
        if self.ring.inner.driver == ring_id {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "this provided buffer ring is registered with another Driver",
            ))
        }
    }
}
