//! Files and the file system: sync, allocate, open, close, stat, advise, the `*at` path calls,
//! truncate, the registered file table (`FILES_UPDATE`, `FIXED_FD_INSTALL`) and `PIPE`.

use libc::c_char;
use uring_sys as sys;

use super::{Fields, no_memory, opcode, ptr};
use crate::squeue::{Sqe, SqeFlags};
use crate::types::{
    AtFlags, DestinationSlot, Fd, Fixed, FixedFdInstallFlags, FsyncFlags, OpenHow, RenameFlags,
    StatxMask, Target,
};

/// `sqe->file_index` for an optional direct-descriptor slot.
#[inline]
const fn slot(s: Option<DestinationSlot>) -> u32 {
    match s {
        Some(s) => s.file_index(),
        None => 0,
    }
}

opcode! {
    /// `fsync(fd)` — flush a file to storage.
    ///
    /// Equivalent to `fsync(2)` (`fdatasync(2)` with [`FsyncFlags::DATASYNC`]); with a
    /// non-zero `len`, `sync_file_range`-like on `offset..offset + len`. Linux 5.1+.
    ///
    /// # Memory
    ///
    /// None: the SQE carries no pointer.
    ///
    /// # References
    ///
    /// - [`fsync(2)`](https://man7.org/linux/man-pages/man2/fsync.2.html)
    #[doc(alias = "IORING_OP_FSYNC")]
    #[doc(alias = "io_uring_prep_fsync")]
    pub struct Fsync {
        fd: { impl Target },
        ;;
        /// `IORING_FSYNC_*` flags.
        flags: FsyncFlags = FsyncFlags::empty(),
        /// The start of the range (with `len`).
        offset: u64 = 0,
        /// The length of the range (0: the whole file).
        len: u32 = 0,
    }

    pub const CODE = sys::IORING_OP_FSYNC;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.op_flags = self.flags.bits();
        f.off = self.offset;
        f.len = self.len;
        f.sqe()
    }
}

opcode! {
    /// `sync_file_range(fd, offset, len, flags)` — start or wait for writeback of a range.
    ///
    /// Equivalent to `sync_file_range(2)`. Linux 5.2+.
    ///
    /// # Memory
    ///
    /// None: the SQE carries no pointer.
    ///
    /// # References
    ///
    /// - [`sync_file_range(2)`](https://man7.org/linux/man-pages/man2/sync_file_range.2.html)
    #[doc(alias = "IORING_OP_SYNC_FILE_RANGE")]
    #[doc(alias = "io_uring_prep_sync_file_range")]
    pub struct SyncFileRange {
        fd: { impl Target },
        len: { u32 },
        ;;
        /// The start of the range.
        offset: u64 = 0,
        /// `SYNC_FILE_RANGE_*` flags.
        flags: u32 = 0,
    }

    pub const CODE = sys::IORING_OP_SYNC_FILE_RANGE;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.len = self.len;
        f.off = self.offset;
        f.op_flags = self.flags;
        f.sqe()
    }
}

opcode! {
    /// `fallocate(fd, mode, offset, len)` — allocate or punch file space.
    ///
    /// Equivalent to `fallocate(2)`. Linux 5.6+.
    ///
    /// # Memory
    ///
    /// None: the SQE carries no pointer.
    ///
    /// # References
    ///
    /// - [`fallocate(2)`](https://man7.org/linux/man-pages/man2/fallocate.2.html)
    #[doc(alias = "IORING_OP_FALLOCATE")]
    #[doc(alias = "io_uring_prep_fallocate")]
    pub struct Fallocate {
        fd: { impl Target },
        len: { u64 },
        ;;
        /// The start of the range.
        offset: u64 = 0,
        /// `FALLOC_FL_*` mode (0: allocate and extend the size).
        mode: i32 = 0,
    }

    pub const CODE = sys::IORING_OP_FALLOCATE;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = self.len;
        f.off = self.offset;
        f.len = self.mode as u32;
        f.sqe()
    }
}

