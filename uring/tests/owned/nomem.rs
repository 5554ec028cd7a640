//! Memory-free opcode builders through the driver (`NoMemoryOp`).

use std::os::fd::{AsFd, AsRawFd};
use std::time::Duration;

use uring::driver::{Driver, NoMemoryOp};
use uring::opcode;
use uring::types::Fd;

use crate::support::turn;

#[test]
fn nop_with_injected_result() {
    let mut d = Driver::new(8).unwrap();
    let op = d
        .submit(NoMemoryOp::new(
            opcode::Nop::new().result(Some(-libc::EAGAIN)),
        ))
        .unwrap();
    let out = d.wait(op).unwrap();
    let r = out.result();
    if matches!(r, Ok(0))
        || r.as_ref()
            .is_err_and(|e| e.raw_os_error() == Some(libc::EINVAL))
    {
        // Kernels before the flag ignore nop_flags (a plain NOP: 0) or refuse it (EINVAL).
        eprintln!(
            "SKIPPED nop_with_injected_result: the kernel's NOP does not honour \
             IORING_NOP_INJECT_RESULT (it completed with {r:?})"
        );
        return;
    }
    assert_eq!(r.unwrap_err().raw_os_error(), Some(libc::EAGAIN));
    assert!(out.fd.is_none());
}

#[test]
fn socket_hands_back_an_owned_fd() {
    let mut d = Driver::new(8).unwrap();
    if !crate::support::supported(&d, uring_sys::IORING_OP_SOCKET, "socket_hands_back") {
        return;
    }
    let op = d
        .submit(NoMemoryOp::new(opcode::Socket::new(
            libc::AF_INET,
            libc::SOCK_STREAM | libc::SOCK_CLOEXEC,
            0,
        )))
        .unwrap();
    let out = d.wait(op).unwrap();
    let fd = out.fd.expect("a socket fd");
    let mut ty: libc::c_int = 0;
    let mut len = size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `ty`/`len` are valid out-parameters for SO_TYPE.
    let r = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_TYPE,
            (&raw mut ty).cast(),
            &mut len,
        )
    };
    assert_eq!((r, ty), (0, libc::SOCK_STREAM));
}

/// A multishot accept submitted single-shot: the connections it accepts before the final CQE
/// cannot be handed out, so the driver closes them (the clients see EOF), never leaks them.
#[test]
fn multishot_accept_as_single_shot_closes_intermediate_fds() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut d = Driver::new(8).unwrap();
    let op = d
        .submit(NoMemoryOp::new(opcode::AcceptMulti::new(Fd(l.as_raw_fd()))))
        .unwrap();
    d.submit_pending().unwrap();
    let mut c = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
    c.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    let mut b = [0u8; 1];
    let t0 = std::time::Instant::now();
    loop {
        d.submit_pending().unwrap();
        d.reap(|_| {});
        if d.is_done(&op) {
            // Finished before the client saw EOF: only a kernel refusing the flag does that.
            let out = d.wait(op).unwrap();
            let e = out.result().unwrap_err();
            assert_eq!(e.raw_os_error(), Some(libc::EINVAL), "{e}");
            eprintln!(
                "SKIPPED multishot_accept_as_single_shot_closes_intermediate_fds: the kernel \
                 refused IORING_ACCEPT_MULTISHOT with EINVAL (Linux 5.19+)"
            );
            return;
        }
        assert!(t0.elapsed() < Duration::from_secs(60), "no EOF after 60 s");
        match crate::support::read_retrying(&mut c, &mut b) {
            Ok(0) => break,
            Ok(_) => panic!("unexpected data"),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("{e}"),
        }
    }
    d.cancel(&op).unwrap();
    let out = d.wait(op).unwrap();
    assert_eq!(
        out.result().unwrap_err().raw_os_error(),
        Some(libc::ECANCELED)
    );
}

#[test]
fn multishot_accept_items_own_their_fds() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut d = Driver::new(8).unwrap();
    let h = d
        .submit_multishot(NoMemoryOp::new(opcode::AcceptMulti::new(Fd(l.as_raw_fd()))))
        .unwrap();
    let _clients: Vec<_> = (0..2)
        .map(|_| std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap())
        .collect();
    let mut fds = Vec::new();
    while fds.len() < 2 {
        turn(&mut d);
        while let Some(item) = d.next(&h) {
            if fds.is_empty()
                && item.fd.is_none()
                && item
                    .result()
                    .is_err_and(|e| e.raw_os_error() == Some(libc::EINVAL))
            {
                eprintln!(
                    "SKIPPED multishot_accept_items_own_their_fds: the kernel refused \
                     IORING_ACCEPT_MULTISHOT with EINVAL (Linux 5.19+)"
                );
                d.release(h).unwrap();
                return;
            }
            fds.push(item.fd.expect("accepted fd"));
        }
    }
    d.cancel_multishot(&h).unwrap();
    while !d.is_finished(&h) {
        turn(&mut d);
        while d.next(&h).is_some() {}
    }
    d.release(h).unwrap();
    let _ = l.as_fd();
}

/// `IOSQE_CQE_SKIP_SUCCESS` would leave the slot waiting forever; it is dropped.
#[test]
fn skip_success_flag_is_dropped() {
    let mut d = Driver::new(8).unwrap();
    let op = d
        .submit(NoMemoryOp::new(opcode::Nop::new()).flags(uring::SqeFlags::CQE_SKIP_SUCCESS))
        .unwrap();
    d.wait(op).unwrap().result().unwrap();
    let mut sqe_op = NoMemoryOp::new(opcode::Nop::new());
    sqe_op = sqe_op.flags(uring::SqeFlags::IO_DRAIN);
    let op = d.submit(sqe_op).unwrap();
    d.wait(op).unwrap().result().unwrap();
}
