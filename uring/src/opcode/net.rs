//! Sockets: send/recv (plain, message, zero-copy, multishot), accept, connect, bind, listen,
//! shutdown, socket.

use uring_sys as sys;

use super::{Fields, no_memory, opcode, ptr};
use crate::squeue::{Sqe, SqeFlags};
use crate::types::{AcceptFlags, DestinationSlot, RecvSendFlags, Target};

/// `sqe->file_index` for an optional direct-descriptor slot.
#[inline]
const fn slot(s: Option<DestinationSlot>) -> u32 {
    match s {
        Some(s) => s.file_index(),
        None => 0,
    }
}

/// Two `u16`s as the `u32` that holds them, the first at the lower address.
#[inline]
pub(crate) const fn pair16(first: u16, second: u16) -> u32 {
    let a = first.to_ne_bytes();
    let b = second.to_ne_bytes();
    u32::from_ne_bytes([a[0], a[1], b[0], b[1]])
}

/// Sets buffer selection from group `g` when `Some`.
#[inline]
const fn buffer_select(mut f: Fields, group: Option<u16>) -> Fields {
    if let Some(g) = group {
        f.flags |= SqeFlags::BUFFER_SELECT.bits();
        f.buf_index = g;
    }
    f
}

opcode! {
    /// `sendmsg(fd, msg, flags)` — send a message.
    ///
    /// Equivalent to `sendmsg(2)`. Linux 5.3+. `cqe->res` is the number of bytes sent.
    ///
    /// # Memory
    ///
    /// The kernel reads `*msg`, its iovecs, name and control data until the CQE.
    ///
    /// # References
    ///
    /// - [`sendmsg(2)`](https://man7.org/linux/man-pages/man2/sendmsg.2.html)
    #[doc(alias = "IORING_OP_SENDMSG")]
    #[doc(alias = "io_uring_prep_sendmsg")]
    pub struct SendMsg {
        fd: { impl Target },
        msg: { *const libc::msghdr },
        ;;
        /// `MSG_*` flags.
        flags: u32 = 0,
        /// `IORING_RECVSEND_*` flags.
        ioprio: RecvSendFlags = RecvSendFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_SENDMSG;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = ptr(self.msg);
        f.len = 1;
        f.op_flags = self.flags;
        f.ioprio = self.ioprio.bits();
        f.sqe()
    }
}

opcode! {
    /// `recvmsg(fd, msg, flags)` — receive a message.
    ///
    /// Equivalent to `recvmsg(2)`. Linux 5.3+. `cqe->res` is the number of bytes received.
    ///
    /// # Memory
    ///
    /// The kernel reads `*msg` and its iovecs, and writes the data, name and control buffers
    /// (and `msg`'s length fields) until the CQE.
    ///
    /// # References
    ///
    /// - [`recvmsg(2)`](https://man7.org/linux/man-pages/man2/recvmsg.2.html)
    #[doc(alias = "IORING_OP_RECVMSG")]
    #[doc(alias = "io_uring_prep_recvmsg")]
    pub struct RecvMsg {
        fd: { impl Target },
        msg: { *mut libc::msghdr },
        ;;
        /// `MSG_*` flags.
        flags: u32 = 0,
        /// `IORING_RECVSEND_*` flags.
        ioprio: RecvSendFlags = RecvSendFlags::empty(),
        /// Take the buffer from this provided-buffer group.
        buffer_select: Option<u16> = None,
    }

    pub const CODE = sys::IORING_OP_RECVMSG;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = ptr(self.msg);
        f.len = 1;
        f.op_flags = self.flags;
        f.ioprio = self.ioprio.bits();
        buffer_select(f, self.buffer_select).sqe()
    }
}

