//! The per-OS ABI as plain data: one table of constants and one `struct kevent` mirror per
//! system, compiled on every host so the encode/decode logic built on it is unit-tested on
//! Linux through the same generic code the BSD build runs with [`Native`].
//!
//! On a kqueue target, `sys.rs` proves at compile time that [`Kevent<Native>`] has exactly the
//! layout of `libc::kevent` (size, alignment, every field's offset and type) and that every
//! constant here equals libc's. The values come from each system's `<sys/event.h>`:
//! FreeBSD 12+, macOS (xnu), NetBSD (the `__kevent50` ABI that `libc` binds), OpenBSD
//! (`event.h` 1.74) and DragonFly.

use core::fmt::Debug;

/// An integer field of `struct kevent` whose width differs between systems.
pub(crate) trait RawInt: Copy + Eq + Debug + 'static {
    /// Zero of this type.
    const ZERO: Self;
    /// Widens to `i64` without loss (every field type here is at most 64 bits; `u64` is not used).
    fn to_i64(self) -> i64;
    /// Narrows from `i64`, or `None` when `v` does not fit.
    fn from_i64(v: i64) -> Option<Self>;
    /// `v as Self`: keeps every bit of `v` that the type holds (all 32 for `u32` and the 64-bit
    /// types; the low 16 for `u16` and `i16`).
    fn from_u32_bits(v: u32) -> Self;
}

macro_rules! raw_int {
    ($($t:ty),*) => {$(
        impl RawInt for $t {
            const ZERO: Self = 0;
            #[inline]
            fn to_i64(self) -> i64 {
                // Lossless: the widest type implemented is 64 bits and signed, or 32 bits unsigned.
                self as i64
            }
            #[inline]
            fn from_i64(v: i64) -> Option<Self> {
                Self::try_from(v).ok()
            }
            #[inline]
            fn from_u32_bits(v: u32) -> Self {
                v as Self
            }
        }
    )*};
}
raw_int!(i16, u16, u32, i64, isize);

/// A system's kqueue ABI: the widths of the fields that differ, and the constants that differ.
///
/// Constants identical on every kqueue system (`EV_*`, the vnode, process and user `NOTE_*`
/// bits) live in `types.rs` instead and are checked against `libc` on each target.
pub(crate) trait Os: Copy + Eq + Debug + 'static {
    /// C type of `kevent.filter` (`short`, NetBSD `uint32_t`).
    type Filter: RawInt;
    /// C type of `kevent.flags` (`u_short`, NetBSD `uint32_t`); every `EV_*` value fits 16 bits,
    /// but NetBSD's field holds 32 and must keep them all.
    type Flags: RawInt;
    /// C type of `kevent.data` (`intptr_t` on macOS and DragonFly, `int64_t` elsewhere).
    type Data: RawInt;
    /// `kevent.ext` (FreeBSD 12+: `uint64_t ext[4]`), `()` where the struct has none.
    type Ext: Copy + Eq + Debug + 'static;
    /// Zero value of `Ext`.
    const EXT_ZERO: Self::Ext;

    /// The system's name, for error messages.
    const NAME: &'static str;

    /// `EVFILT_READ`.
    const EVFILT_READ: Self::Filter;
    /// `EVFILT_WRITE`.
    const EVFILT_WRITE: Self::Filter;
    /// `EVFILT_AIO`.
    const EVFILT_AIO: Self::Filter;
    /// `EVFILT_VNODE`.
    const EVFILT_VNODE: Self::Filter;
    /// `EVFILT_PROC`.
    const EVFILT_PROC: Self::Filter;
    /// `EVFILT_SIGNAL`.
    const EVFILT_SIGNAL: Self::Filter;
    /// `EVFILT_TIMER`.
    const EVFILT_TIMER: Self::Filter;
    /// `EVFILT_USER`.
    const EVFILT_USER: Self::Filter;
    /// `EVFILT_EXCEPT` (macOS, OpenBSD, DragonFly).
    const EVFILT_EXCEPT: Option<Self::Filter>;
    /// `EVFILT_MACHPORT` (macOS).
    const EVFILT_MACHPORT: Option<Self::Filter>;

    /// `fflags` value selecting seconds for `EVFILT_TIMER`, where the system has units.
    const NOTE_SECONDS: Option<u32>;
    /// `fflags` value selecting microseconds.
    const NOTE_USECONDS: Option<u32>;
    /// `fflags` value selecting nanoseconds.
    const NOTE_NSECONDS: Option<u32>;
    /// `NOTE_ABSTIME` (macOS: `NOTE_ABSOLUTE`): `data` is a deadline since the Unix epoch.
    const NOTE_ABSTIME: Option<u32>;
    /// `fflags` bits to add to `NOTE_EXIT` so that `data` carries the wait status
    /// (macOS needs `NOTE_EXITSTATUS`; the others always report it).
    const NOTE_EXIT_EXTRA: u32;

    /// Largest `tv_sec` of `struct timespec` (`time_t` is 32 bits on FreeBSD/i386).
    const TIME_T_MAX: i64;

    /// Size and field offsets of `struct kevent` on the 64-bit targets, from the C header.
    const LAYOUT_64: Layout;
    /// Alignment of the C `struct kevent` on this system's targets: that of `uintptr_t`, but
    /// 4 on Apple systems, whose header packs it (`#pragma pack(4)`).
    #[cfg_attr(not(kqueue_os), allow(dead_code))]
    const C_ALIGN: usize = align_of::<usize>();
}

