//! The only module that calls the kernel: compile-time proofs that the mirror types are
//! exactly `libc`'s `struct kevent` and constants for this target, then `kqueue(2)`,
//! `fcntl(2)` and `kevent(2)`.

#![allow(unsafe_code)]

use core::mem::offset_of;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::time::Duration;

use static_assertions::{assert_eq_align, assert_eq_size, const_assert, const_assert_eq};

use crate::change::Change;
use crate::event::Event;
use crate::os::{Kevent, Layout, Native, Os, layout_of};
use crate::types::{self, Flags, ProcEvents, VnodeEvents};

// --- `struct kevent`: the mirror is libc's struct, field for field. ---

assert_eq_size!(libc::kevent, Kevent<Native>);
// Apple's header packs `struct kevent` to 4 bytes (`#pragma pack(4)`, libc's `packed(4)`); the
// mirror is naturally aligned (8), which only over-aligns the crate's own arrays: a pointer to
// them is a valid `*const libc::kevent`, and the size (the array stride) and offsets are equal.
const_assert!(align_of::<Kevent<Native>>() % align_of::<libc::kevent>() == 0);
const_assert_eq!(align_of::<libc::kevent>(), Native::C_ALIGN);
assert_eq_size!(Change, libc::kevent);
assert_eq_size!(Event, libc::kevent);
assert_eq_size!(*mut libc::c_void, usize);
assert_eq_align!(*mut libc::c_void, usize);
const_assert_eq!(
    offset_of!(libc::kevent, ident),
    offset_of!(Kevent<Native>, ident)
);
const_assert_eq!(
    offset_of!(libc::kevent, filter),
    offset_of!(Kevent<Native>, filter)
);
const_assert_eq!(
    offset_of!(libc::kevent, flags),
    offset_of!(Kevent<Native>, flags)
);
const_assert_eq!(
    offset_of!(libc::kevent, fflags),
    offset_of!(Kevent<Native>, fflags)
);
const_assert_eq!(
    offset_of!(libc::kevent, data),
    offset_of!(Kevent<Native>, data)
);
const_assert_eq!(
    offset_of!(libc::kevent, udata),
    offset_of!(Kevent<Native>, udata)
);
#[cfg(target_os = "freebsd")]
const_assert_eq!(
    offset_of!(libc::kevent, ext),
    offset_of!(Kevent<Native>, ext)
);

/// Compiles only if every field of the mirror has libc's type (`udata` aside, which is the
/// pointer-sized token asserted above).
const _FIELD_TYPES: fn(Kevent<Native>) -> libc::kevent = |k| libc::kevent {
    ident: k.ident,
    filter: k.filter,
    flags: k.flags,
    fflags: k.fflags,
    data: k.data,
    udata: core::ptr::null_mut(),
    #[cfg(target_os = "freebsd")]
    ext: k.ext,
};

const fn same_layout(a: Layout, b: Layout) -> bool {
    a.size == b.size
        && a.filter == b.filter
        && a.flags == b.flags
        && a.fflags == b.fflags
        && a.data == b.data
        && a.udata == b.udata
}
// And both match the offsets the C header gives on 64-bit targets.
#[cfg(target_pointer_width = "64")]
const_assert!(same_layout(layout_of::<Native>(), Native::LAYOUT_64));

/// The count parameters of `kevent`: `int`, but `size_t` on NetBSD.
#[cfg(target_os = "netbsd")]
type Count = libc::size_t;
/// The count parameters of `kevent`: `int`, but `size_t` on NetBSD.
#[cfg(not(target_os = "netbsd"))]
type Count = libc::c_int;

/// `kevent(2)` as libc binds it (NetBSD: the `__kevent50` symbol, matching the 40-byte struct).
const _KEVENT_SIGNATURE: unsafe extern "C" fn(
    libc::c_int,
    *const libc::kevent,
    Count,
    *mut libc::kevent,
    Count,
    *const libc::timespec,
) -> libc::c_int = libc::kevent;

// --- Constants: the table and the shared values equal libc's for this target. ---

