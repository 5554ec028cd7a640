//! The crates under faults, bad input and load, with the results table.
//!
//! Its own harness (`harness = false`): the scenarios run one after another (some change
//! process-wide state: signal handlers, rlimits in children), each asserts its counts, orderings
//! and error kinds, and the table of what they did is printed at the end — on stdout, which cargo
//! shows without `--nocapture`. A scenario that needs a child process (seccomp, rlimits, a
//! dropped capability) re-executes this binary with [`tests::child::ENV`] naming it.
//!
//! `cargo test -p tests --test results -- [FILTER] [--skip NAME]...` runs the scenarios whose
//! name contains FILTER and none of the NAMEs.

mod faults;
mod load;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The most any one scenario may take (the slowest takes about a second).
const SCENARIO_BOUND: Duration = Duration::from_secs(180);

use tests::report::{Row, table};

type Scenario = (&'static str, fn() -> Row);

const SCENARIOS: &[Scenario] = &[
    ("fault_seccomp_enosys", faults::seccomp_enosys),
    ("fault_seccomp_eperm", faults::seccomp_eperm),
    ("fault_seccomp_example_fallback", faults::example_fallback),
    ("fault_seccomp_epoll_pwait2", faults::seccomp_pwait2),
    ("fault_cq_overflow", faults::cq_overflow),
    ("fault_memlock", faults::memlock),
    ("fault_eintr_uring", faults::eintr_uring),
    ("fault_eintr_epoll", faults::eintr_epoll),
    ("bad_input_uring", faults::bad_input_uring),
    ("bad_input_epoll", faults::bad_input_epoll),
    ("load_epoll_echo", load::epoll_echo),
    ("load_epoll_half_close_reset", load::epoll_half_close_reset),
    ("load_epoll_backlog", load::epoll_backlog),
    ("load_uring_echo", load::uring_echo),
    ("load_uring_half_close_reset", load::uring_half_close_reset),
    ("load_uring_backlog", load::uring_backlog),
    ("load_runtime_echo", load::runtime_echo),
    (
        "load_runtime_half_close_reset",
        load::runtime_half_close_reset,
    ),
];

fn main() {
    if let Some(name) = tests::child::scenario() {
        // A child: run the one child scenario and exit (a panic exits non-zero).
        faults::child_main(&name);
        return;
    }
    // libtest's flags (`--nocapture`, `--test-threads=N`, ...) mean nothing here; the first
    // other argument filters by name.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        for (name, _) in SCENARIOS {
            println!("{name}: test");
        }
        return;
    }
    // `--skip NAME` (repeatable) leaves out the scenarios whose name contains NAME.
    let mut skip = Vec::new();
    let mut filter = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--skip" {
            skip.extend(it.next().cloned());
        } else if !a.starts_with('-') && filter.is_none() {
            filter = Some(a.clone());
        }
    }
    let selected: Vec<&Scenario> = SCENARIOS
        .iter()
        .filter(|(n, _)| filter.as_deref().is_none_or(|f| n.contains(f)))
        .filter(|(n, _)| !skip.iter().any(|s| n.contains(s.as_str())))
        .collect();
    println!("\nrunning {} scenarios", selected.len());
    // Nothing may hang CI: a scenario still running after its bound ends the run, named.
    let current: &'static Mutex<Option<(&'static str, Instant)>> =
        Box::leak(Box::new(Mutex::new(None)));
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(1));
            if let Some((name, started)) = *current.lock().unwrap_or_else(|e| e.into_inner())
                && started.elapsed() > SCENARIO_BOUND
            {
                println!(
                    "scenario {name} ... HUNG (still running after {} s): failing the run",
                    SCENARIO_BOUND.as_secs()
                );
                println!("test result: FAILED. a scenario hung");
                std::process::exit(101);
            }
        }
    });
    let t0 = Instant::now();
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    for (name, f) in selected {
        let t = Instant::now();
        *current.lock().unwrap_or_else(|e| e.into_inner()) = Some((name, t));
        match catch_unwind(AssertUnwindSafe(f)) {
            Ok(row) => {
                println!("scenario {name} ... ok ({:.1}s)", t.elapsed().as_secs_f64());
                assert_eq!(row.lost, 0, "a passing row reports nothing lost");
                rows.push(row);
            }
            Err(_) => {
                println!(
                    "scenario {name} ... FAILED ({:.1}s)",
                    t.elapsed().as_secs_f64()
                );
                failed.push(*name);
            }
        }
    }
    println!("\nresults ({:.1}s):\n", t0.elapsed().as_secs_f64());
    print!("{}", table(&rows));
    println!();
    if !failed.is_empty() {
        println!("failures:");
        for f in &failed {
            println!("    {f}");
        }
    }
    // libtest's closing line, which CI reads.
    println!(
        "test result: {}. {} passed; {} failed; 0 ignored; 0 measured; 0 filtered out; finished in {:.2}s\n",
        if failed.is_empty() { "ok" } else { "FAILED" },
        rows.len(),
        failed.len(),
        t0.elapsed().as_secs_f64()
    );
    if !failed.is_empty() {
        std::process::exit(101);
    }
}
