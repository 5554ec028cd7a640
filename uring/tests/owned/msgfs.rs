//! Operations whose headers the driver owns: iovec arrays, msghdr + sockaddr, open_how, statx.

use std::ffi::CString;
use std::net::UdpSocket;
use std::os::fd::AsFd;

use uring::driver::{Connect, Driver, OpenAt2, Readv, SendMsg, Statx, Writev};

use crate::support::{pipe, supported};

#[test]
fn writev_then_readv_spread_lengths() {
    let mut d = Driver::new(8).unwrap();
    let (r, w) = pipe();
    let bufs: Vec<&'static [u8]> = vec![b"one ", b"two ", b"three"];
    let op = d.submit(Writev::new(&w, bufs, u64::MAX)).unwrap();
    let (res, bufs) = d.wait(op).unwrap();
    assert_eq!((res.unwrap(), bufs.len()), (13, 3));
    let into: Vec<Vec<u8>> = vec![
        Vec::with_capacity(4),
        Vec::with_capacity(6),
        Vec::with_capacity(16),
    ];
    let caps: Vec<usize> = into.iter().map(|v| v.capacity()).collect();
    let op = d.submit(Readv::new(&r, into, u64::MAX)).unwrap();
    let (res, got) = d.wait(op).unwrap();
    assert_eq!(res.unwrap(), 13);
    let joined: Vec<u8> = got.iter().flatten().copied().collect();
    assert_eq!(joined, b"one two three");
    assert_eq!(
        got[0].len(),
        caps[0].min(13),
        "filled in order, each to its capacity"
    );
}

#[test]
fn sendmsg_to_address_and_zero_copy() {
    let mut d = Driver::new(8).unwrap();
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = rx.local_addr().unwrap();
    let op = d
        .submit(SendMsg::new(tx.as_fd(), vec![b"hello ".to_vec(), b"udp".to_vec()], 0).to(to))
        .unwrap();
    let (res, bufs) = d.wait(op).unwrap();
    assert_eq!((res.unwrap(), bufs.len()), (9, 2));
    let mut b = [0u8; 32];
    let (n, from) = rx.recv_from(&mut b).unwrap();
    assert_eq!(
        (&b[..n], from),
        (&b"hello udp"[..], tx.local_addr().unwrap())
    );

    if !supported(&d, uring_sys::IORING_OP_SENDMSG_ZC, "sendmsg_zc") {
        return;
    }
    let op = d
        .submit(
            SendMsg::new(tx.as_fd(), vec![vec![7u8; 1000]], 0)
                .to(to)
                .zero_copy(),
        )
        .unwrap();
    let (res, bufs) = d.wait(op).unwrap();
    assert_eq!(res.unwrap(), 1000);
    assert_eq!(
        bufs[0],
        vec![7u8; 1000],
        "buffer back after the notification"
    );
    let mut big = [0u8; 2000];
    assert_eq!(rx.recv(&mut big).unwrap(), 1000);
}

#[test]
fn connect_owns_the_address() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut d = Driver::new(8).unwrap();
    // SAFETY: plain socket(2) call.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
    assert!(fd >= 0);
    // SAFETY: a new descriptor nothing else owns.
    let sock = unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) };
    let op = d
        .submit(Connect::new(&sock, l.local_addr().unwrap()))
        .unwrap();
    d.wait(op).unwrap().unwrap();
    l.accept().unwrap();
}

#[test]
fn openat2_and_statx() {
    let path = std::env::temp_dir().join(format!("uring-owned-statx-{}", std::process::id()));
    std::fs::write(&path, vec![1u8; 1234]).unwrap();
    let c = CString::new(path.to_str().unwrap()).unwrap();
    let mut d = Driver::new(8).unwrap();
    let op = d
        .submit(Statx::new(libc::AT_FDCWD, c.clone(), 0, libc::STATX_SIZE))
        .unwrap();
    let st = d.wait(op).unwrap().unwrap();
    assert_eq!(st.stx_size, 1234);
    let op = d
        .submit(OpenAt2::new(libc::AT_FDCWD, c, libc::O_RDONLY, 0, 0))
        .unwrap();
    let fd = d.wait(op).unwrap().unwrap();
    let op = d
        .submit(Statx::new(
            std::os::fd::AsRawFd::as_raw_fd(&fd),
            CString::default(),
            libc::AT_EMPTY_PATH,
            libc::STATX_SIZE,
        ))
        .unwrap();
    assert_eq!(d.wait(op).unwrap().unwrap().stx_size, 1234);
    // RESOLVE_BENEATH with an absolute path fails cleanly (EXDEV).
    let abs = CString::new(path.to_str().unwrap()).unwrap();
    let op = d
        .submit(OpenAt2::new(libc::AT_FDCWD, abs, libc::O_RDONLY, 0, 0x08))
        .unwrap();
    assert_eq!(
        d.wait(op).unwrap().unwrap_err().raw_os_error(),
        Some(libc::EXDEV)
    );
    std::fs::remove_file(&path).unwrap();
}
