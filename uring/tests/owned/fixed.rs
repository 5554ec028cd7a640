//! Fixed buffers and files, and misuse that is an error, not UB.

use std::io::{Read as _, Seek, Write as _};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;

use uring::driver::fixed::{ReadFixed, WriteFixed};
use uring::driver::multishot::RecvMsgMulti;
use uring::driver::pbuf::RecvMulti;
use uring::driver::{Driver, Read, SendZc};

fn tmpfile(content: &[u8]) -> std::fs::File {
    let path = std::env::temp_dir().join(format!(
        "uring-owned-fixed-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    f.write_all(content).unwrap();
    f.rewind().unwrap();
    f
}

#[test]
fn read_and_write_fixed() {
    let mut d = Driver::new(8).unwrap();
    let pool = d.fixed_buffers(4, 4096).unwrap();
    let f = tmpfile(&[5u8; 4096]);
    let lease = pool.checkout().unwrap();
    assert_eq!(pool.available(), 3);
    let op = d.submit(ReadFixed::new(&f, lease, 0)).unwrap();
    let (res, lease) = d.wait(op).unwrap();
    assert_eq!(res.unwrap(), 4096);
    assert!(lease.iter().all(|&b| b == 5));
    let mut lease = lease;
    lease.copy_from(b"fixed write").unwrap();
    let op = d.submit(WriteFixed::new(&f, lease, 100)).unwrap();
    let (res, lease) = d.wait(op).unwrap();
    assert_eq!(res.unwrap(), 11);
    drop(lease);
    assert_eq!(pool.available(), 4, "the lease went back");
    let mut all = Vec::new();
    (&f).read_to_end(&mut all).unwrap();
    assert_eq!(&all[100..111], b"fixed write");
}

/// A lease from another ring's pool: its index names another (or no) buffer here. Refused,
/// and the lease comes back.
#[test]
fn lease_from_another_ring_is_an_error() {
    let mut a = Driver::new(8).unwrap();
    let mut b = Driver::new(8).unwrap();
    let pool_a = a.fixed_buffers(2, 4096).unwrap();
    let _pool_b = b.fixed_buffers(2, 4096).unwrap();
    let f = tmpfile(b"data");
    let err = b
        .submit(ReadFixed::new(&f, pool_a.checkout().unwrap(), 0))
        .unwrap_err();
    assert_eq!(err.error.kind(), std::io::ErrorKind::InvalidInput);
    assert!(
        err.error.to_string().contains("another Driver"),
        "{}",
        err.error
    );
    let lease = err.into_op();
    drop(lease);
    assert_eq!(pool_a.available(), 2);
    let (c, _s) = UnixStream::pair().unwrap();
    let err = b
        .submit(SendZc::fixed(c.as_fd(), pool_a.checkout().unwrap(), 0))
        .unwrap_err();
    assert_eq!(err.error.kind(), std::io::ErrorKind::InvalidInput);
    // A provided buffer ring of another driver, too.
    let Some(ring_a) =
        crate::support::buf_ring_or_skip(&mut a, 4, 64, "lease_from_another_ring_is_an_error")
    else {
        return;
    };
    let err = b.submit_multishot(RecvMulti::new(&c, &ring_a)).unwrap_err();
    assert_eq!(err.error.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn index_out_of_range_is_an_error() {
    let mut d = Driver::new(8).unwrap();
    let pool = d.fixed_buffers(2, 64).unwrap();
    let e = pool.checkout_index(2).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    assert!(e.to_string().contains("out of range"), "{e}");
    let held = pool.checkout_index(1).unwrap();
    assert_eq!(
        pool.checkout_index(1).unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock
    );
    drop(held);
    let one = pool.checkout_index(1).unwrap();
    let zero = pool.checkout().unwrap();
    assert_eq!((one.index(), zero.index()), (1, 0));
    assert!(pool.checkout().is_none(), "all lent");
}

#[test]
fn buffer_too_small_is_an_error() {
    let mut d = Driver::new(8).unwrap();
    let pool = d.fixed_buffers(1, 8).unwrap();
    let mut lease = pool.checkout().unwrap();
    let e = lease.copy_from(&[0u8; 9]).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    // Provided buffers too small for a recvmsg header plus the reserved name.
    let Some(ring) =
        crate::support::buf_ring_or_skip(&mut d, 4, 32, "buffer_too_small_is_an_error")
    else {
        return;
    };
    let (_a, b) = UnixStream::pair().unwrap();
    let err = d
        .submit_multishot(RecvMsgMulti::new(&b, &ring, 16, 0))
        .unwrap_err();
    assert_eq!(err.error.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.error.to_string().contains("too small"), "{}", err.error);
    // Bad ring shapes.
    for (n, s) in [(0, 64), (3, 64), (65536, 64), (4, 0)] {
        let e = d.buf_ring(n, s).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput, "{n} x {s}");
    }
    assert!(d.fixed_buffers(0, 64).is_err());
}

#[test]
fn second_buffer_table_is_refused_clearly() {
    let mut d = Driver::new(8).unwrap();
    let _p = d.fixed_buffers(1, 64).unwrap();
    let e = d.fixed_buffers(1, 64).unwrap_err();
    assert!(e.to_string().contains("IORING_REGISTER_BUFFERS2"), "{e}");
}

#[test]
fn fixed_files_owned_slots() {
    let mut d = Driver::new(8).unwrap();
    let Some(files) = crate::support::fixed_files_or_skip(&mut d, 2, "fixed_files_owned_slots")
    else {
        return;
    };
    let f = tmpfile(b"via fixed file");
    let slot = d.install(&files, OwnedFd::from(f)).unwrap();
    let op = d
        .submit(Read::new(&slot, Vec::with_capacity(32), 0))
        .unwrap();
    let (res, buf) = d.wait(op).unwrap();
    assert_eq!(res.unwrap(), 14);
    assert_eq!(buf, b"via fixed file");
    let second = d.install(&files, OwnedFd::from(tmpfile(b"2"))).unwrap();
    let e = d.install(&files, OwnedFd::from(tmpfile(b"3"))).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock, "table full");
    let freed = slot.slot();
    drop(slot);
    let again = d.install(&files, OwnedFd::from(tmpfile(b"4"))).unwrap();
    assert_eq!(
        again.slot(),
        freed,
        "the dropped slot is emptied and reused"
    );
    drop((second, again));
    d.release_files(&files).unwrap();
    let a = d.install(&files, OwnedFd::from(tmpfile(b"6"))).unwrap();
    let b = d.install(&files, OwnedFd::from(tmpfile(b"7"))).unwrap();
    assert_ne!(a.slot(), b.slot(), "both slots were freed");
    let mut other = Driver::new(8).unwrap();
    let e = other
        .install(&files, OwnedFd::from(tmpfile(b"5")))
        .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
}

/// Accept into a reserved direct slot: the output owns the slot; a detached accept that
/// completes has its slot emptied and freed (the connection closed), never leaked.
#[test]
fn accept_direct_owns_its_slot() {
    use std::io::Write as _;
    use uring::driver::fixed::AcceptDirect;
    use uring::driver::{OpFile, Recv};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut d = Driver::new(8).unwrap();
    let Some(files) = crate::support::fixed_files_or_skip(&mut d, 2, "accept_direct_owns_its_slot")
    else {
        return;
    };
    let op = d
        .submit(AcceptDirect::new(l.as_fd(), files.reserve().unwrap(), 0))
        .unwrap();
    d.submit_pending().unwrap();
    let mut c = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
    let conn = d.wait(op).unwrap().unwrap();
    c.write_all(b"direct").unwrap();
    let op = d
        .submit(Recv::new(OpFile::from(&conn), Vec::with_capacity(16), 0))
        .unwrap();
    let (res, buf) = d.wait(op).unwrap();
    assert_eq!((res.unwrap(), &buf[..]), (6, &b"direct"[..]));

    // Detached: the driver completes it; the slot goes back and the peer sees EOF once freed.
    let op = d
        .submit(AcceptDirect::new(l.as_fd(), files.reserve().unwrap(), 0))
        .unwrap();
    d.submit_pending().unwrap();
    d.detach(op);
    let mut c2 = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
    while d.in_flight() > 0 {
        crate::support::turn(&mut d);
    }
    assert!(
        files.reserve().is_none(),
        "slot 0 is the live conn, slot 1 awaits emptying"
    );
    d.release_files(&files).unwrap();
    c2.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let mut one = [0u8; 1];
    assert_eq!(
        crate::support::read_retrying(&mut c2, &mut one).unwrap(),
        0,
        "closed, not leaked"
    );
    assert!(files.reserve().is_some(), "the slot is free again");
    drop(conn);
}