/// Size and field offsets of `struct kevent`, as the C compiler lays it out on a 64-bit target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) size: usize,
    pub(crate) filter: usize,
    pub(crate) flags: usize,
    pub(crate) fflags: usize,
    pub(crate) data: usize,
    pub(crate) udata: usize,
}

/// `struct kevent` of system `O`, field for field; `udata` is held as the integer token
/// (`void *` and `usize` have the same size and alignment on every kqueue target; `sys.rs`
/// asserts it).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Kevent<O: Os> {
    pub(crate) ident: usize,
    pub(crate) filter: O::Filter,
    pub(crate) flags: O::Flags,
    pub(crate) fflags: u32,
    pub(crate) data: O::Data,
    pub(crate) udata: usize,
    pub(crate) ext: O::Ext,
}

impl<O: Os> Kevent<O> {
    /// All fields zero.
    pub(crate) const ZERO: Self = Self {
        ident: 0,
        filter: <O::Filter as RawInt>::ZERO,
        flags: <O::Flags as RawInt>::ZERO,
        fflags: 0,
        data: <O::Data as RawInt>::ZERO,
        udata: 0,
        ext: O::EXT_ZERO,
    };
}

macro_rules! os {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum $name {}
    };
}

// Each table is compiled on its own system and in unit tests (so Linux tests all five).

#[cfg(any(test, target_os = "freebsd"))]
os!(
    /// FreeBSD 12 and later (`struct kevent` with `ext[4]`, symbol `kevent@@FBSD_1.5`).
    FreeBsd
);
#[cfg(any(test, target_os = "freebsd"))]
impl Os for FreeBsd {
    type Filter = i16;
    type Flags = u16;
    type Data = i64;
    type Ext = [u64; 4];
    const EXT_ZERO: [u64; 4] = [0; 4];
    const NAME: &'static str = "FreeBSD";
    const EVFILT_READ: Self::Filter = -1;
    const EVFILT_WRITE: Self::Filter = -2;
    const EVFILT_AIO: Self::Filter = -3;
    const EVFILT_VNODE: Self::Filter = -4;
    const EVFILT_PROC: Self::Filter = -5;
    const EVFILT_SIGNAL: Self::Filter = -6;
    const EVFILT_TIMER: Self::Filter = -7;
    const EVFILT_USER: Self::Filter = -11;
    const EVFILT_EXCEPT: Option<Self::Filter> = None;
    const EVFILT_MACHPORT: Option<Self::Filter> = None;
    const NOTE_SECONDS: Option<u32> = Some(0x1);
    const NOTE_USECONDS: Option<u32> = Some(0x4);
    const NOTE_NSECONDS: Option<u32> = Some(0x8);
    const NOTE_ABSTIME: Option<u32> = Some(0x10);
    const NOTE_EXIT_EXTRA: u32 = 0;
    #[cfg(target_arch = "x86")]
    const TIME_T_MAX: i64 = i32::MAX as i64;
    #[cfg(not(target_arch = "x86"))]
    const TIME_T_MAX: i64 = i64::MAX;
    const LAYOUT_64: Layout = Layout {
        size: 64,
        filter: 8,
        flags: 10,
        fflags: 12,
        data: 16,
        udata: 24,
    };
}