opcode! {
    /// Multishot `recvmsg`: one CQE per message, each written into a provided buffer of
    /// `buf_group` as a `struct io_uring_recvmsg_out` header, then the name, control data and
    /// payload, sized by `msg`'s `msg_namelen` and `msg_controllen`.
    ///
    /// Like `recvmsg(2)` repeated. Linux 6.0+. Each CQE has `F_BUFFER` and, while armed,
    /// `F_MORE`.
    ///
    /// # Memory
    ///
    /// The kernel reads `*msg` at submission (only its lengths); it writes into the provided
    /// buffers of `buf_group` while the request is armed.
    ///
    /// # References
    ///
    /// - [`recvmsg(2)`](https://man7.org/linux/man-pages/man2/recvmsg.2.html)
    /// - [`io_uring_prep_recvmsg_multishot(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_recvmsg_multishot.3.html)
    #[doc(alias = "IORING_OP_RECVMSG")]
    #[doc(alias = "io_uring_prep_recvmsg_multishot")]
    pub struct RecvMsgMulti {
        fd: { impl Target },
        msg: { *const libc::msghdr },
        buf_group: { u16 },
        ;;
        /// `MSG_*` flags.
        flags: u32 = 0,
        /// More `IORING_RECVSEND_*` flags (`RECV_MULTISHOT` is always set).
        ioprio: RecvSendFlags = RecvSendFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_RECVMSG;

    /// The SQE (with `IORING_RECV_MULTISHOT` and `IOSQE_BUFFER_SELECT`).
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = ptr(self.msg);
        f.len = 1;
        f.op_flags = self.flags;
        f.ioprio = self.ioprio.bits() | RecvSendFlags::RECV_MULTISHOT.bits();
        buffer_select(f, Some(self.buf_group)).sqe()
    }
}

opcode! {
    /// `accept4(fd, addr, addrlen, flags)` — accept a connection.
    ///
    /// Equivalent to `accept4(2)`. Linux 5.5+. `cqe->res` is the new fd, or with
    /// [`file_index`](Self::file_index) the connection becomes a direct descriptor
    /// (Linux 5.15+). `addr`/`addrlen` may be null.
    ///
    /// # Memory
    ///
    /// The kernel writes the peer address at `addr` and its length at `addrlen` until the CQE.
    ///
    /// # References
    ///
    /// - [`accept4(2)`](https://man7.org/linux/man-pages/man2/accept4.2.html)
    #[doc(alias = "IORING_OP_ACCEPT")]
    #[doc(alias = "io_uring_prep_accept")]
    pub struct Accept {
        fd: { impl Target },
        addr: { *mut libc::sockaddr },
        addrlen: { *mut libc::socklen_t },
        ;;
        /// `SOCK_CLOEXEC` / `SOCK_NONBLOCK`.
        flags: i32 = 0,
        /// `IORING_ACCEPT_*` flags.
        ioprio: AcceptFlags = AcceptFlags::empty(),
        /// Accept as a direct descriptor into this registered slot.
        file_index: Option<DestinationSlot> = None,
    }

    pub const CODE = sys::IORING_OP_ACCEPT;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = ptr(self.addr);
        f.off = ptr(self.addrlen);
        f.op_flags = self.flags as u32;
        f.ioprio = self.ioprio.bits();
        f.file_index = slot(self.file_index);
        f.sqe()
    }
}

opcode! {
    /// Multishot accept: one CQE (with `F_MORE`) per accepted connection.
    ///
    /// Like `accept4(2)` repeated, without the peer address. Linux 5.19+. With
    /// [`allocate_file_index`](Self::allocate_file_index) every connection becomes a direct
    /// descriptor in a slot the kernel picks.
    ///
    /// # Memory
    ///
    /// None: the SQE carries no pointer.
    ///
    /// # References
    ///
    /// - [`io_uring_prep_multishot_accept(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_multishot_accept.3.html)
    #[doc(alias = "IORING_OP_ACCEPT")]
    #[doc(alias = "io_uring_prep_multishot_accept")]
    pub struct AcceptMulti {
        fd: { impl Target },
        ;;
        /// `SOCK_CLOEXEC` / `SOCK_NONBLOCK`.
        flags: i32 = 0,
        /// More `IORING_ACCEPT_*` flags (`MULTISHOT` is always set).
        ioprio: AcceptFlags = AcceptFlags::empty(),
        /// Accept as direct descriptors into kernel-picked slots.
        allocate_file_index: bool = false,
    }

    pub const CODE = sys::IORING_OP_ACCEPT;

    /// The SQE (with `IORING_ACCEPT_MULTISHOT`).
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.op_flags = self.flags as u32;
        f.ioprio = self.ioprio.bits() | AcceptFlags::MULTISHOT.bits();
        if self.allocate_file_index {
            f.file_index = DestinationSlot::Alloc.file_index();
        }
        f.sqe()
    }
}

