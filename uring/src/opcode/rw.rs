//! Reads and writes: `READ`, `WRITE`, their vectored and registered-buffer forms, multishot
//! read, `SPLICE` and `TEE`.

use uring_sys as sys;

use super::{Fields, no_memory, opcode, ptr};
use crate::squeue::{Sqe, SqeFlags};
use crate::types::{RwFlags, SpliceFlags, Target};

/// Sets buffer selection from group `g` when `Some`.
#[inline]
const fn buffer_select(mut f: Fields, group: Option<u16>) -> Fields {
    if let Some(g) = group {
        f.flags |= SqeFlags::BUFFER_SELECT.bits();
        f.buf_index = g;
    }
    f
}

opcode! {
    /// `preadv2(fd, iov, len, offset, rw_flags)` — vectored read.
    ///
    /// Equivalent to `preadv2(2)`. Linux 5.1+. `cqe->res` is the number of bytes read.
    ///
    /// `offset` `u64::MAX` (-1) reads at, and advances, the file position.
    ///
    /// # Memory
    ///
    /// The kernel reads the `len` iovecs at `iovec` (possibly after submission, when the
    /// request goes async) and writes into the buffers they describe until the CQE arrives.
    ///
    /// # References
    ///
    /// - [`preadv2(2)`](https://man7.org/linux/man-pages/man2/preadv2.2.html)
    #[doc(alias = "IORING_OP_READV")]
    #[doc(alias = "io_uring_prep_readv2")]
    pub struct Readv {
        fd: { impl Target },
        iovec: { *const libc::iovec },
        len: { u32 },
        ;;
        /// The file offset to read at.
        offset: u64 = 0,
        /// `sqe->ioprio`: the I/O priority (`ioprio_set(2)` encoding).
        ioprio: u16 = 0,
        /// `RWF_*` flags.
        rw_flags: RwFlags = RwFlags::empty(),
        /// Take the buffer from this provided-buffer group (`IOSQE_BUFFER_SELECT`); `iovec`
        /// then must describe one iovec whose length caps the read.
        buffer_select: Option<u16> = None,
    }

    pub const CODE = sys::IORING_OP_READV;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = ptr(self.iovec);
        f.len = self.len;
        f.off = self.offset;
        f.ioprio = self.ioprio;
        f.op_flags = self.rw_flags.bits();
        buffer_select(f, self.buffer_select).sqe()
    }
}

opcode! {
    /// `pwritev2(fd, iov, len, offset, rw_flags)` — vectored write.
    ///
    /// Equivalent to `pwritev2(2)`. Linux 5.1+. `cqe->res` is the number of bytes written.
    ///
    /// # Memory
    ///
    /// The kernel reads the iovecs and the buffers they describe until the CQE arrives.
    ///
    /// # References
    ///
    /// - [`pwritev2(2)`](https://man7.org/linux/man-pages/man2/pwritev2.2.html)
    #[doc(alias = "IORING_OP_WRITEV")]
    #[doc(alias = "io_uring_prep_writev2")]
    pub struct Writev {
        fd: { impl Target },
        iovec: { *const libc::iovec },
        len: { u32 },
        ;;
        /// The file offset to write at (`u64::MAX`: the file position).
        offset: u64 = 0,
        /// `sqe->ioprio`.
        ioprio: u16 = 0,
        /// `RWF_*` flags.
        rw_flags: RwFlags = RwFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_WRITEV;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = ptr(self.iovec);
        f.len = self.len;
        f.off = self.offset;
        f.ioprio = self.ioprio;
        f.op_flags = self.rw_flags.bits();
        f.sqe()
    }
}

