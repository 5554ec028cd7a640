//! Fixed buffers: plain, tagged, sparse + update, unregister, clone.

use std::os::fd::{AsFd, AsRawFd};

use uring::{Features, Ring, Sqe};

use super::*;

fn iov(buf: &mut [u8]) -> libc::iovec {
    libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    }
}

fn fixed_sqe(op: u8, fd: i32, buf: *const u8, len: u32, index: u16, user_data: u64) -> Sqe {
    let mut sqe = Sqe::new(op).user_data(user_data);
    let raw = sqe.as_raw_mut();
    raw.fd = fd;
    raw.addr_union.addr = buf as u64;
    raw.len = len;
    raw.off_union.off = u64::MAX;
    raw.buf_index_union.buf_index = index;
    sqe
}

#[test]
fn buffers_write_fixed_and_read_fixed_use_the_registered_memory() {
    let mut ring = Ring::new(8).unwrap();
    let (r, w) = pipe();
    let mut buf = vec![0u8; 4096];
    buf[..6].copy_from_slice(b"fixed!");
    // SAFETY: `buf` is only touched between requests, and the table is unregistered below
    // (with no request in flight) before `buf` drops.
    unsafe { ring.submitter().register_buffers(&[iov(&mut buf)]) }.unwrap();

    let p = buf.as_ptr();
    let cqe = unsafe {
        // SAFETY: the request reads `buf` (registered, alive), and run_one waits for it.
        run_one(
            &mut ring,
            fixed_sqe(uring_sys::IORING_OP_WRITE_FIXED, w.as_raw_fd(), p, 6, 0, 1),
        )
    };
    assert_eq!(cqe.res(), 6);
    assert_eq!(read_now(&r), b"fixed!");

    write_all(&w, b"into the fixed buffer");
    let p = buf.as_mut_ptr();
    let cqe = unsafe {
        // SAFETY: the request writes `buf` (registered, alive, no reference held meanwhile).
        run_one(
            &mut ring,
            fixed_sqe(
                uring_sys::IORING_OP_READ_FIXED,
                r.as_raw_fd(),
                p,
                4096,
                0,
                2,
            ),
        )
    };
    assert_eq!(cqe.res(), 21);
    assert_eq!(&buf[..21], b"into the fixed buffer");

    // SAFETY: a second registration; the kernel refuses it before keeping anything.
    assert_errno(
        unsafe { ring.submitter().register_buffers(&[iov(&mut buf)]) },
        libc::EBUSY,
        "IORING_REGISTER_BUFFERS",
    );
    ring.submitter().unregister_buffers().unwrap();
    assert_errno(
        ring.submitter().unregister_buffers(),
        libc::ENXIO,
        "IORING_UNREGISTER_BUFFERS",
    );
    // With no table, a fixed request cannot find its buffer.
    let cqe = unsafe {
        // SAFETY: the request fails before touching memory; `buf` is alive anyway.
        run_one(
            &mut ring,
            fixed_sqe(uring_sys::IORING_OP_WRITE_FIXED, w.as_raw_fd(), p, 6, 0, 3),
        )
    };
    assert_eq!(cqe.res(), -libc::EFAULT);
}

