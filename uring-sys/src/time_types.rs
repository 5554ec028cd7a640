//! The part of `<linux/time_types.h>` that `<linux/io_uring.h>` uses.

/// `__kernel_time64_t` (`long long`).
pub type __kernel_time64_t = i64;

/// `struct __kernel_timespec`: the 64-bit-time `timespec` every io_uring timeout uses.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct __kernel_timespec {
    /// `tv_sec`.
    pub tv_sec: __kernel_time64_t,
    /// `tv_nsec` (`long long`).
    pub tv_nsec: i64,
}
layout!(__kernel_timespec, size 16, align core::mem::align_of::<i64>(), tv_sec = 0, tv_nsec = 8);
zeroable!(__kernel_timespec);
