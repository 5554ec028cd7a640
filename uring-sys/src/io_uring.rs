//! `<linux/io_uring.h>` (Linux 7.2): every struct, union, enum value and macro, plus the three
//! raw syscalls. The headers under `<linux/io_uring/>` are the child modules `zcrx` (which this
//! header includes), `query`, `bpf_filter` and `mock_file`.
//!
//! Items are in the header's order. See the crate docs for the naming scheme of anonymous
//! unions/structs and for how C enums, flexible arrays and constant widths are mirrored.

use core::mem::align_of;

use libc::{c_int, c_long, c_uint, c_void, sigset_t};

use crate::fs::__kernel_rwf_t;
use crate::time_types::__kernel_timespec;

pub(crate) mod bpf_filter;
pub(crate) mod mock_file;
pub(crate) mod query;
pub(crate) mod zcrx;

/// Alignment of `__u64` inside structs on this target (8 on 64-bit targets, 4 on i386).
// Used only inside `const _` layout asserts, which rustc 1.85's dead-code pass does not see.
#[allow(dead_code)]
const U64: usize = align_of::<u64>();

// ---------------------------------------------------------------------------------------------
// struct io_uring_sqe
// ---------------------------------------------------------------------------------------------

/// `struct io_uring_sqe`: a submission queue entry (64 bytes; 128 under `IORING_SETUP_SQE128`).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_sqe {
    /// `opcode`: an `IORING_OP_*` value.
    pub opcode: u8,
    /// `flags`: `IOSQE_*` bits.
    pub flags: u8,
    /// `ioprio`: I/O priority, or per-opcode flags (`IORING_RECVSEND_*`, `IORING_ACCEPT_*`).
    pub ioprio: u16,
    /// `fd`: the file descriptor (or fixed-file index under `IOSQE_FIXED_FILE`).
    pub fd: i32,
    /// The anonymous union holding `off` / `addr2` / `cmd_op`.
    pub off_union: io_uring_sqe_off_union,
    /// The anonymous union holding `addr` / `splice_off_in` / `level`+`optname`.
    pub addr_union: io_uring_sqe_addr_union,
    /// `len`: buffer size, iovec count, or per-opcode value.
    pub len: u32,
    /// The anonymous union of per-opcode flag words (`rw_flags`, `fsync_flags`, ...).
    pub rw_flags_union: io_uring_sqe_rw_flags_union,
    /// `user_data`: returned unchanged in the completion's `user_data`.
    pub user_data: u64,
    /// The packed anonymous union holding `buf_index` / `buf_group`.
    pub buf_index_union: io_uring_sqe_buf_index_union,
    /// `personality`: a registered credentials id, 0 for none.
    pub personality: u16,
    /// The anonymous union holding `splice_fd_in` / `file_index` / `zcrx_ifq_idx` / `optlen` /
    /// `addr_len` / `write_stream`.
    pub splice_fd_in_union: io_uring_sqe_splice_fd_in_union,
    /// The anonymous union holding `addr3` / `attr_ptr`+`attr_type_mask` / `optval` / `cmd`.
    pub addr3_struct_union: io_uring_sqe_addr3_struct_union,
}

/// The anonymous union at `io_uring_sqe` offset 8.
#[repr(C)]
#[derive(Copy, Clone)]
pub union io_uring_sqe_off_union {
    /// `off`: file offset.
    pub off: u64,
    /// `addr2`: a second address.
    pub addr2: u64,
    /// The anonymous struct holding `cmd_op` / `__pad1`.
    pub cmd_op_struct: io_uring_sqe_off_union_cmd_op_struct,
}

/// The anonymous struct in `io_uring_sqe`'s `off` union.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_sqe_off_union_cmd_op_struct {
    /// `cmd_op`: the `IORING_OP_URING_CMD` sub-command.
    pub cmd_op: u32,
    /// `__pad1`.
    pub __pad1: u32,
}

/// The anonymous union at `io_uring_sqe` offset 16.
#[repr(C)]
#[derive(Copy, Clone)]
pub union io_uring_sqe_addr_union {
    /// `addr`: buffer or iovec address.
    pub addr: u64,
    /// `splice_off_in`: input offset for `IORING_OP_SPLICE`.
    pub splice_off_in: u64,
    /// The anonymous struct holding `level` / `optname`.
    pub level_struct: io_uring_sqe_addr_union_level_struct,
}

/// The anonymous struct in `io_uring_sqe`'s `addr` union.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_sqe_addr_union_level_struct {
    /// `level`: socket option level.
    pub level: u32,
    /// `optname`: socket option name.
    pub optname: u32,
}

/// The anonymous union of per-opcode flag words at `io_uring_sqe` offset 28.
#[repr(C)]
#[derive(Copy, Clone)]
pub union io_uring_sqe_rw_flags_union {
    /// `rw_flags`: `RWF_*` flags for reads and writes.
    ///
    /// Typed `__kernel_rwf_t` (C `int`: the type of `<linux/fs.h>`'s `RWF_*` macros and of the
    /// kernel's `rwf_t`), as liburing's copy and Debian's 6.1 header declare the field. Linux
    /// 7.2's header declares it `__u32`: same size, alignment and offset, so the ABI is the
    /// same; the crate keeps the `RWF_*` type so the flags need no cast.
    pub rw_flags: __kernel_rwf_t,
    /// `fsync_flags`: `IORING_FSYNC_*`.
    pub fsync_flags: u32,
    /// `poll_events`: 16-bit poll mask (compatibility).
    pub poll_events: u16,
    /// `poll32_events`: 32-bit poll mask.
    pub poll32_events: u32,
    /// `sync_range_flags`: `sync_file_range(2)` flags.
    pub sync_range_flags: u32,
    /// `msg_flags`: `MSG_*` flags for send/recv.
    pub msg_flags: u32,
    /// `timeout_flags`: `IORING_TIMEOUT_*`.
    pub timeout_flags: u32,
    /// `accept_flags`: `accept4(2)` flags.
    pub accept_flags: u32,
    /// `cancel_flags`: `IORING_ASYNC_CANCEL_*`.
    pub cancel_flags: u32,
    /// `open_flags`: `open(2)` flags.
    pub open_flags: u32,
    /// `statx_flags`: `statx(2)` flags.
    pub statx_flags: u32,
    /// `fadvise_advice`: `posix_fadvise(2)` advice.
    pub fadvise_advice: u32,
    /// `splice_flags`: `SPLICE_F_*` flags.
    pub splice_flags: u32,
    /// `rename_flags`: `renameat2(2)` flags.
    pub rename_flags: u32,
    /// `unlink_flags`: `unlinkat(2)` flags.
    pub unlink_flags: u32,
    /// `hardlink_flags`: `linkat(2)` flags.
    pub hardlink_flags: u32,
    /// `xattr_flags`: `setxattr(2)` flags.
    pub xattr_flags: u32,
    /// `msg_ring_flags`: `IORING_MSG_RING_*`.
    pub msg_ring_flags: u32,
    /// `uring_cmd_flags`: `IORING_URING_CMD_*`.
    pub uring_cmd_flags: u32,
    /// `waitid_flags`: `waitid(2)` options.
    pub waitid_flags: u32,
    /// `futex_flags`: `FUTEX2_*` flags.
    pub futex_flags: u32,
    /// `install_fd_flags`: `IORING_FIXED_FD_*`.
    pub install_fd_flags: u32,
    /// `nop_flags`: `IORING_NOP_*`.
    pub nop_flags: u32,
    /// `pipe_flags`: `pipe2(2)` flags.
    pub pipe_flags: u32,
}

/// The anonymous union at `io_uring_sqe` offset 40 (C: `__attribute__((packed))`, so align 1).
#[repr(C, packed)]
#[derive(Copy, Clone)]
pub union io_uring_sqe_buf_index_union {
    /// `buf_index`: index of a registered buffer.
    pub buf_index: u16,
    /// `buf_group`: provided-buffer group id for `IOSQE_BUFFER_SELECT`.
    pub buf_group: u16,
}

/// The anonymous union at `io_uring_sqe` offset 44.
#[repr(C)]
#[derive(Copy, Clone)]
pub union io_uring_sqe_splice_fd_in_union {
    /// `splice_fd_in`: input fd for `IORING_OP_SPLICE`/`IORING_OP_TEE`.
    pub splice_fd_in: i32,
    /// `file_index`: fixed-file slot + 1 for direct descriptors, or `IORING_FILE_INDEX_ALLOC`.
    pub file_index: u32,
    /// `zcrx_ifq_idx`: zero-copy receive interface queue index.
    pub zcrx_ifq_idx: u32,
    /// `optlen`: socket option length.
    pub optlen: u32,
    /// The anonymous struct holding `addr_len` / `__pad3`.
    pub addr_len_struct: io_uring_sqe_splice_fd_in_union_addr_len_struct,
    /// The anonymous struct holding `write_stream` / `__pad4` (Linux 7.2).
    pub write_stream_struct: io_uring_sqe_splice_fd_in_union_write_stream_struct,
}

/// The anonymous struct in `io_uring_sqe`'s `splice_fd_in` union.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_sqe_splice_fd_in_union_addr_len_struct {
    /// `addr_len`: socket address length for `IORING_OP_SEND_ZC` and friends.
    pub addr_len: u16,
    /// `__pad3`.
    pub __pad3: [u16; 1],
}

/// The second anonymous struct in `io_uring_sqe`'s `splice_fd_in` union (Linux 7.2).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_sqe_splice_fd_in_union_write_stream_struct {
    /// `write_stream`: the write stream (placement hint) of a write.
    pub write_stream: u8,
    /// `__pad4`.
    pub __pad4: [u8; 3],
}

/// The anonymous union at `io_uring_sqe` offset 48.
#[repr(C)]
#[derive(Copy, Clone)]
pub union io_uring_sqe_addr3_struct_union {
    /// The anonymous struct holding `addr3` / `__pad2`.
    pub addr3_struct: io_uring_sqe_addr3_struct_union_addr3_struct,
    /// The anonymous struct holding `attr_ptr` / `attr_type_mask`.
    pub attr_ptr_struct: io_uring_sqe_addr3_struct_union_attr_ptr_struct,
    /// `optval`: socket option value address.
    pub optval: u64,
    /// `cmd` (C `__u8 cmd[0]`): start of the command bytes of `IORING_OP_URING_CMD`, 16 bytes in
    /// a 64-byte SQE, 80 under `IORING_SETUP_SQE128`; reach them through a pointer to this field.
    pub cmd: [u8; 0],
}

/// The first anonymous struct in `io_uring_sqe`'s last union.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_sqe_addr3_struct_union_addr3_struct {
    /// `addr3`: a third address.
    pub addr3: u64,
    /// `__pad2`.
    pub __pad2: [u64; 1],
}

/// The second anonymous struct in `io_uring_sqe`'s last union.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_sqe_addr3_struct_union_attr_ptr_struct {
    /// `attr_ptr`: address of the attribute(s), e.g. a `struct io_uring_attr_pi`.
    pub attr_ptr: u64,
    /// `attr_type_mask`: `IORING_RW_ATTR_FLAG_*` bits saying which attributes are present.
    pub attr_type_mask: u64,
}

