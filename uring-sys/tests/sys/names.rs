//! What the crate defines, as tables the header tests walk: every constant with its value, every
//! struct/union with its size, alignment and field layout (`T::__FIELDS`, emitted by the crate's
//! own `layout!` assertions). A name missing here is reported as missing from the crate, and
//! `tables_are_complete` reads the crate's source so a new item cannot be left out of them.

/// `(stringify!(NAME), NAME as i128)` for each listed `uring_sys` constant (the linux-raw-sys
/// mark after the colon is `linux_raw_sys.rs`'s).
macro_rules! constants {
    ($($name:ident : $lrs:tt),* $(,)?) => {
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

/// `(name, value)` of every integer constant of `uring-sys` (all headers): the list in
/// `constants.rs`.
pub(crate) const CONSTANTS: &[(&str, i128)] = crate::constants::uring_sys_constants!(constants);

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
