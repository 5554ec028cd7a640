//! BPF filters.

use uring::Ring;

use super::*;

#[test]
fn bpf_filter_zeroed_argument_is_refused() {
    let ring = Ring::new(2).unwrap();
    let arg = [0u64; 9]; // sizeof(struct io_uring_bpf) == 72, all zero: no command
    // SAFETY: `arg` is a valid (zeroed) `io_uring_bpf` with no filter pointer.
    let e = unsafe { ring.submitter().register_bpf_filter(arg.as_ptr().cast()) }.unwrap_err();
    assert_eq!(errno(&e), Some(libc::EINVAL), "{e}");
    assert!(e.to_string().contains("IORING_REGISTER_BPF_FILTER"), "{e}");
}