opcode! {
    /// `openat(dirfd, path, flags, mode)` — open a file.
    ///
    /// Equivalent to `openat(2)`. Linux 5.6+. `cqe->res` is the new fd, or with
    /// [`file_index`](Self::file_index) the new direct descriptor goes into the registered
    /// table (`res` is 0, or the slot for [`DestinationSlot::Alloc`]; Linux 5.15+).
    ///
    /// # Memory
    ///
    /// The kernel reads the NUL-terminated `path` at submission or, when the request goes
    /// async, later; keep it valid until the CQE.
    ///
    /// # References
    ///
    /// - [`openat(2)`](https://man7.org/linux/man-pages/man2/openat.2.html)
    #[doc(alias = "IORING_OP_OPENAT")]
    #[doc(alias = "io_uring_prep_openat")]
    pub struct OpenAt {
        dirfd: { Fd },
        path: { *const c_char },
        ;;
        /// `O_*` flags.
        flags: i32 = 0,
        /// Permission bits for a created file.
        mode: u32 = 0,
        /// Open as a direct descriptor into this registered slot.
        file_index: Option<DestinationSlot> = None,
    }

    pub const CODE = sys::IORING_OP_OPENAT;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = self.dirfd.0;
        f.addr = ptr(self.path);
        f.len = self.mode;
        f.op_flags = self.flags as u32;
        f.file_index = slot(self.file_index);
        f.sqe()
    }
}

opcode! {
    /// `openat2(dirfd, path, how, sizeof(*how))` — open with `RESOLVE_*` control.
    ///
    /// Equivalent to `openat2(2)`. Linux 5.6+. Results as [`OpenAt`].
    ///
    /// # Memory
    ///
    /// The kernel reads `path` and `*how` until the CQE.
    ///
    /// # References
    ///
    /// - [`openat2(2)`](https://man7.org/linux/man-pages/man2/openat2.2.html)
    #[doc(alias = "IORING_OP_OPENAT2")]
    #[doc(alias = "io_uring_prep_openat2")]
    pub struct OpenAt2 {
        dirfd: { Fd },
        path: { *const c_char },
        how: { *const OpenHow },
        ;;
        /// Open as a direct descriptor into this registered slot.
        file_index: Option<DestinationSlot> = None,
    }

    pub const CODE = sys::IORING_OP_OPENAT2;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = self.dirfd.0;
        f.addr = ptr(self.path);
        f.len = core::mem::size_of::<OpenHow>() as u32;
        f.off = ptr(self.how);
        f.file_index = slot(self.file_index);
        f.sqe()
    }
}

opcode! {
    /// `close(fd)` — close a file descriptor, or free a registered slot.
    ///
    /// Equivalent to `close(2)`. Linux 5.6+; a [`Fixed`] target (direct descriptor slot)
    /// Linux 5.15+.
    ///
    /// # Memory
    ///
    /// None: the SQE carries no pointer. It is still not [`NoMemory`](super::NoMemory):
    /// closing an fd number the caller does not own breaks I/O safety (the owner's later
    /// `close` hits whatever reuses the number), so pushing it stays `unsafe`.
    ///
    /// # References
    ///
    /// - [`close(2)`](https://man7.org/linux/man-pages/man2/close.2.html)
    #[doc(alias = "IORING_OP_CLOSE")]
    #[doc(alias = "io_uring_prep_close")]
    pub struct Close {
        fd: { impl Target },
        ;;
    }

    pub const CODE = sys::IORING_OP_CLOSE;

    /// The SQE. A [`Fixed`] target goes in `file_index` (slot + 1), not `fd` with
    /// `IOSQE_FIXED_FILE`, which the kernel rejects for close.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        if self.fd.fixed {
            f.file_index = DestinationSlot::Index(self.fd.fd as u32).file_index();
        } else {
            f.fd = self.fd.fd;
        }
        f.sqe()
    }
}