#[cfg(any(test, target_vendor = "apple"))]
os!(
    /// macOS, iOS and the other xnu systems (`struct kevent`, not `kevent64_s`).
    Apple
);
#[cfg(any(test, target_vendor = "apple"))]
impl Os for Apple {
    type Filter = i16;
    type Flags = u16;
    type Data = isize;
    type Ext = ();
    const EXT_ZERO: () = ();
    const NAME: &'static str = "macOS";
    const EVFILT_READ: Self::Filter = -1;
    const EVFILT_WRITE: Self::Filter = -2;
    const EVFILT_AIO: Self::Filter = -3;
    const EVFILT_VNODE: Self::Filter = -4;
    const EVFILT_PROC: Self::Filter = -5;
    const EVFILT_SIGNAL: Self::Filter = -6;
    const EVFILT_TIMER: Self::Filter = -7;
    const EVFILT_USER: Self::Filter = -10;
    const EVFILT_EXCEPT: Option<Self::Filter> = Some(-15);
    const EVFILT_MACHPORT: Option<Self::Filter> = Some(-8);
    const NOTE_SECONDS: Option<u32> = Some(0x1);
    const NOTE_USECONDS: Option<u32> = Some(0x2);
    const NOTE_NSECONDS: Option<u32> = Some(0x4);
    const NOTE_ABSTIME: Option<u32> = Some(0x8);
    // NOTE_EXITSTATUS
    const NOTE_EXIT_EXTRA: u32 = 0x0400_0000;
    const TIME_T_MAX: i64 = isize::MAX as i64;
    const C_ALIGN: usize = 4;
    const LAYOUT_64: Layout = Layout {
        size: 32,
        filter: 8,
        flags: 10,
        fflags: 12,
        data: 16,
        udata: 24,
    };
}

#[cfg(any(test, target_os = "netbsd"))]
os!(
    /// NetBSD through the `__kevent50` entry point (the 40-byte `struct kevent`; newer
    /// NetBSD keeps it as a compatibility symbol beside `__kevent100`).
    NetBsd
);
#[cfg(any(test, target_os = "netbsd"))]
impl Os for NetBsd {
    type Filter = u32;
    type Flags = u32;
    type Data = i64;
    type Ext = ();
    const EXT_ZERO: () = ();
    const NAME: &'static str = "NetBSD";
    const EVFILT_READ: Self::Filter = 0;
    const EVFILT_WRITE: Self::Filter = 1;
    const EVFILT_AIO: Self::Filter = 2;
    const EVFILT_VNODE: Self::Filter = 3;
    const EVFILT_PROC: Self::Filter = 4;
    const EVFILT_SIGNAL: Self::Filter = 5;
    const EVFILT_TIMER: Self::Filter = 6;
    const EVFILT_USER: Self::Filter = 8;
    const EVFILT_EXCEPT: Option<Self::Filter> = None;
    const EVFILT_MACHPORT: Option<Self::Filter> = None;
    // Units are values, not bits (NOTE_TIMER_UNITMASK); NOTE_MSECONDS is 0.
    const NOTE_SECONDS: Option<u32> = Some(1);
    const NOTE_USECONDS: Option<u32> = Some(2);
    const NOTE_NSECONDS: Option<u32> = Some(3);
    const NOTE_ABSTIME: Option<u32> = Some(0x10);
    const NOTE_EXIT_EXTRA: u32 = 0;
    const TIME_T_MAX: i64 = i64::MAX;
    const LAYOUT_64: Layout = Layout {
        size: 40,
        filter: 8,
        flags: 12,
        fflags: 16,
        data: 24,
        udata: 32,
    };
}

