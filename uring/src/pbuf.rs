//! Provided-buffer rings on the raw path: the ring's memory and liburing's helpers for it.
//!
//! A provided-buffer ring (`IORING_REGISTER_PBUF_RING`, Linux 5.19+) is an array of
//! `struct io_uring_buf` entries shared with the kernel: the application writes
//! `{addr, len, bid}` entries and publishes them by storing the tail (in `bufs[0].resv`); a
//! request with `IOSQE_BUFFER_SELECT` takes the entry at the kernel's head and reports its
//! `bid` in the CQE. [`BufRing`] holds that memory — allocated here for
//! [`Submitter::register_buf_ring`](crate::Submitter::register_buf_ring), or the kernel's own
//! mapped (`IOU_PBUF_RING_MMAP`, [`BufRing::register_mmap`]) — and writes entries and the tail
//! the way `io_uring_buf_ring_add` / `io_uring_buf_ring_advance` do.
//!
//! Publishing a buffer hands its memory to the kernel, so [`BufRing::push`] and
//! [`BufRing::advance`] are `unsafe`; the ownership layer ([`crate::driver::pbuf`]) does it
//! safely by owning the buffers.
//!
//! # References
//! - [`io_uring_register_buf_ring(3)`](https://man7.org/linux/man-pages/man3/io_uring_register_buf_ring.3.html)
//! - [`io_uring_buf_ring_add(3)`](https://man7.org/linux/man-pages/man3/io_uring_buf_ring_add.3.html)

use std::fmt;
use std::io;
use std::sync::atomic::{AtomicU16, Ordering};

use uring_sys as sys;

use crate::mmap::Mmap;
use crate::register::BufRingFlags;
use crate::submit::Submitter;

/// Bytes of one `struct io_uring_buf`.
const ENTRY: usize = size_of::<sys::io_uring_buf>();
/// Where the tail lives: `bufs[0].resv`, bytes 14..16 of the ring.
const TAIL: usize = 14;

const _: () = assert!(ENTRY == 16);
const _: () = assert!(core::mem::offset_of!(sys::io_uring_buf, resv) == TAIL);

/// The memory of one provided-buffer ring, and the tail this process publishes.
pub struct BufRing {
    mem: Mmap,
    mask: u16,
    /// The next entry `push`/`add` writes (published by `advance`).
    tail: u16,
}

impl fmt::Debug for BufRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BufRing")
            .field("entries", &self.entries())
            .field("tail", &self.tail)
            .finish_non_exhaustive()
    }
}

fn check_entries(entries: u32) -> io::Result<u16> {
    if entries == 0 || !entries.is_power_of_two() || entries > 32768 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "a provided-buffer ring has a power-of-two number of entries, 1..=32768 \
                 (not {entries})"
            ),
        ));
    }
    Ok((entries - 1) as u16)
}

fn ring_len(entries: u32) -> usize {
    let page = crate::driver::page_size();
    (entries as usize * ENTRY).div_ceil(page) * page
}

impl BufRing {
    /// Zeroed, page-aligned memory for `entries` entries (a power of two, at most 32768), to
    /// register with the `unsafe`
    /// [`Submitter::register_buf_ring`](crate::Submitter::register_buf_ring) at
    /// [`BufRing::as_mut_ptr`]. The registration's contract includes keeping this value alive
    /// until the group is unregistered or the ring is dropped.
    ///
    /// # Errors
    /// `entries` out of range (`InvalidInput`), or `mmap(2)` failed.
    pub fn new(entries: u32) -> io::Result<BufRing> {
        let mask = check_entries(entries)?;
        Ok(BufRing {
            mem: Mmap::anonymous(ring_len(entries))?,
            mask,
            tail: 0,
        })
    }

