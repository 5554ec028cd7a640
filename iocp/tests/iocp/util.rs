//! Shared helpers: ports, overlapped files and named pipes, waiting for one operation.

use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::os::windows::ffi::OsStrExt;
use std::os::windows::fs::OpenOptionsExt;
use std::os::windows::io::{FromRawHandle, OwnedHandle};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use iocp::{Completion, CompletionPort, Done, Submitted};
use windows_sys::Win32::Foundation::{ERROR_PIPE_CONNECTED, GetLastError, INVALID_HANDLE_VALUE};
use windows_sys::Win32::Storage::FileSystem::{
    FILE_FLAG_FIRST_PIPE_INSTANCE, FILE_FLAG_OVERLAPPED, PIPE_ACCESS_DUPLEX,
};
use windows_sys::Win32::System::IO::OVERLAPPED;
use windows_sys::Win32::System::Pipes::{
    ConnectNamedPipe, CreateNamedPipeW, NAMED_PIPE_MODE, PIPE_READMODE_BYTE, PIPE_TYPE_BYTE,
    PIPE_WAIT,
};

/// How long any single wait in a test may take before the test fails.
pub(crate) const PATIENCE: Duration = Duration::from_secs(20);

pub(crate) fn port() -> CompletionPort {
    CompletionPort::new(0).expect("CreateIoCompletionPort")
}

fn unique() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A fresh path in the temp dir, removed when the guard drops.
pub(crate) struct TempPath(pub(crate) PathBuf);

impl TempPath {
    pub(crate) fn new(tag: &str) -> TempPath {
        TempPath(std::env::temp_dir().join(format!("iocp-test-{tag}-{}", unique())))
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Opens (creating) a file for overlapped reads and writes.
pub(crate) fn overlapped_file(path: &TempPath) -> File {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .custom_flags(FILE_FLAG_OVERLAPPED)
        .open(&path.0)
        .expect("open overlapped file")
}

fn wide(s: &str) -> Vec<u16> {
    OsStr::new(s).encode_wide().chain(Some(0)).collect()
}

/// A connected byte-mode named pipe: `(server, client)`, both overlapped.
///
/// The client opens first, so the server's `ConnectNamedPipe` fails at once with
/// `ERROR_PIPE_CONNECTED` and queues nothing (it runs before either end is attached).
pub(crate) fn pipe_pair() -> (OwnedHandle, File) {
    pipe_pair_mode(PIPE_TYPE_BYTE | PIPE_READMODE_BYTE)
}

/// As [`pipe_pair`], with the server end's `PIPE_TYPE_*`/`PIPE_READMODE_*` given.
pub(crate) fn pipe_pair_mode(mode: NAMED_PIPE_MODE) -> (OwnedHandle, File) {
    let name = format!(r"\\.\pipe\iocp-test-{}", unique());
    let wname = wide(&name);
    // SAFETY: a NUL-terminated name and plain flags; no security attributes.
    let h = unsafe {
        CreateNamedPipeW(
            wname.as_ptr(),
            PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
            mode | PIPE_WAIT,
            1,
            65536,
            65536,
            0,
            std::ptr::null(),
        )
    };
    assert_ne!(
        h,
        INVALID_HANDLE_VALUE,
        "CreateNamedPipeW: {}",
        std::io::Error::last_os_error()
    );
    // SAFETY: a fresh handle from CreateNamedPipeW.
    let server = unsafe { OwnedHandle::from_raw_handle(h) };
    let client = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(FILE_FLAG_OVERLAPPED)
        .open(&name)
        .expect("open pipe client");
    // SAFETY: OVERLAPPED is plain data; the server is not attached to any port, and the call
    // completes at once (the client is already there), so the local outlives it.
    let mut ov: OVERLAPPED = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    let ok = unsafe { ConnectNamedPipe(h, &mut ov) };
    // SAFETY: reads thread-local state.
    let err = unsafe { GetLastError() };
    assert!(
        ok != 0 || err == ERROR_PIPE_CONNECTED,
        "ConnectNamedPipe: error {err}"
    );
    (server, client)
}

/// The next completion, failing the test if none comes within [`PATIENCE`].
pub(crate) fn next(port: &CompletionPort) -> Completion {
    port.get(Some(PATIENCE))
        .expect("GetQueuedCompletionStatusEx")
        .expect("a completion within PATIENCE")
}

/// The next completion, which must be an operation's.
pub(crate) fn next_op(port: &CompletionPort) -> Done {
    match next(port) {
        Completion::Op(d) => d,
        other => panic!("expected an operation's completion, got {other:?}"),
    }
}

/// The `Done` of `s`: at once if it finished inside the call, else its completion (which must be
/// the next packet on `port`).
pub(crate) fn finish(port: &CompletionPort, s: Submitted) -> Done {
    match s {
        Submitted::Done(d) => d,
        Submitted::Pending(t) => {
            let d = next_op(port);
            assert_eq!(d.token(), t.token(), "completion of another operation");
            d
        }
    }
}

/// Asserts that nothing is queued on `port` (waits a little for stragglers).
pub(crate) fn assert_empty(port: &CompletionPort) {
    if let Some(c) = port.get(Some(Duration::from_millis(50))).expect("get") {
        panic!("unexpected completion {c:?}");
    }
}

/// `n` bytes of a pattern that differs per `seed`, so swapped buffers are caught.
pub(crate) fn pattern(seed: usize, n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| (i.wrapping_mul(31).wrapping_add(seed * 7 + 1) % 251) as u8)
        .collect()
}
