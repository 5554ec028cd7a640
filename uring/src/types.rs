//! The typed arguments the [`opcode`](crate::opcode) builders take: file targets, flag sets and
//! the small kernel structs an SQE points at.
//!
//! Flags are `bitflags` named after their kernel constants; bits this crate does not know yet are
//! kept (`from_bits_retain`), so a newer kernel's flag can be passed through unchanged.

use core::fmt;
use std::os::fd::RawFd;

use uring_sys as sys;

/// A file descriptor number, for the `fd` of an SQE.
///
/// The kernel does not keep the file alive past the request's own reference: closing the fd
/// while the request is in flight is allowed, the request keeps the file it already looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fd(pub RawFd);

/// An index into the ring's registered file table (`IORING_REGISTER_FILES`): the SQE's `fd`
/// is this index and `IOSQE_FIXED_FILE` is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fixed(pub u32);

/// Where an SQE's file comes from: an [`Fd`] or a registered [`Fixed`] slot. Sealed.
pub trait Target: sealed::Sealed {}

impl Target for Fd {}
impl Target for Fixed {}

pub(crate) use sealed::RawTarget;

#[allow(unreachable_pub)]
pub(crate) mod sealed {
    use super::{Fd, Fixed};

    /// An `fd` field as it goes into the SQE: the number, and whether `IOSQE_FIXED_FILE` is
    /// set.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct RawTarget {
        pub(crate) fd: i32,
        pub(crate) fixed: bool,
    }

    /// Keeps [`super::Target`] closed to this crate's two types.
    pub trait Sealed {
        /// The SQE encoding of the target.
        fn raw_target(self) -> RawTarget;
    }

    impl Sealed for Fd {
        #[inline]
        fn raw_target(self) -> RawTarget {
            RawTarget {
                fd: self.0,
                fixed: false,
            }
        }
    }

    impl Sealed for Fixed {
        #[inline]
        fn raw_target(self) -> RawTarget {
            // The kernel reads `sqe->fd` as an `int` and then as an unsigned index when
            // IOSQE_FIXED_FILE is set; the bit pattern is what matters.
            RawTarget {
                fd: self.0 as i32,
                fixed: true,
            }
        }
    }
}

/// The slot an op that creates a file (open, accept, socket, pipe, `MSG_RING` send-fd) puts it
/// in when it should go into the registered file table instead of the fd table ("direct
/// descriptors", Linux 5.15+).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DestinationSlot {
    /// This slot index of the registered file table.
    Index(u32),
    /// `IORING_FILE_INDEX_ALLOC`: the kernel picks a free slot (within the range set with
    /// `IORING_REGISTER_FILE_ALLOC_RANGE`) and returns it in `cqe->res`. Linux 5.19+.
    Alloc,
}

impl DestinationSlot {
    /// The `sqe->file_index` encoding: slot + 1 (0 means "no direct descriptor"), or
    /// `IORING_FILE_INDEX_ALLOC`.
    ///
    /// Slots at or above `u32::MAX - 1` cannot be encoded (their + 1 would read as "allocate");
    /// they become `u32::MAX - 1`, a slot the kernel always rejects (its table holds at most
    /// 2^20 files), so the request fails instead of doing something else.
    #[inline]
    pub const fn file_index(self) -> u32 {
        match self {
            DestinationSlot::Index(i) if i >= u32::MAX - 1 => u32::MAX - 1,
            DestinationSlot::Index(i) => i + 1,
            DestinationSlot::Alloc => sys::IORING_FILE_INDEX_ALLOC,
        }
    }
}

