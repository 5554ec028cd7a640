//! What the probe finds out, without printing anything: the process's rights, which setup
//! flags and registration opcodes this kernel accepts, and the limits that bite in production.

use std::alloc::{Layout, alloc_zeroed, dealloc};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::ptr;
use std::time::{Duration, Instant};

use uring::register::{IowqMaxWorkers, Napi, Restriction};
use uring::{Cqe, Cqe32, CqeMixed, Ring, Sqe, Sqe128, opcode, types};
use uring_sys as sys;

/// A failed attempt: the errno (when there was one), its name, and why, in a few words.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub(crate) errno: Option<i32>,
    pub(crate) reason: String,
    /// The error as the crate words it (cause and remedy).
    pub(crate) message: String,
}

impl Failure {
    fn new(e: &io::Error, reason: impl Into<String>) -> Failure {
        Failure {
            errno: uring::error::errno(e),
            reason: reason.into(),
            message: e.to_string(),
        }
    }

    pub(crate) fn errno_name(&self) -> Option<&'static str> {
        self.errno.map(errno_name)
    }
}

/// The symbolic name of the errnos the probe can meet.
pub(crate) fn errno_name(errno: i32) -> &'static str {
    match errno {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::EINTR => "EINTR",
        libc::EBADF => "EBADF",
        libc::EAGAIN => "EAGAIN",
        libc::ENOMEM => "ENOMEM",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EBUSY => "EBUSY",
        libc::EEXIST => "EEXIST",
        libc::ENODEV => "ENODEV",
        libc::EINVAL => "EINVAL",
        libc::ENFILE => "ENFILE",
        libc::EMFILE => "EMFILE",
        libc::ENOSPC => "ENOSPC",
        libc::ENOSYS => "ENOSYS",
        libc::EOPNOTSUPP => "EOPNOTSUPP",
        libc::ENXIO => "ENXIO",
        libc::EBADFD => "EBADFD",
        libc::EOVERFLOW => "EOVERFLOW",
        _ => "E?",
    }
}

// ---------------------------------------------------------------------------------------------
// The process and the system.

/// Who this process is, as far as io_uring cares.
#[derive(Debug, Clone, Default)]
pub(crate) struct Process {
    pub(crate) uid: u32,
    pub(crate) euid: u32,
    /// The real, effective and supplementary groups.
    pub(crate) groups: Vec<u32>,
    /// `CAP_SYS_ADMIN` in the effective set: SQPOLL before 5.11, `io_uring_disabled=1`.
    pub(crate) cap_sys_admin: bool,
    /// `CAP_IPC_LOCK`: fixed buffers are not counted against `RLIMIT_MEMLOCK`.
    pub(crate) cap_ipc_lock: bool,
    /// `CAP_NET_ADMIN`.
    pub(crate) cap_net_admin: bool,
    /// The first CPU this thread may run on (for `SQ_AFF`).
    pub(crate) first_cpu: u32,
}

/// `/proc/sys/kernel/*` values that gate io_uring.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sysctl {
    /// `kernel.io_uring_disabled` (Linux 6.6+): 0 all, 1 only `CAP_SYS_ADMIN` or the group, 2 none.
    pub(crate) io_uring_disabled: Option<u32>,
    /// `kernel.io_uring_group` (Linux 6.6+): the group that may create rings when
    /// `io_uring_disabled` is 1; -1 for none.
    pub(crate) io_uring_group: Option<i64>,
}

pub(crate) fn process() -> Process {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
            .unwrap_or("")
            .to_owned()
    };
    let cap_eff = u64::from_str_radix(&field("CapEff:"), 16).unwrap_or(0);
    let mut groups: Vec<u32> = field("Groups:")
        .split_whitespace()
        .filter_map(|g| g.parse().ok())
        .collect();
    groups.push(rustix::process::getgid().as_raw());
    groups.push(rustix::process::getegid().as_raw());
    groups.sort_unstable();
    groups.dedup();
    let first_cpu = field("Cpus_allowed_list:")
        .split([',', '-'])
        .next()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Process {
        uid: rustix::process::getuid().as_raw(),
        euid: rustix::process::geteuid().as_raw(),
        groups,
        // Bit numbers from <linux/capability.h>.
        cap_sys_admin: cap_eff & (1 << 21) != 0,
        cap_ipc_lock: cap_eff & (1 << 14) != 0,
        cap_net_admin: cap_eff & (1 << 12) != 0,
        first_cpu,
    }
}

