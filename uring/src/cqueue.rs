//! The completion queue and its entries.

use core::fmt;
use std::io;

use uring_sys as sys;

bitflags::bitflags! {
    /// `IORING_CQE_F_*`: the flags the kernel writes into `cqe->flags`.
    ///
    /// The upper 16 bits hold a buffer id when [`CqeFlags::BUFFER`] is set; see
    /// [`Cqe::buffer_id`]. Unknown bits are kept.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct CqeFlags: u32 {
        /// `IORING_CQE_F_BUFFER`: the upper 16 bits are the id of the buffer used.
        const BUFFER = sys::IORING_CQE_F_BUFFER;
        /// `IORING_CQE_F_MORE`: the request (multishot) will post more CQEs.
        const MORE = sys::IORING_CQE_F_MORE;
        /// `IORING_CQE_F_SOCK_NONEMPTY`: more data was waiting in the socket after this receive.
        const SOCK_NONEMPTY = sys::IORING_CQE_F_SOCK_NONEMPTY;
        /// `IORING_CQE_F_NOTIF`: a zero-copy send's notification: the buffer is free again.
        const NOTIF = sys::IORING_CQE_F_NOTIF;
        /// `IORING_CQE_F_BUF_MORE`: the incrementally consumed buffer has room left.
        const BUF_MORE = sys::IORING_CQE_F_BUF_MORE;
        /// `IORING_CQE_F_SKIP`: a padding CQE on a mixed-size CQ; skip it.
        const SKIP = sys::IORING_CQE_F_SKIP;
        /// `IORING_CQE_F_32`: this CQE is 32 bytes on a mixed-size CQ.
        const CQE32 = sys::IORING_CQE_F_32;
        const _ = !0;
    }
}

/// One 16-byte completion queue entry, `struct io_uring_cqe`.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct Cqe(pub(crate) sys::io_uring_cqe);

impl Cqe {
    /// Wraps a raw CQE.
    #[inline]
    pub const fn from_raw(raw: sys::io_uring_cqe) -> Self {
        Cqe(raw)
    }

    /// The raw CQE.
    #[inline]
    pub const fn as_raw(&self) -> &sys::io_uring_cqe {
        &self.0
    }

    /// The `user_data` of the SQE this completes.
    #[inline]
    pub const fn user_data(&self) -> u64 {
        self.0.user_data
    }

    /// `cqe->res` as the kernel wrote it: a result `>= 0` or a negated errno.
    #[inline]
    pub const fn res(&self) -> i32 {
        self.0.res
    }

    /// `cqe->flags`.
    #[inline]
    pub const fn flags(&self) -> CqeFlags {
        CqeFlags::from_bits_retain(self.0.flags)
    }

    /// `res` as a result: `Ok(res)` when `res >= 0`, else the errno as an [`io::Error`].
    #[inline]
    pub fn result(&self) -> io::Result<u32> {
        let res = self.0.res;
        if res >= 0 {
            Ok(res as u32)
        } else {
            // `res` is in -4095..0 for every kernel error; `wrapping_neg` keeps even a
            // hostile `i32::MIN` from overflowing.
            Err(io::Error::from_raw_os_error(res.wrapping_neg()))
        }
    }

    /// The id of the provided buffer the kernel picked, when `IORING_CQE_F_BUFFER` is set.
    #[inline]
    pub const fn buffer_id(&self) -> Option<u16> {
        if self.0.flags & sys::IORING_CQE_F_BUFFER != 0 {
            Some((self.0.flags >> sys::IORING_CQE_BUFFER_SHIFT) as u16)
        } else {
            None
        }
    }

    /// `IORING_CQE_F_MORE`: a multishot request will post more CQEs after this one.
    #[inline]
    pub const fn has_more(&self) -> bool {
        self.0.flags & sys::IORING_CQE_F_MORE != 0
    }

    /// `IORING_CQE_F_NOTIF`: this is a zero-copy send's notification CQE.
    #[inline]
    pub const fn is_notif(&self) -> bool {
        self.0.flags & sys::IORING_CQE_F_NOTIF != 0
    }

    /// `IORING_CQE_F_SOCK_NONEMPTY`: the socket still had data after this receive.
    #[inline]
    pub const fn sock_nonempty(&self) -> bool {
        self.0.flags & sys::IORING_CQE_F_SOCK_NONEMPTY != 0
    }

    /// `IORING_CQE_F_BUF_MORE`: the incrementally consumed buffer is not used up yet.
    #[inline]
    pub const fn buf_more(&self) -> bool {
        self.0.flags & sys::IORING_CQE_F_BUF_MORE != 0
    }
}

impl fmt::Debug for Cqe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cqe")
            .field("user_data", &self.0.user_data)
            .field("res", &self.0.res)
            .field("flags", &self.flags())
            .finish()
    }
}

/// One 32-byte completion queue entry (an `IORING_SETUP_CQE32` ring): a [`Cqe`] and the
/// 16 bytes of `big_cqe`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Cqe32 {
    /// The first 16 bytes: the ordinary CQE.
    pub cqe: Cqe,
    /// `cqe->big_cqe[0..2]`.
    pub big_cqe: [u64; 2],
}

impl fmt::Debug for Cqe32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cqe32")
            .field("cqe", &self.cqe)
            .field("big_cqe", &self.big_cqe)
            .finish()
    }
}

const _: () = assert!(core::mem::size_of::<Cqe>() == 16);
const _: () = assert!(core::mem::size_of::<Cqe32>() == 32);
