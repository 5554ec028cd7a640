//! Helpers shared by the uring integration tests: probe first, skip with a printed reason.
//!
//! Use from a test binary with `#[path = "../util/mod.rs"] mod util;` (or `mod util;` from a
//! top-level `tests/*.rs` file).
#![allow(dead_code, unreachable_pub)]

use std::io;
use std::sync::OnceLock;

use uring::{Cqe, Probe, Ring, Sqe};

/// The kernel's probe, taken once per test binary.
pub fn probe() -> &'static Probe {
    static PROBE: OnceLock<Probe> = OnceLock::new();
    PROBE.get_or_init(|| Probe::new().expect("io_uring must be usable on the test machine"))
}

/// Whether the kernel supports `opcode`; when not, prints why the calling test skips.
///
/// ```ignore
/// if !util::supports_or_skip(uring_sys::IORING_OP_NOP128, "nop128_on_sqe128_ring") { return; }
/// ```
pub fn supports_or_skip(opcode: u8, test: &str) -> bool {
    match probe().check(opcode) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("SKIPPED {test}: {e}");
            false
        }
    }
}

/// `return`s from the calling test (printing why) unless the kernel supports every opcode.
#[macro_export]
macro_rules! require_ops {
    ($($op:expr),+ $(,)?) => {
        $(
            if !$crate::util::supports_or_skip($op, module_path!()) {
                return;
            }
        )+
    };
}

/// Builds a ring, or — only when the kernel rejects a setup flag it does not know
/// (`EINVAL`) — prints why and returns `None`. Any other error fails the test.
pub fn ring_or_skip<S: uring::SqeEntry, C: uring::CqeEntry>(
    builder: uring::Builder<S, C>,
    entries: u32,
    test: &str,
) -> Option<Ring<S, C>> {
    match builder.build(entries) {
        Ok(r) => Some(r),
        Err(e) if uring::error::errno(&e) == Some(libc::EINVAL) => {
            eprintln!("SKIPPED {test}: the kernel rejected {builder:?}: {e}");
            None
        }
        Err(e) => panic!("{test}: setting up {builder:?} failed: {e}"),
    }
}

/// A NOP carrying `user_data`.
pub fn nop(user_data: u64) -> Sqe {
    Sqe::new(uring_sys::IORING_OP_NOP).user_data(user_data)
}

/// Pushes `sqes` (they must point to nothing), submits, waits for `want` CQEs, and returns
/// every CQE reaped (sorted by `user_data` for stable assertions).
pub fn run(ring: &mut Ring, sqes: &[Sqe], want: usize) -> io::Result<Vec<Cqe>> {
    let _bound = Watchdog::new("util::run", std::time::Duration::from_secs(60));
    // SAFETY: the test SQEs used with this helper carry no pointers (NOPs, or ops on fds
    // with no buffers), so nothing must outlive the call.
    unsafe { ring.push_multiple(sqes) }.map_err(io::Error::from)?;
    ring.submit_and_wait(want)?;
    let mut out: Vec<Cqe> = Vec::new();
    while out.len() < want {
        out.extend(ring.cq());
        if out.len() < want {
            ring.submit_and_wait(1)?;
        }
    }
    out.extend(ring.cq());
    out.sort_by_key(Cqe::user_data);
    Ok(out)
}

/// Runs test `name` (its full path, e.g. `setup::attach_wq_shares_the_sqpoll_thread`) alone
/// in a child process of this test binary, for a test that changes process-wide state (a
/// resource limit, the set of threads): in the parent it checks the child ran that one test
/// and it passed, and returns `true` (the parent is done); in the child (`env` set) it returns
/// `false`, and the test goes on.
pub fn ran_in_child(name: &str, env: &str) -> bool {
    if std::env::var_os(env).is_some() {
        return false;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env(env, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "the child run failed or ran nothing:\n{stdout}\n{stderr}"
    );
    eprint!("{stderr}");
    true
}

/// Prints `SKIPPED {test}: {why}`: the line the kernel matrix (ci/stages/95-kernels.sh)
/// counts as a skip, with its reason.
pub fn skip(test: &str, why: impl std::fmt::Display) {
    eprintln!("SKIPPED {test}: {why}");
}

/// Whether the kernel's NOP honours `IORING_NOP_INJECT_RESULT`, asked by a trial NOP that
/// injects `-EBADF` (kernels before the flag ignore `nop_flags` and complete with 0; some
/// refuse unknown flags with `EINVAL`). When not, prints why the calling test skips.
pub fn nop_inject_or_skip(test: &str) -> bool {
    static OK: OnceLock<Result<(), String>> = OnceLock::new();
    let ok = OK.get_or_init(|| {
        let mut ring = Ring::new(2).expect("io_uring_setup");
        let mut sqe = nop(1);
        sqe.as_raw_mut().rw_flags_union.nop_flags = uring_sys::IORING_NOP_INJECT_RESULT;
        sqe.as_raw_mut().len = (-libc::EBADF) as u32;
        let c = run(&mut ring, &[sqe], 1).expect("a trial NOP")[0];
        if c.res() == -libc::EBADF {
            Ok(())
        } else {
            Err(format!(
                "the kernel's NOP does not honour IORING_NOP_INJECT_RESULT (a trial NOP \
                 injecting -EBADF completed with {})",
                c.res()
            ))
        }
    });
    match ok {
        Ok(()) => true,
        Err(why) => {
            skip(test, why);
            false
        }
    }
}

/// Bounds a wait: unless dropped within `limit`, prints `HUNG {what}` and ends the process
/// (exit code 124, as `timeout(1)`), so a kernel that never completes a request fails the
/// run, named, instead of hanging it. Put one around every wait that has no timeout of its
/// own (`submit_and_wait`, which has none before Linux 5.11's `IORING_ENTER_EXT_ARG`).
#[derive(Debug)]
pub struct Watchdog(std::sync::Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>);

impl Watchdog {
    /// Starts the watchdog.
    pub fn new(what: impl Into<String>, limit: std::time::Duration) -> Watchdog {
        let what = what.into();
        let pair = std::sync::Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
        let theirs = pair.clone();
        std::thread::spawn(move || {
            let (done, cv) = &*theirs;
            let guard = done.lock().unwrap_or_else(|e| e.into_inner());
            let (guard, _) = cv
                .wait_timeout_while(guard, limit, |done| !*done)
                .unwrap_or_else(|e| e.into_inner());
            if !*guard {
                eprintln!("HUNG {what}: still waiting after {limit:?}");
                std::process::exit(124);
            }
        });
        Watchdog(pair)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let (done, cv) = &*self.0;
        *done.lock().unwrap_or_else(|e| e.into_inner()) = true;
        cv.notify_all();
    }
}