pub(crate) fn sysctl() -> Sysctl {
    let read = |name: &str| {
        fs::read_to_string(format!("/proc/sys/kernel/{name}"))
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
    };
    Sysctl {
        io_uring_disabled: read("io_uring_disabled").and_then(|v| u32::try_from(v).ok()),
        io_uring_group: read("io_uring_group"),
    }
}

// ---------------------------------------------------------------------------------------------
// Setup flags.

/// One `IORING_SETUP_*` flag and whether this kernel and this process accept it.
#[derive(Debug, Clone)]
pub(crate) struct SetupProbe {
    /// The name without `IORING_SETUP_`.
    pub(crate) name: &'static str,
    pub(crate) bit: u32,
    /// The Linux release that added it (`None`: newer than the kernels this crate is tested
    /// on, and not pinned down here).
    pub(crate) since: Option<&'static str>,
    /// What was asked for, e.g. `SINGLE_ISSUER | DEFER_TASKRUN`.
    pub(crate) tried: &'static str,
    /// `Ok(note)` when accepted (the note says more, e.g. for IOPOLL), `Err` when refused.
    pub(crate) result: Result<Option<String>, Failure>,
    /// `false` for the flags this crate's builder refuses (the kernel is not asked).
    pub(crate) crate_supports: bool,
    /// IOPOLL only: whether a polled `O_DIRECT` read of a file in the tested directory
    /// completed (`None`: not tested, or the test could not run).
    pub(crate) works_on_file: Option<bool>,
}

