//! [`Chaos`]: random faults from a seed, so a failing run reproduces from its seed.

use uring_sys as sys;

use super::kernel::State;
use super::{Fault, Outcome};

/// A seeded plan of random faults for [`Model::set_chaos`](super::Model::set_chaos): which
/// share of enters fail or submit only part of the SQ, and which share of requests fail,
/// complete short or post their CQE some enters late; optionally each enter's completions
/// shuffled.
///
/// Deterministic: the same seed, rates and sequence of calls on the ring give the same faults,
/// so a test that fails for one seed fails again for it (print the seed). Rates are percents
/// (0 to 100; more counts as 100). Faults queued with [`Model::inject`](super::Model::inject)
/// and [`Model::fail_next_enter`](super::Model::fail_next_enter) go first; cancels
/// (`ASYNC_CANCEL`) and `LINK_TIMEOUT`s are never faulted. A request the model leaves pending
/// ([`Outcome::Pending`]) gets only error faults, when it starts; one finished later
/// ([`Model::complete`](super::Model::complete)) gets none.
///
/// ```
/// use uring::model::{Chaos, Config};
/// let (driver, model) = Config::new(8).build_driver().unwrap();
/// // One in ten enters fails (EINTR, EAGAIN or EBUSY), a fifth of the results are short...
/// model.set_chaos(Chaos::new(42).enter_errors(10).short_results(20).delays(20, 3));
/// # drop((driver, model));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chaos {
    seed: u64,
    enter_errors: u8,
    partial_submits: u8,
    errors: u8,
    short_results: u8,
    delays: u8,
    max_delay: u32,
    reorder: bool,
}

/// The errnos of a failed `io_uring_enter` that a caller must retry: a signal, no request
/// memory, a CQ that overflowed.
const ENTER_ERRNOS: [i32; 3] = [libc::EINTR, libc::EAGAIN, libc::EBUSY];
/// The errnos of a failed request.
const REQUEST_ERRNOS: [i32; 4] = [libc::EIO, libc::EAGAIN, libc::EINTR, libc::ECANCELED];

impl Chaos {
    /// No faults yet, from `seed`: add them with the other methods.
    pub fn new(seed: u64) -> Chaos {
        Chaos {
            seed,
            enter_errors: 0,
            partial_submits: 0,
            errors: 0,
            short_results: 0,
            delays: 0,
            max_delay: 1,
            reorder: false,
        }
    }

    /// A mix for "anything may happen" tests: 10% failed enters, 20% partial submissions,
    /// 10% failed requests, 20% short results, 20% CQEs up to 3 enters late, reordering on.
    pub fn all(seed: u64) -> Chaos {
        Chaos::new(seed)
            .enter_errors(10)
            .partial_submits(20)
            .errors(10)
            .short_results(20)
            .delays(20, 3)
            .reorder(true)
    }

    /// `percent` of enters fail with `EINTR`, `EAGAIN` or `EBUSY` and do nothing (nothing is
    /// consumed or posted), as a real wait interrupted or refused; retrying must lose nothing.
    #[must_use]
    pub fn enter_errors(mut self, percent: u8) -> Chaos {
        self.enter_errors = percent;
        self
    }

    /// `percent` of enters submitting more than one SQE consume only some of them (at least
    /// one); the rest stay in the SQ for the next enter.
    #[must_use]
    pub fn partial_submits(mut self, percent: u8) -> Chaos {
        self.partial_submits = percent;
        self
    }

    /// `percent` of requests fail with `-EIO`, `-EAGAIN`, `-EINTR` or `-ECANCELED`.
    #[must_use]
    pub fn errors(mut self, percent: u8) -> Chaos {
        self.errors = percent;
        self
    }

    /// `percent` of requests completing with a positive result complete with a smaller one
    /// (short reads and writes, from 0 up).
    #[must_use]
    pub fn short_results(mut self, percent: u8) -> Chaos {
        self.short_results = percent;
        self
    }

    /// `percent` of completing requests post their CQE 1 to `max_enters` enters later (the
    /// request itself is done: its buffer was written when it started).
    #[must_use]
    pub fn delays(mut self, percent: u8, max_enters: u32) -> Chaos {
        self.delays = percent;
        self.max_delay = max_enters.max(1);
        self
    }

    /// Shuffle the completions of each enter (as [`Model::set_reorder`](super::Model::set_reorder)).
    #[must_use]
    pub fn reorder(mut self, on: bool) -> Chaos {
        self.reorder = on;
        self
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Called with the state when set: seeds the generator and reordering.
    pub(super) fn install(self, st: &mut State) {
        st.rng = splitmix(self.seed) | 1;
        st.reorder = self.reorder;
        st.chaos = Some(self);
    }
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

impl State {
    /// The model's xorshift generator (reordering and chaos share it).
    pub(super) fn next_random(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    fn roll(&mut self, percent: u8) -> bool {
        percent > 0 && self.next_random() % 100 < u64::from(percent)
    }

    fn pick(&mut self, n: usize) -> usize {
        (self.next_random() % n as u64) as usize
    }

    /// Chaos for this enter: an errno to fail it with, or a limit on the SQEs it consumes.
    pub(super) fn chaos_enter(&mut self, to_submit: u32) -> Result<u32, i32> {
        let Some(c) = self.chaos else {
            return Ok(to_submit);
        };
        if self.roll(c.enter_errors) {
            self.stats.faults += 1;
            return Err(ENTER_ERRNOS[self.pick(ENTER_ERRNOS.len())]);
        }
        if to_submit > 1 && self.roll(c.partial_submits) {
            self.stats.faults += 1;
            return Ok(1 + self.pick(to_submit as usize - 1) as u32);
        }
        Ok(to_submit)
    }

    /// Chaos for a request that starts with outcome `out`.
    pub(super) fn chaos_fault(&mut self, opcode: u8, out: &Outcome) -> Option<Fault> {
        let c = self.chaos?;
        if opcode == sys::IORING_OP_ASYNC_CANCEL || opcode == sys::IORING_OP_LINK_TIMEOUT {
            return None;
        }
        let fault = if self.roll(c.errors) {
            Fault::Error(REQUEST_ERRNOS[self.pick(REQUEST_ERRNOS.len())])
        } else {
            let &Outcome::Complete { res, .. } = out else {
                return None;
            };
            if res > 0 && self.roll(c.short_results) {
                Fault::Short(self.pick(res as usize) as i32)
            } else if self.roll(c.delays) {
                Fault::Delay(1 + self.pick(c.max_delay as usize) as u32)
            } else {
                return None;
            }
        };
        self.stats.faults += 1;
        Some(fault)
    }
}
