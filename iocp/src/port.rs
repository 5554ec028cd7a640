//! The port: creation, attaching handles and sockets, posting, dequeuing.

use std::io;
use std::mem::{size_of, zeroed};
use std::os::windows::io::{
    AsHandle, AsRawHandle, AsRawSocket, AsSocket, BorrowedHandle, FromRawHandle, OwnedHandle,
};
use std::ptr::NonNull;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use windows_sys::Wdk::Storage::FileSystem::{
    FILE_MODE_INFORMATION, FILE_SYNCHRONOUS_IO_ALERT, FILE_SYNCHRONOUS_IO_NONALERT,
    FileModeInformation, NtQueryInformationFile,
};
use windows_sys::Win32::Foundation::{
    GetLastError, HANDLE, INVALID_HANDLE_VALUE, RtlNtStatusToDosError, WAIT_TIMEOUT,
};
use windows_sys::Win32::Networking::WinSock::{
    SO_PROTOCOL_INFOW, SOCKET, SOCKET_ERROR, SOL_SOCKET, WSAPROTOCOL_INFOW, XP1_IFS_HANDLES,
    getsockopt,
};
use windows_sys::Win32::Storage::FileSystem::SetFileCompletionNotificationModes;
use windows_sys::Win32::System::IO::{
    CreateIoCompletionPort, GetQueuedCompletionStatusEx, IO_STATUS_BLOCK, OVERLAPPED,
    OVERLAPPED_ENTRY, PostQueuedCompletionStatus,
};
use windows_sys::Win32::System::WindowsProgramming::{
    FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, FILE_SKIP_SET_EVENT_ON_HANDLE,
};

use crate::net;
use crate::op::{Done, RawOp};

fn last_error() -> io::Error {
    // SAFETY: GetLastError only reads thread-local state.
    io::Error::from_raw_os_error(unsafe { GetLastError() } as i32)
}

/// An I/O completion port: the kernel queue that attached handles report their overlapped I/O to.
///
/// Any number of threads may dequeue from one port at once (`&self` everywhere; it is `Sync`).
///
/// Dropping the port closes it. Operations still pending on handles attached to it can then never
/// be dequeued, and the kernel may still write into them, so their memory is leaked on purpose
/// (see the crate docs). Packets posted by other code through the raw handle must carry a null
/// `OVERLAPPED` pointer or one this crate made.
#[derive(Debug)]
pub struct CompletionPort {
    handle: OwnedHandle,
}

/// How a handle reports operations that succeed at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Notify {
    /// Every operation completes through the port, even one that succeeded inside the call.
    #[default]
    Always,
    /// `SetFileCompletionNotificationModes(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS |
    /// FILE_SKIP_SET_EVENT_ON_HANDLE)`: an operation that succeeds inside the call queues no
    /// packet; starting it returns [`Submitted::Done`](crate::Submitted::Done) instead. Saves a
    /// dequeue per fast operation. For sockets it is refused unless the socket's provider hands
    /// out real kernel handles (`XP1_IFS_HANDLES`): with a layered provider that does not, the
    /// kernel may still queue a packet and the op would be freed twice.
    ///
    /// One case is undocumented: a call that fails inside it with a warning status recorded, such
    /// as a read of a message-mode pipe returning `ERROR_MORE_DATA` or a receive of a datagram
    /// longer than the buffer returning `WSAEMSGSIZE` (both `STATUS_BUFFER_OVERFLOW`). Its result
    /// is returned at once and a packet, if one follows, is dropped when dequeued; so that such a
    /// packet never points to freed memory, the operation's small header (not its buffer) stays
    /// allocated until then, and leaks if none comes (Wine queues none). A peer sending oversized
    /// datagrams can thus make a skip-mode UDP socket leak a header per datagram received this
    /// way; use [`Notify::Always`] for sockets facing untrusted peers if that matters.
    SkipOnSuccess,
}

impl CompletionPort {
    /// `CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, concurrency)` — a new port.
    ///
    /// `concurrency` is how many threads the kernel lets run at once on completions from this port;
    /// 0 means one per processor.
    ///
    /// # References
    ///
    /// - [`CreateIoCompletionPort`](https://learn.microsoft.com/en-us/windows/win32/fileio/createiocompletionport)
    #[doc(alias = "CreateIoCompletionPort")]
    pub fn new(concurrency: u32) -> io::Result<CompletionPort> {
        // SAFETY: with INVALID_HANDLE_VALUE and no existing port the call only creates a port.
        let h = unsafe {
            CreateIoCompletionPort(INVALID_HANDLE_VALUE, std::ptr::null_mut(), 0, concurrency)
        };
        if h.is_null() {
            return Err(last_error());
        }
        // SAFETY: CreateIoCompletionPort returned a fresh handle that no one else owns.
        let handle = unsafe { OwnedHandle::from_raw_handle(h) };
        Ok(CompletionPort { handle })
    }

