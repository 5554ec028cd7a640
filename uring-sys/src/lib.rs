//! Raw io_uring ABI: the kernel's `<linux/io_uring.h>` and `<linux/io_uring/*.h>`, exactly.
//!
//! Every struct, union, enum value and macro of the headers, spelled as the kernel spells them,
//! plus the three raw syscalls. Nothing else: no ring management, no safety. For a safe ring
//! use the `uring` crate of this workspace.
//!
//! `#![no_std]`, depends on `libc` only. On targets other than Linux and Android the crate is
//! empty.
//!
//! # Tracked headers
//!
//! The kernel's io_uring uapi of **Linux 7.2**, as Debian ships it in `linux-libc-dev`
//! `7.2.13-1` (sid): `<linux/io_uring.h>` and the four headers beside it,
//! `<linux/io_uring/zcrx.h>` (which `io_uring.h` includes), `<linux/io_uring/query.h>`,
//! `<linux/io_uring/bpf_filter.h>` and `<linux/io_uring/mock_file.h>`. Every struct, field, macro
//! and enum value of those five headers is here, and nothing else is (but
//! [`__kernel_timespec`]/[`__kernel_rwf_t`] from the headers they include, and the syscalls).
//! Names a newer kernel adds are missing until this crate is updated; `IORING_OP_LAST`,
//! `IORING_REGISTER_LAST` and the other "one past the last" values and masks
//! (`IORING_URING_CMD_MASK`) have 7.2's values.
//!
//! Cross-checked against liburing's copies (`src/include/liburing/io_uring.h`,
//! `io_uring/query.h`, `io_uring/bpf_filter.h`) at liburing commit `27255f4` (2026-08-19), which
//! lag 7.2: liburing still has the 6.18-era zcrx items inside `io_uring.h` (7.2 moved them to
//! `zcrx.h` and added events: `zcrx_stats`, `zcrx_event_desc`, `zcrx_ctrl_arm_event`,
//! `io_uring_zcrx_ifq_reg.event_desc`), lacks `write_stream`, `IORING_URING_CMD_MULTISHOT`,
//! `IO_URING_QUERY_ZCRX_EVENT`, the BPF context's `connect` member, the kernel's
//! `io_uring_napi` layout (`opcode`/`op_param`; liburing still calls those bytes `pad`/`resv`
//! and is 8-aligned where the kernel is 4-aligned) and `IORING_NOP_FILE`/`_FIXED_FILE`/
//! `_FIXED_BUFFER`/`_TW`. Every name liburing has is here with the same value, size and offset
//! (up to those documented reshapes), so nothing liburing has is missing; it has nothing
//! 7.2 lacks.
//!
//! One declared type differs from 7.2's spelling on purpose: `sqe.rw_flags` stays
//! [`__kernel_rwf_t`] (C `int`, the type of the `RWF_*` flags; liburing's and older kernel
//! headers' declaration) where 7.2 writes `__u32`; same size, alignment and offset.
//!
//! The tests check all of it against the C compiler: `cargo test` against the machine's
//! `/usr/include/linux/io_uring.h` (Debian 12's 6.1, an older subset), and CI stage 32 against
//! the five 7.2 headers both ways (`tests/uapi.rs`), with liburing's copies on request.
//!
//! # Modules
//!
//! One module per kernel header, all re-exported here: `io_uring` (`<linux/io_uring.h>`, plus
//! the raw syscalls) with its children `io_uring::zcrx`, `io_uring::query`,
//! `io_uring::bpf_filter` and `io_uring::mock_file` (`<linux/io_uring/*.h>`, in
//! `src/io_uring/*.rs`, mirroring the header paths), and the two types `<linux/io_uring.h>` takes
//! from `<linux/time_types.h>` ([`__kernel_timespec`]) and `<linux/fs.h>` ([`__kernel_rwf_t`]).
//! The modules are private: use the items from the crate root (`uring_sys::io_uring_bpf`).