opcode! {
    /// `pread(fd, buf, len, offset)` from a registered buffer.
    ///
    /// Equivalent to `pread(2)` into buffer `buf_index` of the table registered with
    /// `IORING_REGISTER_BUFFERS`; `buf..buf + len` must lie inside that buffer. Linux 5.1+.
    ///
    /// # Memory
    ///
    /// The kernel writes `len` bytes at `buf` (inside the registered buffer) until the CQE.
    ///
    /// # References
    ///
    /// - [`pread(2)`](https://man7.org/linux/man-pages/man2/pread.2.html)
    #[doc(alias = "IORING_OP_READ_FIXED")]
    #[doc(alias = "io_uring_prep_read_fixed")]
    pub struct ReadFixed {
        fd: { impl Target },
        buf: { *mut u8 },
        len: { u32 },
        buf_index: { u16 },
        ;;
        /// The file offset (`u64::MAX`: the file position).
        offset: u64 = 0,
        /// `sqe->ioprio`.
        ioprio: u16 = 0,
        /// `RWF_*` flags.
        rw_flags: RwFlags = RwFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_READ_FIXED;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = ptr(self.buf);
        f.len = self.len;
        f.off = self.offset;
        f.ioprio = self.ioprio;
        f.op_flags = self.rw_flags.bits();
        f.buf_index = self.buf_index;
        f.sqe()
    }
}

opcode! {
    /// `pwrite(fd, buf, len, offset)` from a registered buffer.
    ///
    /// Equivalent to `pwrite(2)` from buffer `buf_index` of the registered table. Linux 5.1+.
    ///
    /// # Memory
    ///
    /// The kernel reads `len` bytes at `buf` (inside the registered buffer) until the CQE.
    ///
    /// # References
    ///
    /// - [`pwrite(2)`](https://man7.org/linux/man-pages/man2/pwrite.2.html)
    #[doc(alias = "IORING_OP_WRITE_FIXED")]
    #[doc(alias = "io_uring_prep_write_fixed")]
    pub struct WriteFixed {
        fd: { impl Target },
        buf: { *const u8 },
        len: { u32 },
        buf_index: { u16 },
        ;;
        /// The file offset (`u64::MAX`: the file position).
        offset: u64 = 0,
        /// `sqe->ioprio`.
        ioprio: u16 = 0,
        /// `RWF_*` flags.
        rw_flags: RwFlags = RwFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_WRITE_FIXED;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = ptr(self.buf);
        f.len = self.len;
        f.off = self.offset;
        f.ioprio = self.ioprio;
        f.op_flags = self.rw_flags.bits();
        f.buf_index = self.buf_index;
        f.sqe()
    }
}

opcode! {
    /// `pread(fd, buf, len, offset)` — read.
    ///
    /// Equivalent to `pread(2)` (`read(2)` with offset `u64::MAX`). Linux 5.6+.
    /// `cqe->res` is the number of bytes read.
    ///
    /// With [`buffer_select`](Self::buffer_select) the kernel picks a buffer from a
    /// provided-buffer group (`buf` is then ignored, `len` caps the read) and reports its id
    /// in the CQE ([`Cqe::buffer_id`](crate::Cqe::buffer_id)).
    ///
    /// # Memory
    ///
    /// The kernel writes up to `len` bytes at `buf` until the CQE arrives.
    ///
    /// # References
    ///
    /// - [`pread(2)`](https://man7.org/linux/man-pages/man2/pread.2.html)
    #[doc(alias = "IORING_OP_READ")]
    #[doc(alias = "io_uring_prep_read")]
    pub struct Read {
        fd: { impl Target },
        buf: { *mut u8 },
        len: { u32 },
        ;;
        /// The file offset (`u64::MAX`: the file position).
        offset: u64 = 0,
        /// `sqe->ioprio`.
        ioprio: u16 = 0,
        /// `RWF_*` flags.
        rw_flags: RwFlags = RwFlags::empty(),
        /// Take the buffer from this provided-buffer group (`IOSQE_BUFFER_SELECT`).
        buffer_select: Option<u16> = None,
    }

    pub const CODE = sys::IORING_OP_READ;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = ptr(self.buf);
        f.len = self.len;
        f.off = self.offset;
        f.ioprio = self.ioprio;
        f.op_flags = self.rw_flags.bits();
        buffer_select(f, self.buffer_select).sqe()
    }
}