opcode! {
    /// `connect(fd, addr, addrlen)` — connect a socket.
    ///
    /// Equivalent to `connect(2)`. Linux 5.5+.
    ///
    /// # Memory
    ///
    /// The kernel reads the address at `addr` until the CQE.
    ///
    /// # References
    ///
    /// - [`connect(2)`](https://man7.org/linux/man-pages/man2/connect.2.html)
    #[doc(alias = "IORING_OP_CONNECT")]
    #[doc(alias = "io_uring_prep_connect")]
    pub struct Connect {
        fd: { impl Target },
        addr: { *const libc::sockaddr },
        addrlen: { libc::socklen_t },
        ;;
    }

    pub const CODE = sys::IORING_OP_CONNECT;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = ptr(self.addr);
        f.off = self.addrlen as u64;
        f.sqe()
    }
}

opcode! {
    /// `send(fd, buf, len, flags)` — send on a socket (`sendto(2)` with
    /// [`dest_addr`](Self::dest_addr)).
    ///
    /// Equivalent to `send(2)`. Linux 5.6+; a destination address Linux 6.0+.
    ///
    /// # Memory
    ///
    /// The kernel reads `len` bytes at `buf` (and the destination address) until the CQE.
    ///
    /// # References
    ///
    /// - [`send(2)`](https://man7.org/linux/man-pages/man2/send.2.html)
    #[doc(alias = "IORING_OP_SEND")]
    #[doc(alias = "io_uring_prep_send")]
    pub struct Send {
        fd: { impl Target },
        buf: { *const u8 },
        len: { u32 },
        ;;
        /// `MSG_*` flags.
        flags: u32 = 0,
        /// `IORING_RECVSEND_*` flags.
        ioprio: RecvSendFlags = RecvSendFlags::empty(),
        /// A destination address (`sendto(2)`) and its length.
        dest_addr: (*const libc::sockaddr, u16) = (core::ptr::null(), 0),
        /// Take the data from this provided-buffer group (with
        /// [`RecvSendFlags::BUNDLE`], several buffers).
        buffer_select: Option<u16> = None,
    }

    pub const CODE = sys::IORING_OP_SEND;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = ptr(self.buf);
        f.len = self.len;
        f.op_flags = self.flags;
        f.ioprio = self.ioprio.bits();
        f.off = ptr(self.dest_addr.0);
        f.file_index = pair16(self.dest_addr.1, 0);
        buffer_select(f, self.buffer_select).sqe()
    }
}

opcode! {
    /// `recv(fd, buf, len, flags)` — receive from a socket.
    ///
    /// Equivalent to `recv(2)`. Linux 5.6+. `cqe->res` is the number of bytes received
    /// (0: the peer shut down).
    ///
    /// # Memory
    ///
    /// The kernel writes up to `len` bytes at `buf` until the CQE.
    ///
    /// # References
    ///
    /// - [`recv(2)`](https://man7.org/linux/man-pages/man2/recv.2.html)
    #[doc(alias = "IORING_OP_RECV")]
    #[doc(alias = "io_uring_prep_recv")]
    pub struct Recv {
        fd: { impl Target },
        buf: { *mut u8 },
        len: { u32 },
        ;;
        /// `MSG_*` flags.
        flags: u32 = 0,
        /// `IORING_RECVSEND_*` flags.
        ioprio: RecvSendFlags = RecvSendFlags::empty(),
        /// Take the buffer from this provided-buffer group.
        buffer_select: Option<u16> = None,
    }

    pub const CODE = sys::IORING_OP_RECV;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = ptr(self.buf);
        f.len = self.len;
        f.op_flags = self.flags;
        f.ioprio = self.ioprio.bits();
        buffer_select(f, self.buffer_select).sqe()
    }
}