opcode! {
    /// `statx(dirfd, path, flags, mask, statxbuf)` — file status.
    ///
    /// Equivalent to `statx(2)`. Linux 5.6+.
    ///
    /// # Memory
    ///
    /// The kernel reads `path` and writes `*statxbuf` until the CQE.
    ///
    /// # References
    ///
    /// - [`statx(2)`](https://man7.org/linux/man-pages/man2/statx.2.html)
    #[doc(alias = "IORING_OP_STATX")]
    #[doc(alias = "io_uring_prep_statx")]
    pub struct Statx {
        dirfd: { Fd },
        path: { *const c_char },
        statxbuf: { *mut libc::statx },
        ;;
        /// `AT_*` flags (e.g. [`AtFlags::EMPTY_PATH`] to stat `dirfd` itself).
        flags: AtFlags = AtFlags::empty(),
        /// Which fields to fill.
        mask: StatxMask = StatxMask::BASIC_STATS,
    }

    pub const CODE = sys::IORING_OP_STATX;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = self.dirfd.0;
        f.addr = ptr(self.path);
        f.len = self.mask.bits();
        f.off = ptr(self.statxbuf);
        f.op_flags = self.flags.bits();
        f.sqe()
    }
}

opcode! {
    /// `posix_fadvise(fd, offset, len, advice)` — declare an access pattern.
    ///
    /// Equivalent to `posix_fadvise(2)`. Linux 5.6+.
    ///
    /// # Memory
    ///
    /// None: the SQE carries no pointer.
    ///
    /// # References
    ///
    /// - [`posix_fadvise(2)`](https://man7.org/linux/man-pages/man2/posix_fadvise.2.html)
    #[doc(alias = "IORING_OP_FADVISE")]
    #[doc(alias = "io_uring_prep_fadvise")]
    pub struct Fadvise {
        fd: { impl Target },
        len: { u32 },
        advice: { i32 },
        ;;
        /// The start of the range.
        offset: u64 = 0,
    }

    pub const CODE = sys::IORING_OP_FADVISE;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.len = self.len;
        f.off = self.offset;
        f.op_flags = self.advice as u32;
        f.sqe()
    }
}

opcode! {
    /// `madvise(addr, len, advice)` — advise about a memory range.
    ///
    /// Equivalent to `madvise(2)`. Linux 5.6+.
    ///
    /// # Memory
    ///
    /// The range is this process's memory, and advice such as `MADV_DONTNEED` changes its
    /// contents: the range must be memory the caller may have changed under it.
    ///
    /// # References
    ///
    /// - [`madvise(2)`](https://man7.org/linux/man-pages/man2/madvise.2.html)
    #[doc(alias = "IORING_OP_MADVISE")]
    #[doc(alias = "io_uring_prep_madvise")]
    pub struct Madvise {
        addr: { *const libc::c_void },
        len: { u32 },
        advice: { i32 },
        ;;
    }

    pub const CODE = sys::IORING_OP_MADVISE;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = -1;
        f.addr = ptr(self.addr);
        f.len = self.len;
        f.op_flags = self.advice as u32;
        f.sqe()
    }
}

opcode! {
    /// `renameat2(olddirfd, oldpath, newdirfd, newpath, flags)` — rename a path.
    ///
    /// Equivalent to `renameat2(2)`. Linux 5.11+.
    ///
    /// # Memory
    ///
    /// The kernel reads both paths until the CQE.
    ///
    /// # References
    ///
    /// - [`renameat2(2)`](https://man7.org/linux/man-pages/man2/renameat2.2.html)
    #[doc(alias = "IORING_OP_RENAMEAT")]
    #[doc(alias = "io_uring_prep_renameat")]
    pub struct RenameAt {
        olddirfd: { Fd },
        oldpath: { *const c_char },
        newdirfd: { Fd },
        newpath: { *const c_char },
        ;;
        /// `RENAME_*` flags.
        flags: RenameFlags = RenameFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_RENAMEAT;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = self.olddirfd.0;
        f.addr = ptr(self.oldpath);
        f.len = self.newdirfd.0 as u32;
        f.off = ptr(self.newpath);
        f.op_flags = self.flags.bits();
        f.sqe()
    }
}

