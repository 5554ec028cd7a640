//! What the driver says on a kernel that lacks what an operation needs: the error naming the
//! Linux release, never a bare `EINVAL` in a CQE nor a silent no-op. These run on every kernel
//! of the kernel matrix (ci/stages/95-kernels.sh); where the kernel has everything, they skip
//! and say so.

use std::os::fd::AsFd;

use uring::driver::{Driver, SendZc};

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
