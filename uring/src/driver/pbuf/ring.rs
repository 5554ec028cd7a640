//! The provided-buffer ring itself: its memory (the ring of entries and the buffer block),
//! registration with a driver, and the kernel-facing bookkeeping of which buffer ids are out.

use std::alloc::{self, Layout};
use std::cell::Cell;
use std::fmt;
use std::io;
use std::ops::Deref;
use std::ptr::NonNull;
use std::rc::Rc;
use std::sync::atomic::{AtomicU16, Ordering};

use uring_sys as sys;

use super::BufRef;
use crate::cqueue::CqeFlags;
use crate::driver::Driver;
use crate::driver::op::Completion;
use crate::register::BufRingFlags;
/// The most entries a buffer ring may have (the kernel's limit).
pub const MAX_ENTRIES: u16 = 32768;

/// Pure ring arithmetic, kept apart so it is unit-tested (and Miri-tested) without a kernel.
pub(crate) mod layout {
    /// Byte offset of the tail (`u16`) in `struct io_uring_buf_ring`: it overlays the first
    /// entry's `resv` field.
    pub(crate) const TAIL_OFFSET: usize = 14;
    /// Bytes per entry (`struct io_uring_buf`).
    pub(crate) const ENTRY_SIZE: usize = 16;

    /// Checks a ring's shape; returns the mask.
    pub(crate) fn mask(entries: u32) -> Result<u16, &'static str> {
        if entries == 0 || entries > u32::from(super::MAX_ENTRIES) || !entries.is_power_of_two() {
            return Err("a provided buffer ring needs a power-of-two entry count from 1 to 32768");
        }
        Ok((entries - 1) as u16)
    }

    /// The entry index the next buffer goes to.
    #[inline]
    pub(crate) const fn slot(tail: u16, mask: u16) -> usize {
        (tail & mask) as usize
    }

    /// The ring's size in bytes, rounded up to whole pages.
    pub(crate) fn ring_bytes(entries: u32, page: usize) -> usize {
        (entries as usize * ENTRY_SIZE).div_ceil(page) * page
    }

    /// Checks the buffers fit in memory; returns the total bytes.
    pub(crate) fn buffers_bytes(entries: u32, size: u32) -> Result<usize, &'static str> {
        if size == 0 {
            return Err("provided buffers must be at least 1 byte");
        }
        (entries as usize)
            .checked_mul(size as usize)
            .filter(|&n| n <= isize::MAX as usize / 2)
            .ok_or("entries * size overflows the address space")
    }
}

pub(super) struct BidState {
    /// The kernel holds the buffer (it is in the ring, or partly consumed in incremental mode).
    pub(super) in_kernel: Cell<bool>,
    /// Guards (and queued completions) not yet dropped.
    pub(super) refs: Cell<u32>,
    /// Incremental mode: bytes the kernel consumed so far.
    pub(super) offset: Cell<u32>,
}

pub(super) struct Inner {
    pub(super) ring: NonNull<u8>,
    pub(super) ring_layout: Layout,
    /// The buffers, `count * size` bytes. Declared (so dropped) after `Drop for Inner` ran;
    /// see there.
    pub(super) bufs: Pages,
    pub(super) size: u32,
    pub(super) mask: u16,
    pub(super) bgid: u16,
    pub(super) driver: u64,
    pub(super) incremental: bool,
    pub(super) tail: Cell<u16>,
    pub(super) state: Box<[BidState]>,
    /// The bid last written at each ring position (bundles read consecutive positions).
    pub(super) bid_at: Box<[Cell<u16>]>,
    /// The ring position each bid was last written at.
    pub(super) pos_of: Box<[Cell<u16>]>,
    /// Operations (submitted or not) holding this ring.
    pub(super) users: Cell<u32>,
    /// A bundle receive owns the ring: no other operation may use it meanwhile.
    pub(super) exclusive: Cell<bool>,
}

