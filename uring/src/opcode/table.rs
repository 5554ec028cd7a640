//! Every `IORING_OP_*` opcode of the tracked uapi header: its kernel name and the Linux release
//! that added it.

use uring_sys as sys;

/// `(opcode, kernel name, (major, minor) of the first Linux release with it)`, in opcode order.
pub(crate) const OPCODES: &[(u8, &str, (u8, u8))] = &[
    (sys::IORING_OP_NOP, "IORING_OP_NOP", (5, 1)),
    (sys::IORING_OP_READV, "IORING_OP_READV", (5, 1)),
    (sys::IORING_OP_WRITEV, "IORING_OP_WRITEV", (5, 1)),
    (sys::IORING_OP_FSYNC, "IORING_OP_FSYNC", (5, 1)),
    (sys::IORING_OP_READ_FIXED, "IORING_OP_READ_FIXED", (5, 1)),
    (sys::IORING_OP_WRITE_FIXED, "IORING_OP_WRITE_FIXED", (5, 1)),
    (sys::IORING_OP_POLL_ADD, "IORING_OP_POLL_ADD", (5, 1)),
    (sys::IORING_OP_POLL_REMOVE, "IORING_OP_POLL_REMOVE", (5, 1)),
    (
        sys::IORING_OP_SYNC_FILE_RANGE,
        "IORING_OP_SYNC_FILE_RANGE",
        (5, 2),
    ),
    (sys::IORING_OP_SENDMSG, "IORING_OP_SENDMSG", (5, 3)),
    (sys::IORING_OP_RECVMSG, "IORING_OP_RECVMSG", (5, 3)),
    (sys::IORING_OP_TIMEOUT, "IORING_OP_TIMEOUT", (5, 4)),
    (
        sys::IORING_OP_TIMEOUT_REMOVE,
        "IORING_OP_TIMEOUT_REMOVE",
        (5, 5),
    ),
    (sys::IORING_OP_ACCEPT, "IORING_OP_ACCEPT", (5, 5)),
    (
        sys::IORING_OP_ASYNC_CANCEL,
        "IORING_OP_ASYNC_CANCEL",
        (5, 5),
    ),
    (
        sys::IORING_OP_LINK_TIMEOUT,
        "IORING_OP_LINK_TIMEOUT",
        (5, 5),
    ),
    (sys::IORING_OP_CONNECT, "IORING_OP_CONNECT", (5, 5)),
    (sys::IORING_OP_FALLOCATE, "IORING_OP_FALLOCATE", (5, 6)),
    (sys::IORING_OP_OPENAT, "IORING_OP_OPENAT", (5, 6)),
    (sys::IORING_OP_CLOSE, "IORING_OP_CLOSE", (5, 6)),
    (
        sys::IORING_OP_FILES_UPDATE,
        "IORING_OP_FILES_UPDATE",
        (5, 6),
    ),
    (sys::IORING_OP_STATX, "IORING_OP_STATX", (5, 6)),
    (sys::IORING_OP_READ, "IORING_OP_READ", (5, 6)),
    (sys::IORING_OP_WRITE, "IORING_OP_WRITE", (5, 6)),
    (sys::IORING_OP_FADVISE, "IORING_OP_FADVISE", (5, 6)),
    (sys::IORING_OP_MADVISE, "IORING_OP_MADVISE", (5, 6)),
    (sys::IORING_OP_SEND, "IORING_OP_SEND", (5, 6)),
    (sys::IORING_OP_RECV, "IORING_OP_RECV", (5, 6)),
    (sys::IORING_OP_OPENAT2, "IORING_OP_OPENAT2", (5, 6)),
    (sys::IORING_OP_EPOLL_CTL, "IORING_OP_EPOLL_CTL", (5, 6)),
    (sys::IORING_OP_SPLICE, "IORING_OP_SPLICE", (5, 7)),
    (
        sys::IORING_OP_PROVIDE_BUFFERS,
        "IORING_OP_PROVIDE_BUFFERS",
        (5, 7),
    ),
    (
        sys::IORING_OP_REMOVE_BUFFERS,
        "IORING_OP_REMOVE_BUFFERS",
        (5, 7),
    ),
    (sys::IORING_OP_TEE, "IORING_OP_TEE", (5, 8)),
    (sys::IORING_OP_SHUTDOWN, "IORING_OP_SHUTDOWN", (5, 11)),
    (sys::IORING_OP_RENAMEAT, "IORING_OP_RENAMEAT", (5, 11)),
    (sys::IORING_OP_UNLINKAT, "IORING_OP_UNLINKAT", (5, 11)),
    (sys::IORING_OP_MKDIRAT, "IORING_OP_MKDIRAT", (5, 15)),
    (sys::IORING_OP_SYMLINKAT, "IORING_OP_SYMLINKAT", (5, 15)),
    (sys::IORING_OP_LINKAT, "IORING_OP_LINKAT", (5, 15)),
    (sys::IORING_OP_MSG_RING, "IORING_OP_MSG_RING", (5, 18)),
    (sys::IORING_OP_FSETXATTR, "IORING_OP_FSETXATTR", (5, 19)),
    (sys::IORING_OP_SETXATTR, "IORING_OP_SETXATTR", (5, 19)),
    (sys::IORING_OP_FGETXATTR, "IORING_OP_FGETXATTR", (5, 19)),
    (sys::IORING_OP_GETXATTR, "IORING_OP_GETXATTR", (5, 19)),
    (sys::IORING_OP_SOCKET, "IORING_OP_SOCKET", (5, 19)),
    (sys::IORING_OP_URING_CMD, "IORING_OP_URING_CMD", (5, 19)),
    (sys::IORING_OP_SEND_ZC, "IORING_OP_SEND_ZC", (6, 0)),
    (sys::IORING_OP_SENDMSG_ZC, "IORING_OP_SENDMSG_ZC", (6, 1)),
    (
        sys::IORING_OP_READ_MULTISHOT,
        "IORING_OP_READ_MULTISHOT",
        (6, 7),
    ),
    (sys::IORING_OP_WAITID, "IORING_OP_WAITID", (6, 7)),
    (sys::IORING_OP_FUTEX_WAIT, "IORING_OP_FUTEX_WAIT", (6, 7)),
    (sys::IORING_OP_FUTEX_WAKE, "IORING_OP_FUTEX_WAKE", (6, 7)),
    (sys::IORING_OP_FUTEX_WAITV, "IORING_OP_FUTEX_WAITV", (6, 7)),
    (
        sys::IORING_OP_FIXED_FD_INSTALL,
        "IORING_OP_FIXED_FD_INSTALL",
        (6, 8),
    ),
    (sys::IORING_OP_FTRUNCATE, "IORING_OP_FTRUNCATE", (6, 9)),
    (sys::IORING_OP_BIND, "IORING_OP_BIND", (6, 11)),
    (sys::IORING_OP_LISTEN, "IORING_OP_LISTEN", (6, 11)),
    (sys::IORING_OP_RECV_ZC, "IORING_OP_RECV_ZC", (6, 15)),
    (sys::IORING_OP_EPOLL_WAIT, "IORING_OP_EPOLL_WAIT", (6, 15)),
    (sys::IORING_OP_READV_FIXED, "IORING_OP_READV_FIXED", (6, 15)),
    (
        sys::IORING_OP_WRITEV_FIXED,
        "IORING_OP_WRITEV_FIXED",
        (6, 15),
    ),
    (sys::IORING_OP_PIPE, "IORING_OP_PIPE", (6, 16)),
    (sys::IORING_OP_NOP128, "IORING_OP_NOP128", (6, 19)),
    (
        sys::IORING_OP_URING_CMD128,
        "IORING_OP_URING_CMD128",
        (6, 19),
    ),
];

