//! Provided buffer rings (`IORING_REGISTER_PBUF_RING`): the kernel picks a buffer when data
//! arrives, the completion names it, and a [`BufRef`] guard hands it to you and puts it back
//! in the ring when dropped.
//!
//! ```no_run
//! # use uring::driver::{Driver, pbuf::RecvMulti};
//! # fn main() -> std::io::Result<()> {
//! # let (sock, _peer) = std::os::unix::net::UnixStream::pair()?;
//! let mut driver = Driver::new(64)?;
//! let bufs = driver.buf_ring(64, 4096)?; // 64 buffers of 4 KiB
//! let mut recv = driver.submit_multishot(RecvMulti::new(&sock, &bufs))?;
//! loop {
//!     driver.submit_and_wait(1)?;
//!     driver.reap(|_| {});
//!     while let Some(item) = driver.next(&recv) {
//!         match item {
//!             Ok(buf) if buf.is_empty() => return Ok(()), // EOF
//!             Ok(buf) => println!("{} bytes", buf.len()), // `buf` goes back on drop
//!             Err(e) => return Err(e),
//!         }
//!     }
//!     if driver.is_finished(&recv) {
//!         // ENOBUFS (every buffer was in use) or an error ended it: re-arm.
//!         let op = driver.release(recv).ok().unwrap();
//!         recv = driver.submit_multishot(op)?;
//!     }
//! }
//! # }
//! ```
//!
//! # Memory
//!
//! The ring (16 bytes per entry, page-aligned) and the buffers (one block of `count * size`
//! bytes) are owned by an `Rc` shared by the driver, every operation using the group and every
//! [`BufRef`]; they are freed when the last of those is gone. Ids the kernel reports are
//! checked: an id out of range, or one the kernel does not hold, is an error item, never a
//! second guard over the same bytes.
//!
//! The buffer block is an anonymous private mapping made without `MAP_POPULATE`: a page of it
//! becomes resident only when the kernel first receives into it, so a ring of 1,024 buffers of
//! 16 KiB of which a few are ever used costs a few pages of RSS, not 16 MiB. (Anonymous pages
//! read as zero, so every byte is initialized from the start.)

use std::alloc::{self, Layout};
use std::cell::Cell;
use std::fmt;
use std::io;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;
use std::rc::Rc;
use std::sync::atomic::{AtomicU16, Ordering};

use uring_sys as sys;

use super::Driver;
use super::op::{Completion, MultishotOperation, Operation, Target};
use crate::cqueue::CqeFlags;
use crate::opcode;
use crate::register::BufRingFlags;
use crate::squeue::Sqe;
use crate::types::RecvSendFlags;

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

struct BidState {
    /// The kernel holds the buffer (it is in the ring, or partly consumed in incremental mode).
    in_kernel: Cell<bool>,
    /// Guards (and queued completions) not yet dropped.
    refs: Cell<u32>,
    /// Incremental mode: bytes the kernel consumed so far.
    offset: Cell<u32>,
}

struct Inner {
    ring: NonNull<u8>,
    ring_layout: Layout,
    /// The buffers, `count * size` bytes. Declared (so dropped) after `Drop for Inner` ran;
    /// see there.
    bufs: Pages,
    size: u32,
    mask: u16,
    bgid: u16,
    driver: u64,
    incremental: bool,
    tail: Cell<u16>,
    state: Box<[BidState]>,
    /// The bid last written at each ring position (bundles read consecutive positions).
    bid_at: Box<[Cell<u16>]>,
    /// The ring position each bid was last written at.
    pos_of: Box<[Cell<u16>]>,
    /// Operations (submitted or not) holding this ring.
    users: Cell<u32>,
    /// A bundle receive owns the ring: no other operation may use it meanwhile.
    exclusive: Cell<bool>,
}

