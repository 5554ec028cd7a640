//! The submission queue and its entries.

use core::fmt;

use uring_sys as sys;

bitflags::bitflags! {
    /// `IOSQE_*`: the flags every SQE carries in `sqe->flags`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SqeFlags: u8 {
        /// `IOSQE_FIXED_FILE`: `fd` is an index into the registered file table.
        const FIXED_FILE = sys::IOSQE_FIXED_FILE;
        /// `IOSQE_IO_DRAIN`: issue only after every earlier SQE has completed.
        ///
        /// Do not mix with `CQE_SKIP_SUCCESS` on one ring. The kernel refuses a DRAIN after a
        /// SKIP (`EOPNOTSUPP`) but accepts a SKIP after a DRAIN, and then a drained request can
        /// wait forever for the skipped CQE, out of reach of any cancel (found by
        /// `fuzz/raw_sqe` on Linux 6.18).
        const IO_DRAIN = sys::IOSQE_IO_DRAIN;
        /// `IOSQE_IO_LINK`: the next SQE starts only after this one succeeds.
        const IO_LINK = sys::IOSQE_IO_LINK;
        /// `IOSQE_IO_HARDLINK`: like `IO_LINK`, but the chain goes on after a failure.
        const IO_HARDLINK = sys::IOSQE_IO_HARDLINK;
        /// `IOSQE_ASYNC`: always punt to the io-wq workers.
        const ASYNC = sys::IOSQE_ASYNC;
        /// `IOSQE_BUFFER_SELECT`: take a buffer from the group in `buf_group`.
        const BUFFER_SELECT = sys::IOSQE_BUFFER_SELECT;
        /// `IOSQE_CQE_SKIP_SUCCESS`: post no CQE if the request succeeds. Not with `IO_DRAIN`
        /// on the same ring (see there). Linux 5.17+.
        const CQE_SKIP_SUCCESS = sys::IOSQE_CQE_SKIP_SUCCESS;
        // Bits a newer kernel may define are kept, not dropped.
        const _ = !0;
    }
}

/// One 64-byte submission queue entry, `struct io_uring_sqe`.
///
/// Building an `Sqe` is safe; it only describes an operation. Pushing one onto a ring is
/// `unsafe` on the raw path, because the kernel dereferences the pointers it carries.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct Sqe(pub(crate) sys::io_uring_sqe);

impl Sqe {
    /// An all-zero SQE with `opcode` set (an `IORING_OP_*` value).
    #[inline]
    pub const fn new(opcode: u8) -> Self {
        let mut sqe = sys::io_uring_sqe::zeroed();
        sqe.opcode = opcode;
        Sqe(sqe)
    }

    /// Wraps a raw SQE as it is.
    ///
    /// Bytes the raw SQE leaves uninitialised (a union literal that sets a member smaller
    /// than its union) stay so: the crate copies them into the ring as they are and never
    /// reads them as integers (the kernel sees whatever the stack held there). Start from
    /// [`io_uring_sqe::zeroed`](sys::io_uring_sqe::zeroed) to send zeros.
    #[inline]
    pub const fn from_raw(raw: sys::io_uring_sqe) -> Self {
        Sqe(raw)
    }

    /// The raw SQE.
    #[inline]
    pub const fn as_raw(&self) -> &sys::io_uring_sqe {
        &self.0
    }

    /// The raw SQE, for setting fields no builder knows yet.
    #[inline]
    pub const fn as_raw_mut(&mut self) -> &mut sys::io_uring_sqe {
        &mut self.0
    }

    /// Unwraps the raw SQE.
    #[inline]
    pub const fn into_raw(self) -> sys::io_uring_sqe {
        self.0
    }

    /// Sets `user_data`, the value the completion carries back.
    #[inline]
    #[must_use]
    pub const fn user_data(mut self, user_data: u64) -> Self {
        self.0.user_data = user_data;
        self
    }