#[cfg(any(test, target_os = "openbsd"))]
os!(
    /// OpenBSD (`int64_t data` since 5.5; timer units and `EVFILT_USER` in recent releases).
    OpenBsd
);
#[cfg(any(test, target_os = "openbsd"))]
impl Os for OpenBsd {
    type Filter = i16;
    type Flags = u16;
    type Data = i64;
    type Ext = ();
    const EXT_ZERO: () = ();
    const NAME: &'static str = "OpenBSD";
    const EVFILT_READ: Self::Filter = -1;
    const EVFILT_WRITE: Self::Filter = -2;
    const EVFILT_AIO: Self::Filter = -3;
    const EVFILT_VNODE: Self::Filter = -4;
    const EVFILT_PROC: Self::Filter = -5;
    const EVFILT_SIGNAL: Self::Filter = -6;
    const EVFILT_TIMER: Self::Filter = -7;
    const EVFILT_USER: Self::Filter = -10;
    const EVFILT_EXCEPT: Option<Self::Filter> = Some(-9);
    const EVFILT_MACHPORT: Option<Self::Filter> = None;
    // Same value encoding as NetBSD (NOTE_MSECONDS is 0).
    const NOTE_SECONDS: Option<u32> = Some(1);
    const NOTE_USECONDS: Option<u32> = Some(2);
    const NOTE_NSECONDS: Option<u32> = Some(3);
    const NOTE_ABSTIME: Option<u32> = Some(0x10);
    const NOTE_EXIT_EXTRA: u32 = 0;
    const TIME_T_MAX: i64 = i64::MAX;
    const LAYOUT_64: Layout = Layout {
        size: 32,
        filter: 8,
        flags: 10,
        fflags: 12,
        data: 16,
        udata: 24,
    };
}

#[cfg(any(test, target_os = "dragonfly"))]
os!(
    /// DragonFly BSD (timers in milliseconds only, no absolute timers).
    DragonFly
);
#[cfg(any(test, target_os = "dragonfly"))]
impl Os for DragonFly {
    type Filter = i16;
    type Flags = u16;
    type Data = isize;
    type Ext = ();
    const EXT_ZERO: () = ();
    const NAME: &'static str = "DragonFly";
    const EVFILT_READ: Self::Filter = -1;
    const EVFILT_WRITE: Self::Filter = -2;
    const EVFILT_AIO: Self::Filter = -3;
    const EVFILT_VNODE: Self::Filter = -4;
    const EVFILT_PROC: Self::Filter = -5;
    const EVFILT_SIGNAL: Self::Filter = -6;
    const EVFILT_TIMER: Self::Filter = -7;
    const EVFILT_USER: Self::Filter = -9;
    const EVFILT_EXCEPT: Option<Self::Filter> = Some(-8);
    const EVFILT_MACHPORT: Option<Self::Filter> = None;
    const NOTE_SECONDS: Option<u32> = None;
    const NOTE_USECONDS: Option<u32> = None;
    const NOTE_NSECONDS: Option<u32> = None;
    const NOTE_ABSTIME: Option<u32> = None;
    const NOTE_EXIT_EXTRA: u32 = 0;
    const TIME_T_MAX: i64 = i64::MAX;
    const LAYOUT_64: Layout = Layout {
        size: 32,
        filter: 8,
        flags: 10,
        fflags: 12,
        data: 16,
        udata: 24,
    };
}

