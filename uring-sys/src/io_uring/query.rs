//! `<linux/io_uring/query.h>`: the `IORING_REGISTER_QUERY` interface (Linux 6.18+), every struct
//! and enum value. Items are in the header's order.

use super::U64;

/// `struct io_uring_query_hdr`: one query of an `IORING_REGISTER_QUERY` chain.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_query_hdr {
    /// `next_entry`: address of the next `io_uring_query_hdr`, or 0.
    pub next_entry: u64,
    /// `query_data`: address of the output struct for `query_op`.
    pub query_data: u64,
    /// `query_op` (`IO_URING_QUERY_*`).
    pub query_op: u32,
    /// `size`: size of the output struct.
    pub size: u32,
    /// `result` (written by the kernel): 0 or `-errno`.
    pub result: i32,
    /// `__resv`.
    pub __resv: [u32; 3],
}
layout!(io_uring_query_hdr, size 40, align U64,
    next_entry = 0, query_data = 8, query_op = 16, size = 20, result = 24, __resv = 28);
zeroable!(io_uring_query_hdr);

/// `IO_URING_QUERY_OPCODES` (`io_uring_query_hdr.query_op`): fills `io_uring_query_opcode`.
pub const IO_URING_QUERY_OPCODES: u32 = 0;
/// `IO_URING_QUERY_ZCRX`: fills `io_uring_query_zcrx`.
pub const IO_URING_QUERY_ZCRX: u32 = 1;
/// `IO_URING_QUERY_SCQ`: fills `io_uring_query_scq`.
pub const IO_URING_QUERY_SCQ: u32 = 2;
/// `IO_URING_QUERY_ZCRX_EVENT` (Linux 7.2): fills `io_uring_query_zcrx_event`.
pub const IO_URING_QUERY_ZCRX_EVENT: u32 = 3;
/// `__IO_URING_QUERY_MAX`: one past the highest query opcode (grows with the kernel).
pub const __IO_URING_QUERY_MAX: u32 = 4;

/// `struct io_uring_query_opcode`: result of `IO_URING_QUERY_OPCODES` (needs no ring).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_query_opcode {
    /// `nr_request_opcodes`: number of supported `IORING_OP_*`.
    pub nr_request_opcodes: u32,
    /// `nr_register_opcodes`: number of supported `IORING_(UN)REGISTER_*`.
    pub nr_register_opcodes: u32,
    /// `feature_flags`: every supported `IORING_FEAT_*`.
    pub feature_flags: u64,
    /// `ring_setup_flags`: every supported `IORING_SETUP_*`.
    pub ring_setup_flags: u64,
    /// `enter_flags`: every supported `IORING_ENTER_*`.
    pub enter_flags: u64,
    /// `sqe_flags`: every supported `IOSQE_*`.
    pub sqe_flags: u64,
    /// `nr_query_opcodes`: number of `IO_URING_QUERY_*`.
    pub nr_query_opcodes: u32,
    /// `__pad`.
    pub __pad: u32,
}
layout!(io_uring_query_opcode, size 48, align U64,
    nr_request_opcodes = 0, nr_register_opcodes = 4, feature_flags = 8, ring_setup_flags = 16,
    enter_flags = 24, sqe_flags = 32, nr_query_opcodes = 40, __pad = 44);
zeroable!(io_uring_query_opcode);

/// `struct io_uring_query_zcrx`: result of `IO_URING_QUERY_ZCRX`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_query_zcrx {
    /// `register_flags`: every supported `ZCRX_REG_*`.
    pub register_flags: u64,
    /// `area_flags`: every supported `IORING_ZCRX_AREA_*`.
    pub area_flags: u64,
    /// `nr_ctrl_opcodes`: number of `ZCRX_CTRL_*`.
    pub nr_ctrl_opcodes: u32,
    /// `features`: `ZCRX_FEATURE_*` bits.
    pub features: u32,
    /// `rq_hdr_size`: the refill ring header size.
    pub rq_hdr_size: u32,
    /// `rq_hdr_alignment`: the refill ring header alignment.
    pub rq_hdr_alignment: u32,
    /// `__resv2`.
    pub __resv2: u64,
}
layout!(io_uring_query_zcrx, size 40, align U64,
    register_flags = 0, area_flags = 8, nr_ctrl_opcodes = 16, features = 20, rq_hdr_size = 24,
    rq_hdr_alignment = 28, __resv2 = 32);
zeroable!(io_uring_query_zcrx);

/// `struct io_uring_query_zcrx_event` (Linux 7.2): result of `IO_URING_QUERY_ZCRX_EVENT`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_query_zcrx_event {
    /// `event_flags`: supported `ZCRX_EVENT_*` bits.
    pub event_flags: u32,
    /// `stats_size`: size of `struct zcrx_stats`.
    pub stats_size: u32,
    /// `stats_off_alignment`: required alignment of `zcrx_event_desc.stats_offset`.
    pub stats_off_alignment: u32,
    /// `__resv1`.
    pub __resv1: u32,
    /// `__resv2`.
    pub __resv2: [u64; 4],
}
layout!(io_uring_query_zcrx_event, size 48, align U64,
    event_flags = 0, stats_size = 4, stats_off_alignment = 8, __resv1 = 12, __resv2 = 16);
zeroable!(io_uring_query_zcrx_event);

/// `struct io_uring_query_scq`: result of `IO_URING_QUERY_SCQ`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_query_scq {
    /// `hdr_size`: the SQ/CQ rings header size.
    pub hdr_size: u64,
    /// `hdr_alignment`: the header's alignment.
    pub hdr_alignment: u64,
}
layout!(io_uring_query_scq, size 16, align U64, hdr_size = 0, hdr_alignment = 8);
zeroable!(io_uring_query_scq);
