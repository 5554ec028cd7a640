//! Registrations that need no ring: send-msg-ring and the query interface.

use std::os::fd::AsFd;

use uring::register::{query_opcodes, query_scq, query_zcrx, send_msg_ring};
use uring::{Features, Ring};

use super::*;

#[test]
fn send_msg_ring_posts_a_cqe_to_the_target() {
    let mut ring = Ring::new(4).unwrap();
    let r = send_msg_ring(ring.as_fd(), 0xD00D, 7, None);
    if unsupported(&r, "send_msg_ring") {
        return;
    }
    r.unwrap();
    let c = wait_for(&mut ring, 0xD00D);
    assert_eq!(c.res(), 7);
    // With IORING_MSG_RING_FLAGS_PASS the CQE carries our flags.
    send_msg_ring(ring.as_fd(), 0xD00E, -3, Some(1 << 20)).unwrap();
    let c = wait_for(&mut ring, 0xD00E);
    assert_eq!(c.res(), -3);
    assert_eq!(c.flags().bits(), 1 << 20);
}

#[test]
fn send_msg_ring_refuses_reserved_user_data() {
    let mut ring = Ring::new(4).unwrap();
    let e = send_msg_ring(ring.as_fd(), 1 << 63, 0, None).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    assert!(e.to_string().contains("bit 63"), "{e}");
    assert!(drain(&mut ring).is_empty(), "nothing was posted");
}

#[test]
fn send_msg_ring_to_a_non_ring_is_ebadfd() {
    let (_r, w) = pipe();
    let e = send_msg_ring(w.as_fd(), 1, 0, None).unwrap_err();
    assert!(
        matches!(errno(&e), Some(libc::EBADFD | libc::EINVAL)),
        "{e}"
    );
    assert!(
        e.to_string().contains("IORING_REGISTER_SEND_MSG_RING"),
        "{e}"
    );
}

#[test]
fn query_matches_the_probe_and_the_ring() {
    let q = query_opcodes();
    if unsupported(&q, "query_opcodes") {
        return;
    }
    let q = q.unwrap();
    let ring = Ring::new(2).unwrap();
    let probe = ring.probe().unwrap();
    assert_eq!(q.nr_request_opcodes, u32::from(probe.last_op()) + 1);
    assert!(q.nr_register_opcodes > uring_sys::IORING_REGISTER_MEM_REGION);
    let feats = u64::from(ring.features().bits());
    assert_eq!(
        q.feature_flags & feats,
        feats,
        "the ring's features are all listed"
    );
    assert!(q.feature_flags & u64::from(Features::NODROP.bits()) != 0);
    assert!(q.sqe_flags & u64::from(uring_sys::IOSQE_IO_LINK) != 0);
    assert!(q.nr_query_opcodes >= 1);
    if q.nr_query_opcodes > 2 {
        let scq = query_scq().unwrap();
        assert!(
            scq.hdr_size > 0 && scq.hdr_alignment.is_power_of_two(),
            "{scq:?}"
        );
    }
    if q.nr_query_opcodes > 1 {
        let z = query_zcrx().unwrap();
        assert!(z.rq_hdr_size > 0, "{z:?}");
    }
}
