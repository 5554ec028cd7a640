//! The probe: what this kernel supports, and the error for what it does not.

use uring::{Probe, Ring};
use uring_sys as sys;

#[test]
fn the_probe_reports_the_basics() {
    let ring = Ring::new(2).unwrap();
    let probe = ring.probe().unwrap();
    assert!(probe.is_supported(sys::IORING_OP_NOP));
    assert!(probe.is_supported(sys::IORING_OP_READV));
    // Linux 6.18 knows at least up to IORING_OP_PIPE (62).
    assert!(probe.last_op() >= sys::IORING_OP_READV);
    assert!(!probe.is_supported(255));
    let supported: Vec<u8> = probe.supported().collect();
    assert!(supported.contains(&sys::IORING_OP_NOP));
    // The standalone probe agrees.
    let again = Probe::new().unwrap();
    assert_eq!(again.supported().collect::<Vec<_>>(), supported);
    assert!(format!("{probe:?}").contains("IORING_OP_NOP"));
}

#[test]
fn an_unsupported_op_names_itself_and_the_kernel_version() {
    let probe = crate::util::probe();
    assert!(probe.check(sys::IORING_OP_NOP).is_ok());
    // Find an opcode the table knows but this kernel does not (e.g. NOP128 before 6.19).
    let missing = (0..sys::IORING_OP_LAST).find(|&op| !probe.is_supported(op));
    let Some(op) = missing else {
        eprintln!("SKIPPED unsupported-op message: this kernel supports every known opcode");
        let err = probe.check(250).unwrap_err();
        assert!(err.to_string().contains("opcode 250"), "{err}");
        return;
    };
    let err = probe.check(op).unwrap_err();
    let msg = err.to_string();
    let name = uring::opcode::table::name(op).unwrap();
    let (major, minor) = uring::opcode::table::since(op).unwrap();
    assert!(msg.contains(name), "{msg}");
    assert!(msg.contains(&format!("Linux {major}.{minor}")), "{msg}");
    assert_eq!(uring::error::errno(&err), Some(libc::EOPNOTSUPP));
    // An opcode no kernel knows.
    let err = probe.check(250).unwrap_err();
    assert!(err.to_string().contains("opcode 250"), "{err}");
}
