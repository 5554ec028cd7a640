//! The ring core and the ownership layer against the model kernel (see `fuzz::ring_model`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: fuzz::ring_model::Input| {
    fuzz::ring_model::run(&input);
});
