//! Personalities (registered credentials) and restrictions (what a ring may do), with the
//! enabling of a ring created disabled.

use core::fmt;
use core::ptr;
use std::io;

use uring_sys as sys;

use super::{len_u32, no_hint};
use crate::squeue::SqeFlags;
use crate::submit::Submitter;

/// One `struct io_uring_restriction`, for [`Submitter::register_restrictions`].
#[doc(alias = "io_uring_restriction")]
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct Restriction(sys::io_uring_restriction);

impl Restriction {
    fn new(opcode: u16, value: u8) -> Self {
        let mut r = sys::io_uring_restriction::zeroed();
        r.opcode = opcode;
        r.register_op_union.register_op = value;
        Restriction(r)
    }

    /// `IORING_RESTRICTION_REGISTER_OP`: allow the `io_uring_register(2)` opcode `op`
    /// (an `IORING_REGISTER_*` value).
    #[doc(alias = "IORING_RESTRICTION_REGISTER_OP")]
    pub fn register_op(op: u8) -> Self {
        Self::new(sys::IORING_RESTRICTION_REGISTER_OP, op)
    }

    /// `IORING_RESTRICTION_SQE_OP`: allow SQEs with opcode `op` (an `IORING_OP_*` value).
    #[doc(alias = "IORING_RESTRICTION_SQE_OP")]
    pub fn sqe_op(op: u8) -> Self {
        Self::new(sys::IORING_RESTRICTION_SQE_OP, op)
    }

    /// `IORING_RESTRICTION_SQE_FLAGS_ALLOWED`: allow these `IOSQE_*` flags on SQEs.
    #[doc(alias = "IORING_RESTRICTION_SQE_FLAGS_ALLOWED")]
    pub fn sqe_flags_allowed(flags: SqeFlags) -> Self {
        Self::new(sys::IORING_RESTRICTION_SQE_FLAGS_ALLOWED, flags.bits())
    }

    /// `IORING_RESTRICTION_SQE_FLAGS_REQUIRED`: require these `IOSQE_*` flags on every SQE.
    #[doc(alias = "IORING_RESTRICTION_SQE_FLAGS_REQUIRED")]
    pub fn sqe_flags_required(flags: SqeFlags) -> Self {
        Self::new(sys::IORING_RESTRICTION_SQE_FLAGS_REQUIRED, flags.bits())
    }

    /// The raw `struct io_uring_restriction`.
    pub fn as_raw(&self) -> &sys::io_uring_restriction {
        &self.0
    }
}

impl fmt::Debug for Restriction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // SAFETY: every member of the union is a `u8` at the same offset, so reading any one of
        // them reads an initialised byte (the struct starts zeroed in `Restriction::new`).
        let value = unsafe { self.0.register_op_union.register_op };
        let kind = match self.0.opcode {
            sys::IORING_RESTRICTION_REGISTER_OP => "register_op",
            sys::IORING_RESTRICTION_SQE_OP => "sqe_op",
            sys::IORING_RESTRICTION_SQE_FLAGS_ALLOWED => "sqe_flags_allowed",
            sys::IORING_RESTRICTION_SQE_FLAGS_REQUIRED => "sqe_flags_required",
            _ => "unknown",
        };
        f.debug_tuple("Restriction")
            .field(&kind)
            .field(&value)
            .finish()
    }
}

/// Personalities: `IORING_REGISTER_PERSONALITY`, `IORING_UNREGISTER_PERSONALITY`.
impl Submitter<'_> {
    /// `io_uring_register(fd, IORING_REGISTER_PERSONALITY, NULL, 0)` — records the calling
    /// thread's current credentials and returns their id (Linux 5.6+).
    ///
    /// An SQE with [`Sqe::personality`](crate::Sqe::personality) set to the id runs with those
    /// credentials, even after the thread's own credentials change.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_PERSONALITY")]
    #[doc(alias = "io_uring_register_personality")]
    pub fn register_personality(&self) -> io::Result<u16> {
        let op = opcode!(IORING_REGISTER_PERSONALITY);
        // SAFETY: this opcode reads no argument.
        let id = unsafe { self.reg(op, ptr::null(), 0, no_hint) }?;
        // The kernel allocates ids in 1..=u16::MAX (xa_alloc_cyclic with XA_LIMIT(0, USHRT_MAX)).
        u16::try_from(id).map_err(|_| {
            io::Error::other(format!(
                "{}: the kernel returned an id above u16::MAX",
                op.name
            ))
        })
    }

    /// `io_uring_register(fd, IORING_UNREGISTER_PERSONALITY, NULL, id)` — forgets personality
    /// `id`. `EINVAL` when no such id is registered.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_UNREGISTER_PERSONALITY")]
    #[doc(alias = "io_uring_unregister_personality")]
    pub fn unregister_personality(&self, id: u16) -> io::Result<()> {
        let op = opcode!(IORING_UNREGISTER_PERSONALITY);
        // SAFETY: this opcode reads no argument; nr_args carries the id.
        unsafe {
            self.reg(op, ptr::null(), u32::from(id), |e| {
                (e == libc::EINVAL).then_some("no personality with this id is registered")
            })
        }
        .map(drop)
    }
}

