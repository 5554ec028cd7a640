//! Socket operations on owned buffers: `recv`, `send`, `send_zc`, `accept`, and those that
//! hand the kernel a header: `sendmsg` (plain and zero-copy) with an optional destination
//! address, and `connect` (these box their `msghdr`/`sockaddr_storage` per operation).

use std::io;
use std::net::SocketAddr;
use std::os::fd::OwnedFd;

use super::rw::{bytes_of, iovecs_of};
use super::{
    Completion, OpFile, Operation, ZcResult, check_recv_flags, check_ring, check_send_flags,
    clamp_len, new_fd, read_output, within,
};
use crate::driver::buf::{IoBuf, IoBufMut};
#[cfg(doc)]
use crate::driver::{Slice, SubmitError};
use crate::opcode;
use crate::squeue::Sqe;

/// `IORING_OP_RECV` — `recv(2)` into an owned buffer.
#[derive(Debug)]
pub struct Recv<B> {
    target: OpFile,
    flags: i32,
    buf: B,
}

impl<B> Recv<B> {
    /// The buffer back, e.g. from a [`SubmitError`] (the operation was
    /// never submitted, so the kernel never saw it).
    pub fn into_buf(self) -> B {
        self.buf
    }
}

impl<B: IoBufMut> Recv<B> {
    /// Receives into `buf` with `MSG_*` `flags`.
    pub fn new(target: impl Into<OpFile>, buf: B, flags: i32) -> Self {
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
/// Any [`IoBuf`]: a `Vec<u8>`, a [`Slice`], or a provided buffer just received
/// ([`pbuf::BufRef`](crate::driver::pbuf::BufRef): echoed without a copy, back to its ring
/// after the send). A registered buffer goes through [`SendZc::fixed`]: plain
/// `IORING_OP_SEND` takes no `IORING_RECVSEND_FIXED_BUF` (Linux 6.18 answers `EINVAL`), nor
/// does `RECV` (receive into a registered buffer with
/// [`ReadFixed`](crate::driver::fixed::ReadFixed) on the socket).
#[derive(Debug)]
pub struct Send<B> {
    target: OpFile,
    flags: i32,
    buf: B,
}

impl<B> Send<B> {
    /// The buffer back, e.g. from a [`SubmitError`] (the operation was
    /// never submitted, so the kernel never saw it).
    pub fn into_buf(self) -> B {
        self.buf
    }
}

impl<B: IoBuf> Send<B> {
    /// Sends `buf`'s initialized bytes with `MSG_*` `flags`.
    pub fn new(target: impl Into<OpFile>, buf: B, flags: i32) -> Self {
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
    pub(in crate::driver) target: OpFile,
    pub(in crate::driver) flags: i32,
    pub(in crate::driver) buf: B,
    pub(in crate::driver) result: ZcResult,
    /// (buffer index, ring id of the lease) for a fixed-buffer send.
    pub(in crate::driver) fixed_index: Option<(u16, u64)>,
}

impl<B> SendZc<B> {
    /// The buffer back, e.g. from a [`SubmitError`] (the operation was
    /// never submitted, so the kernel never saw it).
    pub fn into_buf(self) -> B {
        self.buf
    }
}

impl<B: IoBuf> SendZc<B> {
    /// Sends `buf`'s initialized bytes with `MSG_*` `flags`, zero-copy.
    pub fn new(target: impl Into<OpFile>, buf: B, flags: i32) -> Self {
        SendZc {
            target: target.into(),
            flags,
            buf,
            result: ZcResult::default(),
            fixed_index: None,
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
        // As `Send`: a count above the bytes given is no kernel's.
        let n = self.buf.bytes_init();
        (within(self.result.result(c), n), self.buf)
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
            Some((_, lease_ring)) => check_ring(lease_ring, ring_id),
            None => Ok(()),
        }
    }
}

/// `IORING_OP_ACCEPT` — `accept4(2)`; the output owns the new socket.
#[derive(Debug)]
pub struct Accept {
    target: OpFile,
    flags: i32,
}

impl Accept {
    /// Accepts on a listening socket with `SOCK_*` `flags` (`SOCK_CLOEXEC` is always added).
    pub fn new(target: impl Into<OpFile>, flags: i32) -> Self {
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

/// A socket address in the form the kernel reads (`sockaddr_storage` + length).
struct RawAddr {
    storage: libc::sockaddr_storage,
    len: libc::socklen_t,
}

impl RawAddr {
    fn new(addr: SocketAddr) -> Box<RawAddr> {
        // SAFETY: `sockaddr_storage` is plain data; all-zero is valid.
        let mut storage: libc::sockaddr_storage = unsafe { core::mem::zeroed() };
        let len = match addr {
            SocketAddr::V4(a) => {
                let sin = libc::sockaddr_in {
                    sin_family: libc::AF_INET as libc::sa_family_t,
                    sin_port: a.port().to_be(),
                    sin_addr: libc::in_addr {
                        s_addr: u32::from_ne_bytes(a.ip().octets()),
                    },
                    sin_zero: [0; 8],
                };
                // SAFETY: `sockaddr_in` fits in `sockaddr_storage` (128 bytes, align 8).
                unsafe { (&raw mut storage).cast::<libc::sockaddr_in>().write(sin) };
                size_of::<libc::sockaddr_in>()
            }
            SocketAddr::V6(a) => {
                let sin6 = libc::sockaddr_in6 {
                    sin6_family: libc::AF_INET6 as libc::sa_family_t,
                    sin6_port: a.port().to_be(),
                    sin6_flowinfo: a.flowinfo(),
                    sin6_addr: libc::in6_addr {
                        s6_addr: a.ip().octets(),
                    },
                    sin6_scope_id: a.scope_id(),
                };
                // SAFETY: `sockaddr_in6` fits in `sockaddr_storage`.
                unsafe { (&raw mut storage).cast::<libc::sockaddr_in6>().write(sin6) };
                size_of::<libc::sockaddr_in6>()
            }
        };
        Box::new(RawAddr {
            storage,
            len: len as libc::socklen_t,
        })
    }
}

/// `IORING_OP_CONNECT` — `connect(2)`; the address is owned until completion.
pub struct Connect {
    target: OpFile,
    addr: Box<RawAddr>,
}

impl std::fmt::Debug for Connect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connect")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl Connect {
    /// Connects the socket `target` to `addr`.
    pub fn new(target: impl Into<OpFile>, addr: SocketAddr) -> Self {
        Connect {
            target: target.into(),
            addr: RawAddr::new(addr),
        }
    }
}

// SAFETY: the only pointer is the boxed address, owned by `self`.
unsafe impl Operation for Connect {
    type Output = io::Result<()>;
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> io::Result<()> {
        Err(error)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        let addr = (&raw const self.addr.storage).cast::<libc::sockaddr>();
        opcode::Connect::new(self.target, addr, self.addr.len).build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> io::Result<()> {
        c.result().map(drop)
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        self.target.check(ring_id)
    }
}

/// `IORING_OP_SENDMSG` / `IORING_OP_SENDMSG_ZC` — `sendmsg(2)` of owned buffers, optionally to
/// a destination address (unconnected datagram sockets).
///
/// Zero-copy ([`SendMsg::zero_copy`]) posts a result CQE then a notification; as for
/// [`SendZc`], the buffers come back only with the notification.
pub struct SendMsg<B> {
    target: OpFile,
    bufs: Vec<B>,
    iovecs: Vec<libc::iovec>,
    addr: Option<Box<RawAddr>>,
    msghdr: Box<libc::msghdr>,
    flags: i32,
    zc: bool,
    result: ZcResult,
}

impl<B> std::fmt::Debug for SendMsg<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendMsg")
            .field("target", &self.target)
            .field("bufs", &self.bufs.len())
            .field("zc", &self.zc)
            .finish_non_exhaustive()
    }
}

impl<B: IoBuf> SendMsg<B> {
    /// Sends `bufs` (gathered in order) with `MSG_*` `flags`.
    pub fn new(target: impl Into<OpFile>, bufs: Vec<B>, flags: i32) -> Self {
        SendMsg {
            target: target.into(),
            bufs,
            iovecs: Vec::new(),
            addr: None,
            // SAFETY: msghdr is plain data; all-zero is valid (no name, no control).
            msghdr: Box::new(unsafe { core::mem::zeroed() }),
            flags,
            zc: false,
            result: ZcResult::default(),
        }
    }
    /// Sends to `addr` (`msg_name`).
    pub fn to(mut self, addr: SocketAddr) -> Self {
        self.addr = Some(RawAddr::new(addr));
        self
    }
    /// Uses `IORING_OP_SENDMSG_ZC` (Linux 6.1+).
    pub fn zero_copy(mut self) -> Self {
        self.zc = true;
        self
    }
}

// SAFETY: the msghdr (boxed), the iovec array (built in `sqe`, heap block stable), the address
// (boxed) and the buffers are all owned by `self` until the final CQE (for ZC: the
// notification).
unsafe impl<B: IoBuf> Operation for SendMsg<B> {
    type Output = (io::Result<u32>, Vec<B>);
    fn fail(self, error: io::Error) -> (io::Result<u32>, Vec<B>) {
        (Err(error), self.bufs)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        self.iovecs = iovecs_of(&self.bufs, true);
        let m = &mut *self.msghdr;
        m.msg_iov = self.iovecs.as_mut_ptr();
        m.msg_iovlen = self.iovecs.len() as _;
        if let Some(a) = &mut self.addr {
            m.msg_name = (&raw mut a.storage).cast();
            m.msg_namelen = a.len;
        }
        let msg = &raw const *self.msghdr;
        let flags = self.flags as u32;
        if self.zc {
            opcode::SendMsgZc::new(self.target, msg)
                .flags(flags)
                .build()
        } else {
            opcode::SendMsg::new(self.target, msg).flags(flags).build()
        }
    }
    #[inline]
    unsafe fn observe(&mut self, c: &mut Completion) {
        self.result.observe(c);
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> Self::Output {
        // As `Send`: a count above the bytes given is no kernel's.
        let n = bytes_of(&self.bufs, false);
        (within(self.result.result(c), n), self.bufs)
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        check_send_flags(self.flags)?;
        self.target.check(ring_id)
    }
}
