//! Fixed files: the table, its updates and tags, the allocation range.

use core::mem::size_of;
use core::ptr;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};

use uring_sys as sys;

use super::{SPARSE_EINVAL, check_tags, invalid, len_u32};
use crate::submit::Submitter;

/// What to put in one slot of a [`register_files_update`](Submitter::register_files_update).
#[derive(Debug, Clone, Copy)]
pub enum FileSlot<'fd> {
    /// Install this file in the slot (the kernel takes its own reference).
    Fd(BorrowedFd<'fd>),
    /// Empty the slot (`-1`).
    Empty,
    /// Leave the slot as it is (`IORING_REGISTER_FILES_SKIP`).
    #[doc(alias = "IORING_REGISTER_FILES_SKIP")]
    Skip,
}

impl FileSlot<'_> {
    fn raw(self) -> RawFd {
        match self {
            FileSlot::Fd(fd) => fd.as_raw_fd(),
            FileSlot::Empty => -1,
            FileSlot::Skip => sys::IORING_REGISTER_FILES_SKIP,
        }
    }
}

fn raw_fds<'a>(fds: impl IntoIterator<Item = Option<BorrowedFd<'a>>>) -> Vec<RawFd> {
    fds.into_iter()
        .map(|fd| fd.map_or(-1, |fd| fd.as_raw_fd()))
        .collect()
}

