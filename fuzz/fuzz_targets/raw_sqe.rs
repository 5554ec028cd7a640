//! Arbitrary raw SQEs on a ring restricted with IORING_REGISTER_RESTRICTIONS
//! (see `fuzz::raw_sqe`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: fuzz::raw_sqe::Input| {
    fuzz::raw_sqe::run(&input);
});
