//! `<linux/io_uring/bpf_filter.h>`: classic-BPF filters on a ring's requests
//! (`IORING_REGISTER_BPF_FILTER`, after Linux 6.18), every struct and enum value. Items are in
//! the header's order.
//!
//! `io_uring_bpf_ctx` has C members that are *named* but of an unnamed struct type
//! (`struct { ... } socket;`); they keep their names, and their types are named by the crate's
//! rule (`S_` followed by the field name): `ctx.socket_union.connect.port` is C's
//! `ctx.connect.port`, of type `io_uring_bpf_ctx_socket_union_connect`. `__be16`/`__be32`
//! fields are `u16`/`u32` holding network byte order.

use super::U64;

/// `struct io_uring_bpf_ctx`: what a filter program sees of a request (its BPF input).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_bpf_ctx {
    /// `user_data`.
    pub user_data: u64,
    /// `opcode`: the request's `IORING_OP_*`.
    pub opcode: u8,
    /// `sqe_flags`: the request's `IOSQE_*`.
    pub sqe_flags: u8,
    /// `pdu_size`: size of the opcode's data in the union.
    pub pdu_size: u8,
    /// `pad`.
    pub pad: [u8; 5],
    /// The anonymous union holding `socket` / `open` / `connect`.
    pub socket_union: io_uring_bpf_ctx_socket_union,
}

/// The anonymous union in `io_uring_bpf_ctx`: per-opcode data.
#[repr(C)]
#[derive(Copy, Clone)]
pub union io_uring_bpf_ctx_socket_union {
    /// `socket`: for `IORING_OP_SOCKET`.
    pub socket: io_uring_bpf_ctx_socket_union_socket,
    /// `open`: for `IORING_OP_OPENAT`/`IORING_OP_OPENAT2`.
    pub open: io_uring_bpf_ctx_socket_union_open,
    /// `connect` (Linux 7.2): for `IORING_OP_CONNECT`.
    pub connect: io_uring_bpf_ctx_socket_union_connect,
}

/// `io_uring_bpf_ctx`'s `socket` member (a struct type C leaves unnamed).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_bpf_ctx_socket_union_socket {
    /// `family`.
    pub family: u32,
    /// `type`.
    pub r#type: u32,
    /// `protocol`.
    pub protocol: u32,
}

/// `io_uring_bpf_ctx`'s `open` member (a struct type C leaves unnamed).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_bpf_ctx_socket_union_open {
    /// `flags`.
    pub flags: u64,
    /// `mode`.
    pub mode: u64,
    /// `resolve`.
    pub resolve: u64,
}

/// `io_uring_bpf_ctx`'s `connect` member (Linux 7.2; a struct type C leaves unnamed).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_bpf_ctx_socket_union_connect {
    /// `family`: `sa_family_t`, zero-extended.
    pub family: u32,
    /// `port` (`__be16`, network byte order).
    pub port: u16,
    /// `pad`.
    pub pad: [u8; 2],
    /// The anonymous union holding `v4_addr` / `v6_addr`.
    pub v4_addr_union: io_uring_bpf_ctx_socket_union_connect_v4_addr_union,
}

/// The anonymous union in `io_uring_bpf_ctx`'s `connect` member.
#[repr(C)]
#[derive(Copy, Clone)]
pub union io_uring_bpf_ctx_socket_union_connect_v4_addr_union {
    /// `v4_addr` (`__be32`, network byte order).
    pub v4_addr: u32,
    /// `v6_addr`.
    pub v6_addr: [u8; 16],
}