layout!(io_uring_sqe, size 64, align U64,
    opcode = 0, flags = 1, ioprio = 2, fd = 4,
    off_union = 8, off_union.off = 8, off_union.addr2 = 8,
    off_union.cmd_op_struct = 8, off_union.cmd_op_struct.cmd_op = 8,
    off_union.cmd_op_struct.__pad1 = 12,
    addr_union = 16, addr_union.addr = 16, addr_union.splice_off_in = 16,
    addr_union.level_struct = 16, addr_union.level_struct.level = 16,
    addr_union.level_struct.optname = 20,
    len = 24,
    rw_flags_union = 28, rw_flags_union.rw_flags = 28, rw_flags_union.fsync_flags = 28,
    rw_flags_union.poll_events = 28, rw_flags_union.poll32_events = 28,
    rw_flags_union.sync_range_flags = 28, rw_flags_union.msg_flags = 28,
    rw_flags_union.timeout_flags = 28, rw_flags_union.accept_flags = 28,
    rw_flags_union.cancel_flags = 28, rw_flags_union.open_flags = 28,
    rw_flags_union.statx_flags = 28, rw_flags_union.fadvise_advice = 28,
    rw_flags_union.splice_flags = 28, rw_flags_union.rename_flags = 28,
    rw_flags_union.unlink_flags = 28, rw_flags_union.hardlink_flags = 28,
    rw_flags_union.xattr_flags = 28, rw_flags_union.msg_ring_flags = 28,
    rw_flags_union.uring_cmd_flags = 28, rw_flags_union.waitid_flags = 28,
    rw_flags_union.futex_flags = 28, rw_flags_union.install_fd_flags = 28,
    rw_flags_union.nop_flags = 28, rw_flags_union.pipe_flags = 28,
    user_data = 32,
    buf_index_union = 40, buf_index_union.buf_index = 40, buf_index_union.buf_group = 40,
    personality = 42,
    splice_fd_in_union = 44, splice_fd_in_union.splice_fd_in = 44,
    splice_fd_in_union.file_index = 44, splice_fd_in_union.zcrx_ifq_idx = 44,
    splice_fd_in_union.optlen = 44, splice_fd_in_union.addr_len_struct = 44,
    splice_fd_in_union.addr_len_struct.addr_len = 44,
    splice_fd_in_union.addr_len_struct.__pad3 = 46,
    splice_fd_in_union.write_stream_struct = 44,
    splice_fd_in_union.write_stream_struct.write_stream = 44,
    splice_fd_in_union.write_stream_struct.__pad4 = 45,
    addr3_struct_union = 48, addr3_struct_union.addr3_struct = 48,
    addr3_struct_union.addr3_struct.addr3 = 48, addr3_struct_union.addr3_struct.__pad2 = 56,
    addr3_struct_union.attr_ptr_struct = 48, addr3_struct_union.attr_ptr_struct.attr_ptr = 48,
    addr3_struct_union.attr_ptr_struct.attr_type_mask = 56,
    addr3_struct_union.optval = 48, addr3_struct_union.cmd = 48,
);
layout!(io_uring_sqe_off_union, size 8, align U64, off = 0, addr2 = 0, cmd_op_struct = 0);
layout!(io_uring_sqe_off_union_cmd_op_struct, size 8, align 4, cmd_op = 0, __pad1 = 4);
layout!(io_uring_sqe_addr_union, size 8, align U64, addr = 0, splice_off_in = 0, level_struct = 0);
layout!(io_uring_sqe_addr_union_level_struct, size 8, align 4, level = 0, optname = 4);
layout!(io_uring_sqe_rw_flags_union, size 4, align 4,
    rw_flags = 0, fsync_flags = 0, poll_events = 0, poll32_events = 0, sync_range_flags = 0,
    msg_flags = 0, timeout_flags = 0, accept_flags = 0, cancel_flags = 0, open_flags = 0,
    statx_flags = 0, fadvise_advice = 0, splice_flags = 0, rename_flags = 0, unlink_flags = 0,
    hardlink_flags = 0, xattr_flags = 0, msg_ring_flags = 0, uring_cmd_flags = 0,
    waitid_flags = 0, futex_flags = 0, install_fd_flags = 0, nop_flags = 0, pipe_flags = 0,
);
layout!(io_uring_sqe_buf_index_union, size 2, align 1, buf_index = 0, buf_group = 0);
layout!(io_uring_sqe_splice_fd_in_union, size 4, align 4,
    splice_fd_in = 0, file_index = 0, zcrx_ifq_idx = 0, optlen = 0, addr_len_struct = 0,
    write_stream_struct = 0);
layout!(io_uring_sqe_splice_fd_in_union_addr_len_struct, size 4, align 2, addr_len = 0, __pad3 = 2);
layout!(io_uring_sqe_splice_fd_in_union_write_stream_struct, size 4, align 1,
    write_stream = 0, __pad4 = 1);
layout!(io_uring_sqe_addr3_struct_union, size 16, align U64,
    addr3_struct = 0, attr_ptr_struct = 0, optval = 0, cmd = 0);
layout!(io_uring_sqe_addr3_struct_union_addr3_struct, size 16, align U64, addr3 = 0, __pad2 = 8);
layout!(io_uring_sqe_addr3_struct_union_attr_ptr_struct, size 16, align U64,
    attr_ptr = 0, attr_type_mask = 8);
zeroable!(
    io_uring_sqe,
    io_uring_sqe_off_union,
    io_uring_sqe_off_union_cmd_op_struct,
    io_uring_sqe_addr_union,
    io_uring_sqe_addr_union_level_struct,
    io_uring_sqe_rw_flags_union,
    io_uring_sqe_buf_index_union,
    io_uring_sqe_splice_fd_in_union,
    io_uring_sqe_splice_fd_in_union_addr_len_struct,
    io_uring_sqe_splice_fd_in_union_write_stream_struct,
    io_uring_sqe_addr3_struct_union,
    io_uring_sqe_addr3_struct_union_addr3_struct,
    io_uring_sqe_addr3_struct_union_attr_ptr_struct,
);
union_debug!(
    io_uring_sqe_off_union,
    io_uring_sqe_addr_union,
    io_uring_sqe_rw_flags_union,
    io_uring_sqe_buf_index_union,
    io_uring_sqe_splice_fd_in_union,
    io_uring_sqe_addr3_struct_union,
);

/// `IORING_RW_ATTR_FLAG_PI` (`sqe.attr_type_mask`): a `struct io_uring_attr_pi` is attached.
pub const IORING_RW_ATTR_FLAG_PI: u64 = 1 << 0;

/// `struct io_uring_attr_pi`: protection-information attribute of a read or write.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_attr_pi {
    /// `flags`.
    pub flags: u16,
    /// `app_tag`.
    pub app_tag: u16,
    /// `len`: length of the PI buffer.
    pub len: u32,
    /// `addr`: address of the PI buffer.
    pub addr: u64,
    /// `seed`.
    pub seed: u64,
    /// `rsvd`.
    pub rsvd: u64,
}
layout!(io_uring_attr_pi, size 32, align U64,
    flags = 0, app_tag = 2, len = 4, addr = 8, seed = 16, rsvd = 24);
zeroable!(io_uring_attr_pi);

/// `IORING_FILE_INDEX_ALLOC` (`sqe.file_index`): let the kernel pick a free direct-descriptor slot.
pub const IORING_FILE_INDEX_ALLOC: u32 = !0;

/// `enum io_uring_sqe_flags_bit` (the C enum's type; its values are the `IOSQE_*_BIT` constants).
pub type io_uring_sqe_flags_bit = c_uint;
/// `IOSQE_FIXED_FILE_BIT`.
pub const IOSQE_FIXED_FILE_BIT: u8 = 0;
/// `IOSQE_IO_DRAIN_BIT`.
pub const IOSQE_IO_DRAIN_BIT: u8 = 1;
/// `IOSQE_IO_LINK_BIT`.
pub const IOSQE_IO_LINK_BIT: u8 = 2;
/// `IOSQE_IO_HARDLINK_BIT`.
pub const IOSQE_IO_HARDLINK_BIT: u8 = 3;
/// `IOSQE_ASYNC_BIT`.
pub const IOSQE_ASYNC_BIT: u8 = 4;
/// `IOSQE_BUFFER_SELECT_BIT`.
pub const IOSQE_BUFFER_SELECT_BIT: u8 = 5;
/// `IOSQE_CQE_SKIP_SUCCESS_BIT`.
pub const IOSQE_CQE_SKIP_SUCCESS_BIT: u8 = 6;

/// `IOSQE_FIXED_FILE`: `sqe.fd` is an index into the registered files.
pub const IOSQE_FIXED_FILE: u8 = 1 << IOSQE_FIXED_FILE_BIT;
/// `IOSQE_IO_DRAIN`: start only after all earlier requests completed.
pub const IOSQE_IO_DRAIN: u8 = 1 << IOSQE_IO_DRAIN_BIT;
/// `IOSQE_IO_LINK`: the next SQE starts only after this one succeeds.
pub const IOSQE_IO_LINK: u8 = 1 << IOSQE_IO_LINK_BIT;
/// `IOSQE_IO_HARDLINK`: like `IOSQE_IO_LINK`, but the chain survives failure.
pub const IOSQE_IO_HARDLINK: u8 = 1 << IOSQE_IO_HARDLINK_BIT;
/// `IOSQE_ASYNC`: always issue from an io-wq worker.
pub const IOSQE_ASYNC: u8 = 1 << IOSQE_ASYNC_BIT;
/// `IOSQE_BUFFER_SELECT`: pick a buffer from group `sqe.buf_group`.
pub const IOSQE_BUFFER_SELECT: u8 = 1 << IOSQE_BUFFER_SELECT_BIT;
/// `IOSQE_CQE_SKIP_SUCCESS`: post no CQE when the request succeeds.
pub const IOSQE_CQE_SKIP_SUCCESS: u8 = 1 << IOSQE_CQE_SKIP_SUCCESS_BIT;

/// `IORING_SETUP_IOPOLL`: busy-poll for completions (O_DIRECT files only).
pub const IORING_SETUP_IOPOLL: u32 = 1 << 0;
/// `IORING_SETUP_SQPOLL`: a kernel thread polls the SQ.
pub const IORING_SETUP_SQPOLL: u32 = 1 << 1;
/// `IORING_SETUP_SQ_AFF`: pin the SQ poll thread to `sq_thread_cpu`.
pub const IORING_SETUP_SQ_AFF: u32 = 1 << 2;
/// `IORING_SETUP_CQSIZE`: `cq_entries` gives the CQ size.
pub const IORING_SETUP_CQSIZE: u32 = 1 << 3;
/// `IORING_SETUP_CLAMP`: clamp too-large ring sizes instead of failing.
pub const IORING_SETUP_CLAMP: u32 = 1 << 4;
/// `IORING_SETUP_ATTACH_WQ`: share the io-wq of ring `wq_fd`.
pub const IORING_SETUP_ATTACH_WQ: u32 = 1 << 5;
/// `IORING_SETUP_R_DISABLED`: start disabled until `IORING_REGISTER_ENABLE_RINGS`.
pub const IORING_SETUP_R_DISABLED: u32 = 1 << 6;
/// `IORING_SETUP_SUBMIT_ALL`: keep submitting after an SQE fails to submit.
pub const IORING_SETUP_SUBMIT_ALL: u32 = 1 << 7;
/// `IORING_SETUP_COOP_TASKRUN`: run task work at the next kernel entry, no IPI.
pub const IORING_SETUP_COOP_TASKRUN: u32 = 1 << 8;
/// `IORING_SETUP_TASKRUN_FLAG`: set `IORING_SQ_TASKRUN` when task work is pending.
pub const IORING_SETUP_TASKRUN_FLAG: u32 = 1 << 9;
/// `IORING_SETUP_SQE128`: 128-byte SQEs.
pub const IORING_SETUP_SQE128: u32 = 1 << 10;
/// `IORING_SETUP_CQE32`: 32-byte CQEs.
pub const IORING_SETUP_CQE32: u32 = 1 << 11;
/// `IORING_SETUP_SINGLE_ISSUER`: only one task submits.
pub const IORING_SETUP_SINGLE_ISSUER: u32 = 1 << 12;
/// `IORING_SETUP_DEFER_TASKRUN`: run task work only when waiting for events.
pub const IORING_SETUP_DEFER_TASKRUN: u32 = 1 << 13;
/// `IORING_SETUP_NO_MMAP`: the application provides the ring memory.
pub const IORING_SETUP_NO_MMAP: u32 = 1 << 14;
/// `IORING_SETUP_REGISTERED_FD_ONLY`: return a registered ring index instead of an fd.
pub const IORING_SETUP_REGISTERED_FD_ONLY: u32 = 1 << 15;
/// `IORING_SETUP_NO_SQARRAY`: no SQ index array; SQEs are used in ring order.
pub const IORING_SETUP_NO_SQARRAY: u32 = 1 << 16;
/// `IORING_SETUP_HYBRID_IOPOLL`: hybrid sleep-then-poll for `IORING_SETUP_IOPOLL`.
pub const IORING_SETUP_HYBRID_IOPOLL: u32 = 1 << 17;
/// `IORING_SETUP_CQE_MIXED`: 16- and 32-byte CQEs in one ring (`IORING_CQE_F_32`).
pub const IORING_SETUP_CQE_MIXED: u32 = 1 << 18;
/// `IORING_SETUP_SQE_MIXED`: 64- and 128-byte SQEs in one ring.
pub const IORING_SETUP_SQE_MIXED: u32 = 1 << 19;
/// `IORING_SETUP_SQ_REWIND`: SQEs are always fetched from index 0.
pub const IORING_SETUP_SQ_REWIND: u32 = 1 << 20;

