//! Provided-buffer rings: register (user or kernel memory), unregister, head status.

use core::ptr;
use std::io;

use uring_sys as sys;

use super::invalid;
use crate::submit::Submitter;

bitflags::bitflags! {
    /// `IOU_PBUF_RING_*`: flags of `IORING_REGISTER_PBUF_RING`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct BufRingFlags: u16 {
        /// `IOU_PBUF_RING_MMAP`: the kernel allocates the ring; map it with `mmap(2)` at
        /// `IORING_OFF_PBUF_RING | (bgid << IORING_OFF_PBUF_SHIFT)`. Set by
        /// [`register_buf_ring_mmap`](Submitter::register_buf_ring_mmap).
        #[doc(alias = "IOU_PBUF_RING_MMAP")]
        const MMAP = sys::IOU_PBUF_RING_MMAP;
        /// `IOU_PBUF_RING_INC`: buffers are consumed incrementally (Linux 6.12+).
        #[doc(alias = "IOU_PBUF_RING_INC")]
        const INC = sys::IOU_PBUF_RING_INC;
        const _ = !0;
    }
}

/// Provided-buffer rings: `IORING_REGISTER_PBUF_RING`, `_PBUF_STATUS`,
/// `IORING_UNREGISTER_PBUF_RING`.
impl Submitter<'_> {
    /// `io_uring_register(fd, IORING_REGISTER_PBUF_RING, {ring_addr, ring_entries, bgid,
    /// flags}, 1)` — registers the provided-buffer ring at `ring` as buffer group `bgid`
    /// (Linux 5.19+).
    ///
    /// `entries` is a power of two, at most 32768. Requests with `IOSQE_BUFFER_SELECT` and
    /// `buf_group = bgid` then take buffers the application publishes in the ring (tail in
    /// `bufs[0].resv`, store-release). `EEXIST` when the group already exists.
    ///
    /// # Safety
    ///
    /// - `ring` must be page-aligned and valid for reads and writes of
    ///   `entries * size_of::<io_uring_buf>()` bytes, and stay allocated (not freed, unmapped
    ///   or remapped) until [`unregister_buf_ring`](Self::unregister_buf_ring) for `bgid` or
    ///   the ring's drop. The kernel reads the entries and the tail, and with
    ///   [`BufRingFlags::INC`] writes entries' `addr` and `len`.
    /// - Every buffer published in the ring must be valid for writes of its `len` bytes, with
    ///   no Rust reference to it, from publication until the kernel hands it back (a CQE with
    ///   `IORING_CQE_F_BUFFER` naming its id, and for `INC` without `IORING_CQE_F_BUF_MORE`) or
    ///   until the group is unregistered and no request that selected it is in flight.
    /// - `flags` must not contain [`BufRingFlags::MMAP`] (use
    ///   [`register_buf_ring_mmap`](Self::register_buf_ring_mmap)).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    /// - [`io_uring_register_buf_ring(3)`](https://man7.org/linux/man-pages/man3/io_uring_register_buf_ring.3.html)
    #[doc(alias = "IORING_REGISTER_PBUF_RING")]
    #[doc(alias = "io_uring_register_buf_ring")]
    pub unsafe fn register_buf_ring(
        &self,
        ring: *mut sys::io_uring_buf_ring,
        entries: u32,
        bgid: u16,
        flags: BufRingFlags,
    ) -> io::Result<()> {
        let op = opcode!(IORING_REGISTER_PBUF_RING);
        self.unmanaged(op)?;
        if flags.contains(BufRingFlags::MMAP) {
            return Err(invalid(
                op,
                "IOU_PBUF_RING_MMAP with a user address; use register_buf_ring_mmap",
            ));
        }
        // SAFETY: the ring memory is the caller's duty (see `# Safety`).
        unsafe { self.buf_ring(ring as u64, entries, bgid, flags) }
    }

    /// `io_uring_register(fd, IORING_REGISTER_PBUF_RING, {0, ring_entries, bgid,
    /// IOU_PBUF_RING_MMAP | flags}, 1)` — registers buffer group `bgid` with a ring the kernel
    /// allocates (Linux 6.4+).
    ///
    /// Map it with `mmap(2)` on the ring fd, `MAP_SHARED`, at offset
    /// `IORING_OFF_PBUF_RING | (bgid << IORING_OFF_PBUF_SHIFT)`. Safe: no user memory is handed
    /// over here (the buffers published into the ring later are, see
    /// [`register_buf_ring`](Self::register_buf_ring)).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_PBUF_RING")]
    #[doc(alias = "IOU_PBUF_RING_MMAP")]
    pub fn register_buf_ring_mmap(
        &self,
        entries: u32,
        bgid: u16,
        flags: BufRingFlags,
    ) -> io::Result<()> {
        let op = opcode!(IORING_REGISTER_PBUF_RING);
        self.unmanaged(op)?;
        // SAFETY: with IOU_PBUF_RING_MMAP and address 0 the kernel allocates the ring itself.
        unsafe { self.buf_ring(0, entries, bgid, flags | BufRingFlags::MMAP) }
    }

    /// # Safety
    ///
    /// `addr` is 0 with `MMAP`, or upholds [`register_buf_ring`]'s contract.
    unsafe fn buf_ring(
        &self,
        addr: u64,
        entries: u32,
        bgid: u16,
        flags: BufRingFlags,
    ) -> io::Result<()> {
        let op = opcode!(IORING_REGISTER_PBUF_RING);
        let mut reg = sys::io_uring_buf_reg::zeroed();
        reg.ring_addr = addr;
        reg.ring_entries = entries;
        reg.bgid = bgid;
        reg.flags = flags.bits();
        // SAFETY: `reg` is a live `io_uring_buf_reg`; the ring memory is the caller's duty.
        unsafe {
            self.reg(op, ptr::from_ref(&reg).cast(), 1, |e| match e {
                libc::EEXIST => Some("this buffer group id is already registered"),
                libc::EINVAL => {
                    Some("entries must be a power of two <= 32768 and the address page-aligned")
                }
                _ => None,
            })
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_UNREGISTER_PBUF_RING, {bgid}, 1)` — removes provided-buffer
    /// group `bgid` (Linux 5.19+). `ENOENT` when it does not exist.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_UNREGISTER_PBUF_RING")]
    #[doc(alias = "io_uring_unregister_buf_ring")]
    pub fn unregister_buf_ring(&self, bgid: u16) -> io::Result<()> {
        let op = opcode!(IORING_UNREGISTER_PBUF_RING);
        self.unmanaged(op)?;
        let mut reg = sys::io_uring_buf_reg::zeroed();
        reg.bgid = bgid;
        // SAFETY: `reg` is a live `io_uring_buf_reg`.
        unsafe {
            self.reg(op, ptr::from_ref(&reg).cast(), 1, |e| {
                (e == libc::ENOENT).then_some("no buffer ring with this group id")
            })
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_PBUF_STATUS, {buf_group}, 1)` — returns the
    /// kernel's head of provided-buffer ring `bgid`: how far it has consumed (Linux 6.8+).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_PBUF_STATUS")]
    #[doc(alias = "io_uring_buf_ring_head")]
    pub fn register_pbuf_status(&self, bgid: u16) -> io::Result<u16> {
        let op = opcode!(IORING_REGISTER_PBUF_STATUS);
        let mut status = sys::io_uring_buf_status::zeroed();
        status.buf_group = u32::from(bgid);
        // SAFETY: the kernel reads and writes `status`, exclusively ours for the call.
        unsafe {
            self.reg(op, ptr::from_mut(&mut status).cast_const().cast(), 1, |e| {
                (e == libc::ENOENT || e == libc::EINVAL)
                    .then_some("no ring-mapped buffer group with this id")
            })
        }?;
        // The kernel's ring head is a __u16 (io_buffer_list.head) widened into the u32 field.
        Ok(status.head as u16)
    }
}
