//! The part of `<linux/fs.h>` that `<linux/io_uring.h>` uses.

use libc::c_int;

/// `__kernel_rwf_t` (`int`): the `RWF_*` flags of `preadv2(2)`/`pwritev2(2)`.
pub type __kernel_rwf_t = c_int;
