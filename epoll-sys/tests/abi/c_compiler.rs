//! The C compiler's view of `<sys/epoll.h>` and `<linux/eventpoll.h>` against this crate.
//!
//! For each header the test asks the preprocessor for every macro it defines whose name starts
//! with `EPOLL` or `EPIOC` (`cc -dM -E`), so a constant added to the header fails this test until
//! the crate has it. Then it compiles a program printing each macro's size and value and the
//! size, alignment and field offsets of every struct and union, and compares them all.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Macros that are not values: `EPOLL_PACKED` expands to `__attribute__((packed))`.
const NOT_VALUES: &[&str] = &["EPOLL_PACKED"];

/// The C compiler: `$CC` (which may carry flags, e.g. `CC="cc -m32"` when testing an i686
/// build), else `cc`.
///
/// The compiler gets `-I` the uapi include directory ([`uapi_include`]: the repository's copy
/// of Linux 7.2's `<linux/eventpoll.h>` in `epoll-sys/uapi/`, or `EPOLL_SYS_INCLUDE`) and its
/// multiarch subdirectory first, so `<linux/eventpoll.h>` comes from it; the headers it includes
/// (`<linux/fcntl.h>`, `<linux/types.h>`) and `<sys/epoll.h>` come from the system.
fn cc() -> Command {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let mut words = cc.split_whitespace();
    let mut cmd = Command::new(words.next().unwrap_or("cc"));
    cmd.args(words);
    let include = uapi_include();
    let mut probe = cc_plain();
    let multiarch = run(probe.arg("-print-multiarch"));
    let arch_dir = include.join(multiarch.trim());
    cmd.arg("-I").arg(&include);
    if !multiarch.trim().is_empty() && arch_dir.is_dir() {
        cmd.arg("-I").arg(arch_dir);
    }
    cmd
}

/// `$CC` without the extra include directories.
fn cc_plain() -> Command {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let mut words = cc.split_whitespace();
    let mut cmd = Command::new(words.next().unwrap_or("cc"));
    cmd.args(words);
    cmd
}