const_assert_eq!(Native::EVFILT_READ, libc::EVFILT_READ);
const_assert_eq!(Native::EVFILT_WRITE, libc::EVFILT_WRITE);
const_assert_eq!(Native::EVFILT_AIO, libc::EVFILT_AIO);
const_assert_eq!(Native::EVFILT_VNODE, libc::EVFILT_VNODE);
const_assert_eq!(Native::EVFILT_PROC, libc::EVFILT_PROC);
const_assert_eq!(Native::EVFILT_SIGNAL, libc::EVFILT_SIGNAL);
const_assert_eq!(Native::EVFILT_TIMER, libc::EVFILT_TIMER);
const_assert_eq!(Native::EVFILT_USER, libc::EVFILT_USER);
#[cfg(any(
    target_vendor = "apple",
    target_os = "openbsd",
    target_os = "dragonfly"
))]
const_assert!(matches!(Native::EVFILT_EXCEPT, Some(v) if v == libc::EVFILT_EXCEPT));
#[cfg(not(any(
    target_vendor = "apple",
    target_os = "openbsd",
    target_os = "dragonfly"
)))]
const_assert!(Native::EVFILT_EXCEPT.is_none());
#[cfg(target_vendor = "apple")]
const_assert!(matches!(Native::EVFILT_MACHPORT, Some(v) if v == libc::EVFILT_MACHPORT));
#[cfg(not(target_vendor = "apple"))]
const_assert!(Native::EVFILT_MACHPORT.is_none());

// `EV_*` are `u_short` (NetBSD: `uint32_t`); `Flags` is `u32` everywhere.
#[allow(clippy::unnecessary_cast)]
const _: () = {
    assert!(Flags::ADD.bits() == libc::EV_ADD as u32);
    assert!(Flags::DELETE.bits() == libc::EV_DELETE as u32);
    assert!(Flags::ENABLE.bits() == libc::EV_ENABLE as u32);
    assert!(Flags::DISABLE.bits() == libc::EV_DISABLE as u32);
    assert!(Flags::ONESHOT.bits() == libc::EV_ONESHOT as u32);
    assert!(Flags::CLEAR.bits() == libc::EV_CLEAR as u32);
    assert!(Flags::RECEIPT.bits() == libc::EV_RECEIPT as u32);
    assert!(Flags::DISPATCH.bits() == libc::EV_DISPATCH as u32);
    assert!(Flags::ERROR.bits() == libc::EV_ERROR as u32);
    assert!(Flags::EOF.bits() == libc::EV_EOF as u32);
};

const_assert_eq!(VnodeEvents::DELETE.bits(), libc::NOTE_DELETE);
const_assert_eq!(VnodeEvents::WRITE.bits(), libc::NOTE_WRITE);
const_assert_eq!(VnodeEvents::EXTEND.bits(), libc::NOTE_EXTEND);
const_assert_eq!(VnodeEvents::ATTRIB.bits(), libc::NOTE_ATTRIB);
const_assert_eq!(VnodeEvents::LINK.bits(), libc::NOTE_LINK);
const_assert_eq!(VnodeEvents::RENAME.bits(), libc::NOTE_RENAME);
const_assert_eq!(VnodeEvents::REVOKE.bits(), libc::NOTE_REVOKE);
const_assert_eq!(ProcEvents::EXIT.bits(), libc::NOTE_EXIT);
const_assert_eq!(ProcEvents::FORK.bits(), libc::NOTE_FORK);
const_assert_eq!(ProcEvents::EXEC.bits(), libc::NOTE_EXEC);
const_assert_eq!(types::NOTE_TRIGGER, libc::NOTE_TRIGGER);
const_assert_eq!(types::NOTE_FFNOP, libc::NOTE_FFNOP);
const_assert_eq!(types::NOTE_FFAND, libc::NOTE_FFAND);
const_assert_eq!(types::NOTE_FFOR, libc::NOTE_FFOR);
const_assert_eq!(types::NOTE_FFCOPY, libc::NOTE_FFCOPY);
const_assert_eq!(types::NOTE_FFLAGSMASK, libc::NOTE_FFLAGSMASK);
const_assert_eq!(types::ENOENT, libc::ENOENT);
const_assert_eq!(types::EPIPE, libc::EPIPE);
#[allow(clippy::unnecessary_cast)] // `time_t` is `i32` on FreeBSD/i386, `i64` elsewhere.
const _: () = assert!(Native::TIME_T_MAX == libc::time_t::MAX as i64);

