//! The C compiler's view of the io_uring uapi headers against uring-sys.
//!
//! The check reads a header's text to learn its structs (with their anonymous unions and
//! structs, and members of unnamed struct type), enum constants and object-like macros, asks
//! `cc -dM -E` for the macros it defines, writes a C program that prints `sizeof`/`_Alignof` of
//! every struct, `offsetof`/`sizeof`/signedness of every field and the value of every macro and enum
//! constant, compiles and runs it with the machine's C compiler (`$CC`, default `cc`), and
//! compares every line with uring-sys's tables (`names.rs`). Anonymous members are looked up
//! under the crate's naming scheme, so the scheme itself is checked too.
//!
//! - `system_header` (here) checks `/usr/include/linux/io_uring.h` (Debian's is an older subset:
//!   every name it has must exist with the same value/size/offset, except the few the kernel
//!   renamed or reshaped since, listed in `RENAMED_FIELDS`/`RESHAPED_FIELDS`/`REMOVED_STRUCTS`/
//!   `GROWING`, each of which is still checked for what it is).
//! - The `uapi` test program (`tests/uapi.rs`, run by CI stage 32) checks the five headers of the
//!   kernel uapi the crate tracks, both ways, with [`Mode::Exact`] or [`Mode::Newer`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::names::{CONSTANTS, TYPES, TypeLayout};

/// Fields an older header spells differently: `(struct, old name, current name)`. The old
/// field must have exactly the current field's offset and size.
const RENAMED_FIELDS: &[(&str, &str, &str)] = &[
    ("io_sqring_offsets", "resv2", "user_addr"),
    ("io_cqring_offsets", "resv2", "user_addr"),
    ("io_uring_getevents_arg", "pad", "min_wait_usec"),
    ("io_uring_buf_reg", "pad", "flags"),
];

/// Reserved fields an older header has that the kernel since split into new fields:
/// `(struct, old field, current fields)`. The current fields must cover exactly the old field's
/// bytes (first starts where it started, last ends where it ended).
const RESHAPED_FIELDS: &[(&str, &str, &[&str])] = &[
    ("io_uring_buf_reg", "resv", &["min_left", "resv"]),
    (
        "io_uring_sync_cancel_reg",
        "pad",
        &["opcode", "pad", "pad2"],
    ),
    (
        "io_uring_clone_buffers",
        "pad",
        &["src_off", "dst_off", "nr", "pad"],
    ),
    // Linux 7.2 (liburing 27255f4 still has `__u64 __resv[3]`).
    ("io_uring_zcrx_ifq_reg", "__resv", &["event_desc", "__resv"]),
];

/// Structs of 6.0/6.1 headers for zero-copy send notification slots, a design the kernel
/// replaced before it shipped; the current header has neither, and neither has the crate.
const REMOVED_STRUCTS: &[&str] = &[
    "io_uring_notification_slot",
    "io_uring_notification_register",
];

/// Values that grow as the kernel adds items: "one past the last" enum values and the masks of
/// all valid bits. An older header's value may be smaller than the crate's, a newer one's larger.
const GROWING: &[&str] = &[
    "IORING_OP_LAST",
    "IORING_REGISTER_LAST",
    "IORING_RESTRICTION_LAST",
    "IORING_URING_CMD_MASK",
    "__ZCRX_CTRL_LAST",
    "__ZCRX_EVENT_TYPE_LAST",
    "__IO_URING_QUERY_MAX",
    "IORING_MOCK_FEAT_END",
];

/// `io_uring_napi` before Linux 6.13, a layout liburing's header copy still has (uring-sys
/// follows the kernel's header): padding since split into fields, `(struct, old field, current
/// fields)`, covering the same bytes. Applied in [`Mode::Older`].
const LIBURING_RESHAPED: &[(&str, &str, &[&str])] = &[
    ("io_uring_napi", "pad", &["opcode", "pad"]),
    ("io_uring_napi", "resv", &["op_param", "resv"]),
];