/// Every setup flag: one `io_uring_setup(2)` per flag (with the flags it needs), on an
/// 8-entry ring that is closed at once. `iopoll_dir` is where the IOPOLL read test makes its
/// file.
pub(crate) fn setup_flags(process: &Process, iopoll_dir: &Path) -> Vec<SetupProbe> {
    let base = Ring::new(8).ok();
    let mut out = Vec::new();
    let mut iopoll_works = None;
    let mut push = |name, bit, since, tried, result: io::Result<Option<String>>| {
        out.push(SetupProbe {
            name,
            bit,
            since: Some(since),
            tried,
            result: result.map_err(|e| {
                let reason = setup_reason(name, &e, process);
                Failure::new(&e, reason)
            }),
            crate_supports: true,
            works_on_file: None,
        });
    };
    let b = Ring::<Sqe, Cqe>::builder;
    let ok = |r: io::Result<Ring>| r.map(|_| None);
    push(
        "IOPOLL",
        sys::IORING_SETUP_IOPOLL,
        "5.1",
        "IOPOLL",
        b().iopoll(false).build(8).map(|ring| {
            let (text, works) = iopoll_read(ring, iopoll_dir);
            iopoll_works = works;
            Some(text)
        }),
    );
    push(
        "SQPOLL",
        sys::IORING_SETUP_SQPOLL,
        "5.1",
        "SQPOLL (idle 10 ms)",
        ok(b().sqpoll(10).build(8)),
    );
    push(
        "SQ_AFF",
        sys::IORING_SETUP_SQ_AFF,
        "5.1",
        "SQPOLL | SQ_AFF (first allowed CPU)",
        ok(b().sqpoll(10).sq_thread_cpu(process.first_cpu).build(8)),
    );
    push(
        "CQSIZE",
        sys::IORING_SETUP_CQSIZE,
        "5.5",
        "CQSIZE (64)",
        ok(b().cq_entries(64).build(8)),
    );
    push(
        "CLAMP",
        sys::IORING_SETUP_CLAMP,
        "5.6",
        "CLAMP (1 << 20 entries)",
        b().clamp()
            .build(1 << 20)
            .map(|r| Some(format!("clamped to {} SQ entries", r.sq_entries()))),
    );
    let attach = match &base {
        Some(base) => ok(b().attach_wq(base).build(8)),
        None => Err(io::Error::from_raw_os_error(libc::ENOSYS)),
    };
    push(
        "ATTACH_WQ",
        sys::IORING_SETUP_ATTACH_WQ,
        "5.6",
        "ATTACH_WQ (to another ring)",
        attach,
    );
    push(
        "R_DISABLED",
        sys::IORING_SETUP_R_DISABLED,
        "5.10",
        "R_DISABLED",
        ok(b().disabled().build(8)),
    );
    push(
        "SUBMIT_ALL",
        sys::IORING_SETUP_SUBMIT_ALL,
        "5.18",
        "SUBMIT_ALL",
        ok(b().submit_all().build(8)),
    );
    push(
        "COOP_TASKRUN",
        sys::IORING_SETUP_COOP_TASKRUN,
        "5.19",
        "COOP_TASKRUN",
        ok(b().coop_taskrun(false).build(8)),
    );
    push(
        "TASKRUN_FLAG",
        sys::IORING_SETUP_TASKRUN_FLAG,
        "5.19",
        "COOP_TASKRUN | TASKRUN_FLAG",
        ok(b().coop_taskrun(true).build(8)),
    );
    push(
        "SQE128",
        sys::IORING_SETUP_SQE128,
        "5.19",
        "SQE128 (Ring<Sqe128, Cqe>)",
        Ring::<Sqe128, Cqe>::builder().build(8).map(|_| None),
    );
    push(
        "CQE32",
        sys::IORING_SETUP_CQE32,
        "5.19",
        "CQE32 (Ring<Sqe, Cqe32>)",
        Ring::<Sqe, Cqe32>::builder().build(8).map(|_| None),
    );
    push(
        "SINGLE_ISSUER",
        sys::IORING_SETUP_SINGLE_ISSUER,
        "6.0",
        "SINGLE_ISSUER",
        ok(b().single_issuer().build(8)),
    );
    push(
        "DEFER_TASKRUN",
        sys::IORING_SETUP_DEFER_TASKRUN,
        "6.1",
        "SINGLE_ISSUER | DEFER_TASKRUN",
        ok(b().defer_taskrun().build(8)),
    );
    push(
        "NO_MMAP",
        sys::IORING_SETUP_NO_MMAP,
        "6.5",
        "NO_MMAP (ring memory from this process)",
        ok(b().no_mmap().build(8)),
    );
    push(
        "NO_SQARRAY",
        sys::IORING_SETUP_NO_SQARRAY,
        "6.6",
        "NO_SQARRAY",
        ok(b().no_sqarray().build(8)),
    );
    push(
        "HYBRID_IOPOLL",
        sys::IORING_SETUP_HYBRID_IOPOLL,
        "6.13",
        "IOPOLL | HYBRID_IOPOLL",
        ok(b().iopoll(true).build(8)),
    );
    push(
        "CQE_MIXED",
        sys::IORING_SETUP_CQE_MIXED,
        "6.18",
        "CQE_MIXED (Ring<Sqe, CqeMixed>)",
        Ring::<Sqe, CqeMixed>::builder().build(8).map(|_| None),
    );
    for (name, bit, since, why) in [
        (
            "REGISTERED_FD_ONLY",
            sys::IORING_SETUP_REGISTERED_FD_ONLY,
            "6.5",
            "a ring without an fd could be neither AsFd nor Send; use registered_ring_fd()",
        ),
        (
            "SQE_MIXED",
            sys::IORING_SETUP_SQE_MIXED,
            "6.19",
            "this crate's SQ protocol does not drive mixed SQE sizes yet",
        ),
        (
            "SQ_REWIND",
            sys::IORING_SETUP_SQ_REWIND,
            "",
            "it would break the SQ protocol this crate keeps",
        ),
    ] {
        out.push(SetupProbe {
            name,
            bit,
            since: (!since.is_empty()).then_some(since),
            tried: "not tried",
            result: Err(Failure {
                errno: None,
                reason: format!("not supported by this crate: {why}"),
                message: String::new(),
            }),
            crate_supports: false,
            works_on_file: None,
        });
    }
    out[0].works_on_file = iopoll_works;
    out
}