    /// `IORING_REGISTER_PBUF_RING` with `IOU_PBUF_RING_MMAP`, then `mmap(2)` of the ring the
    /// kernel allocated at `IORING_OFF_PBUF_RING | bgid << IORING_OFF_PBUF_SHIFT` (Linux 6.4+):
    /// buffer group `bgid` of `entries` entries, ready for [`BufRing::push`]. Safe: the
    /// ring's memory is the kernel's and stays valid while mapped.
    ///
    /// # Errors
    /// As for [`Submitter::register_buf_ring_mmap`] (`EEXIST`: the group exists; `EINVAL`:
    /// bad `entries` or a kernel without `IOU_PBUF_RING_MMAP`), or the mapping failed.
    pub fn register_mmap(
        submitter: &Submitter<'_>,
        entries: u32,
        bgid: u16,
        flags: BufRingFlags,
    ) -> io::Result<BufRing> {
        let mask = check_entries(entries)?;
        submitter.register_buf_ring_mmap(entries, bgid, flags)?;
        let offset = sys::IORING_OFF_PBUF_RING | (u64::from(bgid) << sys::IORING_OFF_PBUF_SHIFT);
        let mem = Mmap::new(
            std::os::fd::AsFd::as_fd(submitter),
            offset,
            ring_len(entries),
        )?;
        Ok(BufRing { mem, mask, tail: 0 })
    }

    /// The ring's address (for `register_buf_ring`).
    #[inline]
    pub fn as_mut_ptr(&self) -> *mut sys::io_uring_buf_ring {
        self.mem.as_ptr().cast()
    }

    /// The number of entries.
    #[inline]
    pub fn entries(&self) -> u32 {
        u32::from(self.mask) + 1
    }

    /// The tail as this process will publish it next (entries added so far).
    #[inline]
    pub fn tail(&self) -> u16 {
        self.tail
    }

    /// `io_uring_buf_ring_add` — writes entry `tail + offset` (masked): buffer `bid` of `len`
    /// bytes at `addr`. The kernel does not see it until [`BufRing::advance`].
    ///
    /// # Safety
    ///
    /// The entry written must not be one the kernel may still read: at most
    /// [`entries`](BufRing::entries) buffers may be in the ring at once (published and not yet
    /// handed back by a CQE), counting the ones added and not advanced yet.
    #[doc(alias = "io_uring_buf_ring_add")]
    pub unsafe fn add(&mut self, addr: *mut u8, len: u32, bid: u16, offset: u16) {
        let at = usize::from(self.tail.wrapping_add(offset) & self.mask);
        let e = self
            .mem
            .as_ptr()
            .wrapping_add(at * ENTRY)
            .cast::<sys::io_uring_buf>();
        // SAFETY: `at <= mask < entries`, so the entry lies inside the mapping (at least
        // `entries * 16` bytes, `ring_len`), 8-aligned (page-aligned base, 16-byte entries).
        // The kernel does not read it (the caller's promise: it is outside the published
        // window). `addr`, `len` and `bid` are written one by one because entry 0's `resv` is
        // the tail, which the kernel reads concurrently and which is not ours to touch here.
        unsafe {
            (&raw mut (*e).addr).write(addr as u64);
            (&raw mut (*e).len).write(len);
            (&raw mut (*e).bid).write(bid);
        }
    }

    /// `io_uring_buf_ring_advance` — publishes `count` entries added since the last advance
    /// (a release store of the tail): from now on the kernel may pick them.
    ///
    /// # Safety
    ///
    /// Each published buffer's `len` bytes at `addr` must be valid for writes by the kernel,
    /// with nothing else reading or writing them, until a CQE hands that `bid` back (with
    /// `IOU_PBUF_RING_INC`: until a CQE without `IORING_CQE_F_BUF_MORE`), or until the group is
    /// unregistered and no request that selected a buffer from it is in flight.
    #[doc(alias = "io_uring_buf_ring_advance")]
    pub unsafe fn advance(&mut self, count: u16) {
        self.tail = self.tail.wrapping_add(count);
        let tail = self.mem.as_ptr().wrapping_add(TAIL).cast::<AtomicU16>();
        // SAFETY: the tail is the u16 at bytes 14..16 of the page-aligned mapping (2-aligned),
        // shared with the kernel, which reads it with an acquire load: this release store
        // publishes the entries written before it.
        unsafe { &*tail }.store(self.tail, Ordering::Release);
    }

    /// [`add`](BufRing::add) at offset 0 and [`advance`](BufRing::advance) by one: publishes
    /// one buffer.
    ///
    /// # Safety
    ///
    /// Both contracts: room in the ring, and the buffer valid for the kernel's writes until
    /// it is handed back.
    pub unsafe fn push(&mut self, addr: *mut u8, len: u32, bid: u16) {
        // SAFETY: forwarded (the caller's promise).
        unsafe {
            self.add(addr, len, bid, 0);
            self.advance(1);
        }
    }
}