impl Inner {
    /// Writes buffer `bid` at the tail and publishes it.
    pub(super) fn push(&self, bid: u16) {
        let tail = self.tail.get();
        let entry = sys::io_uring_buf {
            addr: self
                .bufs
                .ptr
                .as_ptr()
                .wrapping_add(bid as usize * self.size as usize) as u64,
            len: self.size,
            bid,
            resv: 0,
        };
        let at = layout::slot(tail, self.mask);
        // SAFETY: `at <= mask < entries`, so the entry lies inside the ring block (entries * 16
        // bytes, established in `BufRing::new`). The kernel reads entries only below the tail
        // it sees, and this one is past it until the store below; the `addr`/`len`/`bid` fields
        // do not overlap the tail of entry 0 (bytes 14..16), so write them one by one.
        unsafe {
            let e = self
                .ring
                .as_ptr()
                .add(at * layout::ENTRY_SIZE)
                .cast::<sys::io_uring_buf>();
            (&raw mut (*e).addr).write(entry.addr);
            (&raw mut (*e).len).write(entry.len);
            (&raw mut (*e).bid).write(entry.bid);
        }
        self.bid_at[at].set(bid);
        self.pos_of[bid as usize].set(at as u16);
        let new = tail.wrapping_add(1);
        self.tail.set(new);
        let st = &self.state[bid as usize];
        st.in_kernel.set(true);
        st.offset.set(0);
        // SAFETY: the tail is a u16 at byte 14 of the page-aligned ring block, 2-aligned; the
        // kernel reads it with an acquire load, so this release store publishes the entry.
        unsafe {
            &*self
                .ring
                .as_ptr()
                .add(layout::TAIL_OFFSET)
                .cast::<AtomicU16>()
        }
        .store(new, Ordering::Release);
    }

    /// Accounts for a completion naming `bid` with `len` bytes (at reap time, in ring order).
    /// Returns the data's offset in the buffer, or `None` if the kernel did not hold `bid` or
    /// the length does not fit.
    pub(super) fn consume(&self, bid: u16, len: u32, buf_more: bool) -> Option<u32> {
        let st = self.state.get(bid as usize)?;
        if !st.in_kernel.get() {
            return None;
        }
        let start = if self.incremental { st.offset.get() } else { 0 };
        if u64::from(start) + u64::from(len) > u64::from(self.size) {
            // More than the buffer holds: the completion becomes an error. The kernel did take
            // a whole buffer (non-incremental), so it goes straight back into the ring rather
            // than being lost for good.
            if !self.incremental && st.refs.get() == 0 {
                st.in_kernel.set(false);
                self.push(bid);
            }
            return None;
        }
        if self.incremental {
            st.offset.set(start + len);
            if !buf_more {
                st.in_kernel.set(false);
            }
        } else {
            st.in_kernel.set(false);
        }
        st.refs.set(st.refs.get() + 1);
        Some(start)
    }

