//! Filters, flags and the `fflags` vocabularies, with their encoding into and decoding from the
//! integers of `struct kevent`. Everything here is pure and generic over the [`Os`] table, so
//! unit tests run it for all five systems on any host.

use std::io;
use std::time::{Duration, SystemTime};

use crate::os::{Os, RawInt};

/// What a kevent watches — the `filter` field (`EVFILT_*`).
///
/// Read back from the kernel, a value this crate does not know becomes [`Filter::Unknown`]
/// with the raw number; it is never transmuted into the enum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Filter {
    /// `EVFILT_READ`: data to read on a descriptor (`data`: bytes available, or pending
    /// connections on a listening socket).
    #[doc(alias = "EVFILT_READ")]
    Read,
    /// `EVFILT_WRITE`: room to write (`data`: bytes of space).
    #[doc(alias = "EVFILT_WRITE")]
    Write,
    /// `EVFILT_AIO`: a POSIX AIO request completed. Registered through `aio_*` with
    /// `SIGEV_KEVENT` (FreeBSD), not through `kevent`; it only appears in events.
    #[doc(alias = "EVFILT_AIO")]
    Aio,
    /// `EVFILT_VNODE`: a file changed; see [`VnodeEvents`].
    #[doc(alias = "EVFILT_VNODE")]
    Vnode,
    /// `EVFILT_PROC`: a process exited, forked or exec'd; see [`ProcEvents`].
    #[doc(alias = "EVFILT_PROC")]
    Proc,
    /// `EVFILT_SIGNAL`: a signal was delivered (`data`: count since last report). The signal
    /// still takes its normal action; block or ignore it to only see it here.
    #[doc(alias = "EVFILT_SIGNAL")]
    Signal,
    /// `EVFILT_TIMER`: a timer fired (`data`: expirations since last report); see [`Timer`].
    #[doc(alias = "EVFILT_TIMER")]
    Timer,
    /// `EVFILT_USER`: a user event, triggered by another `kevent` call; see [`UserOp`].
    #[doc(alias = "EVFILT_USER")]
    User,
    /// `EVFILT_EXCEPT`: exceptional conditions, such as out-of-band data (macOS, OpenBSD,
    /// DragonFly; the crate's own unit tests see every variant on every system).
    #[doc(alias = "EVFILT_EXCEPT")]
    #[cfg(any(
        test,
        target_vendor = "apple",
        target_os = "openbsd",
        target_os = "dragonfly"
    ))]
    Except,
    /// `EVFILT_MACHPORT`: a Mach port (set) has a message (Apple systems).
    #[doc(alias = "EVFILT_MACHPORT")]
    #[cfg(any(test, target_vendor = "apple"))]
    Machport,
    /// A filter value this crate has no name for, widened without loss to `i64`
    /// (the C field is `short`, or `uint32_t` on NetBSD).
    Unknown(i64),
}

/// The raw `filter` value of `f` on system `O`, or `None` when `O` lacks the filter or an
/// [`Filter::Unknown`] value does not fit the field.
pub(crate) fn filter_to_raw<O: Os>(f: Filter) -> Option<O::Filter> {
    Some(match f {
        Filter::Read => O::EVFILT_READ,
        Filter::Write => O::EVFILT_WRITE,
        Filter::Aio => O::EVFILT_AIO,
        Filter::Vnode => O::EVFILT_VNODE,
        Filter::Proc => O::EVFILT_PROC,
        Filter::Signal => O::EVFILT_SIGNAL,
        Filter::Timer => O::EVFILT_TIMER,
        Filter::User => O::EVFILT_USER,
        #[cfg(any(
            test,
            target_vendor = "apple",
            target_os = "openbsd",
            target_os = "dragonfly"
        ))]
        Filter::Except => O::EVFILT_EXCEPT?,
        #[cfg(any(test, target_vendor = "apple"))]
        Filter::Machport => O::EVFILT_MACHPORT?,
        Filter::Unknown(raw) => O::Filter::from_i64(raw)?,
    })
}