/// Why `io_uring_setup(2)` refused `flag`, in a few words.
fn setup_reason(flag: &str, e: &io::Error, process: &Process) -> String {
    match uring::error::errno(e) {
        Some(libc::EINVAL) => match flag {
            "DEFER_TASKRUN" | "SINGLE_ISSUER" | "COOP_TASKRUN" | "TASKRUN_FLAG" | "SUBMIT_ALL"
            | "R_DISABLED" | "CQSIZE" | "CLAMP" | "ATTACH_WQ" | "SQE128" | "CQE32"
            | "NO_SQARRAY" | "HYBRID_IOPOLL" | "CQE_MIXED" => {
                "this kernel does not know the flag (it predates it)".to_owned()
            }
            "NO_MMAP" => "this kernel does not know NO_MMAP, or (before 6.13) wants each ring \
                          region in one physically contiguous page"
                .to_owned(),
            "SQ_AFF" => format!(
                "the SQPOLL thread cannot be pinned to CPU {} (offline or outside this \
                 process's cpuset)",
                process.first_cpu
            ),
            _ => "the kernel rejected the parameters".to_owned(),
        },
        Some(libc::EFAULT) if flag == "NO_MMAP" => {
            "this kernel (before 6.13) wants each ring region in one physically contiguous page"
                .to_owned()
        }
        Some(libc::EPERM) if flag == "SQPOLL" || flag == "SQ_AFF" => {
            if process.cap_sys_admin {
                "denied by a security policy (seccomp or an LSM)".to_owned()
            } else {
                "SQPOLL needs CAP_SYS_ADMIN before Linux 5.11, or a security policy denies it"
                    .to_owned()
            }
        }
        Some(libc::EPERM) => "denied (seccomp, an LSM, or kernel.io_uring_disabled)".to_owned(),
        Some(libc::ENOMEM) => "out of memory, or RLIMIT_MEMLOCK too low (before 5.12)".to_owned(),
        Some(libc::ENOSYS) => "io_uring is not available".to_owned(),
        Some(n) => format!("refused with {}", errno_name(n)),
        None => "refused".to_owned(),
    }
}

