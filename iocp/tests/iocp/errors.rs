//! Bad handles and bad calls: each gives a clear error and hands the buffer back.

use std::fs::OpenOptions;
use std::io;
use std::os::windows::fs::OpenOptionsExt;
use std::os::windows::io::{AsRawHandle, BorrowedHandle};

use iocp::{Notify, Submitted};
use windows_sys::Win32::Foundation::{
    ERROR_ACCESS_DENIED, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER,
};
use windows_sys::Win32::Networking::WinSock::WSAENOTSOCK;
use windows_sys::Win32::Storage::FileSystem::FILE_FLAG_OVERLAPPED;

use crate::util::{self, TempPath};

#[test]
fn attaching_a_closed_handle_fails_with_invalid_handle() {
    let port = util::port();
    let path = TempPath::new("closed");
    let file = util::overlapped_file(&path);
    let raw = file.as_raw_handle();
    drop(file);
    // SAFETY: the handle value is closed; BorrowedHandle only carries it to the call, which must
    // reject it. Nothing else in the test opens handles meanwhile on this thread.
    let bad = unsafe { BorrowedHandle::borrow_raw(raw) };
    // SAFETY: nothing does I/O on this (closed) handle.
    let err = unsafe { port.associate_handle(bad, 0, Notify::Always) }.unwrap_err();
    assert_eq!(
        err.raw_os_error(),
        Some(ERROR_INVALID_HANDLE as i32),
        "{err}"
    );
}

#[test]
fn attaching_twice_fails_with_invalid_parameter() {
    let port = util::port();
    let other = util::port();
    let path = TempPath::new("twice");
    let file = util::overlapped_file(&path);
    // SAFETY: the file is used only through this crate.
    let first = unsafe { port.associate_handle(&file, 0, Notify::Always) }.unwrap();
    for p in [&port, &other] {
        // SAFETY: as above.
        let err = unsafe { p.associate_handle(&file, 1, Notify::SkipOnSuccess) }.unwrap_err();
        assert_eq!(
            err.raw_os_error(),
            Some(ERROR_INVALID_PARAMETER as i32),
            "{err}"
        );
    }
    assert_eq!(
        first.notify(),
        Notify::Always,
        "the failed attach changed nothing"
    );
}

#[test]
fn write_to_a_read_only_handle_fails_at_once_with_the_buffer() {
    let port = util::port();
    let path = TempPath::new("readonly");
    std::fs::write(&path.0, b"existing").unwrap();
    let ro = OpenOptions::new()
        .read(true)
        .custom_flags(FILE_FLAG_OVERLAPPED)
        .open(&path.0)
        .unwrap();
    // SAFETY: the file is used only through this crate.
    let ro = unsafe { port.associate_handle(ro, 0, Notify::Always) }.unwrap();
    let Submitted::Done(d) = ro.write_at(0, b"nope".to_vec(), 1) else {
        panic!("a write on a read-only handle must fail inside the call");
    };
    let err = d.result().unwrap_err();
    assert_eq!(
        err.raw_os_error(),
        Some(ERROR_ACCESS_DENIED as i32),
        "{err}"
    );
    assert_eq!(d.into_buf().unwrap(), b"nope");
    assert_eq!(std::fs::read(&path.0).unwrap(), b"existing");
    util::assert_empty(&port);
}

#[test]
fn socket_ops_on_a_file_fail_with_not_a_socket() {
    let port = util::port();
    let path = TempPath::new("notsock");
    // SAFETY: the file is used only through this crate.
    let file =
        unsafe { port.associate_handle(util::overlapped_file(&path), 0, Notify::Always) }.unwrap();
    for s in [
        file.recv(Vec::with_capacity(4), 1),
        file.send(b"abc".to_vec(), 2),
    ] {
        let Submitted::Done(d) = s else {
            panic!("must fail inside the call")
        };
        let err = d.result().unwrap_err();
        assert_eq!(err.raw_os_error(), Some(WSAENOTSOCK), "{err}");
        assert!(d.into_buf().is_some());
    }
    util::assert_empty(&port);
}

#[test]
fn error_kinds_are_useful() {
    let port = util::port();
    let err = port.post(0, 0, usize::MAX).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("isize::MAX"), "{err}");
}

#[test]
fn a_synchronous_handle_is_refused() {
    let port = util::port();
    let path = TempPath::new("sync");
    let sync = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path.0)
        .unwrap();
    // SAFETY: nothing does overlapped I/O on it.
    let err = unsafe { port.associate_handle(&sync, 0, Notify::Always) }.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
    assert!(err.to_string().contains("FILE_FLAG_OVERLAPPED"), "{err}");
    // It was not attached: an overlapped handle to the same file still can be.
    let ov = OpenOptions::new()
        .read(true)
        .custom_flags(FILE_FLAG_OVERLAPPED)
        .open(&path.0)
        .unwrap();
    // SAFETY: the handle is used only through this crate.
    unsafe { port.associate_handle(ov, 0, Notify::Always) }.unwrap();
}