    fn raw(&self) -> HANDLE {
        self.handle.as_raw_handle()
    }

    /// `CreateIoCompletionPort(handle, port, key, 0)` — attaches a file, pipe or other handle
    /// opened for overlapped I/O (`FILE_FLAG_OVERLAPPED`) to this port.
    ///
    /// Completions of operations started on the returned [`Attached`] carry `key`. A handle can be
    /// attached to one port only, once: a second attempt fails with `ERROR_INVALID_PARAMETER`
    /// (87). A handle opened for synchronous I/O is refused with `ErrorKind::InvalidInput`.
    /// `notify` chooses whether operations that succeed at once still queue a packet.
    ///
    /// # Safety
    ///
    /// Until every handle to the file object is closed:
    ///
    /// - no code, in this process or any that shares the file object, starts overlapped I/O on it
    ///   with an `OVERLAPPED` of its own (unless the low bit of its `hEvent` is set, which
    ///   suppresses the packet): the port treats every non-null `OVERLAPPED` it dequeues as one of
    ///   this crate's operations;
    /// - no code calls `SetFileCompletionNotificationModes` on it: the [`Attached`] records the
    ///   mode to know whether a packet follows a call that succeeded at once.
    ///
    /// Synchronous I/O (`std::fs::File::read` and the like, which pass no `OVERLAPPED`) is fine.
    ///
    /// # References
    ///
    /// - [`CreateIoCompletionPort`](https://learn.microsoft.com/en-us/windows/win32/fileio/createiocompletionport)
    /// - [`SetFileCompletionNotificationModes`](https://learn.microsoft.com/en-us/windows/win32/api/winbase/nf-winbase-setfilecompletionnotificationmodes)
    /// - [`NtQueryInformationFile`](https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntqueryinformationfile)
    ///   (`FileModeInformation`)
    #[doc(alias = "CreateIoCompletionPort")]
    pub unsafe fn associate_handle<T: AsHandle>(
        &self,
        io: T,
        key: usize,
        notify: Notify,
    ) -> io::Result<Attached<T>> {
        let raw = io.as_handle().as_raw_handle();
        self.attach(raw, key, false)?;
        let skip = notify == Notify::SkipOnSuccess;
        if skip {
            set_skip(raw)?;
        }
        Ok(Attached::new(io, raw, key, skip))
    }