/// The file the IOPOLL test reads: made in `dir`, removed on drop.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// An `O_DIRECT` read of one 4 KiB block of a fresh file in `dir`, through `ring` (an IOPOLL
/// ring): whether polled I/O works on that filesystem and device. IOPOLL rings accept only
/// files whose driver can poll for completions (NVMe with poll queues, not ext4 on a SATA disk,
/// not tmpfs), which `io_uring_setup(2)` itself cannot tell.
fn iopoll_read(mut ring: Ring, dir: &Path) -> (String, Option<bool>) {
    const BLOCK: usize = 4096;
    let path = dir.join(format!(".uring-probe-iopoll-{}", std::process::id()));
    let file = TempFile(path);
    let made = File::create(&file.0).and_then(|mut f| {
        f.write_all(&[0u8; BLOCK])?;
        f.sync_all()
    });
    if let Err(e) = made {
        return (
            format!("could not make a test file in {}: {e}", dir.display()),
            None,
        );
    }
    let direct = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECT)
        .open(&file.0)
    {
        Ok(f) => f,
        Err(e) => {
            let text = format!(
                "the filesystem of {} has no O_DIRECT ({e}); IOPOLL needs O_DIRECT files",
                dir.display()
            );
            return (text, Some(false));
        }
    };
    let layout = Layout::from_size_align(BLOCK, BLOCK).expect("a valid layout");
    // SAFETY: `layout` has a non-zero size.
    let buf = unsafe { alloc_zeroed(layout) };
    if buf.is_null() {
        return ("out of memory for the test buffer".to_owned(), None);
    }
    let fd = std::os::fd::AsRawFd::as_raw_fd(&direct);
    let sqe = opcode::Read::new(types::Fd(fd), buf, BLOCK as u32).build();
    // SAFETY: `buf` (BLOCK bytes, ours) and `direct` stay alive until the CQE is reaped below or
    // the ring is dropped; when the wait fails, both are leaked rather than freed.
    let pushed = unsafe { ring.push(&sqe) };
    // An IOPOLL ring posts a completion only when a wait polls for it, and a wait may return
    // before the device finished: poll again, for at most a second.
    let result = pushed.map_err(io::Error::from).and_then(|()| {
        let deadline = Instant::now() + Duration::from_secs(1);
        loop {
            ring.submit_and_wait(1)?;
            if let Some(cqe) = ring.cq().next() {
                return Ok(cqe.result());
            }
            if Instant::now() > deadline {
                return Err(io::Error::other("no completion within a second"));
            }
        }
    });
    let (text, works) = match result {
        Ok(Ok(n)) => (
            format!(
                "a polled O_DIRECT read of {n} bytes in {} completed: use IOPOLL for files \
                 there",
                dir.display()
            ),
            Some(true),
        ),
        Ok(Err(e)) if e.raw_os_error() == Some(libc::EOPNOTSUPP) => (
            format!(
                "but a read in {} fails with EOPNOTSUPP: its device cannot poll (not NVMe with \
                 poll queues), so IOPOLL is of no use there",
                dir.display()
            ),
            Some(false),
        ),
        Ok(Err(e)) => (
            format!("but a polled read in {} failed: {e}", dir.display()),
            Some(false),
        ),
        Err(e) => {
            // The kernel may still hold the buffer: leak it and the file.
            std::mem::forget(direct);
            return (format!("the IOPOLL read could not complete: {e}"), None);
        }
    };
    drop(direct);
    // SAFETY: the read completed (its CQE was reaped above), so the kernel is done with `buf`,
    // which `alloc_zeroed(layout)` returned.
    unsafe { dealloc(buf, layout) };
    (text, works)
}

// ---------------------------------------------------------------------------------------------
// Registration opcodes.

