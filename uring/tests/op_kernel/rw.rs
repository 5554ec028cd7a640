//! READ, WRITE, READV, WRITEV, READ_FIXED, WRITE_FIXED, READV_FIXED, WRITEV_FIXED,
//! READ_MULTISHOT, SPLICE, TEE.

use std::os::fd::AsRawFd;

use uring::CqeFlags;
use uring::opcode::*;
use uring::types::{Fd, Fixed, PollEvents, RwFlags};

use super::*;
use crate::require_ops;

fn file_with(dir: &TempDir, name: &str, data: &[u8]) -> std::fs::File {
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap();
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&p)
        .unwrap()
}

#[test]
fn read_reads_the_file_at_the_offset() {
    require_ops!(Read::CODE);
    let dir = TempDir::new("read");
    let f = file_with(&dir, "f", b"hello, uring");
    let mut ring = ring();
    let mut buf = [0u8; 5];
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            Read::new(Fd(f.as_raw_fd()), buf.as_mut_ptr(), 5)
                .offset(7)
                .build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 5);
    assert_eq!(&buf, b"uring");
}

#[test]
fn read_through_a_registered_file() {
    require_ops!(Read::CODE);
    let dir = TempDir::new("readfixed");
    let f = file_with(&dir, "f", b"abcdef");
    let mut ring = ring();
    register_files(&ring, &[-1, f.as_raw_fd()]);
    let mut buf = [0u8; 6];
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe { run1(&mut ring, Read::new(Fixed(1), buf.as_mut_ptr(), 6).build()) };
    assert_eq!(cqe.result().unwrap(), 6);
    assert_eq!(&buf, b"abcdef");
    // An empty slot is a bad file.
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe { run1(&mut ring, Read::new(Fixed(0), buf.as_mut_ptr(), 6).build()) };
    assert_errno(cqe, libc::EBADF);
}

#[test]
fn bad_fd_gives_ebadf_for_every_fd_op() {
    require_ops!(
        Read::CODE,
        Write::CODE,
        Fsync::CODE,
        Recv::CODE,
        Send::CODE,
        PollAdd::CODE
    );
    let mut ring = ring();
    let bad = Fd(closed_fd());
    let mut buf = [0u8; 4];
    let p = buf.as_mut_ptr();
    let mut one = [0u8; 1];
    let iov = iovec(&mut one);
    let sqes = [
        Read::new(bad, p, 4).build(),
        Write::new(bad, p, 4).build(),
        Readv::new(bad, &iov, 1).build(),
        Fsync::new(bad).build(),
        Recv::new(bad, p, 4).build(),
        Send::new(bad, p, 4).build(),
        PollAdd::new(bad, PollEvents::IN).build(),
        Fallocate::new(bad, 10).build(),
        Ftruncate::new(bad, 10).build(),
        Close::new(bad).build(),
    ];
    for sqe in sqes {
        let op = uring::opcode::table::name(sqe.opcode());
        if util::probe().check(sqe.opcode()).is_err() {
            // Fallocate is Linux 5.6, Ftruncate 6.9: only what the probe says exists.
            eprintln!("(not on this kernel, left out: {op:?})");
            continue;
        }
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        let cqe = unsafe { run1(&mut ring, sqe) };
        let err = cqe.result().expect_err("bad fd");
        assert_eq!(err.raw_os_error(), Some(libc::EBADF), "{op:?}: {err}");
    }
}

#[test]
fn write_writes_the_file_at_the_offset() {
    require_ops!(Write::CODE);
    let dir = TempDir::new("write");
    let f = file_with(&dir, "f", b"0123456789");
    let mut ring = ring();
    let data = b"abc";
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            Write::new(Fd(f.as_raw_fd()), data.as_ptr(), 3)
                .offset(4)
                .build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 3);
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"0123abc789");
    // RWF_APPEND ignores the offset.
    let sqe = Write::new(Fd(f.as_raw_fd()), data.as_ptr(), 3)
        .offset(0)
        .rw_flags(RwFlags::APPEND)
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_eq!(unsafe { run1(&mut ring, sqe) }.result().unwrap(), 3);
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"0123abc789abc");
}

#[test]
fn readv_scatters_into_each_buffer() {
    require_ops!(Readv::CODE);
    let dir = TempDir::new("readv");
    let f = file_with(&dir, "f", b"scatter-gather");
    let mut ring = ring();
    let (mut a, mut b) = ([0u8; 8], [0u8; 6]);
    let iov = [iovec(&mut a), iovec(&mut b)];
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            Readv::new(Fd(f.as_raw_fd()), iov.as_ptr(), 2).build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 14);
    assert_eq!((&a, &b), (b"scatter-", b"gather"));
}

#[test]
fn writev_gathers_every_buffer() {
    require_ops!(Writev::CODE);
    let dir = TempDir::new("writev");
    let f = file_with(&dir, "f", b"");
    let mut ring = ring();
    let (mut a, mut b) = (*b"gather ", *b"write");
    let iov = [iovec(&mut a), iovec(&mut b)];
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            Writev::new(Fd(f.as_raw_fd()), iov.as_ptr(), 2).build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 12);
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"gather write");
}

