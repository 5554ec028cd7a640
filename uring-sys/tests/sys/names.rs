//! What the crate defines, as tables the header tests walk: every constant with its value, every
//! struct/union with its size, alignment and field layout (`T::__FIELDS`, emitted by the crate's
//! own `layout!` assertions). A name missing here is reported as missing from the crate, and
//! `tables_are_complete` reads the crate's source so a new item cannot be left out of them.

/// `(stringify!(NAME), NAME as i128)` for each listed `uring_sys` constant.
macro_rules! constants {
    ($($name:ident),* $(,)?) => {
        &[$((stringify!($name), uring_sys::$name as i128)),*]
    };
}

/// `(name, size, align, T::__FIELDS)` for each listed `uring_sys` type.
macro_rules! types {
    ($($name:ident),* $(,)?) => {
        &[$((
            stringify!($name),
            ::core::mem::size_of::<uring_sys::$name>(),
            ::core::mem::align_of::<uring_sys::$name>(),
            uring_sys::$name::__FIELDS,
        )),*]
    };
}

/// `(name, value)` of every integer constant of `uring-sys` (all headers).
pub(crate) const CONSTANTS: &[(&str, i128)] = constants![
    IORING_RW_ATTR_FLAG_PI,
    IORING_FILE_INDEX_ALLOC,
    IOSQE_FIXED_FILE_BIT,
    IOSQE_IO_DRAIN_BIT,
    IOSQE_IO_LINK_BIT,
    IOSQE_IO_HARDLINK_BIT,
    IOSQE_ASYNC_BIT,
    IOSQE_BUFFER_SELECT_BIT,
    IOSQE_CQE_SKIP_SUCCESS_BIT,
    IOSQE_FIXED_FILE,
    IOSQE_IO_DRAIN,
    IOSQE_IO_LINK,
    IOSQE_IO_HARDLINK,
    IOSQE_ASYNC,
    IOSQE_BUFFER_SELECT,
    IOSQE_CQE_SKIP_SUCCESS,
    IORING_SETUP_IOPOLL,
    IORING_SETUP_SQPOLL,
    IORING_SETUP_SQ_AFF,
    IORING_SETUP_CQSIZE,
    IORING_SETUP_CLAMP,
    IORING_SETUP_ATTACH_WQ,
    IORING_SETUP_R_DISABLED,
    IORING_SETUP_SUBMIT_ALL,
    IORING_SETUP_COOP_TASKRUN,
    IORING_SETUP_TASKRUN_FLAG,
    IORING_SETUP_SQE128,
    IORING_SETUP_CQE32,
    IORING_SETUP_SINGLE_ISSUER,
    IORING_SETUP_DEFER_TASKRUN,
    IORING_SETUP_NO_MMAP,
    IORING_SETUP_REGISTERED_FD_ONLY,
    IORING_SETUP_NO_SQARRAY,
    IORING_SETUP_HYBRID_IOPOLL,
    IORING_SETUP_CQE_MIXED,
    IORING_SETUP_SQE_MIXED,
    IORING_SETUP_SQ_REWIND,
    IORING_OP_NOP,
    IORING_OP_READV,
    IORING_OP_WRITEV,
    IORING_OP_FSYNC,
    IORING_OP_READ_FIXED,
    IORING_OP_WRITE_FIXED,
    IORING_OP_POLL_ADD,
    IORING_OP_POLL_REMOVE,
    IORING_OP_SYNC_FILE_RANGE,
    IORING_OP_SENDMSG,
    IORING_OP_RECVMSG,
    IORING_OP_TIMEOUT,
    IORING_OP_TIMEOUT_REMOVE,
    IORING_OP_ACCEPT,
    IORING_OP_ASYNC_CANCEL,
    IORING_OP_LINK_TIMEOUT,
    IORING_OP_CONNECT,
    IORING_OP_FALLOCATE,
    IORING_OP_OPENAT,
    IORING_OP_CLOSE,
    IORING_OP_FILES_UPDATE,
    IORING_OP_STATX,
    IORING_OP_READ,
    IORING_OP_WRITE,
    IORING_OP_FADVISE,
    IORING_OP_MADVISE,
    IORING_OP_SEND,
    IORING_OP_RECV,
    IORING_OP_OPENAT2,
    IORING_OP_EPOLL_CTL,
    IORING_OP_SPLICE,
    IORING_OP_PROVIDE_BUFFERS,
    IORING_OP_REMOVE_BUFFERS,
    IORING_OP_TEE,
    IORING_OP_SHUTDOWN,
    IORING_OP_RENAMEAT,
    IORING_OP_UNLINKAT,
    IORING_OP_MKDIRAT,
    IORING_OP_SYMLINKAT,
    IORING_OP_LINKAT,
    IORING_OP_MSG_RING,
    IORING_OP_FSETXATTR,
    IORING_OP_SETXATTR,
    IORING_OP_FGETXATTR,
    IORING_OP_GETXATTR,
    IORING_OP_SOCKET,
    IORING_OP_URING_CMD,
    IORING_OP_SEND_ZC,
    IORING_OP_SENDMSG_ZC,
    IORING_OP_READ_MULTISHOT,
    IORING_OP_WAITID,
    IORING_OP_FUTEX_WAIT,
    IORING_OP_FUTEX_WAKE,
    IORING_OP_FUTEX_WAITV,
    IORING_OP_FIXED_FD_INSTALL,
    IORING_OP_FTRUNCATE,
    IORING_OP_BIND,
    IORING_OP_LISTEN,
    IORING_OP_RECV_ZC,
    IORING_OP_EPOLL_WAIT,
    IORING_OP_READV_FIXED,
    IORING_OP_WRITEV_FIXED,
    IORING_OP_PIPE,
    IORING_OP_NOP128,
    IORING_OP_URING_CMD128,
    IORING_OP_LAST,
    IORING_URING_CMD_FIXED,
    IORING_URING_CMD_MULTISHOT,
    IORING_URING_CMD_MASK,
    IORING_FSYNC_DATASYNC,
    IORING_TIMEOUT_ABS,
    IORING_TIMEOUT_UPDATE,
    IORING_TIMEOUT_BOOTTIME,
    IORING_TIMEOUT_REALTIME,
    IORING_LINK_TIMEOUT_UPDATE,
    IORING_TIMEOUT_ETIME_SUCCESS,
    IORING_TIMEOUT_MULTISHOT,
    IORING_TIMEOUT_IMMEDIATE_ARG,
    IORING_TIMEOUT_CLOCK_MASK,
    IORING_TIMEOUT_UPDATE_MASK,
    SPLICE_F_FD_IN_FIXED,
    IORING_POLL_ADD_MULTI,
    IORING_POLL_UPDATE_EVENTS,
    IORING_POLL_UPDATE_USER_DATA,
    IORING_POLL_ADD_LEVEL,
    IORING_ASYNC_CANCEL_ALL,
    IORING_ASYNC_CANCEL_FD,
    IORING_ASYNC_CANCEL_ANY,
    IORING_ASYNC_CANCEL_FD_FIXED,
    IORING_ASYNC_CANCEL_USERDATA,
    IORING_ASYNC_CANCEL_OP,
    IORING_RECVSEND_POLL_FIRST,
    IORING_RECV_MULTISHOT,
    IORING_RECVSEND_FIXED_BUF,
    IORING_SEND_ZC_REPORT_USAGE,
    IORING_RECVSEND_BUNDLE,
    IORING_SEND_VECTORIZED,
    IORING_NOTIF_USAGE_ZC_COPIED,
    IORING_ACCEPT_MULTISHOT,
    IORING_ACCEPT_DONTWAIT,
    IORING_ACCEPT_POLL_FIRST,
    IORING_MSG_DATA,
    IORING_MSG_SEND_FD,
    IORING_MSG_RING_CQE_SKIP,
    IORING_MSG_RING_FLAGS_PASS,
    IORING_FIXED_FD_NO_CLOEXEC,
    IORING_NOP_INJECT_RESULT,
    IORING_NOP_FILE,
    IORING_NOP_FIXED_FILE,
    IORING_NOP_FIXED_BUFFER,
    IORING_NOP_TW,
    IORING_NOP_CQE32,
    IORING_CQE_F_BUFFER,
    IORING_CQE_F_MORE,
    IORING_CQE_F_SOCK_NONEMPTY,
    IORING_CQE_F_NOTIF,
    IORING_CQE_F_BUF_MORE,
    IORING_CQE_F_SKIP,
    IORING_CQE_F_32,
    IORING_CQE_BUFFER_SHIFT,
    IORING_OFF_SQ_RING,
    IORING_OFF_CQ_RING,
    IORING_OFF_SQES,
    IORING_OFF_PBUF_RING,
    IORING_OFF_PBUF_SHIFT,
    IORING_OFF_MMAP_MASK,
    IORING_SQ_NEED_WAKEUP,
    IORING_SQ_CQ_OVERFLOW,
    IORING_SQ_TASKRUN,
    IORING_CQ_EVENTFD_DISABLED,
    IORING_ENTER_GETEVENTS,
    IORING_ENTER_SQ_WAKEUP,
    IORING_ENTER_SQ_WAIT,
    IORING_ENTER_EXT_ARG,
    IORING_ENTER_REGISTERED_RING,
    IORING_ENTER_ABS_TIMER,
    IORING_ENTER_EXT_ARG_REG,
    IORING_ENTER_NO_IOWAIT,
    IORING_FEAT_SINGLE_MMAP,
    IORING_FEAT_NODROP,
    IORING_FEAT_SUBMIT_STABLE,
    IORING_FEAT_RW_CUR_POS,
    IORING_FEAT_CUR_PERSONALITY,
    IORING_FEAT_FAST_POLL,
    IORING_FEAT_POLL_32BITS,
    IORING_FEAT_SQPOLL_NONFIXED,
    IORING_FEAT_EXT_ARG,
    IORING_FEAT_NATIVE_WORKERS,
    IORING_FEAT_RSRC_TAGS,
    IORING_FEAT_CQE_SKIP,
    IORING_FEAT_LINKED_FILE,
    IORING_FEAT_REG_REG_RING,
    IORING_FEAT_RECVSEND_BUNDLE,
    IORING_FEAT_MIN_TIMEOUT,
    IORING_FEAT_RW_ATTR,
    IORING_FEAT_NO_IOWAIT,
    IORING_REGISTER_BUFFERS,
    IORING_UNREGISTER_BUFFERS,
    IORING_REGISTER_FILES,
    IORING_UNREGISTER_FILES,
    IORING_REGISTER_EVENTFD,
    IORING_UNREGISTER_EVENTFD,
    IORING_REGISTER_FILES_UPDATE,
    IORING_REGISTER_EVENTFD_ASYNC,
    IORING_REGISTER_PROBE,
    IORING_REGISTER_PERSONALITY,
    IORING_UNREGISTER_PERSONALITY,
    IORING_REGISTER_RESTRICTIONS,
    IORING_REGISTER_ENABLE_RINGS,
    IORING_REGISTER_FILES2,
    IORING_REGISTER_FILES_UPDATE2,
    IORING_REGISTER_BUFFERS2,
    IORING_REGISTER_BUFFERS_UPDATE,
    IORING_REGISTER_IOWQ_AFF,
    IORING_UNREGISTER_IOWQ_AFF,
    IORING_REGISTER_IOWQ_MAX_WORKERS,
    IORING_REGISTER_RING_FDS,
    IORING_UNREGISTER_RING_FDS,
    IORING_REGISTER_PBUF_RING,
    IORING_UNREGISTER_PBUF_RING,
    IORING_REGISTER_SYNC_CANCEL,
    IORING_REGISTER_FILE_ALLOC_RANGE,
    IORING_REGISTER_PBUF_STATUS,
    IORING_REGISTER_NAPI,
    IORING_UNREGISTER_NAPI,
    IORING_REGISTER_CLOCK,
    IORING_REGISTER_CLONE_BUFFERS,
    IORING_REGISTER_SEND_MSG_RING,
    IORING_REGISTER_ZCRX_IFQ,
    IORING_REGISTER_RESIZE_RINGS,
    IORING_REGISTER_MEM_REGION,
    IORING_REGISTER_QUERY,
    IORING_REGISTER_ZCRX_CTRL,
    IORING_REGISTER_BPF_FILTER,
    IORING_REGISTER_LAST,
    IORING_REGISTER_USE_REGISTERED_RING,
    IO_WQ_BOUND,
    IO_WQ_UNBOUND,
    IORING_MEM_REGION_TYPE_USER,
    IORING_MEM_REGION_REG_WAIT_ARG,
    IORING_RSRC_REGISTER_SPARSE,
    IORING_REGISTER_FILES_SKIP,
    IO_URING_OP_SUPPORTED,
    IORING_REGISTER_SRC_REGISTERED,
    IORING_REGISTER_DST_REPLACE,
    IOU_PBUF_RING_MMAP,
    IOU_PBUF_RING_INC,
    IO_URING_NAPI_REGISTER_OP,
    IO_URING_NAPI_STATIC_ADD_ID,
    IO_URING_NAPI_STATIC_DEL_ID,
    IO_URING_NAPI_TRACKING_DYNAMIC,
    IO_URING_NAPI_TRACKING_STATIC,
    IO_URING_NAPI_TRACKING_INACTIVE,
    IORING_RESTRICTION_REGISTER_OP,
    IORING_RESTRICTION_SQE_OP,
    IORING_RESTRICTION_SQE_FLAGS_ALLOWED,
    IORING_RESTRICTION_SQE_FLAGS_REQUIRED,
    IORING_RESTRICTION_LAST,
    IORING_REG_WAIT_TS,
    SOCKET_URING_OP_SIOCINQ,
    SOCKET_URING_OP_SIOCOUTQ,
    SOCKET_URING_OP_GETSOCKOPT,
    SOCKET_URING_OP_SETSOCKOPT,
    SOCKET_URING_OP_TX_TIMESTAMP,
    SOCKET_URING_OP_GETSOCKNAME,
    IORING_TIMESTAMP_HW_SHIFT,
    IORING_TIMESTAMP_TYPE_SHIFT,
    IORING_CQE_F_TSTAMP_HW,
    IORING_ZCRX_AREA_SHIFT,
    IORING_ZCRX_AREA_MASK,
    IORING_ZCRX_AREA_DMABUF,
    ZCRX_REG_IMPORT,
    ZCRX_REG_NODEV,
    ZCRX_FEATURE_RX_PAGE_SIZE,
    ZCRX_FEATURE_EVENT,
    ZCRX_EVENT_ALLOC_FAIL,
    ZCRX_EVENT_COPY,
    __ZCRX_EVENT_TYPE_LAST,
    ZCRX_EVENT_DESC_FLAG_STATS,
    ZCRX_CTRL_FLUSH_RQ,
    ZCRX_CTRL_EXPORT,
    ZCRX_CTRL_ARM_EVENT,
    __ZCRX_CTRL_LAST,
    // <linux/io_uring/query.h>
    IO_URING_QUERY_OPCODES,
    IO_URING_QUERY_ZCRX,
    IO_URING_QUERY_SCQ,
    IO_URING_QUERY_ZCRX_EVENT,
    __IO_URING_QUERY_MAX,
    // <linux/io_uring/bpf_filter.h>
    IO_URING_BPF_FILTER_DENY_REST,
    IO_URING_BPF_FILTER_SZ_STRICT,
    IO_URING_BPF_CMD_FILTER,
    // <linux/io_uring/mock_file.h>
    IORING_MOCK_FEAT_CMD_COPY,
    IORING_MOCK_FEAT_RW_ZERO,
    IORING_MOCK_FEAT_RW_NOWAIT,
    IORING_MOCK_FEAT_RW_ASYNC,
    IORING_MOCK_FEAT_POLL,
    IORING_MOCK_FEAT_END,
    IORING_MOCK_CREATE_F_SUPPORT_NOWAIT,
    IORING_MOCK_CREATE_F_POLL,
    IORING_MOCK_MGR_CMD_PROBE,
    IORING_MOCK_MGR_CMD_CREATE,
    IORING_MOCK_CMD_COPY_REGBUF,
    IORING_MOCK_COPY_FROM,
];

