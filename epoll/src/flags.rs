//! The interest and readiness bits.

use bitflags::bitflags;
use epoll_sys as sys;

bitflags! {
    /// What to be told about a fd: the `events` mask given to `epoll_ctl`.
    ///
    /// Level-triggered is the default (no flag); add [`EDGE_TRIGGERED`](Self::EDGE_TRIGGERED)
    /// for edge-triggered, [`ONESHOT`](Self::ONESHOT) for one report per arming. Unknown bits
    /// are kept and passed to the kernel as they are.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Interest: u32 {
        /// `EPOLLIN`: readable (or a listening socket has a connection to accept).
        #[doc(alias = "EPOLLIN")]
        const READABLE = sys::EPOLLIN;
        /// `EPOLLOUT`: writable.
        #[doc(alias = "EPOLLOUT")]
        const WRITABLE = sys::EPOLLOUT;
        /// `EPOLLPRI`: exceptional condition (TCP urgent data, PTY packet mode, cgroup events).
        #[doc(alias = "EPOLLPRI")]
        const PRIORITY = sys::EPOLLPRI;
        /// `EPOLLRDHUP`: the stream peer shut down writing (reported as
        /// [`Event::is_read_closed`](crate::Event::is_read_closed), apart from hang-up).
        #[doc(alias = "EPOLLRDHUP")]
        const READ_CLOSED = sys::EPOLLRDHUP;
        /// `EPOLLERR`: error; the kernel always reports it, asking is harmless.
        #[doc(alias = "EPOLLERR")]
        const ERROR = sys::EPOLLERR;
        /// `EPOLLHUP`: hang-up; the kernel always reports it, asking is harmless.
        #[doc(alias = "EPOLLHUP")]
        const HANGUP = sys::EPOLLHUP;
        /// `EPOLLRDNORM`: normal data readable.
        #[doc(alias = "EPOLLRDNORM")]
        const READ_NORMAL = sys::EPOLLRDNORM;
        /// `EPOLLRDBAND`: priority-band data readable.
        #[doc(alias = "EPOLLRDBAND")]
        const READ_BAND = sys::EPOLLRDBAND;
        /// `EPOLLWRNORM`: normal data writable.
        #[doc(alias = "EPOLLWRNORM")]
        const WRITE_NORMAL = sys::EPOLLWRNORM;
        /// `EPOLLWRBAND`: priority-band data writable.
        #[doc(alias = "EPOLLWRBAND")]
        const WRITE_BAND = sys::EPOLLWRBAND;
        /// `EPOLLMSG`: accepted and ignored by Linux.
        #[doc(alias = "EPOLLMSG")]
        const MESSAGE = sys::EPOLLMSG;
        /// `EPOLLET`: edge-triggered: one report per change of state, not per wait.
        #[doc(alias = "EPOLLET")]
        const EDGE_TRIGGERED = sys::EPOLLET;
        /// `EPOLLONESHOT`: one report, then disabled until [`Epoll::modify`](crate::Epoll::modify).
        #[doc(alias = "EPOLLONESHOT")]
        const ONESHOT = sys::EPOLLONESHOT;
        /// `EPOLLEXCLUSIVE`: wake one of several epoll instances watching the same fd (Linux
        /// 4.5+); only with `add`, and only beside the read/write bits (`READABLE`, `WRITABLE`,
        /// `READ_NORMAL`, `READ_BAND`, `WRITE_NORMAL`, `WRITE_BAND`), `ERROR`, `HANGUP`,
        /// `EDGE_TRIGGERED` and `WAKEUP` (`EINVAL` otherwise).
        #[doc(alias = "EPOLLEXCLUSIVE")]
        const EXCLUSIVE = sys::EPOLLEXCLUSIVE;
        /// `EPOLLWAKEUP`: keep the system awake while the event is pending; silently dropped
        /// without `CAP_BLOCK_SUSPEND`.
        #[doc(alias = "EPOLLWAKEUP")]
        const WAKEUP = sys::EPOLLWAKEUP;
        const _ = !0;
    }
}

bitflags! {
    /// What the kernel reported: the `events` mask of a returned `epoll_event`.
    ///
    /// Unknown bits are kept.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Ready: u32 {
        /// `EPOLLIN`
        #[doc(alias = "EPOLLIN")]
        const READABLE = sys::EPOLLIN;
        /// `EPOLLOUT`
        #[doc(alias = "EPOLLOUT")]
        const WRITABLE = sys::EPOLLOUT;
        /// `EPOLLPRI`
        #[doc(alias = "EPOLLPRI")]
        const PRIORITY = sys::EPOLLPRI;
        /// `EPOLLRDHUP`: the peer shut down writing; reading returns EOF after the buffered data.
        #[doc(alias = "EPOLLRDHUP")]
        const READ_CLOSED = sys::EPOLLRDHUP;
        /// `EPOLLERR`
        #[doc(alias = "EPOLLERR")]
        const ERROR = sys::EPOLLERR;
        /// `EPOLLHUP`: both directions are shut down (or a pipe's other end closed).
        #[doc(alias = "EPOLLHUP")]
        const HANGUP = sys::EPOLLHUP;
        /// `EPOLLRDNORM`
        #[doc(alias = "EPOLLRDNORM")]
        const READ_NORMAL = sys::EPOLLRDNORM;
        /// `EPOLLRDBAND`
        #[doc(alias = "EPOLLRDBAND")]
        const READ_BAND = sys::EPOLLRDBAND;
        /// `EPOLLWRNORM`
        #[doc(alias = "EPOLLWRNORM")]
        const WRITE_NORMAL = sys::EPOLLWRNORM;
        /// `EPOLLWRBAND`
        #[doc(alias = "EPOLLWRBAND")]
        const WRITE_BAND = sys::EPOLLWRBAND;
        /// `EPOLLMSG`
        #[doc(alias = "EPOLLMSG")]
        const MESSAGE = sys::EPOLLMSG;
        const _ = !0;
    }
}