/// Fields whose integer type the crate declares with another signedness than a header, on
/// purpose: `(struct, field, why)`. Size, alignment and offset are still checked.
const SIGNEDNESS: &[(&str, &str, &str)] = &[(
    "io_uring_sqe",
    "rw_flags",
    "kept __kernel_rwf_t (int, the RWF_* type) where Linux 7.2's header says __u32",
)];

/// Struct alignments that differ for the same reason: `(struct, old alignment)` (the old
/// `__u64 resv` makes `io_uring_napi` 8-aligned; the current layout has only `__u32`s).
const LIBURING_ALIGN: &[(&str, usize)] = &[("io_uring_napi", 8)];

/// How a header relates to the one the crate tracks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// An older header (Debian's, liburing's copy): every name it has must match, except the
    /// documented renames/reshapes; names it lacks are fine.
    Older,
    /// The tracked header itself: exact, both ways (the crate-side direction is
    /// [`crate_side`], over all headers).
    #[allow(dead_code)] // constructed by tests/uapi.rs, which shares this module
    Exact,
    /// A newer header than the tracked one: every name both have must match in value, size and
    /// offset (growing values may be larger); names the header adds, or no longer has, are
    /// listed as drift instead of failing.
    Newer,
}

/// The result of checking one header.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// The header's path.
    pub(crate) path: PathBuf,
    /// Structs compared.
    pub(crate) structs: usize,
    /// Fields compared (named fields, anonymous members, members of unnamed type).
    pub(crate) fields: usize,
    /// Constants compared (macros + enum values).
    pub(crate) consts: usize,
    /// Of which macros.
    pub(crate) macros: usize,
    /// Of which enum values.
    pub(crate) enum_values: usize,
    /// Mismatches: the check fails.
    pub(crate) errors: Vec<String>,
    /// Known divergences of an older header.
    pub(crate) notes: Vec<String>,
    /// [`Mode::Newer`]: what the newer header changed that the crate does not have yet.
    pub(crate) drift: Vec<String>,
    /// Names of the header's structs.
    #[allow(dead_code)] // read by tests/uapi.rs (`crate_side`)
    pub(crate) struct_names: BTreeSet<String>,
    /// Rust type names the naming scheme gives the header's anonymous/unnamed-type members.
    pub(crate) nested_types: BTreeSet<String>,
    /// Names of the header's constants.
    #[allow(dead_code)] // read by tests/uapi.rs (`crate_side`)
    pub(crate) const_names: BTreeSet<String>,
}

impl Report {
    /// Prints the counts and every note and drift line.
    pub(crate) fn print(&self, mode: Mode) {
        println!(
            "{}: {} structs, {} fields, {} constants ({} macros, {} enum values) compared; {mode:?} mode",
            self.path.display(),
            self.structs,
            self.fields,
            self.consts,
            self.macros,
            self.enum_values,
        );
        for n in &self.notes {
            println!("  known divergence: {n}");
        }
        for d in &self.drift {
            println!("  DRIFT (newer header; uring-sys lacks it): {d}");
        }
    }
}

