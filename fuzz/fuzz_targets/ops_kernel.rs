//! Typed operations through the ownership layer on the real kernel
//! (see `fuzz::ops_kernel`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: fuzz::ops_kernel::Input| {
    fuzz::ops_kernel::run(&input);
});
