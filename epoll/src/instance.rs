//! The epoll instance.

use crate::error::{ctl_error, params_error};
use crate::event::Events;
use crate::flags::Interest;
use crate::sigset::SigSet;
use crate::sys;
use epoll_sys as raw;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, IntoRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

/// An epoll instance, owning its fd (created with `EPOLL_CLOEXEC`, closed on drop).
///
/// All methods take `&self`: `add`, `modify`, `delete` and `wait` may run concurrently from
/// several threads (the kernel serialises them), so an `Epoll` can be shared in an `Arc`.
///
/// The kernel does **not** keep registered fds alive: a registration lives as long as the open
/// file description, and is removed only when every fd referring to it is closed. See the
/// [crate docs](crate#closing-a-registered-fd-and-the-fd-reuse-aba-hazard).
#[derive(Debug)]
pub struct Epoll {
    pub(crate) fd: OwnedFd,
}

/// Whether `epoll_pwait2` can be used: unknown, yes, no (`ENOSYS`: a kernel before 5.11, or a
/// seccomp filter that answers `ENOSYS`; `EPERM`: a seccomp filter or LSM that denies it, as
/// container profiles older than the call do; the kernel itself never fails it with `EPERM`).
static PWAIT2: AtomicU8 = AtomicU8::new(PWAIT2_UNKNOWN);
const PWAIT2_UNKNOWN: u8 = 0;
const PWAIT2_YES: u8 = 1;
const PWAIT2_NO: u8 = 2;

/// How a timeout reaches the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timeout {
    /// Whole milliseconds (or -1 for forever): `epoll_wait`/`epoll_pwait`.
    Millis(i32),
    /// Needs nanosecond precision or more than `i32::MAX` ms: `epoll_pwait2`.
    Precise(Duration),
}

impl Timeout {
    #[inline]
    pub(crate) fn new(timeout: Option<Duration>) -> Self {
        match timeout {
            None => Timeout::Millis(-1),
            Some(d) => {
                let secs = d.as_secs();
                let nanos = d.subsec_nanos();
                // Whole milliseconds that fit an `int`: the cheapest path, exact.
                if nanos % 1_000_000 == 0 && secs < (i32::MAX as u64) / 1000 {
                    Timeout::Millis((secs * 1000) as i32 + (nanos / 1_000_000) as i32)
                } else {
                    Timeout::Precise(d)
                }
            }
        }
    }
}

/// `d` in milliseconds rounded **up** and clamped to `i32::MAX`: a positive timeout never becomes
/// a zero-timeout busy loop (mio #1614).
pub(crate) fn millis_round_up(d: Duration) -> i32 {
    let ms = d.as_nanos().div_ceil(1_000_000);
    ms.min(i32::MAX as u128) as i32
}

impl Epoll {
    /// `epoll_create1(EPOLL_CLOEXEC)` — creates an epoll instance.
    ///
    /// # Errors
    /// `EMFILE`/`ENFILE` when out of fds, `ENOMEM`.
    ///
    /// # References
    /// - [epoll_create(2)](https://man7.org/linux/man-pages/man2/epoll_create.2.html)
    /// - [epoll(7)](https://man7.org/linux/man-pages/man7/epoll.7.html)
    #[doc(alias = "epoll_create1", alias = "epoll_create")]
    pub fn new() -> io::Result<Self> {
        sys::create().map(|fd| Epoll { fd })
    }

    /// `epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &{interest, token})` — registers `fd` with `token`.
    ///
    /// The token comes back in every [`Event`](crate::Event) for this fd. Without
    /// [`Interest::EDGE_TRIGGERED`] the registration is level-triggered.
    ///
    /// The kernel does not keep `fd` open; see the
    /// [crate docs](crate#closing-a-registered-fd-and-the-fd-reuse-aba-hazard).
    ///
    /// # Errors
    /// The [`io::Error`] carries a [`CtlError`](crate::CtlError) saying what to do:
    /// `AlreadyExists` (`EEXIST`) if `fd` is already registered here, `PermissionDenied`
    /// (`EPERM`) for regular files and directories, `InvalidInput` (`EINVAL`) for `fd` being
    /// this instance or bits [`Interest::EXCLUSIVE`] does not allow, `ENOSPC` past
    /// `max_user_watches`, `ELOOP` for epoll nesting cycles.
    ///
    /// # References
    /// - [epoll_ctl(2)](https://man7.org/linux/man-pages/man2/epoll_ctl.2.html)
    #[doc(alias = "epoll_ctl", alias = "EPOLL_CTL_ADD")]
    #[inline]
    pub fn add(&self, fd: impl AsFd, token: u64, interest: Interest) -> io::Result<()> {
        let fd = fd.as_fd();
        sys::ctl(
            self.fd.as_fd(),
            raw::EPOLL_CTL_ADD,
            fd,
            interest.bits(),
            token,
        )
        .map_err(|e| ctl_error("EPOLL_CTL_ADD", fd.as_raw_fd(), e))
    }