    /// `CreateIoCompletionPort((HANDLE)socket, port, key, 0)` — attaches a socket made for
    /// overlapped I/O (`std::net` sockets and [`tcp_socket`](crate::tcp_socket) are) to this port.
    ///
    /// As [`associate_handle`](Self::associate_handle) (a socket made without
    /// `WSA_FLAG_OVERLAPPED` is refused); with [`Notify::SkipOnSuccess`] the
    /// socket's provider must have `XP1_IFS_HANDLES`, or this fails with
    /// `ErrorKind::Unsupported` (the socket stays attached, with packets for every operation, but
    /// no `Attached` is returned for it).
    ///
    /// # Safety
    ///
    /// As [`associate_handle`](Self::associate_handle).
    ///
    /// # References
    ///
    /// - [`CreateIoCompletionPort`](https://learn.microsoft.com/en-us/windows/win32/fileio/createiocompletionport)
    /// - [`SetFileCompletionNotificationModes`](https://learn.microsoft.com/en-us/windows/win32/api/winbase/nf-winbase-setfilecompletionnotificationmodes)
    /// - [`WSAPROTOCOL_INFOW`](https://learn.microsoft.com/en-us/windows/win32/api/winsock2/ns-winsock2-wsaprotocol_infow)
    #[doc(alias = "CreateIoCompletionPort")]
    pub unsafe fn associate_socket<T: AsSocket>(
        &self,
        io: T,
        key: usize,
        notify: Notify,
    ) -> io::Result<Attached<T>> {
        let s = io.as_socket().as_raw_socket() as SOCKET;
        let raw = s as HANDLE;
        self.attach(raw, key, true)?;
        let skip = notify == Notify::SkipOnSuccess;
        if skip {
            if !ifs_provider(s)? {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "Notify::SkipOnSuccess needs a socket provider with XP1_IFS_HANDLES; a layered \
                     service provider without it is installed, use Notify::Always",
                ));
            }
            set_skip(raw)?;
        }
        Ok(Attached::new(io, raw, key, skip))
    }

    /// `socket`: a failed mode query is not fatal (a non-IFS layered provider's handle cannot be
    /// queried; such sockets are refused skip-on-success anyway).
    fn attach(&self, raw: HANDLE, key: usize, socket: bool) -> io::Result<()> {
        if let Err(e) = check_overlapped(raw) {
            // A synchronous handle is refused; a socket whose mode cannot be queried is let through.
            let unqueryable_socket = socket && e.kind() != io::ErrorKind::InvalidInput;
            if !unqueryable_socket {
                return Err(e);
            }
        }
        // SAFETY: `raw` is borrowed from a live handle or socket; attaching only links its file
        // object to our port, which is open.
        let h = unsafe { CreateIoCompletionPort(raw, self.raw(), key, 0) };
        if h.is_null() {
            Err(last_error())
        } else {
            Ok(())
        }
    }

    /// `PostQueuedCompletionStatus(port, bytes, key, token)` — queues a packet of your own.
    ///
    /// It arrives as [`Completion::Posted`] with the same `key`, `bytes` and `token`; use it to
    /// wake a thread blocked in [`get`](Self::get) or to hand work between threads. `token` must
    /// be at most `isize::MAX`: the packet carries it shifted left with the low bit set, which is
    /// how posted packets are told from operations (whose pointers are even). A larger token
    /// fails with `ErrorKind::InvalidInput`.
    ///
    /// # References
    ///
    /// - [`PostQueuedCompletionStatus`](https://learn.microsoft.com/en-us/windows/win32/fileio/postqueuedcompletionstatus)
    #[doc(alias = "PostQueuedCompletionStatus")]
    pub fn post(&self, key: usize, bytes: u32, token: usize) -> io::Result<()> {
        if token > isize::MAX as usize {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "post token must be at most isize::MAX (the low bit of the packet marks posts)",
            ));
        }
        let tagged = (token << 1) | 1;
        // SAFETY: the port is open; the odd pointer value is never dereferenced by anyone (the
        // kernel passes it through, and `Completion::from_entry` decodes odd values as tokens).
        let ok = unsafe {
            PostQueuedCompletionStatus(self.raw(), bytes, key, tagged as *const OVERLAPPED)
        };
        if ok == 0 { Err(last_error()) } else { Ok(()) }
    }

    /// `GetQueuedCompletionStatusEx(port, &entry, 1, …, timeout, FALSE)` — dequeues one
    /// completion, waiting up to `timeout` (`None`: forever; `Some(Duration::ZERO)`: just poll).
    ///
    /// `Ok(None)` when the timeout passed with nothing queued. The timeout is rounded up to whole
    /// milliseconds.
    ///
    /// # References
    ///
    /// - [`GetQueuedCompletionStatusEx`](https://learn.microsoft.com/en-us/windows/win32/fileio/getqueuedcompletionstatusex-func)
    #[doc(alias = "GetQueuedCompletionStatusEx")]
    pub fn get(&self, timeout: Option<Duration>) -> io::Result<Option<Completion>> {
        // SAFETY: OVERLAPPED_ENTRY is plain data; zero is valid.
        let mut entry: OVERLAPPED_ENTRY = unsafe { zeroed() };
        loop {
            if self.dequeue(std::slice::from_mut(&mut entry), timeout)? == 0 {
                return Ok(None);
            }
            // SAFETY: `dequeue` filled the entry from this port.
            if let Some(c) = unsafe { Completion::from_entry(&entry) } {
                return Ok(Some(c));
            }
            // A late packet of a result already given (see `Notify::SkipOnSuccess`): wait again.
        }
    }

    /// `GetQueuedCompletionStatusEx(port, entries, capacity, …, timeout, FALSE)` — dequeues up to
    /// `entries.capacity()` completions in one call, waiting up to `timeout` for the first.
    ///
    /// Replaces what `entries` held (dropping completions not taken from it) and returns how many
    /// were dequeued: 0 when the timeout passed with nothing queued.
    ///
    /// # References
    ///
    /// - [`GetQueuedCompletionStatusEx`](https://learn.microsoft.com/en-us/windows/win32/fileio/getqueuedcompletionstatusex-func)
    #[doc(alias = "GetQueuedCompletionStatusEx")]
    pub fn get_many(&self, entries: &mut Entries, timeout: Option<Duration>) -> io::Result<usize> {
        entries.done.clear();
        // Loops only when every dequeued packet was a late one of a result already given.
        while entries.done.is_empty() {
            let n = self.dequeue(&mut entries.raw, timeout)?;
            if n == 0 {
                break;
            }
            for e in &entries.raw[..n] {
                // SAFETY: `dequeue` filled the first `n` entries from this port.
                entries.done.extend(unsafe { Completion::from_entry(e) });
            }
        }
        Ok(entries.done.len())
    }

    /// Fills a prefix of `buf`; returns its length (0 on timeout).
    fn dequeue(
        &self,
        buf: &mut [OVERLAPPED_ENTRY],
        timeout: Option<Duration>,
    ) -> io::Result<usize> {
        let ms = timeout_ms(timeout);
        let count = u32::try_from(buf.len()).unwrap_or(u32::MAX);
        let mut removed = 0u32;
        // SAFETY: `buf` holds `count` writable entries; the port is open; not alertable.
        let ok = unsafe {
            GetQueuedCompletionStatusEx(self.raw(), buf.as_mut_ptr(), count, &mut removed, ms, 0)
        };
        if ok != 0 {
            return Ok(removed as usize);
        }
        // SAFETY: GetLastError only reads thread-local state.
        match unsafe { GetLastError() } {
            WAIT_TIMEOUT => Ok(0),
            e => Err(io::Error::from_raw_os_error(e as i32)),
        }
    }
}

