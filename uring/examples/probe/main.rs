//! What io_uring this kernel offers this process, and how to set a ring up here: the tool a
//! runtime author or a CI pipeline runs to decide what to use.
//!
//! ```sh
//! ./x probe [OPTIONS]     # = cargo run --release -p evbind-uring --example probe -- [OPTIONS]
//! ```
//!
//! The first line is the verdict — `io_uring: usable; recommended setup: …` or
//! `io_uring: NOT usable: …` — followed by the facts it comes from: the kernel and the sysctls
//! that gate io_uring, this process's capabilities, the features the kernel reports, every
//! opcode this crate knows (supported or not), every `IORING_SETUP_*` flag (accepted by this
//! kernel and process, or the errno and why not), every `IORING_REGISTER_*` opcode the kernel
//! knows, the limits that bite in production (`RLIMIT_MEMLOCK` against fixed buffers, io-wq
//! workers, NAPI), the largest ring, and a quick self-measure (NOPs/s at batch 32 and 1).
//!
//! `--json` prints the same facts as one JSON document, described by `probe.schema.json` beside
//! this directory (JSON Schema 2020-12, `schema_version` 1; additions keep the version, a
//! removed or retyped field bumps it). Stage `46-probe` validates the output against it.
//!
//! Exit status: 0 when io_uring is usable (whatever it lacks), 1 when it is not (no ring can be
//! made: the verdict says why), 2 for a usage error.

mod facts;
mod json;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use facts::{Failure, Memlock, Process, Registrations, SetupProbe, Sysctl, errno_name};
use json::Json;
use uring::Ring;
use uring::opcode::table;
use uring::register::IowqMaxWorkers;

/// The version of the `--json` document's shape (`schema_version`).
const SCHEMA_VERSION: i64 = 1;

const USAGE: &str = "\
usage: probe [--json] [--no-bench] [--buffer-size BYTES] [--buffers N] [--iopoll-dir DIR]

What io_uring this kernel offers this process, and how to set a ring up here.

  --json               the same facts as JSON (schema: uring/examples/probe.schema.json)
  --no-bench           skip the self-measure (NOPs/s), about 1 s
  --buffer-size BYTES  fixed-buffer size for the RLIMIT_MEMLOCK check (default 65536;
                       K, M and G suffixes are powers of 1024)
  --buffers N          how many such buffers you mean to register (default 1024)
  --iopoll-dir DIR     where the IOPOLL test reads an O_DIRECT file (default: the temp dir)
  -h, --help           this text

exit status: 0 io_uring is usable, 1 it is not (the first line says why), 2 usage error";

struct Options {
    json: bool,
    bench: bool,
    buffer_size: u64,
    buffers: u64,
    iopoll_dir: PathBuf,
}

