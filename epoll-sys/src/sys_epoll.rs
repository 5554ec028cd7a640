//! `<sys/epoll.h>`: the event record, the event bits, the `epoll_ctl` opcodes and the raw calls.

use core::ffi::c_void;
use core::fmt;
use core::mem::{align_of, offset_of, size_of};
use libc::{c_int, sigset_t, timespec};

/// `EPOLLIN`: the fd is readable.
pub const EPOLLIN: u32 = 0x0000_0001;
/// `EPOLLPRI`: exceptional condition (out-of-band data, a cgroup event, a PTY state change).
pub const EPOLLPRI: u32 = 0x0000_0002;
/// `EPOLLOUT`: the fd is writable.
pub const EPOLLOUT: u32 = 0x0000_0004;
/// `EPOLLERR`: error condition; always reported, never needs requesting.
pub const EPOLLERR: u32 = 0x0000_0008;
/// `EPOLLHUP`: hang up; always reported, never needs requesting.
pub const EPOLLHUP: u32 = 0x0000_0010;
/// `EPOLLRDNORM`: normal data readable.
pub const EPOLLRDNORM: u32 = 0x0000_0040;
/// `EPOLLRDBAND`: priority band data readable.
pub const EPOLLRDBAND: u32 = 0x0000_0080;
/// `EPOLLWRNORM`: normal data writable.
pub const EPOLLWRNORM: u32 = 0x0000_0100;
/// `EPOLLWRBAND`: priority band data writable.
pub const EPOLLWRBAND: u32 = 0x0000_0200;
/// `EPOLLMSG`: unused by Linux.
pub const EPOLLMSG: u32 = 0x0000_0400;
/// `EPOLLRDHUP`: the stream peer shut down its writing half (Linux 2.6.17+).
pub const EPOLLRDHUP: u32 = 0x0000_2000;
/// `EPOLLEXCLUSIVE`: exclusive wake-up for fds attached to several epoll instances (Linux 4.5+).
pub const EPOLLEXCLUSIVE: u32 = 1 << 28;
/// `EPOLLWAKEUP`: hold a wakeup source while the event is pending (needs `CAP_BLOCK_SUSPEND`).
pub const EPOLLWAKEUP: u32 = 1 << 29;
/// `EPOLLONESHOT`: disable the registration after one event until `EPOLL_CTL_MOD` re-arms it.
pub const EPOLLONESHOT: u32 = 1 << 30;
/// `EPOLLET`: edge-triggered notification.
pub const EPOLLET: u32 = 1 << 31;

/// `EPOLL_CLOEXEC`: flag for `epoll_create1`, equal to `O_CLOEXEC`.
pub const EPOLL_CLOEXEC: c_int = libc::O_CLOEXEC;

/// `EPOLL_CTL_ADD`: register a fd.
pub const EPOLL_CTL_ADD: c_int = 1;
/// `EPOLL_CTL_DEL`: deregister a fd.
pub const EPOLL_CTL_DEL: c_int = 2;
/// `EPOLL_CTL_MOD`: change a registered fd's event mask and data.
pub const EPOLL_CTL_MOD: c_int = 3;

/// `epoll_data_t` (`union epoll_data`): the user data stored with a registration.
#[repr(C)]
#[derive(Clone, Copy)]
pub union epoll_data {
    /// `void *ptr`
    pub ptr: *mut c_void,
    /// `int fd`
    pub fd: c_int,
    /// `uint32_t u32`
    pub u32: u32,
    /// `uint64_t u64`
    pub u64: u64,
}

/// `typedef union epoll_data epoll_data_t`.
pub type epoll_data_t = epoll_data;

impl fmt::Debug for epoll_data {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // SAFETY: `u64` covers all 8 bytes of the union and every bit pattern is a valid `u64`;
        // a union smaller than 8 bytes cannot exist (asserted below).
        let v = unsafe { self.u64 };
        f.debug_struct("epoll_data").field("u64", &v).finish()
    }
}

impl PartialEq for epoll_data {
    fn eq(&self, other: &Self) -> bool {
        // SAFETY: as in `Debug`: all 8 bytes are read as a `u64`, valid for any bit pattern.
        unsafe { self.u64 == other.u64 }
    }
}
impl Eq for epoll_data {}

const _: () = {
    assert!(size_of::<epoll_data>() == 8);
    // 8 on most targets, 4 on i686 (where `uint64_t` is 4-aligned).
    assert!(align_of::<epoll_data>() == align_of::<u64>());
};