/// `enum io_uring_op` (the C enum's type; its values are the `u8` `IORING_OP_*` constants).
pub type io_uring_op = c_uint;
/// `IORING_OP_NOP`: no operation.
pub const IORING_OP_NOP: u8 = 0;
/// `IORING_OP_READV`: `preadv2(2)`.
pub const IORING_OP_READV: u8 = 1;
/// `IORING_OP_WRITEV`: `pwritev2(2)`.
pub const IORING_OP_WRITEV: u8 = 2;
/// `IORING_OP_FSYNC`: `fsync(2)`.
pub const IORING_OP_FSYNC: u8 = 3;
/// `IORING_OP_READ_FIXED`: read into a registered buffer.
pub const IORING_OP_READ_FIXED: u8 = 4;
/// `IORING_OP_WRITE_FIXED`: write from a registered buffer.
pub const IORING_OP_WRITE_FIXED: u8 = 5;
/// `IORING_OP_POLL_ADD`: poll an fd.
pub const IORING_OP_POLL_ADD: u8 = 6;
/// `IORING_OP_POLL_REMOVE`: remove or update a poll request.
pub const IORING_OP_POLL_REMOVE: u8 = 7;
/// `IORING_OP_SYNC_FILE_RANGE`: `sync_file_range(2)`.
pub const IORING_OP_SYNC_FILE_RANGE: u8 = 8;
/// `IORING_OP_SENDMSG`: `sendmsg(2)`.
pub const IORING_OP_SENDMSG: u8 = 9;
/// `IORING_OP_RECVMSG`: `recvmsg(2)`.
pub const IORING_OP_RECVMSG: u8 = 10;
/// `IORING_OP_TIMEOUT`: a timeout.
pub const IORING_OP_TIMEOUT: u8 = 11;
/// `IORING_OP_TIMEOUT_REMOVE`: remove or update a timeout.
pub const IORING_OP_TIMEOUT_REMOVE: u8 = 12;
/// `IORING_OP_ACCEPT`: `accept4(2)`.
pub const IORING_OP_ACCEPT: u8 = 13;
/// `IORING_OP_ASYNC_CANCEL`: cancel requests.
pub const IORING_OP_ASYNC_CANCEL: u8 = 14;
/// `IORING_OP_LINK_TIMEOUT`: a timeout for the previous linked SQE.
pub const IORING_OP_LINK_TIMEOUT: u8 = 15;
/// `IORING_OP_CONNECT`: `connect(2)`.
pub const IORING_OP_CONNECT: u8 = 16;
/// `IORING_OP_FALLOCATE`: `fallocate(2)`.
pub const IORING_OP_FALLOCATE: u8 = 17;
/// `IORING_OP_OPENAT`: `openat(2)`.
pub const IORING_OP_OPENAT: u8 = 18;
/// `IORING_OP_CLOSE`: `close(2)`.
pub const IORING_OP_CLOSE: u8 = 19;
/// `IORING_OP_FILES_UPDATE`: update registered files.
pub const IORING_OP_FILES_UPDATE: u8 = 20;
/// `IORING_OP_STATX`: `statx(2)`.
pub const IORING_OP_STATX: u8 = 21;
/// `IORING_OP_READ`: `pread(2)`.
pub const IORING_OP_READ: u8 = 22;
/// `IORING_OP_WRITE`: `pwrite(2)`.
pub const IORING_OP_WRITE: u8 = 23;
/// `IORING_OP_FADVISE`: `posix_fadvise(2)`.
pub const IORING_OP_FADVISE: u8 = 24;
/// `IORING_OP_MADVISE`: `madvise(2)`.
pub const IORING_OP_MADVISE: u8 = 25;
/// `IORING_OP_SEND`: `send(2)`.
pub const IORING_OP_SEND: u8 = 26;
/// `IORING_OP_RECV`: `recv(2)`.
pub const IORING_OP_RECV: u8 = 27;
/// `IORING_OP_OPENAT2`: `openat2(2)`.
pub const IORING_OP_OPENAT2: u8 = 28;
/// `IORING_OP_EPOLL_CTL`: `epoll_ctl(2)`.
pub const IORING_OP_EPOLL_CTL: u8 = 29;
/// `IORING_OP_SPLICE`: `splice(2)`.
pub const IORING_OP_SPLICE: u8 = 30;
/// `IORING_OP_PROVIDE_BUFFERS`: provide buffers to a group.
pub const IORING_OP_PROVIDE_BUFFERS: u8 = 31;
/// `IORING_OP_REMOVE_BUFFERS`: remove buffers from a group.
pub const IORING_OP_REMOVE_BUFFERS: u8 = 32;
/// `IORING_OP_TEE`: `tee(2)`.
pub const IORING_OP_TEE: u8 = 33;
/// `IORING_OP_SHUTDOWN`: `shutdown(2)`.
pub const IORING_OP_SHUTDOWN: u8 = 34;
/// `IORING_OP_RENAMEAT`: `renameat2(2)`.
pub const IORING_OP_RENAMEAT: u8 = 35;
/// `IORING_OP_UNLINKAT`: `unlinkat(2)`.
pub const IORING_OP_UNLINKAT: u8 = 36;
/// `IORING_OP_MKDIRAT`: `mkdirat(2)`.
pub const IORING_OP_MKDIRAT: u8 = 37;
/// `IORING_OP_SYMLINKAT`: `symlinkat(2)`.
pub const IORING_OP_SYMLINKAT: u8 = 38;
/// `IORING_OP_LINKAT`: `linkat(2)`.
pub const IORING_OP_LINKAT: u8 = 39;
/// `IORING_OP_MSG_RING`: post a CQE to (or pass an fd to) another ring.
pub const IORING_OP_MSG_RING: u8 = 40;
/// `IORING_OP_FSETXATTR`: `fsetxattr(2)`.
pub const IORING_OP_FSETXATTR: u8 = 41;
/// `IORING_OP_SETXATTR`: `setxattr(2)`.
pub const IORING_OP_SETXATTR: u8 = 42;
/// `IORING_OP_FGETXATTR`: `fgetxattr(2)`.
pub const IORING_OP_FGETXATTR: u8 = 43;
/// `IORING_OP_GETXATTR`: `getxattr(2)`.
pub const IORING_OP_GETXATTR: u8 = 44;
/// `IORING_OP_SOCKET`: `socket(2)`.
pub const IORING_OP_SOCKET: u8 = 45;
/// `IORING_OP_URING_CMD`: a driver/file-specific command.
pub const IORING_OP_URING_CMD: u8 = 46;
/// `IORING_OP_SEND_ZC`: zero-copy send.
pub const IORING_OP_SEND_ZC: u8 = 47;
/// `IORING_OP_SENDMSG_ZC`: zero-copy `sendmsg(2)`.
pub const IORING_OP_SENDMSG_ZC: u8 = 48;
/// `IORING_OP_READ_MULTISHOT`: multishot read with provided buffers.
pub const IORING_OP_READ_MULTISHOT: u8 = 49;
/// `IORING_OP_WAITID`: `waitid(2)`.
pub const IORING_OP_WAITID: u8 = 50;
/// `IORING_OP_FUTEX_WAIT`: futex wait.
pub const IORING_OP_FUTEX_WAIT: u8 = 51;
/// `IORING_OP_FUTEX_WAKE`: futex wake.
pub const IORING_OP_FUTEX_WAKE: u8 = 52;
/// `IORING_OP_FUTEX_WAITV`: `futex_waitv(2)`.
pub const IORING_OP_FUTEX_WAITV: u8 = 53;
/// `IORING_OP_FIXED_FD_INSTALL`: install a direct descriptor as a normal fd.
pub const IORING_OP_FIXED_FD_INSTALL: u8 = 54;
/// `IORING_OP_FTRUNCATE`: `ftruncate(2)`.
pub const IORING_OP_FTRUNCATE: u8 = 55;
/// `IORING_OP_BIND`: `bind(2)`.
pub const IORING_OP_BIND: u8 = 56;
/// `IORING_OP_LISTEN`: `listen(2)`.
pub const IORING_OP_LISTEN: u8 = 57;
/// `IORING_OP_RECV_ZC`: zero-copy receive.
pub const IORING_OP_RECV_ZC: u8 = 58;
/// `IORING_OP_EPOLL_WAIT`: `epoll_wait(2)`.
pub const IORING_OP_EPOLL_WAIT: u8 = 59;
/// `IORING_OP_READV_FIXED`: vectored read into registered buffers.
pub const IORING_OP_READV_FIXED: u8 = 60;
/// `IORING_OP_WRITEV_FIXED`: vectored write from registered buffers.
pub const IORING_OP_WRITEV_FIXED: u8 = 61;
/// `IORING_OP_PIPE`: `pipe2(2)`.
pub const IORING_OP_PIPE: u8 = 62;
/// `IORING_OP_NOP128`: no operation, in a 128-byte SQE.
pub const IORING_OP_NOP128: u8 = 63;
/// `IORING_OP_URING_CMD128`: `IORING_OP_URING_CMD` in a 128-byte SQE.
pub const IORING_OP_URING_CMD128: u8 = 64;
/// `IORING_OP_LAST`: one past the highest opcode this header knows (grows with the kernel).
pub const IORING_OP_LAST: u8 = 65;

/// `IORING_URING_CMD_FIXED` (`sqe.uring_cmd_flags`): use registered buffer `sqe.buf_index`.
pub const IORING_URING_CMD_FIXED: u32 = 1 << 0;
/// `IORING_URING_CMD_MULTISHOT` (Linux 7.2): multishot command; needs `IOSQE_BUFFER_SELECT`,
/// not combinable with `IORING_URING_CMD_FIXED`.
pub const IORING_URING_CMD_MULTISHOT: u32 = 1 << 1;
/// `IORING_URING_CMD_MASK`: every valid `sqe.uring_cmd_flags` bit (grows with the kernel).
pub const IORING_URING_CMD_MASK: u32 = IORING_URING_CMD_FIXED | IORING_URING_CMD_MULTISHOT;

/// `IORING_FSYNC_DATASYNC` (`sqe.fsync_flags`): `fdatasync(2)` semantics.
pub const IORING_FSYNC_DATASYNC: u32 = 1 << 0;

/// `IORING_TIMEOUT_ABS` (`sqe.timeout_flags`): absolute timeout.
pub const IORING_TIMEOUT_ABS: u32 = 1 << 0;
/// `IORING_TIMEOUT_UPDATE`: update an existing timeout.
pub const IORING_TIMEOUT_UPDATE: u32 = 1 << 1;
/// `IORING_TIMEOUT_BOOTTIME`: use `CLOCK_BOOTTIME`.
pub const IORING_TIMEOUT_BOOTTIME: u32 = 1 << 2;
/// `IORING_TIMEOUT_REALTIME`: use `CLOCK_REALTIME`.
pub const IORING_TIMEOUT_REALTIME: u32 = 1 << 3;
/// `IORING_LINK_TIMEOUT_UPDATE`: update an existing linked timeout.
pub const IORING_LINK_TIMEOUT_UPDATE: u32 = 1 << 4;
/// `IORING_TIMEOUT_ETIME_SUCCESS`: expiry completes with `-ETIME` treated as success.
pub const IORING_TIMEOUT_ETIME_SUCCESS: u32 = 1 << 5;
/// `IORING_TIMEOUT_MULTISHOT`: repeating timeout.
pub const IORING_TIMEOUT_MULTISHOT: u32 = 1 << 6;
/// `IORING_TIMEOUT_IMMEDIATE_ARG`: `sqe.addr` holds nanoseconds, not a timespec pointer.
pub const IORING_TIMEOUT_IMMEDIATE_ARG: u32 = 1 << 7;
/// `IORING_TIMEOUT_CLOCK_MASK`: the clock-selection bits.
pub const IORING_TIMEOUT_CLOCK_MASK: u32 = IORING_TIMEOUT_BOOTTIME | IORING_TIMEOUT_REALTIME;
/// `IORING_TIMEOUT_UPDATE_MASK`: the update bits.
pub const IORING_TIMEOUT_UPDATE_MASK: u32 = IORING_TIMEOUT_UPDATE | IORING_LINK_TIMEOUT_UPDATE;

