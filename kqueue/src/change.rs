//! [`Change`]: one entry of the `changelist`, built safely.

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd};

use crate::os::{Kevent, Native, Os, RawInt};
use crate::types::{self, Filter, Flags, ProcEvents, Timer, UserOp, VnodeEvents};

/// One change to a kqueue — a `struct kevent` in the `changelist` of `kevent(2)`.
///
/// `Change` has exactly the layout of the system's `struct kevent` (`repr(transparent)`), so a
/// `&[Change]` is handed to the kernel as it is. Constructors for a filter add the event
/// (`EV_ADD`); the methods [`delete`](Self::delete), [`enable`](Self::enable),
/// [`disable`](Self::disable), [`oneshot`](Self::oneshot), [`clear`](Self::clear),
/// [`dispatch`](Self::dispatch) and [`receipt`](Self::receipt) adjust the flags.
///
/// The `token` is stored in `udata` and returned in every event of this registration.
///
/// The kernel does not keep a descriptor alive for its registrations: closing the descriptor
/// removes its events (`close(2)` deletes every knote on it), and a later descriptor with the
/// same number does not inherit them.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Change(pub(crate) Kevent<Native>);

/// Builds the `struct kevent` of system `O` from its decoded parts; the generic heart of every
/// [`Change`] constructor, tested for all five systems.
pub(crate) fn build<O: Os>(
    ident: usize,
    filter: O::Filter,
    flags: Flags,
    fflags: u32,
    data: O::Data,
    udata: usize,
) -> Kevent<O> {
    Kevent {
        ident,
        filter,
        flags: known_flags::<O>(flags),
        fflags,
        data,
        udata,
        ext: O::EXT_ZERO,
    }
}

/// Encodes flags at the width of system `O`'s field, keeping every bit it holds: all 32 on
/// NetBSD, 16 elsewhere.
///
/// Nothing is lost: the callers pass named `EV_*` flags (all below `0x10000`), possibly with bits
/// read back from a field of this same width by [`flags_of`] (so a NetBSD change built by
/// [`Change::new`] with bits above 16 keeps them through [`Change::delete`] and the other
/// modifiers).
fn known_flags<O: Os>(flags: Flags) -> O::Flags {
    let raw = O::Flags::from_u32_bits(flags.bits());
    debug_assert_eq!(raw.to_i64(), i64::from(flags.bits()), "{}", O::NAME);
    raw
}

/// The flags field of system `O` decoded (lossless: the field is 16 or 32 bits).
pub(crate) fn flags_of<O: Os>(k: &Kevent<O>) -> Flags {
    Flags::from_bits_retain(k.flags.to_i64() as u32)
}

/// Sets and clears flag bits of a built kevent.
pub(crate) fn modify<O: Os>(mut k: Kevent<O>, set: Flags, unset: Flags) -> Kevent<O> {
    let f = (flags_of(&k) - unset) | set;
    k.flags = known_flags::<O>(f);
    k
}

/// [`Change::new`] for system `O`.
pub(crate) fn build_raw<O: Os>(
    ident: usize,
    filter: Filter,
    flags: Flags,
    fflags: u32,
    data: i64,
    udata: usize,
) -> io::Result<Kevent<O>> {
    let filter_raw = types::filter_to_raw::<O>(filter).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "filter {filter:?} does not exist on {} or does not fit its field",
                O::NAME
            ),
        )
    })?;
    let flags_raw = O::Flags::from_i64(i64::from(flags.bits())).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "flags {:#x} do not fit the 16-bit kevent flags field on {}",
                flags.bits(),
                O::NAME
            ),
        )
    })?;
    let data_raw = O::Data::from_i64(data).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "data {data} does not fit the kevent data field on {}",
                O::NAME
            ),
        )
    })?;
    Ok(Kevent {
        ident,
        filter: filter_raw,
        flags: flags_raw,
        fflags,
        data: data_raw,
        udata,
        ext: O::EXT_ZERO,
    })
}