impl AsHandle for CompletionPort {
    fn as_handle(&self) -> BorrowedHandle<'_> {
        self.handle.as_handle()
    }
}

/// Refuses a handle opened for synchronous I/O (no `FILE_FLAG_OVERLAPPED`): its operations finish
/// inside the call, and whether they queue a packet is not defined, so an op could be lost or,
/// with skip-on-success, freed while a packet still points to it.
fn check_overlapped(raw: HANDLE) -> io::Result<()> {
    let mut info = FILE_MODE_INFORMATION::default();
    // SAFETY: IO_STATUS_BLOCK is plain data; zero is valid.
    let mut iosb: IO_STATUS_BLOCK = unsafe { zeroed() };
    // SAFETY: a synchronous query into locals of the sizes passed; `raw` is borrowed from a live
    // handle (a bad value fails with STATUS_INVALID_HANDLE).
    let status = unsafe {
        NtQueryInformationFile(
            raw,
            &mut iosb,
            (&mut info as *mut FILE_MODE_INFORMATION).cast(),
            size_of::<FILE_MODE_INFORMATION>() as u32,
            FileModeInformation,
        )
    };
    if status < 0 {
        // SAFETY: a pure conversion of a status code.
        let e = unsafe { RtlNtStatusToDosError(status) };
        return Err(io::Error::from_raw_os_error(e as i32));
    }
    if info.Mode & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT) != 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the handle was opened for synchronous I/O; open it with FILE_FLAG_OVERLAPPED \
             (sockets: WSA_FLAG_OVERLAPPED) to use it with a completion port",
        ));
    }
    Ok(())
}

/// A timeout as `dwMilliseconds`: `None` is `INFINITE` (`u32::MAX`); a duration is rounded up to
/// whole milliseconds (so a tiny timeout still waits) and capped just below `INFINITE`.
fn timeout_ms(timeout: Option<Duration>) -> u32 {
    match timeout {
        None => u32::MAX,
        Some(d) => {
            let ms = d.as_millis() + u128::from(d.subsec_nanos() % 1_000_000 != 0);
            u32::try_from(ms).unwrap_or(u32::MAX - 1).min(u32::MAX - 1)
        }
    }
}

fn set_skip(raw: HANDLE) -> io::Result<()> {
    let flags = (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE) as u8;
    // SAFETY: `raw` is borrowed from a live handle; the call only sets flags on its file object.
    if unsafe { SetFileCompletionNotificationModes(raw, flags) } == 0 {
        return Err(last_error());
    }
    Ok(())
}