/// `struct epoll_event`: an interest (to `epoll_ctl`) or a readiness report (from `epoll_wait`).
///
/// Packed (12 bytes, alignment 1) on x86_64 and i686, where glibc's `__EPOLL_PACKED` applies
/// (the kernel packs it on x86_64 to match the i386 layout); natural elsewhere (16 bytes,
/// alignment 8, on every 64-bit target). Copy fields out by value (`{ ev.events }`): a reference
/// into a packed struct is not allowed.
#[cfg_attr(any(target_arch = "x86_64", target_arch = "x86"), repr(C, packed))]
#[cfg_attr(not(any(target_arch = "x86_64", target_arch = "x86")), repr(C))]
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct epoll_event {
    /// `uint32_t events`: `EPOLL*` bits.
    pub events: u32,
    /// `epoll_data_t data`
    pub data: epoll_data,
}

impl fmt::Debug for epoll_event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let events = self.events;
        let data = self.data;
        f.debug_struct("epoll_event")
            .field("events", &format_args!("{events:#x}"))
            .field("data", &data)
            .finish()
    }
}

#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
const _: () = {
    assert!(size_of::<epoll_event>() == 12);
    assert!(align_of::<epoll_event>() == 1);
    assert!(offset_of!(epoll_event, events) == 0);
    assert!(offset_of!(epoll_event, data) == 4);
};
#[cfg(not(any(target_arch = "x86_64", target_arch = "x86")))]
const _: () = {
    // `data` at the alignment of `uint64_t` (8 on every 64-bit and most 32-bit targets).
    const DATA: usize = if align_of::<u64>() > 4 {
        align_of::<u64>()
    } else {
        4
    };
    assert!(size_of::<epoll_event>() == DATA + 8);
    assert!(align_of::<epoll_event>() == align_of::<u64>());
    assert!(offset_of!(epoll_event, events) == 0);
    assert!(offset_of!(epoll_event, data) == DATA);
};

const _: () = {
    assert!(size_of::<epoll_event>() == size_of::<libc::epoll_event>());
    assert!(align_of::<epoll_event>() == align_of::<libc::epoll_event>());
};

/// `int epoll_create(int size)`: the legacy constructor; `size` must be positive and is ignored.
///
/// # Safety
/// No memory is touched; it is `unsafe` only as a raw FFI call. The caller owns the returned fd.
///
/// # References
/// - [epoll_create(2)](https://man7.org/linux/man-pages/man2/epoll_create.2.html)
#[inline]
pub unsafe fn epoll_create(size: c_int) -> c_int {
    // SAFETY: the call takes no pointers; the caller accepted ownership of the result.
    unsafe { libc::epoll_create(size) }
}

/// `int epoll_create1(int flags)`: create an epoll instance; `flags` is 0 or `EPOLL_CLOEXEC`.
///
/// # Safety
/// No memory is touched; it is `unsafe` only as a raw FFI call. The caller owns the returned fd.
///
/// # References
/// - [epoll_create(2)](https://man7.org/linux/man-pages/man2/epoll_create.2.html)
#[inline]
pub unsafe fn epoll_create1(flags: c_int) -> c_int {
    // SAFETY: the call takes no pointers; the caller accepted ownership of the result.
    unsafe { libc::epoll_create1(flags) }
}

/// `int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)`: add, modify or delete
/// a registration.
///
/// # Safety
/// - `event` is valid for reads of one `epoll_event`, or null for `EPOLL_CTL_DEL` (Linux 2.6.9+).
/// - `epfd` and `fd` are fds the caller may use (I/O safety): the kernel does not keep `fd`
///   open, and a registration of a closed fd lingers while any duplicate of it is open.
///
/// # References
/// - [epoll_ctl(2)](https://man7.org/linux/man-pages/man2/epoll_ctl.2.html)
#[inline]
pub unsafe fn epoll_ctl(epfd: c_int, op: c_int, fd: c_int, event: *mut epoll_event) -> c_int {
    // SAFETY: `epoll_event` has the layout of `libc::epoll_event` (asserted above); the caller
    // guarantees `event` is readable or null.
    unsafe { libc::epoll_ctl(epfd, op, fd, event.cast()) }
}

