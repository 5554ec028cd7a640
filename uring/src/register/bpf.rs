//! BPF filters on a ring's requests.

use core::ffi::c_void;
use std::io;

use crate::submit::Submitter;

/// BPF filters on this ring's requests: `IORING_REGISTER_BPF_FILTER`.
impl Submitter<'_> {
    /// `io_uring_register(fd, IORING_REGISTER_BPF_FILTER, bpf, 1)` — attaches a classic-BPF
    /// filter program that decides, per opcode, whether this ring's requests may run
    /// (`<linux/io_uring/bpf_filter.h>`, after Linux 6.18). Older kernels fail with `EINVAL`.
    ///
    /// The argument is raw (a [`sys::io_uring_bpf`](uring_sys::io_uring_bpf) built by the caller).
    ///
    /// # Safety
    ///
    /// `bpf` must point at a valid `struct io_uring_bpf` whose `filter.filter_ptr` points at
    /// `filter.filter_len` valid `struct sock_filter` instructions, all alive for the call (the
    /// kernel copies the program; it keeps no user memory).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_BPF_FILTER")]
    #[doc(alias = "io_uring_register_bpf_filter")]
    pub unsafe fn register_bpf_filter(&self, bpf: *const c_void) -> io::Result<()> {
        let op = opcode!(IORING_REGISTER_BPF_FILTER);
        // SAFETY: `bpf` is valid for the call (caller's contract).
        unsafe {
            self.reg(op, bpf, 1, |e| {
                (e == libc::EINVAL).then_some(
                    "this kernel has no io_uring BPF filters, or the filter is malformed",
                )
            })
        }
        .map(drop)
    }
}
