//! The errors people hit: each says the cause and the remedy and keeps the errno.

use std::io::ErrorKind;

use uring::{Ring, SetupFlags, Sqe};

#[test]
fn too_many_entries_is_einval_with_a_clear_message() {
    let err = Ring::new(100_000).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(uring::error::errno(&err), Some(libc::EINVAL));
    let msg = err.to_string();
    assert!(msg.contains("100000"), "{msg}");
    assert!(msg.contains("32768"), "{msg}");
    assert!(msg.contains("CLAMP"), "{msg}");
}

#[test]
fn zero_entries_is_einval() {
    let err = Ring::new(0).unwrap_err();
    assert_eq!(uring::error::errno(&err), Some(libc::EINVAL));
    assert!(err.to_string().contains("outside 1..=32768"), "{err}");
}

#[test]
fn too_many_cq_entries_is_einval() {
    let err = Ring::<Sqe, uring::Cqe>::builder()
        .cq_entries(1 << 20)
        .build(8)
        .unwrap_err();
    assert_eq!(uring::error::errno(&err), Some(libc::EINVAL));
    assert!(err.to_string().contains("cq_entries"), "{err}");
}

#[test]
fn a_flag_combination_the_kernel_rejects_says_so() {
    // TASKRUN_FLAG without COOP_TASKRUN or DEFER_TASKRUN.
    let err = Ring::<Sqe, uring::Cqe>::builder()
        .flags(SetupFlags::TASKRUN_FLAG)
        .build(8)
        .unwrap_err();
    assert_eq!(uring::error::errno(&err), Some(libc::EINVAL));
    assert!(err.to_string().contains("rejected the parameters"), "{err}");
}

#[test]
fn push_error_converts_to_a_clear_io_error() {
    let mut ring = Ring::new(1).unwrap();
    // SAFETY: NOPs carry no pointers.
    unsafe { ring.push(&crate::util::nop(1)).unwrap() };
    // SAFETY: as above.
    let err: std::io::Error = unsafe { ring.push(&crate::util::nop(2)) }
        .unwrap_err()
        .into();
    assert!(err.to_string().contains("submission queue full"), "{err}");
    assert_eq!(uring::error::errno(&err), Some(libc::EBUSY));
}
