//! The calling thread's registered-ring table.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

use uring_sys as sys;

use super::{len_u32, no_hint};
use crate::submit::Submitter;

/// The calling thread's registered-ring table: `IORING_REGISTER_RING_FDS`,
/// `IORING_UNREGISTER_RING_FDS`.
impl Submitter<'_> {
    /// `io_uring_register(fd, IORING_REGISTER_RING_FDS, updates, nr)` — registers io_uring fds in
    /// the **calling thread's** registered-ring table (at most 16 per call and 16 in all) and
    /// returns their indices (Linux 5.18+).
    ///
    /// `io_uring_enter(2)` with `IORING_ENTER_REGISTERED_RING` (and, with
    /// `IORING_FEAT_REG_REG_RING`, `io_uring_register(2)` with
    /// `IORING_REGISTER_USE_REGISTERED_RING`) then takes the index instead of the fd, skipping
    /// the fd lookup. The indices are valid only on the thread that registered them. If only
    /// some fds could be registered, the returned vector is shorter than `rings`.
    ///
    /// The ring's own registered fd, used by [`Submitter::register_raw`], is a ring option of
    /// its own; this method manages the table directly.
    ///
    /// # Safety
    ///
    /// The table is the **thread's**, shared by every ring in it, not this ring's: a
    /// [`Ring`](crate::Ring) built with
    /// [`registered_ring_fd`](crate::Builder::registered_ring_fd) enters and registers through
    /// its index for as long as it lives. The caller must not use the indices this returns in
    /// a way that changes what such an index names: see
    /// [`unregister_ring_fds`](Self::unregister_ring_fds).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_RING_FDS")]
    #[doc(alias = "io_uring_register_ring_fd")]
    pub unsafe fn register_ring_fds(&self, rings: &[BorrowedFd<'_>]) -> io::Result<Vec<u32>> {
        let op = opcode!(IORING_REGISTER_RING_FDS);
        self.unmanaged(op)?;
        let mut ups: Vec<sys::io_uring_rsrc_update> = rings
            .iter()
            .map(|fd| {
                let mut up = sys::io_uring_rsrc_update::zeroed();
                up.offset = u32::MAX; // -1U: let the kernel pick a free index.
                up.data = fd.as_raw_fd() as u64;
                up
            })
            .collect();
        let nr = len_u32(op, ups.len(), "too many ring fds")?;
        // SAFETY: `ups` is `nr` rsrc updates the kernel reads and writes (the chosen offsets)
        // during the call.
        let done = unsafe {
            self.reg(op, ups.as_mut_ptr().cast_const().cast(), nr, |e| match e {
                libc::EINVAL => Some("at most 16 ring fds per call (and per thread)"),
                libc::EBUSY => Some("this thread's registered-ring table is full (16)"),
                libc::EOPNOTSUPP => Some("an fd is not an io_uring fd"),
                _ => None,
            })
        }?;
        ups.truncate(done as usize);
        Ok(ups.iter().map(|u| u.offset).collect())
    }

    /// `io_uring_register(fd, IORING_UNREGISTER_RING_FDS, updates, nr)` — removes indices from
    /// the calling thread's registered-ring table (Linux 5.18+); returns how many were removed.
    ///
    /// # Safety
    ///
    /// No index in `indices` may be one a live [`Ring`](crate::Ring) of this thread uses
    /// ([`Ring::registered_index`](crate::Ring::registered_index)): the table belongs to the
    /// thread, so any ring could remove it, and [`register_ring_fds`](Self::register_ring_fds)
    /// could then put another ring at that index — every enter and registration of the first
    /// ring would then reach the other one (registering its buffer rings there, which that
    /// ring keeps using after the first ring frees them).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_UNREGISTER_RING_FDS")]
    #[doc(alias = "io_uring_unregister_ring_fd")]
    pub unsafe fn unregister_ring_fds(&self, indices: &[u32]) -> io::Result<u32> {
        let op = opcode!(IORING_UNREGISTER_RING_FDS);
        self.unmanaged(op)?;
        let ups: Vec<sys::io_uring_rsrc_update> = indices
            .iter()
            .map(|&i| {
                let mut up = sys::io_uring_rsrc_update::zeroed();
                up.offset = i;
                up
            })
            .collect();
        let nr = len_u32(op, ups.len(), "too many indices")?;
        // SAFETY: `ups` is `nr` rsrc updates alive for the call.
        unsafe { self.reg(op, ups.as_ptr().cast(), nr, no_hint) }
    }
}
