//! Owned overlapped operations.
//!
//! Each operation is one `Box<RawOp>` whose first field is the `OVERLAPPED` the kernel is given,
//! so the pointer in a completion packet is the pointer to the whole operation. The box holds
//! everything the kernel reads or writes (buffer, address space, accept socket), and two
//! references count who may still need it:
//!
//! - the *kernel reference*, held by the kernel from the call until the completion packet is
//!   dequeued, then by the [`Done`] made from that packet (or made at once when no packet will
//!   come);
//! - the *ticket reference*, held by the [`Ticket`] while the operation is pending.
//!
//! Only the holder of the kernel reference touches the buffers; the ticket only reads the handle
//! and the `OVERLAPPED` address (for `CancelIoEx`). The box is freed when both are gone, so neither
//! cancelling, nor dropping the ticket, nor dropping the `Done` can free memory the kernel may still
//! write.
//!
//! # Does a packet follow a call that returned at once?
//!
//! The kernel reference may only be taken back from the kernel when no completion packet will
//! name the op. Which calls queue one is decided by what the I/O manager recorded, not by the
//! Win32 or Winsock error code (`WSAEMSGSIZE`, for one, is returned both for a datagram truncated
//! into a short buffer, which queues a packet, and for one refused outright). So before each call
//! [`submit`] sets `OVERLAPPED.Internal` (the `IO_STATUS_BLOCK.Status` of the request) to
//! `STATUS_PENDING`, and after a call that returned anything but "pending" it reads it back. It
//! holds an `NTSTATUS`, whose top two bits are its severity:
//!
//! | severity | bits 31..30 | example | packet (handle attached, `Notify::Always`) |
//! |---|---|---|---|
//! | success | `00` | `STATUS_SUCCESS` | yes |
//! | informational | `01` | `STATUS_OPLOCK_BREAK_IN_PROGRESS` | yes |
//! | warning | `10` | `STATUS_BUFFER_OVERFLOW` (`0x8000_0005`: `ERROR_MORE_DATA`, `WSAEMSGSIZE`) | yes |
//! | error | `11` | `STATUS_INVALID_HANDLE` | no |
//!
//! and `STATUS_PENDING` itself (`0x103`, a success value) still there means the request never
//! reached the I/O manager (refused in user mode), so no packet either. The rule, for a call that
//! did not return "pending":
//!
//! - it succeeded: a packet follows unless the handle is in skip-on-success mode;
//! - it failed and `Internal` is `STATUS_PENDING` or an error: no packet; the result is handed
//!   back at once and the op freed with it. Except for `ReadFile` and `WriteFile` with
//!   `Internal` still `STATUS_PENDING`: Wine (8) queues a packet for a regular-file read or
//!   write that fails inside the call (an offset it refuses, an error from the host's `pread` or
//!   `pwrite`) without writing the `OVERLAPPED`, where Windows (by its documented rules) queues
//!   none, and Wine itself queues none for some such failures (a write on a read-only handle).
//!   So whether a packet follows is unknown, and the result is handed back as in the
//!   skip-on-success case below;
//! - it failed and `Internal` is a success, informational or warning status: the I/O manager
//!   completed the request, so a packet follows in `Always` mode (the op is reported pending and
//!   its result comes from the packet). In skip-on-success mode whether one follows is not
//!   documented (Wine queues none), so the result is handed back at once and whoever comes first,
//!   the submitting call or a packet, delivers it ([`GIVEN`], [`DEQUEUED`]); a later packet is
//!   dropped, and the op's header stays allocated for it (leaked if none comes).

use std::cell::UnsafeCell;
use std::io;
use std::mem::{offset_of, size_of, zeroed};
use std::net::SocketAddr;
use std::os::windows::io::{AsRawSocket, OwnedSocket};
use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering, fence};

use windows_sys::Win32::Foundation::{
    ERROR_IO_PENDING, ERROR_MORE_DATA, ERROR_NOT_FOUND, GetLastError, HANDLE,
    RtlNtStatusToDosError, STATUS_BUFFER_OVERFLOW, STATUS_PENDING,
};
use windows_sys::Win32::Networking::WinSock::{
    AcceptEx, SO_UPDATE_ACCEPT_CONTEXT, SO_UPDATE_CONNECT_CONTEXT, SOCKADDR, SOCKADDR_STORAGE,
    SOCKET, SOCKET_ERROR, SOL_SOCKET, WSA_IO_PENDING, WSABUF, WSAEINVAL, WSAENOTSOCK,
    WSAGetLastError, WSARecv, WSASend, bind, getsockname, setsockopt,
};
use windows_sys::Win32::Storage::FileSystem::{ReadFile, WriteFile};
use windows_sys::Win32::System::IO::{
    CancelIoEx, GetOverlappedResult, OVERLAPPED, OVERLAPPED_ENTRY,
};

use crate::net;
use crate::port::{Attached, Liveness};

/// Bytes `AcceptEx` needs for one address: the largest `SOCKADDR` plus the 16 it documents.
const ACCEPT_ADDR_LEN: usize = size_of::<SOCKADDR_STORAGE>() + 16;

/// What an operation owns besides its `OVERLAPPED`.
enum Kind {
    Read {
        buf: Vec<u8>,
        asked: u32,
    },
    Write {
        buf: Vec<u8>,
    },
    Recv {
        buf: Vec<u8>,
        asked: u32,
    },
    Send {
        buf: Vec<u8>,
    },
    Accept {
        socket: OwnedSocket,
        /// The listener's handle, valid while `listener` says it is held.
        listen: SOCKET,
        listener: Arc<Liveness>,
        addrs: [u8; 2 * ACCEPT_ADDR_LEN],
    },
    Connect {
        addr: SOCKADDR_STORAGE,
        /// Whether the op's `handle` (the connecting socket) is still held.
        socket: Arc<Liveness>,
    },
    /// The output was handed out by [`Done::into_output`].
    Taken,
}

