//! The errors people hit when they first use io_uring, with the cause and the remedy spelled out.
//!
//! Every error the crate builds itself is an [`io::Error`] whose payload is an [`Error`]: its
//! message names the cause and what to do, and it keeps the kernel's errno, reachable through
//! [`errno`] (which also works for a plain [`io::Error::from_raw_os_error`]). The
//! [`io::ErrorKind`] is the one the errno maps to, so `e.kind()` matches as usual.
//!
//! Errors on the hot path (`EINTR`, `EAGAIN`, `EBUSY`, `ETIME` from `io_uring_enter(2)`, a CQE's
//! negated errno) stay plain OS errors: they cost nothing to build and `raw_os_error()` works.

use core::fmt;
use std::io;

use crate::setup::flags::MAX_ENTRIES;

/// An io_uring error with a message saying the cause and the remedy, keeping the errno.
#[derive(Debug, Clone)]
pub struct Error {
    errno: i32,
    message: String,
}

impl Error {
    /// The errno the kernel returned (or the one that describes the condition), e.g.
    /// `libc::EINVAL`.
    pub fn errno(&self) -> i32 {
        self.errno
    }

    /// The message: what went wrong and what to do about it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({})",
            self.message,
            io::Error::from_raw_os_error(self.errno)
        )
    }
}

impl std::error::Error for Error {}

/// Builds an [`io::Error`] of the kind `errno` maps to, carrying an [`Error`] with `message`.
pub(crate) fn with_message(errno: i32, message: impl Into<String>) -> io::Error {
    let kind = io::Error::from_raw_os_error(errno).kind();
    io::Error::new(
        kind,
        Error {
            errno,
            message: message.into(),
        },
    )
}

/// The errno behind `err`: `raw_os_error()` for a plain OS error, the kept errno for one of
/// this crate's [`Error`]s, `None` otherwise.
pub fn errno(err: &io::Error) -> Option<i32> {
    if let Some(n) = err.raw_os_error() {
        return Some(n);
    }
    err.get_ref()
        .and_then(|e| e.downcast_ref::<Error>())
        .map(Error::errno)
}

/// What `/proc/sys/kernel/io_uring_disabled` says (Linux 6.6+); `None` when it cannot be read.
pub(crate) fn io_uring_disabled_sysctl() -> Option<u32> {
    std::fs::read_to_string("/proc/sys/kernel/io_uring_disabled")
        .ok()
        .and_then(|s| s.trim().parse().ok())
}

/// Why io_uring cannot be used at all, given the errno `io_uring_setup(2)` failed with, or
/// `None` when the errno is not one of the "io_uring is unavailable" kinds.
pub(crate) fn unavailable_reason(errno: i32) -> Option<String> {
    match errno {
        libc::ENOSYS => Some(
            "io_uring_setup(2) is not available: the kernel is older than Linux 5.1, was built \
             without CONFIG_IO_URING, or a seccomp filter denies the call (Docker's and \
             Podman's default profiles and gVisor do); run on Linux 5.1+ with io_uring enabled, \
             or allow io_uring_setup, io_uring_enter and io_uring_register in the seccomp \
             profile (e.g. `docker run --security-opt seccomp=unconfined`)"
                .to_owned(),
        ),
        libc::EPERM => Some(match io_uring_disabled_sysctl() {
            Some(2) => "io_uring is disabled for every process by the sysctl \
                        kernel.io_uring_disabled=2; enable it with \
                        `sysctl -w kernel.io_uring_disabled=0` (as root)"
                .to_owned(),
            Some(1) => "io_uring is restricted by the sysctl kernel.io_uring_disabled=1: only \
                        processes with CAP_SYS_ADMIN or in the group kernel.io_uring_group may \
                        create rings; add this user to that group, or set \
                        `sysctl -w kernel.io_uring_disabled=0` (as root)"
                .to_owned(),
            _ => "io_uring_setup(2) was denied (EPERM): a seccomp filter or an LSM (SELinux, \
                  AppArmor) forbids io_uring for this process, or the ring asked for SQPOLL on \
                  a kernel before 5.11 without CAP_SYS_ADMIN; allow io_uring in the security \
                  policy, or run without SQPOLL"
                .to_owned(),
        }),
        _ => None,
    }
}