/// Whether the socket's provider hands out IFS handles (`XP1_IFS_HANDLES`).
fn ifs_provider(s: SOCKET) -> io::Result<bool> {
    // SAFETY: plain data, zero is valid.
    let mut info: WSAPROTOCOL_INFOW = unsafe { zeroed() };
    let mut len = size_of::<WSAPROTOCOL_INFOW>() as i32;
    // SAFETY: out-pointers to a local and its true size.
    let rc = unsafe {
        getsockopt(
            s,
            SOL_SOCKET,
            SO_PROTOCOL_INFOW,
            (&mut info as *mut WSAPROTOCOL_INFOW).cast(),
            &mut len,
        )
    };
    if rc == SOCKET_ERROR {
        return Err(net::wsa_error());
    }
    Ok(info.dwServiceFlags1 & XP1_IFS_HANDLES != 0)
}

/// A handle or socket attached to a [`CompletionPort`]; the operations
/// ([`read_at`](Attached::read_at), [`recv`](Attached::recv), …) are started on it.
///
/// It holds `io` (owned or borrowed) and remembers the completion key and the [`Notify`] mode.
/// Dropping it (or closing the handle) does not cancel pending operations on it: their
/// completions still arrive.
///
/// An [`accept`](Attached::accept) or [`connect`](Attached::connect) whose completion is taken
/// after the `Attached` was dropped or given back with [`into_inner`](Attached::into_inner) cannot
/// update its socket context (`setsockopt` would get a handle number the crate no longer holds,
/// which may name another socket by then): it fails with `WSAENOTSOCK` (10038) instead.
#[derive(Debug)]
pub struct Attached<T> {
    /// Declared before `io`, so it is dropped (marking the handle gone) before `io` is.
    held: Held,
    io: T,
    pub(crate) raw: HANDLE,
    pub(crate) key: usize,
    pub(crate) skip: bool,
}

/// Whether an [`Attached`] still holds its handle, shared with the operations that use the handle
/// after they complete (`setsockopt` in `Done::finish`): they use it only under the read lock
/// while it says `true`, and the `Attached` sets it to `false` under the write lock before it
/// lets go of the handle, so the handle cannot be closed while an operation uses it.
#[derive(Debug)]
pub(crate) struct Liveness(RwLock<bool>);

impl Liveness {
    /// Runs `f` if the handle is still held, holding it meanwhile; `None` if it is gone.
    pub(crate) fn while_held<R>(&self, f: impl FnOnce() -> R) -> Option<R> {
        // Nothing panics while the lock is held, so a poisoned lock still holds a valid bool.
        let held = self.0.read().unwrap_or_else(PoisonError::into_inner);
        if *held { Some(f()) } else { None }
    }
}

/// The `Attached`'s side of its [`Liveness`]: marks the handle gone when dropped.
#[derive(Debug)]
struct Held(Arc<Liveness>);

impl Drop for Held {
    fn drop(&mut self) {
        // Waits for any operation using the handle; none starts once this is false.
        *self.0.0.write().unwrap_or_else(PoisonError::into_inner) = false;
    }
}

// SAFETY: `raw` is only a copy of the handle value inside `io`; sharing or sending it is as safe
// as sharing or sending `io`.
unsafe impl<T: Send> Send for Attached<T> {}
// SAFETY: as for Send.
unsafe impl<T: Sync> Sync for Attached<T> {}

impl<T> Attached<T> {
    fn new(io: T, raw: HANDLE, key: usize, skip: bool) -> Attached<T> {
        Attached {
            held: Held(Arc::new(Liveness(RwLock::new(true)))),
            io,
            raw,
            key,
            skip,
        }
    }

    /// Whether this `Attached` still holds its handle, for operations that use the handle after
    /// they complete.
    pub(crate) fn liveness(&self) -> Arc<Liveness> {
        Arc::clone(&self.held.0)
    }

    /// The handle or socket.
    pub fn get_ref(&self) -> &T {
        &self.io
    }

    /// Gives back the handle or socket. It stays attached to the port (the kernel offers no way to
    /// detach), and it cannot be attached again. A pending [`accept`](Attached::accept) or
    /// [`connect`](Attached::connect) on it then completes without its socket context (see the
    /// type's docs).
    pub fn into_inner(self) -> T {
        let Attached { held, io, .. } = self;
        drop(held);
        io
    }

    /// The completion key its operations carry.
    pub fn key(&self) -> usize {
        self.key
    }

    /// The mode it was attached with.
    pub fn notify(&self) -> Notify {
        if self.skip {
            Notify::SkipOnSuccess
        } else {
            Notify::Always
        }
    }
}