#[test]
fn system_header() {
    let path = Path::new("/usr/include/linux/io_uring.h");
    let include = format!("\"{}\"", path.display());
    let r = check_header(path, &include, &[], Mode::Older, &BTreeSet::new());
    r.print(Mode::Older);
    assert!(
        r.errors.is_empty(),
        "{} mismatches against {}:\n{}",
        r.errors.len(),
        path.display(),
        r.errors.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Reading the header
// ---------------------------------------------------------------------------------------------

/// A member of a C struct or union.
#[derive(Debug)]
enum Member {
    /// A named field; `flex` for `x[]` (no `sizeof`).
    Field { name: String, flex: bool },
    /// A union or struct of unnamed type: anonymous (`name` is `None`, C flattens its members)
    /// or a named member (`struct { ... } socket;`).
    Anon {
        is_union: bool,
        name: Option<String>,
        members: Vec<Member>,
    },
}

/// What the header defines.
#[derive(Debug, Default)]
pub(crate) struct Header {
    /// `struct NAME { ... }` definitions.
    structs: Vec<(String, Vec<Member>)>,
    /// Names of enum constants.
    pub(crate) enum_consts: Vec<String>,
    /// Names of object-like macros with a value.
    pub(crate) macros: Vec<String>,
}

/// Removes comments, joins continued lines.
fn strip_comments(text: &str) -> String {
    let text = text.replace("\\\n", " ");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("/*") {
            let end = after.find("*/").expect("unterminated comment in header");
            out.push(' ');
            rest = &after[end + 2..];
        } else if let Some(after) = rest.strip_prefix("//") {
            rest = after.find('\n').map_or("", |i| &after[i..]);
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

fn tokenize(code: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect());
        } else if c == '"' {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += 1;
            }
            i += 1;
            tokens.push(chars[start..i.min(chars.len())].iter().collect());
        } else {
            tokens.push(c.to_string());
            i += 1;
        }
    }
    tokens
}

fn is_ident(t: &str) -> bool {
    t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
}

/// Parses members after a `{` up to and including the matching `}`.
fn parse_members(t: &[String], pos: &mut usize) -> Vec<Member> {
    let mut members = Vec::new();
    loop {
        let tok = t[*pos].as_str();
        if tok == "}" {
            *pos += 1;
            return members;
        }
        if (tok == "union" || tok == "struct") && t[*pos + 1] == "{" {
            let is_union = tok == "union";
            *pos += 2;
            let inner = parse_members(t, pos);
            // Attributes (`__attribute__((packed))`) and the member's name, if any, up to `;`.
            let mut name = None;
            while t[*pos] != ";" {
                let tok = t[*pos].as_str();
                if is_ident(tok) && tok != "__attribute__" && tok != "packed" {
                    assert!(name.is_none(), "two names for one member near {tok}");
                    name = Some(tok.to_string());
                }
                *pos += 1;
            }
            *pos += 1;
            members.push(Member::Anon {
                is_union,
                name,
                members: inner,
            });
            continue;
        }
        // One declaration, up to `;`.
        let start = *pos;
        while t[*pos] != ";" {
            *pos += 1;
        }
        let decl = &t[start..*pos];
        *pos += 1;
        if decl[0] == "__DECLARE_FLEX_ARRAY" {
            // __DECLARE_FLEX_ARRAY(type, name): a flexible array member.
            let name = decl[decl.len() - 2].clone();
            members.push(Member::Field { name, flex: true });
            continue;
        }
        let bracket = decl.iter().position(|x| x == "[");
        let before = &decl[..bracket.unwrap_or(decl.len())];
        let name = before
            .iter()
            .rev()
            .find(|x| is_ident(x))
            .expect("field without a name")
            .clone();
        let flex = bracket.is_some_and(|b| decl[b + 1] == "]");
        members.push(Member::Field { name, flex });
    }
}