fn parse_size(s: &str) -> Option<u64> {
    let (digits, shift) = match s.as_bytes().last()? {
        b'K' | b'k' => (&s[..s.len() - 1], 10),
        b'M' | b'm' => (&s[..s.len() - 1], 20),
        b'G' | b'g' => (&s[..s.len() - 1], 30),
        _ => (s, 0),
    };
    digits.parse::<u64>().ok()?.checked_mul(1 << shift)
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        json: false,
        bench: true,
        buffer_size: 64 << 10,
        buffers: 1024,
        iopoll_dir: std::env::temp_dir(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--json" => o.json = true,
            "--no-bench" => o.bench = false,
            "--buffer-size" => {
                let v = value("--buffer-size")?;
                o.buffer_size = parse_size(&v)
                    .filter(|&n| n > 0)
                    .ok_or(format!("--buffer-size: not a size: {v}"))?;
            }
            "--buffers" => {
                let v = value("--buffers")?;
                o.buffers = v
                    .parse()
                    .map_err(|_| format!("--buffers: not a count: {v}"))?;
            }
            "--iopoll-dir" => o.iopoll_dir = PathBuf::from(value("--iopoll-dir")?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(o)
}

/// Everything the probe found.
struct Report {
    release: String,
    machine: String,
    sysctl: Sysctl,
    process: Process,
    /// `Err` when no ring can be made: io_uring is unusable.
    ring: Result<RingFacts, Failure>,
}

struct RingFacts {
    features: uring::Features,
    probe: Option<uring::Probe>,
    probe_error: Option<Failure>,
    max_entries: Option<(u32, u32)>,
    setup: Vec<SetupProbe>,
    registrations: Registrations,
    memlock: Memlock,
    iowq: Result<IowqMaxWorkers, Failure>,
    napi: Result<(), Failure>,
    /// NOPs per second at batch 32 and batch 1.
    bench: Option<(f64, f64)>,
}

fn main() -> ExitCode {
    let opts = match options() {
        Ok(o) => o,
        Err(msg) => {
            if msg.is_empty() {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            eprintln!("probe: {msg}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let report = gather(&opts);
    let usable = report.ring.is_ok();
    if opts.json {
        print!("{}", to_json(&report).to_pretty());
    } else {
        print_human(&report);
    }
    if usable {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn gather(opts: &Options) -> Report {
    let uname = rustix::system::uname();
    let process = facts::process();
    let ring = match Ring::new(32) {
        Err(e) => Err(Failure {
            errno: uring::error::errno(&e),
            reason: "io_uring_setup(2) failed for a plain 32-entry ring".to_owned(),
            message: e.to_string(),
        }),
        Ok(mut ring) => {
            let (probe, probe_error) = match ring.probe() {
                Ok(p) => (Some(p), None),
                Err(e) => (
                    None,
                    Some(Failure {
                        errno: uring::error::errno(&e),
                        reason: "IORING_REGISTER_PROBE failed (it needs Linux 5.6)".to_owned(),
                        message: e.to_string(),
                    }),
                ),
            };
            // One submission, so this task has an io-wq whose limits can be read back.
            let nop = uring::opcode::Nop::new().build();
            // SAFETY: a NOP names no memory.
            if unsafe { ring.push(&nop) }.is_ok() {
                let _ = ring.submit_and_wait(1);
                ring.cq().for_each(drop);
            }
            let registrations = facts::registrations();
            Ok(RingFacts {
                features: ring.features(),
                probe,
                probe_error,
                max_entries: max_entries(),
                setup: facts::setup_flags(&process, &opts.iopoll_dir),
                memlock: facts::memlock(&process, opts.buffer_size, opts.buffers),
                iowq: facts::iowq(&ring),
                napi: facts::napi(&registrations),
                registrations,
                bench: opts.bench.then(|| {
                    let d = Duration::from_millis(500);
                    (
                        nops_per_sec(&mut ring, 32, d),
                        nops_per_sec(&mut ring, 1, d),
                    )
                }),
            })
        }
    };
    Report {
        release: uname.release().to_string_lossy().into_owned(),
        machine: uname.machine().to_string_lossy().into_owned(),
        sysctl: facts::sysctl(),
        process,
        ring,
    }
}

/// The largest ring this process may create (halving from `IORING_MAX_ENTRIES`).
fn max_entries() -> Option<(u32, u32)> {
    let mut entries = 32768u32;
    loop {
        match Ring::new(entries) {
            Ok(r) => return Some((r.sq_entries(), r.cq_entries())),
            Err(_) if entries > 1 => entries /= 2,
            Err(_) => return None,
        }
    }
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

// ---------------------------------------------------------------------------------------------
// The verdict.

struct Verdict {
    line: String,
    /// The recommended setup flags (names without `IORING_SETUP_`).
    recommended: Vec<&'static str>,
    /// For rings more than one thread submits to (SINGLE_ISSUER does not fit).
    shared: Vec<&'static str>,
    notes: Vec<String>,
}

fn accepted(setup: &[SetupProbe], name: &str) -> bool {
    setup
        .iter()
        .any(|s| s.name == name && s.crate_supports && s.result.is_ok())
}

fn verdict(r: &Report) -> Verdict {
    let f = match &r.ring {
        Err(e) => {
            return Verdict {
                line: format!("io_uring: NOT usable: {}", e.message),
                recommended: Vec::new(),
                shared: Vec::new(),
                notes: Vec::new(),
            };
        }
        Ok(f) => f,
    };
    let ok = |name| accepted(&f.setup, name);
    let mut recommended = Vec::new();
    let mut shared = Vec::new();
    if ok("SINGLE_ISSUER") && ok("DEFER_TASKRUN") {
        recommended.extend(["SINGLE_ISSUER", "DEFER_TASKRUN"]);
    } else if ok("COOP_TASKRUN") {
        recommended.push("COOP_TASKRUN");
        if ok("TASKRUN_FLAG") {
            recommended.push("TASKRUN_FLAG");
        }
    }
    if ok("COOP_TASKRUN") {
        shared.push("COOP_TASKRUN");
        if ok("TASKRUN_FLAG") {
            shared.push("TASKRUN_FLAG");
        }
    }
    for extra in ["SUBMIT_ALL", "NO_SQARRAY"] {
        if ok(extra) {
            recommended.push(extra);
            shared.push(extra);
        }
    }
    let join = |v: &[&str]| {
        if v.is_empty() {
            "none (the defaults)".to_owned()
        } else {
            v.join(" | ")
        }
    };
    let mut line = format!(
        "io_uring: usable; recommended setup: {}",
        join(&recommended)
    );
    if recommended.contains(&"SINGLE_ISSUER") {
        line.push_str(&format!(
            " (one thread submits and waits; a ring shared by threads: {})",
            join(&shared)
        ));
    }

    let mut notes = Vec::new();
    if let Some(p) = &f.probe {
        let missing = (0..table::COUNT as u8)
            .filter(|&op| !p.is_supported(op))
            .count();
        if missing > 0 {
            notes.push(format!(
                "{missing} of the {} opcodes this crate knows are unsupported here (see opcodes)",
                table::COUNT
            ));
        }
    }
    let m = &f.memlock;
    if let Some(max) = m.max_buffers
        && max < m.buffers
    {
        notes.push(format!(
            "RLIMIT_MEMLOCK ({}) holds at most {max} fixed buffers of {} (you asked about {}): \
             raise it (`ulimit -l`, LimitMEMLOCK=) or grant CAP_IPC_LOCK",
            bytes(m.soft),
            bytes(Some(m.buffer_size)),
            m.buffers
        ));
    }
    if f.setup.iter().any(|s| s.works_on_file == Some(true)) {
        notes.push("IOPOLL works for O_DIRECT files in the tested directory".to_owned());
    }
    if !accepted(&f.setup, "SQPOLL") {
        notes.push("SQPOLL is not available to this process".to_owned());
    }
    if let Some(1) = r.sysctl.io_uring_disabled {
        notes.push(
            "kernel.io_uring_disabled = 1: only CAP_SYS_ADMIN or kernel.io_uring_group may \
             create rings; other users of this machine may not"
                .to_owned(),
        );
    }
    Verdict {
        line,
        recommended,
        shared,
        notes,
    }
}

// ---------------------------------------------------------------------------------------------
// Human output.

fn bytes(n: Option<u64>) -> String {
    match n {
        None => "unlimited".to_owned(),
        Some(n) if n >= 1 << 30 && n % (1 << 30) == 0 => format!("{} GiB", n >> 30),
        Some(n) if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        Some(n) if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
        Some(n) => format!("{n} B"),
    }
}

fn failure_text(f: &Failure) -> String {
    match f.errno {
        Some(e) => format!("{} ({}): {}", errno_name(e), e, f.reason),
        None => f.reason.clone(),
    }
}

fn print_human(r: &Report) {
    let v = verdict(r);
    println!("{}", v.line);
    for n in &v.notes {
        println!("  note: {n}");
    }
    println!();
    println!("kernel:        {} ({})", r.release, r.machine);
    match r.sysctl.io_uring_disabled {
        Some(v) => println!(
            "sysctl:        kernel.io_uring_disabled = {v} ({})",
            match v {
                0 => "enabled for all",
                1 => "only CAP_SYS_ADMIN or kernel.io_uring_group",
                2 => "disabled",
                _ => "unknown value",
            }
        ),
        None => println!("sysctl:        kernel.io_uring_disabled absent (Linux < 6.6)"),
    }
    if let Some(g) = r.sysctl.io_uring_group {
        let member = u32::try_from(g).is_ok_and(|g| r.process.groups.contains(&g));
        println!(
            "               kernel.io_uring_group = {g}{}",
            if g < 0 {
                " (none)".to_owned()
            } else if member {
                " (this process is in it)".to_owned()
            } else {
                " (this process is not in it)".to_owned()
            }
        );
    }
    let p = &r.process;
    println!(
        "process:       uid {} (euid {}); CAP_SYS_ADMIN {}, CAP_IPC_LOCK {}, CAP_NET_ADMIN {}",
        p.uid,
        p.euid,
        yes(p.cap_sys_admin),
        yes(p.cap_ipc_lock),
        yes(p.cap_net_admin)
    );
    let f = match &r.ring {
        Ok(f) => f,
        Err(e) => {
            println!("io_uring:      NOT usable: {}", failure_text(e));
            return;
        }
    };

    println!();
    println!("features ({:#x}):", f.features.bits());
    let mut known = 0;
    for (name, flag) in f.features.iter_names() {
        println!("  IORING_FEAT_{name}");
        known |= flag.bits();
    }
    let unknown = f.features.bits() & !known;
    if unknown != 0 {
        println!("  + unknown bits {unknown:#x} (newer than this crate)");
    }

    println!();
    match &f.probe {
        None => println!(
            "opcodes:       {}",
            failure_text(f.probe_error.as_ref().expect("an error"))
        ),
        Some(probe) => {
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
        }
    }

    println!();
    println!("setup flags (one io_uring_setup per flag, as this process):");
    for s in &f.setup {
        let state = match &s.result {
            Ok(None) => "accepted".to_owned(),
            Ok(Some(note)) => format!("accepted; {note}"),
            Err(e) if !s.crate_supports => e.reason.clone(),
            Err(e) => format!("REFUSED: {}", failure_text(e)),
        };
        println!(
            "  {:<19} Linux {:<5} {state}",
            s.name,
            s.since.unwrap_or(">6.18")
        );
    }

    println!();
    let regs = &f.registrations;
    match &regs.unavailable {
        Some(e) => println!("registrations: not probed: {}", failure_text(e)),
        None => {
            let known: Vec<_> = regs
                .opcodes
                .iter()
                .filter(|o| o.known == Some(true))
                .collect();
            println!(
                "registrations ({} opcodes known to this kernel; EACCES on a restricted ring = known, \
                 EINVAL = unknown):",
                known.len()
            );
            for o in &regs.opcodes {
                if o.name.is_none() && o.known != Some(true) {
                    continue;
                }
                let (op, name) = (o.opcode, o.name.unwrap_or("(newer than this crate)"));
                let state = match (o.known, o.errno) {
                    (Some(true), _) => "known".to_owned(),
                    (Some(false), _) => "UNKNOWN".to_owned(),
                    (None, Some(e)) => format!("inconclusive ({})", errno_name(e)),
                    (None, None) => "inconclusive (accepted?)".to_owned(),
                };
                println!("  {op:>3} {name:<34} {state}");
            }
        }
    }
    if let Some(n) = regs.query_count {
        println!("  IORING_REGISTER_QUERY says the kernel knows {n} registration opcodes");
    }

    println!();
    println!("limits:");
    let m = &f.memlock;
    println!(
        "  RLIMIT_MEMLOCK:   soft {}, hard {}{}",
        bytes(m.soft),
        bytes(m.hard),
        if m.exempt {
            " (not applied: CAP_IPC_LOCK)"
        } else {
            ""
        }
    );
    println!(
        "  fixed buffers:    each {} buffer counts {} ({} B pages) against the user's locked \
         memory;",
        bytes(Some(m.buffer_size)),
        bytes(Some(m.accounted_per_buffer)),
        m.page_size
    );
    match m.max_buffers {
        None => println!("                    no limit applies to this process"),
        Some(max) => println!(
            "                    at most {max} fit (you asked about {}: {}); the count is per \
             uid, shared with this user's other rings",
            m.buffers,
            if max >= m.buffers {
                "fits"
            } else {
                "DOES NOT FIT"
            }
        ),
    }
    match &f.iowq {
        Ok(w) => println!(
            "  io-wq workers:    at most {} bounded (file/block I/O), {} unbounded (sockets, \
             pipes) per task (IORING_REGISTER_IOWQ_MAX_WORKERS read-back)",
            w.bounded, w.unbounded
        ),
        Err(e) => println!("  io-wq workers:    unknown: {}", failure_text(e)),
    }
    match &f.napi {
        Ok(()) => println!("  NAPI busy poll:   available (IORING_REGISTER_NAPI)"),
        Err(e) => println!("  NAPI busy poll:   unavailable: {}", failure_text(e)),
    }
    match f.max_entries {
        Some((sq, cq)) => {
            println!("  max entries:      {sq} SQ / {cq} CQ (CQSIZE allows up to 65536 CQ)")
        }
        None => println!("  max entries:      could not create any ring"),
    }

    if let Some((b32, b1)) = f.bench {
        println!();
        println!("self-measure (NOPs through this crate's raw path):");
        println!("  batch 32: {:>6.2} M NOPs/s", b32 / 1e6);
        println!("  batch  1: {:>6.2} M NOPs/s", b1 / 1e6);
    }
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

// ---------------------------------------------------------------------------------------------
// JSON output (the shape is uring/examples/probe.schema.json).

fn failure_json(f: &Failure) -> Json {
    Json::Obj(vec![
        ("errno", Json::opt(f.errno, Json::int)),
        ("errno_name", Json::opt(f.errno_name(), Json::str)),
        ("reason", Json::str(&f.reason)),
        ("message", Json::str(&f.message)),
    ])
}

fn to_json(r: &Report) -> Json {
    let v = verdict(r);
    let p = &r.process;
    let mut doc = vec![
        ("schema_version", Json::Int(SCHEMA_VERSION)),
        (
            "tool",
            Json::Obj(vec![
                ("name", Json::str("probe")),
                ("package", Json::str(env!("CARGO_PKG_NAME"))),
                ("version", Json::str(env!("CARGO_PKG_VERSION"))),
            ]),
        ),
        (
            "verdict",
            Json::Obj(vec![
                ("usable", Json::Bool(r.ring.is_ok())),
                ("line", Json::str(&v.line)),
                (
                    "recommended_setup",
                    Json::Arr(v.recommended.iter().map(|s| Json::str(*s)).collect()),
                ),
                (
                    "shared_ring_setup",
                    Json::Arr(v.shared.iter().map(|s| Json::str(*s)).collect()),
                ),
                ("notes", Json::Arr(v.notes.iter().map(Json::str).collect())),
            ]),
        ),
        (
            "kernel",
            Json::Obj(vec![
                ("release", Json::str(&r.release)),
                ("machine", Json::str(&r.machine)),
            ]),
        ),
        (
            "sysctl",
            Json::Obj(vec![
                (
                    "io_uring_disabled",
                    Json::opt(r.sysctl.io_uring_disabled, Json::int),
                ),
                (
                    "io_uring_group",
                    Json::opt(r.sysctl.io_uring_group, Json::int),
                ),
            ]),
        ),
        (
            "process",
            Json::Obj(vec![
                ("uid", Json::int(p.uid)),
                ("euid", Json::int(p.euid)),
                (
                    "groups",
                    Json::Arr(p.groups.iter().map(|g| Json::int(*g)).collect()),
                ),
                ("cap_sys_admin", Json::Bool(p.cap_sys_admin)),
                ("cap_ipc_lock", Json::Bool(p.cap_ipc_lock)),
                ("cap_net_admin", Json::Bool(p.cap_net_admin)),
            ]),
        ),
    ];
    let f = match &r.ring {
        Err(e) => {
            doc.push(("error", failure_json(e)));
            return Json::Obj(doc);
        }
        Ok(f) => f,
    };
    doc.push(("error", Json::Null));

    let mut known = 0;
    let names = f
        .features
        .iter_names()
        .map(|(name, flag)| {
            known |= flag.bits();
            Json::str(format!("IORING_FEAT_{name}"))
        })
        .collect();
    doc.push((
        "features",
        Json::Obj(vec![
            ("bits", Json::int(f.features.bits())),
            ("names", Json::Arr(names)),
            ("unknown_bits", Json::int(f.features.bits() & !known)),
        ]),
    ));

    doc.push((
        "opcodes",
        match &f.probe {
            None => Json::Obj(vec![(
                "error",
                failure_json(f.probe_error.as_ref().expect("an error")),
            )]),
            Some(probe) => Json::Obj(vec![
                ("error", Json::Null),
                ("kernel_last_op", Json::int(probe.last_op())),
                (
                    "list",
                    Json::Arr(
                        (0..table::COUNT as u8)
                            .map(|op| {
                                let (major, minor) = table::since(op).unwrap_or((0, 0));
                                Json::Obj(vec![
                                    ("opcode", Json::int(op)),
                                    ("name", Json::str(table::name(op).unwrap_or("?"))),
                                    ("since", Json::str(format!("{major}.{minor}"))),
                                    ("supported", Json::Bool(probe.is_supported(op))),
                                ])
                            })
                            .collect(),
                    ),
                ),
            ]),
        },
    ));

    doc.push((
        "setup_flags",
        Json::Arr(
            f.setup
                .iter()
                .map(|s| {
                    let (accepted, note, failure) = match &s.result {
                        Ok(note) => (true, note.clone(), Json::Null),
                        Err(e) => (false, None, failure_json(e)),
                    };
                    Json::Obj(vec![
                        ("name", Json::str(format!("IORING_SETUP_{}", s.name))),
                        ("bit", Json::int(s.bit)),
                        ("since", Json::opt(s.since, Json::str)),
                        ("crate_supports", Json::Bool(s.crate_supports)),
                        ("tried", Json::str(s.tried)),
                        ("accepted", Json::Bool(accepted)),
                        ("note", Json::opt(note, Json::str)),
                        ("works_on_file", Json::opt(s.works_on_file, Json::Bool)),
                        ("error", failure),
                    ])
                })
                .collect(),
        ),
    ));

    let regs = &f.registrations;
    doc.push((
        "registrations",
        Json::Obj(vec![
            ("method", Json::str(regs.method)),
            (
                "error",
                regs.unavailable.as_ref().map_or(Json::Null, failure_json),
            ),
            ("query_count", Json::opt(regs.query_count, Json::int)),
            (
                "list",
                Json::Arr(
                    regs.opcodes
                        .iter()
                        .filter(|o| o.name.is_some() || o.known == Some(true))
                        .map(|o| {
                            Json::Obj(vec![
                                ("opcode", Json::int(o.opcode)),
                                ("name", Json::opt(o.name, Json::str)),
                                ("known", Json::opt(o.known, Json::Bool)),
                                ("errno", Json::opt(o.errno, Json::int)),
                            ])
                        })
                        .collect(),
                ),
            ),
        ]),
    ));

    let m = &f.memlock;
    doc.push((
        "limits",
        Json::Obj(vec![
            (
                "memlock",
                Json::Obj(vec![
                    ("soft", Json::opt(m.soft, Json::int)),
                    ("hard", Json::opt(m.hard, Json::int)),
                    ("exempt", Json::Bool(m.exempt)),
                    ("page_size", Json::int(m.page_size)),
                    ("buffer_size", Json::int(m.buffer_size)),
                    ("buffers", Json::int(m.buffers)),
                    ("accounted_per_buffer", Json::int(m.accounted_per_buffer)),
                    ("max_buffers", Json::opt(m.max_buffers, Json::int)),
                    (
                        "fits",
                        Json::Bool(m.max_buffers.is_none_or(|max| max >= m.buffers)),
                    ),
                ]),
            ),
            (
                "iowq_max_workers",
                match &f.iowq {
                    Ok(w) => Json::Obj(vec![
                        ("bounded", Json::int(w.bounded)),
                        ("unbounded", Json::int(w.unbounded)),
                        ("error", Json::Null),
                    ]),
                    Err(e) => Json::Obj(vec![
                        ("bounded", Json::Null),
                        ("unbounded", Json::Null),
                        ("error", failure_json(e)),
                    ]),
                },
            ),
            (
                "napi",
                Json::Obj(vec![
                    ("available", Json::Bool(f.napi.is_ok())),
                    (
                        "error",
                        f.napi.as_ref().err().map_or(Json::Null, failure_json),
                    ),
                ]),
            ),
            (
                "max_entries",
                Json::opt(f.max_entries, |(sq, cq)| {
                    Json::Obj(vec![("sq", Json::int(sq)), ("cq", Json::int(cq))])
                }),
            ),
        ]),
    ));

    doc.push((
        "self_measure",
        Json::opt(f.bench, |(b32, b1)| {
            Json::Obj(vec![
                ("nops_per_sec_batch_32", Json::Float(b32)),
                ("nops_per_sec_batch_1", Json::Float(b1)),
            ])
        }),
    ));
    Json::Obj(doc)
}
