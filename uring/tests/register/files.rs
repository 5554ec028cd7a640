//! Fixed files: plain, sparse, update (set / empty / skip), tags, the allocation range.

use std::ffi::CString;
use std::os::fd::{AsFd, AsRawFd};

use uring::register::FileSlot;
use uring::{Features, Ring, Sqe};

use super::*;

#[test]
fn files_registered_slot_writes_to_the_file_even_after_close() {
    let mut ring = Ring::new(8).unwrap();
    let (r, w) = pipe();
    ring.submitter().register_files(&[w.as_fd()]).unwrap();
    // The kernel holds its own reference: closing ours must not empty the slot.
    drop(w);
    let data = b"through slot 0";
    // SAFETY: `data` outlives the call, which waits for the CQE.
    let cqe = unsafe { run_one(&mut ring, write_sqe(0, data, true, 1)) };
    assert_eq!(cqe.res(), data.len() as i32);
    assert_eq!(read_now(&r), data);
}

#[test]
fn files_second_table_is_ebusy_and_unregister_frees_it() {
    let ring = Ring::new(4).unwrap();
    let (_r, w) = pipe();
    let s = ring.submitter();
    s.register_files(&[w.as_fd()]).unwrap();
    assert_errno(
        s.register_files(&[w.as_fd()]),
        libc::EBUSY,
        "IORING_REGISTER_FILES",
    );
    let r = s.register_files_sparse(4);
    if unsupported(&r, "files_second_table_is_ebusy_and_unregister_frees_it") {
        return;
    }
    assert_errno(r, libc::EBUSY, "IORING_REGISTER_FILES2");
    s.unregister_files().unwrap();
    assert_errno(s.unregister_files(), libc::ENXIO, "IORING_UNREGISTER_FILES");
    s.register_files_sparse(4).unwrap();
}

#[test]
fn files_an_io_uring_fd_is_ebadf() {
    // The kernel refuses io_uring fds in the fixed table (EBADF): the reachable "bad fd".
    let ring = Ring::new(4).unwrap();
    let other = Ring::new(4).unwrap();
    assert_errno(
        ring.submitter().register_files(&[other.as_fd()]),
        libc::EBADF,
        "IORING_REGISTER_FILES",
    );
    // And through the raw call with a closed fd number.
    let bad: i32 = 1_000_000;
    // SAFETY: `bad` is one int alive for the call.
    let r = unsafe {
        ring.submitter()
            .register_raw(uring_sys::IORING_REGISTER_FILES, (&raw const bad).cast(), 1)
    };
    assert_eq!(errno(&r.unwrap_err()), Some(libc::EBADF));
}

#[test]
fn files_sparse_update_set_empty_skip() {
    let mut ring = Ring::new(8).unwrap();
    let (r, w) = pipe();
    let reg = ring.submitter().register_files_sparse(4);
    if unsupported(&reg, "files_sparse_update_set_empty_skip") {
        return;
    }
    let data = b"x";
    // SAFETY: `data` outlives the call, which waits for the CQE.
    let cqe = unsafe { run_one(&mut ring, write_sqe(2, data, true, 1)) };
    assert_eq!(cqe.res(), -libc::EBADF, "an empty slot is EBADF");

    let n = ring
        .submitter()
        .register_files_update(2, &[FileSlot::Fd(w.as_fd())])
        .unwrap();
    assert_eq!(n, 1);
    // SAFETY: `data` outlives the call, which waits for the CQE.
    let cqe = unsafe { run_one(&mut ring, write_sqe(2, data, true, 2)) };
    assert_eq!(cqe.res(), 1);
    assert_eq!(read_now(&r), b"x");

    // Skip leaves slot 1 alone (still empty); slot 2 is emptied.
    let n = ring
        .submitter()
        .register_files_update(1, &[FileSlot::Skip, FileSlot::Empty])
        .unwrap();
    assert_eq!(n, 2);
    // SAFETY: `data` outlives the call, which waits for the CQE.
    let cqe = unsafe { run_one(&mut ring, write_sqe(1, data, true, 3)) };
    assert_eq!(cqe.res(), -libc::EBADF);
    // SAFETY: `data` outlives the call, which waits for the CQE.
    let cqe = unsafe { run_one(&mut ring, write_sqe(2, data, true, 4)) };
    assert_eq!(cqe.res(), -libc::EBADF, "slot 2 was emptied");

    // Outside the table.
    assert_errno(
        ring.submitter()
            .register_files_update(4, &[FileSlot::Fd(w.as_fd())]),
        libc::EINVAL,
        "IORING_REGISTER_FILES_UPDATE",
    );
}

