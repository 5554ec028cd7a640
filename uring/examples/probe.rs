//! What io_uring this kernel offers, and how fast it is here.
//!
//! ```sh
//! cargo run --release -p evbind-uring --example probe
//! ```
//!
//! Prints the kernel release, whether io_uring is usable (and why not), the features the kernel
//! reports, every opcode this crate knows with supported/unsupported, the largest ring this
//! process may create, and a quick self-measure: NOPs per second at batch 32 and batch 1.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use uring::Ring;
use uring::opcode::table;

fn main() -> ExitCode {
    let uname = rustix::system::uname();
    println!("kernel:        {}", uname.release().to_string_lossy());
    match std::fs::read_to_string("/proc/sys/kernel/io_uring_disabled") {
        Ok(v) => println!(
            "sysctl:        kernel.io_uring_disabled = {} ({})",
            v.trim(),
            match v.trim() {
                "0" => "enabled for all",
                "1" => "only CAP_SYS_ADMIN or kernel.io_uring_group",
                "2" => "disabled",
                _ => "unknown value",
            }
        ),
        Err(_) => println!("sysctl:        kernel.io_uring_disabled absent (Linux < 6.6)"),
    }

    let mut ring = match Ring::new(32) {
        Ok(ring) => {
            println!("io_uring:      usable");
            ring
        }
        Err(e) => {
            println!("io_uring:      NOT usable: {e}");
            return ExitCode::FAILURE;
        }
    };

    let features = ring.features();
    println!();
    println!("features ({:#x}):", features.bits());
    let mut known = 0;
    for (name, flag) in features.iter_names() {
        println!("  IORING_FEAT_{name}");
        known |= flag.bits();
    }
    let unknown = features.bits() & !known;
    if unknown != 0 {
        println!("  + unknown bits {unknown:#x} (newer than this crate)");
    }

    println!();
    let probe = match ring.probe() {
        Ok(p) => p,
        Err(e) => {
            println!("opcodes:       probe failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    let supported = (0..table::COUNT as u8)
        .filter(|&op| probe.is_supported(op))
        .count();
    println!(
        "opcodes ({supported} of the {} this crate knows are supported; kernel last_op = {}):",
        table::COUNT,
        probe.last_op()
    );
    for op in 0..table::COUNT as u8 {
        let name = table::name(op).unwrap_or("?");
        let (major, minor) = table::since(op).unwrap_or((0, 0));
        let state = if probe.is_supported(op) {
            "supported"
        } else {
            "UNSUPPORTED"
        };
        println!("  {op:>3} {name:<30} Linux {major}.{minor:<3} {state}");
    }

    println!();
    let mut entries = 32768u32;
    let max = loop {
        match Ring::new(entries) {
            Ok(r) => break Some((r.sq_entries(), r.cq_entries())),
            Err(_) if entries > 1 => entries /= 2,
            Err(e) => {
                println!("max entries:   could not create any ring: {e}");
                break None;
            }
        }
    };
    if let Some((sq, cq)) = max {
        println!("max entries:   {sq} SQ / {cq} CQ (CQSIZE allows up to 65536 CQ)");
    }

    println!();
    println!("self-measure (NOPs through this crate's raw path):");
    for batch in [32usize, 1] {
        let rate = nops_per_sec(&mut ring, batch, Duration::from_millis(500));
        println!("  batch {batch:>2}: {:>6.2} M NOPs/s", rate / 1e6);
    }
    ExitCode::SUCCESS
}

fn nops_per_sec(ring: &mut Ring, batch: usize, dur: Duration) -> f64 {
    let nop = uring::opcode::Nop::new().build();
    let start = Instant::now();
    let mut done = 0usize;
    while start.elapsed() < dur {
        for _ in 0..64 {
            {
                let mut sq = ring.sq();
                for _ in 0..batch {
                    // SAFETY: a NOP carries no pointers.
                    unsafe { sq.push(&nop) }.expect("the SQ has room for a batch");
                }
            }
            ring.submit_and_wait(batch).expect("io_uring_enter");
            done += ring.cq().count();
        }
    }
    done as f64 / start.elapsed().as_secs_f64()
}
