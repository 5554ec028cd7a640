//! Typed builders, one per `IORING_OP_*` opcode.
//!
//! Each builder is a plain struct: the fields an op cannot do without are the arguments of
//! `new`, the optional ones have `const fn` setters, and `build()` turns it into an [`Sqe`]
//! (or an [`Sqe128`] for the two 128-byte ops). The options every SQE has (`user_data`,
//! `IOSQE_*` flags such as link or drain, personality) are set on the built [`Sqe`].
//!
//! ```
//! use uring::opcode::Read;
//! use uring::types::Fd;
//!
//! let mut buf = [0u8; 64];
//! let sqe = Read::new(Fd(0), buf.as_mut_ptr(), buf.len() as u32)
//!     .offset(0)
//!     .build()
//!     .user_data(7);
//! assert_eq!(sqe.get_user_data(), 7);
//! ```
//!
//! Pushing one onto a ring (the raw path) and reading its completion:
//!
//! ```
//! use std::os::fd::AsRawFd;
//! use uring::opcode::Write;
//! use uring::types::Fd;
//! use uring::Ring;
//!
//! # fn main() -> std::io::Result<()> {
//! let file = std::fs::OpenOptions::new().write(true).open("/dev/null")?;
//! let mut ring = Ring::new(8)?;
//! let data = b"hello";
//! let sqe = Write::new(Fd(file.as_raw_fd()), data.as_ptr(), data.len() as u32)
//!     .build()
//!     .user_data(1);
//! // SAFETY: `data` and `file` outlive the request: its completion is reaped below.
//! unsafe { ring.push(&sqe)? };
//! ring.submit_and_wait(1)?;
//! let cqe = ring.cq().next().expect("one completion");
//! assert_eq!((cqe.user_data(), cqe.result()?), (1, 5));
//! # Ok(())
//! # }
//! ```
//!
//! # Memory
//!
//! Builders take raw pointers (`*mut u8`, `*const libc::iovec`, ...). Building is safe: it
//! only copies the address into the SQE. Pushing the SQE onto a ring is the `unsafe` step,
//! and its contract is the builder's "Memory" paragraph: every pointer must stay valid (and,
//! for memory the kernel writes, not otherwise accessed) until the request's final CQE. The
//! ops that carry no pointer the kernel dereferences implement [`NoMemory`].
//!
//! # Fixed files and direct descriptors
//!
//! An op's file is an [`Fd`](crate::types::Fd) or a registered
//! [`Fixed`](crate::types::Fixed) slot (which sets `IOSQE_FIXED_FILE`). Ops that create a file
//! can put it straight into the registered table with a
//! [`DestinationSlot`](crate::types::DestinationSlot).

use uring_sys as sys;

use crate::squeue::{Sqe, Sqe128, SqeFlags};
use crate::types::RawTarget;

pub mod table;

mod buf;
mod cmd;
mod fs;
mod futex;
mod misc;
mod net;
mod poll;
mod rw;
mod timeout;
mod xattr;

pub use buf::*;
pub use cmd::*;
pub use fs::*;
pub use futex::*;
pub use misc::*;
pub use net::*;
pub use poll::*;
pub use rw::*;
pub use timeout::*;
pub use xattr::*;

/// Builders whose SQE carries no user-memory pointer the kernel dereferences: after the SQE is
/// copied into the ring, the kernel touches no memory of this process on the request's behalf.
///
/// The exact rule, both parts:
///
/// 1. every SQE field the op reads is a number (fd, offset, length, flags, a `user_data` to
///    match), never an address the kernel reads from or writes to, at submission or later;
/// 2. the op posts no CQE but its own: it cannot make the kernel post a completion carrying a
///    `user_data` (or flags) of the caller's choosing other than the SQE's own `user_data`.
///    That excludes `MSG_RING` (it posts a CQE with any `user_data` on a target ring, maybe
///    this one) and the poll update form (it rewrites an armed poll's `user_data`): either
///    could forge the completion of another request, and a layer that frees a buffer on its
///    completion would free it while the kernel still writes into it.
///
/// Such an SQE can be pushed from safe code without tracking any buffer, which is what the
/// ownership layer uses this marker for; its own `user_data` must still be checked against the
/// values the layer reserves.
///
/// This trait is about memory only: [`Close`] is not one (closing an fd number one does not own
/// breaks I/O safety). It is sealed: only this crate's builders implement it. Setting
/// `IOSQE_BUFFER_SELECT` on the built SQE does not change it: none of these ops accepts buffer
/// selection, and the kernel fails such a request with `EOPNOTSUPP`/`EINVAL` before issuing it.
pub trait NoMemory: sealed::Sealed {}

