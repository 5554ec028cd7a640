//! The registrations that need no ring: send-msg-ring and the query interface.

use core::ffi::c_void;
use core::mem::size_of;
use core::ptr;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

use uring_sys as sys;

use super::{invalid, wrap};

/// The registrations that take no ring (`fd == -1`), through the crate's one syscall seam
/// (`crate::sys`).
///
/// # Safety
///
/// `arg` must be valid for what `opcode` makes the kernel read and write, for the call's duration.
unsafe fn register_ringless(opcode: u32, arg: *mut c_void, nr_args: u32) -> io::Result<u32> {
    // SAFETY: with fd -1 the kernel touches no ring, only `arg`, which the caller vouches for.
    unsafe { crate::sys::register(-1, opcode, arg.cast_const(), nr_args) }
}

/// `io_uring_register(-1, IORING_REGISTER_SEND_MSG_RING, &sqe, 1)` — posts a CQE with
/// `user_data` and `res` to the ring `target`, without a ring of one's own (Linux 6.13+).
///
/// With `cqe_flags` the CQE carries those flags (`IORING_MSG_RING_FLAGS_PASS`). The target ring
/// must not be `IORING_SETUP_IOPOLL`; a non-ring fd gives `EBADFD`.
///
/// `user_data` with bit 63 set is refused (`InvalidInput`): those values belong to the
/// ownership layer, which releases a request's memory when its CQE arrives — a forged CQE with
/// such a value could make it free memory the kernel is still writing.
///
/// # References
///
/// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
/// - [`io_uring_prep_msg_ring(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_msg_ring.3.html)
#[doc(alias = "IORING_REGISTER_SEND_MSG_RING")]
#[doc(alias = "io_uring_register_sync_msg")]
pub fn send_msg_ring(
    target: BorrowedFd<'_>,
    user_data: u64,
    res: i32,
    cqe_flags: Option<u32>,
) -> io::Result<()> {
    let op = opcode!(IORING_REGISTER_SEND_MSG_RING);
    if user_data & (1 << 63) != 0 {
        return Err(invalid(
            op,
            "user_data with bit 63 set is reserved for the \
             ownership layer's own requests; pick a value below 1 << 63",
        ));
    }
    let mut sqe = sys::io_uring_sqe::zeroed();
    sqe.opcode = sys::IORING_OP_MSG_RING;
    sqe.fd = target.as_raw_fd();
    sqe.addr_union.addr = sys::IORING_MSG_DATA;
    sqe.len = res as u32;
    sqe.off_union.off = user_data;
    if let Some(flags) = cqe_flags {
        sqe.rw_flags_union.msg_ring_flags = sys::IORING_MSG_RING_FLAGS_PASS;
        sqe.splice_fd_in_union.file_index = flags;
    }
    // SAFETY: the kernel copies one SQE from `sqe`, alive for the call.
    unsafe { register_ringless(op.code, ptr::from_mut(&mut sqe).cast(), 1) }
        .map(drop)
        .map_err(|e| {
            wrap(op, e, |e| match e {
                libc::EBADFD => Some("the target fd is not an io_uring"),
                libc::EINVAL => Some("the target ring may be IOPOLL, or this kernel predates 6.13"),
                _ => None,
            })
        })
}

/// What [`query_opcodes`] reports: `struct io_uring_query_opcode`.
#[doc(alias = "io_uring_query_opcode")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryOpcodes {
    /// `nr_request_opcodes`: how many `IORING_OP_*` opcodes the kernel knows.
    pub nr_request_opcodes: u32,
    /// `nr_register_opcodes`: how many `IORING_REGISTER_*` opcodes the kernel knows.
    pub nr_register_opcodes: u32,
    /// `feature_flags`: every `IORING_FEAT_*` the kernel has.
    pub feature_flags: u64,
    /// `ring_setup_flags`: every `IORING_SETUP_*` the kernel accepts.
    pub ring_setup_flags: u64,
    /// `enter_flags`: every `IORING_ENTER_*` the kernel accepts.
    pub enter_flags: u64,
    /// `sqe_flags`: every `IOSQE_*` the kernel accepts.
    pub sqe_flags: u64,
    /// `nr_query_opcodes`: how many `IO_URING_QUERY_*` queries the kernel knows.
    pub nr_query_opcodes: u32,
}