    /// Drops one reference; the buffer goes back into the ring when the kernel is done with it
    /// and no guard is left.
    pub(super) fn release(&self, bid: u16) {
        let st = &self.state[bid as usize];
        let refs = st.refs.get() - 1;
        st.refs.set(refs);
        if refs == 0 && !st.in_kernel.get() {
            self.push(bid);
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // SAFETY: the ring block was allocated in `Inner::alloc` with this layout. The last
        // reference is gone: the driver (which unregisters the ring or closes it) and every
        // operation that could make the kernel use the memory have dropped theirs; when an
        // operation was leaked, its reference was leaked with it and this never runs. The same
        // holds for the buffer block, which `self.bufs` unmaps right after this (fields drop
        // after `drop` returns), and for no guard: each `BufRef`/`BundleRef` holds a reference.
        unsafe { alloc::dealloc(self.ring.as_ptr(), self.ring_layout) };
    }
}

/// The buffer block: an anonymous private mapping without `MAP_POPULATE`, so no page is
/// resident until something writes it (the kernel receiving into a buffer, or a guard's
/// `DerefMut`); anonymous pages read as zero, so all `len` bytes are initialized. Page-aligned.
/// Unmapped on drop; only ever a field of [`Inner`], which says when that may happen.
pub(super) struct Pages {
    pub(super) ptr: NonNull<u8>,
    pub(super) len: usize,
}

impl Pages {
    /// `mmap(NULL, len, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)`.
    pub(super) fn new(len: usize) -> io::Result<Pages> {
        debug_assert!(len > 0);
        // SAFETY: a NULL hint lets the kernel choose an unused range, so no existing Rust
        // object is overwritten.
        let ptr = unsafe {
            rustix::mm::mmap_anonymous(
                core::ptr::null_mut(),
                len,
                rustix::mm::ProtFlags::READ | rustix::mm::ProtFlags::WRITE,
                rustix::mm::MapFlags::PRIVATE,
            )
        }?;
        // `mmap` does not return NULL on success with a NULL hint; refuse it rather than trust it.
        let ptr =
            NonNull::new(ptr.cast()).ok_or_else(|| io::Error::from(io::ErrorKind::OutOfMemory))?;
        Ok(Pages { ptr, len })
    }
}

impl Drop for Pages {
    fn drop(&mut self) {
        // SAFETY: `ptr`/`len` are exactly the range `mmap` returned in `new`, unmapped only
        // here, once. `Pages` is only `Inner::bufs`, dropped when the last `Rc<Inner>` is gone:
        // then no guard (each holds an `Rc<Inner>`) can reach the bytes and the kernel can no
        // longer select a buffer of the group (see `Drop for Inner`).
        let _ = unsafe { rustix::mm::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}

/// A provided buffer ring registered with one driver: `count` buffers of `size` bytes in
/// buffer group [`BufRing::bgid`]. Cheap to clone (a reference count).
#[derive(Clone)]
pub struct BufRing {
    pub(super) inner: Rc<Inner>,
}

impl fmt::Debug for BufRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BufRing")
            .field("bgid", &self.inner.bgid)
            .field("count", &(u32::from(self.inner.mask) + 1))
            .field("size", &self.inner.size)
            .field("incremental", &self.inner.incremental)
            .finish()
    }
}

impl BufRing {
    /// The buffer group id (`sqe->buf_group`).
    pub fn bgid(&self) -> u16 {
        self.inner.bgid
    }
    /// Bytes per buffer.
    pub fn buf_size(&self) -> u32 {
        self.inner.size
    }
    /// Number of buffers.
    pub fn count(&self) -> u32 {
        u32::from(self.inner.mask) + 1
    }
    /// Buffers currently held by the kernel (in the ring).
    pub fn available(&self) -> usize {
        self.inner
            .state
            .iter()
            .filter(|s| s.in_kernel.get())
            .count()
    }

    /// Refuses a ring of another driver, or one a bundle receive holds.
    pub(crate) fn check_driver(&self, id: u64) -> io::Result<()> {
        if self.inner.exclusive.get() {
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "this provided buffer ring is owned by a bundle receive (RecvBundle), which \
                 needs it to itself; give this operation its own ring",
            ))
        } else if self.inner.driver == id {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "this provided buffer ring is registered with another Driver; \
                 create one with this driver's `buf_ring`",
            ))
        }
    }

    /// The guard for a completion `observe` accepted.
    pub(crate) fn guard(&self, c: &Completion) -> io::Result<BufRef> {
        if let Err(e) = c.result() {
            // A failed request can still have consumed a buffer (a read that errs after
            // selecting one posts the error with `F_BUFFER`); `observe` took it from the
            // kernel, so give it straight back.
            if let Some(bid) = c.buffer_id() {
                self.inner.release(bid);
            }
            return Err(e);
        }
        match c.buffer_id() {
            Some(bid) => Ok(BufRef {
                ring: Some(self.inner.clone()),
                bid,
                start: c.aux,
                len: c.res as u32,
            }),
            None => Ok(BufRef {
                ring: None,
                bid: 0,
                start: 0,
                len: 0,
            }),
        }
    }

    /// Reap-time accounting for one CQE: on a bogus id the completion becomes an error.
    pub(crate) fn observe(&self, c: &mut Completion) {
        if let Some(bid) = c.buffer_id() {
            let len = c.res.max(0) as u32;
            match self
                .inner
                .consume(bid, len, c.flags.contains(CqeFlags::BUF_MORE))
            {
                Some(start) => c.aux = start,
                None => {
                    c.res = -libc::EBADMSG;
                    c.flags.remove(CqeFlags::BUFFER);
                }
            }
        }
    }
}

