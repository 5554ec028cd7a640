//! URING_CMD, URING_CMD128.

use std::io::Write as _;
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;

use uring::Sqe128;
use uring::opcode::*;
use uring::types::Fd;

use super::*;
use crate::require_ops;

/// Whether `c` (a socket URING_CMD on a socket) says the kernel has no socket commands:
/// URING_CMD is Linux 5.19, its socket commands 6.7 (SIOCINQ) and 6.7+ (GETSOCKOPT); before,
/// a socket refuses every command with EOPNOTSUPP. Prints why the test skips.
fn no_socket_cmds(c: &Cqe, test: &str) -> bool {
    if c.res() == -libc::EOPNOTSUPP {
        util::skip(
            test,
            "a socket refused URING_CMD with EOPNOTSUPP (socket commands are Linux 6.7+)",
        );
        return true;
    }
    false
}

#[test]
fn uring_cmd_socket_siocinq_counts_queued_bytes() {
    require_ops!(UringCmd::CODE);
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut c = TcpStream::connect(l.local_addr().unwrap()).unwrap();
    let (s, _) = l.accept().unwrap();
    c.write_all(b"12345").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let mut ring = ring();
    let sqe = UringCmd::new(Fd(s.as_raw_fd()), uring_sys::SOCKET_URING_OP_SIOCINQ).build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
    // is freed while it is in flight.
    let c = unsafe { run1(&mut ring, sqe) };
    if no_socket_cmds(&c, "uring_cmd_socket_siocinq_counts_queued_bytes") {
        return;
    }
    assert_eq!(
        c.result().unwrap(),
        5,
        "five bytes wait in the receive queue"
    );
    // Socket commands on a non-socket.
    let (r, _w) = pipe();
    let sqe = UringCmd::new(Fd(r.as_raw_fd()), uring_sys::SOCKET_URING_OP_SIOCINQ).build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_errno(unsafe { run1(&mut ring, sqe) }, libc::EOPNOTSUPP);
}

#[test]
fn uring_cmd_getsockopt_reads_the_option() {
    require_ops!(UringCmd::CODE);
    let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut val: libc::c_int = 0;
    let mut cmd = [0u8; 16];
    cmd[..8].copy_from_slice(&((&raw mut val) as usize as u64).to_ne_bytes());
    let sqe = UringCmd::new(Fd(s.as_raw_fd()), uring_sys::SOCKET_URING_OP_GETSOCKOPT)
        .addr(sockopt_addr(libc::SOL_SOCKET as u32, libc::SO_TYPE as u32))
        .file_index(4)
        .cmd(cmd)
        .build();
    let mut ring = ring();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let c = unsafe { run1(&mut ring, sqe) };
    if no_socket_cmds(&c, "uring_cmd_getsockopt_reads_the_option") {
        return;
    }
    let res = c.result().unwrap();
    assert_eq!(res, 4, "optlen");
    assert_eq!(val, libc::SOCK_DGRAM);
}

#[test]
fn uring_cmd128_on_a_128_byte_sqe_ring() {
    require_ops!(UringCmd128::CODE);
    let Some(mut ring) = util::ring_or_skip(
        Ring::<Sqe128>::builder(),
        8,
        "uring_cmd128_on_a_128_byte_sqe_ring",
    ) else {
        return;
    };
    let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut sqe = UringCmd128::new(Fd(s.as_raw_fd()), uring_sys::SOCKET_URING_OP_SIOCOUTQ).build();
    sqe.sqe = sqe.sqe.user_data(3);
    // SAFETY: this URING_CMD128 (SIOCOUTQ) carries no pointer, only the fd of `s`, which stays open
    // until its CQE is reaped below.
    unsafe { ring.push(&sqe) }.unwrap();
    ring.submit_and_wait(1).unwrap();
    let c = ring.cq().next().unwrap();
    assert_eq!(
        (c.user_data(), c.result().unwrap()),
        (3, 0),
        "nothing queued to send"
    );
}