/// `SPLICE_F_FD_IN_FIXED` (`sqe.splice_flags`): `splice_fd_in` is a fixed-file index.
pub const SPLICE_F_FD_IN_FIXED: u32 = 1 << 31;

/// `IORING_POLL_ADD_MULTI` (`sqe.len` of `IORING_OP_POLL_ADD`): multishot poll.
pub const IORING_POLL_ADD_MULTI: u32 = 1 << 0;
/// `IORING_POLL_UPDATE_EVENTS`: update the poll mask of an existing poll.
pub const IORING_POLL_UPDATE_EVENTS: u32 = 1 << 1;
/// `IORING_POLL_UPDATE_USER_DATA`: update the `user_data` of an existing poll.
pub const IORING_POLL_UPDATE_USER_DATA: u32 = 1 << 2;
/// `IORING_POLL_ADD_LEVEL`: level-triggered poll.
pub const IORING_POLL_ADD_LEVEL: u32 = 1 << 3;

/// `IORING_ASYNC_CANCEL_ALL` (`sqe.cancel_flags`): cancel every match.
pub const IORING_ASYNC_CANCEL_ALL: u32 = 1 << 0;
/// `IORING_ASYNC_CANCEL_FD`: match on `sqe.fd`.
pub const IORING_ASYNC_CANCEL_FD: u32 = 1 << 1;
/// `IORING_ASYNC_CANCEL_ANY`: match any request.
pub const IORING_ASYNC_CANCEL_ANY: u32 = 1 << 2;
/// `IORING_ASYNC_CANCEL_FD_FIXED`: `sqe.fd` is a fixed-file index.
pub const IORING_ASYNC_CANCEL_FD_FIXED: u32 = 1 << 3;
/// `IORING_ASYNC_CANCEL_USERDATA`: match on `user_data`.
pub const IORING_ASYNC_CANCEL_USERDATA: u32 = 1 << 4;
/// `IORING_ASYNC_CANCEL_OP`: match on opcode.
pub const IORING_ASYNC_CANCEL_OP: u32 = 1 << 5;

/// `IORING_RECVSEND_POLL_FIRST` (`sqe.ioprio` of send/recv): arm poll before trying.
pub const IORING_RECVSEND_POLL_FIRST: u16 = 1 << 0;
/// `IORING_RECV_MULTISHOT`: multishot receive.
pub const IORING_RECV_MULTISHOT: u16 = 1 << 1;
/// `IORING_RECVSEND_FIXED_BUF`: use registered buffer `sqe.buf_index`.
pub const IORING_RECVSEND_FIXED_BUF: u16 = 1 << 2;
/// `IORING_SEND_ZC_REPORT_USAGE`: report in the notification whether data was copied.
pub const IORING_SEND_ZC_REPORT_USAGE: u16 = 1 << 3;
/// `IORING_RECVSEND_BUNDLE`: send/receive several provided buffers at once.
pub const IORING_RECVSEND_BUNDLE: u16 = 1 << 4;
/// `IORING_SEND_VECTORIZED`: `sqe.addr` points to an iovec array.
pub const IORING_SEND_VECTORIZED: u16 = 1 << 5;

/// `IORING_NOTIF_USAGE_ZC_COPIED` (bit of `cqe.res` of a notification; compare `res as u32`):
/// the data was copied.
pub const IORING_NOTIF_USAGE_ZC_COPIED: u32 = 1 << 31;

/// `IORING_ACCEPT_MULTISHOT` (`sqe.ioprio` of accept): multishot accept.
pub const IORING_ACCEPT_MULTISHOT: u16 = 1 << 0;
/// `IORING_ACCEPT_DONTWAIT`: fail with `-EAGAIN` instead of waiting.
pub const IORING_ACCEPT_DONTWAIT: u16 = 1 << 1;
/// `IORING_ACCEPT_POLL_FIRST`: arm poll before trying.
pub const IORING_ACCEPT_POLL_FIRST: u16 = 1 << 2;

/// `enum io_uring_msg_ring_flags` (the C enum's type; values `IORING_MSG_*`, go in `sqe.addr`).
pub type io_uring_msg_ring_flags = c_uint;
/// `IORING_MSG_DATA` (`sqe.addr` of `IORING_OP_MSG_RING`): post a CQE with `len`/`off`.
pub const IORING_MSG_DATA: u64 = 0;
/// `IORING_MSG_SEND_FD`: pass a fixed file to the target ring.
pub const IORING_MSG_SEND_FD: u64 = 1;

/// `IORING_MSG_RING_CQE_SKIP` (`sqe.msg_ring_flags`): post no CQE to the target ring.
pub const IORING_MSG_RING_CQE_SKIP: u32 = 1 << 0;
/// `IORING_MSG_RING_FLAGS_PASS`: pass `sqe.file_index` as the target CQE's flags.
pub const IORING_MSG_RING_FLAGS_PASS: u32 = 1 << 1;

/// `IORING_FIXED_FD_NO_CLOEXEC` (`sqe.install_fd_flags`): install without `O_CLOEXEC`.
pub const IORING_FIXED_FD_NO_CLOEXEC: u32 = 1 << 0;

/// `IORING_NOP_INJECT_RESULT` (`sqe.nop_flags`): complete with `sqe.len` as the result.
pub const IORING_NOP_INJECT_RESULT: u32 = 1 << 0;
/// `IORING_NOP_FILE` (kernel header only): resolve `sqe.fd` as a file.
pub const IORING_NOP_FILE: u32 = 1 << 1;
/// `IORING_NOP_FIXED_FILE` (kernel header only): `sqe.fd` is a fixed-file index.
pub const IORING_NOP_FIXED_FILE: u32 = 1 << 2;
/// `IORING_NOP_FIXED_BUFFER` (kernel header only): look up registered buffer `sqe.buf_index`.
pub const IORING_NOP_FIXED_BUFFER: u32 = 1 << 3;
/// `IORING_NOP_TW` (kernel header only): complete through task work.
pub const IORING_NOP_TW: u32 = 1 << 4;
/// `IORING_NOP_CQE32`: post a 32-byte CQE.
pub const IORING_NOP_CQE32: u32 = 1 << 5;

// ---------------------------------------------------------------------------------------------
// struct io_uring_cqe
// ---------------------------------------------------------------------------------------------

/// `struct io_uring_cqe`: a completion queue entry.
///
/// 16 bytes, or 32 under `IORING_SETUP_CQE32` (and for CQEs flagged `IORING_CQE_F_32` under
/// `IORING_SETUP_CQE_MIXED`). For a 32-byte CQE the two extra `u64` follow `flags` in the ring;
/// `big_cqe` mirrors C's `__u64 big_cqe[]` as a zero-length array, so read them through a raw
/// pointer derived from the ring mapping, never from a copied `io_uring_cqe`:
/// `core::ptr::addr_of!((*cqe).big_cqe).cast::<u64>().add(i).read()` for `i` in `0..2`, where
/// `cqe: *const io_uring_cqe` points at the CQE in the mapped CQ ring.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_cqe {
    /// `user_data`: the SQE's `user_data`.
    pub user_data: u64,
    /// `res`: the result, or `-errno`.
    pub res: i32,
    /// `flags`: `IORING_CQE_F_*` bits, and a buffer id above `IORING_CQE_BUFFER_SHIFT`.
    pub flags: u32,
    /// `big_cqe` (C flexible array `__u64 big_cqe[]`): the extra 16 bytes of a 32-byte CQE.
    pub big_cqe: [u64; 0],
}
layout!(io_uring_cqe, size 16, align U64, user_data = 0, res = 8, flags = 12, big_cqe = 16);
zeroable!(io_uring_cqe);

/// `IORING_CQE_F_BUFFER` (`cqe.flags`): the upper 16 bits hold a provided-buffer id.
pub const IORING_CQE_F_BUFFER: u32 = 1 << 0;
/// `IORING_CQE_F_MORE`: the request will post more CQEs.
pub const IORING_CQE_F_MORE: u32 = 1 << 1;
/// `IORING_CQE_F_SOCK_NONEMPTY`: more data is waiting on the socket.
pub const IORING_CQE_F_SOCK_NONEMPTY: u32 = 1 << 2;
/// `IORING_CQE_F_NOTIF`: a zero-copy notification CQE.
pub const IORING_CQE_F_NOTIF: u32 = 1 << 3;
/// `IORING_CQE_F_BUF_MORE`: the provided buffer is only partly consumed.
pub const IORING_CQE_F_BUF_MORE: u32 = 1 << 4;
/// `IORING_CQE_F_SKIP`: a filler CQE to ignore (mixed-size rings).
pub const IORING_CQE_F_SKIP: u32 = 1 << 5;
/// `IORING_CQE_F_32`: this CQE is 32 bytes (mixed-size rings).
pub const IORING_CQE_F_32: u32 = 1 << 15;

/// `IORING_CQE_BUFFER_SHIFT`: shift of the buffer id in `cqe.flags`.
pub const IORING_CQE_BUFFER_SHIFT: u32 = 16;

/// `IORING_OFF_SQ_RING`: `mmap(2)` offset of the SQ ring.
pub const IORING_OFF_SQ_RING: u64 = 0;
/// `IORING_OFF_CQ_RING`: `mmap(2)` offset of the CQ ring.
pub const IORING_OFF_CQ_RING: u64 = 0x8000000;
/// `IORING_OFF_SQES`: `mmap(2)` offset of the SQE array.
pub const IORING_OFF_SQES: u64 = 0x10000000;
/// `IORING_OFF_PBUF_RING`: `mmap(2)` offset of kernel-allocated buffer rings.
pub const IORING_OFF_PBUF_RING: u64 = 0x80000000;
/// `IORING_OFF_PBUF_SHIFT`: shift of the buffer group id in a `IORING_OFF_PBUF_RING` offset.
pub const IORING_OFF_PBUF_SHIFT: u32 = 16;
/// `IORING_OFF_MMAP_MASK`: the bits of an `mmap(2)` offset that select the region.
pub const IORING_OFF_MMAP_MASK: u64 = 0xf8000000;

/// `struct io_sqring_offsets`: offsets of the SQ ring fields in its mapping.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_sqring_offsets {
    /// `head`.
    pub head: u32,
    /// `tail`.
    pub tail: u32,
    /// `ring_mask`.
    pub ring_mask: u32,
    /// `ring_entries`.
    pub ring_entries: u32,
    /// `flags` (`IORING_SQ_*`).
    pub flags: u32,
    /// `dropped`: count of invalid SQEs dropped.
    pub dropped: u32,
    /// `array`: the SQ index array.
    pub array: u32,
    /// `resv1`.
    pub resv1: u32,
    /// `user_addr`: ring memory address under `IORING_SETUP_NO_MMAP`.
    pub user_addr: u64,
}
layout!(io_sqring_offsets, size 40, align U64,
    head = 0, tail = 4, ring_mask = 8, ring_entries = 12, flags = 16, dropped = 20, array = 24,
    resv1 = 28, user_addr = 32);
zeroable!(io_sqring_offsets);

/// `IORING_SQ_NEED_WAKEUP` (SQ ring `flags`): the SQ poll thread sleeps; wake it.
pub const IORING_SQ_NEED_WAKEUP: u32 = 1 << 0;
/// `IORING_SQ_CQ_OVERFLOW`: the CQ ring overflowed.
pub const IORING_SQ_CQ_OVERFLOW: u32 = 1 << 1;
/// `IORING_SQ_TASKRUN`: task work is pending; enter the kernel.
pub const IORING_SQ_TASKRUN: u32 = 1 << 2;

/// `struct io_cqring_offsets`: offsets of the CQ ring fields in its mapping.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_cqring_offsets {
    /// `head`.
    pub head: u32,
    /// `tail`.
    pub tail: u32,
    /// `ring_mask`.
    pub ring_mask: u32,
    /// `ring_entries`.
    pub ring_entries: u32,
    /// `overflow`: count of CQEs lost to overflow.
    pub overflow: u32,
    /// `cqes`: the CQE array.
    pub cqes: u32,
    /// `flags` (`IORING_CQ_*`).
    pub flags: u32,
    /// `resv1`.
    pub resv1: u32,
    /// `user_addr`: ring memory address under `IORING_SETUP_NO_MMAP`.
    pub user_addr: u64,
}
layout!(io_cqring_offsets, size 40, align U64,
    head = 0, tail = 4, ring_mask = 8, ring_entries = 12, overflow = 16, cqes = 20, flags = 24,
    resv1 = 28, user_addr = 32);
