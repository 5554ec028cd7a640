//! NAPI busy polling, and the clock of CQ wait timeouts.

use core::ptr;
use std::io;

use uring_sys as sys;

use super::no_hint;
use crate::submit::Submitter;

/// A NAPI tracking strategy (`IO_URING_NAPI_TRACKING_*`, Linux 6.13+): which NAPI ids the ring
/// busy-polls.
///
/// A newtype, not an enum: the kernel writes this value back (previous settings), and a newer
/// kernel may report a strategy this crate does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NapiTracking(pub u32);

impl NapiTracking {
    /// `IO_URING_NAPI_TRACKING_DYNAMIC`: the ids of the sockets the ring uses (the default).
    #[doc(alias = "IO_URING_NAPI_TRACKING_DYNAMIC")]
    pub const DYNAMIC: Self = NapiTracking(sys::IO_URING_NAPI_TRACKING_DYNAMIC);
    /// `IO_URING_NAPI_TRACKING_STATIC`: only ids added with
    /// [`register_napi_add_id`](Submitter::register_napi_add_id).
    #[doc(alias = "IO_URING_NAPI_TRACKING_STATIC")]
    pub const STATIC: Self = NapiTracking(sys::IO_URING_NAPI_TRACKING_STATIC);
    /// `IO_URING_NAPI_TRACKING_INACTIVE`: none.
    #[doc(alias = "IO_URING_NAPI_TRACKING_INACTIVE")]
    pub const INACTIVE: Self = NapiTracking(sys::IO_URING_NAPI_TRACKING_INACTIVE);
}

/// NAPI busy-poll settings: `struct io_uring_napi` of `IORING_REGISTER_NAPI`.
#[doc(alias = "io_uring_napi")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Napi {
    /// `busy_poll_to`: how long to busy-poll, in microseconds.
    pub busy_poll_timeout_us: u32,
    /// `prefer_busy_poll`.
    pub prefer_busy_poll: bool,
    /// `op_param` of `IO_URING_NAPI_REGISTER_OP`: the tracking strategy (Linux 6.13+; older
    /// kernels ignore it and track dynamically).
    pub tracking: NapiTracking,
}

impl Napi {
    fn to_raw(self) -> sys::io_uring_napi {
        let mut raw = sys::io_uring_napi::zeroed();
        raw.busy_poll_to = self.busy_poll_timeout_us;
        raw.prefer_busy_poll = u8::from(self.prefer_busy_poll);
        raw.opcode = sys::IO_URING_NAPI_REGISTER_OP;
        raw.op_param = self.tracking.0;
        raw
    }

    fn from_raw(raw: &sys::io_uring_napi) -> Self {
        Napi {
            busy_poll_timeout_us: raw.busy_poll_to,
            prefer_busy_poll: raw.prefer_busy_poll != 0,
            tracking: NapiTracking(raw.op_param),
        }
    }
}

/// The clocks `IORING_REGISTER_CLOCK` accepts for CQ-wait timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Clock {
    /// `CLOCK_MONOTONIC` (the default).
    #[doc(alias = "CLOCK_MONOTONIC")]
    Monotonic,
    /// `CLOCK_BOOTTIME`: like monotonic, but counts time suspended.
    #[doc(alias = "CLOCK_BOOTTIME")]
    Boottime,
}

impl Clock {
    fn raw(self) -> u32 {
        match self {
            Clock::Monotonic => libc::CLOCK_MONOTONIC as u32,
            Clock::Boottime => libc::CLOCK_BOOTTIME as u32,
        }
    }
}