/// `IORING_REGISTER_*` opcodes by number, in the tracked header's order.
pub(crate) const REGISTER_OPCODES: &[(u32, &str)] = &[
    (sys::IORING_REGISTER_BUFFERS, "IORING_REGISTER_BUFFERS"),
    (sys::IORING_UNREGISTER_BUFFERS, "IORING_UNREGISTER_BUFFERS"),
    (sys::IORING_REGISTER_FILES, "IORING_REGISTER_FILES"),
    (sys::IORING_UNREGISTER_FILES, "IORING_UNREGISTER_FILES"),
    (sys::IORING_REGISTER_EVENTFD, "IORING_REGISTER_EVENTFD"),
    (sys::IORING_UNREGISTER_EVENTFD, "IORING_UNREGISTER_EVENTFD"),
    (
        sys::IORING_REGISTER_FILES_UPDATE,
        "IORING_REGISTER_FILES_UPDATE",
    ),
    (
        sys::IORING_REGISTER_EVENTFD_ASYNC,
        "IORING_REGISTER_EVENTFD_ASYNC",
    ),
    (sys::IORING_REGISTER_PROBE, "IORING_REGISTER_PROBE"),
    (
        sys::IORING_REGISTER_PERSONALITY,
        "IORING_REGISTER_PERSONALITY",
    ),
    (
        sys::IORING_UNREGISTER_PERSONALITY,
        "IORING_UNREGISTER_PERSONALITY",
    ),
    (
        sys::IORING_REGISTER_RESTRICTIONS,
        "IORING_REGISTER_RESTRICTIONS",
    ),
    (
        sys::IORING_REGISTER_ENABLE_RINGS,
        "IORING_REGISTER_ENABLE_RINGS",
    ),
    (sys::IORING_REGISTER_FILES2, "IORING_REGISTER_FILES2"),
    (
        sys::IORING_REGISTER_FILES_UPDATE2,
        "IORING_REGISTER_FILES_UPDATE2",
    ),
    (sys::IORING_REGISTER_BUFFERS2, "IORING_REGISTER_BUFFERS2"),
    (
        sys::IORING_REGISTER_BUFFERS_UPDATE,
        "IORING_REGISTER_BUFFERS_UPDATE",
    ),
    (sys::IORING_REGISTER_IOWQ_AFF, "IORING_REGISTER_IOWQ_AFF"),
    (
        sys::IORING_UNREGISTER_IOWQ_AFF,
        "IORING_UNREGISTER_IOWQ_AFF",
    ),
    (
        sys::IORING_REGISTER_IOWQ_MAX_WORKERS,
        "IORING_REGISTER_IOWQ_MAX_WORKERS",
    ),
    (sys::IORING_REGISTER_RING_FDS, "IORING_REGISTER_RING_FDS"),
    (
        sys::IORING_UNREGISTER_RING_FDS,
        "IORING_UNREGISTER_RING_FDS",
    ),
    (sys::IORING_REGISTER_PBUF_RING, "IORING_REGISTER_PBUF_RING"),
    (
        sys::IORING_UNREGISTER_PBUF_RING,
        "IORING_UNREGISTER_PBUF_RING",
    ),
    (
        sys::IORING_REGISTER_SYNC_CANCEL,
        "IORING_REGISTER_SYNC_CANCEL",
    ),
    (
        sys::IORING_REGISTER_FILE_ALLOC_RANGE,
        "IORING_REGISTER_FILE_ALLOC_RANGE",
    ),
    (
        sys::IORING_REGISTER_PBUF_STATUS,
        "IORING_REGISTER_PBUF_STATUS",
    ),
    (sys::IORING_REGISTER_NAPI, "IORING_REGISTER_NAPI"),
    (sys::IORING_UNREGISTER_NAPI, "IORING_UNREGISTER_NAPI"),
    (sys::IORING_REGISTER_CLOCK, "IORING_REGISTER_CLOCK"),
    (
        sys::IORING_REGISTER_CLONE_BUFFERS,
        "IORING_REGISTER_CLONE_BUFFERS",
    ),
    (
        sys::IORING_REGISTER_SEND_MSG_RING,
        "IORING_REGISTER_SEND_MSG_RING",
    ),
    (sys::IORING_REGISTER_ZCRX_IFQ, "IORING_REGISTER_ZCRX_IFQ"),
    (
        sys::IORING_REGISTER_RESIZE_RINGS,
        "IORING_REGISTER_RESIZE_RINGS",
    ),
    (
        sys::IORING_REGISTER_MEM_REGION,
        "IORING_REGISTER_MEM_REGION",
    ),
    (sys::IORING_REGISTER_QUERY, "IORING_REGISTER_QUERY"),
    (sys::IORING_REGISTER_ZCRX_CTRL, "IORING_REGISTER_ZCRX_CTRL"),
    (
        sys::IORING_REGISTER_BPF_FILTER,
        "IORING_REGISTER_BPF_FILTER",
    ),
];

/// Opcodes tried past the tracked header's last one, to spot a newer kernel's additions.
const REGISTER_PROBE_LIMIT: u32 = 64;

/// One registration opcode as probed.
#[derive(Debug, Clone)]
pub(crate) struct RegisterOpcode {
    pub(crate) opcode: u32,
    /// The tracked header's name; `None` past it.
    pub(crate) name: Option<&'static str>,
    /// Known to the kernel; `None`: inconclusive (see `errno`).
    pub(crate) known: Option<bool>,
    /// The errno the probe saw.
    pub(crate) errno: Option<i32>,
}