zeroable!(io_cqring_offsets);

/// `IORING_CQ_EVENTFD_DISABLED` (CQ ring `flags`): suppress eventfd notifications.
pub const IORING_CQ_EVENTFD_DISABLED: u32 = 1 << 0;

/// `IORING_ENTER_GETEVENTS` (`io_uring_enter(2)` flags): wait for `min_complete` CQEs.
pub const IORING_ENTER_GETEVENTS: u32 = 1 << 0;
/// `IORING_ENTER_SQ_WAKEUP`: wake the SQ poll thread.
pub const IORING_ENTER_SQ_WAKEUP: u32 = 1 << 1;
/// `IORING_ENTER_SQ_WAIT`: wait for SQ space.
pub const IORING_ENTER_SQ_WAIT: u32 = 1 << 2;
/// `IORING_ENTER_EXT_ARG`: the last argument is a `struct io_uring_getevents_arg`.
pub const IORING_ENTER_EXT_ARG: u32 = 1 << 3;
/// `IORING_ENTER_REGISTERED_RING`: `fd` is a registered ring index.
pub const IORING_ENTER_REGISTERED_RING: u32 = 1 << 4;
/// `IORING_ENTER_ABS_TIMER`: the wait timeout is absolute.
pub const IORING_ENTER_ABS_TIMER: u32 = 1 << 5;
/// `IORING_ENTER_EXT_ARG_REG`: the argument is an offset into a registered wait region.
pub const IORING_ENTER_EXT_ARG_REG: u32 = 1 << 6;
/// `IORING_ENTER_NO_IOWAIT`: do not account the wait as iowait.
pub const IORING_ENTER_NO_IOWAIT: u32 = 1 << 7;

/// `struct io_uring_params`: in/out argument of `io_uring_setup(2)`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_params {
    /// `sq_entries`.
    pub sq_entries: u32,
    /// `cq_entries`.
    pub cq_entries: u32,
    /// `flags` (`IORING_SETUP_*`).
    pub flags: u32,
    /// `sq_thread_cpu`.
    pub sq_thread_cpu: u32,
    /// `sq_thread_idle` (milliseconds).
    pub sq_thread_idle: u32,
    /// `features` (`IORING_FEAT_*`, written by the kernel).
    pub features: u32,
    /// `wq_fd`: ring to share io-wq with (`IORING_SETUP_ATTACH_WQ`).
    pub wq_fd: u32,
    /// `resv`.
    pub resv: [u32; 3],
    /// `sq_off`.
    pub sq_off: io_sqring_offsets,
    /// `cq_off`.
    pub cq_off: io_cqring_offsets,
}
layout!(io_uring_params, size 120, align U64,
    sq_entries = 0, cq_entries = 4, flags = 8, sq_thread_cpu = 12, sq_thread_idle = 16,
    features = 20, wq_fd = 24, resv = 28, sq_off = 40, cq_off = 80);
zeroable!(io_uring_params);

/// `IORING_FEAT_SINGLE_MMAP` (`params.features`): SQ and CQ rings share one mapping.
pub const IORING_FEAT_SINGLE_MMAP: u32 = 1 << 0;
/// `IORING_FEAT_NODROP`: CQEs are never dropped on overflow.
pub const IORING_FEAT_NODROP: u32 = 1 << 1;
/// `IORING_FEAT_SUBMIT_STABLE`: submitted data need not stay valid after submit.
pub const IORING_FEAT_SUBMIT_STABLE: u32 = 1 << 2;
/// `IORING_FEAT_RW_CUR_POS`: offset -1 means the current file position.
pub const IORING_FEAT_RW_CUR_POS: u32 = 1 << 3;
/// `IORING_FEAT_CUR_PERSONALITY`: requests use the submitter's credentials.
pub const IORING_FEAT_CUR_PERSONALITY: u32 = 1 << 4;
/// `IORING_FEAT_FAST_POLL`: internal poll instead of io-wq for pollable files.
pub const IORING_FEAT_FAST_POLL: u32 = 1 << 5;
/// `IORING_FEAT_POLL_32BITS`: 32-bit poll masks.
pub const IORING_FEAT_POLL_32BITS: u32 = 1 << 6;
/// `IORING_FEAT_SQPOLL_NONFIXED`: SQ polling without registered files.
pub const IORING_FEAT_SQPOLL_NONFIXED: u32 = 1 << 7;
/// `IORING_FEAT_EXT_ARG`: `IORING_ENTER_EXT_ARG` is supported.
pub const IORING_FEAT_EXT_ARG: u32 = 1 << 8;
/// `IORING_FEAT_NATIVE_WORKERS`: io-wq workers are native threads.
pub const IORING_FEAT_NATIVE_WORKERS: u32 = 1 << 9;
/// `IORING_FEAT_RSRC_TAGS`: registered resources can carry tags.
pub const IORING_FEAT_RSRC_TAGS: u32 = 1 << 10;
/// `IORING_FEAT_CQE_SKIP`: `IOSQE_CQE_SKIP_SUCCESS` is supported.
pub const IORING_FEAT_CQE_SKIP: u32 = 1 << 11;
/// `IORING_FEAT_LINKED_FILE`: linked requests resolve files lazily.
pub const IORING_FEAT_LINKED_FILE: u32 = 1 << 12;
/// `IORING_FEAT_REG_REG_RING`: registration works through a registered ring fd.
pub const IORING_FEAT_REG_REG_RING: u32 = 1 << 13;
/// `IORING_FEAT_RECVSEND_BUNDLE`: `IORING_RECVSEND_BUNDLE` is supported.
pub const IORING_FEAT_RECVSEND_BUNDLE: u32 = 1 << 14;
/// `IORING_FEAT_MIN_TIMEOUT`: `min_wait_usec` is supported.
pub const IORING_FEAT_MIN_TIMEOUT: u32 = 1 << 15;
/// `IORING_FEAT_RW_ATTR`: read/write attributes (`attr_ptr`) are supported.
pub const IORING_FEAT_RW_ATTR: u32 = 1 << 16;
/// `IORING_FEAT_NO_IOWAIT`: `IORING_ENTER_NO_IOWAIT` is supported.
pub const IORING_FEAT_NO_IOWAIT: u32 = 1 << 17;

/// `enum io_uring_register_op` (the C enum's type; values `IORING_REGISTER_*`, the `opcode`
/// argument of `io_uring_register(2)`).
pub type io_uring_register_op = c_uint;
/// `IORING_REGISTER_BUFFERS`.
pub const IORING_REGISTER_BUFFERS: c_uint = 0;
/// `IORING_UNREGISTER_BUFFERS`.
pub const IORING_UNREGISTER_BUFFERS: c_uint = 1;
/// `IORING_REGISTER_FILES`.
pub const IORING_REGISTER_FILES: c_uint = 2;
/// `IORING_UNREGISTER_FILES`.
pub const IORING_UNREGISTER_FILES: c_uint = 3;
/// `IORING_REGISTER_EVENTFD`.
pub const IORING_REGISTER_EVENTFD: c_uint = 4;
/// `IORING_UNREGISTER_EVENTFD`.
pub const IORING_UNREGISTER_EVENTFD: c_uint = 5;
/// `IORING_REGISTER_FILES_UPDATE`.
pub const IORING_REGISTER_FILES_UPDATE: c_uint = 6;
/// `IORING_REGISTER_EVENTFD_ASYNC`.
pub const IORING_REGISTER_EVENTFD_ASYNC: c_uint = 7;
/// `IORING_REGISTER_PROBE`.
pub const IORING_REGISTER_PROBE: c_uint = 8;
/// `IORING_REGISTER_PERSONALITY`.
pub const IORING_REGISTER_PERSONALITY: c_uint = 9;
/// `IORING_UNREGISTER_PERSONALITY`.
pub const IORING_UNREGISTER_PERSONALITY: c_uint = 10;
/// `IORING_REGISTER_RESTRICTIONS`.
pub const IORING_REGISTER_RESTRICTIONS: c_uint = 11;
/// `IORING_REGISTER_ENABLE_RINGS`.
pub const IORING_REGISTER_ENABLE_RINGS: c_uint = 12;
/// `IORING_REGISTER_FILES2`: register files with tags.
pub const IORING_REGISTER_FILES2: c_uint = 13;
/// `IORING_REGISTER_FILES_UPDATE2`: update files with tags.
pub const IORING_REGISTER_FILES_UPDATE2: c_uint = 14;
/// `IORING_REGISTER_BUFFERS2`: register buffers with tags.
pub const IORING_REGISTER_BUFFERS2: c_uint = 15;
/// `IORING_REGISTER_BUFFERS_UPDATE`: update buffers with tags.
pub const IORING_REGISTER_BUFFERS_UPDATE: c_uint = 16;
/// `IORING_REGISTER_IOWQ_AFF`: set io-wq CPU affinity.
pub const IORING_REGISTER_IOWQ_AFF: c_uint = 17;
/// `IORING_UNREGISTER_IOWQ_AFF`: clear io-wq CPU affinity.
pub const IORING_UNREGISTER_IOWQ_AFF: c_uint = 18;
/// `IORING_REGISTER_IOWQ_MAX_WORKERS`: set/get io-wq worker limits.
pub const IORING_REGISTER_IOWQ_MAX_WORKERS: c_uint = 19;
/// `IORING_REGISTER_RING_FDS`: register ring fds.
pub const IORING_REGISTER_RING_FDS: c_uint = 20;
/// `IORING_UNREGISTER_RING_FDS`: unregister ring fds.
pub const IORING_UNREGISTER_RING_FDS: c_uint = 21;
/// `IORING_REGISTER_PBUF_RING`: register a provided-buffer ring.
pub const IORING_REGISTER_PBUF_RING: c_uint = 22;
/// `IORING_UNREGISTER_PBUF_RING`: unregister a provided-buffer ring.
pub const IORING_UNREGISTER_PBUF_RING: c_uint = 23;
/// `IORING_REGISTER_SYNC_CANCEL`: synchronous cancel.
pub const IORING_REGISTER_SYNC_CANCEL: c_uint = 24;
/// `IORING_REGISTER_FILE_ALLOC_RANGE`: range for automatic fixed-file allocation.
pub const IORING_REGISTER_FILE_ALLOC_RANGE: c_uint = 25;
/// `IORING_REGISTER_PBUF_STATUS`: buffer-ring head query.
pub const IORING_REGISTER_PBUF_STATUS: c_uint = 26;
/// `IORING_REGISTER_NAPI`: enable NAPI busy polling.
pub const IORING_REGISTER_NAPI: c_uint = 27;
/// `IORING_UNREGISTER_NAPI`: disable NAPI busy polling.
pub const IORING_UNREGISTER_NAPI: c_uint = 28;
/// `IORING_REGISTER_CLOCK`: choose the wait clock.
pub const IORING_REGISTER_CLOCK: c_uint = 29;
/// `IORING_REGISTER_CLONE_BUFFERS`: clone registered buffers from another ring.
pub const IORING_REGISTER_CLONE_BUFFERS: c_uint = 30;
/// `IORING_REGISTER_SEND_MSG_RING`: `IORING_OP_MSG_RING` without a source ring.
pub const IORING_REGISTER_SEND_MSG_RING: c_uint = 31;
/// `IORING_REGISTER_ZCRX_IFQ`: register a zero-copy receive queue.
pub const IORING_REGISTER_ZCRX_IFQ: c_uint = 32;
/// `IORING_REGISTER_RESIZE_RINGS`: resize the rings.
pub const IORING_REGISTER_RESIZE_RINGS: c_uint = 33;
/// `IORING_REGISTER_MEM_REGION`: register a memory region.
pub const IORING_REGISTER_MEM_REGION: c_uint = 34;
/// `IORING_REGISTER_QUERY`: query io_uring capabilities.
pub const IORING_REGISTER_QUERY: c_uint = 35;
/// `IORING_REGISTER_ZCRX_CTRL`: zero-copy receive control.
pub const IORING_REGISTER_ZCRX_CTRL: c_uint = 36;
/// `IORING_REGISTER_BPF_FILTER`: register BPF filters.
pub const IORING_REGISTER_BPF_FILTER: c_uint = 37;
/// `IORING_REGISTER_LAST`: one past the highest register opcode (grows with the kernel).
pub const IORING_REGISTER_LAST: c_uint = 38;
/// `IORING_REGISTER_USE_REGISTERED_RING`: or-ed into the opcode: `fd` is a registered index.
pub const IORING_REGISTER_USE_REGISTERED_RING: c_uint = 1 << 31;

