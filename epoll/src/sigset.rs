//! A signal set for [`Epoll::wait_with_sigmask`](crate::Epoll::wait_with_sigmask).

use crate::sys;
use std::fmt;
use std::io;

/// A set of signals (`sigset_t`): the mask a [`wait_with_sigmask`](crate::Epoll::wait_with_sigmask)
/// installs for the duration of the wait.
#[derive(Clone)]
pub struct SigSet(libc::sigset_t);

impl SigSet {
    /// `sigemptyset(&set)` — a set with no signal.
    ///
    /// # References
    /// - [sigsetops(3)](https://man7.org/linux/man-pages/man3/sigsetops.3.html)
    #[doc(alias = "sigemptyset")]
    pub fn empty() -> Self {
        SigSet(sys::sigset(false))
    }

    /// `sigfillset(&set)` — a set with every signal.
    ///
    /// # References
    /// - [sigsetops(3)](https://man7.org/linux/man-pages/man3/sigsetops.3.html)
    #[doc(alias = "sigfillset")]
    pub fn full() -> Self {
        SigSet(sys::sigset(true))
    }

    /// `pthread_sigmask(SIG_BLOCK, NULL, &set)` — the calling thread's current mask.
    ///
    /// # Errors
    /// None in practice (`pthread_sigmask` fails only for a bad `how`).
    ///
    /// # References
    /// - [pthread_sigmask(3)](https://man7.org/linux/man-pages/man3/pthread_sigmask.3.html)
    #[doc(alias = "pthread_sigmask")]
    pub fn thread_mask() -> io::Result<Self> {
        sys::thread_sigmask().map(SigSet)
    }

    /// `sigaddset(&set, signal)` — adds `signal` (`libc::SIGUSR1`, ...).
    ///
    /// # Errors
    /// `InvalidInput` (`EINVAL`) for a number that is not a signal.
    ///
    /// # References
    /// - [sigsetops(3)](https://man7.org/linux/man-pages/man3/sigsetops.3.html)
    #[doc(alias = "sigaddset")]
    pub fn add(&mut self, signal: i32) -> io::Result<()> {
        sys::sigset_update(&mut self.0, signal, true)
    }

    /// `sigdelset(&set, signal)` — removes `signal`.
    ///
    /// # Errors
    /// `InvalidInput` (`EINVAL`) for a number that is not a signal.
    ///
    /// # References
    /// - [sigsetops(3)](https://man7.org/linux/man-pages/man3/sigsetops.3.html)
    #[doc(alias = "sigdelset")]
    pub fn remove(&mut self, signal: i32) -> io::Result<()> {
        sys::sigset_update(&mut self.0, signal, false)
    }

    /// `sigismember(&set, signal)` — whether `signal` is in the set (`false` for a bad number).
    ///
    /// # References
    /// - [sigsetops(3)](https://man7.org/linux/man-pages/man3/sigsetops.3.html)
    #[doc(alias = "sigismember")]
    pub fn contains(&self, signal: i32) -> bool {
        sys::sigset_contains(&self.0, signal)
    }

    /// The raw set.
    pub fn as_raw(&self) -> &libc::sigset_t {
        &self.0
    }

    /// Wraps a raw set.
    pub fn from_raw(set: libc::sigset_t) -> Self {
        SigSet(set)
    }
}

impl fmt::Debug for SigSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let members: Vec<i32> = (1..65).filter(|&s| self.contains(s)).collect();
        f.debug_tuple("SigSet").field(&members).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(miri, ignore = "glibc sigset calls: Miri cannot run them")]
    fn add_remove_contains() {
        let mut s = SigSet::empty();
        assert!(!s.contains(libc::SIGUSR1));
        s.add(libc::SIGUSR1).unwrap();
        assert!(s.contains(libc::SIGUSR1) && !s.contains(libc::SIGUSR2));
        s.remove(libc::SIGUSR1).unwrap();
        assert!(!s.contains(libc::SIGUSR1));
        assert!(SigSet::full().contains(libc::SIGTERM));
        assert_eq!(
            format!("{:?}", {
                let mut t = SigSet::empty();
                t.add(2).unwrap();
                t
            }),
            "SigSet([2])"
        );
    }

    #[test]
    #[cfg_attr(miri, ignore = "glibc sigset calls: Miri cannot run them")]
    fn bad_signal_numbers_are_invalid_input() {
        let mut s = SigSet::empty();
        for bad in [0, -1, 1000] {
            assert_eq!(
                s.add(bad).unwrap_err().kind(),
                io::ErrorKind::InvalidInput,
                "{bad}"
            );
            assert!(!s.contains(bad));
        }
    }
}