mod sealed {
    /// Keeps [`super::NoMemory`] closed.
    pub trait Sealed {}
}

/// The SQE's fields with the unions resolved to the member every opcode shares the offset of.
/// Built and read by `transmute`, which keeps the builders `const` and independent of how the
/// raw crate names its unions; the offsets are the uapi's and are checked below.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fields {
    pub(crate) opcode: u8,
    pub(crate) flags: u8,
    pub(crate) ioprio: u16,
    pub(crate) fd: i32,
    /// `off` / `addr2` / `cmd_op` + `__pad1`.
    pub(crate) off: u64,
    /// `addr` / `splice_off_in` / `level` + `optname`.
    pub(crate) addr: u64,
    pub(crate) len: u32,
    /// The per-op flags union (`rw_flags`, `timeout_flags`, ...).
    pub(crate) op_flags: u32,
    pub(crate) user_data: u64,
    /// `buf_index` / `buf_group`.
    pub(crate) buf_index: u16,
    pub(crate) personality: u16,
    /// `splice_fd_in` / `file_index` / `zcrx_ifq_idx` / `optlen` / `addr_len` + `__pad3`.
    pub(crate) file_index: u32,
    /// `addr3` / `attr_ptr` / `optval` / the first 8 bytes of `cmd`.
    pub(crate) addr3: u64,
    /// `__pad2[0]` / `attr_type_mask` / bytes 8..16 of `cmd`.
    pub(crate) pad2: u64,
}

const _: () = {
    use core::mem::{align_of, offset_of, size_of};
    assert!(size_of::<Fields>() == size_of::<sys::io_uring_sqe>());
    assert!(align_of::<Fields>() == align_of::<sys::io_uring_sqe>());
    assert!(offset_of!(Fields, opcode) == offset_of!(sys::io_uring_sqe, opcode));
    assert!(offset_of!(Fields, flags) == offset_of!(sys::io_uring_sqe, flags));
    assert!(offset_of!(Fields, ioprio) == offset_of!(sys::io_uring_sqe, ioprio));
    assert!(offset_of!(Fields, fd) == offset_of!(sys::io_uring_sqe, fd));
    assert!(offset_of!(Fields, len) == offset_of!(sys::io_uring_sqe, len));
    assert!(offset_of!(Fields, user_data) == offset_of!(sys::io_uring_sqe, user_data));
    assert!(offset_of!(Fields, personality) == offset_of!(sys::io_uring_sqe, personality));
    // The union members, at their uapi offsets and where the raw crate puts its unions.
    assert!(offset_of!(Fields, off) == 8);
    assert!(offset_of!(Fields, off) == offset_of!(sys::io_uring_sqe, off_union));
    assert!(offset_of!(Fields, addr) == 16);
    assert!(offset_of!(Fields, addr) == offset_of!(sys::io_uring_sqe, addr_union));
    assert!(offset_of!(Fields, op_flags) == 28);
    assert!(offset_of!(Fields, op_flags) == offset_of!(sys::io_uring_sqe, rw_flags_union));
    assert!(offset_of!(Fields, buf_index) == 40);
    assert!(offset_of!(Fields, buf_index) == offset_of!(sys::io_uring_sqe, buf_index_union));
    assert!(offset_of!(Fields, file_index) == 44);
    assert!(offset_of!(Fields, file_index) == offset_of!(sys::io_uring_sqe, splice_fd_in_union));
    assert!(offset_of!(Fields, addr3) == 48);
    assert!(offset_of!(Fields, addr3) == offset_of!(sys::io_uring_sqe, addr3_struct_union));
    assert!(offset_of!(Fields, pad2) == 56);
    assert!(size_of::<Fields>() == 64);
};

impl Fields {
    /// All zero but the opcode.
    #[inline]
    pub(crate) const fn new(opcode: u8) -> Self {
        Fields {
            opcode,
            flags: 0,
            ioprio: 0,
            fd: 0,
            off: 0,
            addr: 0,
            len: 0,
            op_flags: 0,
            user_data: 0,
            buf_index: 0,
            personality: 0,
            file_index: 0,
            addr3: 0,
            pad2: 0,
        }
    }