impl Kind {
    /// The memory the kernel reads or writes: `(pointer, length)`. For reads it is the spare
    /// capacity after `len`, for writes the initialised bytes.
    fn io_range(&mut self) -> (*mut u8, u32) {
        match self {
            Kind::Read { buf, asked } | Kind::Recv { buf, asked } => {
                // SAFETY: `len <= capacity`, so `len` is in bounds of the allocation (or one past it).
                (unsafe { buf.as_mut_ptr().add(buf.len()) }, *asked)
            }
            Kind::Write { buf } | Kind::Send { buf } => (
                buf.as_mut_ptr(),
                u32::try_from(buf.len()).unwrap_or(u32::MAX),
            ),
            Kind::Accept { addrs, .. } => (addrs.as_mut_ptr(), addrs.len() as u32),
            Kind::Connect { addr, .. } => (
                (addr as *mut SOCKADDR_STORAGE).cast(),
                size_of::<SOCKADDR_STORAGE>() as u32,
            ),
            Kind::Taken => (std::ptr::null_mut(), 0),
        }
    }
}

/// One operation. `repr(C)` with the `OVERLAPPED` first: a packet's `lpOverlapped` is a
/// `*mut RawOp`. The kernel writes `overlapped` (and the buffers `kind` points to), hence the
/// `UnsafeCell`s.
#[repr(C)]
pub(crate) struct RawOp {
    overlapped: UnsafeCell<OVERLAPPED>,
    /// Kernel reference + ticket reference (see the module docs).
    refs: AtomicUsize,
    /// The handle or socket the operation was started on, for `CancelIoEx`.
    handle: HANDLE,
    key: usize,
    token: usize,
    /// `WSARecv`'s in/out flags, which must outlive the call.
    flags: UnsafeCell<u32>,
    /// A call that failed at once may still queue a packet we cannot predict: the handle was
    /// attached with `Notify::SkipOnSuccess`, or the op is a `ReadFile`/`WriteFile` (see the
    /// module docs). Set before the call, never written after.
    racy: bool,
    /// Who delivers the result when a call failed at once and we cannot know whether a packet
    /// follows (only if `racy`): [`OPEN`], [`GIVEN`] or [`DEQUEUED`].
    delivery: AtomicU8,
    kind: UnsafeCell<Kind>,
}

/// Nobody has delivered the result yet.
const OPEN: u8 = 0;
/// The submitting call gave the result to the caller; a packet, if one comes, is dropped.
const GIVEN: u8 = 1;
/// A packet was dequeued and delivered the result.
const DEQUEUED: u8 = 2;

// The packet pointer is the operation pointer only if the OVERLAPPED sits at offset 0.
const _: () = assert!(offset_of!(RawOp, overlapped) == 0);
// The SDK's layouts (minwinbase.h), which windows-sys mirrors: what the kernel reads and writes.
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(size_of::<OVERLAPPED>() == 32);
    assert!(offset_of!(OVERLAPPED, InternalHigh) == 8);
    assert!(offset_of!(OVERLAPPED, Anonymous) == 16);
    assert!(offset_of!(OVERLAPPED, hEvent) == 24);
    assert!(size_of::<OVERLAPPED_ENTRY>() == 32);
};
#[cfg(target_pointer_width = "32")]
const _: () = {
    assert!(size_of::<OVERLAPPED>() == 20);
    assert!(offset_of!(OVERLAPPED, hEvent) == 16);
    assert!(size_of::<OVERLAPPED_ENTRY>() == 16);
};
// Op pointers are even; `CompletionPort::post` marks its tokens with the low bit.
const _: () = assert!(std::mem::align_of::<RawOp>() >= 2);

/// How a Win32 call that takes an `OVERLAPPED` returned. Whether a packet follows a failure is
/// not decided here but from `OVERLAPPED.Internal` (see the module docs).
enum Immediate {
    /// `ERROR_IO_PENDING`: the kernel owns the op.
    Pending,
    /// Succeeded at once with this many bytes.
    Done(u32),
    /// Failed at once with this Win32 or Winsock error.
    Failed(i32),
}

impl Immediate {
    /// A `BOOL`-returning file call (`ReadFile`, `WriteFile`).
    fn from_bool(ok: i32, bytes: u32) -> Self {
        if ok != 0 {
            return Immediate::Done(bytes);
        }
        // SAFETY: GetLastError only reads thread-local state.
        match unsafe { GetLastError() } {
            ERROR_IO_PENDING => Immediate::Pending,
            e => Immediate::Failed(e as i32),
        }
    }

    /// A Winsock call returning 0 / `SOCKET_ERROR` (`WSARecv`, `WSASend`).
    fn from_wsa(rc: i32, bytes: u32) -> Self {
        if rc == 0 {
            return Immediate::Done(bytes);
        }
        // SAFETY: WSAGetLastError only reads thread-local state.
        match unsafe { WSAGetLastError() } {
            WSA_IO_PENDING => Immediate::Pending,
            e => Immediate::Failed(e),
        }
    }

    /// A Winsock extension returning `BOOL` (`AcceptEx`, `ConnectEx`).
    fn from_wsa_bool(ok: i32, bytes: u32) -> Self {
        Self::from_wsa(if ok != 0 { 0 } else { SOCKET_ERROR }, bytes)
    }
}