/// Decodes a `filter` field written by the kernel of system `O`.
pub(crate) fn filter_from_raw<O: Os>(v: O::Filter) -> Filter {
    // A chain of comparisons, not a transmute: any value is accepted.
    if v == O::EVFILT_READ {
        return Filter::Read;
    }
    if v == O::EVFILT_WRITE {
        return Filter::Write;
    }
    if v == O::EVFILT_AIO {
        return Filter::Aio;
    }
    if v == O::EVFILT_VNODE {
        return Filter::Vnode;
    }
    if v == O::EVFILT_PROC {
        return Filter::Proc;
    }
    if v == O::EVFILT_SIGNAL {
        return Filter::Signal;
    }
    if v == O::EVFILT_TIMER {
        return Filter::Timer;
    }
    if v == O::EVFILT_USER {
        return Filter::User;
    }
    #[cfg(any(
        test,
        target_vendor = "apple",
        target_os = "openbsd",
        target_os = "dragonfly"
    ))]
    if Some(v) == O::EVFILT_EXCEPT {
        return Filter::Except;
    }
    #[cfg(any(test, target_vendor = "apple"))]
    if Some(v) == O::EVFILT_MACHPORT {
        return Filter::Machport;
    }
    Filter::Unknown(v.to_i64())
}

bitflags::bitflags! {
    /// The `flags` field: actions (`EV_ADD`...), behaviour (`EV_ONESHOT`...) and the bits the
    /// kernel returns (`EV_EOF`, `EV_ERROR`). The values are the same on every kqueue system.
    ///
    /// The C field is `u_short` (NetBSD: `uint32_t`); bits the kernel sets that have no name
    /// here are kept.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct Flags: u32 {
        /// `EV_ADD`: add the event, or modify it if it exists (implies `EV_ENABLE`).
        const ADD = 0x0001;
        /// `EV_DELETE`: remove the event.
        const DELETE = 0x0002;
        /// `EV_ENABLE`: let the event be returned.
        const ENABLE = 0x0004;
        /// `EV_DISABLE`: keep the event but do not return it.
        const DISABLE = 0x0008;
        /// `EV_ONESHOT`: delete the event after it is returned once.
        const ONESHOT = 0x0010;
        /// `EV_CLEAR`: reset the state after it is returned (edge-triggered).
        const CLEAR = 0x0020;
        /// `EV_RECEIPT`: report the change's result as an `EV_ERROR` event (`data` 0 on success)
        /// instead of draining pending events.
        const RECEIPT = 0x0040;
        /// `EV_DISPATCH`: disable the event after it is returned (re-arm with `EV_ENABLE`).
        const DISPATCH = 0x0080;
        /// `EV_ERROR` (returned): `data` holds an errno for the change.
        const ERROR = 0x4000;
        /// `EV_EOF` (returned): the other end closed; `fflags` may hold a socket error.
        const EOF = 0x8000;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `fflags` of [`Filter::Vnode`] (`NOTE_*`), the same on every kqueue system.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct VnodeEvents: u32 {
        /// `NOTE_DELETE`: the file was unlinked.
        const DELETE = 0x0001;
        /// `NOTE_WRITE`: the contents changed.
        const WRITE = 0x0002;
        /// `NOTE_EXTEND`: the file grew.
        const EXTEND = 0x0004;
        /// `NOTE_ATTRIB`: attributes changed.
        const ATTRIB = 0x0008;
        /// `NOTE_LINK`: the link count changed.
        const LINK = 0x0010;
        /// `NOTE_RENAME`: the file was renamed.
        const RENAME = 0x0020;
        /// `NOTE_REVOKE`: access was revoked (`revoke(2)` or unmount).
        const REVOKE = 0x0040;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `fflags` of [`Filter::Proc`] (`NOTE_*`), the same on every kqueue system.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct ProcEvents: u32 {
        /// `NOTE_EXIT`: the process exited; the event's `data` is its wait status
        /// (see [`Event::exit_status`](crate::Event::exit_status)).
        const EXIT = 0x8000_0000;
        /// `NOTE_FORK`: the process forked.
        const FORK = 0x4000_0000;
        /// `NOTE_EXEC`: the process called `execve(2)`.
        const EXEC = 0x2000_0000;
        const _ = !0;
    }
}

/// `NOTE_TRIGGER`.
pub(crate) const NOTE_TRIGGER: u32 = 0x0100_0000;
/// `NOTE_FFNOP`.
pub(crate) const NOTE_FFNOP: u32 = 0;
/// `NOTE_FFAND`.
pub(crate) const NOTE_FFAND: u32 = 0x4000_0000;
/// `NOTE_FFOR`.
pub(crate) const NOTE_FFOR: u32 = 0x8000_0000;
/// `NOTE_FFCOPY`.
pub(crate) const NOTE_FFCOPY: u32 = 0xc000_0000;
/// `NOTE_FFLAGSMASK`: the 24 user bits of an `EVFILT_USER` event.
pub(crate) const NOTE_FFLAGSMASK: u32 = 0x00ff_ffff;
/// `ENOENT`, the same number on every kqueue system.
pub(crate) const ENOENT: i32 = 2;
/// `EPIPE`, the same number on every kqueue system.
pub(crate) const EPIPE: i32 = 32;

/// How a [`Filter::User`] change updates the event's 24 user bits (`NOTE_FF*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UserOp {
    /// `NOTE_FFNOP`: leave the bits.
    #[doc(alias = "NOTE_FFNOP")]
    Nop,
    /// `NOTE_FFAND`: `bits &= value`.
    #[doc(alias = "NOTE_FFAND")]
    And(u32),
    /// `NOTE_FFOR`: `bits |= value`.
    #[doc(alias = "NOTE_FFOR")]
    Or(u32),
    /// `NOTE_FFCOPY`: `bits = value`.
    #[doc(alias = "NOTE_FFCOPY")]
    Copy(u32),
}