/// A [`BufRing`] held by an operation: counted, so a bundle receive can require the ring to
/// itself.
#[derive(Debug)]
pub(crate) struct Using(BufRing);

impl Using {
    pub(crate) fn new(ring: &BufRing) -> Using {
        let u = &ring.inner.users;
        u.set(u.get() + 1);
        Using(ring.clone())
    }
}

impl Drop for Using {
    fn drop(&mut self) {
        let u = &self.0.inner.users;
        u.set(u.get() - 1);
    }
}

impl Deref for Using {
    type Target = BufRing;
    fn deref(&self) -> &BufRing {
        &self.0
    }
}

impl Driver {
    /// `IORING_REGISTER_PBUF_RING` — registers `count` buffers of `size` bytes as a new buffer
    /// group and fills the ring with them.
    ///
    /// # Errors
    /// `count` not a power of two in 1..=32768, `size` 0 (`InvalidInput`), out of buffer group
    /// ids, or the kernel's refusal (Linux 5.19+).
    pub fn buf_ring(&mut self, count: u32, size: u32) -> io::Result<BufRing> {
        self.buf_ring_with(count, size, false)
    }

    /// As [`Driver::buf_ring`] with incremental consumption (`IOU_PBUF_RING_INC`, Linux 6.12+):
    /// a receive uses only as much of a buffer as it needs, and the next one goes on in the same
    /// buffer; each completion's [`BufRef`] is its part.
    pub fn buf_ring_incremental(&mut self, count: u32, size: u32) -> io::Result<BufRing> {
        self.buf_ring_with(count, size, true)
    }

    fn buf_ring_with(&mut self, count: u32, size: u32, incremental: bool) -> io::Result<BufRing> {
        let mut inner = Inner::alloc(count, size, incremental, self.next_bgid, self.id())?;
        let flags = if incremental {
            BufRingFlags::INC
        } else {
            BufRingFlags::empty()
        };
        loop {
            if self.next_bgid == u16::MAX {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "all 65535 buffer group ids of this driver are used",
                ));
            }
            inner.bgid = self.next_bgid;
            // SAFETY: `register_buf_ring`'s contract:
            // - the ring block is page-aligned, zeroed and at least `count * 16` bytes
            //   (`Inner::alloc`), a heap block that does not move with `inner`; it lives until
            //   the last reference to `inner` is gone, and the driver keeps one (in `keep`,
            //   dropped after its ring is closed, leaked with any leaked operation), so it
            //   stays allocated until the ring's drop;
            // - a buffer is published only by `Inner::push`, when no guard refers to it, and
            //   the block holding the buffers lives as long as the ring block; a guard
            //   (`BufRef`, `BundleRef`) is made only for a buffer a CQE handed back
            //   (`Inner::consume`), or, in incremental mode, for the bytes a CQE reported
            //   consumed, which the kernel has stepped past in the entry and never writes again
            //   (the contract asks for the whole buffer; these bytes are the part it no longer
            //   uses);
            // - no `MMAP` flag.
            let r = unsafe {
                self.ring.submitter().register_buf_ring(
                    inner.ring.as_ptr().cast(),
                    count,
                    inner.bgid,
                    flags,
                )
            };
            match r {
                Ok(()) => break,
                // A group id taken before the driver owned the ring: try the next one.
                Err(e) if crate::error::errno(&e) == Some(libc::EEXIST) => self.next_bgid += 1,
                Err(e) => {
                    let errno = crate::error::errno(&e).unwrap_or(libc::EIO);
                    let hint = match (errno, incremental) {
                        (libc::EINVAL, true) => {
                            "IORING_REGISTER_PBUF_RING with IOU_PBUF_RING_INC failed \
                             (incremental consumption needs Linux 6.12+)"
                        }
                        (libc::EINVAL, false) => {
                            "IORING_REGISTER_PBUF_RING failed (provided buffer rings need \
                             Linux 5.19+)"
                        }
                        _ => "IORING_REGISTER_PBUF_RING failed",
                    };
                    return Err(crate::error::with_message(errno, format!("{hint}: {e}")));
                }
            }
        }
        self.next_bgid += 1;
        let inner = Rc::new(inner);
        inner.fill();
        self.keep.push(inner.clone());
        Ok(BufRing { inner })
    }
}