/// What starting an operation gave: pending (its completion will arrive at the port) or already
/// done (nothing will arrive).
#[derive(Debug)]
#[must_use = "a Done holds the buffer and the result; a Pending ticket can cancel"]
pub enum Submitted {
    /// The kernel owns the operation; a [`Completion::Op`](crate::Completion::Op) with the same
    /// token will be dequeued from the port the handle is attached to.
    Pending(Ticket),
    /// The operation finished without a completion packet: it failed at once (and the kernel
    /// recorded an error, or never took the request), or it finished at once on a handle attached
    /// with [`Notify::SkipOnSuccess`](crate::Notify::SkipOnSuccess).
    Done(Done),
}

impl Submitted {
    /// The `Done` if the operation finished at once, `None` if it is pending.
    pub fn done(self) -> Option<Done> {
        match self {
            Submitted::Done(d) => Some(d),
            Submitted::Pending(_) => None,
        }
    }
}

/// A handle on a pending operation: cancel it, or drop it.
///
/// Dropping a ticket neither cancels the operation nor frees it: its completion still arrives at
/// the port, and the memory lives until then.
pub struct Ticket {
    op: NonNull<RawOp>,
}

// SAFETY: a ticket only reads `handle`, `token` (immutable after submission), the OVERLAPPED's
// address, and the atomic `refs`; it never touches the buffers, so it may move between threads.
unsafe impl Send for Ticket {}
// SAFETY: as for Send; every method takes `&self` and only does the reads listed there.
unsafe impl Sync for Ticket {}

impl Ticket {
    /// The token the operation was started with.
    pub fn token(&self) -> usize {
        // SAFETY: the ticket reference keeps the box alive; `token` is never written after
        // submission.
        unsafe { (*self.op.as_ptr()).token }
    }

    /// `CancelIoEx(handle, overlapped)` — asks the kernel to cancel this operation.
    ///
    /// Returns `Ok(true)` if a pending request was found and marked for cancellation and
    /// `Ok(false)` if none was (it already completed). Cancellation is asynchronous: the operation
    /// still completes through the port, usually with `ERROR_OPERATION_ABORTED` (995), sometimes
    /// with success if it finished first. Either way its buffer comes back in the [`Done`].
    ///
    /// # References
    ///
    /// - [`CancelIoEx`](https://learn.microsoft.com/en-us/windows/win32/fileio/cancelioex-func)
    #[doc(alias = "CancelIoEx")]
    pub fn cancel(&self) -> io::Result<bool> {
        let op = self.op.as_ptr();
        // SAFETY: the ticket reference keeps the box alive, so the OVERLAPPED address is the one
        // the kernel was given for this op and no other op can share it; CancelIoEx only compares
        // it. `handle` is immutable after submission; if it was closed meanwhile the call fails
        // with a harmless error.
        let ok = unsafe { CancelIoEx((*op).handle, (*op).overlapped.get()) };
        if ok != 0 {
            return Ok(true);
        }
        // SAFETY: GetLastError only reads thread-local state.
        match unsafe { GetLastError() } {
            ERROR_NOT_FOUND => Ok(false),
            e => Err(io::Error::from_raw_os_error(e as i32)),
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        // SAFETY: this is the ticket reference, released exactly once.
        unsafe { release(self.op) }
    }
}

impl std::fmt::Debug for Ticket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ticket")
            .field("token", &self.token())
            .finish_non_exhaustive()
    }
}

/// Drops one reference; frees the operation when it was the last.
///
/// # Safety
///
/// - `op` came from `Box::into_raw` in [`submit`] and the caller holds one of its references,
///   which it gives up here.
unsafe fn release(op: NonNull<RawOp>) {
    // SAFETY: the caller's reference keeps the box alive until this decrement.
    if unsafe { (*op.as_ptr()).refs.fetch_sub(1, Ordering::Release) } == 1 {
        // Pairs with the Release above in the other holder: its last uses happen before the free.
        fence(Ordering::Acquire);
        // SAFETY: both references are gone, so nothing (kernel, ticket, Done) uses the box; it
        // came from Box::into_raw.
        drop(unsafe { Box::from_raw(op.as_ptr()) });
    }
}

/// A finished operation: its result, and the buffer or socket it owned.
///
/// Dropping it frees the buffer (the kernel is done with it).
pub struct Done {
    op: NonNull<RawOp>,
    /// Bytes transferred, or the Win32/Winsock error code.
    result: Result<u32, i32>,
    /// Bytes the kernel wrote into a read buffer: the count on success, and also on
    /// `ERROR_MORE_DATA` (a message longer than the buffer: the buffer is full of its start).
    filled: u32,
    /// Made by the submitting call for a call that failed at once when a packet may or may not
    /// follow (see [`GIVEN`]): it holds the ticket reference, and the kernel reference may never
    /// come back.
    given: bool,
}

// SAFETY: a Done holds the kernel reference, the only one allowed to touch the buffers; what
// the op owns is `Vec<u8>`, `OwnedSocket` and `Arc<Liveness>`, all Send.
unsafe impl Send for Done {}
// SAFETY: `&Done` only reads `key`, `token`, and `result`, which nobody writes any more.
unsafe impl Sync for Done {}

impl Done {
    /// The completion key of the handle the operation ran on.
    pub fn key(&self) -> usize {
        // SAFETY: the kernel reference keeps the box alive; `key` is immutable.
        unsafe { (*self.op.as_ptr()).key }
    }

    /// The token the operation was started with.
    pub fn token(&self) -> usize {
        // SAFETY: as in `key`.
        unsafe { (*self.op.as_ptr()).token }
    }

