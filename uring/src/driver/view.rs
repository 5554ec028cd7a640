//! What a [`Driver`](super::Driver) shows of its ring: [`DriverRing`].

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use crate::ring::Ring;
use crate::setup::flags::{Features, SetupFlags};
use crate::submit::Submitter;

/// A driver's ring, as far as safe code may reach it without breaking the driver
/// ([`Driver::ring`](super::Driver::ring)): its parameters, the probe, waits, and every
/// registration except those that change the tables the driver manages.
///
/// The [`Submitter`] it hands out refuses (with `PermissionDenied`) registering, updating or
/// unregistering files, buffers, provided-buffer rings and registered ring fds: the driver
/// owns those tables ([`Driver::fixed_files`](super::Driver::fixed_files),
/// [`Driver::fixed_buffers`](super::Driver::fixed_buffers),
/// [`Driver::buf_ring`](super::Driver::buf_ring)), and a change behind its back could make the
/// kernel write into memory it no longer owns. Everything else — eventfd, personalities,
/// io-wq, NAPI, clock, sync cancel, probes, `wait` — works as on a plain [`Ring`]. See the
/// driver's soundness contract in the [module docs](super).
#[derive(Clone, Copy)]
pub struct DriverRing<'a> {
    ring: &'a Ring,
}

impl<'a> DriverRing<'a> {
    pub(super) fn new(ring: &'a Ring) -> Self {
        DriverRing { ring }
    }

    /// The ring's setup flags.
    #[inline]
    pub fn flags(&self) -> SetupFlags {
        self.ring.flags()
    }

    /// The features the kernel reported at setup.
    #[inline]
    pub fn features(&self) -> Features {
        self.ring.features()
    }

    /// SQ entries.
    #[inline]
    pub fn sq_entries(&self) -> u32 {
        self.ring.sq_entries()
    }

    /// CQ entries.
    #[inline]
    pub fn cq_entries(&self) -> u32 {
        self.ring.cq_entries()
    }

    /// The registered ring index, when the ring was built with
    /// [`registered_ring_fd`](crate::Builder::registered_ring_fd).
    #[inline]
    pub fn registered_index(&self) -> Option<u32> {
        self.ring.registered_index()
    }

    /// `IORING_REGISTER_PROBE` — which opcodes this kernel supports.
    pub fn probe(&self) -> io::Result<crate::probe::Probe> {
        self.ring.probe()
    }

    /// The ring's [`Submitter`], restricted: the registrations of the tables the driver
    /// manages are refused (see the type's docs).
    #[inline]
    pub fn submitter(&self) -> Submitter<'a> {
        let mut s = self.ring.submitter();
        s.managed = true;
        s
    }
}

impl fmt::Debug for DriverRing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DriverRing").field(self.ring).finish()
    }
}

impl AsFd for DriverRing<'_> {
    #[inline]
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.ring.as_fd()
    }
}

impl AsRawFd for DriverRing<'_> {
    #[inline]
    fn as_raw_fd(&self) -> RawFd {
        self.ring.as_raw_fd()
    }
}