/// [`Change::timer`] for system `O`.
pub(crate) fn build_timer<O: Os>(
    ident: usize,
    timer: &Timer,
    udata: usize,
) -> io::Result<Kevent<O>> {
    let t = types::encode_timer::<O>(timer)?;
    Ok(build::<O>(
        ident,
        O::EVFILT_TIMER,
        Flags::ADD | t.flags,
        t.fflags,
        t.data,
        udata,
    ))
}

/// [`Change::proc`] for system `O`.
pub(crate) fn build_proc<O: Os>(pid: u32, events: ProcEvents, udata: usize) -> Kevent<O> {
    let extra = if events.contains(ProcEvents::EXIT) {
        O::NOTE_EXIT_EXTRA
    } else {
        0
    };
    build::<O>(
        pid as usize,
        O::EVFILT_PROC,
        Flags::ADD,
        events.bits() | extra,
        O::Data::ZERO,
        udata,
    )
}

/// [`Change::user_op`] for system `O`.
pub(crate) fn build_user_op<O: Os>(
    ident: usize,
    trigger: bool,
    op: UserOp,
) -> io::Result<Kevent<O>> {
    let fflags = types::user_fflags(trigger, op)?;
    Ok(build::<O>(
        ident,
        O::EVFILT_USER,
        Flags::empty(),
        fflags,
        O::Data::ZERO,
        0,
    ))
}

fn fd_ident(fd: impl AsFd) -> usize {
    // Descriptors are non-negative (a `BorrowedFd` is never -1), so this is the value
    // `EV_SET(&kev, fd, ...)` stores.
    fd.as_fd().as_raw_fd() as usize
}

impl Change {
    fn native(ident: usize, filter: <Native as Os>::Filter, fflags: u32, token: usize) -> Self {
        Self(build::<Native>(
            ident,
            filter,
            Flags::ADD,
            fflags,
            RawInt::ZERO,
            token,
        ))
    }

    /// `EV_SET(&kev, fd, EVFILT_READ, EV_ADD, 0, 0, token)` — watch `fd` for reading.
    ///
    /// Level-triggered unless [`clear`](Self::clear) is added. The event's
    /// [`data`](crate::Event::data) is the number of bytes ready.
    ///
    /// # References
    /// - [FreeBSD `kqueue(2)`](https://man.freebsd.org/cgi/man.cgi?query=kqueue&sektion=2)
    /// - [OpenBSD `kqueue(2)`](https://man.openbsd.org/kqueue.2)
    /// - [NetBSD `kqueue(2)`](https://man.netbsd.org/kqueue.2)
    /// - [Apple `kqueue(2)`](https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/kqueue.2.html)
    #[doc(alias = "EVFILT_READ")]
    pub fn read(fd: impl AsFd, token: usize) -> Self {
        Self::native(fd_ident(fd), Native::EVFILT_READ, 0, token)
    }

    /// `EV_SET(&kev, fd, EVFILT_WRITE, EV_ADD, 0, 0, token)` — watch `fd` for writing.
    ///
    /// # References
    /// - [FreeBSD `kqueue(2)`](https://man.freebsd.org/cgi/man.cgi?query=kqueue&sektion=2)
    /// - [OpenBSD `kqueue(2)`](https://man.openbsd.org/kqueue.2)
    /// - [NetBSD `kqueue(2)`](https://man.netbsd.org/kqueue.2)
    /// - [Apple `kqueue(2)`](https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/kqueue.2.html)
    #[doc(alias = "EVFILT_WRITE")]
    pub fn write(fd: impl AsFd, token: usize) -> Self {
        Self::native(fd_ident(fd), Native::EVFILT_WRITE, 0, token)
    }