    /// The bytes transferred, or the error the operation ended with (for example
    /// `ERROR_OPERATION_ABORTED` (995) after [`Ticket::cancel`], `ERROR_HANDLE_EOF` (38) for a read
    /// past the end of a file, `ERROR_BROKEN_PIPE` (109) when the other end of a pipe closed).
    pub fn result(&self) -> io::Result<usize> {
        match self.result {
            Ok(n) => Ok(n as usize),
            Err(e) => Err(io::Error::from_raw_os_error(e)),
        }
    }

    /// What the operation owned. For reads and receives the buffer's length has grown by the bytes
    /// received: on success, and on `ERROR_MORE_DATA` (234), where a message-mode pipe filled the
    /// buffer with the start of a longer message (read again for the rest).
    pub fn into_output(self) -> Output {
        // SAFETY: this Done holds the kernel reference, so the kernel no longer writes into the
        // op and no one else touches `kind`.
        let kind = std::mem::replace(unsafe { &mut *(*self.op.as_ptr()).kind.get() }, Kind::Taken);
        let n = self.filled;
        match kind {
            Kind::Read { mut buf, asked } | Kind::Recv { mut buf, asked } => {
                let got = n.min(asked) as usize;
                // SAFETY: the kernel wrote `got` bytes into the spare capacity starting at `len`,
                // and `got <= asked <= capacity - len` (asked was clamped at submission).
                unsafe { buf.set_len(buf.len() + got) };
                Output::Read(buf)
            }
            Kind::Write { buf } | Kind::Send { buf } => Output::Write(buf),
            Kind::Accept { socket, .. } => Output::Accept(socket),
            // `Taken` cannot occur: into_output consumes the only Done.
            Kind::Connect { .. } | Kind::Taken => Output::Connect,
        }
    }

    /// The buffer of a read, write, receive or send (`None` for accept and connect).
    pub fn into_buf(self) -> Option<Vec<u8>> {
        match self.into_output() {
            Output::Read(b) | Output::Write(b) => Some(b),
            Output::Accept(_) | Output::Connect => None,
        }
    }

    /// Makes a `Done` for an op whose completion packet was just dequeued.
    ///
    /// # Safety
    ///
    /// - `op` is the `lpOverlapped` of a dequeued packet, so it came from [`submit`] and its
    ///   kernel reference passes to the returned `Done`; the kernel is done with the op.
    ///
    /// `None` if the result was already given to the caller of the submitting call (a skip-mode
    /// failure with a warning status, such as `ERROR_MORE_DATA`, or a file read or write that
    /// failed inside the call, that still queued a packet); the packet's reference is released.
    ///
    /// `packet_status` is the status the packet itself carries (`OVERLAPPED_ENTRY.Internal`),
    /// used when the kernel queued the packet without writing the `OVERLAPPED` (Wine, for a file
    /// read or write that failed inside the call; see the module docs).
    pub(crate) unsafe fn from_packet(
        op: NonNull<RawOp>,
        bytes: u32,
        packet_status: usize,
    ) -> Option<Done> {
        let p = op.as_ptr();
        // SAFETY: the packet's kernel reference keeps the op alive; `racy` is immutable.
        if unsafe { (*p).racy }
            // SAFETY: as above; `delivery` is atomic.
            && unsafe { (*p).delivery.swap(DEQUEUED, Ordering::AcqRel) } == GIVEN
        {
            // SAFETY: this packet carried the kernel reference; the caller already has the result.
            unsafe { release(op) };
            return None;
        }
        // SAFETY: the kernel finished with the OVERLAPPED before queuing the packet we dequeued.
        let status = unsafe { (*(*p).overlapped.get()).Internal };
        let (result, filled) = if status == 0 {
            (Ok(bytes), bytes)
        } else if status == STATUS_PENDING as u32 as usize {
            // Never written: the packet's own status is the result.
            let packet_status = packet_status as u32 as i32;
            if packet_status >= 0 {
                (Ok(bytes), bytes)
            } else {
                // SAFETY: a pure conversion of a status code.
                (
                    Err(unsafe { RtlNtStatusToDosError(packet_status) } as i32),
                    0,
                )
            }
        } else {
            let mut n = 0u32;
            // SAFETY: the OVERLAPPED is complete (status is not STATUS_PENDING), so with
            // bWait = FALSE GetOverlappedResult only converts its NTSTATUS to a Win32 error (and
            // copies InternalHigh into `n`); it never waits on the handle.
            let ok = unsafe { GetOverlappedResult((*p).handle, (*p).overlapped.get(), &mut n, 0) };
            if ok != 0 {
                (Ok(n), n)
            } else {
                // SAFETY: GetLastError only reads thread-local state.
                match unsafe { GetLastError() } {
                    ERROR_MORE_DATA => (Err(ERROR_MORE_DATA as i32), n),
                    e => (Err(e as i32), 0),
                }
            }
        };
        // SAFETY: the kernel reference passes to the Done, as the caller promised.
        Some(unsafe { Done::finish(op, result, filled) })
    }