// Timer units, where libc has them (it lacks OpenBSD's; DragonFly has none). Milliseconds are
// always encoded as 0, the default unit on every system (FreeBSD's NOTE_MSECONDS is 2).
#[cfg(any(target_os = "freebsd", target_os = "netbsd"))]
const _: () = {
    assert!(matches!(Native::NOTE_SECONDS, Some(v) if v == libc::NOTE_SECONDS));
    assert!(matches!(Native::NOTE_USECONDS, Some(v) if v == libc::NOTE_USECONDS));
    assert!(matches!(Native::NOTE_NSECONDS, Some(v) if v == libc::NOTE_NSECONDS));
    assert!(matches!(Native::NOTE_ABSTIME, Some(v) if v == libc::NOTE_ABSTIME));
};
#[cfg(target_os = "netbsd")]
const_assert_eq!(libc::NOTE_MSECONDS, 0);
#[cfg(target_vendor = "apple")]
const _: () = {
    assert!(matches!(Native::NOTE_SECONDS, Some(v) if v == libc::NOTE_SECONDS));
    assert!(matches!(Native::NOTE_USECONDS, Some(v) if v == libc::NOTE_USECONDS));
    assert!(matches!(Native::NOTE_NSECONDS, Some(v) if v == libc::NOTE_NSECONDS));
    assert!(matches!(Native::NOTE_ABSTIME, Some(v) if v == libc::NOTE_ABSOLUTE));
    assert!(Native::NOTE_EXIT_EXTRA == libc::NOTE_EXITSTATUS);
};

/// `NOTE_OOB` for `EVFILT_EXCEPT` (2 on macOS and DragonFly, 4 on OpenBSD).
#[cfg(any(
    target_vendor = "apple",
    target_os = "openbsd",
    target_os = "dragonfly"
))]
pub(crate) const NOTE_OOB: u32 = libc::NOTE_OOB;

// --- The calls. ---

/// `kqueue()` with close-on-exec set: `kqueue1(O_CLOEXEC)` on NetBSD, elsewhere `kqueue()`
/// then `fcntl(F_SETFD, FD_CLOEXEC)` (a thread that forks and execs between the two calls
/// leaks the descriptor into that child; FreeBSD 14's `kqueuex` and OpenBSD's `kqueue1` would
/// close the window but are missing from older releases' libc).
pub(crate) fn kqueue_cloexec() -> io::Result<OwnedFd> {
    #[cfg(target_os = "netbsd")]
    // SAFETY: `kqueue1` takes no pointers; any flags value is defined behaviour.
    let fd = unsafe { libc::kqueue1(libc::O_CLOEXEC) };
    #[cfg(not(target_os = "netbsd"))]
    // SAFETY: `kqueue` takes no arguments.
    let fd = unsafe { libc::kqueue() };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just returned by a successful `kqueue`/`kqueue1` (>= 0) and nothing
    // else owns it.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    #[cfg(not(target_os = "netbsd"))]
    {
        // SAFETY: `F_SETFD` takes an int argument; the descriptor is open (owned above).
        let r = unsafe { libc::fcntl(owned.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(owned)
}

fn count<T: TryFrom<usize>>(n: usize, what: &str) -> io::Result<T> {
    T::try_from(n).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{n} {what} exceed what one kevent call takes"),
        )
    })
}

/// `kevent(kq, changes, events, timeout)`: applies `changes`, then waits up to `timeout`
/// (`None`: forever) for events written to the front of `events`; returns how many.
pub(crate) fn kevent(
    kq: BorrowedFd<'_>,
    changes: &[Change],
    events: &mut [Event],
    timeout: Option<Duration>,
) -> io::Result<usize> {
    let nchanges: Count = count(changes.len(), "changes")?;
    let nevents: Count = count(events.len(), "events")?;
    let ts;
    let ts_ptr = match timeout {
        Some(d) => {
            let (sec, nsec) = types::timeout_parts::<Native>(d);
            // `sec` is at most `time_t::MAX` (asserted equal to TIME_T_MAX above) and `nsec`
            // below 10^9, so both conversions are exact.
            ts = libc::timespec {
                tv_sec: sec as libc::time_t,
                tv_nsec: nsec as libc::c_long,
            };
            &ts as *const libc::timespec
        }
        None => core::ptr::null(),
    };
    // SAFETY: `Change` and `Event` are `repr(transparent)` over `Kevent<Native>`, which has
    // libc's `struct kevent` layout and field types (asserted at the top of this module), so
    // the pointers are valid arrays of `nchanges`/`nevents` kevents. The kernel only reads
    // `changes` and writes at most `nevents` entries into `events`, memory borrowed mutably
    // for this call, and any bit pattern is a valid `Event` (plain integers). `ts_ptr` is null
    // or points at `ts`, alive until the call returns. `kq` is an open descriptor (borrowed);
    // if it is not a kqueue the kernel fails with EBADF/EINVAL.
    let n = unsafe {
        libc::kevent(
            kq.as_raw_fd(),
            changes.as_ptr().cast::<libc::kevent>(),
            nchanges,
            events.as_mut_ptr().cast::<libc::kevent>(),
            nevents,
            ts_ptr,
        )
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    // Non-negative and at most `nevents` (kevent(2)).
    Ok(usize::try_from(n).unwrap_or(0))
}