opcode! {
    /// Multishot `recv`: one CQE per chunk received, each in a provided buffer of
    /// `buf_group`, with `F_BUFFER` and (while armed) `F_MORE`.
    ///
    /// Like `recv(2)` repeated. Linux 6.0+.
    ///
    /// # Memory
    ///
    /// No pointer in the SQE; the kernel writes into the provided buffers of `buf_group`
    /// while the request is armed.
    ///
    /// # References
    ///
    /// - [`io_uring_prep_recv_multishot(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_recv_multishot.3.html)
    #[doc(alias = "IORING_OP_RECV")]
    #[doc(alias = "io_uring_prep_recv_multishot")]
    pub struct RecvMulti {
        fd: { impl Target },
        buf_group: { u16 },
        ;;
        /// `MSG_*` flags.
        flags: u32 = 0,
        /// More `IORING_RECVSEND_*` flags (`RECV_MULTISHOT` is always set).
        ioprio: RecvSendFlags = RecvSendFlags::empty(),
        /// Caps the total bytes received before the request ends (0: no cap; Linux 6.10+).
        len: u32 = 0,
    }

    pub const CODE = sys::IORING_OP_RECV;

    /// The SQE (with `IORING_RECV_MULTISHOT` and `IOSQE_BUFFER_SELECT`).
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.len = self.len;
        f.op_flags = self.flags;
        f.ioprio = self.ioprio.bits() | RecvSendFlags::RECV_MULTISHOT.bits();
        buffer_select(f, Some(self.buf_group)).sqe()
    }
}

opcode! {
    /// `shutdown(fd, how)` — shut down part of a full-duplex connection.
    ///
    /// Equivalent to `shutdown(2)`. Linux 5.11+.
    ///
    /// # Memory
    ///
    /// None: the SQE carries no pointer.
    ///
    /// # References
    ///
    /// - [`shutdown(2)`](https://man7.org/linux/man-pages/man2/shutdown.2.html)
    #[doc(alias = "IORING_OP_SHUTDOWN")]
    #[doc(alias = "io_uring_prep_shutdown")]
    pub struct Shutdown {
        fd: { impl Target },
        how: { i32 },
        ;;
    }

    pub const CODE = sys::IORING_OP_SHUTDOWN;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.len = self.how as u32;
        f.sqe()
    }
}

opcode! {
    /// `socket(domain, type, protocol)` — create a socket.
    ///
    /// Equivalent to `socket(2)`. Linux 5.19+. `cqe->res` is the new fd, or with
    /// [`file_index`](Self::file_index) a direct descriptor.
    ///
    /// # Memory
    ///
    /// None: the SQE carries no pointer.
    ///
    /// # References
    ///
    /// - [`socket(2)`](https://man7.org/linux/man-pages/man2/socket.2.html)
    #[doc(alias = "IORING_OP_SOCKET")]
    #[doc(alias = "io_uring_prep_socket")]
    pub struct Socket {
        domain: { i32 },
        socket_type: { i32 },
        protocol: { i32 },
        ;;
        /// Create as a direct descriptor into this registered slot.
        file_index: Option<DestinationSlot> = None,
    }

    pub const CODE = sys::IORING_OP_SOCKET;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = self.domain;
        f.off = self.socket_type as u32 as u64;
        f.len = self.protocol as u32;
        f.file_index = slot(self.file_index);
        f.sqe()
    }
}

opcode! {
    /// Zero-copy `send(fd, buf, len, flags)`.
    ///
    /// Like `send(2)` with `MSG_ZEROCOPY`. Linux 6.0+. Posts two CQEs: the send's result
    /// (with `F_MORE`), then a notification (`F_NOTIF`) once the kernel no longer reads `buf`.
    ///
    /// # Memory
    ///
    /// The kernel reads `buf` until the notification CQE, not only until the first CQE.
    ///
    /// # References
    ///
    /// - [`io_uring_prep_send_zc(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_send_zc.3.html)
    #[doc(alias = "IORING_OP_SEND_ZC")]
    #[doc(alias = "io_uring_prep_send_zc")]
    pub struct SendZc {
        fd: { impl Target },
        buf: { *const u8 },
        len: { u32 },
        ;;
        /// `MSG_*` flags.
        flags: u32 = 0,
        /// `IORING_RECVSEND_*` / `IORING_SEND_ZC_*` flags.
        ioprio: RecvSendFlags = RecvSendFlags::empty(),
        /// Send from registered buffer `buf_index` (sets `IORING_RECVSEND_FIXED_BUF`).
        buf_index: Option<u16> = None,
        /// A destination address and its length.
        dest_addr: (*const libc::sockaddr, u16) = (core::ptr::null(), 0),
    }

    pub const CODE = sys::IORING_OP_SEND_ZC;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = ptr(self.buf);
        f.len = self.len;
        f.op_flags = self.flags;
        f.ioprio = self.ioprio.bits();
        if let Some(i) = self.buf_index {
            f.ioprio |= RecvSendFlags::FIXED_BUF.bits();
            f.buf_index = i;
        }
        f.off = ptr(self.dest_addr.0);
        f.file_index = pair16(self.dest_addr.1, 0);
        f.sqe()
    }
}