// The table is indexed by opcode: entry `i` is opcode `i`, and it ends at IORING_OP_LAST.
const _: () = {
    let mut i = 0;
    while i < OPCODES.len() {
        assert!(OPCODES[i].0 as usize == i);
        i += 1;
    }
    assert!(OPCODES.len() == sys::IORING_OP_LAST as usize);
};

/// The number of opcodes this crate knows (`IORING_OP_LAST` of the tracked header).
pub const COUNT: usize = OPCODES.len();

/// The kernel's name for `opcode`, e.g. `"IORING_OP_READ"`; `None` for an opcode newer than the
/// tracked header.
#[inline]
pub fn name(opcode: u8) -> Option<&'static str> {
    OPCODES.get(opcode as usize).map(|op| op.1)
}

/// The first Linux release that has `opcode`, as `(major, minor)`; `None` for an opcode newer
/// than the tracked header.
#[inline]
pub fn since(opcode: u8) -> Option<(u8, u8)> {
    OPCODES.get(opcode as usize).map(|op| op.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_versions() {
        assert_eq!(name(sys::IORING_OP_NOP), Some("IORING_OP_NOP"));
        assert_eq!(name(sys::IORING_OP_READ), Some("IORING_OP_READ"));
        assert_eq!(since(sys::IORING_OP_READ), Some((5, 6)));
        assert_eq!(since(sys::IORING_OP_SEND_ZC), Some((6, 0)));
        assert_eq!(name(sys::IORING_OP_LAST), None);
        assert_eq!(since(255), None);
        // Versions never go down as opcodes go up: the kernel appends new ones.
        assert!(OPCODES.windows(2).all(|w| w[0].2 <= w[1].2));
    }
}