//! # Anonymous unions and structs
//!
//! Rust has no anonymous members, so each anonymous union or struct member of a C struct `S`
//! becomes a named field: the name of its *first* member followed by `_union` (for a union) or
//! `_struct` (for a struct). When that first member is itself anonymous, its field name (built by
//! the same rule) is used, so the rule applies recursively. The field's Rust type is named `S_`
//! followed by the field name, and the rule continues inside it with that type as `S`. A
//! *named* member of an unnamed struct type (`struct { ... } socket;` in `io_uring_bpf_ctx`)
//! keeps its name, and its type is named by the same `S_` + field name rule.
//!
//! | C (anonymous members)                        | Rust                                                 |
//! |----------------------------------------------|------------------------------------------------------|
//! | `sqe.off`, `sqe.addr2`                        | `sqe.off_union.off`, `sqe.off_union.addr2`           |
//! | `sqe.cmd_op`                                  | `sqe.off_union.cmd_op_struct.cmd_op`                 |
//! | `sqe.addr`, `sqe.splice_off_in`               | `sqe.addr_union.addr`, `sqe.addr_union.splice_off_in`|
//! | `sqe.level`, `sqe.optname`                    | `sqe.addr_union.level_struct.{level, optname}`       |
//! | `sqe.len`                                     | `sqe.len`                                            |
//! | `sqe.rw_flags`, `sqe.poll32_events`, ...      | `sqe.rw_flags_union.rw_flags`, `....poll32_events`   |
//! | `sqe.buf_index`, `sqe.buf_group`              | `sqe.buf_index_union.{buf_index, buf_group}`         |
//! | `sqe.splice_fd_in`, `sqe.file_index`, ...     | `sqe.splice_fd_in_union.{splice_fd_in, file_index, zcrx_ifq_idx, optlen}` |
//! | `sqe.addr_len`                                | `sqe.splice_fd_in_union.addr_len_struct.addr_len`    |
//! | `sqe.write_stream`                            | `sqe.splice_fd_in_union.write_stream_struct.write_stream` |
//! | `sqe.addr3`                                   | `sqe.addr3_struct_union.addr3_struct.addr3`          |
//! | `sqe.attr_ptr`, `sqe.attr_type_mask`          | `sqe.addr3_struct_union.attr_ptr_struct.{attr_ptr, attr_type_mask}` |
//! | `sqe.optval`, `sqe.cmd`                       | `sqe.addr3_struct_union.{optval, cmd}`               |
//! | `restriction.sqe_op`                          | `restriction.register_op_union.sqe_op`               |
//! | `buf_ring.tail`                               | `buf_ring.resv1_struct_union.resv1_struct.tail`      |
//! | `buf_ring.bufs`                               | `buf_ring.resv1_struct_union.bufs`                   |
//! | `ctrl.zc_flush`, `ctrl.zc_arm_event` (`struct zcrx_ctrl`) | `ctrl.zc_export_union.{zc_flush, zc_arm_event}` |
//! | `ctx.open.mode` (`struct io_uring_bpf_ctx`)   | `ctx.socket_union.open.mode`                         |
//! | `ctx.connect.v6_addr`                         | `ctx.socket_union.connect.v4_addr_union.v6_addr`     |
//! | `bpf.filter` (`struct io_uring_bpf`)          | `bpf.filter_union.filter`                            |
//!
//! The types are `io_uring_sqe_off_union`, `io_uring_sqe_off_union_cmd_op_struct`,
//! `io_uring_sqe_addr3_struct_union_attr_ptr_struct`, `io_uring_bpf_ctx_socket_union_connect`
//! and so on. C's `type` field (`ctx.socket.type`) is `r#type`. The C union around `buf_index`
//! is `__attribute__((packed))`, so [`io_uring_sqe_buf_index_union`] is `repr(C, packed)`.
//!
//! # Derives
//!
//! Every struct and union is `Copy` and `Clone`, has `const fn zeroed()` and a `Default` that is
//! all-zero (all-zero bytes are a valid value of every type here), and `Debug`. A union's `Debug`
//! prints only its name, because which member was written is unknown and reading another one
//! could read uninitialized bytes.
//!
//! # C enums
//!
//! A named C enum `enum E` becomes `pub type E = c_uint;` (the underlying type GCC and Clang
//! give these all-non-negative enums) and each of its values becomes a constant. Values of
//! anonymous enums are constants only.
//!
//! # Constant types
//!
//! A constant has the type of the field or argument it goes into, so it can be assigned or
//! or-ed without casts; that type always has the C macro's or enum's width or more:
//!
//! | constants                                                   | type    | goes into |
//! |-------------------------------------------------------------|---------|-----------|
//! | `IORING_OP_*`                                               | `u8`    | `sqe.opcode` |
//! | `IOSQE_*`, `IOSQE_*_BIT`                                    | `u8`    | `sqe.flags` |
//! | `IORING_RECVSEND_*`, `IORING_RECV_MULTISHOT`, `IORING_SEND_*`, `IORING_ACCEPT_*` | `u16` | `sqe.ioprio` |
//! | `IO_URING_OP_SUPPORTED`                                     | `u16`   | `io_uring_probe_op.flags` |
//! | `IOU_PBUF_RING_*`                                           | `u16`   | `io_uring_buf_reg.flags` |
//! | `IORING_RESTRICTION_*`                                      | `u16`   | `io_uring_restriction.opcode` |
//! | `IO_URING_NAPI_REGISTER_OP`, `IO_URING_NAPI_STATIC_*_ID`    | `u8`    | `io_uring_napi.opcode` |
//! | `IO_URING_NAPI_TRACKING_*`                                  | `u32`   | `io_uring_napi.op_param` |
//! | `SOCKET_URING_OP_*`, `IORING_MOCK_MGR_CMD_*`, `IORING_MOCK_CMD_*` | `u32` | `sqe.cmd_op` |
//! | `IO_URING_QUERY_*`                                          | `u32`   | `io_uring_query_hdr.query_op` |
//! | `IO_URING_BPF_CMD_FILTER`                                   | `u16`   | `io_uring_bpf.cmd_type` |
//! | `IO_URING_BPF_FILTER_*`, `ZCRX_*`, `IORING_ZCRX_AREA_DMABUF`, `IORING_MOCK_*` (other) | `u32` | the `u32` `flags`/`op`/`event_type` fields (or, for the `ZCRX_EVENT_*` and `IORING_MOCK_FEAT_*` bit numbers, a shift) |
//! | `IORING_SETUP_*`, `IORING_FEAT_*`, `IORING_ENTER_*`, `IORING_SQ_*`, `IORING_CQ_*`, `IORING_CQE_F_*`, per-opcode flag words (`IORING_TIMEOUT_*`, `IORING_POLL_*`, `IORING_ASYNC_CANCEL_*`, `IORING_FSYNC_*`, `IORING_MSG_RING_*`, `IORING_NOP_*`, `SPLICE_F_FD_IN_FIXED`, ...) | `u32` | the `u32` fields |
//! | `IORING_REGISTER_*`, `IORING_UNREGISTER_*`, `IO_WQ_*`       | `c_uint`| `io_uring_register(2)`'s `opcode`; `IO_WQ_*` index the worker-count array |
//! | `IORING_OFF_*` (except the shift), `IORING_MSG_DATA`/`IORING_MSG_SEND_FD` (`sqe.addr`), `IORING_RW_ATTR_FLAG_PI`, `IORING_MEM_REGION_REG_WAIT_ARG`, `IORING_ZCRX_AREA_MASK` | `u64` | `mmap(2)` offsets and `u64` fields |
//! | `IORING_REGISTER_FILES_SKIP`                                | `i32`   | an `__s32` fd-array entry |
//! | shift amounts (`IORING_CQE_BUFFER_SHIFT`, `IORING_OFF_PBUF_SHIFT`, `IORING_TIMESTAMP_*_SHIFT`, `IORING_ZCRX_AREA_SHIFT`) | `u32` | the right operand of `<<`/`>>` |
//!
//! `IORING_NOTIF_USAGE_ZC_COPIED` is the `u32` bit 31 of the `i32` `cqe.res`: test
//! `res as u32 & IORING_NOTIF_USAGE_ZC_COPIED`.
//!
//! # Flexible arrays
//!
//! C's flexible and zero-length array members (`io_uring_cqe.big_cqe[]`, `io_uring_probe.ops[]`,
//! `io_uring_sqe.cmd[0]`, `io_uring_buf_ring.bufs[0]`, `io_uring_task_restriction.restrictions[0]`)
//! are zero-length arrays `[T; 0]` at the same offset, so the struct's size is C's. The elements
//! live past the end of the Rust value: reach them through a raw pointer derived from the whole
//! allocation or mapping (`addr_of!((*p).big_cqe).cast::<u64>().add(i)`), never through a
//! reference to a copied struct. A 32-byte CQE (`IORING_SETUP_CQE32`, or `IORING_CQE_F_32` in a
//! mixed ring) is an [`io_uring_cqe`] followed by the two `u64`s of `big_cqe`.
//!
//! # `__aligned_u64`
//!
//! Structs with an `__aligned_u64` field (`io_uring_files_update`, `io_uring_rsrc_register`,
//! `io_uring_rsrc_update`, `io_uring_rsrc_update2`) are `repr(C, align(8))`, which gives C's
//! layout on every target, including those (i386) where a plain `u64` is 4-aligned.
//!
//! # Layout proof
//!
//! Beside every type, `const` assertions fix its size, alignment and the offset of every field,
//! including the fields inside its unions (`offset_of!(io_uring_sqe, addr_union.addr)`, nested
//! and union `offset_of!` are stable on the MSRV, 1.85). Alignments of types with `u64` fields
//! are asserted as `align_of::<u64>()`, which is 8 everywhere but i386. The same macro records
//! each field's offset, size and signedness in a hidden table, which the tests compare with the
//! C compiler's `offsetof`, `sizeof` and signedness of the header's field (the one documented
//! difference: `sqe.rw_flags`, see above).
//!
//! # Syscalls
//!
//! [`io_uring_setup`], [`io_uring_enter`], [`io_uring_enter2`] and [`io_uring_register`] call
//! `libc::syscall` and behave like libc wrappers: on failure they return -1 and set `errno`
//! (`std::io::Error::last_os_error()`), never `-errno`. The numbers ([`SYS_io_uring_setup`] etc.)
//! are 425/426/427 on every architecture, offset by the ABI base on MIPS (4000 o32, 5000 n64,
//! 6000 n32) and x86-64 x32 (`0x4000_0000`); a compile-time assertion checks them against
//! `libc::SYS_io_uring_*` for the target.
// docs.rs (`--cfg docsrs`, nightly): badges saying which systems have an item.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![no_std]
#![allow(non_camel_case_types, non_upper_case_globals)]

