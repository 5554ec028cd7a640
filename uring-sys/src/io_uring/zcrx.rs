//! `<linux/io_uring/zcrx.h>`: the zero-copy receive (zcrx) interface, every struct, enum value
//! and macro.
//!
//! Linux 7.2 moved these items out of `<linux/io_uring.h>` into this header, which
//! `<linux/io_uring.h>` includes; liburing's copy (27255f4) still has the 6.18-era subset inside
//! its `io_uring.h`. Items are in the header's order.

use libc::c_uint;

use super::U64;

/// `struct io_uring_zcrx_rqe`: a zero-copy receive refill-queue entry.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_zcrx_rqe {
    /// `off`.
    pub off: u64,
    /// `len`.
    pub len: u32,
    /// `__pad`.
    pub __pad: u32,
}
layout!(io_uring_zcrx_rqe, size 16, align U64, off = 0, len = 8, __pad = 12);
zeroable!(io_uring_zcrx_rqe);

/// `struct io_uring_zcrx_cqe`: the second half of a zero-copy receive (32-byte) CQE.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_zcrx_cqe {
    /// `off`.
    pub off: u64,
    /// `__pad`.
    pub __pad: u64,
}
layout!(io_uring_zcrx_cqe, size 16, align U64, off = 0, __pad = 8);
zeroable!(io_uring_zcrx_cqe);

/// `IORING_ZCRX_AREA_SHIFT`: bit where the area id starts in zero-copy offsets.
pub const IORING_ZCRX_AREA_SHIFT: u32 = 48;
/// `IORING_ZCRX_AREA_MASK`: the area-id bits of a zero-copy offset.
pub const IORING_ZCRX_AREA_MASK: u64 = !((1u64 << IORING_ZCRX_AREA_SHIFT) - 1);

/// `struct io_uring_zcrx_offsets`: offsets of the refill ring fields in its region.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_zcrx_offsets {
    /// `head`.
    pub head: u32,
    /// `tail`.
    pub tail: u32,
    /// `rqes`.
    pub rqes: u32,
    /// `__resv2`.
    pub __resv2: u32,
    /// `__resv`.
    pub __resv: [u64; 2],
}
layout!(io_uring_zcrx_offsets, size 32, align U64, head = 0, tail = 4, rqes = 8, __resv2 = 12, __resv = 16);
zeroable!(io_uring_zcrx_offsets);

/// `enum io_uring_zcrx_area_flags` (the C enum's type; values go in
/// `io_uring_zcrx_area_reg.flags`).
pub type io_uring_zcrx_area_flags = c_uint;
/// `IORING_ZCRX_AREA_DMABUF`: the area is a dma-buf (`dmabuf_fd`).
pub const IORING_ZCRX_AREA_DMABUF: u32 = 1;

/// `struct io_uring_zcrx_area_reg`: a zero-copy receive memory area.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_zcrx_area_reg {
    /// `addr`.
    pub addr: u64,
    /// `len`.
    pub len: u64,
    /// `rq_area_token` (written by the kernel).
    pub rq_area_token: u64,
    /// `flags` (`IORING_ZCRX_AREA_*`).
    pub flags: u32,
    /// `dmabuf_fd`.
    pub dmabuf_fd: u32,
    /// `__resv2`.
    pub __resv2: [u64; 2],
}
layout!(io_uring_zcrx_area_reg, size 48, align U64,
    addr = 0, len = 8, rq_area_token = 16, flags = 24, dmabuf_fd = 28, __resv2 = 32);
zeroable!(io_uring_zcrx_area_reg);

/// `enum zcrx_reg_flags` (the C enum's type; values go in `io_uring_zcrx_ifq_reg.flags`).
pub type zcrx_reg_flags = c_uint;
/// `ZCRX_REG_IMPORT`: import an existing zcrx instance.
pub const ZCRX_REG_IMPORT: u32 = 1;
/// `ZCRX_REG_NODEV`: a zcrx instance without a net device (data is copied).
pub const ZCRX_REG_NODEV: u32 = 2;