/// The error for a failed `io_uring_setup(2)`: the cause and the remedy for the errnos people
/// hit, the plain OS error otherwise.
pub(crate) fn setup_error(errno: i32, entries: u32, flags: u32) -> io::Error {
    if let Some(reason) = unavailable_reason(errno) {
        return with_message(errno, reason);
    }
    match errno {
        libc::ENOMEM => with_message(
            errno,
            format!(
                "io_uring_setup(2) could not allocate a ring of {entries} entries: before Linux \
                 5.12 ring memory counts against RLIMIT_MEMLOCK, which is too low here (see \
                 `ulimit -l`); raise the locked-memory limit (`ulimit -l unlimited`, or \
                 LimitMEMLOCK= in a systemd unit), or ask for fewer entries"
            ),
        ),
        libc::EINVAL => {
            if entries == 0 || entries > MAX_ENTRIES {
                too_many_entries(entries)
            } else {
                with_message(
                    errno,
                    format!(
                        "io_uring_setup(2) rejected the parameters (entries {entries}, flags \
                         {flags:#x}): this kernel does not know one of the setup flags or \
                         does not allow this combination (e.g. TASKRUN_FLAG needs \
                         COOP_TASKRUN or DEFER_TASKRUN, DEFER_TASKRUN needs SINGLE_ISSUER, \
                         NO_MMAP needs user memory); drop the flag or upgrade the kernel"
                    ),
                )
            }
        }
        libc::EMFILE | libc::ENFILE => with_message(
            errno,
            "io_uring_setup(2) could not allocate a file descriptor for the ring: the \
             process or system is out of file descriptors; close some or raise `ulimit -n`",
        ),
        _ => io::Error::from_raw_os_error(errno),
    }
}

/// The error for an SQ size outside `1..=32768` (`IORING_MAX_ENTRIES`).
pub(crate) fn too_many_entries(entries: u32) -> io::Error {
    with_message(
        libc::EINVAL,
        format!(
            "io_uring_setup(2): {entries} entries is outside 1..={MAX_ENTRIES} \
             (IORING_MAX_ENTRIES); ask for at most {MAX_ENTRIES} entries, or set \
             SetupFlags::CLAMP to have the kernel clamp the size"
        ),
    )
}

/// The error for an unsupported opcode: names it and the first Linux release that has it.
pub(crate) fn unsupported_opcode(op: u8, kernel: &str) -> io::Error {
    let name = crate::opcode::table::name(op);
    let since = crate::opcode::table::since(op);
    let message = match (name, since) {
        (Some(name), Some((major, minor))) => format!(
            "{name} (opcode {op}) is not supported by this kernel ({kernel}): it was added in \
             Linux {major}.{minor}; run on Linux {major}.{minor}+ or do without it"
        ),
        _ => format!(
            "opcode {op} is not supported by this kernel ({kernel}) and is not in the uapi \
             header this crate tracks"
        ),
    };
    with_message(libc::EOPNOTSUPP, message)
}

/// The kernel release (`uname -r`), for error messages and the probe example.
pub(crate) fn kernel_release() -> String {
    let uname = rustix::system::uname();
    uname.release().to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_is_kept() {
        let e = too_many_entries(100_000);
        assert_eq!(errno(&e), Some(libc::EINVAL));
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        let msg = e.to_string();
        assert!(msg.contains("100000"), "{msg}");
        assert!(msg.contains("CLAMP"), "{msg}");
        assert_eq!(
            errno(&io::Error::from_raw_os_error(libc::EBUSY)),
            Some(libc::EBUSY)
        );
        assert_eq!(errno(&io::Error::other("x")), None);
    }

    #[test]
    fn unavailable_messages_name_the_remedy() {
        let e = setup_error(libc::ENOSYS, 8, 0);
        assert!(e.to_string().contains("seccomp"));
        assert_eq!(errno(&e), Some(libc::ENOSYS));
        let e = setup_error(libc::ENOMEM, 8, 0);
        assert!(e.to_string().contains("ulimit -l"));
        let e = setup_error(libc::EPERM, 8, 0);
        assert!(e.to_string().contains("io_uring"));
        assert_eq!(errno(&e), Some(libc::EPERM));
    }
}