#[test]
fn fixed_buffer_write_then_read() {
    require_ops!(WriteFixed::CODE, ReadFixed::CODE);
    let dir = TempDir::new("fixedbuf");
    let f = file_with(&dir, "f", b"");
    let mut reg = vec![0u8; 4096];
    let mut ring = ring();
    // SAFETY: `reg` is declared before `ring`, so it outlives the registration.
    unsafe { register_buffers(&ring, &[iovec(&mut reg)]) };
    reg[100..105].copy_from_slice(b"fixed");
    let p = reg.as_mut_ptr();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            WriteFixed::new(Fd(f.as_raw_fd()), p.add(100), 5, 0)
                .offset(2)
                .build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 5);
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"\0\0fixed");
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            ReadFixed::new(Fd(f.as_raw_fd()), p.add(2000), 7, 0).build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 7);
    assert_eq!(&reg[2000..2007], b"\0\0fixed");
    // A buffer index that was never registered.
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            ReadFixed::new(Fd(f.as_raw_fd()), p, 7, 5).build(),
        )
    };
    assert_errno(cqe, libc::EFAULT);
}

#[test]
fn fixed_buffer_writev_then_readv() {
    require_ops!(WritevFixed::CODE, ReadvFixed::CODE);
    let dir = TempDir::new("fixedvec");
    let f = file_with(&dir, "f", b"");
    let mut reg = vec![0u8; 4096];
    let mut ring = ring();
    // SAFETY: `reg` is declared before `ring`, so it outlives the registration.
    unsafe { register_buffers(&ring, &[iovec(&mut reg)]) };
    reg[..4].copy_from_slice(b"vec-");
    reg[10..15].copy_from_slice(b"fixed");
    let base = reg.as_mut_ptr();
    // SAFETY: offsets 0 and 10 are inside `reg`'s 4096 bytes.
    let iov = unsafe {
        [
            libc::iovec {
                iov_base: base.cast(),
                iov_len: 4,
            },
            libc::iovec {
                iov_base: base.add(10).cast(),
                iov_len: 5,
            },
        ]
    };
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            WritevFixed::new(Fd(f.as_raw_fd()), iov.as_ptr(), 2, 0).build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 9);
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"vec-fixed");
    // SAFETY: offsets 1000 and 2000 are inside `reg`'s 4096 bytes.
    let iov = unsafe {
        [
            libc::iovec {
                iov_base: base.add(1000).cast(),
                iov_len: 3,
            },
            libc::iovec {
                iov_base: base.add(2000).cast(),
                iov_len: 6,
            },
        ]
    };
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            ReadvFixed::new(Fd(f.as_raw_fd()), iov.as_ptr(), 2, 0).build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 9);
    assert_eq!(
        (&reg[1000..1003], &reg[2000..2006]),
        (&b"vec"[..], &b"-fixed"[..])
    );
}

#[test]
fn read_multishot_posts_a_cqe_per_chunk_in_provided_buffers() {
    require_ops!(ReadMulti::CODE, ProvideBuffers::CODE);
    let mut bufs = vec![0u8; 4 * 32];
    let mut ring = ring();
    let (r, w) = pipe();
    // SAFETY: the kernel keeps pointers into `bufs` after this op's CQE, until it has used the
    // buffers or the ring is gone; `bufs` is declared before `ring`, so it outlives both.
    let cqe = unsafe {
        run1(
            &mut ring,
            ProvideBuffers::new(bufs.as_mut_ptr(), 32, 4, 3, 0).build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 0);
    // SAFETY: ReadMulti carries no pointer (it reads into group 3, `bufs`, which outlives the
    // ring); EOF below ends it and its final CQE is reaped.
    unsafe {
        submit(
            &mut ring,
            &[ReadMulti::new(Fd(r.as_raw_fd()), 3).build().user_data(9)],
        )
    };
    let mut got = Vec::new();
    for msg in [&b"first"[..], b"second"] {
        write_fd(&w, msg);
        let c = reap(&mut ring, 1)[0];
        assert_eq!(c.user_data(), 9);
        assert!(c.flags().contains(CqeFlags::MORE), "{c:?}");
        let id = c.buffer_id().expect("F_BUFFER") as usize;
        let n = c.result().unwrap() as usize;
        got.push(bufs[id * 32..id * 32 + n].to_vec());
    }
    assert_eq!(got, [b"first".to_vec(), b"second".to_vec()]);
    // EOF ends the request: a final CQE without F_MORE.
    drop(w);
    let c = reap(&mut ring, 1)[0];
    assert!(!c.has_more(), "{c:?}");
    assert_eq!(c.result().unwrap(), 0);
}

#[test]
fn splice_moves_file_bytes_into_a_pipe() {
    require_ops!(Splice::CODE);
    let dir = TempDir::new("splice");
    let f = file_with(&dir, "f", b"spliced data");
    let (r, w) = pipe();
    let mut ring = ring();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            Splice::new(Fd(f.as_raw_fd()), 8, Fd(w.as_raw_fd()), -1, 4).build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 4);
    assert_eq!(read_fd(&r, 64), b"data");
    // Neither side a pipe.
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            Splice::new(Fd(f.as_raw_fd()), 0, Fd(f.as_raw_fd()), 0, 4).build(),
        )
    };
    assert_errno(cqe, libc::EINVAL);
}

#[test]
fn tee_duplicates_pipe_data_without_consuming_it() {
    require_ops!(Tee::CODE);
    let (r1, w1) = pipe();
    let (r2, w2) = pipe();
    write_fd(&w1, b"teed");
    let mut ring = ring();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            Tee::new(Fd(r1.as_raw_fd()), Fd(w2.as_raw_fd()), 4).build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 4);
    assert_eq!(read_fd(&r2, 64), b"teed");
    assert_eq!(read_fd(&r1, 64), b"teed");
}