pub(crate) fn parse_header(text: &str) -> Header {
    let code = strip_comments(text);
    let mut header = Header::default();
    let mut body = String::new();
    for line in code.lines() {
        let trimmed = line.trim_start();
        if let Some(directive) = trimmed.strip_prefix('#') {
            let mut words = directive.trim_start().splitn(2, char::is_whitespace);
            if words.next() == Some("define") {
                let rest = words.next().unwrap_or("").trim_start();
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let after = &rest[name.len()..];
                // Object-like macros with a value (not the include guard, not function-like).
                if !after.starts_with('(') && !after.trim().is_empty() {
                    header.macros.push(name);
                }
            }
        } else {
            body.push_str(line);
            body.push('\n');
        }
    }
    let t = tokenize(&body);
    let mut i = 0;
    while i + 2 < t.len() {
        if t[i] == "struct" && is_ident(&t[i + 1]) && t[i + 2] == "{" {
            let name = t[i + 1].clone();
            let mut pos = i + 3;
            let members = parse_members(&t, &mut pos);
            header.structs.push((name, members));
            i = pos;
        } else if t[i] == "enum" && (t[i + 1] == "{" || (is_ident(&t[i + 1]) && t[i + 2] == "{")) {
            let mut pos = if t[i + 1] == "{" { i + 2 } else { i + 3 };
            let mut depth = 0;
            let mut expect_name = true;
            while !(t[pos] == "}" && depth == 0) {
                match t[pos].as_str() {
                    "(" => depth += 1,
                    ")" => depth -= 1,
                    "," if depth == 0 => expect_name = true,
                    tok if expect_name => {
                        header.enum_consts.push(tok.to_string());
                        expect_name = false;
                    }
                    _ => {}
                }
                pos += 1;
            }
            i = pos;
        } else {
            i += 1;
        }
    }
    header
}

/// The Rust field name of an anonymous member under the crate's naming scheme: its first
/// member's name (recursively, for an anonymous first member) plus `_union`/`_struct`.
fn anon_field_name(is_union: bool, members: &[Member]) -> String {
    let first = match members.first().expect("empty anonymous member") {
        Member::Field { name, .. }
        | Member::Anon {
            name: Some(name), ..
        } => name.clone(),
        Member::Anon {
            is_union,
            name: None,
            members,
        } => anon_field_name(*is_union, members),
    };
    format!("{first}{}", if is_union { "_union" } else { "_struct" })
}

/// A field as C and Rust name it.
#[derive(Debug)]
struct Leaf {
    /// The C access path (`connect.port`; anonymous members flattened). For an anonymous
    /// member: its first named leaf, whose offset it shares.
    c: String,
    /// The Rust path in the outer struct (`off_union.addr2`).
    rust: String,
    /// No `sizeof` in C (`x[]`, or an anonymous member C cannot name).
    no_size: bool,
    /// C can name it (`offsetof` works): fields and named members of unnamed type.
    c_named: bool,
    /// The Rust type the naming scheme gives an anonymous member or a member of unnamed type.
    anon_type: Option<String>,
}

fn first_leaf(members: &[Member], c_prefix: &str) -> String {
    match &members[0] {
        Member::Field { name, .. }
        | Member::Anon {
            name: Some(name), ..
        } => format!("{c_prefix}{name}"),
        Member::Anon {
            name: None,
            members,
            ..
        } => first_leaf(members, c_prefix),
    }
}