/// Restrictions, and enabling a ring created disabled: `IORING_REGISTER_RESTRICTIONS`,
/// `_ENABLE_RINGS`.
impl Submitter<'_> {
    /// `io_uring_register(fd, IORING_REGISTER_RESTRICTIONS, res, nr)` — limits which register
    /// opcodes, SQE opcodes and SQE flags this ring accepts (Linux 5.10+).
    ///
    /// The ring must have been created with `IORING_SETUP_R_DISABLED` and not yet enabled
    /// (`EBADFD` otherwise); restrictions can be registered once (`EBUSY`). They take effect
    /// when [`register_enable_rings`](Self::register_enable_rings) enables the ring; from then on
    /// a disallowed SQE completes with `-EACCES` and a disallowed register call fails with
    /// `EACCES`.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_RESTRICTIONS")]
    #[doc(alias = "io_uring_register_restrictions")]
    pub fn register_restrictions(&self, res: &[Restriction]) -> io::Result<()> {
        let op = opcode!(IORING_REGISTER_RESTRICTIONS);
        let nr = len_u32(op, res.len(), "too many restrictions")?;
        // SAFETY: `Restriction` is `repr(transparent)` over `io_uring_restriction`; the kernel
        // reads `nr` of them during the call.
        unsafe {
            self.reg(op,
                res.as_ptr().cast(),
                nr,
                |e| match e {
                    libc::EBUSY => Some("restrictions are already registered on this ring"),
                    libc::EBADFD => Some(
                        "restrictions need a ring created with IORING_SETUP_R_DISABLED and not yet enabled",
                    ),
                    _ => None,
                },
            )
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0)` — enables a ring created
    /// with `IORING_SETUP_R_DISABLED` (Linux 5.10+); registered restrictions take effect, an
    /// SQPOLL thread starts. `EBADFD` when the ring is already enabled.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_ENABLE_RINGS")]
    #[doc(alias = "io_uring_enable_rings")]
    pub fn register_enable_rings(&self) -> io::Result<()> {
        let op = opcode!(IORING_REGISTER_ENABLE_RINGS);
        // SAFETY: this opcode reads no argument.
        unsafe {
            self.reg(op, ptr::null(), 0, |e| {
                (e == libc::EBADFD).then_some("the ring is not disabled (already enabled)")
            })
        }
        .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restriction_encodes_kind_and_value() {
        let r = Restriction::sqe_op(sys::IORING_OP_READ);
        assert_eq!(r.as_raw().opcode, sys::IORING_RESTRICTION_SQE_OP);
        // SAFETY: all union members are the same initialised byte.
        let v = unsafe { r.as_raw().register_op_union.sqe_op };
        assert_eq!(v, sys::IORING_OP_READ);
        let r = Restriction::sqe_flags_required(SqeFlags::FIXED_FILE | SqeFlags::ASYNC);
        assert_eq!(
            r.as_raw().opcode,
            sys::IORING_RESTRICTION_SQE_FLAGS_REQUIRED
        );
        // SAFETY: as above.
        let v = unsafe { r.as_raw().register_op_union.sqe_flags };
        assert_eq!(v, (SqeFlags::FIXED_FILE | SqeFlags::ASYNC).bits());
        assert_eq!(r.as_raw().resv, 0);
        assert_eq!(r.as_raw().resv2, [0; 3]);
        assert_eq!(size_of::<Restriction>(), 16);
    }
}
