//! The operations the driver can own: one struct per kind, each holding every piece of
//! memory its SQE points at.

use core::marker::PhantomData;
use std::ffi::CString;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::time::Duration;

use uring_sys as sys;

use super::buf::{IoBuf, IoBufMut};
use super::slab::Key;
use crate::cqueue::CqeFlags;
use crate::opcode;
use crate::squeue::Sqe;
use crate::types::{self, Fd, RawTarget, TimeoutFlags, Timespec};

/// What a completion said: `res` and `flags` of one CQE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completion {
    /// `cqe->res`: a result `>= 0` or a negated errno.
    pub res: i32,
    /// `cqe->flags`.
    pub flags: CqeFlags,
    /// A word for the operation's own use: [`Operation::observe`] may record something here
    /// at reap time (e.g. where in a provided buffer the data starts) for `complete`/`item`.
    pub aux: u32,
}

impl Completion {
    /// `res` as a result: `Ok(res)` when `res >= 0`, else the errno as an [`io::Error`].
    #[inline]
    pub fn result(&self) -> io::Result<u32> {
        if self.res >= 0 {
            Ok(self.res as u32)
        } else {
            Err(io::Error::from_raw_os_error(self.res.wrapping_neg()))
        }
    }

    /// The provided buffer id, when `IORING_CQE_F_BUFFER` is set.
    #[inline]
    pub fn buffer_id(&self) -> Option<u16> {
        if self.flags.contains(CqeFlags::BUFFER) {
            Some((self.flags.bits() >> sys::IORING_CQE_BUFFER_SHIFT) as u16)
        } else {
            None
        }
    }
}

/// An operation whose memory the driver owns from submission to its final completion.
///
/// The driver moves the value into its slot (whose address never changes), calls
/// [`Operation::sqe`] once, pushes the SQE, and calls [`Operation::complete`] with the final
/// CQE — or, when the handle was detached, calls it anyway and drops the output, so an fd
/// produced by a cancelled `accept` is closed, never leaked.
///
/// # Safety
///
/// Every pointer in the SQE `sqe` returns must point into memory that `self` owns (a heap
/// block, or `self` itself — it does not move while in flight) or that is `'static`, valid for
/// the accesses the opcode makes, and not accessed by anything else until `complete` or drop.
/// The SQE's `user_data` is overwritten by the driver. The SQE must not make the kernel post a
/// completion under another `user_data` with bit 63 set ([`super::TAG`]: `MSG_RING` data, a
/// poll update's new `user_data`): the driver would take it for the completion of the
/// operation that `user_data` names (see the soundness contract in [`super`]).
///
/// An SQE with `IOSQE_BUFFER_SELECT` must name a provided-buffer group the operation itself
/// accounts for: naming the group of one of the driver's [`BufRing`](super::pbuf::BufRing)s is not
/// a memory hazard (the ring's memory outlives every request), but the buffer the kernel picks
/// is then handed to no one and the ring never gets it back.
pub unsafe trait Operation: Sized + 'static {
    /// What the completion hands back (typically the result and the buffers).
    type Output;
    /// Builds the SQE; `self` is at its final address.
    fn sqe(&mut self) -> Sqe;
    /// Turns the final completion into the output, handing back owned memory.
    ///
    /// Only the driver calls it. A completion says what the kernel did to the operation's
    /// memory (how many bytes a read wrote, which provided buffer it filled, which new fd it
    /// made), and the output trusts it: a forged one would hand back unwritten bytes as data,
    /// a buffer the kernel still owns, or an fd that belongs to someone else.
    ///
    /// # Safety
    ///
    /// `c` is the final CQE the kernel posted for the SQE [`Operation::sqe`] built from this
    /// very value (after [`Operation::observe`] saw every CQE of it, in ring order, when
    /// [`Operation::OBSERVES`]), and the operation is no longer in flight.
    unsafe fn complete(self, c: Completion) -> Self::Output;
    /// Sees every CQE as it is reaped, in ring order, before it is stored: the result CQE of
    /// `SEND_ZC` before its notification, a provided-buffer id to account for. The default
    /// does nothing.
    ///
    /// # Safety
    ///
    /// `c` is a CQE the kernel posted for the SQE [`Operation::sqe`] built from this very
    /// value, passed once, in ring order.
    #[inline]
    unsafe fn observe(&mut self, c: &mut Completion) {
        let _ = c;
    }
    /// Whether the driver calls [`Operation::observe`] for this type: `true` unless said
    /// otherwise. An implementation that keeps the default (no-op) `observe` may say `false`,
    /// and the reap then skips the call (an indirect call per completion); `observe` is then
    /// never called, and [`Operation::complete`] gets CQEs nothing observed.
    const OBSERVES: bool = true;
    /// The output of this operation when it never reached the kernel (its submission
    /// failed): `error` as the result, with the memory it owns handed back (an owned fd is
    /// closed). Safe: nothing here trusts a completion. What a generic future turns a
    /// [`SubmitError`](super::SubmitError) into ([`SubmitError::into_output`](super::SubmitError::into_output)).
    fn fail(self, error: io::Error) -> Self::Output;
    /// Checks, before anything is pushed, that the operation may run on the driver `ring_id`
    /// (e.g. a fixed-buffer lease belongs to that ring). The default accepts.
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        let _ = ring_id;
        Ok(())
    }
}

