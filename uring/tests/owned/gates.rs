//! What the driver says on a kernel that lacks what an operation needs: the error naming the
//! Linux release, never a bare `EINVAL` in a CQE nor a silent no-op. These run on every kernel
//! of the kernel matrix (ci/stages/95-kernels.sh); where the kernel has everything, they skip
//! and say so.

use std::os::fd::AsFd;

use uring::Sqe;
use uring::driver::{Completion, Driver, Operation, SendZc};

use crate::support::tcp_pair;

/// SEND_ZC (Linux 6.0): refused at submit, with the release, on a kernel whose probe lacks it.
#[test]
fn an_opcode_the_kernel_lacks_is_refused_at_submit_with_its_release() {
    let mut d = Driver::new(8).unwrap();
    let probe = d.ring().probe().expect("IORING_REGISTER_PROBE (Linux 5.6)");
    if probe.is_supported(uring_sys::IORING_OP_SEND_ZC) {
        eprintln!(
            "SKIPPED an_opcode_the_kernel_lacks_is_refused_at_submit_with_its_release: this \
             kernel has SEND_ZC (the check runs on kernels before 6.0)"
        );
        return;
    }
    let (c, _s) = tcp_pair();
    let e = d
        .submit(SendZc::new(c.as_fd(), b"zero copy".to_vec(), 0))
        .unwrap_err();
    assert_eq!(
        uring::error::errno(&e.error),
        Some(libc::EOPNOTSUPP),
        "{}",
        e.error
    );
    let msg = e.error.to_string();
    assert!(
        msg.contains("IORING_OP_SEND_ZC") && msg.contains("Linux 6.0"),
        "{msg}"
    );
    assert_eq!(d.in_flight(), 0, "nothing was pushed");
}

/// The same refusal through `submit_batch`, which used not to check at all (the bare `EINVAL`
/// came in the CQE): every operation of the batch is handed back, nothing is pushed.
#[test]
fn an_opcode_the_kernel_lacks_is_refused_in_a_batch_with_its_release() {
    let mut d = Driver::new(8).unwrap();
    let probe = d.ring().probe().expect("IORING_REGISTER_PROBE (Linux 5.6)");
    if probe.is_supported(uring_sys::IORING_OP_SEND_ZC) {
        eprintln!(
            "SKIPPED an_opcode_the_kernel_lacks_is_refused_in_a_batch_with_its_release: this \
             kernel has SEND_ZC (the check runs on kernels before 6.0)"
        );
        return;
    }
    let (c, _s) = tcp_pair();
    let ops = (0..3).map(|i| SendZc::new(c.as_fd(), vec![i; 9], 0));
    let mut refused = Vec::new();
    d.submit_batch(ops, |r| refused.push(r.unwrap_err()));
    assert_eq!(refused.len(), 3);
    for (i, e) in refused.into_iter().enumerate() {
        assert_eq!(
            uring::error::errno(&e.error),
            Some(libc::EOPNOTSUPP),
            "{}",
            e.error
        );
        let msg = e.error.to_string();
        assert!(
            msg.contains("IORING_OP_SEND_ZC") && msg.contains("Linux 6.0"),
            "{msg}"
        );
        let (r, buf) = e.op.fail(e.error);
        assert!(r.is_err());
        assert_eq!(
            buf,
            vec![i as u8; 9],
            "the buffer comes back with its operation"
        );
    }
    assert_eq!(d.in_flight(), 0, "nothing was pushed");
}

/// An operation built on an opcode no kernel has (250; the uapi header ends far below):
/// refused by `submit` and by `submit_batch` alike, before the kernel sees it, on every kernel
/// with a probe (Linux 5.6+), so the check itself runs everywhere, not only on old kernels.
struct Unknown;

/// No kernel defines it; `IORING_OP_LAST` is below 70 in every release so far.
const UNKNOWN_OPCODE: u8 = 250;

// SAFETY: the SQE names no memory (all zero but the opcode).
unsafe impl Operation for Unknown {
    type Output = std::io::Result<u32>;
    fn sqe(&mut self) -> Sqe {
        Sqe::new(UNKNOWN_OPCODE)
    }
    fn fail(self, error: std::io::Error) -> Self::Output {
        Err(error)
    }
    unsafe fn complete(self, c: Completion) -> Self::Output {
        c.result()
    }
}

#[test]
fn an_opcode_no_kernel_has_is_refused_by_submit_and_by_submit_batch() {
    let mut d = Driver::new(8).unwrap();
    let probe = match d.ring().probe() {
        Ok(p) => p,
        Err(e) => {
            eprintln!(
                "SKIPPED an_opcode_no_kernel_has_is_refused_by_submit_and_by_submit_batch: no \
                 IORING_REGISTER_PROBE ({e}; Linux 5.6+), so the driver has nothing to check"
            );
            return;
        }
    };
    assert!(
        !probe.is_supported(UNKNOWN_OPCODE),
        "this kernel claims opcode {UNKNOWN_OPCODE}: the test needs another unknown one"
    );
    let check = |e: &std::io::Error| {
        assert_eq!(uring::error::errno(e), Some(libc::EOPNOTSUPP), "{e}");
        let msg = e.to_string();
        assert!(
            msg.contains("opcode 250") && msg.contains("not supported"),
            "{msg}"
        );
    };
    let e = d.submit(Unknown).unwrap_err();
    check(&e.error);
    let mut refused = 0;
    d.submit_batch([Unknown, Unknown], |r| {
        check(&r.unwrap_err().error);
        refused += 1;
    });
    assert_eq!(refused, 2);
    assert_eq!(d.in_flight(), 0, "nothing was pushed");
    // With a linked timeout too: neither the operation nor its timer goes in.
    let e = d
        .submit_with_timeout(Unknown, std::time::Duration::from_secs(1))
        .unwrap_err();
    check(&e.error);
    assert_eq!(d.in_flight(), 0, "nothing was pushed");
    // The refusals left the driver usable: a NOP in the same batch shape goes through.
    let mut ops = Vec::new();
    d.submit_batch([uring::driver::Nop], |r| ops.push(r.unwrap()));
    for op in ops {
        d.wait(op).unwrap().unwrap();
    }
    assert_eq!(d.in_flight(), 0);
}