opcode! {
    /// `pwrite(fd, buf, len, offset)` — write.
    ///
    /// Equivalent to `pwrite(2)` (`write(2)` with offset `u64::MAX`). Linux 5.6+.
    /// `cqe->res` is the number of bytes written.
    ///
    /// # Memory
    ///
    /// The kernel reads `len` bytes at `buf` until the CQE arrives.
    ///
    /// # References
    ///
    /// - [`pwrite(2)`](https://man7.org/linux/man-pages/man2/pwrite.2.html)
    #[doc(alias = "IORING_OP_WRITE")]
    #[doc(alias = "io_uring_prep_write")]
    pub struct Write {
        fd: { impl Target },
        buf: { *const u8 },
        len: { u32 },
        ;;
        /// The file offset (`u64::MAX`: the file position).
        offset: u64 = 0,
        /// `sqe->ioprio`.
        ioprio: u16 = 0,
        /// `RWF_*` flags.
        rw_flags: RwFlags = RwFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_WRITE;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = ptr(self.buf);
        f.len = self.len;
        f.off = self.offset;
        f.ioprio = self.ioprio;
        f.op_flags = self.rw_flags.bits();
        f.sqe()
    }
}

opcode! {
    /// Multishot read: one CQE per chunk read, each in a buffer from group `buf_group`.
    ///
    /// Like `read(2)` repeated while data comes, for pollable files (pipes, sockets, eventfd,
    /// ...). Each CQE carries `F_BUFFER` with the buffer id and `F_MORE` while the request
    /// stays armed. Linux 6.7+.
    ///
    /// # Memory
    ///
    /// No pointer in the SQE; the kernel writes into the provided buffers of `buf_group`,
    /// which must stay valid while the request is armed.
    ///
    /// # References
    ///
    /// - [`read(2)`](https://man7.org/linux/man-pages/man2/read.2.html)
    #[doc(alias = "IORING_OP_READ_MULTISHOT")]
    #[doc(alias = "io_uring_prep_read_multishot")]
    pub struct ReadMulti {
        fd: { impl Target },
        buf_group: { u16 },
        ;;
        /// Caps each read (0: the buffer's size).
        len: u32 = 0,
        /// The file offset (0 or `u64::MAX` for non-seekable files).
        offset: u64 = 0,
        /// `sqe->ioprio`.
        ioprio: u16 = 0,
    }

    pub const CODE = sys::IORING_OP_READ_MULTISHOT;

    /// The SQE (with `IOSQE_BUFFER_SELECT` set).
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.len = self.len;
        f.off = self.offset;
        f.ioprio = self.ioprio;
        buffer_select(f, Some(self.buf_group)).sqe()
    }
}

opcode! {
    /// `preadv2` into registered buffer `buf_index`: the iovecs must lie inside it.
    ///
    /// Equivalent to `preadv2(2)` with a registered buffer. Linux 6.15+.
    ///
    /// # Memory
    ///
    /// The kernel reads the iovecs and writes into the buffers they describe until the CQE.
    ///
    /// # References
    ///
    /// - [`preadv2(2)`](https://man7.org/linux/man-pages/man2/preadv2.2.html)
    #[doc(alias = "IORING_OP_READV_FIXED")]
    #[doc(alias = "io_uring_prep_readv_fixed")]
    pub struct ReadvFixed {
        fd: { impl Target },
        iovec: { *const libc::iovec },
        len: { u32 },
        buf_index: { u16 },
        ;;
        /// The file offset.
        offset: u64 = 0,
        /// `sqe->ioprio`.
        ioprio: u16 = 0,
        /// `RWF_*` flags.
        rw_flags: RwFlags = RwFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_READV_FIXED;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = ptr(self.iovec);
        f.len = self.len;
        f.off = self.offset;
        f.ioprio = self.ioprio;
        f.op_flags = self.rw_flags.bits();
        f.buf_index = self.buf_index;
        f.sqe()
    }
}

