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

/// How long a child scenario may run before it is killed.
pub const CHILD_BOUND: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs the current executable as a child for `scenario` and waits for it, at most
/// [`CHILD_BOUND`]: a child still running then is killed and reaped, and the call fails with
/// `TimedOut` (so no child outlives its scenario).
pub fn run(scenario: &str) -> io::Result<Output> {
    use std::process::Stdio;
    let exe = std::env::current_exe()?;
    let child = Command::new(exe)
        .env(ENV, scenario)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    // The watchdog kills the child if it is still running at the bound; the receiver is
    // dropped (and the watchdog returns) as soon as the child has exited.
    let watchdog = std::thread::spawn(move || {
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(CHILD_BOUND) {
            // `pid` is our unreaped child, so the number cannot belong to another process.
            let _ = crate::sys::kill(pid, libc::SIGKILL);
            return true;
        }
        false
    });
    let out = child.wait_with_output();
    drop(tx);
    let killed = watchdog.join().unwrap_or(false);
    if killed {
        return Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("child scenario {scenario} still ran after {CHILD_BOUND:?}: killed"),
        ));
    }
    out
}

/// The value of the `key=value` line `key` in a child's stdout.
pub fn value<'a>(stdout: &'a str, key: &str) -> Option<&'a str> {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')))
}
