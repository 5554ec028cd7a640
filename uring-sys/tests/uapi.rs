//! uring-sys against the kernel uapi it tracks, through the C compiler: the five io_uring
//! headers of Linux 7.2 (`<linux/io_uring.h>`, `<linux/io_uring/{zcrx,query,bpf_filter,
//! mock_file}.h>`), every struct, field, macro and enum value, both ways.
//!
//! The headers are the repository's unmodified copies in `uring-sys/uapi/` (from Debian's
//! `linux-libc-dev` [`TRACKED`]; `uring-sys/uapi/README.md`), so this runs offline in every
//! `cargo test` (stage 30 for x86_64, stage 32 as i686). The other headers they include
//! (`<linux/types.h>`, `<linux/fs.h>`, `<linux/time_types.h>`, `asm/`) come from the system.
//! Two variables point it elsewhere (the drift check, `UAPI_DRIFT=1 ./x test 32`, points them
//! at Debian sid's newest `linux-libc-dev`):
//!
//! - `URING_SYS_INCLUDE`: an unpacked `usr/include`; the C compiler gets `-I` that directory
//!   (and its multiarch subdirectory) before the system's. Unset: `uring-sys/uapi`.
//! - `URING_SYS_UAPI_VERSION`: the package version found there. The tracked one, [`TRACKED`]:
//!   exact, both ways; any mismatch or extra name on either side fails. Another (sid moved on):
//!   every name both sides have must still match in value, size and offset ("one past the last"
//!   values and masks may have grown), but what the newer header adds or renamed is only listed,
//!   loudly, as DRIFT. Unset: the tracked version.
//! - `URING_SYS_LIBURING` (optional): liburing's `src/include/liburing`; its copies of
//!   `io_uring.h`, `io_uring/query.h` and `io_uring/bpf_filter.h` are checked as older headers
//!   (every name they have must match, documented renames/reshapes aside).
//!
//! `CC` picks the compiler as for the other tests (`CC="gcc -m32"` for i686).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[cfg(any(target_os = "linux", target_os = "android"))]
#[path = "sys/constants.rs"]
mod constants;

#[cfg(any(target_os = "linux", target_os = "android"))]
#[path = "sys/names.rs"]
mod names;

#[cfg(any(target_os = "linux", target_os = "android"))]
#[path = "sys/c_header.rs"]
mod c_header;

/// The Debian `linux-libc-dev` version whose headers the crate mirrors exactly, and which
/// `uring-sys/uapi/` holds (`./x update-uapi` rewrites this line with the copies).
const TRACKED: &str = "7.2.13-1";

/// The headers, relative to the include directory.
const HEADERS: [&str; 5] = [
    "linux/io_uring.h",
    "linux/io_uring/zcrx.h",
    "linux/io_uring/query.h",
    "linux/io_uring/bpf_filter.h",
    "linux/io_uring/mock_file.h",
];