/// Which registration opcodes this kernel knows.
#[derive(Debug, Clone)]
pub(crate) struct Registrations {
    /// `"restricted-ring"` (the signal described in [`registrations`]) or `"unavailable"`.
    pub(crate) method: &'static str,
    /// Why the probe could not run, when `method` is `"unavailable"`.
    pub(crate) unavailable: Option<Failure>,
    pub(crate) opcodes: Vec<RegisterOpcode>,
    /// `nr_register_opcodes` from `IORING_REGISTER_QUERY` (Linux 6.18+), a cross-check.
    pub(crate) query_count: Option<u32>,
}

/// Which `IORING_REGISTER_*` opcodes the kernel knows, found without registering anything.
///
/// The signal: `io_uring_register(2)` refuses an opcode at or past its `IORING_REGISTER_LAST`
/// with `EINVAL` before it looks at the ring; on a ring with restrictions
/// (`IORING_REGISTER_RESTRICTIONS` on an `R_DISABLED` ring, then `ENABLE_RINGS`) that allow no
/// registration opcode, every opcode the kernel knows is refused with `EACCES` before its
/// arguments are read. So, on such a ring, with a null argument: `EACCES` = known, `EINVAL` =
/// unknown, and nothing is registered either way. (A known opcode's own argument checks would
/// also answer `EINVAL`, which is why an unrestricted ring gives no signal.) Needs Linux 5.10
/// (`R_DISABLED` and restrictions); `IORING_REGISTER_QUERY`'s count (6.18+) is a cross-check.
pub(crate) fn registrations() -> Registrations {
    let query_count = uring::register::query_opcodes()
        .ok()
        .map(|q| q.nr_register_opcodes);
    let restricted = (|| {
        let ring: Ring = Ring::builder().disabled().build(8)?;
        let s = ring.submitter();
        s.register_restrictions(&[Restriction::sqe_op(sys::IORING_OP_NOP)])?;
        s.register_enable_rings()?;
        Ok::<_, io::Error>(ring)
    })();
    let ring = match restricted {
        Ok(ring) => ring,
        Err(e) => {
            return Registrations {
                method: "unavailable",
                unavailable: Some(Failure::new(
                    &e,
                    "a restricted ring could not be made (restrictions need Linux 5.10)",
                )),
                opcodes: Vec::new(),
                query_count,
            };
        }
    };
    let s = ring.submitter();
    let opcodes = (0..REGISTER_PROBE_LIMIT)
        .map(|op| {
            let name = REGISTER_OPCODES
                .iter()
                .find(|(n, _)| *n == op)
                .map(|(_, name)| *name);
            // SAFETY: a null argument and a zero count name no memory at all; on this ring the
            // kernel refuses every opcode (EACCES if it knows it, EINVAL if not) before it reads
            // an argument, registers anything or changes the ring's layout.
            let r = unsafe { s.register_raw(op, ptr::null(), 0) };
            let errno = r.err().and_then(|e| e.raw_os_error());
            let known = match errno {
                Some(libc::EACCES) => Some(true),
                Some(libc::EINVAL) => Some(false),
                _ => None,
            };
            RegisterOpcode {
                opcode: op,
                name,
                known,
                errno,
            }
        })
        .collect();
    Registrations {
        method: "restricted-ring",
        unavailable: None,
        opcodes,
        query_count,
    }
}

impl Registrations {
    /// Whether the kernel knows `opcode` (`None`: not probed or inconclusive).
    pub(crate) fn knows(&self, opcode: u32) -> Option<bool> {
        self.opcodes
            .iter()
            .find(|o| o.opcode == opcode)
            .and_then(|o| o.known)
    }
}

// ---------------------------------------------------------------------------------------------
// Limits.