opcode! {
    /// `unlinkat(dirfd, path, flags)` — remove a file (or, with [`AtFlags::REMOVEDIR`], a
    /// directory).
    ///
    /// Equivalent to `unlinkat(2)`. Linux 5.11+.
    ///
    /// # Memory
    ///
    /// The kernel reads `path` until the CQE.
    ///
    /// # References
    ///
    /// - [`unlinkat(2)`](https://man7.org/linux/man-pages/man2/unlinkat.2.html)
    #[doc(alias = "IORING_OP_UNLINKAT")]
    #[doc(alias = "io_uring_prep_unlinkat")]
    pub struct UnlinkAt {
        dirfd: { Fd },
        path: { *const c_char },
        ;;
        /// `AT_REMOVEDIR` or 0.
        flags: AtFlags = AtFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_UNLINKAT;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = self.dirfd.0;
        f.addr = ptr(self.path);
        f.op_flags = self.flags.bits();
        f.sqe()
    }
}

opcode! {
    /// `mkdirat(dirfd, path, mode)` — create a directory.
    ///
    /// Equivalent to `mkdirat(2)`. Linux 5.15+.
    ///
    /// # Memory
    ///
    /// The kernel reads `path` until the CQE.
    ///
    /// # References
    ///
    /// - [`mkdirat(2)`](https://man7.org/linux/man-pages/man2/mkdirat.2.html)
    #[doc(alias = "IORING_OP_MKDIRAT")]
    #[doc(alias = "io_uring_prep_mkdirat")]
    pub struct MkDirAt {
        dirfd: { Fd },
        path: { *const c_char },
        ;;
        /// Permission bits (before the umask).
        mode: u32 = 0,
    }

    pub const CODE = sys::IORING_OP_MKDIRAT;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = self.dirfd.0;
        f.addr = ptr(self.path);
        f.len = self.mode;
        f.sqe()
    }
}

opcode! {
    /// `symlinkat(target, newdirfd, linkpath)` — create a symbolic link.
    ///
    /// Equivalent to `symlinkat(2)`. Linux 5.15+.
    ///
    /// # Memory
    ///
    /// The kernel reads both strings until the CQE.
    ///
    /// # References
    ///
    /// - [`symlinkat(2)`](https://man7.org/linux/man-pages/man2/symlinkat.2.html)
    #[doc(alias = "IORING_OP_SYMLINKAT")]
    #[doc(alias = "io_uring_prep_symlinkat")]
    pub struct SymlinkAt {
        newdirfd: { Fd },
        target: { *const c_char },
        linkpath: { *const c_char },
        ;;
    }

    pub const CODE = sys::IORING_OP_SYMLINKAT;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = self.newdirfd.0;
        f.addr = ptr(self.target);
        f.off = ptr(self.linkpath);
        f.sqe()
    }
}

opcode! {
    /// `linkat(olddirfd, oldpath, newdirfd, newpath, flags)` — create a hard link.
    ///
    /// Equivalent to `linkat(2)`. Linux 5.15+.
    ///
    /// # Memory
    ///
    /// The kernel reads both paths until the CQE.
    ///
    /// # References
    ///
    /// - [`linkat(2)`](https://man7.org/linux/man-pages/man2/linkat.2.html)
    #[doc(alias = "IORING_OP_LINKAT")]
    #[doc(alias = "io_uring_prep_linkat")]
    pub struct LinkAt {
        olddirfd: { Fd },
        oldpath: { *const c_char },
        newdirfd: { Fd },
        newpath: { *const c_char },
        ;;
        /// `AT_SYMLINK_FOLLOW` / `AT_EMPTY_PATH`.
        flags: AtFlags = AtFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_LINKAT;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = self.olddirfd.0;
        f.addr = ptr(self.oldpath);
        f.len = self.newdirfd.0 as u32;
        f.off = ptr(self.newpath);
        f.op_flags = self.flags.bits();
        f.sqe()
    }
}

opcode! {
    /// `ftruncate(fd, len)` — set a file's size.
    ///
    /// Equivalent to `ftruncate(2)`. Linux 6.9+.
    ///
    /// # Memory
    ///
    /// None: the SQE carries no pointer.
    ///
    /// # References
    ///
    /// - [`ftruncate(2)`](https://man7.org/linux/man-pages/man2/ftruncate.2.html)
    #[doc(alias = "IORING_OP_FTRUNCATE")]
    #[doc(alias = "io_uring_prep_ftruncate")]
    pub struct Ftruncate {
        fd: { impl Target },
        len: { u64 },
        ;;
    }

    pub const CODE = sys::IORING_OP_FTRUNCATE;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.off = self.len;
        f.sqe()
    }
}