#[test]
fn buffers_sparse_then_update_with_tags() {
    let mut ring = Ring::new(8).unwrap();
    if !ring.features().contains(Features::RSRC_TAGS) {
        eprintln!("SKIPPED buffers_sparse_then_update_with_tags: no IORING_FEAT_RSRC_TAGS");
        return;
    }
    let (r, w) = pipe();
    let mut buf = vec![7u8; 64];
    let reg = ring.submitter().register_buffers_sparse(2);
    if unsupported(&reg, "buffers_sparse_then_update_with_tags") {
        return;
    }
    let p = buf.as_ptr();
    let cqe = unsafe {
        // SAFETY: the slot is empty: the request fails before touching memory.
        run_one(
            &mut ring,
            fixed_sqe(uring_sys::IORING_OP_WRITE_FIXED, w.as_raw_fd(), p, 4, 1, 1),
        )
    };
    assert_eq!(cqe.res(), -libc::EFAULT, "an empty slot has no buffer");

    // SAFETY: `buf` stays alive and unborrowed until the tag CQE says the kernel let go.
    let n = unsafe {
        ring.submitter()
            .register_buffers_update(1, &[iov(&mut buf)], Some(&[0x7A6]))
    }
    .unwrap();
    assert_eq!(n, 1);
    let p = buf.as_ptr();
    let cqe = unsafe {
        // SAFETY: slot 1 is `buf`, alive; run_one waits for the CQE.
        run_one(
            &mut ring,
            fixed_sqe(uring_sys::IORING_OP_WRITE_FIXED, w.as_raw_fd(), p, 4, 1, 2),
        )
    };
    assert_eq!(cqe.res(), 4);
    assert_eq!(read_now(&r), [7, 7, 7, 7]);

    ring.submitter().unregister_buffers().unwrap();
    if !unregister_tag(&mut ring, 0x7A6, "buffers_sparse_then_update_with_tags") {
        return;
    }
    drop(buf);
}

#[test]
fn buffers_tags_length_mismatch_is_refused_up_front() {
    let ring = Ring::new(4).unwrap();
    let mut buf = vec![0u8; 16];
    // SAFETY: refused before the kernel is called.
    let e = unsafe {
        ring.submitter()
            .register_buffers_tags(&[iov(&mut buf)], &[])
    }
    .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    assert!(e.to_string().contains("IORING_REGISTER_BUFFERS2"), "{e}");
}

#[test]
fn buffers_clone_into_another_ring() {
    let mut src = Ring::new(8).unwrap();
    let mut dst = Ring::new(8).unwrap();
    let (r, w) = pipe();
    let mut buf = b"cloned buffer".to_vec();
    // SAFETY: `buf` outlives both registrations (both unregistered below before it drops).
    unsafe { src.submitter().register_buffers(&[iov(&mut buf)]) }.unwrap();
    // SAFETY: as above: `buf` outlives `dst`'s registration too.
    let r1 = unsafe {
        dst.submitter()
            .register_clone_buffers(src.as_fd(), 0, 0, 0, false)
    };
    if unsupported(&r1, "buffers_clone_into_another_ring") {
        return;
    }
    r1.unwrap();
    let p = buf.as_ptr();
    let cqe = unsafe {
        // SAFETY: slot 0 of `dst` is `buf`, alive; run_one waits.
        run_one(
            &mut dst,
            fixed_sqe(uring_sys::IORING_OP_WRITE_FIXED, w.as_raw_fd(), p, 13, 0, 1),
        )
    };
    assert_eq!(cqe.res(), 13);
    assert_eq!(read_now(&r), b"cloned buffer");

    // Again without replace: dst already has buffers.
    assert_errno(
        // SAFETY: refused by the kernel; nothing kept.
        unsafe {
            dst.submitter()
                .register_clone_buffers(src.as_fd(), 0, 0, 0, false)
        },
        libc::EBUSY,
        "IORING_REGISTER_CLONE_BUFFERS",
    );
    // With replace (IORING_REGISTER_DST_REPLACE, Linux 6.13) it succeeds; Linux 6.12's first
    // clone refuses any flag but SRC_REGISTERED, and a destination that has buffers.
    // SAFETY: same memory, same lifetime argument.
    let r = unsafe {
        dst.submitter()
            .register_clone_buffers(src.as_fd(), 0, 0, 0, true)
    };
    if let Err(e) = &r {
        if matches!(errno(e), Some(libc::EINVAL | libc::EBUSY)) {
            dst.submitter().unregister_buffers().unwrap();
            src.submitter().unregister_buffers().unwrap();
            let _ = drain(&mut src);
            util::skip(
                "buffers_clone_into_another_ring",
                format!("the kernel refused IORING_REGISTER_DST_REPLACE (Linux 6.13+): {e}"),
            );
            return;
        }
    }
    r.unwrap();

    // From a ring without buffers, and from a non-ring fd.
    let empty = Ring::new(2).unwrap();
    let third = Ring::new(2).unwrap();
    assert_errno(
        // SAFETY: nothing to clone; refused.
        unsafe {
            third
                .submitter()
                .register_clone_buffers(empty.as_fd(), 0, 0, 0, false)
        },
        libc::ENXIO,
        "IORING_REGISTER_CLONE_BUFFERS",
    );
    // SAFETY: not a ring; refused.
    let e = unsafe {
        third
            .submitter()
            .register_clone_buffers(w.as_fd(), 0, 0, 0, false)
    }
    .unwrap_err();
    assert!(
        matches!(errno(&e), Some(libc::EBADF | libc::EOPNOTSUPP)),
        "{e}"
    );
    dst.submitter().unregister_buffers().unwrap();
    src.submitter().unregister_buffers().unwrap();
    // Drain the two rings so no request remains in flight before `buf` drops.
    let _ = drain(&mut src);
    drop(buf);
}