/// An operation that posts many completions (`IORING_CQE_F_MORE`) until a final one.
///
/// # Safety
///
/// As for [`Operation`]; the memory stays owned until the final CQE (one without `F_MORE`).
pub unsafe trait MultishotOperation: Sized + 'static {
    /// One completion's value.
    type Item;
    /// Builds the SQE; `self` is at its final address.
    fn sqe(&mut self) -> Sqe;
    /// Turns one completion into an item.
    ///
    /// # Safety
    ///
    /// `c` is a CQE the kernel posted for the SQE [`MultishotOperation::sqe`] built from this
    /// very value, already seen by [`MultishotOperation::observe`], and passed here once, in
    /// ring order (as for [`Operation::complete`]).
    unsafe fn item(&mut self, c: Completion) -> Self::Item;
    /// As [`Operation::observe`]: sees every CQE as it is reaped, in ring order.
    ///
    /// # Safety
    ///
    /// As for [`Operation::observe`].
    #[inline]
    unsafe fn observe(&mut self, c: &mut Completion) {
        let _ = c;
    }
    /// As [`Operation::validate`].
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        let _ = ring_id;
        Ok(())
    }
}

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

/// The file an operation targets: a plain fd, or a registered file slot (from a
/// [`super::fixed::FixedFile`], which remembers its driver: an operation naming another
/// driver's slot is refused at submission).
///
/// A slot, like an fd, is a number: a `Target` is `Copy` and outlives its `FixedFile`, and the
/// memory-free builders of [`NoMem`](super::NoMem) take raw `types::Fixed` numbers (and can
/// install a direct descriptor into any slot). Naming a slot one does not own can make I/O fail
/// or reach another file — never touch memory: a request holds its own reference to the file
/// it resolved.
#[derive(Debug, Clone, Copy)]
pub struct Target(TargetKind);

#[derive(Debug, Clone, Copy)]
enum TargetKind {
    Fd(RawFd),
    Fixed { slot: u32, driver: u64 },
}

impl Target {
    /// A plain descriptor number (`sqe->fd`). Memory-safe whatever the number: a closed or
    /// reused fd makes the I/O fail or go to another file, never touch memory we do not own.
    #[inline]
    pub const fn from_raw_fd(fd: RawFd) -> Target {
        Target(TargetKind::Fd(fd))
    }

    /// Slot `slot` of the file table of driver `driver`.
    #[inline]
    pub(crate) const fn fixed(slot: u32, driver: u64) -> Target {
        Target(TargetKind::Fixed { slot, driver })
    }

    /// Refuses a registered slot of another driver's table: its index names whatever the
    /// driver `ring_id` has there (another file, or nothing).
    #[inline]
    pub(crate) fn check(self, ring_id: u64) -> io::Result<()> {
        match self.0 {
            TargetKind::Fixed { driver, .. } if driver != ring_id => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "this FixedFile belongs to another Driver's file table: its slot number names \
                 another file (or none) on this ring; install the file in this driver's table",
            )),
            _ => Ok(()),
        }
    }
}