/// A Rust type's layout: name, size, alignment, `(field path, offset, size, signedness)`s.
pub(crate) type TypeLayout = (
    &'static str,
    usize,
    usize,
    &'static [(&'static str, usize, usize, u8)],
);

/// Every struct and union of the crate (named C structs and the types of anonymous members).
pub(crate) const TYPES: &[TypeLayout] = types![
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
    io_uring_attr_pi,
    io_uring_cqe,
    io_sqring_offsets,
    io_cqring_offsets,
    io_uring_params,
    io_uring_files_update,
    io_uring_region_desc,
    io_uring_mem_region_reg,
    io_uring_rsrc_register,
    io_uring_rsrc_update,
    io_uring_rsrc_update2,
    io_uring_probe_op,
    io_uring_probe,
    io_uring_restriction,
    io_uring_restriction_register_op_union,
    io_uring_task_restriction,
    io_uring_clock_register,
    io_uring_clone_buffers,
    io_uring_buf,
    io_uring_buf_ring,
    io_uring_buf_ring_resv1_struct_union,
    io_uring_buf_ring_resv1_struct_union_resv1_struct,
    io_uring_buf_reg,
    io_uring_buf_status,
    io_uring_napi,
    io_uring_reg_wait,
    io_uring_getevents_arg,
    io_uring_sync_cancel_reg,
    io_uring_file_index_range,
    io_uring_recvmsg_out,
    io_timespec,
    io_uring_zcrx_rqe,
    io_uring_zcrx_cqe,
    io_uring_zcrx_offsets,
    io_uring_zcrx_area_reg,
    zcrx_stats,
    zcrx_event_desc,
    io_uring_zcrx_ifq_reg,
    zcrx_ctrl_flush_rq,
    zcrx_ctrl_export,
    zcrx_ctrl_arm_event,
    zcrx_ctrl,
    zcrx_ctrl_zc_export_union,
    // <linux/io_uring/query.h>
    io_uring_query_hdr,
    io_uring_query_opcode,
    io_uring_query_zcrx,
    io_uring_query_zcrx_event,
    io_uring_query_scq,
    // <linux/io_uring/bpf_filter.h>
    io_uring_bpf_ctx,
    io_uring_bpf_ctx_socket_union,
    io_uring_bpf_ctx_socket_union_socket,
    io_uring_bpf_ctx_socket_union_open,
    io_uring_bpf_ctx_socket_union_connect,
    io_uring_bpf_ctx_socket_union_connect_v4_addr_union,
    io_uring_bpf_filter,
    io_uring_bpf,
    io_uring_bpf_filter_union,
    // <linux/io_uring/mock_file.h>
    io_uring_mock_probe,
    io_uring_mock_create,
    __kernel_timespec,
];