opcode! {
    /// `pwritev2` from registered buffer `buf_index`: the iovecs must lie inside it.
    ///
    /// Equivalent to `pwritev2(2)` with a registered buffer. Linux 6.15+.
    ///
    /// # Memory
    ///
    /// The kernel reads the iovecs and the buffers they describe until the CQE.
    ///
    /// # References
    ///
    /// - [`pwritev2(2)`](https://man7.org/linux/man-pages/man2/pwritev2.2.html)
    #[doc(alias = "IORING_OP_WRITEV_FIXED")]
    #[doc(alias = "io_uring_prep_writev_fixed")]
    pub struct WritevFixed {
        fd: { impl Target },
        iovec: { *const libc::iovec },
        len: { u32 },
        buf_index: { u16 },
        ;;
        /// The file offset.
        offset: u64 = 0,
        /// `sqe->ioprio`.
        ioprio: u16 = 0,
        /// `RWF_*` flags.
        rw_flags: RwFlags = RwFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_WRITEV_FIXED;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = ptr(self.iovec);
        f.len = self.len;
        f.off = self.offset;
        f.ioprio = self.ioprio;
        f.op_flags = self.rw_flags.bits();
        f.buf_index = self.buf_index;
        f.sqe()
    }
}

opcode! {
    /// `splice(fd_in, off_in, fd_out, off_out, len, flags)` — move data through a pipe.
    ///
    /// Equivalent to `splice(2)`. Linux 5.7+. One of the two files must be a pipe; an offset
    /// of `-1` means "no offset" (required for the pipe side). `cqe->res` is the number of
    /// bytes moved. A [`Fixed`](crate::types::Fixed) input sets `SPLICE_F_FD_IN_FIXED`.
    ///
    /// # Memory
    ///
    /// None: the SQE carries no pointer.
    ///
    /// # References
    ///
    /// - [`splice(2)`](https://man7.org/linux/man-pages/man2/splice.2.html)
    #[doc(alias = "IORING_OP_SPLICE")]
    #[doc(alias = "io_uring_prep_splice")]
    pub struct Splice {
        fd_in: { impl Target },
        off_in: { i64 },
        fd_out: { impl Target },
        off_out: { i64 },
        len: { u32 },
        ;;
        /// `SPLICE_F_*` flags.
        flags: SpliceFlags = SpliceFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_SPLICE;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd_out);
        f.len = self.len;
        f.off = self.off_out as u64;
        f.addr = self.off_in as u64;
        f.file_index = self.fd_in.fd as u32;
        let mut flags = self.flags.bits();
        if self.fd_in.fixed {
            flags |= SpliceFlags::FD_IN_FIXED.bits();
        }
        f.op_flags = flags;
        f.sqe()
    }
}

opcode! {
    /// `tee(fd_in, fd_out, len, flags)` — duplicate pipe data.
    ///
    /// Equivalent to `tee(2)`. Linux 5.8+. Both files are pipes; `cqe->res` is the number of
    /// bytes duplicated.
    ///
    /// # Memory
    ///
    /// None: the SQE carries no pointer.
    ///
    /// # References
    ///
    /// - [`tee(2)`](https://man7.org/linux/man-pages/man2/tee.2.html)
    #[doc(alias = "IORING_OP_TEE")]
    #[doc(alias = "io_uring_prep_tee")]
    pub struct Tee {
        fd_in: { impl Target },
        fd_out: { impl Target },
        len: { u32 },
        ;;
        /// `SPLICE_F_*` flags.
        flags: SpliceFlags = SpliceFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_TEE;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd_out);
        f.len = self.len;
        f.file_index = self.fd_in.fd as u32;
        let mut flags = self.flags.bits();
        if self.fd_in.fixed {
            flags |= SpliceFlags::FD_IN_FIXED.bits();
        }
        f.op_flags = flags;
        f.sqe()
    }
}

no_memory!(Splice, Tee);
