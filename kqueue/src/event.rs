//! [`Event`] and the reusable [`Events`] buffer the kernel writes into.

use std::fmt;
use std::io;

use crate::change::flags_of;
use crate::os::{Kevent, Native, Os, RawInt};
use crate::types::{self, Filter, Flags, ProcEvents, VnodeEvents};

/// One event returned by `kevent(2)` — a `struct kevent` from the `eventlist`, decoded on
/// access. Every field is read as an integer: an unknown filter is [`Filter::Unknown`] and
/// unknown flag bits are kept.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Event(pub(crate) Kevent<Native>);

/// The error an `EV_ERROR` event carries in `data`, if any (`EV_RECEIPT` successes have 0).
pub(crate) fn error_of<O: Os>(k: &Kevent<O>) -> Option<i32> {
    if !flags_of(k).contains(Flags::ERROR) {
        return None;
    }
    match k.data.to_i64() {
        0 => None,
        e => Some(i32::try_from(e).unwrap_or(i32::MAX)),
    }
}

/// The socket error an `EV_EOF` read/write event carries in `fflags`, if any.
pub(crate) fn eof_error_of<O: Os>(k: &Kevent<O>) -> Option<i32> {
    let f = k.filter;
    if flags_of(k).contains(Flags::EOF)
        && (f == O::EVFILT_READ || f == O::EVFILT_WRITE)
        && k.fflags != 0
    {
        Some(i32::try_from(k.fflags).unwrap_or(i32::MAX))
    } else {
        None
    }
}

/// The wait status of a `NOTE_EXIT` process event.
pub(crate) fn exit_status_of<O: Os>(k: &Kevent<O>) -> Option<i32> {
    if k.filter == O::EVFILT_PROC
        && ProcEvents::from_bits_retain(k.fflags).contains(ProcEvents::EXIT)
    {
        // The kernel stores the `int` status widened into `data`.
        Some(k.data.to_i64() as i32)
    } else {
        None
    }
}

impl Event {
    /// The `ident` field: the descriptor, pid, signal, timer or user-event number.
    pub fn ident(&self) -> usize {
        self.0.ident
    }

    /// The token given at registration (`udata`).
    pub fn token(&self) -> usize {
        self.0.udata
    }

    /// The `filter` field, decoded; [`Filter::Unknown`] for a value without a name.
    pub fn filter(&self) -> Filter {
        types::filter_from_raw::<Native>(self.0.filter)
    }

    /// The `flags` field, unknown bits kept.
    pub fn flags(&self) -> Flags {
        flags_of(&self.0)
    }

    /// The `fflags` field, raw.
    pub fn fflags(&self) -> u32 {
        self.0.fflags
    }

    /// The `data` field widened to `i64`: bytes readable/writable, timer expirations, signal
    /// count, an errno with `EV_ERROR`, the wait status with `NOTE_EXIT`.
    pub fn data(&self) -> i64 {
        self.0.data.to_i64()
    }

    /// `EV_EOF`: the other end closed (for a socket or pipe; readable data may remain).
    #[doc(alias = "EV_EOF")]
    pub fn is_eof(&self) -> bool {
        self.flags().contains(Flags::EOF)
    }

    /// `EV_ERROR` with a nonzero `data`: the change that produced this entry failed, with that
    /// errno. `None` for ordinary events and for `EV_RECEIPT` successes.
    #[doc(alias = "EV_ERROR")]
    pub fn error(&self) -> Option<io::Error> {
        error_of(&self.0).map(io::Error::from_raw_os_error)
    }

    /// With `EV_EOF` on a read or write filter: the socket's pending error from `fflags`
    /// (e.g. `ECONNRESET`), if the kernel reported one.
    pub fn eof_error(&self) -> Option<io::Error> {
        eof_error_of(&self.0).map(io::Error::from_raw_os_error)
    }

    /// `fflags` of a [`Filter::Vnode`] event: what happened to the file.
    pub fn vnode_events(&self) -> VnodeEvents {
        VnodeEvents::from_bits_retain(self.0.fflags)
    }

    /// `fflags` of a [`Filter::Proc`] event: what happened to the process.
    pub fn proc_events(&self) -> ProcEvents {
        ProcEvents::from_bits_retain(self.0.fflags)
    }

    /// The wait status (as from `waitpid(2)`; decode with `WIFEXITED`...) of a process-exit
    /// event, `None` for other events.
    pub fn exit_status(&self) -> Option<i32> {
        exit_status_of(&self.0)
    }

    /// The 24 user bits of a [`Filter::User`] event.
    pub fn user_bits(&self) -> u32 {
        self.0.fflags & types::NOTE_FFLAGSMASK
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("ident", &self.ident())
            .field("filter", &self.filter())
            .field("flags", &self.flags())
            .field("fflags", &format_args!("{:#x}", self.fflags()))
            .field("data", &self.data())
            .field("token", &self.token())
            .finish()
    }
}

/// A reusable buffer of events, filled by [`Kqueue::wait`](crate::Kqueue).
///
/// It holds `capacity` zeroed `struct kevent`s allocated once; each `wait` lets the kernel
/// write up to that many and records how many it wrote.
#[derive(Clone)]
pub struct Events {
    buf: Vec<Event>,
    len: usize,
}