    /// ORs `flags` into `sqe->flags`.
    #[inline]
    #[must_use]
    pub const fn flags(mut self, flags: SqeFlags) -> Self {
        self.0.flags |= flags.bits();
        self
    }

    /// Sets the personality registered with `IORING_REGISTER_PERSONALITY` to issue this as.
    #[inline]
    #[must_use]
    pub const fn personality(mut self, personality: u16) -> Self {
        self.0.personality = personality;
        self
    }

    /// The `IORING_OP_*` opcode.
    #[inline]
    pub const fn opcode(&self) -> u8 {
        self.0.opcode
    }

    /// The `user_data` set so far.
    #[inline]
    pub const fn get_user_data(&self) -> u64 {
        self.0.user_data
    }

    /// The `IOSQE_*` flags set so far.
    #[inline]
    pub const fn get_flags(&self) -> SqeFlags {
        SqeFlags::from_bits_retain(self.0.flags)
    }

    /// Sets `sqe->flags` to exactly `flags`.
    #[inline]
    pub const fn set_flags(&mut self, flags: SqeFlags) {
        self.0.flags = flags.bits();
    }
}

impl fmt::Debug for Sqe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = self.0.opcode;
        let mut d = f.debug_struct("Sqe");
        match crate::opcode::table::name(op) {
            Some(name) => d.field("opcode", &name),
            None => d.field("opcode", &op),
        };
        d.field("flags", &self.get_flags())
            .field("fd", &self.0.fd)
            .field("len", &self.0.len)
            .field("user_data", &self.0.user_data)
            .finish_non_exhaustive()
    }
}

/// One 128-byte submission queue entry: an [`Sqe`] followed by 64 more bytes of command data
/// (`sqe->cmd` runs on into them). Only an `IORING_SETUP_SQE128` ring (or, for the `*128`
/// opcodes, an `IORING_SETUP_SQE_MIXED` ring) accepts it.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Sqe128 {
    /// The first 64 bytes: the ordinary SQE.
    pub sqe: Sqe,
    /// Bytes 64..128: the rest of the command area.
    pub ext: [u8; 64],
}

impl Sqe128 {
    /// An all-zero 128-byte SQE with `opcode` set.
    #[inline]
    pub const fn new(opcode: u8) -> Self {
        Sqe128 {
            sqe: Sqe::new(opcode),
            ext: [0; 64],
        }
    }

    /// The 80 bytes of `sqe->cmd` (offset 48 to 128).
    #[inline]
    pub fn cmd(&self) -> &[u8; 80] {
        // SAFETY: `Sqe128` is `repr(C)` with no padding (64 + 64 bytes, align 8), `cmd` starts
        // at byte 48 of the SQE, and 48 + 80 = 128 is the size of `Self`; `[u8; 80]` has
        // alignment 1 and every bit pattern is a valid `u8`.
        unsafe {
            &*(self as *const Self)
                .cast::<u8>()
                .add(48)
                .cast::<[u8; 80]>()
        }
    }

    /// The 80 bytes of `sqe->cmd`, for writing a command.
    #[inline]
    pub fn cmd_mut(&mut self) -> &mut [u8; 80] {
        // SAFETY: as in `cmd`, and the borrow is unique because `self` is.
        unsafe { &mut *(self as *mut Self).cast::<u8>().add(48).cast::<[u8; 80]>() }
    }
}

impl From<Sqe> for Sqe128 {
    #[inline]
    fn from(sqe: Sqe) -> Self {
        Sqe128 { sqe, ext: [0; 64] }
    }
}

impl fmt::Debug for Sqe128 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sqe128")
            .field("sqe", &self.sqe)
            .finish_non_exhaustive()
    }
}

const _: () = assert!(core::mem::size_of::<Sqe>() == 64);
const _: () = assert!(core::mem::size_of::<Sqe128>() == 128);
const _: () = assert!(core::mem::align_of::<Sqe128>() == 8);
