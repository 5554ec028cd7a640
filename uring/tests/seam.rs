//! The syscall seam: `uring/src/sys.rs` is the only file of the crate that calls
//! `io_uring_setup(2)`, `io_uring_enter(2)` and `io_uring_register(2)` (issue #18). A scan of
//! the sources with comments (doc comments included) and string literals blanked out, so
//! `/// io_uring_setup(2)` or `format!("io_uring_register({op})")` do not count.
//!
//! A test binary of its own, apart from the kernel-facing ones (`core`, `op_kernel`, ...):
//! it reads the crate's sources, which the kernel matrix's guests (stage 95) do not have.

use std::path::{Path, PathBuf};

/// The syscall names whose calls must stay in `sys.rs`.
const SYSCALLS: [&str; 4] = [
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_enter2",
    "io_uring_register",
];

/// `src` with every comment and string/char literal replaced by spaces (newlines kept, so
/// line numbers still match).
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let blank = |out: &mut Vec<u8>, s: &[u8]| {
        out.extend(s.iter().map(|&c| if c == b'\n' { b'\n' } else { b' ' }));
    };
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            let end = rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest.starts_with(b"/*") {
            // Block comments nest in Rust.
            let (mut depth, mut j) = (0usize, 0);
            while j < rest.len() {
                if rest[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if rest[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, &rest[..j]);
            i += j;
        } else if (rest.starts_with(b"r\"") || rest.starts_with(b"r#"))
            && !b
                .get(i.wrapping_sub(1))
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            // Raw string: r"..." or r#"..."#.
            let hashes = rest[1..].iter().take_while(|&&c| c == b'#').count();
            if rest.get(1 + hashes) != Some(&b'"') {
                out.push(rest[0]);
                i += 1;
                continue;
            }
            let mut close = vec![b'"'];
            close.extend(std::iter::repeat_n(b'#', hashes));
            let body = 2 + hashes;
            let end = rest[body..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(rest.len(), |p| body + p + close.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest[0] == b'"' {
            let mut j = 1;
            while j < rest.len() && rest[j] != b'"' {
                j += if rest[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest[0] == b'\'' {
            // A char literal ('x', '\n', '\''), else a lifetime ('a).
            let len = if rest.get(1) == Some(&b'\\') {
                rest[2..].iter().position(|&c| c == b'\'').map(|p| p + 3)
            } else {
                // `'` is ASCII, so `i + 1` is a char boundary.
                src[i + 1..]
                    .chars()
                    .next()
                    .map(char::len_utf8)
                    .filter(|&n| rest.get(1 + n) == Some(&b'\''))
                    .map(|n| n + 2)
            };
            match len {
                Some(n) => {
                    blank(&mut out, &rest[..n]);
                    i += n;
                }
                None => {
                    out.push(b'\'');
                    i += 1;
                }
            }
        } else {
            out.push(rest[0]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every `(line, syscall)` where `src` calls one of [`SYSCALLS`] (the name, then `(` or `::<`
/// after optional spaces), outside comments and literals.
fn syscall_calls(src: &str) -> Vec<(usize, &'static str)> {
    let code = code_only(src);
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        for name in SYSCALLS {
            let mut from = 0;
            while let Some(p) = line[from..].find(name) {
                let start = from + p;
                let end = start + name.len();
                from = end;
                let before = line[..start].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let after = line[end..].trim_start();
                if after.starts_with('(') || after.starts_with("::<") {
                    found.push((n + 1, name));
                }
            }
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read uring/src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Calls waiting for their files' owners to route them through `crate::sys` (the ring-less
/// registration and the driver's `is_io_uring`; issue #18): each entry is `path:syscall`, and
/// the test fails once an entry no longer matches a call, so the list only shrinks.
const PENDING: &[&str] = &[];

/// Scans `URING_SEAM_SRC` when set (to try the scan on another tree, e.g. a checkout from
/// before the seam, where it fails), else this crate's `src/`.
#[test]
fn only_sys_rs_calls_the_io_uring_syscalls() {
    let src = std::env::var_os("URING_SEAM_SRC").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        PathBuf::from,
    );
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 10, "found the sources: {files:?}");
    let mut outside = Vec::new();
    let mut pending_seen = Vec::new();
    let mut in_sys = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read a source file");
        let calls = syscall_calls(&text);
        if file == &src.join("sys.rs") {
            in_sys = calls.len();
            continue;
        }
        let rel = file
            .strip_prefix(&src)
            .unwrap_or(file)
            .display()
            .to_string();
        for (line, name) in calls {
            let key = format!("{rel}:{name}");
            if PENDING.contains(&key.as_str()) {
                pending_seen.push(key);
            } else {
                outside.push(format!("{rel}:{line} {name}"));
            }
        }
    }
    for p in PENDING {
        assert!(
            pending_seen.iter().any(|s| s == p),
            "{p} no longer calls the syscall: remove it from PENDING"
        );
    }
    assert!(
        outside.is_empty(),
        "io_uring syscalls called outside uring/src/sys.rs (route them through crate::sys):\n{}",
        outside.join("\n")
    );
    // The scan sees the seam's own calls (setup, enter2, register): it is not blind.
    assert_eq!(in_sys, 3, "the calls in sys.rs");
}

/// The scanner on the shapes the tree had before the seam (issue #18): calls are found,
/// mentions in doc comments, comments, strings and aliases are not.
#[test]
fn the_scan_finds_calls_and_skips_comments_and_strings() {
    let src = r##"
        /// `io_uring_setup(2)` and the mappings.
        // io_uring_enter(fd, ..) in a comment
        /* io_uring_register(-1, ..) in a block /* nested */ io_uring_enter( */
        #[doc(alias = "io_uring_setup")]
        let msg = format!("io_uring_register({opcode}) failed");
        let raw = r#"io_uring_enter2(fd"#;
        let c = '"'; let l: &'static str = "x";
        let ret = unsafe { sys::io_uring_setup(entries, &mut params) };
        let ret = unsafe { sys::io_uring_enter2(fd, 0, 0, 0, null(), 0) };
        sys::io_uring_register (-1, opcode, arg, nr_args)
        let x = my_io_uring_enter(1);
        let f = io_uring_enter;
    "##;
    assert_eq!(
        syscall_calls(src),
        [
            (9, "io_uring_setup"),
            (10, "io_uring_enter2"),
            (11, "io_uring_register"),
        ]
    );
}
