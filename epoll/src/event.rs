//! One readiness report and the reusable buffer `wait` fills.

use crate::flags::Ready;
use epoll_sys as sys;
use std::fmt;
use std::mem::{align_of, offset_of, size_of};

/// One readiness report: `struct epoll_event` as `epoll_wait(2)` writes it.
///
/// Same layout as [`epoll_sys::epoll_event`] (packed, 12 bytes, on x86_64 and i686), with the
/// data as the `u64` token given to [`Epoll::add`](crate::Epoll::add).
#[cfg_attr(any(target_arch = "x86_64", target_arch = "x86"), repr(C, packed))]
#[cfg_attr(not(any(target_arch = "x86_64", target_arch = "x86")), repr(C))]
#[derive(Clone, Copy, PartialEq, Eq)]
#[doc(alias = "epoll_event")]
pub struct Event {
    events: u32,
    data: u64,
}

const _: () = {
    assert!(size_of::<Event>() == size_of::<sys::epoll_event>());
    assert!(align_of::<Event>() == align_of::<sys::epoll_event>());
    assert!(offset_of!(Event, events) == offset_of!(sys::epoll_event, events));
    assert!(offset_of!(Event, data) == offset_of!(sys::epoll_event, data));
};

impl Event {
    /// The token the fd was registered with (`epoll_event.data.u64`).
    #[inline]
    pub fn token(&self) -> u64 {
        self.data
    }

    /// The reported bits (`epoll_event.events`).
    #[inline]
    pub fn ready(&self) -> Ready {
        Ready::from_bits_retain(self.events)
    }

    /// `EPOLLIN`: a read will not block (it may return EOF).
    #[doc(alias = "EPOLLIN")]
    #[inline]
    pub fn is_readable(&self) -> bool {
        self.events & sys::EPOLLIN != 0
    }

    /// `EPOLLOUT`: a write will not block.
    #[doc(alias = "EPOLLOUT")]
    #[inline]
    pub fn is_writable(&self) -> bool {
        self.events & sys::EPOLLOUT != 0
    }

    /// `EPOLLPRI`: exceptional condition.
    #[doc(alias = "EPOLLPRI")]
    #[inline]
    pub fn is_priority(&self) -> bool {
        self.events & sys::EPOLLPRI != 0
    }

    /// `EPOLLRDHUP`: the stream peer shut down its writing half. Reported only if
    /// [`Interest::READ_CLOSED`](crate::Interest::READ_CLOSED) was asked for, and distinct from
    /// [`is_hangup`](Self::is_hangup): the fd may still be writable.
    #[doc(alias = "EPOLLRDHUP")]
    #[inline]
    pub fn is_read_closed(&self) -> bool {
        self.events & sys::EPOLLRDHUP != 0
    }

    /// `EPOLLERR`: an error is pending (read it with `SO_ERROR` or the next I/O call).
    #[doc(alias = "EPOLLERR")]
    #[inline]
    pub fn is_error(&self) -> bool {
        self.events & sys::EPOLLERR != 0
    }

    /// `EPOLLHUP`: hang-up: both directions closed, or a pipe's other end closed.
    #[doc(alias = "EPOLLHUP")]
    #[inline]
    pub fn is_hangup(&self) -> bool {
        self.events & sys::EPOLLHUP != 0
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("token", &self.token())
            .field("ready", &self.ready())
            .finish()
    }
}

/// The caller's reusable buffer of [`Event`]s for [`Epoll::wait`](crate::Epoll::wait).
///
/// Allocated once; each `wait` overwrites it and sets its length, so waiting never allocates.
pub struct Events {
    buf: Vec<Event>,
    len: usize,
}

impl Events {
    /// The most events one wait can ask for: the kernel's `EP_MAX_EVENTS`
    /// (`INT_MAX / sizeof(struct epoll_event)`). `epoll_wait` fails with `EINVAL` for a larger
    /// `maxevents`, so a bigger buffer would make every wait fail.
    pub(crate) const MAX_CAPACITY: usize = i32::MAX as usize / size_of::<Event>();

    /// A buffer for up to `capacity` events per wait, clamped to `1..=EP_MAX_EVENTS`: the kernel
    /// refuses `maxevents = 0` and more than `EP_MAX_EVENTS` (`INT_MAX / sizeof(struct
    /// epoll_event)`, 178,956,970 on x86_64) with `EINVAL`.
    pub fn with_capacity(capacity: usize) -> Self {
        let cap = capacity.clamp(1, Self::MAX_CAPACITY);
        Events {
            buf: vec![Event { events: 0, data: 0 }; cap],
            len: 0,
        }
    }

    /// How many events one wait can return (`maxevents`).
    #[inline]
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// Number of events the last wait returned.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the last wait returned no event (timeout or interrupted).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets the events of the last wait.
    #[inline]
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// The events of the last wait.
    #[inline]
    pub fn as_slice(&self) -> &[Event] {
        // `len <= buf.len()` is kept by `set_len`.
        &self.buf[..self.len]
    }

    /// Iterates over the events of the last wait.
    #[inline]
    pub fn iter(&self) -> std::slice::Iter<'_, Event> {
        self.as_slice().iter()
    }

    #[inline]
    pub(crate) fn spare(&mut self) -> &mut [Event] {
        &mut self.buf
    }

    #[inline]
    pub(crate) fn set_len(&mut self, n: usize) {
        self.len = n.min(self.buf.len());
    }
}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Events")
            .field("capacity", &self.capacity())
            .field("events", &self.as_slice())
            .finish()
    }
}

impl<'a> IntoIterator for &'a Events {
    type Item = &'a Event;
    type IntoIter = std::slice::Iter<'a, Event>;
    #[inline]
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