impl Inner {
    /// Writes buffer `bid` at the tail and publishes it.
    fn push(&self, bid: u16) {
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
    fn consume(&self, bid: u16, len: u32, buf_more: bool) -> Option<u32> {
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
    fn release(&self, bid: u16) {
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
struct Pages {
    ptr: NonNull<u8>,
    len: usize,
}

impl Pages {
    /// `mmap(NULL, len, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)`.
    fn new(len: usize) -> io::Result<Pages> {
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
    inner: Rc<Inner>,
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
    fn alloc(
        count: u32,
        size: u32,
        incremental: bool,
        bgid: u16,
        driver: u64,
    ) -> io::Result<Inner> {
        let invalid = |m: &str| io::Error::new(io::ErrorKind::InvalidInput, m.to_string());
        let mask = layout::mask(count).map_err(invalid)?;
        let total = layout::buffers_bytes(count, size).map_err(invalid)?;
        let page = super::page_size();
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
    fn fill(&self) {
        for bid in 0..=self.mask {
            self.push(bid);
        }
    }

    /// The tail as published in the shared ring.
    #[cfg(test)]
    fn published_tail(&self) -> u16 {
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
    fn entry(&self, i: usize) -> (u64, u32, u16) {
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

/// One completion's data in a provided buffer; derefs to the filled bytes and puts the buffer
/// back into its ring on drop. Empty (and holding no buffer) at end of stream.
pub struct BufRef {
    ring: Option<Rc<Inner>>,
    bid: u16,
    start: u32,
    len: u32,
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
unsafe impl super::buf::IoBuf for BufRef {
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

/// Whether `e` is `ENOBUFS`: the ring had no free buffer, and a multishot receive ended; drop
/// some [`BufRef`]s and re-arm (`Driver::release` + `Driver::submit_multishot`).
pub fn is_no_buffers(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::ENOBUFS)
}

/// Multishot `IORING_OP_RECV` with buffer select (Linux 6.0+): one [`BufRef`] per receive
/// until end of stream (an empty one), an error, or `ENOBUFS`.
#[derive(Debug)]
pub struct RecvMulti {
    target: Target,
    ring: Using,
    flags: i32,
}

impl RecvMulti {
    /// Receives on `target` into buffers of `ring`.
    pub fn new(target: impl Into<Target>, ring: &BufRing) -> Self {
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
        super::op::check_recv_flags(self.flags)?;
        self.target.check(ring_id)?;
        self.ring.check_driver(ring_id)
    }
}

/// `IORING_OP_READ_MULTISHOT` (Linux 6.7+): reads from a pipe/socket/eventfd-like file into
/// provided buffers, one [`BufRef`] per read.
#[derive(Debug)]
pub struct ReadMulti {
    target: Target,
    ring: Using,
}

impl ReadMulti {
    /// Reads from `target` into buffers of `ring`.
    pub fn new(target: impl Into<Target>, ring: &BufRing) -> Self {
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
    target: Target,
    ring: Using,
    flags: i32,
}

impl RecvSelect {
    /// Receives once on `target` into a buffer of `ring`.
    pub fn new(target: impl Into<Target>, ring: &BufRing) -> Self {
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
        super::op::check_recv_flags(self.flags)?;
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
    target: Target,
    ring: Using,
    /// Bids of observed completions not yet turned into items, in order.
    bids: std::collections::VecDeque<u16>,
}

impl RecvBundle {
    /// Receives bundles on `target` into buffers of `ring`.
    ///
    /// # Errors
    /// `InvalidInput` when `ring` is incremental or another operation holds it.
    pub fn new(target: impl Into<Target>, ring: &BufRing) -> io::Result<Self> {
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

/// One bundle completion: `len` bytes spread over consecutive buffers (all full but the last).
/// Every buffer goes back to the ring on drop. Empty at end of stream.
pub struct BundleRef {
    ring: Rc<Inner>,
    bids: Vec<u16>,
    len: u32,
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

#[cfg(test)]
mod tests {
    use super::layout::*;
    use super::*;

    fn ring(count: u32, size: u32, inc: bool) -> BufRing {
        let inner = Rc::new(Inner::alloc(count, size, inc, 0, 1).unwrap());
        inner.fill();
        BufRing { inner }
    }

    fn cqe(bid: u16, res: i32, more: bool) -> Completion {
        let mut flags = CqeFlags::BUFFER | CqeFlags::from_bits_retain(u32::from(bid) << 16);
        if more {
            flags |= CqeFlags::BUF_MORE;
        }
        Completion { res, flags, aux: 0 }
    }

    /// The kernel's view: every buffer in the ring, the tail published, entries pointing at
    /// their buffers; a completion hands a guard out once and the drop puts the buffer back.
    #[test]
    fn guard_cycle() {
        let r = ring(4, 8, false);
        assert_eq!(r.inner.published_tail(), 4);
        let base = r.inner.bufs.ptr.as_ptr() as u64;
        for i in 0..4 {
            assert_eq!(r.inner.entry(i), (base + 8 * i as u64, 8, i as u16));
        }
        // The kernel writes 3 bytes into buffer 2 and posts a CQE for it.
        // SAFETY: buffer 2 lies in the block; nothing else references it now.
        unsafe {
            core::ptr::copy_nonoverlapping(b"abc".as_ptr(), r.inner.bufs.ptr.as_ptr().add(16), 3)
        };
        let mut c = cqe(2, 3, false);
        r.observe(&mut c);
        let mut g = r.guard(&c).unwrap();
        assert_eq!(&*g, b"abc");
        g[0] = b'x';
        assert_eq!(r.available(), 3);
        // A second CQE naming the same buffer (forged or buggy) is refused.
        let mut dup = cqe(2, 3, false);
        r.observe(&mut dup);
        assert_eq!(dup.res, -libc::EBADMSG);
        assert!(r.guard(&dup).is_err());
        // Out of range id, and a length beyond the buffer.
        let mut bad = cqe(9, 1, false);
        r.observe(&mut bad);
        assert!(r.guard(&bad).is_err());
        assert_eq!(
            r.inner.published_tail(),
            4,
            "refused ids leave the ring alone"
        );
        // A length beyond the buffer (MSG_TRUNC semantics, or corrupt memory) is refused, but
        // the kernel did take that buffer: it goes straight back, not lost for good.
        let mut long = cqe(1, 9, false);
        r.observe(&mut long);
        assert!(r.guard(&long).is_err());
        assert_eq!(r.available(), 3);
        assert_eq!(r.inner.published_tail(), 5);
        assert_eq!(
            r.inner.entry(0),
            (base + 8, 8, 1),
            "republished at tail & mask"
        );
        drop(g);
        assert_eq!(r.available(), 4);
        assert_eq!(r.inner.published_tail(), 6);
        assert_eq!(
            r.inner.entry(1),
            (base + 16, 8, 2),
            "recycled at tail & mask"
        );
    }

    /// Incremental consumption: parts of one buffer in order; back only when the kernel is done
    /// with it (no BUF_MORE) and every part's guard is gone.
    #[test]
    fn incremental_parts() {
        let r = ring(2, 16, true);
        let mut a = cqe(0, 5, true);
        r.observe(&mut a);
        let mut b = cqe(0, 4, true);
        r.observe(&mut b);
        let mut c = cqe(0, 7, false);
        r.observe(&mut c);
        assert_eq!((a.aux, b.aux, c.aux), (0, 5, 9));
        let (ga, gb, gc) = (
            r.guard(&a).unwrap(),
            r.guard(&b).unwrap(),
            r.guard(&c).unwrap(),
        );
        assert_eq!((ga.len(), gb.len(), gc.len()), (5, 4, 7));
        assert_eq!(r.available(), 1);
        drop(ga);
        drop(gc);
        assert_eq!(r.available(), 1, "a part is still out");
        drop(gb);
        assert_eq!(r.available(), 2);
        // Past the end of the buffer: refused.
        let mut over = cqe(1, 10, true);
        r.observe(&mut over);
        let mut over2 = cqe(1, 10, true);
        r.observe(&mut over2);
        assert_eq!(over2.res, -libc::EBADMSG);
        drop(r.guard(&over));
    }

    /// A failed request can still consume a buffer (a read that errs after selecting one
    /// posts the error with `F_BUFFER`): the item is the error and the buffer goes straight
    /// back, or after `count` such errors the ring would be empty for good.
    #[test]
    fn failed_completion_gives_its_buffer_back() {
        let r = ring(2, 8, false);
        for _ in 0..4 {
            let tail = r.inner.tail.get();
            let mut c = cqe(1, -libc::EIO, false);
            r.observe(&mut c);
            assert_eq!(r.guard(&c).unwrap_err().raw_os_error(), Some(libc::EIO));
            assert_eq!(r.available(), 2, "the failed request's buffer is back");
            // Regression check: put back exactly once (a second publication would hand the
            // kernel the same buffer twice, so two requests could fill it at once).
            assert_eq!(r.inner.tail.get(), tail.wrapping_add(1), "published once");
        }
        // A failed completion naming a buffer the kernel does not hold is not published.
        let tail = r.inner.tail.get();
        let mut c = cqe(1, -libc::EIO, false);
        r.observe(&mut c);
        let mut again = cqe(1, -libc::EIO, false);
        r.observe(&mut again);
        assert!(r.guard(&c).is_err() && r.guard(&again).is_err());
        assert_eq!(r.inner.tail.get(), tail.wrapping_add(1), "one buffer, once");
        // Incremental: a failed part with BUF_MORE leaves the buffer with the kernel.
        let r = ring(2, 8, true);
        let mut c = cqe(0, -libc::EIO, true);
        r.observe(&mut c);
        assert!(r.guard(&c).is_err());
        assert_eq!(r.available(), 2);
        let mut c = cqe(0, -libc::EIO, false);
        r.observe(&mut c);
        assert!(r.guard(&c).is_err());
        assert_eq!(r.available(), 2, "done with it: back in the ring");
    }

    /// The same for a bundle: a failed completion's buffers go back and are not handed out
    /// with the next completion's item.
    #[test]
    fn failed_bundle_gives_its_buffers_back() {
        let r = ring(4, 8, false);
        let mut op = RecvBundle::new(Target::from_raw_fd(-1), &r).unwrap();
        let mut bad = cqe(0, -libc::EIO, false);
        let tail = r.inner.tail.get();
        // SAFETY: the ring is registered with no kernel (a unit test): these completions stand
        // for the kernel's, each observed once and then itemized once, in order.
        let item = unsafe {
            op.observe(&mut bad);
            op.item(bad)
        };
        assert!(item.is_err());
        assert_eq!(r.available(), 4, "the failed completion's buffer is back");
        assert_eq!(
            r.inner.tail.get(),
            tail.wrapping_add(1),
            "published once, not twice"
        );
        let mut good = cqe(1, 3, false);
        // SAFETY: as above.
        let b = unsafe {
            op.observe(&mut good);
            op.item(good)
        }
        .unwrap();
        assert_eq!(
            b.bids(),
            [1],
            "the item holds its own buffer, not the failed one's"
        );
        drop(b);
        assert_eq!(r.available(), 4);
    }

    /// An empty completion (EOF) holds no buffer.
    #[test]
    fn eof_guard_is_empty() {
        let r = ring(1, 4, false);
        let c = Completion {
            res: 0,
            flags: CqeFlags::empty(),
            aux: 0,
        };
        let g = r.guard(&c).unwrap();
        assert!(g.is_empty() && g.bid().is_none());
        assert_eq!(r.available(), 1);
    }

    #[test]
    fn mask_rules() {
        assert_eq!(mask(1), Ok(0));
        assert_eq!(mask(4), Ok(3));
        assert_eq!(mask(32768), Ok(32767));
        assert!(mask(0).is_err());
        assert!(mask(3).is_err());
        assert!(mask(65536).is_err());
    }

    #[test]
    fn slot_wraps() {
        assert_eq!(slot(0, 3), 0);
        assert_eq!(slot(5, 3), 1);
        assert_eq!(slot(u16::MAX, 3), 3);
        assert_eq!(slot(u16::MAX.wrapping_add(1), 3), 0);
        assert_eq!(slot(40000, 32767), 40000 - 32768);
    }

    #[test]
    fn sizes() {
        assert_eq!(ring_bytes(1, 4096), 4096);
        assert_eq!(ring_bytes(256, 4096), 4096);
        assert_eq!(ring_bytes(257, 4096), 8192);
        assert_eq!(
            buffers_bytes(4, 0).unwrap_err(),
            "provided buffers must be at least 1 byte"
        );
        assert_eq!(buffers_bytes(4, 16), Ok(64));
        assert_eq!(
            TAIL_OFFSET,
            core::mem::offset_of!(uring_sys::io_uring_buf, resv)
        );
        assert_eq!(ENTRY_SIZE, size_of::<uring_sys::io_uring_buf>());
    }
}