/// `enum io_wq_type` (the C enum's type; values `IO_WQ_*`, indices into the
/// `IORING_REGISTER_IOWQ_MAX_WORKERS` array).
pub type io_wq_type = c_uint;
/// `IO_WQ_BOUND`: bounded workers.
pub const IO_WQ_BOUND: c_uint = 0;
/// `IO_WQ_UNBOUND`: unbounded workers.
pub const IO_WQ_UNBOUND: c_uint = 1;

/// `struct io_uring_files_update` (deprecated form of `io_uring_rsrc_update`).
///
/// C's `__aligned_u64` field makes the struct 8-aligned on every target; `align(8)` mirrors it.
#[repr(C, align(8))]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_files_update {
    /// `offset`.
    pub offset: u32,
    /// `resv`.
    pub resv: u32,
    /// `fds` (`__aligned_u64`): address of an `__s32` fd array.
    pub fds: u64,
}
layout!(io_uring_files_update, size 16, align 8, offset = 0, resv = 4, fds = 8);
zeroable!(io_uring_files_update);

/// `IORING_MEM_REGION_TYPE_USER` (`io_uring_region_desc.flags`): user memory at `user_addr`.
pub const IORING_MEM_REGION_TYPE_USER: u32 = 1;

/// `struct io_uring_region_desc`: describes a memory region.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_region_desc {
    /// `user_addr`.
    pub user_addr: u64,
    /// `size`.
    pub size: u64,
    /// `flags` (`IORING_MEM_REGION_TYPE_*`).
    pub flags: u32,
    /// `id`.
    pub id: u32,
    /// `mmap_offset` (written by the kernel).
    pub mmap_offset: u64,
    /// `__resv`.
    pub __resv: [u64; 4],
}
layout!(io_uring_region_desc, size 64, align U64,
    user_addr = 0, size = 8, flags = 16, id = 20, mmap_offset = 24, __resv = 32);
zeroable!(io_uring_region_desc);

/// `IORING_MEM_REGION_REG_WAIT_ARG` (`io_uring_mem_region_reg.flags`): use the region for
/// registered wait arguments.
pub const IORING_MEM_REGION_REG_WAIT_ARG: u64 = 1;

/// `struct io_uring_mem_region_reg`: argument of `IORING_REGISTER_MEM_REGION`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_mem_region_reg {
    /// `region_uptr`: address of a `struct io_uring_region_desc`.
    pub region_uptr: u64,
    /// `flags` (`IORING_MEM_REGION_REG_*`).
    pub flags: u64,
    /// `__resv`.
    pub __resv: [u64; 2],
}
layout!(io_uring_mem_region_reg, size 32, align U64, region_uptr = 0, flags = 8, __resv = 16);
zeroable!(io_uring_mem_region_reg);

/// `IORING_RSRC_REGISTER_SPARSE` (`io_uring_rsrc_register.flags`): register empty slots.
pub const IORING_RSRC_REGISTER_SPARSE: u32 = 1 << 0;

/// `struct io_uring_rsrc_register`: argument of `IORING_REGISTER_FILES2`/`BUFFERS2`.
#[repr(C, align(8))]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_rsrc_register {
    /// `nr`.
    pub nr: u32,
    /// `flags` (`IORING_RSRC_REGISTER_*`).
    pub flags: u32,
    /// `resv2`.
    pub resv2: u64,
    /// `data` (`__aligned_u64`): address of the fd or iovec array.
    pub data: u64,
    /// `tags` (`__aligned_u64`): address of the `u64` tag array.
    pub tags: u64,
}
layout!(io_uring_rsrc_register, size 32, align 8, nr = 0, flags = 4, resv2 = 8, data = 16, tags = 24);
zeroable!(io_uring_rsrc_register);

/// `struct io_uring_rsrc_update`: argument of `IORING_REGISTER_FILES_UPDATE`.
#[repr(C, align(8))]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_rsrc_update {
    /// `offset`.
    pub offset: u32,
    /// `resv`.
    pub resv: u32,
    /// `data` (`__aligned_u64`).
    pub data: u64,
}
layout!(io_uring_rsrc_update, size 16, align 8, offset = 0, resv = 4, data = 8);
zeroable!(io_uring_rsrc_update);

/// `struct io_uring_rsrc_update2`: argument of `IORING_REGISTER_FILES_UPDATE2`/`BUFFERS_UPDATE`.
#[repr(C, align(8))]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_rsrc_update2 {
    /// `offset`.
    pub offset: u32,
    /// `resv`.
    pub resv: u32,
    /// `data` (`__aligned_u64`).
    pub data: u64,
    /// `tags` (`__aligned_u64`).
    pub tags: u64,
    /// `nr`.
    pub nr: u32,
    /// `resv2`.
    pub resv2: u32,
}
layout!(io_uring_rsrc_update2, size 32, align 8,
    offset = 0, resv = 4, data = 8, tags = 16, nr = 24, resv2 = 28);
zeroable!(io_uring_rsrc_update2);

/// `IORING_REGISTER_FILES_SKIP` (an entry of the `__s32` fd array): leave this slot unchanged.
pub const IORING_REGISTER_FILES_SKIP: i32 = -2;

/// `IO_URING_OP_SUPPORTED` (`io_uring_probe_op.flags`): the opcode is supported.
pub const IO_URING_OP_SUPPORTED: u16 = 1 << 0;

/// `struct io_uring_probe_op`: one opcode's entry in a probe.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_probe_op {
    /// `op`.
    pub op: u8,
    /// `resv`.
    pub resv: u8,
    /// `flags` (`IO_URING_OP_*`).
    pub flags: u16,
    /// `resv2`.
    pub resv2: u32,
}
layout!(io_uring_probe_op, size 8, align 4, op = 0, resv = 1, flags = 2, resv2 = 4);
zeroable!(io_uring_probe_op);

/// `struct io_uring_probe`: result of `IORING_REGISTER_PROBE`.
///
/// `ops` mirrors C's flexible array `ops[]`: allocate this header followed by `ops_len`
/// `io_uring_probe_op`s and reach them through a pointer derived from the whole allocation.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_probe {
    /// `last_op`: the highest opcode the kernel knows.
    pub last_op: u8,
    /// `ops_len`: number of `ops` entries filled in.
    pub ops_len: u8,
    /// `resv`.
    pub resv: u16,
    /// `resv2`.
    pub resv2: [u32; 3],
    /// `ops` (C flexible array `ops[]`).
    pub ops: [io_uring_probe_op; 0],
}
layout!(io_uring_probe, size 16, align 4, last_op = 0, ops_len = 1, resv = 2, resv2 = 4, ops = 16);
zeroable!(io_uring_probe);

/// `struct io_uring_restriction`: one entry of `IORING_REGISTER_RESTRICTIONS`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_restriction {
    /// `opcode` (`IORING_RESTRICTION_*`).
    pub opcode: u16,
    /// The anonymous union holding `register_op` / `sqe_op` / `sqe_flags`.
    pub register_op_union: io_uring_restriction_register_op_union,
    /// `resv`.
    pub resv: u8,
    /// `resv2`.
    pub resv2: [u32; 3],
}

/// The anonymous union in `io_uring_restriction`.
#[repr(C)]
#[derive(Copy, Clone)]
pub union io_uring_restriction_register_op_union {
    /// `register_op`: an allowed `IORING_REGISTER_*` opcode.
    pub register_op: u8,
    /// `sqe_op`: an allowed `IORING_OP_*` opcode.
    pub sqe_op: u8,
    /// `sqe_flags`: allowed or required `IOSQE_*` flags.
    pub sqe_flags: u8,
}
layout!(io_uring_restriction, size 16, align 4,
    opcode = 0, register_op_union = 2, register_op_union.register_op = 2,
    register_op_union.sqe_op = 2, register_op_union.sqe_flags = 2, resv = 3, resv2 = 4);
layout!(io_uring_restriction_register_op_union, size 1, align 1,
    register_op = 0, sqe_op = 0, sqe_flags = 0);
zeroable!(io_uring_restriction, io_uring_restriction_register_op_union);
union_debug!(io_uring_restriction_register_op_union);

/// `struct io_uring_task_restriction`: a restriction set header followed by `nr_res` entries.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_task_restriction {
    /// `flags`.
    pub flags: u16,
    /// `nr_res`: number of `restrictions` entries.
    pub nr_res: u16,
    /// `resv`.
    pub resv: [u32; 3],
    /// `restrictions` (C `restrictions[0]`): the entries that follow.
    pub restrictions: [io_uring_restriction; 0],
}
layout!(io_uring_task_restriction, size 16, align 4,
    flags = 0, nr_res = 2, resv = 4, restrictions = 16);
zeroable!(io_uring_task_restriction);

/// `struct io_uring_clock_register`: argument of `IORING_REGISTER_CLOCK`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_clock_register {
    /// `clockid`: `CLOCK_MONOTONIC` or `CLOCK_BOOTTIME`.
    pub clockid: u32,
    /// `__resv`.
    pub __resv: [u32; 3],
}
layout!(io_uring_clock_register, size 16, align 4, clockid = 0, __resv = 4);
zeroable!(io_uring_clock_register);

/// `IORING_REGISTER_SRC_REGISTERED` (`io_uring_clone_buffers.flags`): `src_fd` is a registered
/// ring index.
pub const IORING_REGISTER_SRC_REGISTERED: u32 = 1 << 0;
/// `IORING_REGISTER_DST_REPLACE`: replace existing buffers in the destination.
pub const IORING_REGISTER_DST_REPLACE: u32 = 1 << 1;

/// `struct io_uring_clone_buffers`: argument of `IORING_REGISTER_CLONE_BUFFERS`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_clone_buffers {
    /// `src_fd`.
    pub src_fd: u32,
    /// `flags` (`IORING_REGISTER_SRC_REGISTERED`, `IORING_REGISTER_DST_REPLACE`).
    pub flags: u32,
    /// `src_off`.
    pub src_off: u32,
    /// `dst_off`.
    pub dst_off: u32,
    /// `nr`.
    pub nr: u32,
    /// `pad`.
    pub pad: [u32; 3],
}
layout!(io_uring_clone_buffers, size 32, align 4,
    src_fd = 0, flags = 4, src_off = 8, dst_off = 12, nr = 16, pad = 20);
zeroable!(io_uring_clone_buffers);

/// `struct io_uring_buf`: one entry of a provided-buffer ring.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_buf {
    /// `addr`.
    pub addr: u64,
    /// `len`.
    pub len: u32,
    /// `bid`: buffer id, returned in `cqe.flags`.
    pub bid: u16,
    /// `resv` (overlaid by the ring's `tail` in entry 0).
    pub resv: u16,
}
layout!(io_uring_buf, size 16, align U64, addr = 0, len = 8, bid = 12, resv = 14);
zeroable!(io_uring_buf);

/// `struct io_uring_buf_ring`: a provided-buffer ring; its `tail` overlays entry 0's `resv`.
///
/// Entry `i` lives at `bufs[i]`; reach it through a pointer derived from the whole ring mapping
/// (`addr_of_mut!((*ring).resv1_struct_union.bufs).cast::<io_uring_buf>().add(i)`).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_buf_ring {
    /// The anonymous union of the `tail` struct and `bufs`.
    pub resv1_struct_union: io_uring_buf_ring_resv1_struct_union,
}

/// The anonymous union in `io_uring_buf_ring`.
#[repr(C)]
#[derive(Copy, Clone)]
pub union io_uring_buf_ring_resv1_struct_union {
    /// The anonymous struct holding `resv1` / `resv2` / `resv3` / `tail`.
    pub resv1_struct: io_uring_buf_ring_resv1_struct_union_resv1_struct,
    /// `bufs` (C `struct io_uring_buf bufs[0]`): the ring entries.
    pub bufs: [io_uring_buf; 0],
}