layout!(io_uring_bpf_ctx, size 40, align U64,
    user_data = 0, opcode = 8, sqe_flags = 9, pdu_size = 10, pad = 11,
    socket_union = 16, socket_union.socket = 16, socket_union.socket.family = 16,
    socket_union.socket.r#type = 20, socket_union.socket.protocol = 24,
    socket_union.open = 16, socket_union.open.flags = 16, socket_union.open.mode = 24,
    socket_union.open.resolve = 32,
    socket_union.connect = 16, socket_union.connect.family = 16, socket_union.connect.port = 20,
    socket_union.connect.pad = 22, socket_union.connect.v4_addr_union = 24,
    socket_union.connect.v4_addr_union.v4_addr = 24,
    socket_union.connect.v4_addr_union.v6_addr = 24,
);
layout!(io_uring_bpf_ctx_socket_union, size 24, align U64, socket = 0, open = 0, connect = 0);
layout!(io_uring_bpf_ctx_socket_union_socket, size 12, align 4,
    family = 0, r#type = 4, protocol = 8);
layout!(io_uring_bpf_ctx_socket_union_open, size 24, align U64, flags = 0, mode = 8, resolve = 16);
layout!(io_uring_bpf_ctx_socket_union_connect, size 24, align 4,
    family = 0, port = 4, pad = 6, v4_addr_union = 8, v4_addr_union.v4_addr = 8,
    v4_addr_union.v6_addr = 8);
layout!(io_uring_bpf_ctx_socket_union_connect_v4_addr_union, size 16, align 4,
    v4_addr = 0, v6_addr = 0);
zeroable!(
    io_uring_bpf_ctx,
    io_uring_bpf_ctx_socket_union,
    io_uring_bpf_ctx_socket_union_socket,
    io_uring_bpf_ctx_socket_union_open,
    io_uring_bpf_ctx_socket_union_connect,
    io_uring_bpf_ctx_socket_union_connect_v4_addr_union,
);
union_debug!(
    io_uring_bpf_ctx_socket_union,
    io_uring_bpf_ctx_socket_union_connect_v4_addr_union
);

/// `IO_URING_BPF_FILTER_DENY_REST` (`io_uring_bpf_filter.flags`): deny every opcode that has
/// no filter yet.
pub const IO_URING_BPF_FILTER_DENY_REST: u32 = 1;
/// `IO_URING_BPF_FILTER_SZ_STRICT`: fail if the kernel's `pdu_size` for the opcode differs.
pub const IO_URING_BPF_FILTER_SZ_STRICT: u32 = 2;

/// `struct io_uring_bpf_filter`: one filter program for one opcode.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_bpf_filter {
    /// `opcode`: the `IORING_OP_*` to filter.
    pub opcode: u32,
    /// `flags` (`IO_URING_BPF_FILTER_*`).
    pub flags: u32,
    /// `filter_len`: number of BPF instructions.
    pub filter_len: u32,
    /// `pdu_size`: the `pdu_size` the program expects.
    pub pdu_size: u8,
    /// `resv`.
    pub resv: [u8; 3],
    /// `filter_ptr`: address of `filter_len` `struct sock_filter` instructions.
    pub filter_ptr: u64,
    /// `resv2`.
    pub resv2: [u64; 5],
}
layout!(io_uring_bpf_filter, size 64, align U64,
    opcode = 0, flags = 4, filter_len = 8, pdu_size = 12, resv = 13, filter_ptr = 16,
    resv2 = 24);
zeroable!(io_uring_bpf_filter);

/// `IO_URING_BPF_CMD_FILTER` (`io_uring_bpf.cmd_type`): register `filter`.
pub const IO_URING_BPF_CMD_FILTER: u16 = 1;

/// `struct io_uring_bpf`: argument of `IORING_REGISTER_BPF_FILTER`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct io_uring_bpf {
    /// `cmd_type` (`IO_URING_BPF_*`).
    pub cmd_type: u16,
    /// `cmd_flags`.
    pub cmd_flags: u16,
    /// `resv`.
    pub resv: u32,
    /// The anonymous union holding `filter`.
    pub filter_union: io_uring_bpf_filter_union,
}

/// The anonymous union in `io_uring_bpf`.
#[repr(C)]
#[derive(Copy, Clone)]
pub union io_uring_bpf_filter_union {
    /// `filter`: for `IO_URING_BPF_CMD_FILTER`.
    pub filter: io_uring_bpf_filter,
}
layout!(io_uring_bpf, size 72, align U64,
    cmd_type = 0, cmd_flags = 2, resv = 4, filter_union = 8, filter_union.filter = 8);
layout!(io_uring_bpf_filter_union, size 64, align U64, filter = 0);
zeroable!(io_uring_bpf, io_uring_bpf_filter_union);
union_debug!(io_uring_bpf_filter_union);