/// `enum zcrx_features` (the C enum's type; values `ZCRX_FEATURE_*`, reported in
/// `io_uring_query_zcrx.features`).
pub type zcrx_features = c_uint;
/// `ZCRX_FEATURE_RX_PAGE_SIZE`: `rx_buf_len` is honoured.
pub const ZCRX_FEATURE_RX_PAGE_SIZE: c_uint = 1 << 0;
/// `ZCRX_FEATURE_EVENT` (Linux 7.2): events (`io_uring_zcrx_ifq_reg.event_desc`,
/// `ZCRX_CTRL_ARM_EVENT`) are supported.
pub const ZCRX_FEATURE_EVENT: c_uint = 1 << 1;

/// `enum zcrx_event_type` (the C enum's type; values `ZCRX_EVENT_*`, go in
/// `zcrx_ctrl_arm_event.event_type`).
pub type zcrx_event_type = c_uint;
/// `ZCRX_EVENT_ALLOC_FAIL`: the kernel could not allocate a buffer.
pub const ZCRX_EVENT_ALLOC_FAIL: u32 = 0;
/// `ZCRX_EVENT_COPY`: data fell back to being copied.
pub const ZCRX_EVENT_COPY: u32 = 1;
/// `__ZCRX_EVENT_TYPE_LAST`: one past the highest `zcrx_event_type` (grows with the kernel).
pub const __ZCRX_EVENT_TYPE_LAST: u32 = 2;

/// `enum zcrx_event_desc_flags` (the C enum's type; values go in `zcrx_event_desc.flags`).
pub type zcrx_event_desc_flags = c_uint;
/// `ZCRX_EVENT_DESC_FLAG_STATS`: `zcrx_event_desc.stats_offset` is valid.
pub const ZCRX_EVENT_DESC_FLAG_STATS: u32 = 1 << 0;

/// `struct zcrx_stats`: zcrx counters the kernel keeps in the refill ring region.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct zcrx_stats {
    /// `copy_count`: cumulative copy-fallback CQEs.
    pub copy_count: u64,
    /// `copy_bytes`: cumulative bytes copied.
    pub copy_bytes: u64,
}
layout!(zcrx_stats, size 16, align U64, copy_count = 0, copy_bytes = 8);
zeroable!(zcrx_stats);

/// `struct zcrx_event_desc`: how a zcrx instance reports events (pointed to by
/// `io_uring_zcrx_ifq_reg.event_desc`).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct zcrx_event_desc {
    /// `user_data`: the `user_data` of the event CQEs.
    pub user_data: u64,
    /// `type_mask`: a mask of the `ZCRX_EVENT_*` types to report.
    pub type_mask: u32,
    /// `flags` (`ZCRX_EVENT_DESC_FLAG_*`).
    pub flags: u32,
    /// `stats_offset`: offset of a `struct zcrx_stats` from the start of the refill ring region.
    pub stats_offset: u64,
    /// `__resv2`.
    pub __resv2: [u64; 9],
}
layout!(zcrx_event_desc, size 96, align U64,
    user_data = 0, type_mask = 8, flags = 12, stats_offset = 16, __resv2 = 24);
zeroable!(zcrx_event_desc);

/// `struct io_uring_zcrx_ifq_reg`: argument of `IORING_REGISTER_ZCRX_IFQ`.
///
/// Linux 7.2 took `event_desc` from the reserved tail (liburing 27255f4 still has
/// `__u64 __resv[3]` at offset 72; the bytes are the same).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_zcrx_ifq_reg {
    /// `if_idx`: network interface index.
    pub if_idx: u32,
    /// `if_rxq`: hardware receive queue.
    pub if_rxq: u32,
    /// `rq_entries`: refill-queue size.
    pub rq_entries: u32,
    /// `flags` (`ZCRX_REG_*`).
    pub flags: u32,
    /// `area_ptr`: address of a `struct io_uring_zcrx_area_reg`.
    pub area_ptr: u64,
    /// `region_ptr`: address of a `struct io_uring_region_desc`.
    pub region_ptr: u64,
    /// `offsets` (written by the kernel).
    pub offsets: io_uring_zcrx_offsets,
    /// `zcrx_id` (written by the kernel).
    pub zcrx_id: u32,
    /// `rx_buf_len`.
    pub rx_buf_len: u32,
    /// `event_desc` (Linux 7.2): address of a `struct zcrx_event_desc`, or 0.
    pub event_desc: u64,
    /// `__resv`.
    pub __resv: [u64; 2],
}
layout!(io_uring_zcrx_ifq_reg, size 96, align U64,
    if_idx = 0, if_rxq = 4, rq_entries = 8, flags = 12, area_ptr = 16, region_ptr = 24,
    offsets = 32, zcrx_id = 64, rx_buf_len = 68, event_desc = 72, __resv = 80);
