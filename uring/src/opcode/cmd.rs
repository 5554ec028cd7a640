//! Driver passthrough: `URING_CMD` and `URING_CMD128` (sockets, NVMe, block, ublk, ...).

use uring_sys as sys;

use super::{Fields, opcode};
use crate::squeue::{Sqe, Sqe128};
use crate::types::Target;

/// Two `u32`s as the `u64` that holds them, the first at the lower address.
#[inline]
pub(crate) const fn pair32(first: u32, second: u32) -> u64 {
    let a = first.to_ne_bytes();
    let b = second.to_ne_bytes();
    u64::from_ne_bytes([a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]])
}

/// Bytes `at..at + 8` of `bytes` as a native-endian `u64`.
#[inline]
const fn word(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    let mut i = 0;
    while i < 8 {
        w[i] = bytes[at + i];
        i += 1;
    }
    u64::from_ne_bytes(w)
}

/// Sets the fields every `URING_CMD` shares.
#[inline]
const fn cmd_fields(
    code: u8,
    mut f: Fields,
    cmd_op: u32,
    addr: u64,
    optlen: u32,
    buf_index: Option<u16>,
) -> Fields {
    f.opcode = code;
    f.off = pair32(cmd_op, 0);
    f.addr = addr;
    f.file_index = optlen;
    if let Some(i) = buf_index {
        f.op_flags = sys::IORING_URING_CMD_FIXED;
        f.buf_index = i;
    }
    f
}

opcode! {
    /// A driver command `cmd_op` on `fd`, with 16 bytes of inline command data.
    ///
    /// Like an asynchronous `ioctl(2)`. Linux 5.19+; socket commands
    /// (`SOCKET_URING_OP_SIOCINQ`, `SIOCOUTQ`, `GETSOCKOPT`, `SETSOCKOPT`, ...) Linux 6.7+.
    /// What `addr`, `file_index` and `cmd` mean depends on the driver; for the socket
    /// option commands `addr` holds `level` and `optname` (see [`sockopt_addr`]),
    /// `file_index` is `optlen` and `cmd`'s first 8 bytes are `optval`.
    ///
    /// # Memory
    ///
    /// Whatever memory the command's data points at, as the driver defines; until the CQE.
    ///
    /// # References
    ///
    /// - [`io_uring_prep_cmd(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_cmd.3.html)
    #[doc(alias = "IORING_OP_URING_CMD")]
    #[doc(alias = "io_uring_prep_uring_cmd")]
    pub struct UringCmd {
        fd: { impl Target },
        cmd_op: { u32 },
        ;;
        /// `sqe->addr` (for socket option commands: [`sockopt_addr`]).
        addr: u64 = 0,
        /// `sqe->file_index` (for socket option commands: `optlen`).
        file_index: u32 = 0,
        /// The 16 bytes of `sqe->cmd`.
        cmd: [u8; 16] = [0; 16],
        /// Use registered buffer `buf_index` (`IORING_URING_CMD_FIXED`).
        buf_index: Option<u16> = None,
    }

    pub const CODE = sys::IORING_OP_URING_CMD;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let f = Fields::new(Self::CODE).target(self.fd);
        let mut f = cmd_fields(Self::CODE, f, self.cmd_op, self.addr, self.file_index, self.buf_index);
        f.addr3 = word(&self.cmd, 0);
        f.pad2 = word(&self.cmd, 8);
        f.sqe()
    }
}

opcode! {
    /// A driver command `cmd_op` on `fd`, with 80 bytes of inline command data (NVMe
    /// passthrough and the like), as a 128-byte SQE.
    ///
    /// Like an asynchronous `ioctl(2)`. Linux 6.19+ as its own opcode (on an
    /// `IORING_SETUP_SQE_MIXED` or `SQE128` ring); on an `SQE128` ring of an older kernel,
    /// [`UringCmd`] in a 128-byte entry does the same.
    ///
    /// # Memory
    ///
    /// Whatever memory the command's data points at, as the driver defines; until the CQE.
    ///
    /// # References
    ///
    /// - [`io_uring_prep_cmd(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_cmd.3.html)
    #[doc(alias = "IORING_OP_URING_CMD128")]
    #[doc(alias = "io_uring_prep_uring_cmd128")]
    pub struct UringCmd128 {
        fd: { impl Target },
        cmd_op: { u32 },
        ;;
        /// `sqe->addr`.
        addr: u64 = 0,
        /// `sqe->file_index`.
        file_index: u32 = 0,
        /// The 80 bytes of `sqe->cmd`.
        cmd: [u8; 80] = [0; 80],
        /// Use registered buffer `buf_index` (`IORING_URING_CMD_FIXED`).
        buf_index: Option<u16> = None,
    }

    pub const CODE = sys::IORING_OP_URING_CMD128;

    /// The 128-byte SQE.
    pub fn build(self) -> Sqe128 {
        let f = Fields::new(Self::CODE).target(self.fd);
        let mut f = cmd_fields(Self::CODE, f, self.cmd_op, self.addr, self.file_index, self.buf_index);
        f.addr3 = word(&self.cmd, 0);
        f.pad2 = word(&self.cmd, 8);
        let mut ext = [0u8; 64];
        let mut i = 0;
        while i < 64 {
            ext[i] = self.cmd[16 + i];
            i += 1;
        }
        Sqe128 { sqe: f.sqe(), ext }
    }
}

/// `sqe->addr` for the socket option commands: `level` then `optname`, as the uapi's
/// `struct { __u32 level; __u32 optname; }` lays them out.
#[inline]
pub const fn sockopt_addr(level: u32, optname: u32) -> u64 {
    pair32(level, optname)
}
