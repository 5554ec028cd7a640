//! The ring core against the real kernel: setup options, the protocol, overflow, threads,
//! waits and timeouts, signals, linked chains, the probe, and the errors people hit.
#![allow(unsafe_code)]

#[path = "../util/mod.rs"]
mod util;

mod chain;
mod errors;
mod probe;
mod protocol;
mod resize;
mod ring;
mod setup;
mod wait_region;