impl Events {
    /// A buffer for up to `capacity` events per call. A capacity of 0 makes `wait` apply its
    /// changes and return at once without waiting (the kernel has nowhere to put events).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            buf: vec![Event(Kevent::ZERO); capacity],
            len: 0,
        }
    }

    /// How many events one call can return.
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// How many events the last call returned.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the last call returned no events.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets the returned events.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// The returned events.
    pub fn as_slice(&self) -> &[Event] {
        &self.buf[..self.len]
    }

    /// Iterates over the returned events.
    pub fn iter(&self) -> std::slice::Iter<'_, Event> {
        self.as_slice().iter()
    }

    /// The whole buffer for the kernel to write, and forget what it held.
    #[cfg_attr(not(kqueue_os), allow(dead_code))]
    pub(crate) fn spare_mut(&mut self) -> &mut [Event] {
        self.len = 0;
        &mut self.buf
    }

    /// Records that the kernel wrote the first `n` entries (clamped to the capacity).
    #[cfg_attr(not(kqueue_os), allow(dead_code))]
    pub(crate) fn set_filled(&mut self, n: usize) {
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
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::build;

    // Property tests run where proptest is a dev-dependency (Linux, in `./x test`); they
    // exercise every system's table, so a BSD host would only repeat them.
    #[cfg(target_os = "linux")]
    mod prop {
        use super::*;
        use crate::os::{Apple, DragonFly, FreeBsd, NetBsd, OpenBsd};
        use proptest::prelude::*;

        fn decode_errors<O: Os>(
            flags: u16,
            fflags: u32,
            data: i64,
            filter_write: bool,
        ) -> Result<(), TestCaseError> {
            let Some(d) = O::Data::from_i64(data) else {
                return Ok(());
            };
            let filter = if filter_write {
                O::EVFILT_WRITE
            } else {
                O::EVFILT_TIMER
            };
            let k = build::<O>(
                3,
                filter,
                Flags::from_bits_retain(u32::from(flags)),
                fflags,
                d,
                9,
            );
            let has_err = flags & 0x4000 != 0 && data != 0;
            prop_assert_eq!(error_of(&k).is_some(), has_err);
            if has_err && i32::try_from(data).is_ok() {
                prop_assert_eq!(error_of(&k), Some(data as i32));
            }
            let has_eof_err = flags & 0x8000 != 0 && filter_write && fflags != 0;
            prop_assert_eq!(eof_error_of(&k).is_some(), has_eof_err);
            Ok(())
        }

        proptest! {
            #[test]
            fn error_and_eof_decode_from_raw_bits(flags in any::<u16>(), fflags in any::<u32>(), data in any::<i64>(), w in any::<bool>()) {
                decode_errors::<FreeBsd>(flags, fflags, data, w)?;
                decode_errors::<Apple>(flags, fflags, data, w)?;
                decode_errors::<NetBsd>(flags, fflags, data, w)?;
                decode_errors::<OpenBsd>(flags, fflags, data, w)?;
                decode_errors::<DragonFly>(flags, fflags, data, w)?;
            }
        }
    }

    #[test]
    fn receipts_and_errors() {
        let ok = Event(build::<Native>(
            4,
            Native::EVFILT_READ,
            Flags::ERROR,
            0,
            0,
            1,
        ));
        assert!(ok.error().is_none());
        let bad = Event(build::<Native>(
            4,
            Native::EVFILT_READ,
            Flags::ERROR,
            0,
            9,
            1,
        ));
        assert_eq!(bad.error().unwrap().raw_os_error(), Some(9));
        let eof = Event(build::<Native>(
            4,
            Native::EVFILT_READ,
            Flags::EOF,
            54,
            0,
            1,
        ));
        assert!(eof.is_eof());
        assert_eq!(eof.eof_error().unwrap().raw_os_error(), Some(54));
        let exit = Event(build::<Native>(
            77,
            Native::EVFILT_PROC,
            Flags::empty(),
            0x8000_0000,
            256,
            1,
        ));
        assert_eq!(exit.exit_status(), Some(256));
        assert_eq!(exit.proc_events(), ProcEvents::EXIT);
        let raw = <Native as Os>::Filter::from_i64(100).unwrap();
        let unknown = Event(build::<Native>(1, raw, Flags::empty(), 0, 0, 1));
        assert_eq!(unknown.filter(), Filter::Unknown(100));
        assert!(format!("{unknown:?}").contains("Unknown(100)"));
    }

    #[test]
    fn events_buffer_tracks_fill() {
        let mut ev = Events::with_capacity(4);
        assert_eq!((ev.capacity(), ev.len(), ev.is_empty()), (4, 0, true));
        ev.spare_mut()[0] = Event(build::<Native>(
            1,
            Native::EVFILT_USER,
            Flags::empty(),
            0x7,
            0,
            5,
        ));
        ev.set_filled(9);
        assert_eq!(ev.len(), 4);
        ev.set_filled(1);
        let v: Vec<_> = ev
            .iter()
            .map(|e| (e.token(), e.filter(), e.user_bits()))
            .collect();
        assert_eq!(v, [(5, Filter::User, 7)]);
        ev.clear();
        assert!(ev.as_slice().is_empty());
    }
}