#[test]
fn files_update_without_a_table_is_enxio() {
    let ring = Ring::new(4).unwrap();
    let (_r, w) = pipe();
    assert_errno(
        ring.submitter()
            .register_files_update(0, &[FileSlot::Fd(w.as_fd())]),
        libc::ENXIO,
        "IORING_REGISTER_FILES_UPDATE",
    );
}

#[test]
fn files_tags_post_a_cqe_when_the_file_leaves_its_slot() {
    let mut ring = Ring::new(8).unwrap();
    if !ring.features().contains(Features::RSRC_TAGS) {
        eprintln!("SKIPPED files_tags: no IORING_FEAT_RSRC_TAGS");
        return;
    }
    let (_r, w) = pipe();
    let (_r2, w2) = pipe();
    let s = ring.submitter();
    s.register_files_tags(&[Some(w.as_fd()), None], &[0xAAAA, 0])
        .unwrap();
    assert!(drain(&mut ring).is_empty(), "no tag CQE before any removal");
    // Replacing slot 0 retires the old file: its tag comes back as a CQE.
    let n = ring
        .submitter()
        .register_files_update_tags(0, &[FileSlot::Fd(w2.as_fd())], &[0xBBBB])
        .unwrap();
    assert_eq!(n, 1);
    let c = wait_for(&mut ring, 0xAAAA);
    assert_eq!(c.res(), 0);
    // Unregistering the table retires the new file with its own tag.
    ring.submitter().unregister_files().unwrap();
    if !unregister_tag(
        &mut ring,
        0xBBBB,
        "files_tags_post_a_cqe_when_the_file_leaves_its_slot",
    ) {
        return;
    }
    // Mismatched lengths are refused before the kernel is asked.
    let e = ring
        .submitter()
        .register_files_tags(&[Some(w.as_fd())], &[])
        .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    // A tag on an empty slot is EINVAL.
    assert_errno(
        ring.submitter().register_files_tags(&[None], &[1]),
        libc::EINVAL,
        "IORING_REGISTER_FILES2",
    );
}

fn openat_alloc(path: &CString, user_data: u64) -> Sqe {
    let mut sqe = Sqe::new(uring_sys::IORING_OP_OPENAT).user_data(user_data);
    let raw = sqe.as_raw_mut();
    raw.fd = libc::AT_FDCWD;
    raw.addr_union.addr = path.as_ptr() as u64;
    // Direct descriptors refuse O_CLOEXEC (they are not in the fd table).
    raw.rw_flags_union.open_flags = libc::O_RDONLY as u32;
    raw.splice_fd_in_union.file_index = uring_sys::IORING_FILE_INDEX_ALLOC;
    sqe
}

#[test]
fn files_alloc_range_bounds_the_slots_the_kernel_picks() {
    let mut ring = Ring::new(8).unwrap();
    let r = ring.submitter().register_files_sparse(8);
    if unsupported(&r, "files_alloc_range_bounds_the_slots_the_kernel_picks") {
        return;
    }
    let r = ring.submitter().register_file_alloc_range(4, 2);
    if unsupported(&r, "files_alloc_range_bounds_the_slots_the_kernel_picks") {
        return;
    }
    let path = CString::new("/dev/null").unwrap();
    // SAFETY: `path` outlives the call, which waits for the CQE.
    let a = unsafe { run_one(&mut ring, openat_alloc(&path, 1)) };
    // SAFETY: `path` outlives the call, which waits for the CQE.
    let b = unsafe { run_one(&mut ring, openat_alloc(&path, 2)) };
    // SAFETY: `path` outlives the call, which waits for the CQE.
    let c = unsafe { run_one(&mut ring, openat_alloc(&path, 3)) };
    assert_eq!(a.res(), 4, "first allocated slot is the range start");
    assert_eq!(b.res(), 5);
    assert_eq!(c.res(), -libc::ENFILE, "the range is full");
    // A range past the end of the table.
    assert_errno(
        ring.submitter().register_file_alloc_range(6, 4),
        libc::EINVAL,
        "IORING_REGISTER_FILE_ALLOC_RANGE",
    );
}

#[test]
fn files_alloc_range_without_a_table_is_einval() {
    let ring = Ring::new(4).unwrap();
    let e = ring
        .submitter()
        .register_file_alloc_range(0, 1)
        .unwrap_err();
    assert!(matches!(errno(&e), Some(libc::EINVAL | libc::ENXIO)), "{e}");
    assert!(
        e.to_string().contains("IORING_REGISTER_FILE_ALLOC_RANGE"),
        "{e}"
    );
    let _ = ring.as_raw_fd();
}