opcode! {
    /// Update the registered file table from an array of fds, as
    /// `IORING_REGISTER_FILES_UPDATE` does but through the ring.
    ///
    /// io_uring only (no syscall equivalent; the asynchronous `io_uring_register(2)`
    /// `IORING_REGISTER_FILES_UPDATE`). Linux 5.6+. `cqe->res` is the number of slots updated.
    /// An fd of `-1` clears its slot; `offset` [`IORING_FILE_INDEX_ALLOC`](DestinationSlot::Alloc)
    /// (as `-1`) allocates slots and writes their indexes back into the array.
    ///
    /// # Memory
    ///
    /// The kernel reads (and with allocation, writes) the `len` ints at `fds` until the CQE.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_OP_FILES_UPDATE")]
    #[doc(alias = "io_uring_prep_files_update")]
    pub struct FilesUpdate {
        fds: { *const i32 },
        len: { u32 },
        ;;
        /// The first slot to update (`-1`: allocate).
        offset: i32 = 0,
    }

    pub const CODE = sys::IORING_OP_FILES_UPDATE;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = -1;
        f.addr = ptr(self.fds);
        f.len = self.len;
        f.off = self.offset as i64 as u64;
        f.sqe()
    }
}

opcode! {
    /// Install registered file `fixed` as a normal fd of this process.
    ///
    /// io_uring only (the reverse of registering a file). Linux 6.8+. `cqe->res` is the new fd
    /// (close-on-exec unless [`FixedFdInstallFlags::NO_CLOEXEC`]).
    ///
    /// # Memory
    ///
    /// None: the SQE carries no pointer.
    ///
    /// # References
    ///
    /// - [`io_uring_prep_fixed_fd_install(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_fixed_fd_install.3.html)
    #[doc(alias = "IORING_OP_FIXED_FD_INSTALL")]
    #[doc(alias = "io_uring_prep_fixed_fd_install")]
    pub struct FixedFdInstall {
        fixed: { Fixed },
        ;;
        /// `IORING_FIXED_FD_*` flags.
        flags: FixedFdInstallFlags = FixedFdInstallFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_FIXED_FD_INSTALL;

    /// The SQE (with `IOSQE_FIXED_FILE`, which the op requires).
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = self.fixed.0 as i32;
        f.flags = SqeFlags::FIXED_FILE.bits();
        f.op_flags = self.flags.bits();
        f.sqe()
    }
}

opcode! {
    /// `pipe2(fds, flags)` — create a pipe.
    ///
    /// Equivalent to `pipe2(2)`. Linux 6.16+. The two fds (read end, write end) are written
    /// to `fds[0]`, `fds[1]`; with [`file_index`](Self::file_index) they become direct
    /// descriptors and `fds` receives their slots.
    ///
    /// # Memory
    ///
    /// The kernel writes two ints at `fds` until the CQE.
    ///
    /// # References
    ///
    /// - [`pipe2(2)`](https://man7.org/linux/man-pages/man2/pipe2.2.html)
    #[doc(alias = "IORING_OP_PIPE")]
    #[doc(alias = "io_uring_prep_pipe")]
    pub struct Pipe {
        fds: { *mut [i32; 2] },
        ;;
        /// `O_CLOEXEC`, `O_NONBLOCK`, `O_DIRECT`.
        flags: i32 = 0,
        /// Create direct descriptors starting at this slot.
        file_index: Option<DestinationSlot> = None,
    }

    pub const CODE = sys::IORING_OP_PIPE;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.addr = ptr(self.fds);
        f.op_flags = self.flags as u32;
        f.file_index = slot(self.file_index);
        f.sqe()
    }
}

no_memory!(
    Fsync,
    SyncFileRange,
    Fallocate,
    Fadvise,
    Ftruncate,
    FixedFdInstall
);
