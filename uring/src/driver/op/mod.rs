//! The operations the driver can own: one struct per kind, each holding every piece of
//! memory its SQE points at.

mod file;
mod fs;
mod misc;
mod net;
mod operation;
mod rw;
mod timeout;

pub use file::OpFile;
pub use fs::{Close, OpenAt, OpenAt2, Statx};
pub use misc::Nop;
pub use net::{Accept, Connect, Recv, Send, SendMsg, SendZc};
pub use operation::{Completion, Multishot, MultishotOperation, Op, Operation};
pub use rw::{Read, Readv, Write, Writev};
pub(crate) use timeout::LinkTimeout;
pub use timeout::Timeout;

use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use crate::cqueue::CqeFlags;
use crate::driver::buf::IoBufMut;

// Every SQE is built by the `opcode` builder of its op, the one place each encoding lives.

/// A buffer length as the SQE's `u32` (longer buffers are used up to `u32::MAX` bytes).
#[inline]
pub(crate) fn clamp_len(n: usize) -> u32 {
    n.min(u32::MAX as usize) as u32
}

/// The output of a read or receive into `buf`: the result, and `buf` with the bytes the kernel
/// reported marked initialized.
///
/// # Safety
/// `c` is the final completion of a read the kernel made into `buf`'s first `bytes_total()`
/// bytes (at `stable_mut_ptr()`).
#[inline]
unsafe fn read_output<B: IoBufMut>(c: Completion, mut buf: B) -> (io::Result<u32>, B) {
    let r = within(c.result(), buf.bytes_total());
    if let Ok(n) = r {
        // SAFETY: the kernel wrote `n` bytes from the start of the buffer (the caller's
        // promise), and `n` is at most `bytes_total()` (checked by `within`).
        unsafe { buf.set_init(n as usize) };
    }
    (r, buf)
}

/// `r`, unless it claims more than the `len` bytes the request was given: a correct kernel
/// never does, so that is corrupt ring memory or a kernel bug, and it becomes an `EUCLEAN`
/// error instead of a length the caller would index its buffer with.
#[inline]
pub(crate) fn within(r: io::Result<u32>, len: usize) -> io::Result<u32> {
    match r {
        Ok(n) if n as usize > len.min(u32::MAX as usize) => Err(crate::error::with_message(
            libc::EUCLEAN,
            format!(
                "the completion claims {n} bytes for a {len}-byte buffer, which no kernel \
                 posts: the ring's memory is corrupt (the buffer is returned as it was)"
            ),
        )),
        r => r,
    }
}

/// The `MSG_*` flags a receive into driver-owned memory accepts: with each, the bytes the
/// kernel reports are bytes it copied into the buffer.
const RECV_FLAGS: i32 = libc::MSG_PEEK
    | libc::MSG_WAITALL
    | libc::MSG_DONTWAIT
    | libc::MSG_OOB
    | libc::MSG_CMSG_CLOEXEC;

/// The `MSG_*` flags a send of driver-owned memory accepts: with each, the kernel is done
/// with the bytes when it posts the completion.
const SEND_FLAGS: i32 = libc::MSG_CONFIRM
    | libc::MSG_DONTROUTE
    | libc::MSG_DONTWAIT
    | libc::MSG_EOR
    | libc::MSG_MORE
    | libc::MSG_NOSIGNAL
    | libc::MSG_OOB
    | libc::MSG_WAITALL;

/// Refuses receive flags outside [`RECV_FLAGS`]. `MSG_TRUNC` in particular: on a stream
/// socket the kernel discards the data and still reports its length, so the driver would
/// hand back bytes nobody wrote as received data.
pub(crate) fn check_recv_flags(flags: i32) -> io::Result<()> {
    let bad = flags & !RECV_FLAGS;
    if bad == 0 {
        return Ok(());
    }
    let why = if bad & libc::MSG_TRUNC != 0 {
        "MSG_TRUNC makes the kernel report bytes it did not copy (a stream socket discards \
         them), which would come back as data"
    } else {
        "only MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT, MSG_OOB and MSG_CMSG_CLOEXEC are accepted \
         for a receive into an owned buffer"
    };
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("receive flags {bad:#x} refused: {why}"),
    ))
}

/// Refuses send flags outside [`SEND_FLAGS`]. `MSG_ZEROCOPY` in particular: on a socket with
/// `SO_ZEROCOPY` the kernel keeps reading the pages after the completion (its notification
/// goes to the socket's error queue, which the driver does not read), so it would send memory
/// the driver already handed back; [`SendZc`] is the zero-copy send.
pub(crate) fn check_send_flags(flags: i32) -> io::Result<()> {
    let bad = flags & !SEND_FLAGS;
    if bad == 0 {
        return Ok(());
    }
    let why = if bad & libc::MSG_ZEROCOPY != 0 {
        "MSG_ZEROCOPY lets the kernel read the buffer after the completion; use SendZc (or \
         SendMsg::zero_copy), whose buffer comes back only with the notification"
    } else {
        "only MSG_CONFIRM, MSG_DONTROUTE, MSG_DONTWAIT, MSG_EOR, MSG_MORE, MSG_NOSIGNAL, \
         MSG_OOB and MSG_WAITALL are accepted for a send of an owned buffer"
    };
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("send flags {bad:#x} refused: {why}"),
    ))
}

/// The new descriptor a successful completion carries (`accept`, `openat`, `openat2`).
///
/// # Safety
/// `c` is the completion of an operation whose successful result is a new descriptor that
/// nothing else owns.
#[inline]
pub(crate) unsafe fn new_fd(c: Completion) -> io::Result<OwnedFd> {
    let fd = c.result()?;
    // SAFETY: the caller's promise: `fd` is new and ours alone.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// A timer's result: `ETIME` means it fired, which is success.
pub(crate) fn timer_result(c: Completion) -> io::Result<()> {
    match c.result() {
        Err(e) if e.raw_os_error() == Some(libc::ETIME) => Ok(()),
        r => r.map(drop),
    }
}

/// The result of a zero-copy send. The kernel posts the result CQE (with `F_MORE`) and then a
/// notification (`F_NOTIF`) once it no longer uses the pages: the send's result is the first
/// CQE that is not a notification; the buffers come back with the final CQE.
#[derive(Debug, Default)]
pub(crate) struct ZcResult(Option<i32>);

impl ZcResult {
    /// Sees each CQE at reap time (`Operation::observe`).
    #[inline]
    pub(crate) fn observe(&mut self, c: &Completion) {
        if !c.flags.contains(CqeFlags::NOTIF) && self.0.is_none() {
            self.0 = Some(c.res);
        }
    }

    /// The send's result, given the final CQE `c` (the notification when the first said
    /// `F_MORE`, else the result itself).
    #[inline]
    pub(crate) fn result(&self, c: Completion) -> io::Result<u32> {
        let res = self.0.unwrap_or(c.res);
        Completion { res, ..c }.result()
    }
}

#[inline]
pub(crate) fn check_ring(lease_ring: u64, ring_id: u64) -> io::Result<()> {
    if lease_ring == ring_id {
        Ok(())
    } else {
        Err(foreign_lease())
    }
}

#[cold]
fn foreign_lease() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "this fixed-buffer lease belongs to another Driver's pool: its index means nothing (or \
         another buffer) on this ring; check out a lease from this driver's pool",
    )
}