/// The `fflags` of a user-event change, or an error when the value has bits outside
/// `NOTE_FFLAGSMASK` (the low 24 bits).
pub(crate) fn user_fflags(trigger: bool, op: UserOp) -> io::Result<u32> {
    let (ctrl, value) = match op {
        UserOp::Nop => (NOTE_FFNOP, 0),
        UserOp::And(v) => (NOTE_FFAND, v),
        UserOp::Or(v) => (NOTE_FFOR, v),
        UserOp::Copy(v) => (NOTE_FFCOPY, v),
    };
    if value & !NOTE_FFLAGSMASK != 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "user event value {value:#x} has bits above the low 24 (NOTE_FFLAGSMASK); \
                 the kernel keeps only 24 user bits"
            ),
        ));
    }
    Ok(ctrl | value | if trigger { NOTE_TRIGGER } else { 0 })
}

/// An `EVFILT_TIMER` registration: a period, a one-shot delay, or an absolute deadline.
///
/// The crate picks the `fflags` unit (`NOTE_SECONDS`/`NOTE_USECONDS`/`NOTE_NSECONDS`, or the
/// default milliseconds) that represents the duration exactly, and rounds *up* to the finest
/// unit the system has when none does, so a timer never fires early. DragonFly has
/// milliseconds only; NetBSD and OpenBSD take units since their 10.0 and 7.x releases (older
/// kernels reject a non-millisecond unit with `EINVAL`; whole milliseconds always work).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Timer {
    kind: TimerKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum TimerKind {
    Periodic(Duration),
    Once(Duration),
    At(SystemTime),
}

impl Timer {
    /// Fires every `period`, first after one period.
    pub const fn periodic(period: Duration) -> Self {
        Self {
            kind: TimerKind::Periodic(period),
        }
    }