bitflags::bitflags! {
    /// `RWF_*`: per-call read/write flags (`preadv2(2)`), in `sqe->rw_flags`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct RwFlags: u32 {
        /// `RWF_HIPRI`: high-priority (polled) I/O.
        #[doc(alias = "RWF_HIPRI")]
        const HIPRI = libc::RWF_HIPRI as u32;
        /// `RWF_DSYNC`: per-write `O_DSYNC`.
        #[doc(alias = "RWF_DSYNC")]
        const DSYNC = libc::RWF_DSYNC as u32;
        /// `RWF_SYNC`: per-write `O_SYNC`.
        #[doc(alias = "RWF_SYNC")]
        const SYNC = libc::RWF_SYNC as u32;
        /// `RWF_NOWAIT`: fail with `EAGAIN` instead of blocking.
        #[doc(alias = "RWF_NOWAIT")]
        const NOWAIT = libc::RWF_NOWAIT as u32;
        /// `RWF_APPEND`: per-write `O_APPEND`.
        #[doc(alias = "RWF_APPEND")]
        const APPEND = libc::RWF_APPEND as u32;
        /// `RWF_NOAPPEND`: ignore `O_APPEND` for this write.
        #[doc(alias = "RWF_NOAPPEND")]
        const NOAPPEND = libc::RWF_NOAPPEND as u32;
        /// `RWF_ATOMIC`: untorn write.
        #[doc(alias = "RWF_ATOMIC")]
        const ATOMIC = libc::RWF_ATOMIC as u32;
        /// `RWF_DONTCACHE`: drop the page cache pages after the I/O.
        #[doc(alias = "RWF_DONTCACHE")]
        const DONTCACHE = libc::RWF_DONTCACHE as u32;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `IORING_FSYNC_*`, in `sqe->fsync_flags`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct FsyncFlags: u32 {
        /// `IORING_FSYNC_DATASYNC`: `fdatasync(2)` instead of `fsync(2)`.
        #[doc(alias = "IORING_FSYNC_DATASYNC")]
        const DATASYNC = sys::IORING_FSYNC_DATASYNC;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `IORING_TIMEOUT_*`, in `sqe->timeout_flags`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct TimeoutFlags: u32 {
        /// `IORING_TIMEOUT_ABS`: the timespec is an absolute time.
        #[doc(alias = "IORING_TIMEOUT_ABS")]
        const ABS = sys::IORING_TIMEOUT_ABS;
        /// `IORING_TIMEOUT_UPDATE`: (timeout remove) update the timeout instead of removing it.
        #[doc(alias = "IORING_TIMEOUT_UPDATE")]
        const UPDATE = sys::IORING_TIMEOUT_UPDATE;
        /// `IORING_TIMEOUT_BOOTTIME`: measure on `CLOCK_BOOTTIME`.
        #[doc(alias = "IORING_TIMEOUT_BOOTTIME")]
        const BOOTTIME = sys::IORING_TIMEOUT_BOOTTIME;
        /// `IORING_TIMEOUT_REALTIME`: measure on `CLOCK_REALTIME`.
        #[doc(alias = "IORING_TIMEOUT_REALTIME")]
        const REALTIME = sys::IORING_TIMEOUT_REALTIME;
        /// `IORING_LINK_TIMEOUT_UPDATE`: (timeout remove) update a linked timeout.
        #[doc(alias = "IORING_LINK_TIMEOUT_UPDATE")]
        const LINK_TIMEOUT_UPDATE = sys::IORING_LINK_TIMEOUT_UPDATE;
        /// `IORING_TIMEOUT_ETIME_SUCCESS`: an expiry completes with `-ETIME` but counts as
        /// success for links.
        #[doc(alias = "IORING_TIMEOUT_ETIME_SUCCESS")]
        const ETIME_SUCCESS = sys::IORING_TIMEOUT_ETIME_SUCCESS;
        /// `IORING_TIMEOUT_MULTISHOT`: fire every period (Linux 6.4+); `count` limits the shots.
        #[doc(alias = "IORING_TIMEOUT_MULTISHOT")]
        const MULTISHOT = sys::IORING_TIMEOUT_MULTISHOT;
        /// `IORING_TIMEOUT_IMMEDIATE_ARG`: `sqe->addr` is the timeout in nanoseconds, not a
        /// pointer (newer than 6.18).
        #[doc(alias = "IORING_TIMEOUT_IMMEDIATE_ARG")]
        const IMMEDIATE_ARG = sys::IORING_TIMEOUT_IMMEDIATE_ARG;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `IORING_POLL_*`: poll command flags, in `sqe->len` of `POLL_ADD`/`POLL_REMOVE`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct PollFlags: u32 {
        /// `IORING_POLL_ADD_MULTI`: multishot: a CQE (with `F_MORE`) per readiness event.
        #[doc(alias = "IORING_POLL_ADD_MULTI")]
        const ADD_MULTI = sys::IORING_POLL_ADD_MULTI;
        /// `IORING_POLL_UPDATE_EVENTS`: (update) replace the event mask.
        #[doc(alias = "IORING_POLL_UPDATE_EVENTS")]
        const UPDATE_EVENTS = sys::IORING_POLL_UPDATE_EVENTS;
        /// `IORING_POLL_UPDATE_USER_DATA`: (update) replace the user_data.
        #[doc(alias = "IORING_POLL_UPDATE_USER_DATA")]
        const UPDATE_USER_DATA = sys::IORING_POLL_UPDATE_USER_DATA;
        /// `IORING_POLL_ADD_LEVEL`: level-triggered.
        #[doc(alias = "IORING_POLL_ADD_LEVEL")]
        const ADD_LEVEL = sys::IORING_POLL_ADD_LEVEL;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `POLL*`: the `poll(2)` event mask of `POLL_ADD` (`sqe->poll32_events`) and the ready
    /// mask its CQE's `res` carries (`PollEvents::from_bits_retain(res)`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct PollEvents: u32 {
        /// `POLLIN`: data to read.
        #[doc(alias = "POLLIN")]
        const IN = libc::POLLIN as u32;
        /// `POLLPRI`: urgent data.
        #[doc(alias = "POLLPRI")]
        const PRI = libc::POLLPRI as u32;
        /// `POLLOUT`: writable.
        #[doc(alias = "POLLOUT")]
        const OUT = libc::POLLOUT as u32;
        /// `POLLERR`: an error condition (always reported).
        #[doc(alias = "POLLERR")]
        const ERR = libc::POLLERR as u32;
        /// `POLLHUP`: hang-up (always reported).
        #[doc(alias = "POLLHUP")]
        const HUP = libc::POLLHUP as u32;
        /// `POLLNVAL`: the fd is not open.
        #[doc(alias = "POLLNVAL")]
        const NVAL = libc::POLLNVAL as u32;
        /// `POLLRDNORM`.
        #[doc(alias = "POLLRDNORM")]
        const RDNORM = libc::POLLRDNORM as u32;
        /// `POLLRDBAND`.
        #[doc(alias = "POLLRDBAND")]
        const RDBAND = libc::POLLRDBAND as u32;
        /// `POLLWRNORM`.
        #[doc(alias = "POLLWRNORM")]
        const WRNORM = libc::POLLWRNORM as u32;
        /// `POLLWRBAND`.
        #[doc(alias = "POLLWRBAND")]
        const WRBAND = libc::POLLWRBAND as u32;
        /// `POLLRDHUP`: the peer shut down its writing half.
        #[doc(alias = "POLLRDHUP")]
        const RDHUP = libc::POLLRDHUP as u32;
        /// `EPOLLEXCLUSIVE`: wake only one of several exclusive waiters (Linux 5.13+).
        #[doc(alias = "EPOLLEXCLUSIVE")]
        const EXCLUSIVE = libc::EPOLLEXCLUSIVE as u32;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `IORING_ACCEPT_*`, in `sqe->ioprio` of `ACCEPT`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct AcceptFlags: u16 {
        /// `IORING_ACCEPT_MULTISHOT`: one CQE per accepted connection (Linux 5.19+).
        #[doc(alias = "IORING_ACCEPT_MULTISHOT")]
        const MULTISHOT = sys::IORING_ACCEPT_MULTISHOT;
        /// `IORING_ACCEPT_DONTWAIT`: fail with `EAGAIN` rather than wait (Linux 6.10+).
        #[doc(alias = "IORING_ACCEPT_DONTWAIT")]
        const DONTWAIT = sys::IORING_ACCEPT_DONTWAIT;
        /// `IORING_ACCEPT_POLL_FIRST`: arm poll before trying (Linux 6.10+).
        #[doc(alias = "IORING_ACCEPT_POLL_FIRST")]
        const POLL_FIRST = sys::IORING_ACCEPT_POLL_FIRST;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `IORING_RECVSEND_*` (and `IORING_RECV_MULTISHOT`, `IORING_SEND_*`), in `sqe->ioprio`
    /// of the send/recv family.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct RecvSendFlags: u16 {
        /// `IORING_RECVSEND_POLL_FIRST`: arm poll first, skip the first attempt.
        #[doc(alias = "IORING_RECVSEND_POLL_FIRST")]
        const POLL_FIRST = sys::IORING_RECVSEND_POLL_FIRST;
        /// `IORING_RECV_MULTISHOT`: multishot receive (needs buffer select).
        #[doc(alias = "IORING_RECV_MULTISHOT")]
        const RECV_MULTISHOT = sys::IORING_RECV_MULTISHOT;
        /// `IORING_RECVSEND_FIXED_BUF`: the buffer is registered buffer `buf_index`.
        #[doc(alias = "IORING_RECVSEND_FIXED_BUF")]
        const FIXED_BUF = sys::IORING_RECVSEND_FIXED_BUF;
        /// `IORING_SEND_ZC_REPORT_USAGE`: the notification's `res` says whether data was copied.
        #[doc(alias = "IORING_SEND_ZC_REPORT_USAGE")]
        const SEND_ZC_REPORT_USAGE = sys::IORING_SEND_ZC_REPORT_USAGE;
        /// `IORING_RECVSEND_BUNDLE`: take several provided buffers at once.
        #[doc(alias = "IORING_RECVSEND_BUNDLE")]
        const BUNDLE = sys::IORING_RECVSEND_BUNDLE;
        /// `IORING_SEND_VECTORIZED`: `addr` points at an iovec array.
        #[doc(alias = "IORING_SEND_VECTORIZED")]
        const SEND_VECTORIZED = sys::IORING_SEND_VECTORIZED;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `IORING_ASYNC_CANCEL_*`, in `sqe->cancel_flags`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct CancelFlags: u32 {
        /// `IORING_ASYNC_CANCEL_ALL`: cancel every match, not only the first.
        #[doc(alias = "IORING_ASYNC_CANCEL_ALL")]
        const ALL = sys::IORING_ASYNC_CANCEL_ALL;
        /// `IORING_ASYNC_CANCEL_FD`: match on `fd` instead of user_data.
        #[doc(alias = "IORING_ASYNC_CANCEL_FD")]
        const FD = sys::IORING_ASYNC_CANCEL_FD;
        /// `IORING_ASYNC_CANCEL_ANY`: match any request.
        #[doc(alias = "IORING_ASYNC_CANCEL_ANY")]
        const ANY = sys::IORING_ASYNC_CANCEL_ANY;
        /// `IORING_ASYNC_CANCEL_FD_FIXED`: the `fd` is a registered file index.
        #[doc(alias = "IORING_ASYNC_CANCEL_FD_FIXED")]
        const FD_FIXED = sys::IORING_ASYNC_CANCEL_FD_FIXED;
        /// `IORING_ASYNC_CANCEL_USERDATA`: match on user_data (the default).
        #[doc(alias = "IORING_ASYNC_CANCEL_USERDATA")]
        const USERDATA = sys::IORING_ASYNC_CANCEL_USERDATA;
        /// `IORING_ASYNC_CANCEL_OP`: match on opcode.
        #[doc(alias = "IORING_ASYNC_CANCEL_OP")]
        const OP = sys::IORING_ASYNC_CANCEL_OP;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `IORING_MSG_RING_*`, in `sqe->msg_ring_flags`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct MsgRingFlags: u32 {
        /// `IORING_MSG_RING_CQE_SKIP`: post no CQE on the target ring (send-fd only).
        #[doc(alias = "IORING_MSG_RING_CQE_SKIP")]
        const CQE_SKIP = sys::IORING_MSG_RING_CQE_SKIP;
        /// `IORING_MSG_RING_FLAGS_PASS`: `sqe->file_index` becomes the target CQE's flags.
        #[doc(alias = "IORING_MSG_RING_FLAGS_PASS")]
        const FLAGS_PASS = sys::IORING_MSG_RING_FLAGS_PASS;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `IORING_NOP_*`, in `sqe->nop_flags`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct NopFlags: u32 {
        /// `IORING_NOP_INJECT_RESULT`: complete with `sqe->len` as the result.
        #[doc(alias = "IORING_NOP_INJECT_RESULT")]
        const INJECT_RESULT = sys::IORING_NOP_INJECT_RESULT;
        /// `IORING_NOP_CQE32`: post a 32-byte CQE (on a mixed-CQE ring).
        #[doc(alias = "IORING_NOP_CQE32")]
        const CQE32 = sys::IORING_NOP_CQE32;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `IORING_FIXED_FD_*`, in `sqe->install_fd_flags` of `FIXED_FD_INSTALL`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct FixedFdInstallFlags: u32 {
        /// `IORING_FIXED_FD_NO_CLOEXEC`: the new fd is not close-on-exec.
        #[doc(alias = "IORING_FIXED_FD_NO_CLOEXEC")]
        const NO_CLOEXEC = sys::IORING_FIXED_FD_NO_CLOEXEC;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `SPLICE_F_*` (and io_uring's `SPLICE_F_FD_IN_FIXED`), in `sqe->splice_flags`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SpliceFlags: u32 {
        /// `SPLICE_F_MOVE`.
        #[doc(alias = "SPLICE_F_MOVE")]
        const MOVE = libc::SPLICE_F_MOVE;
        /// `SPLICE_F_NONBLOCK`.
        #[doc(alias = "SPLICE_F_NONBLOCK")]
        const NONBLOCK = libc::SPLICE_F_NONBLOCK;
        /// `SPLICE_F_MORE`.
        #[doc(alias = "SPLICE_F_MORE")]
        const MORE = libc::SPLICE_F_MORE;
        /// `SPLICE_F_GIFT`.
        #[doc(alias = "SPLICE_F_GIFT")]
        const GIFT = libc::SPLICE_F_GIFT;
        /// `SPLICE_F_FD_IN_FIXED`: the input fd is a registered file index. Set for you when
        /// the input is a [`Fixed`].
        #[doc(alias = "SPLICE_F_FD_IN_FIXED")]
        const FD_IN_FIXED = sys::SPLICE_F_FD_IN_FIXED;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `STATX_*`: which fields `statx(2)` should fill (`sqe->len`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct StatxMask: u32 {
        /// `STATX_TYPE`.
        #[doc(alias = "STATX_TYPE")]
        const TYPE = libc::STATX_TYPE;
        /// `STATX_MODE`.
        #[doc(alias = "STATX_MODE")]
        const MODE = libc::STATX_MODE;
        /// `STATX_NLINK`.
        #[doc(alias = "STATX_NLINK")]
        const NLINK = libc::STATX_NLINK;
        /// `STATX_UID`.
        #[doc(alias = "STATX_UID")]
        const UID = libc::STATX_UID;
        /// `STATX_GID`.
        #[doc(alias = "STATX_GID")]
        const GID = libc::STATX_GID;
        /// `STATX_ATIME`.
        #[doc(alias = "STATX_ATIME")]
        const ATIME = libc::STATX_ATIME;
        /// `STATX_MTIME`.
        #[doc(alias = "STATX_MTIME")]
        const MTIME = libc::STATX_MTIME;
        /// `STATX_CTIME`.
        #[doc(alias = "STATX_CTIME")]
        const CTIME = libc::STATX_CTIME;
        /// `STATX_INO`.
        #[doc(alias = "STATX_INO")]
        const INO = libc::STATX_INO;
        /// `STATX_SIZE`.
        #[doc(alias = "STATX_SIZE")]
        const SIZE = libc::STATX_SIZE;
        /// `STATX_BLOCKS`.
        #[doc(alias = "STATX_BLOCKS")]
        const BLOCKS = libc::STATX_BLOCKS;
        /// `STATX_BASIC_STATS`: all of the above.
        #[doc(alias = "STATX_BASIC_STATS")]
        const BASIC_STATS = libc::STATX_BASIC_STATS;
        /// `STATX_BTIME`.
        #[doc(alias = "STATX_BTIME")]
        const BTIME = libc::STATX_BTIME;
        /// `STATX_MNT_ID`.
        #[doc(alias = "STATX_MNT_ID")]
        const MNT_ID = libc::STATX_MNT_ID;
        /// `STATX_DIOALIGN`.
        #[doc(alias = "STATX_DIOALIGN")]
        const DIOALIGN = libc::STATX_DIOALIGN;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `AT_*` flags of the `*at(2)` calls (`statx`, `unlinkat`, `linkat`, `renameat2`'s
    /// `RENAME_*` go in [`RenameFlags`]).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct AtFlags: u32 {
        /// `AT_SYMLINK_NOFOLLOW`.
        #[doc(alias = "AT_SYMLINK_NOFOLLOW")]
        const SYMLINK_NOFOLLOW = libc::AT_SYMLINK_NOFOLLOW as u32;
        /// `AT_REMOVEDIR` (`unlinkat`: remove a directory).
        #[doc(alias = "AT_REMOVEDIR")]
        const REMOVEDIR = libc::AT_REMOVEDIR as u32;
        /// `AT_SYMLINK_FOLLOW` (`linkat`).
        #[doc(alias = "AT_SYMLINK_FOLLOW")]
        const SYMLINK_FOLLOW = libc::AT_SYMLINK_FOLLOW as u32;
        /// `AT_NO_AUTOMOUNT`.
        #[doc(alias = "AT_NO_AUTOMOUNT")]
        const NO_AUTOMOUNT = libc::AT_NO_AUTOMOUNT as u32;
        /// `AT_EMPTY_PATH`.
        #[doc(alias = "AT_EMPTY_PATH")]
        const EMPTY_PATH = libc::AT_EMPTY_PATH as u32;
        /// `AT_STATX_FORCE_SYNC`.
        #[doc(alias = "AT_STATX_FORCE_SYNC")]
        const STATX_FORCE_SYNC = libc::AT_STATX_FORCE_SYNC as u32;
        /// `AT_STATX_DONT_SYNC`.
        #[doc(alias = "AT_STATX_DONT_SYNC")]
        const STATX_DONT_SYNC = libc::AT_STATX_DONT_SYNC as u32;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `RENAME_*` flags of `renameat2(2)`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct RenameFlags: u32 {
        /// `RENAME_NOREPLACE`: fail with `EEXIST` if the new path exists.
        #[doc(alias = "RENAME_NOREPLACE")]
        const NOREPLACE = libc::RENAME_NOREPLACE;
        /// `RENAME_EXCHANGE`: swap the two paths.
        #[doc(alias = "RENAME_EXCHANGE")]
        const EXCHANGE = libc::RENAME_EXCHANGE;
        /// `RENAME_WHITEOUT`.
        #[doc(alias = "RENAME_WHITEOUT")]
        const WHITEOUT = libc::RENAME_WHITEOUT;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `XATTR_*` flags of `setxattr(2)`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct XattrFlags: u32 {
        /// `XATTR_CREATE`: fail if the attribute exists.
        #[doc(alias = "XATTR_CREATE")]
        const CREATE = libc::XATTR_CREATE as u32;
        /// `XATTR_REPLACE`: fail if the attribute does not exist.
        #[doc(alias = "XATTR_REPLACE")]
        const REPLACE = libc::XATTR_REPLACE as u32;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `FUTEX2_*` flags of the futex2 calls (`sqe->fd` of `FUTEX_WAIT`/`FUTEX_WAKE`, and each
    /// [`FutexWaitV`] entry): the size of the futex word and its scope.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Futex2Flags: u32 {
        /// `FUTEX2_SIZE_U8`.
        const SIZE_U8 = 0x00;
        /// `FUTEX2_SIZE_U16`.
        const SIZE_U16 = 0x01;
        /// `FUTEX2_SIZE_U32`: a 32-bit futex word, the only size Linux implements today.
        const SIZE_U32 = 0x02;
        /// `FUTEX2_SIZE_U64`.
        const SIZE_U64 = 0x03;
        /// `FUTEX2_NUMA`.
        const NUMA = 0x04;
        /// `FUTEX2_MPOL`.
        const MPOL = 0x08;
        /// `FUTEX2_PRIVATE` (= `FUTEX_PRIVATE_FLAG`): the word is not shared with other
        /// processes.
        const PRIVATE = 128;
        const _ = !0;
    }
}

/// `FUTEX_BITSET_MATCH_ANY`: the wait/wake mask that matches every waiter.
pub const FUTEX_BITSET_MATCH_ANY: u64 = 0xffff_ffff;

/// `struct open_how` (`<linux/openat2.h>`): the arguments of `openat2(2)`.
///
/// Laid out as the kernel's struct (checked below and against `libc::open_how` in the
/// tests); `libc`'s own type cannot be built in a `const fn` (it is `non_exhaustive`).
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}

impl OpenHow {
    /// All zero: `O_RDONLY`, mode 0, no `RESOLVE_*` restrictions.
    #[inline]
    pub const fn new() -> Self {
        OpenHow {
            flags: 0,
            mode: 0,
            resolve: 0,
        }
    }

    /// Sets `flags` (`O_*`, e.g. `libc::O_RDWR | libc::O_CREAT`).
    #[inline]
    #[must_use]
    pub const fn flags(mut self, flags: u64) -> Self {
        self.flags = flags;
        self
    }

    /// Sets `mode`, the permission bits for a created file.
    #[inline]
    #[must_use]
    pub const fn mode(mut self, mode: u64) -> Self {
        self.mode = mode;
        self
    }

    /// Sets `resolve` (`RESOLVE_*`, e.g. `libc::RESOLVE_BENEATH`).
    #[inline]
    #[must_use]
    pub const fn resolve(mut self, resolve: u64) -> Self {
        self.resolve = resolve;
        self
    }

    /// The `flags` set so far.
    #[inline]
    pub const fn get_flags(&self) -> u64 {
        self.flags
    }
}

impl Default for OpenHow {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for OpenHow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenHow")
            .field("flags", &self.flags)
            .field("mode", &self.mode)
            .field("resolve", &self.resolve)
            .finish()
    }
}

const _: () = {
    assert!(core::mem::size_of::<OpenHow>() == 24);
    assert!(core::mem::size_of::<OpenHow>() == core::mem::size_of::<libc::open_how>());
    assert!(core::mem::offset_of!(OpenHow, flags) == 0);
    assert!(core::mem::offset_of!(OpenHow, mode) == 8);
    assert!(core::mem::offset_of!(OpenHow, resolve) == 16);
};

/// `struct __kernel_timespec`: the 64-bit timespec of io_uring timeouts.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct Timespec(sys::__kernel_timespec);

impl Timespec {
    /// Zero.
    #[inline]
    pub const fn new() -> Self {
        Timespec(sys::__kernel_timespec {
            tv_sec: 0,
            tv_nsec: 0,
        })
    }

    /// Sets the seconds; above `i64::MAX` (the kernel's `tv_sec` is signed) it is clamped to
    /// `i64::MAX`, which the kernel takes as "never" (a negative `tv_sec` is `EINVAL`).
    #[inline]
    #[must_use]
    pub const fn sec(mut self, sec: u64) -> Self {
        self.0.tv_sec = if sec > i64::MAX as u64 {
            i64::MAX
        } else {
            sec as i64
        };
        self
    }

    /// Sets the nanoseconds (`0..1_000_000_000`, or the kernel answers `EINVAL`).
    #[inline]
    #[must_use]
    pub const fn nsec(mut self, nsec: u32) -> Self {
        self.0.tv_nsec = nsec as i64;
        self
    }

    /// The raw `struct __kernel_timespec`.
    #[inline]
    pub const fn as_raw(&self) -> &sys::__kernel_timespec {
        &self.0
    }
}

impl Default for Timespec {
    fn default() -> Self {
        Self::new()
    }
}

/// `Duration::MAX` (and any duration over `i64::MAX` seconds) becomes `i64::MAX` seconds:
/// a timeout that never expires, not an `EINVAL`.
impl From<core::time::Duration> for Timespec {
    #[inline]
    fn from(d: core::time::Duration) -> Self {
        Timespec::new().sec(d.as_secs()).nsec(d.subsec_nanos())
    }
}

impl fmt::Debug for Timespec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timespec")
            .field("tv_sec", &self.0.tv_sec)
            .field("tv_nsec", &self.0.tv_nsec)
            .finish()
    }
}

const _: () = assert!(core::mem::size_of::<Timespec>() == 16);

/// `struct futex_waitv`: one futex of a `FUTEX_WAITV` (`futex_waitv(2)`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FutexWaitV {
    val: u64,
    uaddr: u64,
    flags: u32,
    __reserved: u32,
}

impl FutexWaitV {
    /// Waits while `*uaddr == val`, with `FUTEX2_*` `flags` (at least a size, usually
    /// [`Futex2Flags::SIZE_U32`] | [`Futex2Flags::PRIVATE`]).
    #[inline]
    pub fn new(uaddr: *const u32, val: u64, flags: Futex2Flags) -> Self {
        FutexWaitV {
            val,
            uaddr: uaddr as usize as u64,
            flags: flags.bits(),
            __reserved: 0,
        }
    }
}

const _: () = {
    assert!(core::mem::size_of::<FutexWaitV>() == 24);
    assert!(core::mem::offset_of!(FutexWaitV, val) == 0);
    assert!(core::mem::offset_of!(FutexWaitV, uaddr) == 8);
    assert!(core::mem::offset_of!(FutexWaitV, flags) == 16);
};