    /// Makes a `Done`, completing the socket context of a successful accept or connect.
    ///
    /// # Safety
    ///
    /// - the caller holds the kernel reference of `op` and the kernel no longer uses it.
    unsafe fn finish(op: NonNull<RawOp>, mut result: Result<u32, i32>, filled: u32) -> Done {
        if result.is_ok() {
            let p = op.as_ptr();
            // SAFETY: the kernel reference is ours and the kernel is done, so `kind` is ours.
            let kind = unsafe { &*(*p).kind.get() };
            // The handle numbers below are only used while the `Attached` they came from still
            // holds them (`while_held`); once it let go, the number may name another socket, so
            // the call is skipped and the result is WSAENOTSOCK, what a closed socket gives.
            let rc = match kind {
                // The accepted socket inherits the listener's properties; getpeername and
                // shutdown need this.
                Kind::Accept {
                    socket,
                    listen,
                    listener,
                    ..
                } => listener.while_held(|| {
                    // SAFETY: the accept socket is owned by the op; the listener is held by its
                    // `Attached` for the whole call (the read lock in `while_held`); `listen` is
                    // passed by address with its size, as SO_UPDATE_ACCEPT_CONTEXT expects.
                    unsafe {
                        setsockopt(
                            socket.as_raw_socket() as SOCKET,
                            SOL_SOCKET,
                            SO_UPDATE_ACCEPT_CONTEXT,
                            (listen as *const SOCKET).cast(),
                            size_of::<SOCKET>() as i32,
                        )
                    }
                }),
                Kind::Connect { socket, .. } => socket.while_held(|| {
                    // SAFETY: SO_UPDATE_CONNECT_CONTEXT takes no value. The op's handle is the
                    // connecting socket, held by its `Attached` for the whole call (the read lock
                    // in `while_held`).
                    unsafe {
                        setsockopt(
                            (*p).handle as SOCKET,
                            SOL_SOCKET,
                            SO_UPDATE_CONNECT_CONTEXT,
                            std::ptr::null(),
                            0,
                        )
                    }
                }),
                _ => Some(0),
            };
            let Some(rc) = rc else {
                return Done {
                    op,
                    result: Err(WSAENOTSOCK),
                    filled,
                    given: false,
                };
            };
            if rc == SOCKET_ERROR {
                // SAFETY: WSAGetLastError only reads thread-local state.
                result = Err(unsafe { WSAGetLastError() });
            }
        }
        Done {
            op,
            result,
            filled,
            given: false,
        }
    }
}

impl Drop for Done {
    fn drop(&mut self) {
        if self.given {
            // The kernel reference may never be released (no packet), which would keep the buffer
            // alive forever: drop what the op owns now. A late packet does not touch `kind`.
            // SAFETY: the kernel finished with the buffers when the call returned; only this Done
            // touches `kind`.
            drop(std::mem::replace(
                unsafe { &mut *(*self.op.as_ptr()).kind.get() },
                Kind::Taken,
            ));
        }
        // SAFETY: the reference this Done holds (the kernel's, or the ticket's for a `given`
        // Done), released exactly once.
        unsafe { release(self.op) }
    }
}

impl std::fmt::Debug for Done {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Done")
            .field("key", &self.key())
            .field("token", &self.token())
            .field("result", &self.result)
            .finish_non_exhaustive()
    }
}

/// What a finished operation hands back.
#[derive(Debug)]
pub enum Output {
    /// From [`Attached::read_at`] or [`Attached::recv`]: the buffer, its length grown by the bytes
    /// received.
    Read(Vec<u8>),
    /// From [`Attached::write_at`] or [`Attached::send`]: the buffer as it was given.
    Write(Vec<u8>),
    /// From [`Attached::accept`]: the accept socket, connected if the result is `Ok` (its accept
    /// context already updated), to be reused or dropped otherwise. It is not attached to a port.
    Accept(OwnedSocket),
    /// From [`Attached::connect`]: the attached socket is connected if the result is `Ok` (its
    /// connect context already updated).
    Connect,
}