/// The builders take a driver `Target` as they take [`types::Fd`] or [`types::Fixed`]: a slot
/// the driver names is one the caller owns.
impl types::sealed::Sealed for Target {
    #[inline]
    fn raw_target(self) -> RawTarget {
        match self.0 {
            TargetKind::Fd(fd) => types::sealed::Sealed::raw_target(Fd(fd)),
            TargetKind::Fixed { slot, .. } => types::sealed::Sealed::raw_target(types::Fixed(slot)),
        }
    }
}

impl types::Target for Target {}

impl From<BorrowedFd<'_>> for Target {
    fn from(fd: BorrowedFd<'_>) -> Self {
        Target::from_raw_fd(fd.as_raw_fd())
    }
}

impl<T: AsRawFd> From<&T> for Target {
    fn from(fd: &T) -> Self {
        Target::from_raw_fd(fd.as_raw_fd())
    }
}

// A plain fd number is memory-safe to pass to the kernel: the worst a closed or reused fd can
// do is an error or I/O on the wrong file, never a write into memory we do not own.

/// `IORING_OP_NOP`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Nop;

// SAFETY: a NOP carries no pointer.
unsafe impl Operation for Nop {
    type Output = io::Result<u32>;
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> io::Result<u32> {
        Err(error)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        opcode::Nop::new().build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> io::Result<u32> {
        c.result()
    }
}

/// `IORING_OP_READ` — `pread(2)` into an owned buffer (its whole `bytes_total()`).
#[derive(Debug)]
pub struct Read<B> {
    target: Target,
    offset: u64,
    buf: B,
}

impl<B> Read<B> {
    /// The buffer back, e.g. from a [`SubmitError`](super::SubmitError) (the operation was
    /// never submitted, so the kernel never saw it).
    pub fn into_buf(self) -> B {
        self.buf
    }
}

impl<B: IoBufMut> Read<B> {
    /// Reads into `buf` from `offset` (`u64::MAX`: the file position).
    pub fn new(target: impl Into<Target>, buf: B, offset: u64) -> Self {
        Read {
            target: target.into(),
            offset,
            buf,
        }
    }
}

// SAFETY: the only pointer is `buf`'s, owned by `self` (IoBufMut: stable, writable for
// `bytes_total()` bytes).
unsafe impl<B: IoBufMut> Operation for Read<B> {
    type Output = (io::Result<u32>, B);
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> (io::Result<u32>, B) {
        (Err(error), self.buf)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        let len = clamp_len(self.buf.bytes_total());
        opcode::Read::new(self.target, self.buf.stable_mut_ptr(), len)
            .offset(self.offset)
            .build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> Self::Output {
        // SAFETY: `c` is the final CQE of the read `sqe` set up into `buf`'s `bytes_total()`.
        unsafe { read_output(c, self.buf) }
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        self.target.check(ring_id)
    }
}

/// `IORING_OP_WRITE` — `pwrite(2)` of an owned buffer's initialized bytes.
#[derive(Debug)]
pub struct Write<B> {
    target: Target,
    offset: u64,
    buf: B,
}

impl<B> Write<B> {
    /// The buffer back, e.g. from a [`SubmitError`](super::SubmitError) (the operation was
    /// never submitted, so the kernel never saw it).
    pub fn into_buf(self) -> B {
        self.buf
    }
}

impl<B: IoBuf> Write<B> {
    /// Writes `buf`'s initialized bytes at `offset` (`u64::MAX`: the file position).
    pub fn new(target: impl Into<Target>, buf: B, offset: u64) -> Self {
        Write {
            target: target.into(),
            offset,
            buf,
        }
    }
}

// SAFETY: the only pointer is `buf`'s, owned by `self`, `bytes_init()` readable bytes.
unsafe impl<B: IoBuf> Operation for Write<B> {
    type Output = (io::Result<u32>, B);
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> (io::Result<u32>, B) {
        (Err(error), self.buf)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        let len = clamp_len(self.buf.bytes_init());
        opcode::Write::new(self.target, self.buf.stable_ptr(), len)
            .offset(self.offset)
            .build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> Self::Output {
        (within(c.result(), self.buf.bytes_init()), self.buf)
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        self.target.check(ring_id)
    }
}

/// `IORING_OP_RECV` — `recv(2)` into an owned buffer.
#[derive(Debug)]
pub struct Recv<B> {
    target: Target,
    flags: i32,
    buf: B,
}

impl<B> Recv<B> {
    /// The buffer back, e.g. from a [`SubmitError`](super::SubmitError) (the operation was
    /// never submitted, so the kernel never saw it).
    pub fn into_buf(self) -> B {
        self.buf
    }
}

impl<B: IoBufMut> Recv<B> {
    /// Receives into `buf` with `MSG_*` `flags`.
    pub fn new(target: impl Into<Target>, buf: B, flags: i32) -> Self {
        Recv {
            target: target.into(),
            flags,
            buf,
        }
    }
}

// SAFETY: the only pointer is `buf`'s, owned by `self`.
unsafe impl<B: IoBufMut> Operation for Recv<B> {
    type Output = (io::Result<u32>, B);
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> (io::Result<u32>, B) {
        (Err(error), self.buf)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        let len = clamp_len(self.buf.bytes_total());
        opcode::Recv::new(self.target, self.buf.stable_mut_ptr(), len)
            .flags(self.flags as u32)
            .build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> Self::Output {
        // SAFETY: `c` is the final CQE of the read `sqe` set up into `buf`'s `bytes_total()`.
        unsafe { read_output(c, self.buf) }
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        check_recv_flags(self.flags)?;
        self.target.check(ring_id)
    }
}

/// `IORING_OP_SEND` — `send(2)` of an owned buffer.
///
/// Any [`IoBuf`]: a `Vec<u8>`, a [`Slice`](super::Slice), or a provided buffer just received
/// ([`pbuf::BufRef`](super::pbuf::BufRef): echoed without a copy, back to its ring after the
/// send). A registered buffer goes through [`SendZc::fixed`]: plain `IORING_OP_SEND` takes no
/// `IORING_RECVSEND_FIXED_BUF` (Linux 6.18 answers `EINVAL`), nor does `RECV` (receive into a
/// registered buffer with [`ReadFixed`](super::fixed::ReadFixed) on the socket).
#[derive(Debug)]
pub struct Send<B> {
    target: Target,
    flags: i32,
    buf: B,
}

impl<B> Send<B> {
    /// The buffer back, e.g. from a [`SubmitError`](super::SubmitError) (the operation was
    /// never submitted, so the kernel never saw it).
    pub fn into_buf(self) -> B {
        self.buf
    }
}

impl<B: IoBuf> Send<B> {
    /// Sends `buf`'s initialized bytes with `MSG_*` `flags`.
    pub fn new(target: impl Into<Target>, buf: B, flags: i32) -> Self {
        Send {
            target: target.into(),
            flags,
            buf,
        }
    }
}

// SAFETY: the only pointer is `buf`'s, owned by `self`.
unsafe impl<B: IoBuf> Operation for Send<B> {
    type Output = (io::Result<u32>, B);
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> (io::Result<u32>, B) {
        (Err(error), self.buf)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        let len = clamp_len(self.buf.bytes_init());
        opcode::Send::new(self.target, self.buf.stable_ptr(), len)
            .flags(self.flags as u32)
            .build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> Self::Output {
        (within(c.result(), self.buf.bytes_init()), self.buf)
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        check_send_flags(self.flags)?;
        self.target.check(ring_id)
    }
}

/// `IORING_OP_SEND_ZC` — zero-copy `send(2)`.
///
/// The kernel posts two CQEs: the result (with `F_MORE`) and, once the network stack no longer
/// references the pages, a notification (`F_NOTIF`). The driver keeps the buffer until the
/// notification: the output (result, buffer) is ready only then.
#[derive(Debug)]
pub struct SendZc<B> {
    target: Target,
    flags: i32,
    buf: B,
    result: ZcResult,
    /// (buffer index, ring id of the lease) for a fixed-buffer send.
    fixed_index: Option<(u16, u64)>,
}

impl<B> SendZc<B> {
    /// The buffer back, e.g. from a [`SubmitError`](super::SubmitError) (the operation was
    /// never submitted, so the kernel never saw it).
    pub fn into_buf(self) -> B {
        self.buf
    }
}

impl<B: IoBuf> SendZc<B> {
    /// Sends `buf`'s initialized bytes with `MSG_*` `flags`, zero-copy.
    pub fn new(target: impl Into<Target>, buf: B, flags: i32) -> Self {
        SendZc {
            target: target.into(),
            flags,
            buf,
            result: ZcResult::default(),
            fixed_index: None,
        }
    }
}

impl SendZc<super::fixed::FixedBuf> {
    /// Sends from a registered buffer (`IORING_RECVSEND_FIXED_BUF`); the driver checks the
    /// lease belongs to its ring.
    pub fn fixed(target: impl Into<Target>, buf: super::fixed::FixedBuf, flags: i32) -> Self {
        let fixed = (buf.index(), buf.ring_id());
        SendZc {
            target: target.into(),
            flags,
            buf,
            result: ZcResult::default(),
            fixed_index: Some(fixed),
        }
    }
}

// SAFETY: the only pointer is `buf`'s, owned by `self` until the final (notification) CQE.
unsafe impl<B: IoBuf> Operation for SendZc<B> {
    type Output = (io::Result<u32>, B);
    fn fail(self, error: io::Error) -> (io::Result<u32>, B) {
        (Err(error), self.buf)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        let len = clamp_len(self.buf.bytes_init());
        opcode::SendZc::new(self.target, self.buf.stable_ptr(), len)
            .flags(self.flags as u32)
            .buf_index(self.fixed_index.map(|(i, _)| i))
            .build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> Self::Output {
        (self.result.result(c), self.buf)
    }
    #[inline]
    unsafe fn observe(&mut self, c: &mut Completion) {
        self.result.observe(c);
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        check_send_flags(self.flags)?;
        self.target.check(ring_id)?;
        match self.fixed_index {
            Some((_, lease_ring)) => super::fixed::check_ring(lease_ring, ring_id),
            None => Ok(()),
        }
    }
}

/// `IORING_OP_ACCEPT` — `accept4(2)`; the output owns the new socket.
#[derive(Debug)]
pub struct Accept {
    target: Target,
    flags: i32,
}

impl Accept {
    /// Accepts on a listening socket with `SOCK_*` `flags` (`SOCK_CLOEXEC` is always added).
    pub fn new(target: impl Into<Target>, flags: i32) -> Self {
        Accept {
            target: target.into(),
            flags: flags | libc::SOCK_CLOEXEC,
        }
    }
}

// SAFETY: no address is requested (addr and addr2 are 0).
unsafe impl Operation for Accept {
    type Output = io::Result<OwnedFd>;
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> io::Result<OwnedFd> {
        Err(error)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        opcode::Accept::new(self.target, core::ptr::null_mut(), core::ptr::null_mut())
            .flags(self.flags)
            .build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> Self::Output {
        // SAFETY: a successful accept returns a new descriptor that nothing else owns.
        unsafe { new_fd(c) }
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        self.target.check(ring_id)
    }
}

/// `IORING_OP_OPENAT` — `openat(2)`; the path is owned until completion and the output owns
/// the new file.
#[derive(Debug)]
pub struct OpenAt {
    dirfd: RawFd,
    path: CString,
    flags: i32,
    mode: u32,
}

impl OpenAt {
    /// Opens `path` relative to `dirfd` (`libc::AT_FDCWD` for the cwd) with `O_*` `flags`
    /// (`O_CLOEXEC` is always added) and `mode`.
    pub fn new(dirfd: RawFd, path: CString, flags: i32, mode: u32) -> Self {
        OpenAt {
            dirfd,
            path,
            flags: flags | libc::O_CLOEXEC,
            mode,
        }
    }
}

// SAFETY: the only pointer is the path's heap block, owned by `self` (a CString's bytes do not
// move with it) and NUL-terminated.
unsafe impl Operation for OpenAt {
    type Output = io::Result<OwnedFd>;
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> io::Result<OwnedFd> {
        Err(error)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        opcode::OpenAt::new(Fd(self.dirfd), self.path.as_ptr())
            .flags(self.flags)
            .mode(self.mode)
            .build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> Self::Output {
        // SAFETY: a successful openat returns a new descriptor that nothing else owns.
        unsafe { new_fd(c) }
    }
}

/// `IORING_OP_CLOSE` — `close(2)` of an owned descriptor.
///
/// The descriptor is closed in every case, never leaked and never closed twice:
/// - the kernel closed it: `Ok(())`, or the error `close(2)` reported (the fd is gone either
///   way, as with `close(2)`);
/// - the request never ran (`ECANCELED`: a failed link ahead of it, or a cancel): the driver
///   closes it with `close(2)` and returns `ECANCELED`;
/// - the kernel refused it (`EBADF` for an io_uring fd, which `IORING_OP_CLOSE` cannot close):
///   the driver closes it with `close(2)` and returns `EBADF`.
///
/// Linux 5.6+. On an older kernel the opcode fails with `EINVAL` and the fd stays open (the
/// error says so): the kernel's `EINVAL` cannot be told from a file's `flush` failing after
/// the fd was removed, so closing the number again could close someone else's file.
///
/// One case is left to chance: a file whose `flush` fails with `ECANCELED` or `EBADF` after
/// the kernel removed the fd (only a hostile FUSE server answers that), *and* another thread
/// opening a file (for `EBADF`: an io_uring instance) that gets the same number before the
/// completion is reaped. The driver then closes that file.
#[derive(Debug)]
pub struct Close {
    fd: Option<OwnedFd>,
}

impl Close {
    /// Closes `fd` (consumed: nothing else can use the number any more).
    pub fn new(fd: OwnedFd) -> Self {
        Close { fd: Some(fd) }
    }
}

/// Whether `fd` is an io_uring instance: `io_uring_register(2)` fails with `EOPNOTSUPP` for
/// any other file before it looks at its arguments; for a ring, `IORING_REGISTER_PROBE` with
/// no buffer fails with `EINVAL` (or `EACCES`/`ENXIO`) and changes nothing.
fn is_io_uring(fd: BorrowedFd<'_>) -> bool {
    // SAFETY: a null `arg` with `nr_args` 0: the kernel reads and writes no memory of ours.
    let r = unsafe {
        sys::io_uring_register(
            fd.as_raw_fd(),
            sys::IORING_REGISTER_PROBE,
            core::ptr::null(),
            0,
        )
    };
    let errno = io::Error::last_os_error().raw_os_error();
    r >= 0 || !matches!(errno, Some(libc::EOPNOTSUPP | libc::EBADF))
}

// SAFETY: no pointer.
unsafe impl Operation for Close {
    type Output = io::Result<()>;
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> io::Result<()> {
        // Never ran: the fd is still ours; close it as a completed close would.
        drop(self.fd);
        Err(error)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        let fd = self.fd.as_ref().map_or(-1, |f| f.as_raw_fd());
        opcode::Close::new(Fd(fd)).build()
    }
    #[inline]
    unsafe fn complete(mut self, c: Completion) -> Self::Output {
        let Some(fd) = self.fd.take() else {
            return c.result().map(drop);
        };
        // A number that is no longer open was taken by the kernel (whatever the error says: a
        // file's `flush` may fail with any errno after the fd was removed).
        let still_open = || rustix::io::fcntl_getfd(&fd).is_ok();
        let not_taken = match c.res {
            // The request never ran: the number is still ours.
            r if r == -libc::ECANCELED => still_open(),
            // Before removing the fd the kernel refuses only an fd that is not open (ours is)
            // or an io_uring fd; a `flush` failing after removal leaves a number we no longer
            // own, which is no io_uring fd (unless another thread made a ring at that number
            // since: see the type's docs).
            r if r == -libc::EBADF => still_open() && is_io_uring(fd.as_fd()),
            r if r == -libc::EINVAL => {
                let _ = fd.into_raw_fd();
                return Err(crate::error::with_message(
                    libc::EINVAL,
                    "IORING_OP_CLOSE failed with EINVAL: on a kernel without it (Linux 5.6+) \
                     the fd is still open and no longer owned by anything (leaked); otherwise \
                     the file's flush failed and the fd is closed",
                ));
            }
            _ => false,
        };
        if not_taken {
            let what = if c.res == -libc::ECANCELED {
                "IORING_OP_CLOSE was cancelled before it ran (a failed link ahead of it, or a \
                 cancel)"
            } else {
                "IORING_OP_CLOSE refused this fd (EBADF: an io_uring fd cannot be closed this \
                 way)"
            };
            // `close(2)` now, reporting its own failure if it has one.
            let raw = fd.into_raw_fd();
            // SAFETY: `raw` came from our `OwnedFd`, which the kernel did not take: we own it
            // and close it exactly once.
            let closed = unsafe { libc::close(raw) };
            let tail = if closed == 0 {
                "; the fd was closed with close(2) instead".to_string()
            } else {
                format!(
                    "; close(2) of the fd then failed too: {}",
                    io::Error::last_os_error()
                )
            };
            return Err(crate::error::with_message(-c.res, format!("{what}{tail}")));
        }
        // The kernel took the number (closed it, or removed it and reported `flush`'s error):
        // never close it a second time.
        let _ = fd.into_raw_fd();
        c.result().map(drop)
    }
}

/// `IORING_OP_TIMEOUT` — a timer; completes with `ETIME` when it fires, or after `count`
/// other completions. The `timespec` lives in the slot until the final CQE.
#[derive(Debug)]
pub struct Timeout {
    ts: Timespec,
    count: u32,
    flags: u32,
}

impl Timeout {
    /// A relative timeout of `d`.
    pub fn new(d: Duration) -> Self {
        Timeout {
            ts: timespec(d),
            count: 0,
            flags: 0,
        }
    }
    /// Also completes after `count` other completions.
    pub fn count(mut self, count: u32) -> Self {
        self.count = count;
        self
    }
}

/// `d` as a `timespec`, the seconds clamped to what the kernel's signed field holds.
pub(crate) fn timespec(d: Duration) -> Timespec {
    Timespec::new()
        .sec(d.as_secs().min(i64::MAX as u64))
        .nsec(d.subsec_nanos())
}

// SAFETY: the only pointer is `self.ts`, inside `self`, which does not move while in flight.
unsafe impl Operation for Timeout {
    type Output = io::Result<()>;
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> io::Result<()> {
        Err(error)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        opcode::Timeout::new(&raw const self.ts)
            .count(self.count)
            .flags(TimeoutFlags::from_bits_retain(self.flags))
            .build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> Self::Output {
        timer_result(c)
    }
}

/// `IORING_OP_LINK_TIMEOUT` behind another operation (see
/// [`super::Driver::submit_with_timeout`]); its `timespec` lives in its own slot.
#[derive(Debug)]
pub(crate) struct LinkTimeout {
    ts: Timespec,
}

impl LinkTimeout {
    pub(crate) fn new(d: Duration) -> Self {
        LinkTimeout { ts: timespec(d) }
    }
}

// SAFETY: the only pointer is `self.ts`, inside `self`, which does not move while in flight.
unsafe impl Operation for LinkTimeout {
    type Output = ();
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) {
        let _ = error;
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        opcode::LinkTimeout::new(&raw const self.ts).build()
    }
    #[inline]
    unsafe fn complete(self, _: Completion) {}
}

/// A handle to one submitted operation; redeem it with [`super::Driver::take`].
///
/// It is only a name (slot key, driver id): dropping or forgetting it never frees or reuses
/// memory the kernel may touch — the slot keeps the operation's memory until its final
/// completion and until the driver drops (see the design note in [`super`]).
#[must_use = "an operation's output (and its buffer) is only handed back through `Driver::take`"]
pub struct Op<T> {
    pub(crate) key: Key,
    pub(crate) driver: u64,
    pub(crate) _t: PhantomData<fn() -> T>,
}

impl<T> Op<T> {
    /// The slot key, for mapping completions reported by [`super::Driver::reap`] to waiters.
    #[inline]
    pub fn key(&self) -> Key {
        self.key
    }
}

impl<T> core::fmt::Debug for Op<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Op")
            .field("key", &self.key)
            .field("driver", &self.driver)
            .finish()
    }
}

/// A handle to a multishot operation: [`super::Driver::next`] yields its items.
#[must_use = "a multishot operation's items are only handed out through `Driver::next`"]
pub struct Multishot<T> {
    pub(crate) key: Key,
    pub(crate) driver: u64,
    pub(crate) _t: PhantomData<fn() -> T>,
}

impl<T> Multishot<T> {
    /// The slot key.
    #[inline]
    pub fn key(&self) -> Key {
        self.key
    }
}

impl<T> core::fmt::Debug for Multishot<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Multishot")
            .field("key", &self.key)
            .field("driver", &self.driver)
            .finish()
    }
}