zeroable!(io_uring_zcrx_ifq_reg);

/// `enum zcrx_ctrl_op` (the C enum's type; values go in `zcrx_ctrl.op`).
pub type zcrx_ctrl_op = c_uint;
/// `ZCRX_CTRL_FLUSH_RQ`: flush the refill queue.
pub const ZCRX_CTRL_FLUSH_RQ: u32 = 0;
/// `ZCRX_CTRL_EXPORT`: export the instance as an fd.
pub const ZCRX_CTRL_EXPORT: u32 = 1;
/// `ZCRX_CTRL_ARM_EVENT` (Linux 7.2): arm one event type (`zc_arm_event`).
pub const ZCRX_CTRL_ARM_EVENT: u32 = 2;
/// `__ZCRX_CTRL_LAST`: one past the highest `zcrx_ctrl_op` (grows with the kernel).
pub const __ZCRX_CTRL_LAST: u32 = 3;

/// `struct zcrx_ctrl_flush_rq`: payload of `ZCRX_CTRL_FLUSH_RQ`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct zcrx_ctrl_flush_rq {
    /// `__resv`.
    pub __resv: [u64; 6],
}
layout!(zcrx_ctrl_flush_rq, size 48, align U64, __resv = 0);
zeroable!(zcrx_ctrl_flush_rq);

/// `struct zcrx_ctrl_export`: payload of `ZCRX_CTRL_EXPORT`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct zcrx_ctrl_export {
    /// `zcrx_fd` (written by the kernel).
    pub zcrx_fd: u32,
    /// `__resv1`.
    pub __resv1: [u32; 11],
}
layout!(zcrx_ctrl_export, size 48, align 4, zcrx_fd = 0, __resv1 = 4);
zeroable!(zcrx_ctrl_export);

/// `struct zcrx_ctrl_arm_event` (Linux 7.2): payload of `ZCRX_CTRL_ARM_EVENT`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct zcrx_ctrl_arm_event {
    /// `event_type` (`ZCRX_EVENT_*`).
    pub event_type: u32,
    /// `__resv`.
    pub __resv: [u32; 11],
}
layout!(zcrx_ctrl_arm_event, size 48, align 4, event_type = 0, __resv = 4);
zeroable!(zcrx_ctrl_arm_event);

/// `struct zcrx_ctrl`: argument of `IORING_REGISTER_ZCRX_CTRL`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct zcrx_ctrl {
    /// `zcrx_id`.
    pub zcrx_id: u32,
    /// `op` (`ZCRX_CTRL_*`).
    pub op: u32,
    /// `__resv`.
    pub __resv: [u64; 2],
    /// The anonymous union holding `zc_export` / `zc_flush` / `zc_arm_event`.
    pub zc_export_union: zcrx_ctrl_zc_export_union,
}

/// The anonymous union in `zcrx_ctrl`.
#[repr(C)]
#[derive(Copy, Clone)]
pub union zcrx_ctrl_zc_export_union {
    /// `zc_export`.
    pub zc_export: zcrx_ctrl_export,
    /// `zc_flush`.
    pub zc_flush: zcrx_ctrl_flush_rq,
    /// `zc_arm_event` (Linux 7.2).
    pub zc_arm_event: zcrx_ctrl_arm_event,
}
layout!(zcrx_ctrl, size 72, align U64,
    zcrx_id = 0, op = 4, __resv = 8, zc_export_union = 24, zc_export_union.zc_export = 24,
    zc_export_union.zc_flush = 24, zc_export_union.zc_arm_event = 24);
layout!(zcrx_ctrl_zc_export_union, size 48, align U64, zc_export = 0, zc_flush = 0,
    zc_arm_event = 0);
zeroable!(zcrx_ctrl, zcrx_ctrl_zc_export_union);
union_debug!(zcrx_ctrl_zc_export_union);