/// `RLIMIT_MEMLOCK` against fixed buffers of one size.
#[derive(Debug, Clone)]
pub(crate) struct Memlock {
    /// Soft and hard limits in bytes; `None` = unlimited.
    pub(crate) soft: Option<u64>,
    pub(crate) hard: Option<u64>,
    pub(crate) page_size: u64,
    /// `CAP_IPC_LOCK`: nothing is accounted.
    pub(crate) exempt: bool,
    /// The buffer size asked about (`--buffer-size`), and how many were asked for (`--buffers`).
    pub(crate) buffer_size: u64,
    pub(crate) buffers: u64,
    /// What one such buffer counts against the limit (whole pages, page-aligned start).
    pub(crate) accounted_per_buffer: u64,
    /// How many fit under the soft limit when nothing else of this user is accounted; `None`
    /// = no limit applies.
    pub(crate) max_buffers: Option<u64>,
}

/// The kernel's rule (io_uring/rsrc.c, `io_account_mem`): registering fixed buffers pins their
/// pages, and unless the ring's creator had `CAP_IPC_LOCK` the pinned pages are added to the
/// *user's* `locked_vm` (shared by every process of that uid, and by their other rings) and
/// checked against the registering process's soft `RLIMIT_MEMLOCK`: `ENOMEM` past it. A buffer
/// counts each page it touches (a page-aligned buffer of n bytes: ⌈n / page⌉ pages, one more
/// if it starts mid-page); a huge page counts once. Ring memory itself counts only before 5.12.
pub(crate) fn memlock(process: &Process, buffer_size: u64, buffers: u64) -> Memlock {
    let lim = rustix::process::getrlimit(rustix::process::Resource::Memlock);
    // SAFETY: sysconf has no memory-safety preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    let page_size = u64::try_from(page).unwrap_or(4096).max(1);
    let accounted = buffer_size.div_ceil(page_size) * page_size;
    let max_buffers = match (process.cap_ipc_lock, lim.current) {
        (true, _) | (false, None) => None,
        (false, Some(soft)) => Some(soft / accounted.max(1)),
    };
    Memlock {
        soft: lim.current,
        hard: lim.maximum,
        page_size,
        exempt: process.cap_ipc_lock,
        buffer_size,
        buffers,
        accounted_per_buffer: accounted,
        max_buffers,
    }
}

/// io-wq worker limits, read back with `IORING_REGISTER_IOWQ_MAX_WORKERS` ({0, 0} changes
/// nothing and returns the current values). The kernel reports 0/0 until the task has an
/// io-wq, so `ring` must have submitted something first.
pub(crate) fn iowq(ring: &Ring) -> Result<IowqMaxWorkers, Failure> {
    ring.submitter()
        .register_iowq_max_workers(IowqMaxWorkers::default())
        .map_err(|e| Failure::new(&e, "IORING_REGISTER_IOWQ_MAX_WORKERS needs Linux 5.15"))
}

/// NAPI busy polling (`IORING_REGISTER_NAPI`, Linux 6.9+, kernels built with
/// `CONFIG_NET_RX_BUSY_POLL`): registered and unregistered on a ring of its own.
pub(crate) fn napi(regs: &Registrations) -> Result<(), Failure> {
    let ring = Ring::new(8).map_err(|e| Failure::new(&e, "no ring"))?;
    let s = ring.submitter();
    match s.register_napi(Napi::default()) {
        Ok(_) => {
            let _ = s.unregister_napi();
            Ok(())
        }
        Err(e) => {
            let reason = match (
                uring::error::errno(&e),
                regs.knows(sys::IORING_REGISTER_NAPI),
            ) {
                (_, Some(false)) => "this kernel has no IORING_REGISTER_NAPI (Linux 6.9+)",
                (Some(libc::EOPNOTSUPP), _) => {
                    "the kernel is built without CONFIG_NET_RX_BUSY_POLL"
                }
                (Some(libc::EINVAL), None) => {
                    "refused: Linux before 6.9, or arguments this kernel does not take"
                }
                _ => "refused",
            };
            Err(Failure::new(&e, reason))
        }
    }
}
