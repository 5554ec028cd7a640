//! `model_vs_kernel`: the model kernel's completion rules (link chains, hard links,
//! `IOSQE_CQE_SKIP_SUCCESS` with the kernel's skip-the-cancelled-tail rule, CQ overflow with
//! `IORING_FEAT_NODROP`), checked **differentially against the real kernel** on NOP chains whose
//! results are injected (`IORING_NOP_INJECT_RESULT`).
//!
//! The same rules live in `uring::model`, which `ring_model` runs the ring core and the
//! ownership layer against; this target keeps them honest against the kernel, beyond the
//! 128 random chains of `uring`'s `the_model_agrees_with_the_kernel_on_nop_chains` test.
//!
//! Not modelled here: `IOSQE_IO_DRAIN` (once any SQE used `CQE_SKIP_SUCCESS`, the kernel fails
//! every later DRAIN SQE with `EOPNOTSUPP`: ring-global state the model would need first) and
//! init failures (invalid flags), which fail link heads with `ECANCELED` in
//! `io_submit_fail_init`.

use arbitrary::Arbitrary;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use uring::{Ring, Sqe};
use uring_sys as sys;

/// One NOP.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub struct Nop {
    /// `IOSQE_*` bits, masked to LINK | HARDLINK | ASYNC | CQE_SKIP_SUCCESS.
    pub flags: u8,
    /// The injected result (`IORING_NOP_INJECT_RESULT`); negative: the NOP fails.
    pub result: i8,
    /// Submit after this SQE (ends the batch, and so any open link chain).
    pub end_batch: bool,
    /// Reap after this SQE's batch (else CQEs pile up and overflow the 8-entry CQ).
    pub reap: bool,
}

/// A fuzz input.
#[derive(Debug, Arbitrary)]
pub struct Input {
    /// The NOPs (at most 64).
    pub nops: Vec<Nop>,
}

const FLAGS: u8 =
    sys::IOSQE_IO_LINK | sys::IOSQE_IO_HARDLINK | sys::IOSQE_ASYNC | sys::IOSQE_CQE_SKIP_SUCCESS;

/// The model: which CQEs (user_data, res) one submitted batch produces.
#[derive(Debug, Default)]
pub struct Model {
    /// Posted CQEs, in posting order (CQ and overflow list as one unbounded queue, which is
    /// what `FEAT_NODROP` guarantees userspace sees).
    pub cqes: Vec<(u64, i32)>,
}

impl Model {
    /// Consumes one batch of (user_data, flags, result) SQEs, as `io_submit_sqes` does with
    /// `IORING_SETUP_SUBMIT_ALL`: chains are runs of SQEs with LINK/HARDLINK, ended by an SQE
    /// without them or by the end of the batch.
    pub fn submit(&mut self, batch: &[(u64, u8, i32)]) {
        let mut start = 0;
        while start < batch.len() {
            let mut end = start;
            while end + 1 < batch.len()
                && batch[end].1 & (sys::IOSQE_IO_LINK | sys::IOSQE_IO_HARDLINK) != 0
            {
                end += 1;
            }
            self.run_chain(&batch[start..=end]);
            start = end + 1;
        }
    }

    fn run_chain(&mut self, chain: &[(u64, u8, i32)]) {
        // Some(ignore_cqes) once the chain was broken.
        let mut cancelled: Option<bool> = None;
        for (k, &(ud, flags, res)) in chain.iter().enumerate() {
            let skip = flags & sys::IOSQE_CQE_SKIP_SUCCESS != 0;
            if let Some(ignore) = cancelled {
                // io_fail_links: -ECANCELED, posted even with CQE_SKIP_SUCCESS unless the
                // failed request had it (REQ_F_SKIP_LINK_CQES).
                if !ignore {
                    self.cqes.push((ud, -libc::ECANCELED));
                }
                continue;
            }
            if res < 0 {
                // req_set_fail: a failure always posts (REQ_F_CQE_SKIP becomes
                // REQ_F_SKIP_LINK_CQES); a hard link does not break the chain.
                self.cqes.push((ud, res));
                let last = k + 1 == chain.len();
                if !last && flags & sys::IOSQE_IO_HARDLINK == 0 {
                    cancelled = Some(skip);
                }
            } else if !skip {
                self.cqes.push((ud, res));
            }
        }
    }
}

fn reap(ring: &mut Ring, got: &mut Vec<(u64, i32)>) {
    for cqe in ring.cq() {
        assert!(!cqe.has_more(), "F_MORE on a NOP: {cqe:?}");
        got.push((cqe.user_data(), cqe.res()));
    }
}

fn submit(ring: &mut Ring, got: &mut Vec<(u64, i32)>) {
    loop {
        match ring.submit() {
            Ok(_) => return,
            Err(e) if matches!(e.raw_os_error(), Some(libc::EBUSY | libc::EINTR)) => {
                reap(ring, got);
            }
            Err(e) => panic!("io_uring_enter: {e}"),
        }
    }
}

/// Runs the NOPs on the model and on a real ring (SQ 8, CQ 8, SUBMIT_ALL) and compares the
/// completions per user_data.
pub fn run(input: &Input) {
    let mut ring: Ring = Ring::builder()
        .submit_all()
        .cq_entries(8)
        .build(8)
        .expect("io_uring_setup");
    let mut model = Model::default();
    let mut got = Vec::new();
    let mut batch: Vec<(u64, u8, i32)> = Vec::new();
    let nops: Vec<Nop> = input.nops.iter().take(64).copied().collect();
    for (i, nop) in nops.iter().enumerate() {
        let ud = i as u64 + 1;
        let flags = nop.flags & FLAGS;
        let res = i32::from(nop.result);
        let mut sqe = Sqe::new(sys::IORING_OP_NOP).user_data(ud);
        {
            let raw = sqe.as_raw_mut();
            raw.flags = flags;
            raw.rw_flags_union.rw_flags = sys::IORING_NOP_INJECT_RESULT as _;
            raw.len = res as u32;
        }
        // SAFETY: a NOP dereferences nothing (INJECT_RESULT only copies `len`).
        unsafe { ring.push(&sqe) }.expect("the batch is submitted before the SQ fills");
        batch.push((ud, flags, res));
        let last = i + 1 == nops.len();
        if nop.end_batch || batch.len() == 8 || last {
            submit(&mut ring, &mut got);
            model.submit(&batch);
            batch.clear();
            if nop.reap {
                reap(&mut ring, &mut got);
            }
        }
    }
    // ASYNC NOPs finish on io-wq: wait until as many CQEs came as the model posted.
    let deadline = Instant::now() + Duration::from_secs(5);
    while got.len() < model.cqes.len() && Instant::now() < deadline {
        let _ = ring.submitter().wait(1, Some(Duration::from_millis(10)));
        reap(&mut ring, &mut got);
    }
    let _ = ring.submitter().wait(1, Some(Duration::from_millis(1)));
    reap(&mut ring, &mut got);
    let want: HashMap<u64, i32> = model.cqes.iter().copied().collect();
    let mut seen: HashMap<u64, i32> = HashMap::new();
    for &(ud, res) in &got {
        assert!(
            seen.insert(ud, res).is_none(),
            "two CQEs for user_data {ud}: {got:?}"
        );
    }
    assert_eq!(
        seen, want,
        "kernel and model disagree\nkernel: {got:?}\nmodel:  {:?}\ninput: {nops:?}",
        model.cqes
    );
}