/// Compile-time proof of a `repr(C)` item's layout: size, alignment and the offset of every field
/// (including fields inside its unions). Also records the layout in a hidden associated const,
/// `__FIELDS`, that the tests compare with the C compiler's view of the header: `(field path,
/// offset, size, signedness)`, signedness being [`Signedness::SIGNED`] of the field's type.
#[cfg(any(target_os = "linux", target_os = "android"))]
macro_rules! layout {
    ($t:ty, size $size:expr, align $align:expr $(, $($f:ident).+ = $off:expr)* $(,)?) => {
        const _: () = {
            assert!(::core::mem::size_of::<$t>() == $size);
            assert!(::core::mem::align_of::<$t>() == $align);
            $( assert!(::core::mem::offset_of!($t, $($f).+) == $off); )*
        };
        impl $t {
            /// Layout table for the crate's tests: `(field path, offset, size, signedness)` of
            /// every field (signedness: 1 signed integer, 0 unsigned integer, 2 anything else).
            #[doc(hidden)]
            pub const __FIELDS: &'static [(&'static str, usize, usize, u8)] = &[$((
                stringify!($($f).+),
                ::core::mem::offset_of!($t, $($f).+),
                {
                    const fn size_of_pointee<T>(_: *const T) -> usize {
                        ::core::mem::size_of::<T>()
                    }
                    let value = ::core::mem::MaybeUninit::<$t>::uninit();
                    let p = value.as_ptr();
                    // SAFETY: `p` points to a live (uninitialized) local; `&raw const` only
                    // projects to the field's place, reading nothing and creating no reference,
                    // which is allowed for union and packed fields.
                    size_of_pointee(unsafe { &raw const (*p).$($f).+ })
                },
                {
                    const fn signedness_of_pointee<T: $crate::Signedness>(_: *const T) -> u8 {
                        T::SIGNED
                    }
                    let value = ::core::mem::MaybeUninit::<$t>::uninit();
                    let p = value.as_ptr();
                    // SAFETY: as above: a place projection of a live local, nothing is read.
                    signedness_of_pointee(unsafe { &raw const (*p).$($f).+ })
                },
            )),*];
        }
    };
}

