//! FSETXATTR, FGETXATTR, SETXATTR, GETXATTR.

use std::os::fd::AsRawFd;

use uring::opcode::*;
use uring::types::{Fd, XattrFlags};

use super::*;
use crate::require_ops;

fn getxattr(path: &std::ffi::CStr, name: &std::ffi::CStr) -> Vec<u8> {
    let mut v = vec![0u8; 64];
    // SAFETY: `path` and `name` are NUL-terminated; `v` is valid for writes of 64 bytes.
    let n = unsafe { libc::getxattr(path.as_ptr(), name.as_ptr(), v.as_mut_ptr().cast(), 64) };
    assert!(n >= 0, "{}", std::io::Error::last_os_error());
    v.truncate(n as usize);
    v
}

/// Whether `c` (setting a `user.` xattr in the temp dir) failed because that filesystem has no
/// user xattrs (tmpfs before Linux 6.6, as in the kernel matrix's guests). Prints why.
fn no_user_xattrs(c: &Cqe, test: &str) -> bool {
    if c.res() == -libc::EOPNOTSUPP {
        util::skip(
            test,
            "the temp dir's filesystem refused a user.* xattr with EOPNOTSUPP (tmpfs has \
             user xattrs since Linux 6.6)",
        );
        return true;
    }
    false
}

#[test]
fn fsetxattr_then_fgetxattr_round_trip() {
    require_ops!(FSetXattr::CODE, FGetXattr::CODE);
    let dir = TempDir::new("fxattr");
    std::fs::write(dir.join("f"), b"").unwrap();
    let f = std::fs::File::open(dir.join("f")).unwrap();
    let fd = Fd(f.as_raw_fd());
    let mut ring = ring();
    let name = c"user.uring.test";
    let value = b"xattr-value";
    let sqe = FSetXattr::new(fd, name.as_ptr(), value.as_ptr(), value.len() as u32).build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let c = unsafe { run1(&mut ring, sqe) };
    if no_user_xattrs(&c, "fsetxattr_then_fgetxattr_round_trip") {
        return;
    }
    assert_eq!(c.result().unwrap(), 0);
    assert_eq!(getxattr(&cstr(&dir.join("f")), name), value);
    let mut out = [0u8; 32];
    let sqe = FGetXattr::new(fd, name.as_ptr(), out.as_mut_ptr(), 32).build();
    assert_eq!(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, sqe) }.result().unwrap(),
        value.len() as u32
    );
    assert_eq!(&out[..value.len()], value);
    // XATTR_CREATE on an existing attribute.
    let sqe = FSetXattr::new(fd, name.as_ptr(), value.as_ptr(), 1)
        .flags(XattrFlags::CREATE)
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_errno(unsafe { run1(&mut ring, sqe) }, libc::EEXIST);
    let sqe = FGetXattr::new(fd, c"user.missing".as_ptr(), out.as_mut_ptr(), 32).build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_errno(unsafe { run1(&mut ring, sqe) }, libc::ENODATA);
}

#[test]
fn setxattr_then_getxattr_by_path() {
    require_ops!(SetXattr::CODE, GetXattr::CODE);
    let dir = TempDir::new("xattr");
    std::fs::write(dir.join("f"), b"").unwrap();
    let path = cstr(&dir.join("f"));
    let mut ring = ring();
    let name = c"user.by.path";
    let sqe = SetXattr::new(path.as_ptr(), name.as_ptr(), b"v1".as_ptr(), 2).build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let c = unsafe { run1(&mut ring, sqe) };
    if no_user_xattrs(&c, "setxattr_then_getxattr_by_path") {
        return;
    }
    assert_eq!(c.result().unwrap(), 0);
    assert_eq!(getxattr(&path, name), b"v1");
    let mut out = [0u8; 8];
    let sqe = GetXattr::new(path.as_ptr(), name.as_ptr(), out.as_mut_ptr(), 8).build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_eq!(unsafe { run1(&mut ring, sqe) }.result().unwrap(), 2);
    assert_eq!(&out[..2], b"v1");
    // XATTR_REPLACE on a missing attribute; a too-small buffer.
    let sqe = SetXattr::new(path.as_ptr(), c"user.none".as_ptr(), b"v".as_ptr(), 1)
        .flags(XattrFlags::REPLACE)
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_errno(unsafe { run1(&mut ring, sqe) }, libc::ENODATA);
    let sqe = GetXattr::new(path.as_ptr(), name.as_ptr(), out.as_mut_ptr(), 1).build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_errno(unsafe { run1(&mut ring, sqe) }, libc::ERANGE);
}
