//! A signal set for [`Epoll::wait_with_sigmask`](crate::Epoll::wait_with_sigmask).

use crate::sys;
use std::fmt;
use std::io;

/// A set of signals (`sigset_t`): the mask a [`wait_with_sigmask`](crate::Epoll::wait_with_sigmask)
/// installs for the duration of the wait.
#[derive(Clone)]
pub struct SigSet(libc::sigset_t);

impl SigSet {
    /// `sigemptyset`: no signal.
    #[doc(alias = "sigemptyset")]
    pub fn empty() -> Self {
        SigSet(sys::sigset(false))
    }

    /// `sigfillset`: every signal.
    #[doc(alias = "sigfillset")]
    pub fn full() -> Self {
        SigSet(sys::sigset(true))
    }

    /// `pthread_sigmask(SIG_BLOCK, NULL, &set)`: the calling thread's current mask.
    #[doc(alias = "pthread_sigmask")]
    pub fn thread_mask() -> io::Result<Self> {
        sys::thread_sigmask().map(SigSet)
    }

    /// `sigaddset`: adds `signal` (`libc::SIGUSR1`, ...); `InvalidInput` for a bad number.
    #[doc(alias = "sigaddset")]
    pub fn add(&mut self, signal: i32) -> io::Result<()> {
        sys::sigset_update(&mut self.0, signal, true)
    }

    /// `sigdelset`: removes `signal`; `InvalidInput` for a bad number.
    #[doc(alias = "sigdelset")]
    pub fn remove(&mut self, signal: i32) -> io::Result<()> {
        sys::sigset_update(&mut self.0, signal, false)
    }

    /// `sigismember`.
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