/// Boxes `kind`, runs `call` with the op pointer and the memory range the kernel may use, and
/// turns the immediate outcome into a [`Submitted`].
fn submit<T>(
    at: &Attached<T>,
    token: usize,
    offset: u64,
    kind: Kind,
    call: impl FnOnce(*mut OVERLAPPED, *mut u8, u32, *mut u32) -> Immediate,
) -> Submitted {
    // SAFETY: OVERLAPPED is plain data; all-zero is the state every call expects.
    let mut overlapped: OVERLAPPED = unsafe { zeroed() };
    // Read back after a failed call: still STATUS_PENDING means the kernel never took the request.
    overlapped.Internal = STATUS_PENDING as u32 as usize;
    overlapped.Anonymous.Anonymous.Offset = offset as u32;
    overlapped.Anonymous.Anonymous.OffsetHigh = (offset >> 32) as u32;
    // ReadFile and WriteFile: Wine may queue a packet for a call that failed without writing the
    // OVERLAPPED (see the module docs).
    let file_op = matches!(kind, Kind::Read { .. } | Kind::Write { .. });
    let op = Box::new(RawOp {
        overlapped: UnsafeCell::new(overlapped),
        // The kernel reference and the ticket reference, both taken before the call: the packet
        // may be dequeued (and its Done dropped) on another thread before `call` even returns.
        refs: AtomicUsize::new(2),
        handle: at.raw,
        key: at.key,
        token,
        flags: UnsafeCell::new(0),
        racy: at.skip || file_op,
        delivery: AtomicU8::new(OPEN),
        kind: UnsafeCell::new(kind),
    });
    let op = NonNull::from(Box::leak(op));
    let p = op.as_ptr();
    // SAFETY: we own the fresh box and the kernel does not have it yet; the `&mut Kind` ends
    // before the call, after which only raw pointers into the box are used.
    let (buf, len) = unsafe { (*(*p).kind.get()).io_range() };
    // SAFETY: `p` is valid; UnsafeCell::get makes raw pointers without references.
    let (ov, flags) = unsafe { ((*p).overlapped.get(), (*p).flags.get()) };
    match call(ov, buf, len, flags) {
        Immediate::Pending => Submitted::Pending(Ticket { op }),
        Immediate::Done(n) if at.skip => {
            // Skip-on-success: the kernel queues no packet for a call that succeeded at once, so
            // the kernel reference is already back with us; no ticket is made.
            // SAFETY: no packet and no ticket exist, so this thread is the only user.
            unsafe { (*p).refs.store(1, Ordering::Relaxed) };
            // SAFETY: we hold the only (kernel) reference and the kernel is done.
            Submitted::Done(unsafe { Done::finish(op, Ok(n), n) })
        }
        // Succeeded at once but a packet is still queued: it is handled like a pending op.
        Immediate::Done(_) => Submitted::Pending(Ticket { op }),
        Immediate::Failed(e) => {
            // SAFETY: the call has returned; if the kernel took the request it completed it (the
            // call did not return pending), so it wrote Internal and InternalHigh before
            // returning and writes them no more. The ticket reference keeps the op alive even if
            // a packet was dequeued and its Done dropped meanwhile. Volatile: the kernel wrote
            // them, not Rust code.
            let (status, info) = unsafe {
                (
                    std::ptr::read_volatile(std::ptr::addr_of!((*ov).Internal)) as u32 as i32,
                    std::ptr::read_volatile(std::ptr::addr_of!((*ov).InternalHigh)),
                )
            };
            // A file read or write that failed inside the call with the OVERLAPPED untouched:
            // Wine may have queued a packet for it anyway (see the module docs).
            let unknown = file_op && status == STATUS_PENDING;
            if !unknown && !packet_follows_failure(status) {
                // SAFETY: no packet will come and no ticket exists, so this thread is the only
                // user.
                unsafe { (*p).refs.store(1, Ordering::Relaxed) };
                // SAFETY: we hold the only reference and the kernel is done with the op (it never
                // took it, or failed it).
                return Submitted::Done(unsafe { Done::finish(op, Err(e), 0) });
            }
            if !at.skip && !unknown {
                // The I/O manager completed the request and queues a packet, which delivers it.
                return Submitted::Pending(Ticket { op });
            }
            // Skip mode, or a file read or write that failed with the OVERLAPPED untouched: a
            // packet may or may not come. Whoever flips `delivery` first delivers: here, the
            // caller gets the result now and a late packet is dropped in `from_packet` (the op's
            // memory stays valid for it: the packet's kernel reference is never released
            // otherwise, so at most the op's header leaks when no packet comes). A packet that
            // wins finds `Internal` still `STATUS_PENDING` and reports the status it carries.
            // SAFETY: the ticket reference keeps the op alive; `delivery` is atomic.
            if unsafe { (*p).delivery.swap(GIVEN, Ordering::AcqRel) } == OPEN {
                // STATUS_BUFFER_OVERFLOW: the buffer holds the start of a longer message and
                // InternalHigh counts it; other statuses report nothing read.
                let filled = if status == STATUS_BUFFER_OVERFLOW {
                    info as u32
                } else {
                    0
                };
                Submitted::Done(Done {
                    op,
                    result: Err(e),
                    filled,
                    given: true,
                })
            } else {
                // A packet came first and was (or is being) delivered through the port.
                Submitted::Pending(Ticket { op })
            }
        }
    }
}

/// Whether a completion packet follows a call that failed at once, given the `NTSTATUS` the
/// kernel recorded in `OVERLAPPED.Internal` (see the module docs): not when it is still
/// `STATUS_PENDING` (the kernel never took the request) nor when its severity (bits 31..30) is
/// error (`11`); yes for success (`00`), informational (`01`) and warning (`10`).
fn packet_follows_failure(status: i32) -> bool {
    status != STATUS_PENDING && (status as u32) >> 30 != 0b11
}

/// Operations on attached handles and sockets. Each takes ownership of what the kernel will use
/// and returns it in the [`Done`]; `token` comes back in the completion.
impl<T> Attached<T> {
    /// `ReadFile(handle, spare capacity, …, overlapped at offset)` — reads into `buf`'s spare
    /// capacity (`buf.capacity() - buf.len()` bytes, at most `u32::MAX`).
    ///
    /// On success the returned buffer's length grows by the bytes read. `offset` is the file
    /// position (ignored for pipes and other non-seeking handles). Reading at or past the end of a
    /// file fails with `ERROR_HANDLE_EOF` (38); a pipe whose other end closed fails with
    /// `ERROR_BROKEN_PIPE` (109).
    ///
    /// # References
    ///
    /// - [`ReadFile`](https://learn.microsoft.com/en-us/windows/win32/api/fileapi/nf-fileapi-readfile)
    #[doc(alias = "ReadFile")]
    pub fn read_at(&self, offset: u64, buf: Vec<u8>, token: usize) -> Submitted {
        let asked = u32::try_from(buf.capacity() - buf.len()).unwrap_or(u32::MAX);
        let h = self.raw;
        submit(
            self,
            token,
            offset,
            Kind::Read { buf, asked },
            |ov, p, len, _| {
                let mut n = 0;
                // SAFETY: `p..p+len` is the spare capacity of the Vec the op owns, and `ov` is the
                // op's OVERLAPPED; both live until the kernel reference is released.
                let ok = unsafe { ReadFile(h, p, len, &mut n, ov) };
                Immediate::from_bool(ok, n)
            },
        )
    }

