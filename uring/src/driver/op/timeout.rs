//! Timers: `timeout`, and the `link_timeout` behind [`Driver::submit_with_timeout`].
//!
//! [`Driver::submit_with_timeout`]: crate::driver::Driver::submit_with_timeout

use std::io;
use std::time::Duration;

use super::{Completion, Operation, timer_result};
#[cfg(doc)]
use crate::driver::Driver;
use crate::opcode;
use crate::squeue::Sqe;
use crate::types::{TimeoutFlags, Timespec};

/// `IORING_OP_TIMEOUT` — a timer; completes with `ETIME` when it fires, or after `count`
/// other completions. The `timespec` lives in the slot until the final CQE.
#[derive(Debug)]
pub struct Timeout {
    ts: Timespec,
    count: u32,
    flags: u32,
}

impl Timeout {
    /// A relative timeout of `d`.
    pub fn new(d: Duration) -> Self {
        Timeout {
            ts: Timespec::from(d),
            count: 0,
            flags: 0,
        }
    }
    /// Also completes after `count` other completions.
    pub fn count(mut self, count: u32) -> Self {
        self.count = count;
        self
    }
}

// SAFETY: the only pointer is `self.ts`, inside `self`, which does not move while in flight.
unsafe impl Operation for Timeout {
    type Output = io::Result<()>;
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> io::Result<()> {
        Err(error)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        opcode::Timeout::new(&raw const self.ts)
            .count(self.count)
            .flags(TimeoutFlags::from_bits_retain(self.flags))
            .build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> Self::Output {
        timer_result(c)
    }
}

/// `IORING_OP_LINK_TIMEOUT` behind another operation (see
/// [`Driver::submit_with_timeout`]); its `timespec` lives in its own slot.
#[derive(Debug)]
pub(crate) struct LinkTimeout {
    ts: Timespec,
}

impl LinkTimeout {
    pub(crate) fn new(d: Duration) -> Self {
        LinkTimeout {
            ts: Timespec::from(d),
        }
    }
}

// SAFETY: the only pointer is `self.ts`, inside `self`, which does not move while in flight.
unsafe impl Operation for LinkTimeout {
    type Output = ();
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) {
        let _ = error;
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        opcode::LinkTimeout::new(&raw const self.ts).build()
    }
    #[inline]
    unsafe fn complete(self, _: Completion) {}
}