/// NAPI busy polling: `IORING_REGISTER_NAPI`, `IORING_UNREGISTER_NAPI`.
impl Submitter<'_> {
    /// `io_uring_register(fd, IORING_REGISTER_NAPI, &napi, 1)` — turns on NAPI busy polling for
    /// this ring's sockets with `settings` and returns the previous settings (Linux 6.9+).
    ///
    /// Needs a kernel with `CONFIG_NET_RX_BUSY_POLL`; otherwise `EOPNOTSUPP` or `EINVAL`.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_NAPI")]
    #[doc(alias = "io_uring_register_napi")]
    pub fn register_napi(&self, settings: Napi) -> io::Result<Napi> {
        let op = opcode!(IORING_REGISTER_NAPI);
        let mut raw = settings.to_raw();
        // SAFETY: the kernel reads and writes `raw`, exclusively ours for the call.
        unsafe { self.reg(op, ptr::from_mut(&mut raw).cast_const().cast(), 1, no_hint) }?;
        Ok(Napi::from_raw(&raw))
    }

    /// `io_uring_register(fd, IORING_UNREGISTER_NAPI, &napi, 1)` — turns NAPI busy polling off
    /// and returns the timeout and preference it had (Linux 6.9+). The kernel does not report
    /// the tracking strategy here: the returned `tracking` is [`NapiTracking::DYNAMIC`] (0).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_UNREGISTER_NAPI")]
    #[doc(alias = "io_uring_unregister_napi")]
    pub fn unregister_napi(&self) -> io::Result<Napi> {
        let op = opcode!(IORING_UNREGISTER_NAPI);
        let mut raw = sys::io_uring_napi::zeroed();
        // SAFETY: the kernel writes `raw`, exclusively ours for the call.
        unsafe { self.reg(op, ptr::from_mut(&mut raw).cast_const().cast(), 1, no_hint) }?;
        Ok(Napi::from_raw(&raw))
    }

    /// `io_uring_register(fd, IORING_REGISTER_NAPI, {IO_URING_NAPI_STATIC_ADD_ID, napi_id}, 1)`
    /// — adds NAPI id `napi_id` to the ids a ring with [`NapiTracking::STATIC`] busy-polls
    /// (Linux 6.13+). `EINVAL` when the ring does not track statically or the id is outside the
    /// NAPI id range, `EEXIST` when it is already listed. The kernel does not check that a NAPI
    /// instance with this id exists.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IO_URING_NAPI_STATIC_ADD_ID")]
    #[doc(alias = "io_uring_register_napi")]
    pub fn register_napi_add_id(&self, napi_id: u32) -> io::Result<()> {
        self.napi_id(sys::IO_URING_NAPI_STATIC_ADD_ID, napi_id)
    }

    /// `io_uring_register(fd, IORING_REGISTER_NAPI, {IO_URING_NAPI_STATIC_DEL_ID, napi_id}, 1)`
    /// — removes NAPI id `napi_id` from the static list (Linux 6.13+). `ENOENT` when it is not
    /// there.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IO_URING_NAPI_STATIC_DEL_ID")]
    pub fn register_napi_del_id(&self, napi_id: u32) -> io::Result<()> {
        self.napi_id(sys::IO_URING_NAPI_STATIC_DEL_ID, napi_id)
    }

    fn napi_id(&self, napi_op: u8, napi_id: u32) -> io::Result<()> {
        let op = opcode!(IORING_REGISTER_NAPI);
        let mut raw = sys::io_uring_napi::zeroed();
        raw.opcode = napi_op;
        raw.op_param = napi_id;
        // SAFETY: the kernel reads `raw` and writes back the current settings into it,
        // exclusively ours for the call.
        unsafe {
            self.reg(
                op,
                ptr::from_mut(&mut raw).cast_const().cast(),
                1,
                |e| match e {
                    libc::EINVAL => Some(
                        "the ring does not use NapiTracking::STATIC, or the id is not a NAPI id",
                    ),
                    libc::EEXIST => Some("this NAPI id is already in the static list"),
                    libc::ENOENT => Some("this NAPI id is not in the static list"),
                    _ => None,
                },
            )
        }
        .map(drop)
    }
}

/// The clock of CQ wait timeouts: `IORING_REGISTER_CLOCK`.
impl Submitter<'_> {
    /// `io_uring_register(fd, IORING_REGISTER_CLOCK, {clockid}, 0)` — chooses the clock that CQ
    /// wait timeouts (`io_uring_enter(2)` with `IORING_ENTER_EXT_ARG`) are measured on
    /// (Linux 6.12+).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_CLOCK")]
    #[doc(alias = "io_uring_register_clock")]
    pub fn register_clock(&self, clock: Clock) -> io::Result<()> {
        let op = opcode!(IORING_REGISTER_CLOCK);
        let mut reg = sys::io_uring_clock_register::zeroed();
        reg.clockid = clock.raw();
        // SAFETY: `reg` is a live `io_uring_clock_register`.
        unsafe { self.reg(op, ptr::from_ref(&reg).cast(), 0, no_hint) }.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn napi_and_clock_encode() {
        let raw = Napi {
            busy_poll_timeout_us: 7,
            prefer_busy_poll: true,
            tracking: NapiTracking::STATIC,
        }
        .to_raw();
        assert_eq!(
            (
                raw.busy_poll_to,
                raw.prefer_busy_poll,
                raw.opcode,
                raw.op_param,
                raw.resv
            ),
            (
                7,
                1,
                sys::IO_URING_NAPI_REGISTER_OP,
                sys::IO_URING_NAPI_TRACKING_STATIC,
                0
            )
        );
        assert_eq!(Napi::from_raw(&raw).tracking, NapiTracking::STATIC);
        assert_eq!(Clock::Boottime.raw(), libc::CLOCK_BOOTTIME as u32);
        assert_eq!(Clock::Monotonic.raw(), libc::CLOCK_MONOTONIC as u32);
    }
}