    /// `WriteFile(handle, buf, …, overlapped at offset)` — writes all of `buf` (at most
    /// `u32::MAX` bytes) at `offset` (ignored for pipes).
    ///
    /// The result is the number of bytes written; the buffer comes back unchanged.
    ///
    /// # References
    ///
    /// - [`WriteFile`](https://learn.microsoft.com/en-us/windows/win32/api/fileapi/nf-fileapi-writefile)
    #[doc(alias = "WriteFile")]
    pub fn write_at(&self, offset: u64, buf: Vec<u8>, token: usize) -> Submitted {
        let h = self.raw;
        submit(self, token, offset, Kind::Write { buf }, |ov, p, len, _| {
            let mut n = 0;
            // SAFETY: `p..p+len` are the initialised bytes of the Vec the op owns, and `ov` is the
            // op's OVERLAPPED; both live until the kernel reference is released.
            let ok = unsafe { WriteFile(h, p, len, &mut n, ov) };
            Immediate::from_bool(ok, n)
        })
    }

    /// `WSARecv(socket, [spare capacity], 1, …, overlapped)` — receives into `buf`'s spare
    /// capacity.
    ///
    /// On success the buffer's length grows by the bytes received; `Ok(0)` with spare capacity
    /// means the peer closed its side. A zero-capacity receive completes when data is available
    /// without taking any. A datagram longer than the spare capacity fills it with its start (the
    /// length grows) and fails: with `WSAEMSGSIZE` (10040) when handed back at once (skip mode),
    /// with `ERROR_MORE_DATA` (234) through the port; the rest of the datagram is discarded.
    ///
    /// # References
    ///
    /// - [`WSARecv`](https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-wsarecv)
    #[doc(alias = "WSARecv")]
    pub fn recv(&self, buf: Vec<u8>, token: usize) -> Submitted {
        let asked = u32::try_from(buf.capacity() - buf.len()).unwrap_or(u32::MAX);
        let s = self.raw as SOCKET;
        submit(
            self,
            token,
            0,
            Kind::Recv { buf, asked },
            |ov, p, len, flags| {
                // The provider copies the WSABUF array before returning, so it may live on the stack.
                let wsabuf = WSABUF { len, buf: p };
                let mut n = 0;
                // SAFETY: the WSABUF points at the spare capacity of the Vec the op owns; `flags` and
                // `ov` are in the op; all live until the kernel reference is released.
                let rc = unsafe { WSARecv(s, &wsabuf, 1, &mut n, flags, ov, None) };
                Immediate::from_wsa(rc, n)
            },
        )
    }

    /// `WSASend(socket, [buf], 1, …, overlapped)` — sends all of `buf`.
    ///
    /// # References
    ///
    /// - [`WSASend`](https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-wsasend)
    #[doc(alias = "WSASend")]
    pub fn send(&self, buf: Vec<u8>, token: usize) -> Submitted {
        let s = self.raw as SOCKET;
        submit(self, token, 0, Kind::Send { buf }, |ov, p, len, _| {
            let wsabuf = WSABUF { len, buf: p };
            let mut n = 0;
            // SAFETY: the WSABUF points at the bytes of the Vec the op owns, `ov` is in the op;
            // both live until the kernel reference is released.
            let rc = unsafe { WSASend(s, &wsabuf, 1, &mut n, 0, ov, None) };
            Immediate::from_wsa(rc, n)
        })
    }

    /// `AcceptEx(listener, socket, addresses, 0, …, overlapped)` — accepts a connection on this
    /// listening socket into `socket` (a fresh, unbound socket of the same family, e.g. from
    /// [`tcp_socket`](crate::tcp_socket)).
    ///
    /// On success [`Output::Accept`] gives the connected socket with `SO_UPDATE_ACCEPT_CONTEXT`
    /// already set (so `getpeername`, `shutdown` and `std`'s `TcpStream` work on it). No data is
    /// received with the connection. Setting the context needs the listener: if this `Attached`
    /// was dropped or given back by [`into_inner`](Attached::into_inner) before the completion is
    /// taken, the result is `WSAENOTSOCK` (10038) and the socket comes back without it.
    ///
    /// `T: 'static` (an owned socket, an `Arc`, a `&'static`): the listener's number is used when
    /// the completion is taken, which is only sound while it is still this listener. The
    /// `Attached` tells when it lets go of the listener, but a borrowed listener could be closed
    /// after a `mem::forget` of its `Attached`, with no drop to tell, and the number could name
    /// another socket by then:
    ///
    /// ```compile_fail,E0597
    /// # use std::net::TcpListener;
    /// # use iocp::{CompletionPort, Notify, tcp_socket};
    /// let port = CompletionPort::new(0).unwrap();
    /// let l = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let addr = l.local_addr().unwrap();
    /// // SAFETY: the listener is used only through this crate.
    /// let a = unsafe { port.associate_socket(&l, 0, Notify::Always) }.unwrap();
    /// let pending = a.accept(tcp_socket(&addr).unwrap(), 1); // refused: `&l` is not 'static
    /// std::mem::forget(a);
    /// drop(l);
    /// # drop(pending);
    /// ```
    ///
    /// # References
    ///
    /// - [`AcceptEx`](https://learn.microsoft.com/en-us/windows/win32/api/mswsock/nf-mswsock-acceptex)
    #[doc(alias = "AcceptEx")]
    pub fn accept(&self, socket: OwnedSocket, token: usize) -> Submitted
    where
        T: 'static,
    {
        let listen = self.raw as SOCKET;
        let accept = socket.as_raw_socket() as SOCKET;
        let kind = Kind::Accept {
            socket,
            listen,
            listener: self.liveness(),
            addrs: [0; 2 * ACCEPT_ADDR_LEN],
        };
        submit(self, token, 0, kind, |ov, p, _, _| {
            let mut n = 0;
            // SAFETY: the accept socket and the address buffer (2 * ACCEPT_ADDR_LEN bytes) are
            // owned by the op, `ov` is in the op; all live until the kernel reference is released.
            let ok = unsafe {
                AcceptEx(
                    listen,
                    accept,
                    p.cast(),
                    0,
                    ACCEPT_ADDR_LEN as u32,
                    ACCEPT_ADDR_LEN as u32,
                    &mut n,
                    ov,
                )
            };
            Immediate::from_wsa_bool(ok, n)
        })
    }