/// Crate items that are not in those headers on purpose: `__kernel_timespec` is
/// `<linux/time_types.h>`'s (used by `io_uring_reg_wait` and friends).
const NOT_UAPI: &[&str] = &["__kernel_timespec"];

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn main() -> ExitCode {
    println!("SKIPPED uring-sys is empty on this OS; the uapi check runs on Linux only");
    ExitCode::SUCCESS
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn main() -> ExitCode {
    use c_header::{Mode, Report, check_header, crate_side, parse_header};

    let include = std::env::var_os("URING_SYS_INCLUDE").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("uapi"),
        PathBuf::from,
    );
    let version = std::env::var("URING_SYS_UAPI_VERSION").unwrap_or_else(|_| TRACKED.into());
    let mode = if version == TRACKED {
        Mode::Exact
    } else {
        Mode::Newer
    };
    println!(
        "uapi: headers of linux-libc-dev {version} in {} ({})",
        include.display(),
        if mode == Mode::Exact {
            "the tracked version: exact, both ways".to_string()
        } else {
            format!("not the tracked {TRACKED}: shared names must match, additions are DRIFT")
        }
    );

    // -I the directory, and its multiarch subdirectory (`asm/`) for this compiler's target.
    let multiarch = c_header::run(c_header::cc(&[]).arg("-print-multiarch"));
    let mut includes = vec![include.clone()];
    let arch_dir = include.join(multiarch.trim());
    if !multiarch.trim().is_empty() && arch_dir.is_dir() {
        includes.push(arch_dir);
    }

    let mut errors = Vec::new();
    let mut drift = Vec::new();

    // Any io_uring header the package has that this check does not know.
    let known: BTreeSet<&str> = HEADERS.iter().copied().collect();
    if let Ok(dir) = std::fs::read_dir(include.join("linux/io_uring")) {
        for e in dir.flatten() {
            let name = format!("linux/io_uring/{}", e.file_name().to_string_lossy());
            if !known.contains(name.as_str()) {
                let msg = format!("header {name} is not mirrored by uring-sys");
                if mode == Mode::Exact {
                    errors.push(msg);
                } else {
                    drift.push(msg);
                }
            }
        }
    }

    // Macros by defining header, so each is compared (and counted) under its own header only.
    let texts: Vec<(&str, BTreeSet<String>)> = HEADERS
        .iter()
        .map(|h| {
            let text = std::fs::read_to_string(include.join(h))
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", include.join(h).display()));
            (*h, parse_header(&text).macros.into_iter().collect())
        })
        .collect();
    let mut reports: Vec<Report> = Vec::new();
    for (h, _) in &texts {
        let elsewhere: BTreeSet<String> = texts
            .iter()
            .filter(|(o, _)| o != h)
            .flat_map(|(_, m)| m.iter().cloned())
            .collect();
        let r = check_header(
            &include.join(h),
            &format!("<{h}>"),
            &includes,
            mode,
            &elsewhere,
        );
        r.print(mode);
        reports.push(r);
    }
    let side = crate_side(&reports, NOT_UAPI);
    if mode == Mode::Exact {
        errors.extend(side);
    } else {
        drift.extend(side);
    }

    let total = |f: fn(&Report) -> usize| reports.iter().map(f).sum::<usize>();
    println!(
        "uapi: {} headers: {} structs, {} fields, {} constants compared; crate -> headers: {} types, {} constants",
        reports.len(),
        total(|r| r.structs),
        total(|r| r.fields),
        total(|r| r.consts),
        names::TYPES.len(),
        names::CONSTANTS.len(),
    );

    if let Some(liburing) = std::env::var_os("URING_SYS_LIBURING").map(PathBuf::from) {
        for h in ["io_uring.h", "io_uring/query.h", "io_uring/bpf_filter.h"] {
            let path = liburing.join(h);
            if !path.exists() {
                errors.push(format!("{} does not exist", path.display()));
                continue;
            }
            let r = check_header(
                &path,
                &format!("\"{}\"", path.display()),
                &[],
                Mode::Older,
                &BTreeSet::new(),
            );
            r.print(Mode::Older);
            errors.extend(r.errors);
        }
    }

    for r in &mut reports {
        let path = r.path.clone();
        errors.extend(
            r.errors
                .drain(..)
                .map(|e| format!("{}: {e}", path.display())),
        );
        drift.extend(
            r.drift
                .drain(..)
                .map(|d| format!("{}: {d}", path_name(&path))),
        );
    }
    if !drift.is_empty() {
        println!();
        println!("################################################################");
        println!(
            "## uapi DRIFT: linux-libc-dev {version} has {} change(s) uring-sys lacks",
            drift.len()
        );
        println!("## (not a failure: update uring-sys and TRACKED to follow)");
        println!("################################################################");
        for d in &drift {
            println!("  - {d}");
        }
    }
    if errors.is_empty() {
        println!("uapi: OK");
        ExitCode::SUCCESS
    } else {
        eprintln!("uapi: {} mismatch(es):", errors.len());
        for e in &errors {
            eprintln!("  {e}");
        }
        ExitCode::FAILURE
    }
}

/// The header's path from `linux/` on.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn path_name(p: &Path) -> String {
    let s = p.display().to_string();
    s.find("linux/").map_or(s.clone(), |i| s[i..].to_string())
}
