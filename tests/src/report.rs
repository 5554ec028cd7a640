//! The results table: one row per scenario.

use std::fmt::Write as _;

/// What one scenario did. Every count is asserted by the scenario itself; the table only
/// reports them.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// The scenario's name.
    pub name: String,
    /// Connections opened.
    pub connections: u64,
    /// Bytes whose value and position were checked (both directions of an echo counted once:
    /// the bytes that came back).
    pub bytes_verified: u64,
    /// Faults injected (denied syscalls, overflowed CQEs, signals, resets, ...).
    pub faults: u64,
    /// Bad inputs tried.
    pub inputs: u64,
    /// Completions, events or bytes lost (always 0 in a passing row).
    pub lost: u64,
    /// A short note (what the faults were, the kernel's answers).
    pub note: String,
}

impl Row {
    /// An empty row named `name`.
    pub fn new(name: &str) -> Row {
        Row {
            name: name.to_owned(),
            ..Row::default()
        }
    }
}

/// Bytes for humans: `2.00 GiB`, `1.00 MiB`, `512 B`.
pub fn bytes(n: u64) -> String {
    const K: f64 = 1024.0;
    let f = n as f64;
    if f >= K * K * K {
        format!("{:.2} GiB", f / (K * K * K))
    } else if f >= K * K {
        format!("{:.2} MiB", f / (K * K))
    } else if f >= K {
        format!("{:.1} KiB", f / K)
    } else {
        format!("{n} B")
    }
}

/// The rows as a Markdown table, with a totals line.
pub fn table(rows: &[Row]) -> String {
    let mut s = String::new();
    s.push_str("| scenario | connections | bytes verified | faults injected | inputs tried | lost | what |\n");
    s.push_str("|---|---:|---:|---:|---:|---:|---|\n");
    let mut total = Row::new("**total**");
    for r in rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.name,
            r.connections,
            bytes(r.bytes_verified),
            r.faults,
            r.inputs,
            r.lost,
            r.note
        );
        total.connections += r.connections;
        total.bytes_verified += r.bytes_verified;
        total.faults += r.faults;
        total.inputs += r.inputs;
        total.lost += r.lost;
    }
    let _ = writeln!(
        s,
        "| {} | {} | {} | {} | {} | {} | |",
        total.name,
        total.connections,
        bytes(total.bytes_verified),
        total.faults,
        total.inputs,
        total.lost
    );
    s
}
