//! Fixed buffers: the table, its updates and tags, cloning another ring's.

use core::mem::size_of;
use core::ptr;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

use uring_sys as sys;

use super::{SPARSE_EINVAL, check_tags, invalid, len_u32};
use crate::submit::Submitter;

/// Fixed buffers: `IORING_REGISTER_BUFFERS`, `_BUFFERS2`, `_BUFFERS_UPDATE`, `_CLONE_BUFFERS`,
/// `IORING_UNREGISTER_BUFFERS`.
impl Submitter<'_> {
    /// `io_uring_register(fd, IORING_REGISTER_BUFFERS, iovecs, nr)` — registers fixed buffers:
    /// buffer `i` is `iovecs[i]`, used by `READ_FIXED`/`WRITE_FIXED` and other `*_FIXED` forms
    /// (Linux 5.1+).
    ///
    /// The kernel pins the pages. One table per ring (`EBUSY` on a second call). Each buffer is
    /// at most 1 GiB; file-backed memory is refused (`EOPNOTSUPP`).
    ///
    /// # Safety
    ///
    /// The kernel keeps the addresses after this call returns. For as long as the registration
    /// lasts (until [`unregister_buffers`](Self::unregister_buffers), an update replacing the
    /// slot, or the ring's drop) **and** until every request that named the buffer has
    /// completed:
    /// - each `iovecs[i]` must describe memory valid for reads and writes of `iov_len` bytes
    ///   that stays allocated (not freed, unmapped or remapped) for that whole time;
    /// - no Rust reference may be live to the part of a buffer a request reads into (or, for a
    ///   write, is mutably borrowed) while that request is in flight.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_BUFFERS")]
    #[doc(alias = "io_uring_register_buffers")]
    pub unsafe fn register_buffers(&self, iovecs: &[libc::iovec]) -> io::Result<()> {
        let op = opcode!(IORING_REGISTER_BUFFERS);
        self.unmanaged(op)?;
        let nr = len_u32(op, iovecs.len(), "more than u32::MAX buffers")?;
        // SAFETY: `iovecs` is `nr` iovecs alive for the call; the memory they name is the
        // caller's duty (this function's `# Safety`).
        unsafe { self.reg(op, iovecs.as_ptr().cast(), nr, buffers_hint) }.map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_BUFFERS2, {nr, data, tags}, ...)` — registers fixed
    /// buffers with a tag each (Linux 5.13+).
    ///
    /// An iovec with a null base and zero length leaves the slot empty (tag 0). When a slot's
    /// buffer is later replaced (or, since Linux 6.13, unregistered) and no request uses it any
    /// more, the ring posts a CQE with `user_data` = the tag (zero tags post nothing): the
    /// moment the memory is free again. Before 6.13 unregistering the table posts no tags: there
    /// the memory is free when [`unregister_buffers`](Self::unregister_buffers) returns.
    /// `iovecs` and `tags` must have the same length.
    ///
    /// # Safety
    ///
    /// As [`register_buffers`](Self::register_buffers), for every non-empty iovec.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_BUFFERS2")]
    #[doc(alias = "io_uring_register_buffers_tags")]
    pub unsafe fn register_buffers_tags(
        &self,
        iovecs: &[libc::iovec],
        tags: &[u64],
    ) -> io::Result<()> {
        let op = opcode!(IORING_REGISTER_BUFFERS2);
        self.unmanaged(op)?;
        check_tags(op, tags)?;
        if iovecs.len() != tags.len() {
            return Err(invalid(op, "`iovecs` and `tags` must have the same length"));
        }
        let mut reg = sys::io_uring_rsrc_register::zeroed();
        reg.nr = len_u32(op, iovecs.len(), "more than u32::MAX buffers")?;
        reg.data = iovecs.as_ptr() as u64;
        reg.tags = tags.as_ptr() as u64;
        // SAFETY: `reg` points at `nr` iovecs and tags alive for the call; the memory the iovecs
        // name is the caller's duty.
        unsafe {
            self.reg(
                op,
                ptr::from_ref(&reg).cast(),
                size_of::<sys::io_uring_rsrc_register>() as u32,
                buffers_hint,
            )
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_BUFFERS2, {nr, IORING_RSRC_REGISTER_SPARSE}, ...)`
    /// — registers a fixed-buffer table of `nr` empty slots (Linux 5.19+).
    ///
    /// Safe: no memory is handed over; filling a slot is the `unsafe`
    /// [`register_buffers_update`](Self::register_buffers_update).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_BUFFERS2")]
    #[doc(alias = "io_uring_register_buffers_sparse")]
    pub fn register_buffers_sparse(&self, nr: u32) -> io::Result<()> {
        let op = opcode!(IORING_REGISTER_BUFFERS2);
        self.unmanaged(op)?;
        let mut reg = sys::io_uring_rsrc_register::zeroed();
        reg.nr = nr;
        reg.flags = sys::IORING_RSRC_REGISTER_SPARSE;
        // SAFETY: `reg` is a live `io_uring_rsrc_register` naming no memory.
        unsafe {
            self.reg(
                op,
                ptr::from_ref(&reg).cast(),
                size_of::<sys::io_uring_rsrc_register>() as u32,
                buffers_sparse_hint,
            )
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_BUFFERS_UPDATE, {offset, data, tags, nr}, ...)` —
    /// replaces fixed-buffer slots from `offset` (Linux 5.13+); returns how many were updated.
    ///
    /// `tags` is `None` (no tags) or one tag per iovec. A null, zero-length iovec empties a slot.
    /// A request that already took the old buffer keeps it until it completes.
    ///
    /// # Safety
    ///
    /// As [`register_buffers`](Self::register_buffers), for every non-empty iovec. The old
    /// buffers stay in use by requests already naming them: free them only after those complete
    /// (a tag's CQE says when).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_BUFFERS_UPDATE")]
    #[doc(alias = "io_uring_register_buffers_update_tag")]
    pub unsafe fn register_buffers_update(
        &self,
        offset: u32,
        iovecs: &[libc::iovec],
        tags: Option<&[u64]>,
    ) -> io::Result<u32> {
        let op = opcode!(IORING_REGISTER_BUFFERS_UPDATE);
        self.unmanaged(op)?;
        check_tags(op, tags.unwrap_or(&[]))?;
        if tags.is_some_and(|t| t.len() != iovecs.len()) {
            return Err(invalid(op, "`tags` must have one tag per iovec"));
        }
        let mut up = sys::io_uring_rsrc_update2::zeroed();
        up.offset = offset;
        up.data = iovecs.as_ptr() as u64;
        up.tags = tags.map_or(0, |t| t.as_ptr() as u64);
        up.nr = len_u32(op, iovecs.len(), "more than u32::MAX buffers")?;
        // SAFETY: `up` points at `nr` iovecs (and tags) alive for the call; the memory the
        // iovecs name is the caller's duty.
        unsafe {
            self.reg(
                op,
                ptr::from_ref(&up).cast(),
                size_of::<sys::io_uring_rsrc_update2>() as u32,
                buffers_hint,
            )
        }
    }

    /// `io_uring_register(fd, IORING_UNREGISTER_BUFFERS, NULL, 0)` — drops the fixed-buffer
    /// table.
    ///
    /// Requests in flight keep their buffer pinned until they complete. Fails with `ENXIO` when
    /// no table is registered.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_UNREGISTER_BUFFERS")]
    #[doc(alias = "io_uring_unregister_buffers")]
    pub fn unregister_buffers(&self) -> io::Result<()> {
        let op = opcode!(IORING_UNREGISTER_BUFFERS);
        self.unmanaged(op)?;
        // SAFETY: this opcode reads no argument.
        unsafe {
            self.reg(op, ptr::null(), 0, |e| {
                (e == libc::ENXIO).then_some("no fixed buffers are registered")
            })
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_CLONE_BUFFERS, {src_fd, flags, src_off, dst_off,
    /// nr}, 1)` — copies `nr` fixed-buffer slots of the ring `src` (from `src_off`) into this
    /// ring (at `dst_off`) (Linux 6.12+; offsets 6.13+). `nr == 0` with both offsets 0 clones
    /// the whole table.
    ///
    /// Without `replace`, this ring must have no buffers yet in that range (`EBUSY`); with it
    /// (`IORING_REGISTER_DST_REPLACE`) existing slots are replaced.
    ///
    /// # Safety
    ///
    /// The cloned slots name the same memory as `src`'s: the caller must uphold the contract of
    /// [`register_buffers`](Self::register_buffers) for that memory until **both** rings have
    /// dropped it (this ring's registration can outlive `src`'s).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_CLONE_BUFFERS")]
    #[doc(alias = "io_uring_clone_buffers")]
    pub unsafe fn register_clone_buffers(
        &self,
        src: BorrowedFd<'_>,
        src_off: u32,
        dst_off: u32,
        nr: u32,
        replace: bool,
    ) -> io::Result<()> {
        let op = opcode!(IORING_REGISTER_CLONE_BUFFERS);
        self.unmanaged(op)?;
        let mut clone = sys::io_uring_clone_buffers::zeroed();
        clone.src_fd = src.as_raw_fd() as u32;
        clone.flags = if replace {
            sys::IORING_REGISTER_DST_REPLACE
        } else {
            0
        };
        clone.src_off = src_off;
        clone.dst_off = dst_off;
        clone.nr = nr;
        // SAFETY: `clone` is a live `io_uring_clone_buffers`; the cloned memory's lifetime is the
        // caller's duty.
        unsafe {
            self.reg(op, ptr::from_ref(&clone).cast(), 1, |e| match e {
                libc::EBUSY => {
                    Some("this ring already has buffers there: pass `replace`, or unregister first")
                }
                libc::ENXIO => Some("the source ring has no registered buffers"),
                libc::EBADF | libc::EOPNOTSUPP => Some("`src` is not an io_uring fd"),
                _ => None,
            })
        }
        .map(drop)
    }
}

fn buffers_hint(errno: i32) -> Option<&'static str> {
    match errno {
        libc::EBUSY => Some(
            "fixed buffers are already registered: unregister_buffers() first, or update slots",
        ),
        libc::EFAULT => Some("a buffer's memory is not mapped"),
        libc::EOPNOTSUPP => Some("a buffer is file-backed memory; use anonymous memory"),
        libc::ENXIO => Some("no fixed buffers are registered: register some first"),
        _ => None,
    }
}

fn buffers_sparse_hint(errno: i32) -> Option<&'static str> {
    match errno {
        libc::EINVAL => Some(SPARSE_EINVAL),
        _ => buffers_hint(errno),
    }
}
