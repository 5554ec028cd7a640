//! What only `<linux/eventpoll.h>` has: busy-poll parameters and two kernel-side bits.
//!
//! The uapi header's `struct epoll_event` has the size and offsets of [`crate::epoll_event`] (its
//! `data` is a plain `__u64` there); only on i686 does its alignment differ (4 there, 1 in
//! glibc's packed one, which this crate follows).

use core::mem::{align_of, offset_of, size_of};

/// `EPOLLNVAL`: the fd is not open (a `poll(2)` bit that epoll never reports).
pub const EPOLLNVAL: u32 = 0x0000_0020;
/// `EPOLL_URING_WAKE`: kernel-internal bit marking a wake-up that io_uring generated.
pub const EPOLL_URING_WAKE: u32 = 1 << 27;

/// `EPOLL_IOC_TYPE`: the ioctl type byte of the epoll ioctls.
pub const EPOLL_IOC_TYPE: u32 = 0x8A;

/// `struct epoll_params`: busy-poll settings of an epoll instance (Linux 6.9+).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct epoll_params {
    /// `__u32 busy_poll_usecs`: how long to busy poll, in microseconds (at most `i32::MAX`).
    pub busy_poll_usecs: u32,
    /// `__u16 busy_poll_budget`: packets per poll; above `NAPI_POLL_WEIGHT` (64) needs
    /// `CAP_NET_ADMIN`.
    pub busy_poll_budget: u16,
    /// `__u8 prefer_busy_poll`: 0 or 1.
    pub prefer_busy_poll: u8,
    /// `__u8 __pad`: must be zero.
    pub __pad: u8,
}

const _: () = {
    assert!(size_of::<epoll_params>() == 8);
    assert!(align_of::<epoll_params>() == 4);
    assert!(offset_of!(epoll_params, busy_poll_usecs) == 0);
    assert!(offset_of!(epoll_params, busy_poll_budget) == 4);
    assert!(offset_of!(epoll_params, prefer_busy_poll) == 6);
    assert!(offset_of!(epoll_params, __pad) == 7);
};

// `_IOC(dir, type, nr, size)` from `<asm-generic/ioctl.h>`; PowerPC, MIPS and SPARC put the
// direction in three bits from bit 29 (write = 4, read = 2) instead of two bits from bit 30.
#[cfg(any(
    target_arch = "powerpc",
    target_arch = "powerpc64",
    target_arch = "mips",
    target_arch = "mips64",
    target_arch = "mips32r6",
    target_arch = "mips64r6",
    target_arch = "sparc",
    target_arch = "sparc64"
))]
const IOC: (u32, u32, u32) = (4 << 29, 2 << 29, 13);
#[cfg(not(any(
    target_arch = "powerpc",
    target_arch = "powerpc64",
    target_arch = "mips",
    target_arch = "mips64",
    target_arch = "mips32r6",
    target_arch = "mips64r6",
    target_arch = "sparc",
    target_arch = "sparc64"
)))]
const IOC: (u32, u32, u32) = (1 << 30, 2 << 30, 14);

const fn ioc(dir: u32, ty: u32, nr: u32, size: usize) -> u32 {
    assert!(size < (1 << IOC.2));
    dir | ((size as u32) << 16) | (ty << 8) | nr
}

/// `EPIOCSPARAMS`: `_IOW(EPOLL_IOC_TYPE, 0x01, struct epoll_params)`, set busy-poll parameters.
pub const EPIOCSPARAMS: u32 = ioc(IOC.0, EPOLL_IOC_TYPE, 0x01, size_of::<epoll_params>());
/// `EPIOCGPARAMS`: `_IOR(EPOLL_IOC_TYPE, 0x02, struct epoll_params)`, read busy-poll parameters.
pub const EPIOCGPARAMS: u32 = ioc(IOC.1, EPOLL_IOC_TYPE, 0x02, size_of::<epoll_params>());

#[cfg(target_arch = "x86_64")]
const _: () = {
    assert!(EPIOCSPARAMS == 0x4008_8a01);
    assert!(EPIOCGPARAMS == 0x8008_8a02);
};