/// Every `pub const NAME:`, `pub struct NAME` and `pub union NAME` in the crate's source is in
/// [`CONSTANTS`]/[`TYPES`] (or [`NOT_TABLED`]), and every table entry is in the source: the
/// header tests then cannot miss an item someone adds to the crate.
#[test]
fn tables_are_complete() {
    // Crate items deliberately not in the tables: the syscall numbers (`<asm/unistd.h>`'s,
    // checked against libc at compile time), not io_uring header items.
    const NOT_TABLED: &[&str] = &[
        "SYS_io_uring_setup",
        "SYS_io_uring_enter",
        "SYS_io_uring_register",
    ];
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let (mut consts, mut types) = (
        std::collections::BTreeSet::new(),
        std::collections::BTreeSet::new(),
    );
    for f in &files {
        for line in std::fs::read_to_string(f).unwrap().lines() {
            let line = line.trim_start();
            let word = |rest: &str| -> String {
                rest.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect()
            };
            if let Some(rest) = line.strip_prefix("pub const ") {
                let name = word(rest);
                // `pub const fn`, and the `__FIELDS` table `layout!` emits, are not items.
                if name != "fn" && name != "__FIELDS" {
                    consts.insert(name);
                }
            } else if let Some(rest) = line
                .strip_prefix("pub struct ")
                .or_else(|| line.strip_prefix("pub union "))
            {
                types.insert(word(rest));
            }
        }
    }
    let tabled_consts: std::collections::BTreeSet<String> =
        CONSTANTS.iter().map(|c| c.0.to_string()).collect();
    let tabled_types: std::collections::BTreeSet<String> =
        TYPES.iter().map(|t| t.0.to_string()).collect();
    let mut errors = Vec::new();
    for c in &consts {
        if !tabled_consts.contains(c) && !NOT_TABLED.contains(&c.as_str()) {
            errors.push(format!(
                "constant {c} is in src/ but not in names.rs CONSTANTS"
            ));
        }
    }
    for c in &tabled_consts {
        if !consts.contains(c) {
            errors.push(format!("CONSTANTS entry {c} is not a `pub const` in src/"));
        }
    }
    for t in &types {
        if !tabled_types.contains(t) {
            errors.push(format!("type {t} is in src/ but not in names.rs TYPES"));
        }
    }
    for t in &tabled_types {
        if !types.contains(t) {
            errors.push(format!(
                "TYPES entry {t} is not a `pub struct`/`pub union` in src/"
            ));
        }
    }
    println!(
        "{} source files: {} constants, {} types, all tabled",
        files.len(),
        consts.len(),
        types.len()
    );
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
