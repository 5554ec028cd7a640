//! Multishot operations without provided buffers: accept, poll, timeout — and `recvmsg`
//! with `io_uring_recvmsg_out` parsing (which uses a provided buffer ring).
//!
//! Each is submitted with [`super::Driver::submit_multishot`]; [`super::Driver::next`] yields
//! one item per CQE until the one without `IORING_CQE_F_MORE`; the operation (and what it
//! owns) is released exactly once, by [`super::Driver::release`] or, when detached, by the
//! driver itself after that final CQE.

use std::io;
use std::os::fd::OwnedFd;
use std::time::Duration;

use uring_sys as sys;

use super::op::{Completion, MultishotOperation, OpFile, new_fd, timer_result};
use super::pbuf::{BufRef, BufRing, Using};
use crate::opcode;
use crate::squeue::Sqe;
use crate::types::{PollEvents, TimeoutFlags, Timespec};

/// Multishot `IORING_OP_ACCEPT` (Linux 5.19+): one new connection per item. A detached or
/// cancelled accept closes the connections it produced; none leaks.
#[derive(Debug)]
pub struct AcceptMulti {
    target: OpFile,
    flags: i32,
}

impl AcceptMulti {
    /// Accepts on a listening socket (`SOCK_CLOEXEC` always added to `flags`).
    pub fn new(target: impl Into<OpFile>, flags: i32) -> Self {
        AcceptMulti {
            target: target.into(),
            flags: flags | libc::SOCK_CLOEXEC,
        }
    }
}

// SAFETY: no pointer (no peer address requested).
unsafe impl MultishotOperation for AcceptMulti {
    type Item = io::Result<OwnedFd>;
    #[inline]
    fn sqe(&mut self) -> Sqe {
        opcode::AcceptMulti::new(self.target)
            .flags(self.flags)
            .build()
    }
    #[inline]
    unsafe fn item(&mut self, c: Completion) -> io::Result<OwnedFd> {
        // SAFETY: each successful accept CQE carries a new descriptor nothing else owns.
        unsafe { new_fd(c) }
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        self.target.check(ring_id)
    }
}

/// Multishot `IORING_OP_POLL_ADD` (Linux 5.13+): the ready `POLL*` mask per item.
#[derive(Debug)]
pub struct PollMulti {
    target: OpFile,
    events: u32,
}

impl PollMulti {
    /// Polls `target` for `events` (`libc::POLLIN` ...), level... edge-style: one item per
    /// wake-up.
    pub fn new(target: impl Into<OpFile>, events: u32) -> Self {
        PollMulti {
            target: target.into(),
            events,
        }
    }
}

// SAFETY: no pointer.
unsafe impl MultishotOperation for PollMulti {
    type Item = io::Result<u32>;
    #[inline]
    fn sqe(&mut self) -> Sqe {
        opcode::PollAdd::new(self.target, PollEvents::from_bits_retain(self.events))
            .multi(true)
            .build()
    }
    #[inline]
    unsafe fn item(&mut self, c: Completion) -> io::Result<u32> {
        c.result()
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        self.target.check(ring_id)
    }
}

/// Multishot `IORING_OP_TIMEOUT` (Linux 6.4+): fires every `interval`, `count` times (0:
/// until cancelled). The `timespec` lives in the slot until the final CQE.
#[derive(Debug)]
pub struct TimeoutMulti {
    ts: Timespec,
    count: u32,
}

impl TimeoutMulti {
    /// Fires every `interval`, `count` times (0 = forever).
    pub fn new(interval: Duration, count: u32) -> Self {
        TimeoutMulti {
            ts: Timespec::from(interval),
            count,
        }
    }
}

// SAFETY: the only pointer is `self.ts`, inside `self`, which does not move while in flight.
unsafe impl MultishotOperation for TimeoutMulti {
    type Item = io::Result<()>;
    #[inline]
    fn sqe(&mut self) -> Sqe {
        opcode::Timeout::new(&raw const self.ts)
            .count(self.count)
            .flags(TimeoutFlags::MULTISHOT)
            .build()
    }
    #[inline]
    unsafe fn item(&mut self, c: Completion) -> io::Result<()> {
        timer_result(c)
    }
}

/// Multishot `IORING_OP_RECVMSG` (Linux 6.0+) into provided buffers: each buffer starts with
/// `struct io_uring_recvmsg_out`, then the name, the control data and the payload, which
/// [`RecvMsg`] splits out.
#[derive(Debug)]
pub struct RecvMsgMulti {
    target: OpFile,
    ring: Using,
    /// The kernel reads `msg_namelen` and `msg_controllen` from here at submission; boxed so
    /// the operation stays small.
    msghdr: Box<libc::msghdr>,
    flags: i32,
}