fn leaves(members: &[Member], prefix: &str, c_prefix: &str, type_name: &str, out: &mut Vec<Leaf>) {
    for m in members {
        match m {
            Member::Field { name, flex } => out.push(Leaf {
                c: format!("{c_prefix}{name}"),
                rust: format!("{prefix}{name}"),
                no_size: *flex,
                c_named: true,
                anon_type: None,
            }),
            Member::Anon {
                is_union,
                name: None,
                members,
            } => {
                let field = anon_field_name(*is_union, members);
                let ty = format!("{type_name}_{field}");
                out.push(Leaf {
                    c: first_leaf(members, c_prefix),
                    rust: format!("{prefix}{field}"),
                    no_size: true,
                    c_named: false,
                    anon_type: Some(ty.clone()),
                });
                leaves(members, &format!("{prefix}{field}."), c_prefix, &ty, out);
            }
            Member::Anon {
                name: Some(name),
                members,
                ..
            } => {
                let ty = format!("{type_name}_{name}");
                out.push(Leaf {
                    c: format!("{c_prefix}{name}"),
                    rust: format!("{prefix}{name}"),
                    no_size: false,
                    c_named: true,
                    anon_type: Some(ty.clone()),
                });
                leaves(
                    members,
                    &format!("{prefix}{name}."),
                    &format!("{c_prefix}{name}."),
                    &ty,
                    out,
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Asking the C compiler
// ---------------------------------------------------------------------------------------------

/// The C compiler: `$CC` split on whitespace like make does (`CC="gcc -m32"` for the i686
/// target), default `cc`, with `-I` for each of `includes`, searched before the system's.
pub(crate) fn cc(includes: &[PathBuf]) -> Command {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let mut words = cc.split_whitespace();
    let mut cmd = Command::new(words.next().expect("CC is empty"));
    cmd.args(words);
    for dir in includes {
        cmd.arg("-I").arg(dir);
    }
    cmd
}

fn work_dir() -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("uring-sys-c-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e} (is a C compiler installed? set CC)"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Names of the macros `cc -dM -E` reports after including the header.
fn preprocessor_macros(dir: &Path, include: &str, includes: &[PathBuf]) -> BTreeSet<String> {
    let src = dir.join("macros.c");
    std::fs::write(&src, format!("#include {include}\n")).unwrap();
    run(cc(includes).arg("-dM").arg("-E").arg(&src))
        .lines()
        .filter_map(|l| l.strip_prefix("#define "))
        .map(|l| l.split([' ', '(']).next().unwrap().to_string())
        .collect()
}

/// Is this a macro name of io_uring's namespaces?
fn io_uring_macro(name: &str) -> bool {
    ["IORING_", "IOSQE_", "IO_URING_", "IOU_", "ZCRX_"]
        .iter()
        .any(|p| name.starts_with(p))
        || name == "SPLICE_F_FD_IN_FIXED"
}

/// What the C compiler says.
#[derive(Default)]
struct CView {
    /// struct -> (size, align)
    types: BTreeMap<String, (usize, usize)>,
    /// (struct, C field path) -> (offset, size or None, signedness: 1/0 integer, 2 other)
    fields: BTreeMap<(String, String), (usize, Option<usize>, u8)>,
    /// constant -> value
    consts: BTreeMap<String, i128>,
}

fn ask_c(
    dir: &Path,
    include: &str,
    includes: &[PathBuf],
    header: &Header,
    consts: &BTreeSet<String>,
) -> CView {
    let mut c = String::new();
    writeln!(
        c,
        "#include <stdio.h>\n#include <stddef.h>\n#include {include}"
    )
    .unwrap();
    c.push_str(
        "#define T(S) printf(\"T %s %zu %zu\\n\", #S, sizeof(struct S), _Alignof(struct S));\n\
         #define SIGNED(x) _Generic((x), signed char: 1, short: 1, int: 1, long: 1, long long: 1, \
             unsigned char: 0, unsigned short: 0, unsigned int: 0, unsigned long: 0, \
             unsigned long long: 0, default: 2)\n\
         #define F(S, f) printf(\"F %s %s %zu %zu %d\\n\", #S, #f, offsetof(struct S, f), sizeof(((struct S *)0)->f), SIGNED(((struct S *)0)->f));\n\
         #define FX(S, f) printf(\"F %s %s %zu - 2\\n\", #S, #f, offsetof(struct S, f));\n\
         #define C(n) printf(\"C %s %d %llu %lld\\n\", #n, (n) < 0, (unsigned long long)(n), (long long)(n));\n\
         int main(void) {\n",
    );
    for (name, members) in &header.structs {
        writeln!(c, "T({name})").unwrap();
        let mut ls = Vec::new();
        leaves(members, "", "", name, &mut ls);
        for l in ls.iter().filter(|l| l.c_named) {
            writeln!(c, "{}({name}, {})", if l.no_size { "FX" } else { "F" }, l.c).unwrap();
        }
    }
    for name in consts {
        writeln!(c, "C({name})").unwrap();
    }
    c.push_str("return 0;\n}\n");
    let src = dir.join("layout.c");
    let exe = dir.join("layout");
    std::fs::write(&src, c).unwrap();
    run(cc(includes).arg("-std=gnu11").arg("-o").arg(&exe).arg(&src));
    let mut view = CView::default();
    for line in run(&mut Command::new(&exe)).lines() {
        let w: Vec<&str> = line.split(' ').collect();
        match w[0] {
            "T" => {
                view.types
                    .insert(w[1].into(), (w[2].parse().unwrap(), w[3].parse().unwrap()));
            }
            "F" => {
                let size = if w[4] == "-" {
                    None
                } else {
                    Some(w[4].parse().unwrap())
                };
                view.fields.insert(
                    (w[1].into(), w[2].into()),
                    (w[3].parse().unwrap(), size, w[5].parse().unwrap()),
                );
            }
            "C" => {
                let value: i128 = if w[2] == "1" {
                    w[4].parse().unwrap()
                } else {
                    w[3].parse().unwrap()
                };
                view.consts.insert(w[1].into(), value);
            }
            _ => panic!("unexpected line from the C program: {line}"),
        }
    }
    view
}

// ---------------------------------------------------------------------------------------------
// Comparing
// ---------------------------------------------------------------------------------------------

fn rust_type(name: &str) -> Option<&'static TypeLayout> {
    TYPES.iter().find(|t| t.0 == name)
}

/// `(offset, size)` of a field path; `r#type` is looked up as `type`.
fn rust_field(ty: &TypeLayout, path: &str) -> Option<(usize, usize)> {
    rust_field_sign(ty, path).map(|f| (f.0, f.1))
}

/// `(offset, size, signedness)` of a field path.
fn rust_field_sign(ty: &TypeLayout, path: &str) -> Option<(usize, usize, u8)> {
    ty.3.iter()
        .find(|f| f.0.replace("r#", "") == path)
        .map(|f| (f.1, f.2, f.3))
}

/// Checks one header (`path`, included as `include` with `includes` searched first) against
/// the crate, header -> crate. `elsewhere`: macros defined in the text of other headers checked
/// in the same run, which this one only sees through `#include` (compared there, not here).
pub(crate) fn check_header(
    path: &Path,
    include: &str,
    includes: &[PathBuf],
    mode: Mode,
    elsewhere: &BTreeSet<String>,
) -> Report {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e} (Debian: apt-get install linux-libc-dev)",
            path.display()
        )
    });
    let header = parse_header(&text);
    let dir = work_dir();

    // Every object-like macro the header defines, plus every io_uring-namespace macro the
    // preprocessor sees that no other checked header defines; all must be known to `cc -dM`.
    let dm = preprocessor_macros(&dir, include, includes);
    let mut const_names: BTreeSet<String> = header.macros.iter().cloned().collect();
    let mut errors = Vec::new();
    for m in &header.macros {
        if !dm.contains(m) {
            errors.push(format!(
                "{m} is #defined in the header text but not by `cc -dM -E`"
            ));
        }
    }
    const_names.extend(
        dm.iter()
            .filter(|m| io_uring_macro(m) && !elsewhere.contains(*m))
            .cloned(),
    );
    let n_macros = const_names.len();
    const_names.extend(header.enum_consts.iter().cloned());

    let c = ask_c(&dir, include, includes, &header, &const_names);
    let ours: BTreeMap<&str, i128> = CONSTANTS.iter().copied().collect();

    let mut r = Report {
        path: path.to_path_buf(),
        structs: header.structs.len(),
        consts: c.consts.len(),
        macros: n_macros,
        enum_values: header.enum_consts.len(),
        const_names: c.consts.keys().cloned().collect(),
        struct_names: header.structs.iter().map(|s| s.0.clone()).collect(),
        ..Report::default()
    };
    let (notes, drift) = (&mut r.notes, &mut r.drift);

    // Constants.
    for (name, &value) in &c.consts {
        let growing = GROWING.contains(&name.as_str());
        match ours.get(name.as_str()) {
            None if mode == Mode::Newer => drift.push(format!("constant {name} = {value}")),
            None => errors.push(format!(
                "constant {name} (= {value}) is missing from uring-sys"
            )),
            Some(&v) if v == value => {}
            Some(&v) if growing && mode == Mode::Older && value < v => {
                notes.push(format!("{name}: header {value} < ours {v} (older header)"));
            }
            Some(&v) if growing && mode == Mode::Newer && value > v => {
                drift.push(format!("{name}: header {value} > ours {v} (grew)"));
            }
            Some(&v) => errors.push(format!("constant {name}: C says {value}, uring-sys {v}")),
        }
    }

    // Structs and fields.
    for (name, members) in &header.structs {
        let Some(ty) = rust_type(name) else {
            if mode == Mode::Older && REMOVED_STRUCTS.contains(&name.as_str()) {
                notes.push(format!(
                    "struct {name}: removed from the uapi since this header"
                ));
            } else if mode == Mode::Newer {
                drift.push(format!("struct {name}"));
            } else {
                errors.push(format!("struct {name} is missing from uring-sys"));
            }
            continue;
        };
        let (size, align) = c.types[name];
        if mode == Mode::Older && ty.1 == size && LIBURING_ALIGN.contains(&(name.as_str(), align)) {
            notes.push(format!(
                "struct {name}: align {align} before Linux 6.13 and in liburing's copy, {} now",
                ty.2
            ));
        } else if (ty.1, ty.2) != (size, align) {
            errors.push(format!(
                "struct {name}: C size/align {size}/{align}, uring-sys {}/{}",
                ty.1, ty.2
            ));
        }
        let mut ls = Vec::new();
        leaves(members, "", "", name, &mut ls);
        let mut seen_rust = BTreeSet::new();
        for l in &ls {
            r.fields += 1;
            seen_rust.insert(l.rust.clone());
            let (c_off, c_size, c_sign) = c.fields[&(name.clone(), l.c.clone())];
            if let Some(anon_ty) = &l.anon_type {
                r.nested_types.insert(anon_ty.clone());
                let size_ok = |rsize: usize| !l.c_named || c_size == Some(rsize);
                match (rust_field(ty, &l.rust), rust_type(anon_ty)) {
                    (Some((off, rsize)), Some(t))
                        if off == c_off && size_ok(rsize) && size_ok(t.1) => {}
                    (Some((off, rsize)), Some(_)) => errors.push(format!(
                        "{name}.{}: member of unnamed type at C offset/size {c_off}/{c_size:?}, uring-sys {off}/{rsize}",
                        l.rust
                    )),
                    (None, None) if mode == Mode::Newer => drift.push(format!(
                        "{name}: member `{}` (first field {}) of type `{anon_ty}`",
                        l.rust, l.c
                    )),
                    (f, t) => errors.push(format!(
                        "{name}: member {} should be field `{}` of type `{anon_ty}` under the naming scheme; field {}, type {}",
                        l.c,
                        l.rust,
                        if f.is_some() { "exists" } else { "missing" },
                        if t.is_some() { "exists" } else { "missing" },
                    )),
                }
                continue;
            }
            let Some((off, rsize)) = rust_field(ty, &l.rust) else {
                if let Some(&(_, _, new)) = RENAMED_FIELDS
                    .iter()
                    .find(|x| mode == Mode::Older && x.0 == name && x.1 == l.c)
                {
                    match rust_field(ty, new) {
                        Some((o, s)) if o == c_off && Some(s) == c_size => {
                            notes.push(format!("{name}.{}: renamed {new} since this header", l.c));
                        }
                        other => errors.push(format!(
                            "{name}.{} (renamed {new}): C {c_off}/{c_size:?}, uring-sys {other:?}",
                            l.c
                        )),
                    }
                } else if mode == Mode::Newer {
                    drift.push(format!("field {name}.{} (Rust path `{}`)", l.c, l.rust));
                } else {
                    errors.push(format!(
                        "field {name}.{} (Rust path `{}`) is missing from uring-sys",
                        l.c, l.rust
                    ));
                }
                continue;
            };
            let size_ok = match c_size {
                Some(s) => s == rsize,
                None => rsize == 0, // C flexible array `x[]` mirrored as `[T; 0]`
            };
            if off == c_off && size_ok {
                let r_sign = rust_field_sign(ty, &l.rust).map_or(2, |f| f.2);
                if c_sign != r_sign {
                    let word = |s: u8| ["unsigned", "signed", "not an integer"][s as usize];
                    if let Some((.., why)) = SIGNEDNESS.iter().find(|x| x.0 == name && x.1 == l.c) {
                        notes.push(format!(
                            "{name}.{}: {} in C, {} here: {why}",
                            l.c,
                            word(c_sign),
                            word(r_sign)
                        ));
                    } else {
                        errors.push(format!(
                            "field {name}.{} (`{}`): {} in C, {} in uring-sys",
                            l.c,
                            l.rust,
                            word(c_sign),
                            word(r_sign)
                        ));
                    }
                }
                continue;
            }
            let reshaped = RESHAPED_FIELDS
                .iter()
                .map(|x| (x, "since this header"))
                .chain(LIBURING_RESHAPED.iter().map(|x| {
                    (
                        x,
                        "in Linux 6.13 (liburing's copy still has the old layout)",
                    )
                }))
                .filter(|_| mode == Mode::Older)
                .find(|(x, _)| x.0 == name && x.1 == l.c);
            if let Some((&(_, _, new), why)) = reshaped {
                let first = rust_field(ty, new[0]);
                let last = rust_field(ty, new[new.len() - 1]);
                let end = c_off + c_size.unwrap_or(0);
                if first.map(|f| f.0) == Some(c_off) && last.map(|l| l.0 + l.1) == Some(end) {
                    notes.push(format!("{name}.{}: reshaped into {new:?} {why}", l.c));
                    continue;
                }
            }
            errors.push(format!(
                "field {name}.{} (`{}`): C offset/size {c_off}/{c_size:?}, uring-sys {off}/{rsize}",
                l.c, l.rust
            ));
        }
        // Both ways for the tracked (or a newer) header: no field the header lacks.
        if mode != Mode::Older {
            for f in ty.3 {
                let path = f.0.replace("r#", "");
                if !seen_rust.contains(&path) {
                    let msg = format!("uring-sys field {name}.{path} is not in the header");
                    if mode == Mode::Newer {
                        drift.push(msg);
                    } else {
                        errors.push(msg);
                    }
                }
            }
        }
    }
    r.errors = errors;
    let _ = std::fs::remove_dir_all(&dir);
    r
}

/// The crate -> headers direction over all headers of one kernel uapi: every uring-sys type is a
/// header struct or the type of one of their anonymous/unnamed-type members, and every constant
/// is in some header. `not_uapi`: crate items that are not in these headers on purpose.
#[allow(dead_code)] // used by tests/uapi.rs, which shares this module
pub(crate) fn crate_side(reports: &[Report], not_uapi: &[&str]) -> Vec<String> {
    let mut missing = Vec::new();
    let known = |f: fn(&Report) -> &BTreeSet<String>, name: &str| {
        reports.iter().any(|r| f(r).contains(name)) || not_uapi.contains(&name)
    };
    for (name, ..) in TYPES {
        if !known(|r| &r.struct_names, name) && !known(|r| &r.nested_types, name) {
            missing.push(format!("uring-sys type {name} is in none of the headers"));
        }
    }
    for (name, _) in CONSTANTS {
        if !known(|r| &r.const_names, name) {
            missing.push(format!(
                "uring-sys constant {name} is in none of the headers"
            ));
        }
    }
    missing
}