    /// Fires once after `delay` (adds `EV_ONESHOT`).
    pub const fn once(delay: Duration) -> Self {
        Self {
            kind: TimerKind::Once(delay),
        }
    }

    /// Fires once at the wall-clock time `deadline` (`NOTE_ABSTIME`, macOS `NOTE_ABSOLUTE`;
    /// adds `EV_ONESHOT`). FreeBSD 12+, macOS, NetBSD 10+, recent OpenBSD; elsewhere
    /// registering it fails with [`io::ErrorKind::Unsupported`].
    #[doc(alias = "NOTE_ABSTIME")]
    #[doc(alias = "NOTE_ABSOLUTE")]
    pub const fn at(deadline: SystemTime) -> Self {
        Self {
            kind: TimerKind::At(deadline),
        }
    }
}

/// The encoded timer: extra flags, `fflags` and `data`.
pub(crate) struct TimerParts<O: Os> {
    pub(crate) flags: Flags,
    pub(crate) fflags: u32,
    pub(crate) data: O::Data,
}

/// Encodes `timer` for system `O`.
pub(crate) fn encode_timer<O: Os>(timer: &Timer) -> io::Result<TimerParts<O>> {
    let (flags, abs, d) = match timer.kind {
        TimerKind::Periodic(d) => (Flags::empty(), false, d),
        TimerKind::Once(d) => (Flags::ONESHOT, false, d),
        TimerKind::At(t) => {
            let d = t.duration_since(SystemTime::UNIX_EPOCH).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "timer deadline is before the Unix epoch",
                )
            })?;
            (Flags::ONESHOT, true, d)
        }
    };
    let abs_bit = match (abs, O::NOTE_ABSTIME) {
        (false, _) => 0,
        (true, Some(bit)) => bit,
        (true, None) => {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!(
                    "{} has no absolute kqueue timers (NOTE_ABSTIME); use Timer::once",
                    O::NAME
                ),
            ));
        }
    };
    let (unit, value) = duration_units::<O>(d).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "timer value {d:?} does not fit the kevent data field on {}",
                O::NAME
            ),
        )
    })?;
    Ok(TimerParts {
        flags,
        fflags: unit | abs_bit,
        data: value,
    })
}

/// Picks the `fflags` unit and `data` value for `d` on system `O`: milliseconds (unit 0, what
/// every kernel takes) if exact, else the exact finer unit, else rounded up to the finest unit
/// whose value fits. `None` if even seconds overflow `data`.
pub(crate) fn duration_units<O: Os>(d: Duration) -> Option<(u32, O::Data)> {
    let ns = d.as_nanos();
    let fits = |v: u128| i64::try_from(v).ok().and_then(O::Data::from_i64);
    // Units coarse to fine after milliseconds, as (fflags, nanoseconds per unit).
    let exact = [
        (Some(0), 1_000_000u128),
        (O::NOTE_USECONDS, 1_000),
        (O::NOTE_NSECONDS, 1),
    ];
    for (unit, per) in exact {
        if let Some(unit) = unit {
            if ns % per == 0 {
                if let Some(v) = fits(ns / per) {
                    return Some((unit, v));
                }
            }
        }
    }
    let round_up = [
        (O::NOTE_NSECONDS, 1u128),
        (O::NOTE_USECONDS, 1_000),
        (Some(0), 1_000_000),
        (O::NOTE_SECONDS, 1_000_000_000),
    ];
    for (unit, per) in round_up {
        if let Some(unit) = unit {
            if let Some(v) = fits(ns.div_ceil(per)) {
                return Some((unit, v));
            }
        }
    }
    None
}

/// Splits a wait timeout into `timespec` parts for system `O`, saturating `tv_sec` at the
/// largest `time_t` (a timeout that long is "forever" in practice).
pub(crate) fn timeout_parts<O: Os>(d: Duration) -> (i64, i64) {
    let secs = i64::try_from(d.as_secs())
        .unwrap_or(i64::MAX)
        .min(O::TIME_T_MAX);
    (secs, i64::from(d.subsec_nanos()))
}

