//! PROVIDE_BUFFERS, REMOVE_BUFFERS.

use std::os::fd::AsRawFd;

use uring::opcode::*;
use uring::types::Fd;

use super::*;
use crate::require_ops;

#[test]
fn provided_buffers_are_picked_by_buffer_select() {
    require_ops!(ProvideBuffers::CODE, Read::CODE);
    let dir = TempDir::new("provide");
    std::fs::write(dir.join("f"), b"selected!").unwrap();
    let f = std::fs::File::open(dir.join("f")).unwrap();
    let mut bufs = vec![0u8; 2 * 16];
    let mut ring = ring();
    // Ids 10 and 11 in group 4.
    // SAFETY: the kernel keeps pointers into `bufs` after this op's CQE, until it has used the
    // buffers or the ring is gone; `bufs` is declared before `ring`, so it outlives both.
    let cqe = unsafe {
        run1(
            &mut ring,
            ProvideBuffers::new(bufs.as_mut_ptr(), 16, 2, 4, 10).build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 0);
    let sqe = Read::new(Fd(f.as_raw_fd()), std::ptr::null_mut(), 16)
        .buffer_select(Some(4))
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let c = unsafe { run1(&mut ring, sqe) };
    assert_eq!(c.result().unwrap(), 9);
    let id = c.buffer_id().expect("F_BUFFER") as usize;
    assert!(id == 10 || id == 11, "{id}");
    let at = (id - 10) * 16;
    assert_eq!(&bufs[at..at + 9], b"selected!");
    // An empty group.
    let sqe = Read::new(Fd(f.as_raw_fd()), std::ptr::null_mut(), 16)
        .buffer_select(Some(99))
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_errno(unsafe { run1(&mut ring, sqe) }, libc::ENOBUFS);
}

#[test]
fn remove_buffers_returns_how_many_were_removed() {
    require_ops!(ProvideBuffers::CODE, RemoveBuffers::CODE, Read::CODE);
    let dir = TempDir::new("remove");
    std::fs::write(dir.join("f"), b"data").unwrap();
    let f = std::fs::File::open(dir.join("f")).unwrap();
    let mut bufs = vec![0u8; 3 * 8];
    let mut ring = ring();
    assert_eq!(
        // SAFETY: the kernel keeps pointers into `bufs` after this op's CQE, until it has used the
        // buffers or the ring is gone; `bufs` is declared before `ring`, so it outlives both.
        unsafe {
            run1(
                &mut ring,
                ProvideBuffers::new(bufs.as_mut_ptr(), 8, 3, 2, 0).build(),
            )
        }
        .result()
        .unwrap(),
        0
    );
    assert_eq!(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, RemoveBuffers::new(5, 2).build()) }
            .result()
            .unwrap(),
        3
    );
    // The group is empty now: a buffer-selecting read has nothing to take.
    let sqe = Read::new(Fd(f.as_raw_fd()), std::ptr::null_mut(), 8)
        .buffer_select(Some(2))
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_errno(unsafe { run1(&mut ring, sqe) }, libc::ENOBUFS);
    // A group that never had buffers.
    assert_errno(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, RemoveBuffers::new(1, 77).build()) },
        libc::ENOENT,
    );
    drop(bufs);
}