#[test]
fn buffers_tags_with_an_empty_slot() {
    let mut ring = Ring::new(8).unwrap();
    if !ring.features().contains(Features::RSRC_TAGS) {
        eprintln!("SKIPPED buffers_tags_with_an_empty_slot: no IORING_FEAT_RSRC_TAGS");
        return;
    }
    let (r, w) = pipe();
    let mut buf = b"tagged".to_vec();
    let empty = libc::iovec {
        iov_base: std::ptr::null_mut(),
        iov_len: 0,
    };
    // SAFETY: `buf` stays alive and unborrowed until the tag CQE after unregistering.
    unsafe {
        ring.submitter()
            .register_buffers_tags(&[iov(&mut buf), empty], &[0x51, 0])
    }
    .unwrap();
    let p = buf.as_ptr();
    // SAFETY: slot 0 is `buf`, alive; run_one waits for the CQE.
    let cqe = unsafe {
        run_one(
            &mut ring,
            fixed_sqe(uring_sys::IORING_OP_WRITE_FIXED, w.as_raw_fd(), p, 6, 0, 1),
        )
    };
    assert_eq!(cqe.res(), 6);
    assert_eq!(read_now(&r), b"tagged");
    // SAFETY: slot 1 is empty: the request fails before touching memory.
    let cqe = unsafe {
        run_one(
            &mut ring,
            fixed_sqe(uring_sys::IORING_OP_WRITE_FIXED, w.as_raw_fd(), p, 6, 1, 2),
        )
    };
    assert_eq!(cqe.res(), -libc::EFAULT);
    ring.submitter().unregister_buffers().unwrap();
    if !unregister_tag(&mut ring, 0x51, "buffers_tags_with_an_empty_slot") {
        return;
    }
    drop(buf);
}

#[test]
fn registrations_go_through_a_registered_ring_fd() {
    // A ring using its registered fd: register_raw adds IORING_REGISTER_USE_REGISTERED_RING.
    let Some(mut ring) = util::ring_or_skip(
        Ring::builder().registered_ring_fd(),
        8,
        "registrations_go_through_a_registered_ring_fd",
    ) else {
        return;
    };
    let (r, w) = pipe();
    ring.submitter().register_files(&[w.as_fd()]).unwrap();
    let data = b"via index";
    // SAFETY: `data` outlives the call, which waits for the CQE.
    let cqe = unsafe { run_one(&mut ring, write_sqe(0, data, true, 1)) };
    assert_eq!(cqe.res(), 9);
    assert_eq!(read_now(&r), data);
    assert_errno(
        ring.submitter().register_files(&[w.as_fd()]),
        libc::EBUSY,
        "IORING_REGISTER_FILES",
    );
}
