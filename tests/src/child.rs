//! Child processes by re-executing the current test binary (never `fork` without `exec`: the
//! test process has threads, and a forked copy of a multithreaded process may only call
//! async-signal-safe functions; it also confuses AddressSanitizer).
//!
//! The parent calls [`run`] with a scenario name; the binary's `main` calls [`scenario`] first
//! and, when it names one, runs only that scenario and exits.

use std::io;
use std::process::{Command, Output};

/// The environment variable naming the scenario a child runs.
pub const ENV: &str = "EVENT_IO_TESTS_CHILD";

/// The scenario this process was started for, when it is a child.
pub fn scenario() -> Option<String> {
    std::env::var(ENV).ok()
}

/// Runs the current executable as a child for `scenario` and waits for it.
pub fn run(scenario: &str) -> io::Result<Output> {
    let exe = std::env::current_exe()?;
    Command::new(exe).env(ENV, scenario).output()
}

/// The value of the `key=value` line `key` in a child's stdout.
pub fn value<'a>(stdout: &'a str, key: &str) -> Option<&'a str> {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')))
}