    /// `EV_SET(&kev, fd, EVFILT_EXCEPT, EV_ADD, NOTE_OOB, 0, token)` — exceptional conditions
    /// on `fd` (out-of-band data). macOS, OpenBSD and DragonFly.
    ///
    /// # References
    /// - [OpenBSD `kqueue(2)`](https://man.openbsd.org/kqueue.2)
    /// - [Apple `kqueue(2)`](https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/kqueue.2.html)
    #[doc(alias = "EVFILT_EXCEPT")]
    #[cfg(any(
        target_vendor = "apple",
        target_os = "openbsd",
        target_os = "dragonfly"
    ))]
    pub fn except(fd: impl AsFd, token: usize) -> Self {
        // Evaluated at compile time: the cfg above lists exactly the tables with EVFILT_EXCEPT.
        const EXCEPT: <Native as Os>::Filter = match Native::EVFILT_EXCEPT {
            Some(f) => f,
            None => panic!("EVFILT_EXCEPT missing from this system's table"),
        };
        Self::native(fd_ident(fd), EXCEPT, crate::sys::NOTE_OOB, token)
    }

    /// `EV_SET(&kev, port, EVFILT_MACHPORT, EV_ADD, 0, 0, token)` — a Mach port or port set has
    /// a message queued (the message is not received). Apple systems.
    ///
    /// # References
    /// - [Apple `kqueue(2)`](https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/kqueue.2.html)
    #[doc(alias = "EVFILT_MACHPORT")]
    #[cfg(target_vendor = "apple")]
    pub fn machport(port: u32, token: usize) -> Self {
        // Evaluated at compile time.
        const MACHPORT: <Native as Os>::Filter = match Native::EVFILT_MACHPORT {
            Some(f) => f,
            None => panic!("EVFILT_MACHPORT missing from Apple's table"),
        };
        Self::native(port as usize, MACHPORT, 0, token)
    }

    /// `EV_SET(&kev, signo, EVFILT_SIGNAL, EV_ADD, 0, 0, token)` — count deliveries of signal
    /// `signo`.
    ///
    /// The signal keeps its disposition: block or ignore it (`SIG_IGN`) to see it only here. A
    /// negative or unknown number is rejected by the kernel with `EINVAL`.
    ///
    /// # References
    /// - [FreeBSD `kqueue(2)`](https://man.freebsd.org/cgi/man.cgi?query=kqueue&sektion=2)
    /// - [OpenBSD `kqueue(2)`](https://man.openbsd.org/kqueue.2)
    /// - [NetBSD `kqueue(2)`](https://man.netbsd.org/kqueue.2)
    /// - [Apple `kqueue(2)`](https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/kqueue.2.html)
    #[doc(alias = "EVFILT_SIGNAL")]
    pub fn signal(signo: i32, token: usize) -> Self {
        // Sign-extends like C's conversion of a negative `int` to `uintptr_t`.
        Self::native(signo as isize as usize, Native::EVFILT_SIGNAL, 0, token)
    }

    /// `EV_SET(&kev, fd, EVFILT_VNODE, EV_ADD, events, 0, token)` — changes to the file open
    /// on `fd`. Usually combined with [`clear`](Self::clear).
    ///
    /// # References
    /// - [FreeBSD `kqueue(2)`](https://man.freebsd.org/cgi/man.cgi?query=kqueue&sektion=2)
    /// - [OpenBSD `kqueue(2)`](https://man.openbsd.org/kqueue.2)
    /// - [NetBSD `kqueue(2)`](https://man.netbsd.org/kqueue.2)
    /// - [Apple `kqueue(2)`](https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/kqueue.2.html)
    #[doc(alias = "EVFILT_VNODE")]
    pub fn vnode(fd: impl AsFd, events: VnodeEvents, token: usize) -> Self {
        Self::native(fd_ident(fd), Native::EVFILT_VNODE, events.bits(), token)
    }

    /// `EV_SET(&kev, pid, EVFILT_PROC, EV_ADD, events, 0, token)` — exit, fork or exec of
    /// process `pid`.
    ///
    /// With [`ProcEvents::EXIT`], the exit event's [`exit_status`](crate::Event::exit_status)
    /// is the wait status on every system (on macOS the crate adds `NOTE_EXITSTATUS`, which
    /// only works for the caller's children there).
    ///
    /// # References
    /// - [FreeBSD `kqueue(2)`](https://man.freebsd.org/cgi/man.cgi?query=kqueue&sektion=2)
    /// - [OpenBSD `kqueue(2)`](https://man.openbsd.org/kqueue.2)
    /// - [NetBSD `kqueue(2)`](https://man.netbsd.org/kqueue.2)
    /// - [Apple `kqueue(2)`](https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/kqueue.2.html)
    #[doc(alias = "EVFILT_PROC")]
    pub fn proc(pid: u32, events: ProcEvents, token: usize) -> Self {
        Self(build_proc::<Native>(pid, events, token))
    }

    /// `EV_SET(&kev, ident, EVFILT_TIMER, EV_ADD [| EV_ONESHOT], unit, value, token)` — a timer
    /// named `ident` (any number; timers do not share a namespace with descriptors).
    ///
    /// Fails with [`io::ErrorKind::InvalidInput`] when the time does not fit the system's
    /// `data` field, and [`io::ErrorKind::Unsupported`] for an absolute deadline where the
    /// system has none (DragonFly). See [`Timer`] for the unit chosen.
    ///
    /// # References
    /// - [FreeBSD `kqueue(2)`](https://man.freebsd.org/cgi/man.cgi?query=kqueue&sektion=2)
    /// - [OpenBSD `kqueue(2)`](https://man.openbsd.org/kqueue.2)
    /// - [NetBSD `kqueue(2)`](https://man.netbsd.org/kqueue.2)
    /// - [Apple `kqueue(2)`](https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/kqueue.2.html)
    #[doc(alias = "EVFILT_TIMER")]
    pub fn timer(ident: usize, timer: Timer, token: usize) -> io::Result<Self> {
        build_timer::<Native>(ident, &timer, token).map(Self)
    }

    /// `EV_SET(&kev, ident, EVFILT_USER, EV_ADD, NOTE_FFNOP, 0, token)` — register user event
    /// `ident`, fired later by [`user_trigger`](Self::user_trigger) (from any thread, through
    /// the same kqueue). Add [`clear`](Self::clear) to reset it when it is returned.
    ///
    /// # References
    /// - [FreeBSD `kqueue(2)`](https://man.freebsd.org/cgi/man.cgi?query=kqueue&sektion=2)
    /// - [OpenBSD `kqueue(2)`](https://man.openbsd.org/kqueue.2)
    /// - [NetBSD `kqueue(2)`](https://man.netbsd.org/kqueue.2)
    /// - [Apple `kqueue(2)`](https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/kqueue.2.html)
    #[doc(alias = "EVFILT_USER")]
    pub fn user(ident: usize, token: usize) -> Self {
        Self::native(ident, Native::EVFILT_USER, types::NOTE_FFNOP, token)
    }

    /// `EV_SET(&kev, ident, EVFILT_USER, 0, NOTE_TRIGGER, 0, NULL)` — fire user event `ident`.
    #[doc(alias = "NOTE_TRIGGER")]
    pub fn user_trigger(ident: usize) -> Self {
        Self(build::<Native>(
            ident,
            Native::EVFILT_USER,
            Flags::empty(),
            types::NOTE_TRIGGER,
            RawInt::ZERO,
            0,
        ))
    }

    /// `EV_SET(&kev, ident, EVFILT_USER, 0, [NOTE_TRIGGER |] op, 0, NULL)` — update the user
    /// event's 24 user bits and optionally fire it.
    ///
    /// Fails with [`io::ErrorKind::InvalidInput`] if the value has bits above the low 24.
    pub fn user_op(ident: usize, trigger: bool, op: UserOp) -> io::Result<Self> {
        build_user_op::<Native>(ident, trigger, op).map(Self)
    }

    /// `EV_SET(&kev, ident, filter, flags, fflags, data, token)` — any change, checked: fails
    /// with [`io::ErrorKind::InvalidInput`] when the filter does not exist here or a value
    /// does not fit its field (flags are 16 bits except on NetBSD; `data` is pointer-sized on
    /// macOS and DragonFly).
    #[doc(alias = "EV_SET")]
    pub fn new(
        ident: usize,
        filter: Filter,
        flags: Flags,
        fflags: u32,
        data: i64,
        token: usize,
    ) -> io::Result<Self> {
        build_raw::<Native>(ident, filter, flags, fflags, data, token).map(Self)
    }

    /// Turns the change into `EV_DELETE` of the same event (drops `EV_ADD`, `EV_ENABLE`,
    /// `EV_DISABLE`).
    #[doc(alias = "EV_DELETE")]
    pub fn delete(self) -> Self {
        Self(modify(
            self.0,
            Flags::DELETE,
            Flags::ADD | Flags::ENABLE | Flags::DISABLE,
        ))
    }

    /// Adds `EV_ENABLE` (drops `EV_DISABLE`).
    #[doc(alias = "EV_ENABLE")]
    pub fn enable(self) -> Self {
        Self(modify(self.0, Flags::ENABLE, Flags::DISABLE))
    }

    /// Adds `EV_DISABLE` (drops `EV_ENABLE`): registered but not returned.
    #[doc(alias = "EV_DISABLE")]
    pub fn disable(self) -> Self {
        Self(modify(self.0, Flags::DISABLE, Flags::ENABLE))
    }

    /// Adds `EV_ONESHOT`: deleted after it is returned once.
    #[doc(alias = "EV_ONESHOT")]
    pub fn oneshot(self) -> Self {
        Self(modify(self.0, Flags::ONESHOT, Flags::empty()))
    }

    /// Adds `EV_CLEAR`: edge-triggered, the state resets when returned.
    #[doc(alias = "EV_CLEAR")]
    pub fn clear(self) -> Self {
        Self(modify(self.0, Flags::CLEAR, Flags::empty()))
    }

    /// Adds `EV_DISPATCH`: disabled after it is returned; re-arm with [`enable`](Self::enable).
    #[doc(alias = "EV_DISPATCH")]
    pub fn dispatch(self) -> Self {
        Self(modify(self.0, Flags::DISPATCH, Flags::empty()))
    }

    /// Adds `EV_RECEIPT`: the change's result comes back as an `EV_ERROR` event with `data` 0
    /// on success. [`Kqueue::apply`](crate::Kqueue) sets it itself.
    #[doc(alias = "EV_RECEIPT")]
    pub fn receipt(self) -> Self {
        Self(modify(self.0, Flags::RECEIPT, Flags::empty()))
    }

    /// The `ident` field (descriptor, pid, signal, timer or user-event number).
    pub fn ident(&self) -> usize {
        self.0.ident
    }

    /// The `filter` field, decoded.
    pub fn filter(&self) -> Filter {
        types::filter_from_raw::<Native>(self.0.filter)
    }

    /// The `flags` field.
    pub fn flags(&self) -> Flags {
        flags_of(&self.0)
    }

    /// The `fflags` field.
    pub fn fflags(&self) -> u32 {
        self.0.fflags
    }

    /// The `data` field, widened to `i64`.
    pub fn data(&self) -> i64 {
        self.0.data.to_i64()
    }

    /// The token (`udata`).
    pub fn token(&self) -> usize {
        self.0.udata
    }

    /// Whether the kernel's `errno` for this change is one reactors ignore: `ENOENT` for a
    /// delete (the event was already gone: descriptor closed, or one-shot fired) and `EPIPE`
    /// for a write filter on a pipe whose reader closed (macOS still registers it).
    pub fn is_benign_error(&self, err: &io::Error) -> bool {
        err.raw_os_error()
            .is_some_and(|e| types::is_benign::<Native>(self.0.filter, self.flags(), e))
    }
}