/// The anonymous struct in `io_uring_buf_ring`'s union.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_buf_ring_resv1_struct_union_resv1_struct {
    /// `resv1`.
    pub resv1: u64,
    /// `resv2`.
    pub resv2: u32,
    /// `resv3`.
    pub resv3: u16,
    /// `tail`: written by the application (release), read by the kernel.
    pub tail: u16,
}
layout!(io_uring_buf_ring, size 16, align U64,
    resv1_struct_union = 0, resv1_struct_union.resv1_struct = 0,
    resv1_struct_union.resv1_struct.resv1 = 0, resv1_struct_union.resv1_struct.resv2 = 8,
    resv1_struct_union.resv1_struct.resv3 = 12, resv1_struct_union.resv1_struct.tail = 14,
    resv1_struct_union.bufs = 0);
layout!(io_uring_buf_ring_resv1_struct_union, size 16, align U64, resv1_struct = 0, bufs = 0);
layout!(io_uring_buf_ring_resv1_struct_union_resv1_struct, size 16, align U64,
    resv1 = 0, resv2 = 8, resv3 = 12, tail = 14);
zeroable!(
    io_uring_buf_ring,
    io_uring_buf_ring_resv1_struct_union,
    io_uring_buf_ring_resv1_struct_union_resv1_struct,
);
union_debug!(io_uring_buf_ring_resv1_struct_union);

/// `enum io_uring_register_pbuf_ring_flags` (the C enum's type; values `IOU_PBUF_RING_*`, go in
/// `io_uring_buf_reg.flags`).
pub type io_uring_register_pbuf_ring_flags = c_uint;
/// `IOU_PBUF_RING_MMAP`: the kernel allocates the ring; map it at `IORING_OFF_PBUF_RING`.
pub const IOU_PBUF_RING_MMAP: u16 = 1;
/// `IOU_PBUF_RING_INC`: buffers are consumed incrementally.
pub const IOU_PBUF_RING_INC: u16 = 2;

/// `struct io_uring_buf_reg`: argument of `IORING_(UN)REGISTER_PBUF_RING`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_buf_reg {
    /// `ring_addr`.
    pub ring_addr: u64,
    /// `ring_entries` (a power of two).
    pub ring_entries: u32,
    /// `bgid`: buffer group id.
    pub bgid: u16,
    /// `flags` (`IOU_PBUF_RING_*`).
    pub flags: u16,
    /// `min_left`: for incremental rings, the least length worth keeping a buffer for.
    pub min_left: u32,
    /// `resv`.
    pub resv: [u32; 5],
}
layout!(io_uring_buf_reg, size 40, align U64,
    ring_addr = 0, ring_entries = 8, bgid = 12, flags = 14, min_left = 16, resv = 20);
zeroable!(io_uring_buf_reg);

/// `struct io_uring_buf_status`: argument of `IORING_REGISTER_PBUF_STATUS`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_buf_status {
    /// `buf_group` (input).
    pub buf_group: u32,
    /// `head` (output).
    pub head: u32,
    /// `resv`.
    pub resv: [u32; 8],
}
layout!(io_uring_buf_status, size 40, align 4, buf_group = 0, head = 4, resv = 8);
zeroable!(io_uring_buf_status);

/// `enum io_uring_napi_op` (kernel header only; the C enum's type; values `IO_URING_NAPI_*_OP`/
/// `_ID`, go in `io_uring_napi.opcode`).
pub type io_uring_napi_op = c_uint;
/// `IO_URING_NAPI_REGISTER_OP`: register NAPI busy polling with a tracking strategy.
pub const IO_URING_NAPI_REGISTER_OP: u8 = 0;
/// `IO_URING_NAPI_STATIC_ADD_ID`: add NAPI id `op_param` to the static list.
pub const IO_URING_NAPI_STATIC_ADD_ID: u8 = 1;
/// `IO_URING_NAPI_STATIC_DEL_ID`: remove NAPI id `op_param` from the static list.
pub const IO_URING_NAPI_STATIC_DEL_ID: u8 = 2;

/// `enum io_uring_napi_tracking_strategy` (kernel header only; the C enum's type; values go in
/// `io_uring_napi.op_param` for `IO_URING_NAPI_REGISTER_OP`).
pub type io_uring_napi_tracking_strategy = c_uint;
/// `IO_URING_NAPI_TRACKING_DYNAMIC`: track NAPI ids of the sockets used (the default).
pub const IO_URING_NAPI_TRACKING_DYNAMIC: u32 = 0;
/// `IO_URING_NAPI_TRACKING_STATIC`: poll only the ids added with `IO_URING_NAPI_STATIC_ADD_ID`.
pub const IO_URING_NAPI_TRACKING_STATIC: u32 = 1;
/// `IO_URING_NAPI_TRACKING_INACTIVE`: no tracking.
pub const IO_URING_NAPI_TRACKING_INACTIVE: u32 = 255;

/// `struct io_uring_napi`: argument of `IORING_(UN)REGISTER_NAPI`.
///
/// This is the kernel's layout (Linux 6.13+). liburing's header copy still spells bytes 5..16 as
/// `__u8 pad[3]; __u64 resv;`, the same bytes with fewer names.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_napi {
    /// `busy_poll_to` (microseconds).
    pub busy_poll_to: u32,
    /// `prefer_busy_poll`.
    pub prefer_busy_poll: u8,
    /// `opcode` (`IO_URING_NAPI_*`).
    pub opcode: u8,
    /// `pad`.
    pub pad: [u8; 2],
    /// `op_param`: a tracking strategy or a NAPI id, per `opcode`.
    pub op_param: u32,
    /// `resv`.
    pub resv: u32,
}
layout!(io_uring_napi, size 16, align 4,
    busy_poll_to = 0, prefer_busy_poll = 4, opcode = 5, pad = 6, op_param = 8, resv = 12);
zeroable!(io_uring_napi);

/// `enum io_uring_register_restriction_op` (the C enum's type; values `IORING_RESTRICTION_*`, go
/// in `io_uring_restriction.opcode`).
pub type io_uring_register_restriction_op = c_uint;
/// `IORING_RESTRICTION_REGISTER_OP`: allow a register opcode.
pub const IORING_RESTRICTION_REGISTER_OP: u16 = 0;
/// `IORING_RESTRICTION_SQE_OP`: allow an SQE opcode.
pub const IORING_RESTRICTION_SQE_OP: u16 = 1;
/// `IORING_RESTRICTION_SQE_FLAGS_ALLOWED`: allow these SQE flags.
pub const IORING_RESTRICTION_SQE_FLAGS_ALLOWED: u16 = 2;
/// `IORING_RESTRICTION_SQE_FLAGS_REQUIRED`: require these SQE flags.
pub const IORING_RESTRICTION_SQE_FLAGS_REQUIRED: u16 = 3;
/// `IORING_RESTRICTION_LAST`: one past the highest restriction opcode.
pub const IORING_RESTRICTION_LAST: u16 = 4;

/// `IORING_REG_WAIT_TS` (`io_uring_reg_wait.flags`): `ts` is valid.
pub const IORING_REG_WAIT_TS: u32 = 1 << 0;

/// `struct io_uring_reg_wait`: a registered wait argument (`IORING_ENTER_EXT_ARG_REG`).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_reg_wait {
    /// `ts`.
    pub ts: __kernel_timespec,
    /// `min_wait_usec`.
    pub min_wait_usec: u32,
    /// `flags` (`IORING_REG_WAIT_*`).
    pub flags: u32,
    /// `sigmask`: address of a signal mask.
    pub sigmask: u64,
    /// `sigmask_sz`.
    pub sigmask_sz: u32,
    /// `pad`.
    pub pad: [u32; 3],
    /// `pad2`.
    pub pad2: [u64; 2],
}
layout!(io_uring_reg_wait, size 64, align U64,
    ts = 0, min_wait_usec = 16, flags = 20, sigmask = 24, sigmask_sz = 32, pad = 36, pad2 = 48);
zeroable!(io_uring_reg_wait);

/// `struct io_uring_getevents_arg`: the `IORING_ENTER_EXT_ARG` argument of `io_uring_enter(2)`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_getevents_arg {
    /// `sigmask`: address of a signal mask, or 0.
    pub sigmask: u64,
    /// `sigmask_sz`.
    pub sigmask_sz: u32,
    /// `min_wait_usec`.
    pub min_wait_usec: u32,
    /// `ts`: address of a `struct __kernel_timespec`, or 0.
    pub ts: u64,
}
layout!(io_uring_getevents_arg, size 24, align U64,
    sigmask = 0, sigmask_sz = 8, min_wait_usec = 12, ts = 16);
zeroable!(io_uring_getevents_arg);

/// `struct io_uring_sync_cancel_reg`: argument of `IORING_REGISTER_SYNC_CANCEL`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_sync_cancel_reg {
    /// `addr`: `user_data` to match.
    pub addr: u64,
    /// `fd`.
    pub fd: i32,
    /// `flags` (`IORING_ASYNC_CANCEL_*`).
    pub flags: u32,
    /// `timeout`.
    pub timeout: __kernel_timespec,
    /// `opcode`: opcode to match with `IORING_ASYNC_CANCEL_OP`.
    pub opcode: u8,
    /// `pad`.
    pub pad: [u8; 7],
    /// `pad2`.
    pub pad2: [u64; 3],
}
layout!(io_uring_sync_cancel_reg, size 64, align U64,
    addr = 0, fd = 8, flags = 12, timeout = 16, opcode = 32, pad = 33, pad2 = 40);
zeroable!(io_uring_sync_cancel_reg);

/// `struct io_uring_file_index_range`: argument of `IORING_REGISTER_FILE_ALLOC_RANGE`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_file_index_range {
    /// `off`.
    pub off: u32,
    /// `len`.
    pub len: u32,
    /// `resv`.
    pub resv: u64,
}
layout!(io_uring_file_index_range, size 16, align U64, off = 0, len = 4, resv = 8);
zeroable!(io_uring_file_index_range);

/// `struct io_uring_recvmsg_out`: header the kernel writes at the start of a multishot
/// `IORING_OP_RECVMSG` buffer.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_recvmsg_out {
    /// `namelen`.
    pub namelen: u32,
    /// `controllen`.
    pub controllen: u32,
    /// `payloadlen`.
    pub payloadlen: u32,
    /// `flags`.
    pub flags: u32,
}
layout!(io_uring_recvmsg_out, size 16, align 4, namelen = 0, controllen = 4, payloadlen = 8, flags = 12);
zeroable!(io_uring_recvmsg_out);

/// `enum io_uring_socket_op` (the C enum's type; values `SOCKET_URING_OP_*`, go in
/// `sqe.cmd_op`).
pub type io_uring_socket_op = c_uint;
/// `SOCKET_URING_OP_SIOCINQ`.
pub const SOCKET_URING_OP_SIOCINQ: u32 = 0;
/// `SOCKET_URING_OP_SIOCOUTQ`.
pub const SOCKET_URING_OP_SIOCOUTQ: u32 = 1;
/// `SOCKET_URING_OP_GETSOCKOPT`.
pub const SOCKET_URING_OP_GETSOCKOPT: u32 = 2;
/// `SOCKET_URING_OP_SETSOCKOPT`.
pub const SOCKET_URING_OP_SETSOCKOPT: u32 = 3;
/// `SOCKET_URING_OP_TX_TIMESTAMP`.
pub const SOCKET_URING_OP_TX_TIMESTAMP: u32 = 4;
/// `SOCKET_URING_OP_GETSOCKNAME`.
pub const SOCKET_URING_OP_GETSOCKNAME: u32 = 5;

/// `IORING_TIMESTAMP_HW_SHIFT`: bit of `cqe.flags` marking a hardware timestamp.
pub const IORING_TIMESTAMP_HW_SHIFT: u32 = 16;
/// `IORING_TIMESTAMP_TYPE_SHIFT`: shift of the timestamp type in `cqe.flags`.
pub const IORING_TIMESTAMP_TYPE_SHIFT: u32 = IORING_TIMESTAMP_HW_SHIFT + 1;
/// `IORING_CQE_F_TSTAMP_HW` (`cqe.flags`): the timestamp is a hardware one.
pub const IORING_CQE_F_TSTAMP_HW: u32 = 1 << IORING_TIMESTAMP_HW_SHIFT;

/// `struct io_timespec`: an unsigned timespec used by TX-timestamp CQEs.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_timespec {
    /// `tv_sec`.
    pub tv_sec: u64,
    /// `tv_nsec`.
    pub tv_nsec: u64,
}
layout!(io_timespec, size 16, align U64, tv_sec = 0, tv_nsec = 8);
zeroable!(io_timespec);