/// Whether `errno`, reported for a change with `filter` and `flags`, is one of the documented
/// results reactors ignore: `ENOENT` for `EV_DELETE` (the event is already gone: its descriptor
/// was closed, or it was one-shot and fired) and `EPIPE` for adding an `EVFILT_WRITE` on a pipe
/// whose reader is gone (macOS registers the event anyway; it reports `EV_EOF`).
pub(crate) fn is_benign<O: Os>(filter: O::Filter, flags: Flags, errno: i32) -> bool {
    (errno == ENOENT && flags.contains(Flags::DELETE))
        || (errno == EPIPE && filter == O::EVFILT_WRITE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::os::{Apple, DragonFly, FreeBsd, NetBsd, OpenBsd};

    fn all_filters() -> Vec<Filter> {
        vec![
            Filter::Read,
            Filter::Write,
            Filter::Aio,
            Filter::Vnode,
            Filter::Proc,
            Filter::Signal,
            Filter::Timer,
            Filter::User,
            Filter::Except,
            Filter::Machport,
        ]
    }

    fn filters_round_trip<O: Os>() {
        for f in all_filters() {
            match filter_to_raw::<O>(f) {
                Some(raw) => assert_eq!(filter_from_raw::<O>(raw), f, "{}: {f:?}", O::NAME),
                None => assert!(
                    matches!(f, Filter::Except | Filter::Machport),
                    "{} lacks {f:?}",
                    O::NAME
                ),
            }
        }
    }

    #[test]
    fn named_filters_round_trip_on_every_os() {
        filters_round_trip::<FreeBsd>();
        filters_round_trip::<Apple>();
        filters_round_trip::<NetBsd>();
        filters_round_trip::<OpenBsd>();
        filters_round_trip::<DragonFly>();
        assert_eq!(filter_to_raw::<FreeBsd>(Filter::Machport), None);
        assert_eq!(filter_to_raw::<Apple>(Filter::Machport), Some(-8));
        assert_eq!(filter_to_raw::<OpenBsd>(Filter::Except), Some(-9));
        assert_eq!(filter_to_raw::<NetBsd>(Filter::Read), Some(0));
    }

    #[test]
    fn unknown_filters_decode_as_unknown() {
        // FreeBSD's EVFILT_EMPTY, OpenBSD's EVFILT_DEVICE, NetBSD's EVFILT_FS.
        assert_eq!(filter_from_raw::<FreeBsd>(-13), Filter::Unknown(-13));
        assert_eq!(filter_from_raw::<OpenBsd>(-8), Filter::Unknown(-8));
        assert_eq!(filter_from_raw::<NetBsd>(7), Filter::Unknown(7));
        assert_eq!(
            filter_from_raw::<NetBsd>(u32::MAX),
            Filter::Unknown(i64::from(u32::MAX))
        );
        // Apple's -8 is Machport, FreeBSD's -8 (EVFILT_PROCDESC) is not.
        assert_eq!(filter_from_raw::<Apple>(-8), Filter::Machport);
        assert_eq!(filter_from_raw::<FreeBsd>(-8), Filter::Unknown(-8));
        // Unknown values that do not fit the field are refused.
        assert_eq!(filter_to_raw::<FreeBsd>(Filter::Unknown(40_000)), None);
        assert_eq!(filter_to_raw::<NetBsd>(Filter::Unknown(-1)), None);
    }

    // Property tests run where proptest is a dev-dependency (Linux, in `./x test`); they
    // exercise every system's table, so a BSD host would only repeat them.
    #[cfg(target_os = "linux")]
    mod prop {
        use super::*;
        use proptest::prelude::*;

        fn any_raw_filter_decodes<O: Os>(raw: i64) {
            if let Some(r) = O::Filter::from_i64(raw) {
                let f = filter_from_raw::<O>(r);
                // Whatever the value, decoding then encoding gives it back.
                assert_eq!(filter_to_raw::<O>(f), Some(r), "{}: {raw}", O::NAME);
            }
        }

        proptest! {
            #[test]
            fn every_raw_filter_round_trips(raw in any::<i64>(), small in -64i64..64) {
                for v in [raw, small] {
                    any_raw_filter_decodes::<FreeBsd>(v);
                    any_raw_filter_decodes::<Apple>(v);
                    any_raw_filter_decodes::<NetBsd>(v);
                    any_raw_filter_decodes::<OpenBsd>(v);
                    any_raw_filter_decodes::<DragonFly>(v);
                }
            }

            #[test]
            fn user_fflags_encode_op_and_value(v in any::<u32>(), trigger in any::<bool>()) {
                for (op, ctrl) in [(UserOp::And(v), NOTE_FFAND), (UserOp::Or(v), NOTE_FFOR), (UserOp::Copy(v), NOTE_FFCOPY)] {
                    let r = user_fflags(trigger, op);
                    if v > NOTE_FFLAGSMASK {
                        prop_assert_eq!(r.unwrap_err().kind(), io::ErrorKind::InvalidInput);
                    } else {
                        let f = r.unwrap();
                        prop_assert_eq!(f & NOTE_FFLAGSMASK, v);
                        prop_assert_eq!(f & 0xc000_0000, ctrl);
                        prop_assert_eq!(f & NOTE_TRIGGER != 0, trigger);
                    }
                }
            }

            #[test]
            fn timer_units_never_fire_early(ns in any::<u64>(), secs in any::<u64>()) {
                for d in [Duration::from_nanos(ns), Duration::new(secs, (ns % 1_000_000_000) as u32)] {
                    check_units::<FreeBsd>(d)?;
                    check_units::<Apple>(d)?;
                    check_units::<NetBsd>(d)?;
                    check_units::<OpenBsd>(d)?;
                    check_units::<DragonFly>(d)?;
                }
            }

            #[test]
            fn timeouts_split_into_valid_timespecs(secs in any::<u64>(), nanos in 0u32..1_000_000_000) {
                let d = Duration::new(secs, nanos);
                let (s, n) = timeout_parts::<FreeBsd>(d);
                prop_assert!((0..1_000_000_000).contains(&n));
                prop_assert_eq!(n, i64::from(nanos));
                prop_assert_eq!(s, i64::try_from(secs).unwrap_or(i64::MAX));
            }
        }

        /// Decodes a unit back to nanoseconds per unit for system `O` (the oracle).
        fn per_unit<O: Os>(unit: u32) -> u128 {
            if unit == 0 {
                1_000_000
            } else if Some(unit) == O::NOTE_SECONDS {
                1_000_000_000
            } else if Some(unit) == O::NOTE_USECONDS {
                1_000
            } else if Some(unit) == O::NOTE_NSECONDS {
                1
            } else {
                panic!("{}: unit {unit:#x} is not one of the table's", O::NAME)
            }
        }

        fn check_units<O: Os>(d: Duration) -> Result<(), TestCaseError> {
            let ns = d.as_nanos();
            match duration_units::<O>(d) {
                Some((unit, v)) => {
                    let per = per_unit::<O>(unit);
                    let back = u128::try_from(v.to_i64()).unwrap() * per;
                    prop_assert!(
                        back >= ns,
                        "{}: {d:?} encoded as {v:?} x {per}ns fires early",
                        O::NAME
                    );
                    prop_assert!(
                        back - ns < per,
                        "{}: {d:?} rounded by a whole unit or more",
                        O::NAME
                    );
                    if ns % 1_000_000 == 0 && i64::try_from(ns / 1_000_000).is_ok() {
                        prop_assert_eq!(unit, 0, "whole milliseconds use the default unit");
                    }
                }
                None => {
                    // Only when neither rounded-up milliseconds nor seconds fit the data field.
                    let fits = |v: u128| i64::try_from(v).ok().and_then(O::Data::from_i64);
                    prop_assert!(fits(ns.div_ceil(1_000_000)).is_none());
                    prop_assert!(
                        O::NOTE_SECONDS.is_none() || fits(ns.div_ceil(1_000_000_000)).is_none()
                    );
                }
            }
            Ok(())
        }
    }

    #[test]
    fn timer_examples() {
        // 5 s is 5000 ms everywhere (the unit every kernel takes).
        let p = encode_timer::<FreeBsd>(&Timer::periodic(Duration::from_secs(5))).unwrap();
        assert_eq!((p.fflags, p.data, p.flags), (0, 5000, Flags::empty()));
        // 1.5 us: microseconds are not exact, nanoseconds are.
        let p = encode_timer::<Apple>(&Timer::once(Duration::from_nanos(1500))).unwrap();
        assert_eq!((p.fflags, p.data, p.flags), (0x4, 1500, Flags::ONESHOT));
        let p = encode_timer::<NetBsd>(&Timer::once(Duration::from_micros(7))).unwrap();
        assert_eq!((p.fflags, p.data), (2, 7));
        // DragonFly: milliseconds only, rounded up.
        let p = encode_timer::<DragonFly>(&Timer::periodic(Duration::from_nanos(1))).unwrap();
        assert_eq!((p.fflags, p.data), (0, 1));
        let p = encode_timer::<DragonFly>(&Timer::periodic(Duration::from_micros(1001))).unwrap();
        assert_eq!((p.fflags, p.data), (0, 2));
        // Absolute deadlines.
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000);
        let p = encode_timer::<FreeBsd>(&Timer::at(t)).unwrap();
        assert_eq!(
            (p.fflags, p.data, p.flags),
            (0x10, 2_000_000_000_000, Flags::ONESHOT)
        );
        let p = encode_timer::<Apple>(&Timer::at(t)).unwrap();
        assert_eq!(p.fflags, 0x8);
        let e = encode_timer::<DragonFly>(&Timer::at(t)).err().unwrap();
        assert_eq!(e.kind(), io::ErrorKind::Unsupported);
        let before = SystemTime::UNIX_EPOCH - Duration::from_secs(1);
        assert_eq!(
            encode_timer::<FreeBsd>(&Timer::at(before))
                .err()
                .unwrap()
                .kind(),
            io::ErrorKind::InvalidInput
        );
        // Too long for DragonFly's millisecond field.
        let e = encode_timer::<DragonFly>(&Timer::periodic(Duration::MAX))
            .err()
            .unwrap();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        // FreeBSD falls back to seconds, until those overflow too.
        let p = encode_timer::<FreeBsd>(&Timer::periodic(Duration::from_secs(i64::MAX as u64)))
            .unwrap();
        assert_eq!((p.fflags, p.data), (0x1, i64::MAX));
        let e = encode_timer::<FreeBsd>(&Timer::periodic(Duration::MAX))
            .err()
            .unwrap();
        assert!(e.to_string().contains("does not fit"), "{e}");
    }

    #[test]
    fn benign_errors() {
        let del = Flags::DELETE;
        assert!(is_benign::<FreeBsd>(-1, del, ENOENT));
        assert!(!is_benign::<FreeBsd>(-1, Flags::ADD, ENOENT));
        assert!(is_benign::<Apple>(-2, Flags::ADD, EPIPE));
        assert!(!is_benign::<Apple>(-1, Flags::ADD, EPIPE));
        assert!(is_benign::<NetBsd>(1, Flags::ADD, EPIPE));
        assert!(!is_benign::<FreeBsd>(-1, del, 9));
    }

    #[test]
    fn timeout_saturates_at_time_t() {
        assert_eq!(
            timeout_parts::<FreeBsd>(Duration::MAX).0,
            FreeBsd::TIME_T_MAX
        );
        assert_eq!(
            timeout_parts::<NetBsd>(Duration::from_millis(1500)),
            (1, 500_000_000)
        );
    }
}
