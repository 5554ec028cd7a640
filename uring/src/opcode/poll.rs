//! Readiness: `POLL_ADD` (one-shot or multishot), `POLL_REMOVE` and its update form, and the
//! epoll interop ops `EPOLL_CTL`, `EPOLL_WAIT`.

use uring_sys as sys;

use super::{Fields, no_memory, opcode, ptr};
use crate::squeue::Sqe;
use crate::types::{Fd, PollEvents, PollFlags, Target};

/// `sqe->poll32_events`: the mask, word-swapped on big-endian as the uapi asks.
#[inline]
const fn poll32(events: PollEvents) -> u32 {
    if cfg!(target_endian = "big") {
        events.bits().rotate_left(16)
    } else {
        events.bits()
    }
}

opcode! {
    /// `poll(fd, events)` for one file — wait until `fd` is ready.
    ///
    /// Like `poll(2)` on one fd. Linux 5.1+; [`multi`](Self::multi) Linux 5.13+.
    /// `cqe->res` is the ready mask ([`PollEvents::from_bits_retain`]). Edge-triggered unless
    /// [`PollFlags::ADD_LEVEL`].
    ///
    /// # Memory
    ///
    /// None: the SQE carries no pointer.
    ///
    /// # References
    ///
    /// - [`poll(2)`](https://man7.org/linux/man-pages/man2/poll.2.html)
    #[doc(alias = "IORING_OP_POLL_ADD")]
    #[doc(alias = "io_uring_prep_poll_add")]
    pub struct PollAdd {
        fd: { impl Target },
        events: { PollEvents },
        ;;
        /// Multishot: one CQE (with `F_MORE`) per readiness change until cancelled
        /// (`IORING_POLL_ADD_MULTI`).
        multi: bool = false,
        /// More `IORING_POLL_*` flags.
        flags: PollFlags = PollFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_POLL_ADD;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.fd);
        f.op_flags = poll32(self.events);
        let mut flags = self.flags.bits();
        if self.multi {
            flags |= PollFlags::ADD_MULTI.bits();
        }
        f.len = flags;
        f.sqe()
    }
}

opcode! {
    /// Cancel the poll request whose `user_data` is `target`.
    ///
    /// io_uring only. Linux 5.1+. `cqe->res` is 0, or `-ENOENT` if no such poll is armed; the
    /// removed poll completes with `-ECANCELED`.
    ///
    /// # Memory
    ///
    /// None: `target` is a number, not a pointer.
    ///
    /// # References
    ///
    /// - [`io_uring_prep_poll_remove(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_poll_remove.3.html)
    #[doc(alias = "IORING_OP_POLL_REMOVE")]
    #[doc(alias = "io_uring_prep_poll_remove")]
    pub struct PollRemove {
        target: { u64 },
        ;;
    }

    pub const CODE = sys::IORING_OP_POLL_REMOVE;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = -1;
        f.addr = self.target;
        f.sqe()
    }
}

opcode! {
    /// Change the events and/or the `user_data` of the armed poll whose `user_data` is
    /// `target` (the update form of `POLL_REMOVE`).
    ///
    /// io_uring only. Linux 5.13+.
    ///
    /// # Memory
    ///
    /// The SQE carries only numbers, but a new `user_data` can make the poll's later CQE look
    /// like another request's, so it is not [`NoMemory`](super::NoMemory).
    ///
    /// # References
    ///
    /// - [`io_uring_prep_poll_update(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_poll_update.3.html)
    #[doc(alias = "IORING_OP_POLL_REMOVE")]
    #[doc(alias = "io_uring_prep_poll_update")]
    pub struct PollUpdate {
        target: { u64 },
        ;;
        /// New events (sets `IORING_POLL_UPDATE_EVENTS`).
        events: Option<PollEvents> = None,
        /// New user_data (sets `IORING_POLL_UPDATE_USER_DATA`).
        new_user_data: Option<u64> = None,
        /// More `IORING_POLL_*` flags (e.g. `ADD_MULTI` to keep it multishot).
        flags: PollFlags = PollFlags::empty(),
    }

    pub const CODE = sys::IORING_OP_POLL_REMOVE;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = -1;
        f.addr = self.target;
        let mut flags = self.flags.bits();
        if let Some(ev) = self.events {
            flags |= PollFlags::UPDATE_EVENTS.bits();
            f.op_flags = poll32(ev);
        }
        if let Some(ud) = self.new_user_data {
            flags |= PollFlags::UPDATE_USER_DATA.bits();
            f.off = ud;
        }
        f.len = flags;
        f.sqe()
    }
}

opcode! {
    /// `epoll_ctl(epfd, op, fd, event)` — add, modify or remove an epoll interest.
    ///
    /// Equivalent to `epoll_ctl(2)`. Linux 5.6+. `epfd` is a plain [`Fd`]: the kernel looks
    /// the epoll instance up by number (a registered slot would be misread as an fd).
    ///
    /// # Memory
    ///
    /// The kernel reads `*event` (null for `EPOLL_CTL_DEL`) until the CQE.
    ///
    /// # References
    ///
    /// - [`epoll_ctl(2)`](https://man7.org/linux/man-pages/man2/epoll_ctl.2.html)
    #[doc(alias = "IORING_OP_EPOLL_CTL")]
    #[doc(alias = "io_uring_prep_epoll_ctl")]
    pub struct EpollCtl {
        epfd: { Fd },
        fd: { i32 },
        op: { i32 },
        event: { *const libc::epoll_event },
        ;;
    }

    pub const CODE = sys::IORING_OP_EPOLL_CTL;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = self.epfd.0;
        f.addr = ptr(self.event);
        f.len = self.op as u32;
        f.off = self.fd as u32 as u64;
        f.sqe()
    }
}

opcode! {
    /// `epoll_wait(epfd, events, maxevents, 0)` — wait for epoll events without blocking a
    /// thread.
    ///
    /// Equivalent to `epoll_wait(2)`. Linux 6.15+. `cqe->res` is the number of events written.
    ///
    /// # Memory
    ///
    /// The kernel writes up to `maxevents` `epoll_event`s at `events` until the CQE.
    ///
    /// # References
    ///
    /// - [`epoll_wait(2)`](https://man7.org/linux/man-pages/man2/epoll_wait.2.html)
    #[doc(alias = "IORING_OP_EPOLL_WAIT")]
    #[doc(alias = "io_uring_prep_epoll_wait")]
    pub struct EpollWait {
        epfd: { impl Target },
        events: { *mut libc::epoll_event },
        maxevents: { u32 },
        ;;
    }

    pub const CODE = sys::IORING_OP_EPOLL_WAIT;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE).target(self.epfd);
        f.addr = ptr(self.events);
        f.len = self.maxevents;
        f.sqe()
    }
}

// Not `PollUpdate`: it can give an armed poll any `user_data` (see `NoMemory`'s rule 2).
no_memory!(PollAdd, PollRemove);