/// Fixed files: `IORING_REGISTER_FILES`, `_FILES2`, `_FILES_UPDATE`, `_FILES_UPDATE2`,
/// `_FILE_ALLOC_RANGE`, `IORING_UNREGISTER_FILES`.
impl Submitter<'_> {
    /// `io_uring_register(fd, IORING_REGISTER_FILES, fds, nr)` — registers a fixed file table
    /// whose slot `i` holds `fds[i]` (Linux 5.1+).
    ///
    /// SQEs then name slot `i` with `IOSQE_FIXED_FILE`. The kernel takes its own reference to
    /// each file: closing the fd afterwards does not remove the file from the table. Only one
    /// table per ring: a second call fails with `EBUSY` (update it, or unregister first). Too many
    /// files for `RLIMIT_NOFILE` gives `EMFILE`.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_FILES")]
    #[doc(alias = "io_uring_register_files")]
    pub fn register_files(&self, fds: &[BorrowedFd<'_>]) -> io::Result<()> {
        let op = opcode!(IORING_REGISTER_FILES);
        self.unmanaged(op)?;
        let nr = len_u32(op, fds.len(), "more than u32::MAX files")?;
        // SAFETY: `BorrowedFd` is `repr(transparent)` over `RawFd` (std documents it has the
        // representation of a file descriptor), so `fds` is `nr` valid `int`s the kernel reads
        // during the call.
        unsafe { self.reg(op, fds.as_ptr().cast(), nr, files_hint) }.map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_FILES2, {nr, IORING_RSRC_REGISTER_SPARSE}, ...)` —
    /// registers a fixed file table of `nr` empty slots (Linux 5.19+).
    ///
    /// Fill slots later with [`register_files_update`](Self::register_files_update) or with
    /// direct-descriptor opcodes (`accept`/`openat` with a file index).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_FILES2")]
    #[doc(alias = "IORING_RSRC_REGISTER_SPARSE")]
    #[doc(alias = "io_uring_register_files_sparse")]
    pub fn register_files_sparse(&self, nr: u32) -> io::Result<()> {
        let op = opcode!(IORING_REGISTER_FILES2);
        self.unmanaged(op)?;
        let mut reg = sys::io_uring_rsrc_register::zeroed();
        reg.nr = nr;
        reg.flags = sys::IORING_RSRC_REGISTER_SPARSE;
        // SAFETY: `reg` is a live `io_uring_rsrc_register`; nr_args is its size, as FILES2 wants.
        unsafe {
            self.reg(
                op,
                ptr::from_ref(&reg).cast(),
                size_of::<sys::io_uring_rsrc_register>() as u32,
                files_sparse_hint,
            )
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_FILES2, {nr, data, tags}, ...)` — registers a fixed
    /// file table with a tag per slot (Linux 5.13+, `IORING_FEAT_RSRC_TAGS`).
    ///
    /// `None` leaves a slot empty (its tag must be 0). When a slot's file is later removed or
    /// replaced and the kernel has dropped it, the ring posts a CQE with `user_data` = the tag
    /// (a zero tag posts nothing). `fds` and `tags` must have the same length.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_FILES2")]
    #[doc(alias = "io_uring_register_files_tags")]
    pub fn register_files_tags(
        &self,
        fds: &[Option<BorrowedFd<'_>>],
        tags: &[u64],
    ) -> io::Result<()> {
        let op = opcode!(IORING_REGISTER_FILES2);
        self.unmanaged(op)?;
        check_tags(op, tags)?;
        if fds.len() != tags.len() {
            return Err(invalid(
                op,
                "`fds` and `tags` must have the same length (one tag per slot)",
            ));
        }
        let raw = raw_fds(fds.iter().copied());
        let mut reg = sys::io_uring_rsrc_register::zeroed();
        reg.nr = len_u32(op, raw.len(), "more than u32::MAX files")?;
        reg.data = raw.as_ptr() as u64;
        reg.tags = tags.as_ptr() as u64;
        // SAFETY: `reg` points at `nr` ints (`raw`) and `nr` u64 tags, all alive for the call.
        unsafe {
            self.reg(
                op,
                ptr::from_ref(&reg).cast(),
                size_of::<sys::io_uring_rsrc_register>() as u32,
                files_hint,
            )
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_FILES_UPDATE, {offset, fds}, nr)` — replaces slots
    /// `offset..offset + fds.len()` of the fixed file table; returns how many were updated
    /// (Linux 5.5+).
    ///
    /// Requests already holding a slot's old file keep it until they complete.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_FILES_UPDATE")]
    #[doc(alias = "io_uring_register_files_update")]
    pub fn register_files_update(&self, offset: u32, fds: &[FileSlot<'_>]) -> io::Result<u32> {
        let op = opcode!(IORING_REGISTER_FILES_UPDATE);
        self.unmanaged(op)?;
        let raw: Vec<RawFd> = fds.iter().map(|s| s.raw()).collect();
        let nr = len_u32(op, raw.len(), "more than u32::MAX files")?;
        let mut up = sys::io_uring_rsrc_update::zeroed();
        up.offset = offset;
        up.data = raw.as_ptr() as u64;
        // SAFETY: `up.data` points at `nr` ints alive for the call.
        unsafe { self.reg(op, ptr::from_ref(&up).cast(), nr, files_update_hint) }
    }

    /// `io_uring_register(fd, IORING_REGISTER_FILES_UPDATE2, {offset, data, tags, nr}, ...)` —
    /// replaces slots from `offset` and gives each new file a tag (Linux 5.13+); returns how many
    /// slots were updated. `fds` and `tags` must have the same length.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_FILES_UPDATE2")]
    #[doc(alias = "io_uring_register_files_update_tag")]
    pub fn register_files_update_tags(
        &self,
        offset: u32,
        fds: &[FileSlot<'_>],
        tags: &[u64],
    ) -> io::Result<u32> {
        let op = opcode!(IORING_REGISTER_FILES_UPDATE2);
        self.unmanaged(op)?;
        check_tags(op, tags)?;
        if fds.len() != tags.len() {
            return Err(invalid(op, "`fds` and `tags` must have the same length"));
        }
        let raw: Vec<RawFd> = fds.iter().map(|s| s.raw()).collect();
        let mut up = sys::io_uring_rsrc_update2::zeroed();
        up.offset = offset;
        up.data = raw.as_ptr() as u64;
        up.tags = tags.as_ptr() as u64;
        up.nr = len_u32(op, raw.len(), "more than u32::MAX files")?;
        // SAFETY: `up` points at `nr` ints and `nr` tags alive for the call.
        unsafe {
            self.reg(
                op,
                ptr::from_ref(&up).cast(),
                size_of::<sys::io_uring_rsrc_update2>() as u32,
                files_update_hint,
            )
        }
    }

    /// `io_uring_register(fd, IORING_UNREGISTER_FILES, NULL, 0)` — drops the fixed file table.
    ///
    /// Fails with `ENXIO` when no table is registered.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_UNREGISTER_FILES")]
    #[doc(alias = "io_uring_unregister_files")]
    pub fn unregister_files(&self) -> io::Result<()> {
        let op = opcode!(IORING_UNREGISTER_FILES);
        self.unmanaged(op)?;
        // SAFETY: this opcode reads no argument.
        unsafe {
            self.reg(op, ptr::null(), 0, |e| {
                (e == libc::ENXIO).then_some("no fixed file table is registered")
            })
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_FILE_ALLOC_RANGE, {off, len}, 0)` — restricts the
    /// slots the kernel picks for `IORING_FILE_INDEX_ALLOC` to `offset..offset + len`
    /// (Linux 6.0+).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_FILE_ALLOC_RANGE")]
    #[doc(alias = "io_uring_register_file_alloc_range")]
    pub fn register_file_alloc_range(&self, offset: u32, len: u32) -> io::Result<()> {
        let op = opcode!(IORING_REGISTER_FILE_ALLOC_RANGE);
        self.unmanaged(op)?;
        let mut range = sys::io_uring_file_index_range::zeroed();
        range.off = offset;
        range.len = len;
        // SAFETY: `range` is a live `io_uring_file_index_range`.
        unsafe {
            self.reg(op, ptr::from_ref(&range).cast(), 0, |e| {
                (e == libc::EINVAL).then_some(
                    "the range must lie inside the registered file table (register one first)",
                )
            })
        }
        .map(drop)
    }
}

pub(super) fn files_hint(errno: i32) -> Option<&'static str> {
    match errno {
        libc::EBUSY => Some(
            "a fixed file table is already registered: unregister_files() first, or change \
             slots with register_files_update()",
        ),
        libc::EBADF => Some("one of the fds is not an open file descriptor"),
        libc::EMFILE => {
            Some("more files than RLIMIT_NOFILE allows: raise it (`ulimit -n`) or register fewer")
        }
        _ => None,
    }
}

fn files_update_hint(errno: i32) -> Option<&'static str> {
    match errno {
        libc::ENXIO => Some("no fixed file table is registered: register one first"),
        libc::EINVAL => Some("the slots lie outside the registered file table"),
        libc::EBADF => Some("one of the fds is not an open file descriptor"),
        _ => None,
    }
}

fn files_sparse_hint(errno: i32) -> Option<&'static str> {
    match errno {
        libc::EINVAL => Some(SPARSE_EINVAL),
        _ => files_hint(errno),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_slots_are_the_kernel_sentinels() {
        assert_eq!(FileSlot::Empty.raw(), -1);
        assert_eq!(FileSlot::Skip.raw(), -2);
        assert_eq!(raw_fds([None, None]), vec![-1, -1]);
    }
}