    /// Sets `fd`, and `IOSQE_FIXED_FILE` when the target is a registered slot.
    #[inline]
    pub(crate) const fn target(mut self, t: RawTarget) -> Self {
        self.fd = t.fd;
        if t.fixed {
            self.flags |= SqeFlags::FIXED_FILE.bits();
        }
        self
    }

    /// The SQE with these fields.
    #[inline]
    pub(crate) const fn sqe(self) -> Sqe {
        // SAFETY: `Fields` and `io_uring_sqe` are both `repr(C)`, 64 bytes (asserted above),
        // without padding in `Fields` (its fields add up to 64 bytes at the asserted offsets),
        // so every byte of `self` is initialised, and `io_uring_sqe` is made only of integers
        // and unions/arrays of integers, for which every initialised bit pattern is valid.
        Sqe::from_raw(unsafe { core::mem::transmute::<Fields, sys::io_uring_sqe>(self) })
    }

    /// The fields of `sqe`, for the builders' tests.
    ///
    /// # Safety
    ///
    /// Every byte of `sqe` is initialised. True of an SQE from a builder or [`Sqe::new`], not
    /// necessarily of one from [`Sqe::from_raw`]: a union literal that sets a member smaller
    /// than its union leaves the other bytes uninitialised, and reading them as integers is
    /// undefined behaviour.
    #[cfg(test)]
    pub(crate) const unsafe fn of(sqe: &Sqe) -> Fields {
        // SAFETY: same size and no padding on either side (see `sqe`); every initialised bit
        // pattern is a valid `Fields`, which holds only integers, and the caller promises every
        // byte is initialised.
        unsafe { core::mem::transmute::<sys::io_uring_sqe, Fields>(*sqe.as_raw()) }
    }
}

/// A pointer as the `u64` the SQE stores.
#[inline]
pub(crate) fn ptr<T>(p: *const T) -> u64 {
    p as usize as u64
}

/// Declares one opcode builder: a struct with the required fields (arguments of `new`) and
/// the optional ones (`const fn` setters with a default), and its `build`.
macro_rules! opcode {
    (@type impl Target) => { $crate::types::RawTarget };
    (@type $t:ty) => { $t };
    (@conv $v:ident, impl Target) => { $crate::types::sealed::Sealed::raw_target($v) };
    (@conv $v:ident, $t:ty) => { $v };
    (
        $( #[$outer:meta] )*
        pub struct $name:ident {
            $( $( #[$req_meta:meta] )* $field:ident : { $($fty:tt)+ } ),* $(,)?
            ;;
            $( $( #[$opt_meta:meta] )* $opt:ident : $oty:ty = $default:expr ),* $(,)?
        }

        pub const CODE = $code:expr;

        $( #[$build_meta:meta] )*
        pub fn build($self:ident) -> $ret:ty $body:block
    ) => {
        $( #[$outer] )*
        #[derive(Debug, Clone, Copy)]
        pub struct $name {
            $( $field: opcode!(@type $($fty)+), )*
            $( $opt: $oty, )*
        }

        impl $name {
            /// The `IORING_OP_*` opcode this builder emits.
            pub const CODE: u8 = $code;

            /// The builder with the required fields; the optional ones start at their
            /// defaults (zero).
            #[inline]
            #[allow(clippy::new_without_default, clippy::too_many_arguments)]
            pub fn new($( $field: $($fty)+ ),*) -> Self {
                $name {
                    $( $field: opcode!(@conv $field, $($fty)+), )*
                    $( $opt: $default, )*
                }
            }

            $(
                $( #[$opt_meta] )*
                #[inline]
                #[must_use]
                pub const fn $opt(mut self, $opt: $oty) -> Self {
                    self.$opt = $opt;
                    self
                }
            )*

            $( #[$build_meta] )*
            #[inline]
            #[must_use]
            pub fn build($self) -> $ret $body
        }
    };
}

/// Marks builders as [`NoMemory`].
macro_rules! no_memory {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::opcode::sealed::Sealed for $t {}
        impl $crate::opcode::NoMemory for $t {}
    )*};
}

pub(crate) use {no_memory, opcode};

// Keep `Sqe128` reachable for the docs of the 128-byte builders.
#[allow(unused_imports)]
use Sqe128 as _;

#[cfg(test)]
mod tests;
