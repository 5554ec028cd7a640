//! An example binary for a test to run, built with the profile (and target) of the test binary
//! itself, so `cargo test` and `cargo test --release` (or `--target T`, `--profile P`) each run
//! an example they built, never one left over from another profile.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The example `name` of package `package`, built (quietly) by the cargo running these tests
/// into the test binary's own `target/[<triple>/]<profile>/examples/`; or, where there is no
/// cargo (the kernel matrix's guests), the one in `$TESTS_EXAMPLES_DIR`.
///
/// `target_tmpdir` is the calling test's `env!("CARGO_TARGET_TMPDIR")` (cargo sets it for
/// integration tests only): `<target dir>/tmp`, which tells the target dir apart from a
/// `<target dir>/<triple>` level in the test binary's path.
///
/// # Panics
///
/// When the build fails, or the test binary is not where cargo puts test binaries.
pub fn build(package: &str, name: &str, target_tmpdir: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os("TESTS_EXAMPLES_DIR") {
        let path = Path::new(&dir).join(name);
        assert!(path.exists(), "{} does not exist", path.display());
        return path;
    }
    // This binary is <target dir>/[<triple>/]<profile>/deps/<test>-<hash>.
    let exe = std::env::current_exe().expect("current_exe");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test binary is in <target dir>/[<triple>/]<profile>/deps");
    let target_dir = Path::new(target_tmpdir)
        .parent()
        .expect("CARGO_TARGET_TMPDIR is <target dir>/tmp");
    let above = profile_dir.parent().expect("<profile> has a parent");
    // cargo names the dev profile's directory `debug`; every other profile's is its name.
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") => "dev",
        Some(p) => p,
        None => panic!("{}: no profile directory", exe.display()),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "-q", "-p", package, "--example", name])
        .args(["--profile", profile])
        .arg("--target-dir")
        .arg(target_dir);
    if !same_dir(above, target_dir) {
        // <target dir>/<triple>/<profile>: the test was built with `--target <triple>`.
        let triple = above.file_name().expect("a target triple directory");
        cmd.arg("--target").arg(triple);
    }
    let out = cmd.output().expect("running cargo build");
    assert!(
        out.status.success(),
        "building example {name} ({package}, profile {profile}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = profile_dir.join("examples").join(name);
    assert!(path.exists(), "{} was not built", path.display());
    path
}

/// Whether `a` and `b` name the same directory (either may hold symlinks).
fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