impl RecvMsgMulti {
    /// Receives messages on `target` into buffers of `ring`, reserving `namelen` bytes for the
    /// source address and `controllen` for control messages in each buffer.
    pub fn new(target: impl Into<OpFile>, ring: &BufRing, namelen: u32, controllen: usize) -> Self {
        // SAFETY: msghdr is plain data; all-zero is a valid (empty) value.
        let mut msghdr: Box<libc::msghdr> = Box::new(unsafe { core::mem::zeroed() });
        msghdr.msg_namelen = namelen;
        msghdr.msg_controllen = controllen as _;
        RecvMsgMulti {
            target: target.into(),
            ring: Using::new(ring),
            msghdr,
            flags: 0,
        }
    }

    /// Bytes each buffer needs before the payload; saturates, so absurd lengths fail
    /// `validate` instead of wrapping to a small size.
    fn header_len(&self) -> usize {
        size_of::<sys::io_uring_recvmsg_out>()
            .saturating_add(self.msghdr.msg_namelen as usize)
            .saturating_add(self.msghdr.msg_controllen)
    }
}

// SAFETY: the only pointer is the boxed msghdr, owned by `self` (no buffers in it: data goes
// to the group's buffers, kept alive by the `BufRing` reference).
unsafe impl MultishotOperation for RecvMsgMulti {
    type Item = io::Result<RecvMsg>;
    #[inline]
    fn sqe(&mut self) -> Sqe {
        opcode::RecvMsgMulti::new(self.target, &raw const *self.msghdr, self.ring.bgid())
            .flags(self.flags as u32)
            .build()
    }
    #[inline]
    unsafe fn observe(&mut self, c: &mut Completion) {
        self.ring.observe(c);
    }
    #[inline]
    unsafe fn item(&mut self, c: Completion) -> io::Result<RecvMsg> {
        let buf = self.ring.guard(&c)?;
        RecvMsg::parse(
            buf,
            self.msghdr.msg_namelen as usize,
            self.msghdr.msg_controllen,
        )
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        super::op::check_recv_flags(self.flags)?;
        self.target.check(ring_id)?;
        self.ring.check_driver(ring_id)?;
        if (self.ring.buf_size() as usize) <= self.header_len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "provided buffers of {} bytes are too small for recvmsg: each must hold the \
                     {}-byte io_uring_recvmsg_out header, {} name bytes and {} control bytes \
                     plus payload",
                    self.ring.buf_size(),
                    size_of::<sys::io_uring_recvmsg_out>(),
                    self.msghdr.msg_namelen,
                    self.msghdr.msg_controllen
                ),
            ));
        }
        Ok(())
    }
}

/// One message of a [`RecvMsgMulti`]: the buffer and where its parts are.
#[derive(Debug)]
pub struct RecvMsg {
    buf: BufRef,
    out: sys::io_uring_recvmsg_out,
    name: (usize, usize),
    control: (usize, usize),
    payload: (usize, usize),
}

impl RecvMsg {
    /// Splits a buffer laid out as the kernel writes it (liburing's
    /// `io_uring_recvmsg_validate`/`_name`/`_cmsg_firsthdr`/`_payload` give the same offsets).
    pub(crate) fn parse(buf: BufRef, namelen: usize, controllen: usize) -> io::Result<RecvMsg> {
        let hdr = size_of::<sys::io_uring_recvmsg_out>();
        let need = hdr
            .checked_add(namelen)
            .and_then(|n| n.checked_add(controllen));
        if need.is_none_or(|n| buf.len() < n) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "recvmsg completion shorter than its io_uring_recvmsg_out header",
            ));
        }
        let mut out = sys::io_uring_recvmsg_out::zeroed();
        // SAFETY: `buf` has at least `hdr` bytes (checked), read unaligned into a plain-data
        // struct of exactly `hdr` bytes.
        unsafe { core::ptr::copy_nonoverlapping(buf.as_ptr(), (&raw mut out).cast::<u8>(), hdr) };
        let name_start = hdr;
        let name_len = (out.namelen as usize).min(namelen);
        let control_start = hdr + namelen;
        let control_len = (out.controllen as usize).min(controllen);
        let payload_start = control_start + controllen;
        let payload_len = (out.payloadlen as usize).min(buf.len() - payload_start);
        Ok(RecvMsg {
            buf,
            out,
            name: (name_start, name_len),
            control: (control_start, control_len),
            payload: (payload_start, payload_len),
        })
    }

    /// The source address bytes (a `sockaddr_*`), truncated to the reserved `namelen`.
    pub fn name(&self) -> &[u8] {
        &self.buf[self.name.0..self.name.0 + self.name.1]
    }
    /// The control message bytes.
    pub fn control(&self) -> &[u8] {
        &self.buf[self.control.0..self.control.0 + self.control.1]
    }
    /// The payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.buf[self.payload.0..self.payload.0 + self.payload.1]
    }
    /// The header the kernel wrote (`namelen`/`payloadlen` may exceed what fit: truncation).
    pub fn header(&self) -> &sys::io_uring_recvmsg_out {
        &self.out
    }
    /// `MSG_*` flags of the message (`MSG_TRUNC`, `MSG_CTRUNC`).
    pub fn flags(&self) -> u32 {
        self.out.flags
    }
}
