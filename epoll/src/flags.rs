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
        const READABLE = sys::EPOLLIN;
        /// `EPOLLOUT`: writable.
        const WRITABLE = sys::EPOLLOUT;
        /// `EPOLLPRI`: exceptional condition (TCP urgent data, PTY packet mode, cgroup events).
        const PRIORITY = sys::EPOLLPRI;
        /// `EPOLLRDHUP`: the stream peer shut down writing (reported as
        /// [`Event::is_read_closed`](crate::Event::is_read_closed), apart from hang-up).
        const READ_CLOSED = sys::EPOLLRDHUP;
        /// `EPOLLERR`: error; the kernel always reports it, asking is harmless.
        const ERROR = sys::EPOLLERR;
        /// `EPOLLHUP`: hang-up; the kernel always reports it, asking is harmless.
        const HANGUP = sys::EPOLLHUP;
        /// `EPOLLRDNORM`: normal data readable.
        const READ_NORMAL = sys::EPOLLRDNORM;
        /// `EPOLLRDBAND`: priority-band data readable.
        const READ_BAND = sys::EPOLLRDBAND;
        /// `EPOLLWRNORM`: normal data writable.
        const WRITE_NORMAL = sys::EPOLLWRNORM;
        /// `EPOLLWRBAND`: priority-band data writable.
        const WRITE_BAND = sys::EPOLLWRBAND;
        /// `EPOLLMSG`: accepted and ignored by Linux.
        const MESSAGE = sys::EPOLLMSG;
        /// `EPOLLET`: edge-triggered: one report per change of state, not per wait.
        const EDGE_TRIGGERED = sys::EPOLLET;
        /// `EPOLLONESHOT`: one report, then disabled until [`Epoll::modify`](crate::Epoll::modify).
        const ONESHOT = sys::EPOLLONESHOT;
        /// `EPOLLEXCLUSIVE`: wake one of several epoll instances watching the same fd (Linux
        /// 4.5+); only with `add`, and only beside the read/write bits (`READABLE`, `WRITABLE`,
        /// `READ_NORMAL`, `READ_BAND`, `WRITE_NORMAL`, `WRITE_BAND`), `ERROR`, `HANGUP`,
        /// `EDGE_TRIGGERED` and `WAKEUP` (`EINVAL` otherwise).
        const EXCLUSIVE = sys::EPOLLEXCLUSIVE;
        /// `EPOLLWAKEUP`: keep the system awake while the event is pending; silently dropped
        /// without `CAP_BLOCK_SUSPEND`.
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
        const READABLE = sys::EPOLLIN;
        /// `EPOLLOUT`
        const WRITABLE = sys::EPOLLOUT;
        /// `EPOLLPRI`
        const PRIORITY = sys::EPOLLPRI;
        /// `EPOLLRDHUP`: the peer shut down writing; reading returns EOF after the buffered data.
        const READ_CLOSED = sys::EPOLLRDHUP;
        /// `EPOLLERR`
        const ERROR = sys::EPOLLERR;
        /// `EPOLLHUP`: both directions are shut down (or a pipe's other end closed).
        const HANGUP = sys::EPOLLHUP;
        /// `EPOLLRDNORM`
        const READ_NORMAL = sys::EPOLLRDNORM;
        /// `EPOLLRDBAND`
        const READ_BAND = sys::EPOLLRDBAND;
        /// `EPOLLWRNORM`
        const WRITE_NORMAL = sys::EPOLLWRNORM;
        /// `EPOLLWRBAND`
        const WRITE_BAND = sys::EPOLLWRBAND;
        /// `EPOLLMSG`
        const MESSAGE = sys::EPOLLMSG;
        const _ = !0;
    }
}
