//! `<linux/io_uring/mock_file.h>`: the io_uring mock file, a kernel test driver
//! (`/dev/io_uring_mock`, `CONFIG_IO_URING_MOCK_FILE`, needs `CAP_SYS_ADMIN`) driven through
//! `IORING_OP_URING_CMD`. Every struct and enum value; items are in the header's order. Its
//! anonymous enums become plain constants, `u32` like `sqe.cmd_op` and the fields they go into.

use super::U64;

/// `IORING_MOCK_FEAT_CMD_COPY`: a feature number; the kernel has feature `F` when
/// `F < io_uring_mock_probe.features` (the probe reports its `IORING_MOCK_FEAT_END`).
pub const IORING_MOCK_FEAT_CMD_COPY: u32 = 0;
/// `IORING_MOCK_FEAT_RW_ZERO`.
pub const IORING_MOCK_FEAT_RW_ZERO: u32 = 1;
/// `IORING_MOCK_FEAT_RW_NOWAIT`.
pub const IORING_MOCK_FEAT_RW_NOWAIT: u32 = 2;
/// `IORING_MOCK_FEAT_RW_ASYNC`.
pub const IORING_MOCK_FEAT_RW_ASYNC: u32 = 3;
/// `IORING_MOCK_FEAT_POLL`.
pub const IORING_MOCK_FEAT_POLL: u32 = 4;
/// `IORING_MOCK_FEAT_END`: one past the highest feature (grows with the kernel); what
/// `IORING_MOCK_MGR_CMD_PROBE` reports in `features`.
pub const IORING_MOCK_FEAT_END: u32 = 5;

/// `struct io_uring_mock_probe`: result of `IORING_MOCK_MGR_CMD_PROBE`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_mock_probe {
    /// `features` (written by the kernel): its `IORING_MOCK_FEAT_END`, the number of features.
    pub features: u64,
    /// `__resv`.
    pub __resv: [u64; 9],
}
layout!(io_uring_mock_probe, size 80, align U64, features = 0, __resv = 8);
zeroable!(io_uring_mock_probe);

/// `IORING_MOCK_CREATE_F_SUPPORT_NOWAIT` (`io_uring_mock_create.flags`).
pub const IORING_MOCK_CREATE_F_SUPPORT_NOWAIT: u32 = 1;
/// `IORING_MOCK_CREATE_F_POLL`.
pub const IORING_MOCK_CREATE_F_POLL: u32 = 2;

/// `struct io_uring_mock_create`: argument of `IORING_MOCK_MGR_CMD_CREATE`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_mock_create {
    /// `out_fd` (written by the kernel).
    pub out_fd: u32,
    /// `flags` (`IORING_MOCK_CREATE_F_*`).
    pub flags: u32,
    /// `file_size`.
    pub file_size: u64,
    /// `rw_delay_ns`.
    pub rw_delay_ns: u64,
    /// `__resv`.
    pub __resv: [u64; 13],
}
layout!(io_uring_mock_create, size 128, align U64,
    out_fd = 0, flags = 4, file_size = 8, rw_delay_ns = 16, __resv = 24);
zeroable!(io_uring_mock_create);

/// `IORING_MOCK_MGR_CMD_PROBE` (`sqe.cmd_op` on `/dev/io_uring_mock`): fill the
/// `io_uring_mock_probe` at `sqe.addr` (`sqe.len` its size).
pub const IORING_MOCK_MGR_CMD_PROBE: u32 = 0;
/// `IORING_MOCK_MGR_CMD_CREATE`: create a mock file per the `io_uring_mock_create` at
/// `sqe.addr` (`sqe.len` its size).
pub const IORING_MOCK_MGR_CMD_CREATE: u32 = 1;

/// `IORING_MOCK_CMD_COPY_REGBUF` (`sqe.cmd_op` on a mock file): copy between the registered
/// buffer vector at `sqe.addr` (`sqe.len` entries) and the user memory at `sqe.addr3`.
pub const IORING_MOCK_CMD_COPY_REGBUF: u32 = 0;

/// `IORING_MOCK_COPY_FROM` (`sqe.file_index` of `IORING_MOCK_CMD_COPY_REGBUF`): copy from the
/// registered buffers to user memory (without it, the other way).
pub const IORING_MOCK_COPY_FROM: u32 = 1;