/// What the layout tables record of a field's type, for the tests' comparison with C: whether
/// it is a signed integer (1), an unsigned integer (0) or something else (2: arrays, structs,
/// unions). Implemented for the integer types and, by `zeroable!`, for every type of the crate.
#[cfg(any(target_os = "linux", target_os = "android"))]
trait Signedness {
    /// 1 signed integer, 0 unsigned integer, 2 anything else.
    const SIGNED: u8;
}

#[cfg(any(target_os = "linux", target_os = "android"))]
macro_rules! signedness {
    ($v:expr => $($t:ty),*) => {$(
        impl Signedness for $t {
            const SIGNED: u8 = $v;
        }
    )*};
}
#[cfg(any(target_os = "linux", target_os = "android"))]
signedness!(1 => i8, i16, i32, i64);
#[cfg(any(target_os = "linux", target_os = "android"))]
signedness!(0 => u8, u16, u32, u64);
#[cfg(any(target_os = "linux", target_os = "android"))]
impl<T, const N: usize> Signedness for [T; N] {
    const SIGNED: u8 = 2;
}

/// `zeroed()` and `Default` for plain-data kernel types, plus an opaque `Debug` for unions.
#[cfg(any(target_os = "linux", target_os = "android"))]
macro_rules! zeroable {
    ($($t:ident),* $(,)?) => {$(
        impl $crate::Signedness for $t {
            const SIGNED: u8 = 2;
        }
        impl $t {
            /// The all-zero value (every field 0), the usual starting point before filling it in.
            pub const fn zeroed() -> Self {
                // SAFETY: the type is `repr(C)` and made only of integers, arrays of integers and
                // unions/structs of those (see its definition), so all-zero bytes are a valid value.
                unsafe { ::core::mem::zeroed() }
            }
        }
        impl ::core::default::Default for $t {
            fn default() -> Self {
                Self::zeroed()
            }
        }
    )*};
}

/// `Debug` for a C union: which member is live is not known, so no member is read.
#[cfg(any(target_os = "linux", target_os = "android"))]
macro_rules! union_debug {
    ($($t:ident),* $(,)?) => {$(
        impl ::core::fmt::Debug for $t {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(stringify!($t)).finish_non_exhaustive()
            }
        }
    )*};
}

#[cfg(any(target_os = "linux", target_os = "android"))]
mod fs;
#[cfg(any(target_os = "linux", target_os = "android"))]
mod io_uring;
#[cfg(any(target_os = "linux", target_os = "android"))]
mod time_types;

#[cfg(any(target_os = "linux", target_os = "android"))]
pub use fs::*;
#[cfg(any(target_os = "linux", target_os = "android"))]
pub use io_uring::*;
#[cfg(any(target_os = "linux", target_os = "android"))]
pub use io_uring::{bpf_filter::*, mock_file::*, query::*, zcrx::*};
#[cfg(any(target_os = "linux", target_os = "android"))]
pub use time_types::*;

/// The README's examples, compiled and run as doctests (the README opens with the first one).
#[cfg(all(doctest, any(target_os = "linux", target_os = "android")))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