/// The ABI of the system being compiled for (FreeBSD's in unit tests on other hosts).
#[cfg(target_os = "freebsd")]
pub(crate) type Native = FreeBsd;
/// The ABI of the system being compiled for.
#[cfg(target_vendor = "apple")]
pub(crate) type Native = Apple;
/// The ABI of the system being compiled for.
#[cfg(target_os = "netbsd")]
pub(crate) type Native = NetBsd;
/// The ABI of the system being compiled for.
#[cfg(target_os = "openbsd")]
pub(crate) type Native = OpenBsd;
/// The ABI of the system being compiled for.
#[cfg(target_os = "dragonfly")]
pub(crate) type Native = DragonFly;
/// Unit tests on a host without kqueue exercise the public types with FreeBSD's ABI.
#[cfg(not(kqueue_os))]
pub(crate) type Native = FreeBsd;

/// The layout of the mirror as this compiler lays it out.
pub(crate) const fn layout_of<O: Os>() -> Layout {
    Layout {
        size: size_of::<Kevent<O>>(),
        filter: core::mem::offset_of!(Kevent<O>, filter),
        flags: core::mem::offset_of!(Kevent<O>, flags),
        fflags: core::mem::offset_of!(Kevent<O>, fflags),
        data: core::mem::offset_of!(Kevent<O>, data),
        udata: core::mem::offset_of!(Kevent<O>, udata),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check<O: Os>() {
        // No two filters share a value.
        let mut filters: Vec<O::Filter> = vec![
            O::EVFILT_READ,
            O::EVFILT_WRITE,
            O::EVFILT_AIO,
            O::EVFILT_VNODE,
            O::EVFILT_PROC,
            O::EVFILT_SIGNAL,
            O::EVFILT_TIMER,
            O::EVFILT_USER,
        ];
        filters.extend(O::EVFILT_EXCEPT);
        filters.extend(O::EVFILT_MACHPORT);
        let mut sorted: Vec<i64> = filters.iter().map(|f| f.to_i64()).collect();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            sorted.len(),
            filters.len(),
            "{}: duplicate filter value",
            O::NAME
        );
        // EV_* flags fit the flags field.
        assert_eq!(O::Flags::from_u32_bits(0xffff).to_i64(), 0xffff);
        // Timer units, where present, are distinct and nonzero (0 means milliseconds).
        let units: Vec<u32> = [O::NOTE_SECONDS, O::NOTE_USECONDS, O::NOTE_NSECONDS]
            .into_iter()
            .flatten()
            .collect();
        assert!(units.iter().all(|&u| u != 0));
        let mut u2 = units.clone();
        u2.dedup();
        assert_eq!(u2.len(), units.len());
        if let Some(abs) = O::NOTE_ABSTIME {
            assert!(
                units.iter().all(|&u| u & abs == 0),
                "{}: NOTE_ABSTIME overlaps a unit",
                O::NAME
            );
        }
        // The mirror has the C layout on 64-bit hosts (the size of `uintptr_t`, `void *`).
        #[cfg(target_pointer_width = "64")]
        assert_eq!(layout_of::<O>(), O::LAYOUT_64, "{}", O::NAME);
        assert_eq!(Kevent::<O>::ZERO.ident, 0);
    }

    #[test]
    fn tables_are_consistent_for_every_os() {
        check::<FreeBsd>();
        check::<Apple>();
        check::<NetBsd>();
        check::<OpenBsd>();
        check::<DragonFly>();
    }

    #[test]
    fn raw_int_round_trips_and_rejects_overflow() {
        assert_eq!(i16::from_i64(-32768), Some(i16::MIN));
        assert_eq!(i16::from_i64(32768), None);
        assert_eq!(u32::from_i64(-1), None);
        assert_eq!(u32::from_i64(u32::MAX as i64), Some(u32::MAX));
        assert_eq!(u16::from_i64(65536), None);
        assert_eq!(
            isize::from_i64(i64::MAX).map(RawInt::to_i64),
            isize::try_from(i64::MAX).ok().map(|v| v as i64)
        );
    }
}