/// `int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)`: wait up to
/// `timeout` milliseconds (-1: forever) for events.
///
/// # Safety
/// - `events` is valid for writes of `maxevents` `epoll_event`s, and `maxevents > 0`.
///
/// # References
/// - [epoll_wait(2)](https://man7.org/linux/man-pages/man2/epoll_wait.2.html)
#[inline]
pub unsafe fn epoll_wait(
    epfd: c_int,
    events: *mut epoll_event,
    maxevents: c_int,
    timeout: c_int,
) -> c_int {
    // SAFETY: layout identical to `libc::epoll_event` (asserted above); the caller guarantees
    // `events` is writable for `maxevents` entries.
    unsafe { libc::epoll_wait(epfd, events.cast(), maxevents, timeout) }
}

/// `int epoll_pwait(int epfd, struct epoll_event *events, int maxevents, int timeout, const
/// sigset_t *sigmask)`: `epoll_wait` with the thread's signal mask atomically replaced by
/// `sigmask` (null: unchanged) for the duration of the call.
///
/// # Safety
/// - `events` is valid for writes of `maxevents` `epoll_event`s, and `maxevents > 0`.
/// - `sigmask` is null or valid for reads of a `sigset_t`.
///
/// # References
/// - [epoll_wait(2)](https://man7.org/linux/man-pages/man2/epoll_wait.2.html)
#[inline]
pub unsafe fn epoll_pwait(
    epfd: c_int,
    events: *mut epoll_event,
    maxevents: c_int,
    timeout: c_int,
    sigmask: *const sigset_t,
) -> c_int {
    // SAFETY: layout identical to `libc::epoll_event` (asserted above); the caller guarantees both
    // pointers.
    unsafe { libc::epoll_pwait(epfd, events.cast(), maxevents, timeout, sigmask) }
}

/// The kernel's `struct __kernel_timespec` (64-bit seconds on every architecture), which
/// `epoll_pwait2` reads.
#[repr(C)]
struct KernelTimespec {
    tv_sec: i64,
    tv_nsec: i64,
}

/// Bytes of the kernel's `sigset_t` (`_NSIG / 8`): the `sigsetsize` argument of the raw call.
#[cfg(any(target_arch = "mips", target_arch = "mips64", target_arch = "mips32r6"))]
const KERNEL_SIGSET_SIZE: usize = 16;
#[cfg(not(any(target_arch = "mips", target_arch = "mips64", target_arch = "mips32r6")))]
const KERNEL_SIGSET_SIZE: usize = 8;
const _: () = assert!(size_of::<sigset_t>() >= KERNEL_SIGSET_SIZE);

/// `int epoll_pwait2(int epfd, struct epoll_event *events, int maxevents, const struct timespec
/// *timeout, const sigset_t *sigmask)`: `epoll_pwait` with a nanosecond timeout (null: forever).
/// Linux 5.11+; older kernels fail with `ENOSYS`.
///
/// Issued as the raw `SYS_epoll_pwait2` syscall (so it links against any C library), with the
/// timeout converted to the kernel's 64-bit `__kernel_timespec`.
///
/// # Safety
/// - `events` is valid for writes of `maxevents` `epoll_event`s, and `maxevents > 0`.
/// - `timeout` is null or valid for reads of a `timespec`.
/// - `sigmask` is null or valid for reads of a `sigset_t`.
///
/// # References
/// - [epoll_wait(2)](https://man7.org/linux/man-pages/man2/epoll_wait.2.html)
#[inline]
pub unsafe fn epoll_pwait2(
    epfd: c_int,
    events: *mut epoll_event,
    maxevents: c_int,
    timeout: *const timespec,
    sigmask: *const sigset_t,
) -> c_int {
    let ts = if timeout.is_null() {
        None
    } else {
        // SAFETY: the caller guarantees a non-null `timeout` is readable.
        let t = unsafe { &*timeout };
        #[allow(clippy::useless_conversion, clippy::unnecessary_cast)]
        Some(KernelTimespec {
            tv_sec: t.tv_sec as i64,
            tv_nsec: t.tv_nsec as i64,
        })
    };
    let ts_ptr = match &ts {
        Some(t) => t as *const KernelTimespec,
        None => core::ptr::null(),
    };
    // SAFETY: the caller guarantees `events` and `sigmask`; `ts_ptr` is null or points at `ts`,
    // alive until the call returns; `KERNEL_SIGSET_SIZE` bytes of a `sigset_t` are readable
    // (asserted above).
    let r = unsafe {
        libc::syscall(
            libc::SYS_epoll_pwait2,
            epfd,
            events,
            maxevents,
            ts_ptr,
            sigmask,
            KERNEL_SIGSET_SIZE,
        )
    };
    r as c_int
}