impl fmt::Debug for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Change")
            .field("ident", &self.ident())
            .field("filter", &self.filter())
            .field("flags", &self.flags())
            .field("fflags", &format_args!("{:#x}", self.fflags()))
            .field("data", &self.data())
            .field("token", &self.token())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::os::{Apple, FreeBsd, NetBsd};
    use crate::types::NOTE_TRIGGER;

    // Property tests run where proptest is a dev-dependency (Linux, in `./x test`); they
    // exercise every system's table, so a BSD host would only repeat them.
    #[cfg(target_os = "linux")]
    mod prop {
        use super::*;
        use crate::os::{DragonFly, OpenBsd};
        use crate::types::filter_from_raw;
        use proptest::prelude::*;

        fn flag_set() -> impl Strategy<Value = Flags> {
            (0u32..=0xffff).prop_map(Flags::from_bits_retain)
        }

        fn raw_round_trip<O: Os>(
            ident: usize,
            filter: i64,
            flags: Flags,
            fflags: u32,
            data: i64,
            udata: usize,
        ) {
            let f = O::Filter::from_i64(filter)
                .map(filter_from_raw::<O>)
                .unwrap_or(Filter::Unknown(filter));
            match build_raw::<O>(ident, f, flags, fflags, data, udata) {
                Ok(k) => {
                    assert_eq!(k.ident, ident);
                    assert_eq!(filter_from_raw::<O>(k.filter), f);
                    assert_eq!(flags_of(&k), flags);
                    assert_eq!(k.fflags, fflags);
                    assert_eq!(k.data.to_i64(), data);
                    assert_eq!(k.udata, udata);
                    assert_eq!(k.ext, O::EXT_ZERO);
                }
                Err(e) => {
                    assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
                    let bad_filter = O::Filter::from_i64(filter).is_none();
                    let bad_data = O::Data::from_i64(data).is_none();
                    assert!(
                        bad_filter || bad_data,
                        "{}: refused a representable change: {e}",
                        O::NAME
                    );
                }
            }
        }

        proptest! {
            #[test]
            fn raw_changes_round_trip(ident in any::<usize>(), filter in -20i64..20, flags in flag_set(),
                                      fflags in any::<u32>(), data in any::<i64>(), udata in any::<usize>()) {
                raw_round_trip::<FreeBsd>(ident, filter, flags, fflags, data, udata);
                raw_round_trip::<Apple>(ident, filter, flags, fflags, data, udata);
                raw_round_trip::<NetBsd>(ident, filter, flags, fflags, data, udata);
                raw_round_trip::<OpenBsd>(ident, filter, flags, fflags, data, udata);
                raw_round_trip::<DragonFly>(ident, filter, flags, fflags, data, udata);
            }

            #[test]
            fn netbsd_modifiers_keep_all_32_bits(flags in any::<u32>(), set in flag_set(), unset in flag_set()) {
                let flags = Flags::from_bits_retain(flags);
                let k = build_raw::<NetBsd>(1, Filter::Read, flags, 0, 0, 0).unwrap();
                prop_assert_eq!(flags_of(&modify(k, set, unset)), (flags - unset) | set);
            }

            #[test]
            fn modifiers_set_exactly_their_bits(flags in flag_set(), set in flag_set(), unset in flag_set()) {
                let k = build::<NetBsd>(1, NetBsd::EVFILT_READ, flags, 0, 0, 0);
                prop_assert_eq!(flags_of(&modify(k, set, unset)), (flags - unset) | set);
                let k = build::<FreeBsd>(1, FreeBsd::EVFILT_READ, flags, 0, 0, 0);
                prop_assert_eq!(flags_of(&modify(k, set, unset)), (flags - unset) | set);
            }
        }
    }

    /// Regression: the modifiers narrowed flags to 16 bits, so a NetBSD change built with bits
    /// above 16 (its `flags` field is 32 bits) silently lost them on `delete()` and the like.
    #[test]
    fn modifiers_keep_netbsd_wide_flags() {
        let wide = Flags::ADD | Flags::from_bits_retain(0x8001_0000);
        let k = build_raw::<NetBsd>(3, Filter::Read, wide, 0, 0, 7).unwrap();
        assert_eq!(k.flags, 0x8001_0001);
        let del = modify(k, Flags::DELETE, Flags::ADD);
        assert_eq!(del.flags, 0x8001_0000 | Flags::DELETE.bits());
        assert_eq!(flags_of(&del), (wide - Flags::ADD) | Flags::DELETE);
        let k = build::<NetBsd>(3, NetBsd::EVFILT_READ, wide | Flags::ONESHOT, 0, 0, 7);
        assert_eq!(flags_of(&k), wide | Flags::ONESHOT);
    }

    #[test]
    fn wide_flags_only_fit_netbsd() {
        let wide = Flags::from_bits_retain(0x1_0001);
        assert!(build_raw::<NetBsd>(0, Filter::Read, wide, 0, 0, 0).is_ok());
        let e = build_raw::<FreeBsd>(0, Filter::Read, wide, 0, 0, 0).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(build_raw::<FreeBsd>(0, Filter::Machport, Flags::ADD, 0, 0, 0).is_err());
        assert!(build_raw::<Apple>(0, Filter::Machport, Flags::ADD, 0, 0, 0).is_ok());
    }

    #[test]
    fn native_constructors_match_ev_set() {
        let r = std::fs::File::open("/dev/null").unwrap();
        let fd = r.as_raw_fd() as usize;
        let c = Change::read(&r, 7);
        assert_eq!(
            (
                c.ident(),
                c.filter(),
                c.flags(),
                c.fflags(),
                c.data(),
                c.token()
            ),
            (fd, Filter::Read, Flags::ADD, 0, 0, 7)
        );
        let c = Change::write(&r, 8).clear().oneshot();
        assert_eq!(
            (c.filter(), c.flags()),
            (Filter::Write, Flags::ADD | Flags::CLEAR | Flags::ONESHOT)
        );
        let c = c.delete();
        assert_eq!(c.flags(), Flags::DELETE | Flags::CLEAR | Flags::ONESHOT);
        let c = Change::read(&r, 0).disable();
        assert_eq!(c.flags(), Flags::ADD | Flags::DISABLE);
        assert_eq!(c.enable().flags(), Flags::ADD | Flags::ENABLE);
        assert_eq!(
            Change::read(&r, 0).dispatch().receipt().flags(),
            Flags::ADD | Flags::DISPATCH | Flags::RECEIPT
        );
        let c = Change::signal(2, 1);
        assert_eq!((c.ident(), c.filter()), (2, Filter::Signal));
        assert_eq!(Change::signal(-1, 1).ident(), usize::MAX);
        let c = Change::vnode(&r, VnodeEvents::WRITE | VnodeEvents::DELETE, 3);
        assert_eq!((c.filter(), c.fflags()), (Filter::Vnode, 0x3));
        let c = Change::user(5, 9);
        assert_eq!(
            (c.ident(), c.filter(), c.flags(), c.fflags()),
            (5, Filter::User, Flags::ADD, 0)
        );
        let c = Change::user_trigger(5);
        assert_eq!(
            (c.flags(), c.fflags(), c.token()),
            (Flags::empty(), NOTE_TRIGGER, 0)
        );
        let c = Change::user_op(5, true, UserOp::Or(0x10)).unwrap();
        assert_eq!(c.fflags(), NOTE_TRIGGER | 0x8000_0010);
        assert!(Change::user_op(5, false, UserOp::Copy(1 << 24)).is_err());
        let c = Change::timer(1, Timer::once(std::time::Duration::from_millis(20)), 4).unwrap();
        assert_eq!(
            (c.filter(), c.flags(), c.data()),
            (Filter::Timer, Flags::ADD | Flags::ONESHOT, 20)
        );
        assert!(format!("{c:?}").contains("Timer"));
    }

    #[test]
    fn proc_exit_asks_for_the_status_where_needed() {
        let k = build_proc::<Apple>(42, ProcEvents::EXIT, 1);
        assert_eq!(k.fflags, 0x8000_0000 | 0x0400_0000);
        let k = build_proc::<FreeBsd>(42, ProcEvents::EXIT | ProcEvents::FORK, 1);
        assert_eq!((k.ident, k.fflags), (42, 0xc000_0000));
        let k = build_proc::<Apple>(42, ProcEvents::FORK, 1);
        assert_eq!(k.fflags, 0x4000_0000);
    }

    #[test]
    fn benign_classification_follows_the_change() {
        let r = std::fs::File::open("/dev/null").unwrap();
        let enoent = io::Error::from_raw_os_error(types::ENOENT);
        let epipe = io::Error::from_raw_os_error(types::EPIPE);
        assert!(Change::read(&r, 0).delete().is_benign_error(&enoent));
        assert!(!Change::read(&r, 0).is_benign_error(&enoent));
        assert!(Change::write(&r, 0).is_benign_error(&epipe));
        assert!(!Change::read(&r, 0).is_benign_error(&epipe));
        assert!(
            !Change::read(&r, 0)
                .delete()
                .is_benign_error(&io::Error::other("x"))
        );
    }
}