// ---------------------------------------------------------------------------------------------
// Syscalls
// ---------------------------------------------------------------------------------------------

/// Base of this ABI's syscall numbering (MIPS o32/n64/n32 and x86-64 x32 offset theirs).
#[cfg(all(target_arch = "mips", target_pointer_width = "32"))]
const SYSCALL_BASE: c_long = 4000;
#[cfg(all(target_arch = "mips64", target_pointer_width = "64"))]
const SYSCALL_BASE: c_long = 5000;
#[cfg(all(target_arch = "mips64", target_pointer_width = "32"))]
const SYSCALL_BASE: c_long = 6000;
#[cfg(all(target_arch = "x86_64", target_pointer_width = "32"))]
const SYSCALL_BASE: c_long = 0x4000_0000;
#[cfg(not(any(target_arch = "mips", target_arch = "mips64", target_arch = "x86_64")))]
const SYSCALL_BASE: c_long = 0;
#[cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
const SYSCALL_BASE: c_long = 0;

/// `__NR_io_uring_setup`: 425 on every architecture (plus the ABI base on MIPS and x32).
pub const SYS_io_uring_setup: c_long = SYSCALL_BASE + 425;
/// `__NR_io_uring_enter`: 426 on every architecture (plus the ABI base on MIPS and x32).
pub const SYS_io_uring_enter: c_long = SYSCALL_BASE + 426;
/// `__NR_io_uring_register`: 427 on every architecture (plus the ABI base on MIPS and x32).
pub const SYS_io_uring_register: c_long = SYSCALL_BASE + 427;

// libc's per-architecture tables must agree (libc gives mips64 n32 the n64 numbers, so skip it).
#[cfg(not(all(target_arch = "mips64", target_pointer_width = "32")))]
const _: () = {
    assert!(SYS_io_uring_setup == libc::SYS_io_uring_setup);
    assert!(SYS_io_uring_enter == libc::SYS_io_uring_enter);
    assert!(SYS_io_uring_register == libc::SYS_io_uring_register);
};

/// `io_uring_setup(2)`: create a ring with `entries` SQEs; `p` is read and written back.
///
/// Returns the new ring fd, or -1 with `errno` set (like every libc wrapper; read it with
/// `std::io::Error::last_os_error()`).
///
/// # Safety
///
/// - `p` must be valid for reads and writes of one `io_uring_params` for the whole call; its
///   `resv` fields must be zero, and the fields the `flags` name (`wq_fd`, `sq_off.user_addr`
///   and `cq_off.user_addr` for `IORING_SETUP_NO_MMAP`, ...) must be valid as the kernel expects.
/// - Under `IORING_SETUP_NO_MMAP`, the memory at the `user_addr`s must stay allocated for the
///   ring's whole life.
/// - The returned fd is owned by the caller, who must close it exactly once.
#[inline]
pub unsafe fn io_uring_setup(entries: u32, p: *mut io_uring_params) -> c_int {
    // SAFETY: the caller guarantees `p` is valid (see `# Safety`); the syscall number is this
    // architecture's, checked against libc above. The kernel returns an int, so the cast is
    // lossless.
    unsafe { libc::syscall(SYS_io_uring_setup, entries as c_long, p) as c_int }
}

/// `io_uring_enter(2)`: submit `to_submit` SQEs and/or wait for `min_complete` CQEs, with an
/// optional signal mask (`sig` may be null; its size is `_NSIG / 8`).
///
/// Returns the number of SQEs consumed, or -1 with `errno` set.
///
/// # Safety
///
/// - `fd` must be an io_uring fd (or, with `IORING_ENTER_REGISTERED_RING`, a registered ring
///   index); `flags` must not contain `IORING_ENTER_EXT_ARG` (use [`io_uring_enter2`]).
/// - `sig` must be null or valid for reads of a `sigset_t` for the call.
/// - Every SQE published in the SQ ring, and every buffer, iovec, timespec, msghdr or other
///   memory it points to, must stay valid (and not be otherwise accessed in a racing way) until
///   its CQE is reaped: the kernel reads and writes it asynchronously.
#[inline]
pub unsafe fn io_uring_enter(
    fd: c_int,
    to_submit: c_uint,
    min_complete: c_uint,
    flags: c_uint,
    sig: *const sigset_t,
) -> c_int {
    // SAFETY: the caller upholds the requirements in `# Safety`; `_NSIG / 8` is the kernel's
    // sigset size (8 on every Linux architecture libc supports except MIPS, where it is 16).
    unsafe {
        libc::syscall(
            SYS_io_uring_enter,
            fd as c_long,
            to_submit as c_long,
            min_complete as c_long,
            flags as c_long,
            sig,
            NSIG_BYTES,
        ) as c_int
    }
}

/// `io_uring_enter(2)` with an explicit argument: `arg`/`argsz` are a signal mask and its size,
/// or, with `IORING_ENTER_EXT_ARG`, a `struct io_uring_getevents_arg` and its size (with
/// `IORING_ENTER_EXT_ARG_REG`, an offset into the registered wait region).
///
/// Returns the number of SQEs consumed, or -1 with `errno` set.
///
/// # Safety
///
/// As for [`io_uring_enter`]; in addition `arg` must be null or valid for reads of `argsz`
/// bytes of the type the `flags` select, and any memory it points to (signal mask, timespec)
/// must be valid for the call.
#[inline]
pub unsafe fn io_uring_enter2(
    fd: c_int,
    to_submit: c_uint,
    min_complete: c_uint,
    flags: c_uint,
    arg: *const c_void,
    argsz: usize,
) -> c_int {
    // SAFETY: the caller upholds the requirements in `# Safety`.
    unsafe {
        libc::syscall(
            SYS_io_uring_enter,
            fd as c_long,
            to_submit as c_long,
            min_complete as c_long,
            flags as c_long,
            arg,
            argsz,
        ) as c_int
    }
}

/// `io_uring_register(2)`: register or query resources (`opcode` is an `IORING_REGISTER_*`,
/// optionally or-ed with `IORING_REGISTER_USE_REGISTERED_RING`).
///
/// Returns 0 or an opcode-specific non-negative value, or -1 with `errno` set.
///
/// # Safety
///
/// - `fd` must be an io_uring fd (or a registered ring index with
///   `IORING_REGISTER_USE_REGISTERED_RING`).
/// - `arg` and `nr_args` must be what `opcode` expects (e.g. an array of `nr_args` iovecs for
///   `IORING_REGISTER_BUFFERS`), valid for the reads and writes the kernel does during the call.
/// - Memory the kernel keeps using after the call (registered buffers, buffer rings, regions)
///   must stay valid until it is unregistered or the ring is closed.
#[inline]
pub unsafe fn io_uring_register(
    fd: c_int,
    opcode: c_uint,
    arg: *const c_void,
    nr_args: c_uint,
) -> c_int {
    // SAFETY: the caller upholds the requirements in `# Safety`.
    unsafe {
        libc::syscall(
            SYS_io_uring_register,
            fd as c_long,
            opcode as c_long,
            arg,
            nr_args as c_long,
        ) as c_int
    }
}

/// `_NSIG / 8`: the kernel's signal-set size in bytes, which `io_uring_enter(2)` checks.
#[cfg(any(target_arch = "mips", target_arch = "mips64"))]
const NSIG_BYTES: usize = 16;
#[cfg(not(any(target_arch = "mips", target_arch = "mips64")))]
const NSIG_BYTES: usize = 8;

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::bpf_filter::{io_uring_bpf, io_uring_bpf_ctx};
    use super::zcrx::{io_uring_zcrx_ifq_reg, zcrx_ctrl};
    use super::*;

    /// Every field recorded by `layout!` lies inside its type, and fields of a struct (not of a
    /// union, and not zero-sized flexible arrays) do not overlap one another at the top level.
    #[test]
    fn field_tables_fit() {
        fn check<T>(name: &str, fields: &[(&str, usize, usize, u8)], is_union: bool) {
            let size = size_of::<T>();
            let mut top: Vec<(usize, usize)> = Vec::new();
            for &(path, off, len, _) in fields {
                assert!(off + len <= size, "{name}.{path}: {off}+{len} > {size}");
                if !path.contains('.') && len > 0 {
                    top.push((off, len));
                }
            }
            top.sort();
            if !is_union {
                for w in top.windows(2) {
                    assert!(
                        w[0].0 + w[0].1 <= w[1].0,
                        "{name}: fields overlap at {}",
                        w[1].0
                    );
                }
            }
        }
        check::<io_uring_sqe>("io_uring_sqe", io_uring_sqe::__FIELDS, false);
        check::<io_uring_sqe_rw_flags_union>(
            "rw_flags",
            io_uring_sqe_rw_flags_union::__FIELDS,
            true,
        );
        check::<io_uring_params>("io_uring_params", io_uring_params::__FIELDS, false);
        check::<io_uring_buf_ring>("io_uring_buf_ring", io_uring_buf_ring::__FIELDS, false);
        check::<zcrx_ctrl>("zcrx_ctrl", zcrx_ctrl::__FIELDS, false);
        check::<io_uring_zcrx_ifq_reg>(
            "io_uring_zcrx_ifq_reg",
            io_uring_zcrx_ifq_reg::__FIELDS,
            false,
        );
        check::<io_uring_bpf_ctx>("io_uring_bpf_ctx", io_uring_bpf_ctx::__FIELDS, false);
        check::<io_uring_bpf>("io_uring_bpf", io_uring_bpf::__FIELDS, false);
        check::<io_uring_napi>("io_uring_napi", io_uring_napi::__FIELDS, false);
    }

    /// The SQE's named members land on the bytes the kernel reads (little-endian byte images),
    /// and `zeroed()`/`Default` really are all-zero (Miri also checks the values are valid).
    #[test]
    #[cfg(target_endian = "little")]
    fn sqe_bytes() {
        let image = |sqe: &io_uring_sqe| -> [u8; 64] {
            // SAFETY: io_uring_sqe is 64 bytes of integers with no padding (asserted by
            // `layout!`: the fields tile 0..64), so every byte is initialized.
            unsafe { core::mem::transmute_copy(sqe) }
        };
        assert_eq!(image(&io_uring_sqe::zeroed()), [0; 64]);
        assert_eq!(image(&io_uring_sqe::default()), [0; 64]);

        let mut sqe = io_uring_sqe::zeroed();
        sqe.opcode = IORING_OP_URING_CMD;
        sqe.flags = IOSQE_IO_LINK | IOSQE_FIXED_FILE;
        sqe.fd = -1;
        sqe.off_union.cmd_op_struct.cmd_op = 0x0403_0201;
        sqe.addr_union.level_struct.optname = 0x0807_0605;
        sqe.rw_flags_union.poll32_events = 0x0c0b_0a09;
        sqe.user_data = 0x1817_1615_1413_1211;
        sqe.buf_index_union.buf_group = 0x1a19;
        sqe.splice_fd_in_union.addr_len_struct.addr_len = 0x1c1b;
        sqe.addr3_struct_union.attr_ptr_struct.attr_type_mask = IORING_RW_ATTR_FLAG_PI;
        let b = image(&sqe);
        assert_eq!(b[0], IORING_OP_URING_CMD);
        assert_eq!(b[1], IOSQE_IO_LINK | IOSQE_FIXED_FILE);
        assert_eq!(b[4..8], [0xff; 4]);
        assert_eq!(b[8..12], [1, 2, 3, 4]);
        assert_eq!(b[20..24], [5, 6, 7, 8]);
        assert_eq!(b[28..32], [9, 10, 11, 12]);
        assert_eq!(b[32..40], [0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18]);
        assert_eq!(b[40..42], [0x19, 0x1a]);
        assert_eq!(b[44..46], [0x1b, 0x1c]);
        assert_eq!(b[56], 1);
        // SAFETY: every union member here is a plain integer of the written size or smaller,
        // and all bytes were initialized by `zeroed()`.
        unsafe {
            assert_eq!(sqe.off_union.off, 0x0403_0201);
            assert_eq!({ sqe.buf_index_union.buf_index }, 0x1a19); // copy: packed
            assert_eq!(sqe.splice_fd_in_union.file_index, 0x1c1b);
        }
        // Linux 7.2's `write_stream` is the low byte of the same word.
        sqe.splice_fd_in_union.write_stream_struct.write_stream = 0x2d;
        assert_eq!(image(&sqe)[44..48], [0x2d, 0x1c, 0, 0]);
    }
}