impl Inner {
    /// Allocates the ring block (zeroed) and maps the buffer block (zero pages, resident only
    /// once written), so no byte is ever uninitialized.
    pub(super) fn alloc(
        count: u32,
        size: u32,
        incremental: bool,
        bgid: u16,
        driver: u64,
    ) -> io::Result<Inner> {
        let invalid = |m: &str| io::Error::new(io::ErrorKind::InvalidInput, m.to_string());
        let mask = layout::mask(count).map_err(invalid)?;
        let total = layout::buffers_bytes(count, size).map_err(invalid)?;
        let page = crate::driver::page_size();
        let ring_layout = Layout::from_size_align(layout::ring_bytes(count, page), page)
            .map_err(|_| invalid("ring size"))?;
        // `total > 0` (count >= 1, size >= 1); mapped first, so a failure below leaks nothing.
        let bufs = Pages::new(total)?;
        // SAFETY: the layout has a non-zero size (count >= 1).
        let ring = NonNull::new(unsafe { alloc::alloc_zeroed(ring_layout) })
            .ok_or_else(|| io::Error::from(io::ErrorKind::OutOfMemory))?;
        let state = (0..count)
            .map(|_| BidState {
                in_kernel: Cell::new(false),
                refs: Cell::new(0),
                offset: Cell::new(0),
            })
            .collect();
        Ok(Inner {
            ring,
            ring_layout,
            bufs,
            size,
            mask,
            bgid,
            driver,
            incremental,
            tail: Cell::new(0),
            state,
            bid_at: (0..count).map(|_| Cell::new(0)).collect(),
            pos_of: (0..count).map(|_| Cell::new(0)).collect(),
            users: Cell::new(0),
            exclusive: Cell::new(false),
        })
    }

    /// Puts every buffer into the ring.
    pub(super) fn fill(&self) {
        for bid in 0..=self.mask {
            self.push(bid);
        }
    }

    /// The tail as published in the shared ring.
    #[cfg(test)]
    pub(super) fn published_tail(&self) -> u16 {
        // SAFETY: as in `push`.
        unsafe {
            &*self
                .ring
                .as_ptr()
                .add(layout::TAIL_OFFSET)
                .cast::<AtomicU16>()
        }
        .load(Ordering::Acquire)
    }

    /// Entry `i` of the ring, as the kernel would read it.
    #[cfg(test)]
    pub(super) fn entry(&self, i: usize) -> (u64, u32, u16) {
        assert!(i <= self.mask as usize);
        // SAFETY: `i < entries`, inside the ring block; fields read one by one (see `push`).
        unsafe {
            let e = self
                .ring
                .as_ptr()
                .add(i * layout::ENTRY_SIZE)
                .cast::<sys::io_uring_buf>();
            (
                (&raw const (*e).addr).read(),
                (&raw const (*e).len).read(),
                (&raw const (*e).bid).read(),
            )
        }
    }
}