/// The directory `<linux/eventpoll.h>` is taken from: `EPOLL_SYS_INCLUDE` when set (an
/// unpacked `usr/include` of another linux-libc-dev: the drift check, `UAPI_DRIFT=1 ./x test
/// 32`, points it at Debian sid's newest), else `epoll-sys/uapi`, the repository's unmodified
/// copy of the header the crate mirrors (offline; `epoll-sys/uapi/README.md`).
fn uapi_include() -> PathBuf {
    std::env::var_os("EPOLL_SYS_INCLUDE").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("uapi"),
        PathBuf::from,
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("epoll-sys-abi");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e} (install gcc: `./x setup`)"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Names of the object-like `EPOLL*`/`EPIOC*` macros `header` defines.
fn macros(header: &str) -> Vec<String> {
    let src = scratch(&format!("{}-macros.c", header.replace('/', "_")));
    std::fs::write(&src, format!("#include <{header}>\n")).unwrap();
    let out = run(cc().args(["-dM", "-E"]).arg(&src));
    let mut names: Vec<String> = out
        .lines()
        .filter_map(|l| l.strip_prefix("#define "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| n.starts_with("EPOLL") || n.starts_with("EPIOC"))
        .filter(|n| !n.contains('('))
        .filter(|n| !NOT_VALUES.contains(n))
        .map(str::to_owned)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Whether `header` (after preprocessing) declares `struct name`.
fn has_struct(header: &str, name: &str) -> bool {
    let src = scratch(&format!("{}-e.c", header.replace('/', "_")));
    std::fs::write(&src, format!("#include <{header}>\n")).unwrap();
    let out = run(cc().arg("-E").arg(&src));
    out.contains(&format!("struct {name} {{")) || out.contains(&format!("struct {name}\n{{"))
}

/// A C aggregate to measure: (C type, Rust type name, size, align, fields with Rust offsets).
struct Agg {
    c_type: &'static str,
    size: usize,
    align: usize,
    fields: Vec<(&'static str, usize)>,
}

fn sys_epoll_aggs() -> Vec<Agg> {
    use core::mem::{align_of, offset_of, size_of};
    use epoll_sys::{epoll_data, epoll_event};
    vec![
        Agg {
            c_type: "struct epoll_event",
            size: size_of::<epoll_event>(),
            align: align_of::<epoll_event>(),
            fields: vec![
                ("events", offset_of!(epoll_event, events)),
                ("data", offset_of!(epoll_event, data)),
            ],
        },
        Agg {
            c_type: "union epoll_data",
            size: size_of::<epoll_data>(),
            align: align_of::<epoll_data>(),
            fields: vec![
                ("ptr", offset_of!(epoll_data, ptr)),
                ("fd", offset_of!(epoll_data, fd)),
                ("u32", offset_of!(epoll_data, u32)),
                ("u64", offset_of!(epoll_data, u64)),
            ],
        },
        Agg {
            c_type: "epoll_data_t",
            size: size_of::<epoll_sys::epoll_data_t>(),
            align: align_of::<epoll_sys::epoll_data_t>(),
            fields: vec![],
        },
    ]
}

fn eventpoll_aggs(with_params: bool) -> Vec<Agg> {
    use core::mem::{align_of, offset_of, size_of};
    use epoll_sys::{epoll_event, epoll_params};
    // On i686 the uapi struct is not packed (alignment 4) while glibc's, which this crate
    // mirrors, is (alignment 1); size and offsets, all the kernel sees, are the same. There the C
    // alignment is compared with that of `u32`, the uapi's.
    let kernel_align = if cfg!(target_arch = "x86") {
        align_of::<u32>()
    } else {
        align_of::<epoll_event>()
    };
    let mut v = vec![Agg {
        c_type: "struct epoll_event",
        size: size_of::<epoll_event>(),
        align: kernel_align,
        fields: vec![
            ("events", offset_of!(epoll_event, events)),
            ("data", offset_of!(epoll_event, data)),
        ],
    }];
    if with_params {
        v.push(Agg {
            c_type: "struct epoll_params",
            size: size_of::<epoll_params>(),
            align: align_of::<epoll_params>(),
            fields: vec![
                ("busy_poll_usecs", offset_of!(epoll_params, busy_poll_usecs)),
                (
                    "busy_poll_budget",
                    offset_of!(epoll_params, busy_poll_budget),
                ),
                (
                    "prefer_busy_poll",
                    offset_of!(epoll_params, prefer_busy_poll),
                ),
                ("__pad", offset_of!(epoll_params, __pad)),
            ],
        });
    }
    v
}

/// Compiles and runs the probe for `header`; returns `key -> value` lines.
///
/// `<sys/ioctl.h>` comes first: Linux 6.9+'s `<linux/eventpoll.h>` defines `EPIOCSPARAMS` with
/// `_IOW` without including `<linux/ioctl.h>` itself.
fn probe(header: &str, names: &[String], aggs: &[Agg]) -> BTreeMap<String, u64> {
    let mut c = String::new();
    writeln!(
        c,
        "#include <stdio.h>\n#include <stddef.h>\n#include <sys/ioctl.h>\n#include <{header}>"
    )
    .unwrap();
    c.push_str("#define P(k, v) printf(\"%s %llu\\n\", k, (unsigned long long)(v))\n");
    c.push_str("int main(void) {\n");
    for n in names {
        writeln!(c, "  P(\"size {n}\", sizeof({n}));").unwrap();
        // The bit pattern in the constant's own width, so an `int` -1 is not widened.
        writeln!(
            c,
            "  P(\"value {n}\", sizeof({n}) == 8 ? (unsigned long long)({n}) : \
             sizeof({n}) == 4 ? (unsigned long long)(unsigned int)({n}) : \
             sizeof({n}) == 2 ? (unsigned long long)(unsigned short)({n}) : \
             (unsigned long long)(unsigned char)({n}));"
        )
        .unwrap();
    }
    for a in aggs {
        let t = a.c_type;
        writeln!(c, "  P(\"sizeof {t}\", sizeof({t}));").unwrap();
        writeln!(c, "  P(\"alignof {t}\", _Alignof({t}));").unwrap();
        for (f, _) in &a.fields {
            writeln!(c, "  P(\"offsetof {t}.{f}\", offsetof({t}, {f}));").unwrap();
        }
    }
    c.push_str("  return 0;\n}\n");
    let stem = header.replace('/', "_");
    let src = scratch(&format!("{stem}-probe.c"));
    let exe = scratch(&format!("{stem}-probe"));
    std::fs::write(&src, &c).unwrap();
    run(cc()
        .args(["-std=gnu11", "-Wall", "-Werror", "-o"])
        .arg(&exe)
        .arg(&src));
    run(&mut Command::new(&exe))
        .lines()
        .map(|l| {
            let (k, v) = l.rsplit_once(' ').unwrap();
            (k.to_owned(), v.parse().unwrap())
        })
        .collect()
}

fn check(header: &str, aggs: &[Agg]) -> usize {
    let names = macros(header);
    assert!(
        names.iter().any(|n| n == "EPOLLIN"),
        "macro extraction from <{header}> found no EPOLLIN: {names:?}"
    );
    let c = probe(header, &names, aggs);
    let rust: BTreeMap<&str, (usize, u64)> = super::rust_constants()
        .into_iter()
        .map(|(n, s, v)| (n, (s, v)))
        .collect();
    let mut errors = Vec::new();
    let mut checked = 0;
    for n in &names {
        let c_size = c[&format!("size {n}")] as usize;
        let c_value = c[&format!("value {n}")];
        match rust.get(n.as_str()) {
            None => errors.push(format!(
                "<{header}> defines {n} = {c_value:#x} ({c_size} bytes) but epoll-sys lacks it"
            )),
            Some(&(size, value)) => {
                // An ioctl request number from `_IOW`/`_IOR` has C type `unsigned long` (the
                // macro adds a `sizeof`); the kernel's `cmd` is an `unsigned int`, which the
                // crate keeps (`u32`), so only the value is compared for those.
                let ioctl = n.starts_with("EPIOC") && n != "EPOLL_IOC_TYPE";
                if size != c_size && !(ioctl && size == 4) {
                    errors.push(format!("{n}: C is {c_size} bytes, Rust {size}"));
                }
                if value != c_value {
                    errors.push(format!("{n}: C = {c_value:#x}, Rust = {value:#x}"));
                }
            }
        }
        checked += 1;
    }
    for a in aggs {
        let t = a.c_type;
        let mut cmp = |key: String, rust: usize| {
            let cv = c[&key] as usize;
            if cv != rust {
                errors.push(format!("{key}: C {cv}, Rust {rust}"));
            }
            checked += 1;
        };
        cmp(format!("sizeof {t}"), a.size);
        cmp(format!("alignof {t}"), a.align);
        for (f, off) in &a.fields {
            cmp(format!("offsetof {t}.{f}"), *off);
        }
    }
    assert!(
        errors.is_empty(),
        "<{header}> disagrees:\n{}",
        errors.join("\n")
    );
    println!(
        "<{header}>: {} macros ({names:?}) and {checked} checks agree",
        names.len()
    );
    checked
}

#[test]
fn sys_epoll_h_agrees() {
    check("sys/epoll.h", &sys_epoll_aggs());
}

#[test]
fn linux_eventpoll_h_agrees() {
    let include = uapi_include();
    let with_params = has_struct("linux/eventpoll.h", "epoll_params");
    assert!(
        with_params,
        "<linux/eventpoll.h> under {} has no struct epoll_params (Linux 6.9+): point \
         EPOLL_SYS_INCLUDE at a newer linux-libc-dev",
        include.display()
    );
    println!("<linux/eventpoll.h> from {}", include.display());
    check("linux/eventpoll.h", &eventpoll_aggs(with_params));
}