    /// `ConnectEx(socket, addr, …, overlapped)` — connects this unconnected TCP socket to
    /// `addr`.
    ///
    /// `ConnectEx` needs a bound socket: if this one is not bound yet it is bound to the wildcard
    /// address of `addr`'s family with port 0 first. On success the socket's
    /// `SO_UPDATE_CONNECT_CONTEXT` is set when the completion is taken, if this `Attached` still
    /// holds the socket then; if it was dropped or given back by
    /// [`into_inner`](Attached::into_inner), the result is `WSAENOTSOCK` (10038) instead.
    ///
    /// `T: 'static`, for the reason [`accept`](Attached::accept) gives: the socket's number is
    /// used when the completion is taken.
    ///
    /// ```compile_fail,E0597
    /// # use iocp::{CompletionPort, Notify, tcp_socket};
    /// let port = CompletionPort::new(0).unwrap();
    /// let addr = "127.0.0.1:9".parse().unwrap();
    /// let sock = tcp_socket(&addr).unwrap();
    /// // SAFETY: the socket is used only through this crate.
    /// let c = unsafe { port.associate_socket(&sock, 0, Notify::Always) }.unwrap();
    /// let pending = c.connect(addr, 1); // refused: `&sock` is not 'static
    /// std::mem::forget(c);
    /// drop(sock);
    /// # drop(pending);
    /// ```
    ///
    /// # References
    ///
    /// - [`ConnectEx`](https://learn.microsoft.com/en-us/windows/win32/api/mswsock/nc-mswsock-lpfn_connectex)
    /// - [`bind`](https://learn.microsoft.com/en-us/windows/win32/api/winsock/nf-winsock-bind)
    #[doc(alias = "ConnectEx")]
    pub fn connect(&self, addr: SocketAddr, token: usize) -> Submitted
    where
        T: 'static,
    {
        let s = self.raw as SOCKET;
        let (sa, sa_len) = net::to_sockaddr(&addr);
        let prepared = net::connect_ex(s).and_then(|f| ensure_bound(s, &addr).map(|()| f));
        let kind = Kind::Connect {
            addr: sa,
            socket: self.liveness(),
        };
        submit(self, token, 0, kind, |ov, p, _, _| {
            let f = match prepared {
                Ok(Some(f)) => f,
                Ok(None) => return Immediate::Failed(WSAEINVAL),
                Err(e) => return Immediate::Failed(e.raw_os_error().unwrap_or(WSAEINVAL)),
            };
            let mut n = 0;
            // SAFETY: `f` is ConnectEx from the provider; `p` is the op's SOCKADDR_STORAGE with
            // `sa_len` valid bytes and `ov` the op's OVERLAPPED, both living until the kernel
            // reference is released; no send buffer.
            let ok = unsafe {
                f(
                    s,
                    p.cast::<SOCKADDR>(),
                    sa_len,
                    std::ptr::null(),
                    0,
                    &mut n,
                    ov,
                )
            };
            Immediate::from_wsa_bool(ok, n)
        })
    }
}

/// Binds `s` to the wildcard address of `like`'s family unless it is bound already.
fn ensure_bound(s: SOCKET, like: &SocketAddr) -> io::Result<()> {
    // SAFETY: plain data, zero is valid.
    let mut name: SOCKADDR_STORAGE = unsafe { zeroed() };
    let mut len = size_of::<SOCKADDR_STORAGE>() as i32;
    // SAFETY: out-pointers to locals with their true sizes.
    let rc = unsafe { getsockname(s, (&mut name as *mut SOCKADDR_STORAGE).cast(), &mut len) };
    if rc == 0 {
        return Ok(());
    }
    let (any, any_len) = net::to_sockaddr(&net::unspecified_like(like));
    // SAFETY: `any` is a valid SOCKADDR of `any_len` bytes.
    if unsafe { bind(s, net::sa_ptr(&any), any_len) } == SOCKET_ERROR {
        return Err(net::wsa_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::packet_follows_failure;

    #[test]
    fn packets_follow_failures_by_severity() {
        // Still STATUS_PENDING: the kernel never took the request.
        assert!(!packet_follows_failure(0x103));
        // Success and informational: completed, packet queued.
        assert!(packet_follows_failure(0));
        assert!(packet_follows_failure(0x4000_0000));
        assert!(packet_follows_failure(0x4000_000c_u32 as i32));
        // Warning: STATUS_BUFFER_OVERFLOW (ERROR_MORE_DATA, WSAEMSGSIZE) and the rest.
        assert!(packet_follows_failure(0x8000_0005_u32 as i32));
        assert!(packet_follows_failure(0xbfff_ffff_u32 as i32));
        // Error: STATUS_INVALID_HANDLE, STATUS_CANCELLED and the whole class.
        assert!(!packet_follows_failure(0xc000_0008_u32 as i32));
        assert!(!packet_follows_failure(0xc000_0120_u32 as i32));
        assert!(!packet_follows_failure(-1));
    }
}