/// One dequeued completion packet.
#[derive(Debug)]
pub enum Completion {
    /// An operation of this crate finished.
    Op(Done),
    /// A packet from [`CompletionPort::post`].
    Posted {
        /// The key given to `post`.
        key: usize,
        /// The byte count given to `post`.
        bytes: u32,
        /// The token given to `post`.
        token: usize,
    },
    /// A packet with a null `OVERLAPPED` pointer, posted through the raw handle by other code.
    Null {
        /// Its completion key.
        key: usize,
        /// Its byte count.
        bytes: u32,
    },
}

impl Completion {
    /// Decodes a dequeued entry; `None` for a late packet of a result already given.
    ///
    /// # Safety
    ///
    /// - `e` was filled by `GetQueuedCompletionStatusEx` on a port whose packets follow the crate's
    ///   contract (null, odd post tokens, or `RawOp` pointers whose kernel reference this packet
    ///   carries), and is decoded only once.
    unsafe fn from_entry(e: &OVERLAPPED_ENTRY) -> Option<Completion> {
        let p = e.lpOverlapped as usize;
        let (key, bytes) = (e.lpCompletionKey, e.dwNumberOfBytesTransferred);
        if p & 1 == 1 {
            return Some(Completion::Posted {
                key,
                bytes,
                token: p >> 1,
            });
        }
        match NonNull::new(e.lpOverlapped.cast::<RawOp>()) {
            None => Some(Completion::Null { key, bytes }),
            // SAFETY: an even non-null pointer is a RawOp's OVERLAPPED (the caller's contract,
            // established by `associate_*`'s safety section), and this packet carries its kernel
            // reference.
            Some(op) => unsafe { Done::from_packet(op, bytes, e.Internal) }.map(Completion::Op),
        }
    }

    /// The completion key.
    pub fn key(&self) -> usize {
        match self {
            Completion::Op(d) => d.key(),
            Completion::Posted { key, .. } | Completion::Null { key, .. } => *key,
        }
    }
}

/// Storage for [`CompletionPort::get_many`]: the raw entries the kernel fills and the completions
/// decoded from them.
pub struct Entries {
    raw: Vec<OVERLAPPED_ENTRY>,
    done: Vec<Completion>,
}

// SAFETY: the raw entries are scratch space whose pointers are decoded only inside `get_many`
// (into `done`, which is Send); between calls they are stale copies nobody dereferences.
unsafe impl Send for Entries {}
// SAFETY: `&Entries` gives access only to `done` (Sync); the raw entries are not exposed.
unsafe impl Sync for Entries {}

impl std::fmt::Debug for Entries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entries")
            .field("capacity", &self.raw.len())
            .field("done", &self.done)
            .finish()
    }
}

impl Entries {
    /// Room for `capacity` completions per call (at least 1).
    pub fn new(capacity: usize) -> Entries {
        let capacity = capacity.clamp(1, u32::MAX as usize);
        // SAFETY: OVERLAPPED_ENTRY is plain data; zero is valid.
        let zero: OVERLAPPED_ENTRY = unsafe { zeroed() };
        Entries {
            raw: vec![zero; capacity],
            done: Vec::with_capacity(capacity),
        }
    }

    /// How many completions one call can dequeue.
    pub fn capacity(&self) -> usize {
        self.raw.len()
    }

    /// How many completions the last call dequeued and are still held.
    pub fn len(&self) -> usize {
        self.done.len()
    }

    /// Whether no completions are held.
    pub fn is_empty(&self) -> bool {
        self.done.is_empty()
    }

    /// The completions held.
    pub fn iter(&self) -> std::slice::Iter<'_, Completion> {
        self.done.iter()
    }

    /// Takes the completions out.
    pub fn drain(&mut self) -> std::vec::Drain<'_, Completion> {
        self.done.drain(..)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::timeout_ms;

    #[test]
    fn timeouts_round_up_and_never_become_infinite() {
        assert_eq!(timeout_ms(None), u32::MAX);
        assert_eq!(timeout_ms(Some(Duration::ZERO)), 0);
        assert_eq!(timeout_ms(Some(Duration::from_nanos(1))), 1);
        assert_eq!(timeout_ms(Some(Duration::from_millis(1))), 1);
        assert_eq!(timeout_ms(Some(Duration::from_micros(1500))), 2);
        assert_eq!(
            timeout_ms(Some(Duration::from_millis(u64::from(u32::MAX) - 1))),
            u32::MAX - 1
        );
        assert_eq!(
            timeout_ms(Some(Duration::from_millis(u64::from(u32::MAX)))),
            u32::MAX - 1
        );
        assert_eq!(timeout_ms(Some(Duration::MAX)), u32::MAX - 1);
    }
}