/// Runs one query `query_op` with `data` as its output buffer.
///
/// # Safety
///
/// `T` must be the plain-data struct the kernel writes for `query_op` (any bytes valid).
unsafe fn query<T>(query_op: u32, data: &mut T) -> io::Result<()> {
    let op = opcode!(IORING_REGISTER_QUERY);
    let mut hdr = sys::io_uring_query_hdr {
        query_data: ptr::from_mut(data) as u64,
        query_op,
        size: size_of::<T>() as u32,
        ..sys::io_uring_query_hdr::zeroed()
    };
    // SAFETY: the kernel reads `hdr` and writes at most `hdr.size` bytes into `data`, both
    // exclusively ours for the call.
    unsafe { register_ringless(op.code, ptr::from_mut(&mut hdr).cast(), 0) }.map_err(|e| {
        wrap(op, e, |e| {
            (e == libc::EINVAL)
                .then_some("this kernel has no io_uring query interface (Linux 6.18+)")
        })
    })?;
    if hdr.result < 0 {
        return Err(wrap(op, io::Error::from_raw_os_error(-hdr.result), |_| {
            Some("the kernel does not support this query")
        }));
    }
    Ok(())
}

/// `io_uring_register(-1, IORING_REGISTER_QUERY, {IO_URING_QUERY_OPCODES}, 0)` — what this
/// kernel's io_uring supports: opcode counts and every feature, setup, enter and SQE flag
/// (Linux 6.18+). Needs no ring.
///
/// # References
///
/// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
#[doc(alias = "IORING_REGISTER_QUERY")]
#[doc(alias = "IO_URING_QUERY_OPCODES")]
#[doc(alias = "io_uring_register_query")]
pub fn query_opcodes() -> io::Result<QueryOpcodes> {
    let mut q = sys::io_uring_query_opcode::zeroed();
    // SAFETY: `io_uring_query_opcode` is the struct IO_URING_QUERY_OPCODES writes; all integers.
    unsafe { query(sys::IO_URING_QUERY_OPCODES, &mut q) }?;
    Ok(QueryOpcodes {
        nr_request_opcodes: q.nr_request_opcodes,
        nr_register_opcodes: q.nr_register_opcodes,
        feature_flags: q.feature_flags,
        ring_setup_flags: q.ring_setup_flags,
        enter_flags: q.enter_flags,
        sqe_flags: q.sqe_flags,
        nr_query_opcodes: q.nr_query_opcodes,
    })
}

/// What [`query_zcrx`] reports: `struct io_uring_query_zcrx`.
#[doc(alias = "io_uring_query_zcrx")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryZcrx {
    /// `register_flags`: every `ZCRX_REG_*` flag the kernel accepts.
    pub register_flags: u64,
    /// `area_flags`: every `IORING_ZCRX_AREA_*` flag the kernel accepts.
    pub area_flags: u64,
    /// `nr_ctrl_opcodes`: how many `ZCRX_CTRL_*` opcodes the kernel knows.
    pub nr_ctrl_opcodes: u32,
    /// `features`: `ZCRX_FEATURE_*` bits.
    pub features: u32,
    /// `rq_hdr_size`: the refill ring header size.
    pub rq_hdr_size: u32,
    /// `rq_hdr_alignment`: the refill ring header alignment.
    pub rq_hdr_alignment: u32,
}

/// What [`query_scq`] reports: `struct io_uring_query_scq`.
#[doc(alias = "io_uring_query_scq")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryScq {
    /// `hdr_size`: the SQ/CQ rings header size.
    pub hdr_size: u64,
    /// `hdr_alignment`: the header's alignment.
    pub hdr_alignment: u64,
}

/// `io_uring_register(-1, IORING_REGISTER_QUERY, {IO_URING_QUERY_ZCRX}, 0)` — what this kernel's
/// zero-copy receive supports (Linux 6.18+). Needs no ring.
///
/// # References
///
/// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
#[doc(alias = "IO_URING_QUERY_ZCRX")]
pub fn query_zcrx() -> io::Result<QueryZcrx> {
    let mut q = sys::io_uring_query_zcrx::zeroed();
    // SAFETY: `io_uring_query_zcrx` is the struct IO_URING_QUERY_ZCRX writes; all integers.
    unsafe { query(sys::IO_URING_QUERY_ZCRX, &mut q) }?;
    Ok(QueryZcrx {
        register_flags: q.register_flags,
        area_flags: q.area_flags,
        nr_ctrl_opcodes: q.nr_ctrl_opcodes,
        features: q.features,
        rq_hdr_size: q.rq_hdr_size,
        rq_hdr_alignment: q.rq_hdr_alignment,
    })
}

/// `io_uring_register(-1, IORING_REGISTER_QUERY, {IO_URING_QUERY_SCQ}, 0)` — the SQ/CQ ring
/// header size and alignment, for rings in user memory (Linux 6.18+). Needs no ring.
///
/// # References
///
/// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
#[doc(alias = "IO_URING_QUERY_SCQ")]
pub fn query_scq() -> io::Result<QueryScq> {
    let mut q = sys::io_uring_query_scq::zeroed();
    // SAFETY: `io_uring_query_scq` is the struct IO_URING_QUERY_SCQ writes; all integers.
    unsafe { query(sys::IO_URING_QUERY_SCQ, &mut q) }?;
    Ok(QueryScq {
        hdr_size: q.hdr_size,
        hdr_alignment: q.hdr_alignment,
    })
}