    /// `epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &{interest, token})` — changes the interest and token
    /// of a registered fd; this also re-arms a [`Interest::ONESHOT`] registration that fired.
    ///
    /// # Errors
    /// `NotFound` (`ENOENT`) if `fd` is not registered here; `InvalidInput` (`EINVAL`) when
    /// the registration was added with [`Interest::EXCLUSIVE`] or `interest` contains it
    /// (exclusive registrations cannot be modified: delete and add again). Each error carries a
    /// [`CtlError`](crate::CtlError).
    ///
    /// # References
    /// - [epoll_ctl(2)](https://man7.org/linux/man-pages/man2/epoll_ctl.2.html)
    #[doc(alias = "epoll_ctl", alias = "EPOLL_CTL_MOD")]
    #[inline]
    pub fn modify(&self, fd: impl AsFd, token: u64, interest: Interest) -> io::Result<()> {
        let fd = fd.as_fd();
        sys::ctl(
            self.fd.as_fd(),
            raw::EPOLL_CTL_MOD,
            fd,
            interest.bits(),
            token,
        )
        .map_err(|e| ctl_error("EPOLL_CTL_MOD", fd.as_raw_fd(), e))
    }

    /// `epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL)` — deregisters `fd`.
    ///
    /// # Errors
    /// `NotFound` (`ENOENT`) if `fd` is not registered here (closing the last fd of a file
    /// already deregistered it), with a [`CtlError`](crate::CtlError).
    ///
    /// # References
    /// - [epoll_ctl(2)](https://man7.org/linux/man-pages/man2/epoll_ctl.2.html)
    #[doc(alias = "epoll_ctl", alias = "EPOLL_CTL_DEL")]
    #[inline]
    pub fn delete(&self, fd: impl AsFd) -> io::Result<()> {
        let fd = fd.as_fd();
        sys::ctl(self.fd.as_fd(), raw::EPOLL_CTL_DEL, fd, 0, 0)
            .map_err(|e| ctl_error("EPOLL_CTL_DEL", fd.as_raw_fd(), e))
    }

