//! `./x probe` where io_uring is denied: a seccomp filter makes `io_uring_setup(2)` fail with
//! `ENOSYS` (the kernel lacks it, or Docker's default profile) or `EPERM` (a security policy),
//! and the probe must say `io_uring: NOT usable: …` on its first line, exit with status 1, and
//! give the errno in `--json` (`verdict.usable` false, `error.errno`).
//!
//! Its own binary (`harness = false`), because the filter is irreversible: each case re-executes
//! this binary, which installs the filter and then `exec`s the probe. With `PROBE_DENIED_OUT`
//! set, the JSON reports are written there (`denied-ENOSYS.json`, ...) for stage `46-probe` to
//! validate against the schema.

use std::os::unix::process::CommandExt;
use std::process::Command;

use tests::sys;

const CHILD: &str = "PROBE_DENIED_CHILD";

fn main() {
    if let Ok(spec) = std::env::var(CHILD) {
        // spec = "<errno> <probe path> <args...>"
        let mut words = spec.split(' ');
        let errno: i32 = words.next().unwrap().parse().unwrap();
        let exe = words.next().unwrap().to_owned();
        sys::deny_io_uring_setup(errno).expect("installing the seccomp filter");
        let e = Command::new(exe).args(words).env_remove(CHILD).exec();
        panic!("exec: {e}");
    }

    let probe = build_probe();
    for (errno, name) in [(libc::ENOSYS, "ENOSYS"), (libc::EPERM, "EPERM")] {
        let run = |args: &str| {
            Command::new(std::env::current_exe().unwrap())
                .env(CHILD, format!("{errno} {} {args}", probe.display()))
                .output()
                .expect("running the child")
        };

        let out = run("--no-bench");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{name}: exit status; output:\n{text}"
        );
        let first = text.lines().next().unwrap_or("");
        assert!(
            first.starts_with("io_uring: NOT usable: "),
            "{name}: first line: {first}"
        );

        let out = run("--json --no-bench");
        let json = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{name}: --json exit status");
        for want in [
            "\"usable\": false".to_owned(),
            format!("\"errno\": {errno}"),
            format!("\"errno_name\": \"{name}\""),
        ] {
            assert!(json.contains(&want), "{name}: no {want} in\n{json}");
        }
        if let Some(dir) = std::env::var_os("PROBE_DENIED_OUT") {
            let path = std::path::Path::new(&dir).join(format!("denied-{name}.json"));
            std::fs::write(&path, json.as_bytes()).expect("writing the report");
        }
        println!("probe with io_uring_setup denied ({name}): exit 1, {first}");
    }
}

/// The probe example, built in this test's profile.
fn build_probe() -> std::path::PathBuf {
    tests::examples::build("evbind-uring", "probe", env!("CARGO_TARGET_TMPDIR"))
}
