//! Operations that hand the kernel arrays and headers: vectored reads/writes (`iovec`s),
//! `sendmsg` (plain and zero-copy) with an optional destination address, and `connect`.
//!
//! These allocate per operation (the `iovec` array, a boxed `msghdr`/`sockaddr_storage`): they
//! are the rarely used, big operations the design note allows to box.

use std::io;
use std::net::SocketAddr;

use super::buf::{IoBuf, IoBufMut};
use super::op::{Completion, Operation, Target, ZcResult, clamp_len};
use crate::opcode;
use crate::squeue::Sqe;

fn iovecs_of<B: IoBuf>(bufs: &[B], init_only: bool) -> Vec<libc::iovec> {
    bufs.iter()
        .map(|b| libc::iovec {
            iov_base: b.stable_ptr().cast_mut().cast(),
            iov_len: if init_only {
                b.bytes_init()
            } else {
                b.bytes_total()
            },
        })
        .collect()
}

/// Spreads `n` filled bytes over `bufs` in order, setting each one's initialized length.
fn spread_init<B: IoBufMut>(bufs: &mut [B], mut n: usize) {
    for b in bufs {
        let take = n.min(b.bytes_total());
        // SAFETY: the kernel filled the iovecs in order, `take` bytes of this one (the first
        // `take` bytes of its `bytes_total()`).
        unsafe { b.set_init(take) };
        n -= take;
        if n == 0 {
            break;
        }
    }
}

/// `IORING_OP_READV` — `preadv2(2)` into owned buffers (each one's whole `bytes_total()`).
#[derive(Debug)]
pub struct Readv<B> {
    target: Target,
    offset: u64,
    bufs: Vec<B>,
    iovecs: Vec<libc::iovec>,
}

impl<B: IoBufMut> Readv<B> {
    /// Reads into `bufs`, in order, from `offset` (`u64::MAX`: the file position).
    pub fn new(target: impl Into<Target>, bufs: Vec<B>, offset: u64) -> Self {
        Readv {
            target: target.into(),
            offset,
            bufs,
            iovecs: Vec::new(),
        }
    }
}

// SAFETY: the iovec array and every buffer it points into are owned by `self`; the array is
// built in `sqe` (its heap block does not move afterwards) from the buffers' stable pointers.
unsafe impl<B: IoBufMut> Operation for Readv<B> {
    type Output = (io::Result<u32>, Vec<B>);
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> (io::Result<u32>, Vec<B>) {
        (Err(error), self.bufs)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        self.iovecs = self
            .bufs
            .iter_mut()
            .map(|b| libc::iovec {
                iov_base: b.stable_mut_ptr().cast(),
                iov_len: b.bytes_total(),
            })
            .collect();
        let len = clamp_len(self.iovecs.len());
        opcode::Readv::new(self.target, self.iovecs.as_ptr(), len)
            .offset(self.offset)
            .build()
    }
    #[inline]
    unsafe fn complete(mut self, c: Completion) -> Self::Output {
        let r = c.result();
        if let Ok(n) = r {
            spread_init(&mut self.bufs, n as usize);
        }
        (r, self.bufs)
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        self.target.check(ring_id)
    }
}

/// `IORING_OP_WRITEV` — `pwritev2(2)` of owned buffers' initialized bytes.
#[derive(Debug)]
pub struct Writev<B> {
    target: Target,
    offset: u64,
    bufs: Vec<B>,
    iovecs: Vec<libc::iovec>,
}

impl<B: IoBuf> Writev<B> {
    /// Writes `bufs`, in order, at `offset` (`u64::MAX`: the file position).
    pub fn new(target: impl Into<Target>, bufs: Vec<B>, offset: u64) -> Self {
        Writev {
            target: target.into(),
            offset,
            bufs,
            iovecs: Vec::new(),
        }
    }
}

// SAFETY: as for `Readv`, for reads of `bytes_init()` bytes.
unsafe impl<B: IoBuf> Operation for Writev<B> {
    type Output = (io::Result<u32>, Vec<B>);
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> (io::Result<u32>, Vec<B>) {
        (Err(error), self.bufs)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        self.iovecs = iovecs_of(&self.bufs, true);
        let len = clamp_len(self.iovecs.len());
        opcode::Writev::new(self.target, self.iovecs.as_ptr(), len)
            .offset(self.offset)
            .build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> Self::Output {
        (c.result(), self.bufs)
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
    target: Target,
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
    pub fn new(target: impl Into<Target>, addr: SocketAddr) -> Self {
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
/// [`super::SendZc`], the buffers come back only with the notification.
pub struct SendMsg<B> {
    target: Target,
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
    pub fn new(target: impl Into<Target>, bufs: Vec<B>, flags: i32) -> Self {
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
        (self.result.result(c), self.bufs)
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        super::op::check_send_flags(self.flags)?;
        self.target.check(ring_id)
    }
}
