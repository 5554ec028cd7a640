//! The model of the ring's completion rules, checked against the real kernel
//! (see `fuzz::model_vs_kernel`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: fuzz::model_vs_kernel::Input| {
    fuzz::model_vs_kernel::run(&input);
});