opcode! {
    /// Zero-copy `sendmsg(fd, msg, flags)`.
    ///
    /// Like `sendmsg(2)` with `MSG_ZEROCOPY`. Linux 6.1+. Posts the result and then an
    /// `F_NOTIF` notification, as [`SendZc`].
    ///
    /// # Memory
    ///
    /// The kernel reads `*msg` and its buffers until the notification CQE.
    ///
    /// # References
    ///
    /// - [`io_uring_prep_sendmsg_zc(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_sendmsg_zc.3.html)
    #[doc(alias = "IORING_OP_SENDMSG_ZC")]
    #[doc(alias = "io_uring_prep_sendmsg_zc")]
    pub struct SendMsgZc {
        fd: { impl Target },
        msg: { *const libc::msghdr },
        ;;
        /// `MSG_*` flags.
        flags: u32 = 0,
        /// `IORING_RECVSEND_*` flags.
        ioprio: RecvSendFlags = RecvSendFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_SENDMSG_ZC;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = ptr(self.msg);
        f.len = 1;
        f.op_flags = self.flags;
        f.ioprio = self.ioprio.bits();
        f.sqe()
    }
}

opcode! {
    /// `bind(fd, addr, addrlen)` — name a socket.
    ///
    /// Equivalent to `bind(2)`. Linux 6.11+.
    ///
    /// # Memory
    ///
    /// The kernel reads the address at `addr` (at submission in practice; keep it until the
    /// CQE).
    ///
    /// # References
    ///
    /// - [`bind(2)`](https://man7.org/linux/man-pages/man2/bind.2.html)
    #[doc(alias = "IORING_OP_BIND")]
    #[doc(alias = "io_uring_prep_bind")]
    pub struct Bind {
        fd: { impl Target },
        addr: { *const libc::sockaddr },
        addrlen: { libc::socklen_t },
        ;;
    }

    pub const CODE = sys::IORING_OP_BIND;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.addr = ptr(self.addr);
        f.off = self.addrlen as u64;
        f.sqe()
    }
}

opcode! {
    /// `listen(fd, backlog)` — mark a socket as accepting connections.
    ///
    /// Equivalent to `listen(2)`. Linux 6.11+.
    ///
    /// # Memory
    ///
    /// None: the SQE carries no pointer.
    ///
    /// # References
    ///
    /// - [`listen(2)`](https://man7.org/linux/man-pages/man2/listen.2.html)
    #[doc(alias = "IORING_OP_LISTEN")]
    #[doc(alias = "io_uring_prep_listen")]
    pub struct Listen {
        fd: { impl Target },
        backlog: { i32 },
        ;;
    }

    pub const CODE = sys::IORING_OP_LISTEN;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.len = self.backlog as u32;
        f.sqe()
    }
}

opcode! {
    /// Zero-copy receive into the area of a registered zcrx interface queue
    /// (`IORING_REGISTER_ZCRX_IFQ`), multishot.
    ///
    /// io_uring only. Linux 6.15+. Needs a NIC with header/data split and flow steering; the
    /// CQEs are 32 bytes and point into the registered area.
    ///
    /// # Memory
    ///
    /// No pointer in the SQE; the kernel writes into the registered zcrx area.
    ///
    /// # References
    ///
    /// - [Kernel docs: io_uring zero copy Rx](https://docs.kernel.org/networking/iou-zcrx.html)
    #[doc(alias = "IORING_OP_RECV_ZC")]
    pub struct RecvZc {
        fd: { impl Target },
        ifq: { u32 },
        ;;
        /// Caps the total bytes received (0: no cap).
        len: u32 = 0,
        /// More `IORING_RECVSEND_*` flags (`RECV_MULTISHOT` is always set, as the op requires).
        ioprio: RecvSendFlags = RecvSendFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_RECV_ZC;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.len = self.len;
        f.ioprio = self.ioprio.bits() | RecvSendFlags::RECV_MULTISHOT.bits();
        f.file_index = self.ifq;
        f.sqe()
    }
}

no_memory!(AcceptMulti, Shutdown, Socket, Listen);