    /// `epoll_wait(epfd, events, events.capacity(), timeout)` — waits for events and returns how
    /// many were written into `events` (also [`Events::len`]).
    ///
    /// `timeout`: `None` waits forever, `Some(Duration::ZERO)` polls. Whole milliseconds go to
    /// `epoll_wait`; a timeout with a sub-millisecond part (or longer than `i32::MAX` ms) goes to
    /// `epoll_pwait2` with nanosecond precision (Linux 5.11+); on older kernels, and where a
    /// seccomp filter denies `epoll_pwait2` (`ENOSYS` or `EPERM`), it is rounded **up** to the
    /// next millisecond, so a positive timeout never becomes a busy loop (and
    /// clamped to `i32::MAX` ms, about 24.8 days, so such a wait may end early with `Ok(0)`).
    /// Returns `Ok(0)` on timeout.
    ///
    /// No allocation: `events` is the caller's buffer, reused across calls.
    ///
    /// # Errors
    /// A signal handler that runs while waiting ends the wait with an error of kind
    /// [`io::ErrorKind::Interrupted`] (`EINTR`), whatever `SA_RESTART` says: `epoll_wait` is never
    /// restarted (see [signal(7)](https://man7.org/linux/man-pages/man7/signal.7.html)). It is
    /// returned, not retried, so a signal can stop an event loop; call `wait` again to go on.
    /// `events` is then empty.
    ///
    /// # References
    /// - [epoll_wait(2)](https://man7.org/linux/man-pages/man2/epoll_wait.2.html)
    #[doc(alias = "epoll_wait", alias = "epoll_pwait2")]
    #[inline]
    pub fn wait(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<usize> {
        events.clear();
        let n = match Timeout::new(timeout) {
            Timeout::Millis(ms) => sys::wait(self.fd.as_fd(), events.spare(), ms)?,
            Timeout::Precise(d) => self.wait_precise(events, d, None)?,
        };
        events.set_len(n);
        Ok(n)
    }

    /// `epoll_pwait(epfd, events, events.capacity(), timeout, sigmask)` — [`wait`](Self::wait)
    /// with the thread's signal mask atomically replaced by `sigmask` while waiting.
    ///
    /// The classic use: keep a signal blocked everywhere, and unblock it only here, so its
    /// handler runs only while waiting and the wait returns `Interrupted` without a race.
    ///
    /// # Errors
    /// As [`wait`](Self::wait).
    ///
    /// # References
    /// - [epoll_wait(2)](https://man7.org/linux/man-pages/man2/epoll_wait.2.html)
    #[doc(alias = "epoll_pwait", alias = "epoll_pwait2")]
    pub fn wait_with_sigmask(
        &self,
        events: &mut Events,
        timeout: Option<Duration>,
        sigmask: &SigSet,
    ) -> io::Result<usize> {
        events.clear();
        let n = match Timeout::new(timeout) {
            Timeout::Millis(ms) => {
                sys::pwait(self.fd.as_fd(), events.spare(), ms, sigmask.as_raw())?
            }
            Timeout::Precise(d) => self.wait_precise(events, d, Some(sigmask))?,
        };
        events.set_len(n);
        Ok(n)
    }

    #[cold]
    fn wait_precise(
        &self,
        events: &mut Events,
        d: Duration,
        sigmask: Option<&SigSet>,
    ) -> io::Result<usize> {
        let mask = sigmask.map(SigSet::as_raw);
        if PWAIT2.load(Ordering::Relaxed) != PWAIT2_NO {
            let ts = libc::timespec {
                tv_sec: d.as_secs().min(libc::time_t::MAX as u64) as libc::time_t,
                tv_nsec: d.subsec_nanos() as _,
            };
            match sys::pwait2(self.fd.as_fd(), events.spare(), &ts, mask) {
                Err(e) if matches!(e.raw_os_error(), Some(libc::ENOSYS | libc::EPERM)) => {
                    PWAIT2.store(PWAIT2_NO, Ordering::Relaxed);
                }
                r => {
                    if r.is_ok() {
                        PWAIT2.store(PWAIT2_YES, Ordering::Relaxed);
                    }
                    return r;
                }
            }
        }
        let ms = millis_round_up(d);
        match mask {
            None => sys::wait(self.fd.as_fd(), events.spare(), ms),
            Some(m) => sys::pwait(self.fd.as_fd(), events.spare(), ms, m),
        }
    }

    /// `ioctl(epfd, EPIOCSPARAMS, &params)` — sets the busy-poll parameters (Linux 6.9+).
    ///
    /// # Errors
    /// `ENOTTY` before Linux 6.9; `EINVAL` for `busy_poll_usecs > i32::MAX`; `EPERM` for a
    /// budget above 64 without `CAP_NET_ADMIN`. Each message says which; the errno is kept in
    /// a [`ParamsError`](crate::ParamsError) (read it with [`errno`](crate::errno)).
    ///
    /// # References
    /// - [ioctl_eventpoll(2)](https://man7.org/linux/man-pages/man2/ioctl_eventpoll.2.html)
    #[doc(alias = "EPIOCSPARAMS", alias = "ioctl")]
    pub fn set_busy_poll(&self, params: BusyPoll) -> io::Result<()> {
        let p = raw::epoll_params {
            busy_poll_usecs: params.usecs,
            busy_poll_budget: params.budget,
            prefer_busy_poll: params.prefer.into(),
            __pad: 0,
        };
        sys::set_params(self.fd.as_fd(), &p).map_err(|e| params_error(true, e))
    }

    /// `ioctl(epfd, EPIOCGPARAMS, &params)` — reads the busy-poll parameters (Linux 6.9+).
    ///
    /// # Errors
    /// `ENOTTY` before Linux 6.9, kept in a [`ParamsError`](crate::ParamsError) (read it with
    /// [`errno`](crate::errno)).
    ///
    /// # References
    /// - [ioctl_eventpoll(2)](https://man7.org/linux/man-pages/man2/ioctl_eventpoll.2.html)
    #[doc(alias = "EPIOCGPARAMS", alias = "ioctl")]
    pub fn busy_poll(&self) -> io::Result<BusyPoll> {
        let p = sys::get_params(self.fd.as_fd()).map_err(|e| params_error(false, e))?;
        Ok(BusyPoll {
            usecs: p.busy_poll_usecs,
            budget: p.busy_poll_budget,
            prefer: p.prefer_busy_poll != 0,
        })
    }
}

/// Busy-poll parameters of an epoll instance: `struct epoll_params` (Linux 6.9+).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[doc(alias = "epoll_params")]
pub struct BusyPoll {
    /// `busy_poll_usecs`: how long to busy poll the NAPI queues before sleeping (0: off).
    pub usecs: u32,
    /// `busy_poll_budget`: packets per poll; above 64 needs `CAP_NET_ADMIN`.
    pub budget: u16,
    /// `prefer_busy_poll`: prefer busy polling over softirq processing.
    pub prefer: bool,
}

impl AsFd for Epoll {
    #[inline]
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for Epoll {
    #[inline]
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl From<Epoll> for OwnedFd {
    fn from(ep: Epoll) -> OwnedFd {
        ep.fd
    }
}

impl IntoRawFd for Epoll {
    fn into_raw_fd(self) -> RawFd {
        self.fd.into_raw_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_millis_take_the_cheap_path() {
        assert_eq!(Timeout::new(None), Timeout::Millis(-1));
        assert_eq!(Timeout::new(Some(Duration::ZERO)), Timeout::Millis(0));
        assert_eq!(
            Timeout::new(Some(Duration::from_millis(1))),
            Timeout::Millis(1)
        );
        assert_eq!(
            Timeout::new(Some(Duration::from_secs(1))),
            Timeout::Millis(1000)
        );
        assert_eq!(
            Timeout::new(Some(Duration::from_millis(2_147_000_000))),
            Timeout::Millis(2_147_000_000)
        );
    }

    #[test]
    fn sub_millis_and_huge_need_pwait2() {
        for d in [
            Duration::from_nanos(1),
            Duration::from_micros(1500),
            Duration::from_secs(u64::MAX),
            Duration::from_millis(i32::MAX as u64 + 1),
        ] {
            assert_eq!(Timeout::new(Some(d)), Timeout::Precise(d), "{d:?}");
        }
    }

    /// Naive oracle: the smallest whole millisecond count >= d, clamped.
    #[test]
    fn round_up_never_shortens() {
        let cases = [0u64, 1, 999_999, 1_000_000, 1_000_001, 2_500_000, u64::MAX];
        for ns in cases {
            let d = Duration::from_nanos(ns);
            let ms = millis_round_up(d);
            let exact = (ns as u128).div_ceil(1_000_000).min(i32::MAX as u128) as i32;
            assert_eq!(ms, exact, "{ns} ns");
            if ns > 0 {
                assert!(ms >= 1, "a positive timeout of {ns} ns became 0 ms");
            }
        }
        assert_eq!(millis_round_up(Duration::from_secs(u64::MAX)), i32::MAX);
    }

    proptest::proptest! {
        /// Any duration: the millisecond count covers it, and one less would not (unless
        /// clamped at `i32::MAX`).
        #[test]
        fn round_up_is_the_least_covering_millis(secs in 0u64..4_000_000, nanos in 0u32..1_000_000_000) {
            let d = Duration::new(secs, nanos);
            let ms = millis_round_up(d);
            proptest::prop_assert!(ms >= 0);
            if ms < i32::MAX {
                proptest::prop_assert!(Duration::from_millis(ms as u64) >= d);
                if ms > 0 {
                    proptest::prop_assert!(Duration::from_millis(ms as u64 - 1) < d);
                }
            }
            match Timeout::new(Some(d)) {
                Timeout::Millis(m) => proptest::prop_assert_eq!(Duration::from_millis(m as u64), d),
                Timeout::Precise(p) => proptest::prop_assert_eq!(p, d),
            }
        }
    }
}
