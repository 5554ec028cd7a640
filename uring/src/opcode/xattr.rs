//! Extended attributes: `FGETXATTR`, `FSETXATTR`, `GETXATTR`, `SETXATTR`.

use libc::c_char;
use uring_sys as sys;

use super::{Fields, opcode, ptr};
use crate::squeue::Sqe;
use crate::types::{Target, XattrFlags};

opcode! {
    /// `fgetxattr(fd, name, value, len)` — read an extended attribute of an open file.
    ///
    /// Equivalent to `fgetxattr(2)`. Linux 5.19+. `cqe->res` is the value's length.
    ///
    /// # Memory
    ///
    /// The kernel reads `name` and writes up to `len` bytes at `value` until the CQE.
    ///
    /// # References
    ///
    /// - [`fgetxattr(2)`](https://man7.org/linux/man-pages/man2/fgetxattr.2.html)
    #[doc(alias = "IORING_OP_FGETXATTR")]
    #[doc(alias = "io_uring_prep_fgetxattr")]
    pub struct FGetXattr {
        fd: { impl Target },
        name: { *const c_char },
        value: { *mut u8 },
        len: { u32 },
        ;;
    }

    pub const CODE = sys::IORING_OP_FGETXATTR;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = ptr(self.name);
        f.off = ptr(self.value);
        f.len = self.len;
        f.sqe()
    }
}

opcode! {
    /// `fsetxattr(fd, name, value, len, flags)` — set an extended attribute of an open file.
    ///
    /// Equivalent to `fsetxattr(2)`. Linux 5.19+.
    ///
    /// # Memory
    ///
    /// The kernel reads `name` and `len` bytes at `value` until the CQE.
    ///
    /// # References
    ///
    /// - [`fsetxattr(2)`](https://man7.org/linux/man-pages/man2/fsetxattr.2.html)
    #[doc(alias = "IORING_OP_FSETXATTR")]
    #[doc(alias = "io_uring_prep_fsetxattr")]
    pub struct FSetXattr {
        fd: { impl Target },
        name: { *const c_char },
        value: { *const u8 },
        len: { u32 },
        ;;
        /// `XATTR_*` flags.
        flags: XattrFlags = XattrFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_FSETXATTR;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = ptr(self.name);
        f.off = ptr(self.value);
        f.len = self.len;
        f.op_flags = self.flags.bits();
        f.sqe()
    }
}

opcode! {
    /// `getxattr(path, name, value, len)` — read an extended attribute by path.
    ///
    /// Equivalent to `getxattr(2)`. Linux 5.19+. `cqe->res` is the value's length.
    ///
    /// # Memory
    ///
    /// The kernel reads `path` and `name` and writes up to `len` bytes at `value` until the
    /// CQE.
    ///
    /// # References
    ///
    /// - [`getxattr(2)`](https://man7.org/linux/man-pages/man2/getxattr.2.html)
    #[doc(alias = "IORING_OP_GETXATTR")]
    #[doc(alias = "io_uring_prep_getxattr")]
    pub struct GetXattr {
        path: { *const c_char },
        name: { *const c_char },
        value: { *mut u8 },
        len: { u32 },
        ;;
    }

    pub const CODE = sys::IORING_OP_GETXATTR;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.addr = ptr(self.name);
        f.off = ptr(self.value);
        f.addr3 = ptr(self.path);
        f.len = self.len;
        f.sqe()
    }
}

opcode! {
    /// `setxattr(path, name, value, len, flags)` — set an extended attribute by path.
    ///
    /// Equivalent to `setxattr(2)`. Linux 5.19+.
    ///
    /// # Memory
    ///
    /// The kernel reads `path`, `name` and `len` bytes at `value` until the CQE.
    ///
    /// # References
    ///
    /// - [`setxattr(2)`](https://man7.org/linux/man-pages/man2/setxattr.2.html)
    #[doc(alias = "IORING_OP_SETXATTR")]
    #[doc(alias = "io_uring_prep_setxattr")]
    pub struct SetXattr {
        path: { *const c_char },
        name: { *const c_char },
        value: { *const u8 },
        len: { u32 },
        ;;
        /// `XATTR_*` flags.
        flags: XattrFlags = XattrFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_SETXATTR;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.addr = ptr(self.name);
        f.off = ptr(self.value);
        f.addr3 = ptr(self.path);
        f.len = self.len;
        f.op_flags = self.flags.bits();
        f.sqe()
    }
}
