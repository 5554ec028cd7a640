//! The process-level faults the tests inject: a seccomp filter, lowered rlimits, a dropped
//! capability, signals. Each call changes the whole process (or thread, for seccomp), so the
//! tests make them in a child process (see [`crate::child`]) or undo them.

use std::io;

/// Classic-BPF instruction classes and fields (`<linux/bpf_common.h>`), as `sock_filter.code`
/// takes them.
const BPF_LD: u16 = 0x00;
const BPF_W: u16 = 0x00;
const BPF_ABS: u16 = 0x20;
const BPF_JMP: u16 = 0x05;
const BPF_JEQ: u16 = 0x10;
const BPF_K: u16 = 0x00;
const BPF_RET: u16 = 0x06;

/// `offsetof(struct seccomp_data, nr)` and `arch`.
const SECCOMP_DATA_NR: u32 = 0;
const SECCOMP_DATA_ARCH: u32 = 4;

/// `AUDIT_ARCH_*` of the architecture this was built for (`<linux/audit.h>`).
#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: u32 = 0xC000_003E;
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: u32 = 0xC000_00B7;
#[cfg(target_arch = "riscv64")]
const AUDIT_ARCH: u32 = 0xC000_00F3;
#[cfg(not(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64"
)))]
compile_error!("add this architecture's AUDIT_ARCH_* value");

fn stmt(code: u16, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jump(code: u16, k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter { code, jt, jf, k }
}

/// Installs a seccomp filter on the calling thread (inherited by threads it creates later) that
/// makes `io_uring_setup(2)` fail with `errno` and allows every other syscall.
///
/// Sets `PR_SET_NO_NEW_PRIVS` first, as an unprivileged filter requires. Irreversible: call it
/// in a child process.
///
/// # References
/// - [`seccomp(2)`](https://man7.org/linux/man-pages/man2/seccomp.2.html)
pub fn deny_io_uring_setup(errno: i32) -> io::Result<()> {
    deny_syscall(libc::SYS_io_uring_setup, errno)
}

/// Installs a seccomp filter on the calling thread (inherited by threads it creates later) that
/// makes the syscall `nr` (of this target's ABI) fail with `errno` and allows every other
/// syscall, as a container's profile does for a call it does not know.
///
/// Sets `PR_SET_NO_NEW_PRIVS` first, as an unprivileged filter requires. Irreversible: call it
/// in a child process.
///
/// # References
/// - [`seccomp(2)`](https://man7.org/linux/man-pages/man2/seccomp.2.html)
pub fn deny_syscall(nr: libc::c_long, errno: i32) -> io::Result<()> {
    install_filter(nr, None, errno)
}

/// [`deny_syscall`] only when the syscall's argument `arg` (0-based) has `value` in its low
/// 32 bits, e.g. one `io_uring_register(2)` opcode: the filter can be installed after the set-up
/// it must not disturb. Only the calling thread (and threads it creates later) is filtered, so a
/// test can confine it to a thread of its own, which takes the filter with it when it ends.
pub fn deny_syscall_arg(nr: libc::c_long, arg: u32, value: u32, errno: i32) -> io::Result<()> {
    assert!(arg < 6, "a syscall has six arguments");
    install_filter(nr, Some((arg, value)), errno)
}

/// `offsetof(struct seccomp_data, args[i])`, the low 32 bits (little-endian targets only).
fn seccomp_data_arg_low(i: u32) -> u32 {
    const { assert!(cfg!(target_endian = "little")) };
    16 + 8 * i
}

fn install_filter(nr: libc::c_long, arg: Option<(u32, u32)>, errno: i32) -> io::Result<()> {
    let ret_errno = libc::SECCOMP_RET_ERRNO | (errno as u32 & libc::SECCOMP_RET_DATA);
    // Each test jumps to the last instruction (allow) when it does not match.
    let extra: u8 = if arg.is_some() { 2 } else { 0 };
    let mut filter = vec![
        // A syscall of another ABI (e.g. x32 on x86_64) has other numbers: allow it untouched.
        stmt(BPF_LD | BPF_W | BPF_ABS, SECCOMP_DATA_ARCH),
        jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH, 0, 3 + extra),
        stmt(BPF_LD | BPF_W | BPF_ABS, SECCOMP_DATA_NR),
        jump(BPF_JMP | BPF_JEQ | BPF_K, nr as u32, 0, 1 + extra),
    ];
    if let Some((i, value)) = arg {
        filter.push(stmt(BPF_LD | BPF_W | BPF_ABS, seccomp_data_arg_low(i)));
        filter.push(jump(BPF_JMP | BPF_JEQ | BPF_K, value, 0, 1));
    }
    filter.push(stmt(BPF_RET | BPF_K, ret_errno));
    filter.push(stmt(BPF_RET | BPF_K, libc::SECCOMP_RET_ALLOW));
    let prog = libc::sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_ptr().cast_mut(),
    };
    // SAFETY: PR_SET_NO_NEW_PRIVS takes plain integers.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `prog` points to `filter`, both alive for the call; the kernel copies the program.
    let r = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            0,
            &prog as *const libc::sock_fprog,
        )
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// `setrlimit(resource, {cur, max})`.
pub fn set_rlimit(resource: libc::__rlimit_resource_t, cur: u64, max: u64) -> io::Result<()> {
    let lim = libc::rlimit {
        rlim_cur: cur,
        rlim_max: max,
    };
    // SAFETY: `lim` is a valid rlimit read during the call.
    if unsafe { libc::setrlimit(resource, &lim) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// `getrlimit(resource)` as `(cur, max)`.
pub fn get_rlimit(resource: libc::__rlimit_resource_t) -> io::Result<(u64, u64)> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is writable for the call.
    if unsafe { libc::getrlimit(resource, &mut lim) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((lim.rlim_cur, lim.rlim_max))
}

/// Raises the soft `RLIMIT_NOFILE` to at least `want` (up to the hard limit, raising the hard
/// limit too when privileged). Returns the soft limit now in force.
pub fn raise_nofile(want: u64) -> io::Result<u64> {
    let (cur, max) = get_rlimit(libc::RLIMIT_NOFILE)?;
    if cur >= want {
        return Ok(cur);
    }
    if max < want && set_rlimit(libc::RLIMIT_NOFILE, want, want).is_ok() {
        return Ok(want);
    }
    let new = want.min(max);
    set_rlimit(libc::RLIMIT_NOFILE, new, max)?;
    Ok(new)
}

/// `CAP_IPC_LOCK`: exempts a process from `RLIMIT_MEMLOCK` (io_uring checks it when the ring
/// is created).
const CAP_IPC_LOCK: u32 = 14;
/// `_LINUX_CAPABILITY_VERSION_3`: two 32-bit words per set.
const CAPABILITY_VERSION_3: u32 = 0x2008_0522;

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: i32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

/// Drops `CAP_IPC_LOCK` from this thread's effective and permitted sets, so `RLIMIT_MEMLOCK`
/// applies to it (root has the capability, and with it no memlock limit at all). Irreversible:
/// call it in a child process, before its threads and rings are created.
///
/// # References
/// - [`capget(2)`](https://man7.org/linux/man-pages/man2/capget.2.html)
pub fn drop_cap_ipc_lock() -> io::Result<()> {
    let mut hdr = CapHeader {
        version: CAPABILITY_VERSION_3,
        pid: 0,
    };
    let mut data = [CapData::default(); 2];
    // SAFETY: `hdr` and the two `data` words are the layout capget(2) version 3 takes.
    if unsafe { libc::syscall(libc::SYS_capget, &mut hdr, data.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    data[0].effective &= !(1 << CAP_IPC_LOCK);
    data[0].permitted &= !(1 << CAP_IPC_LOCK);
    // SAFETY: as above, read by the kernel during the call.
    if unsafe { libc::syscall(libc::SYS_capset, &mut hdr, data.as_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

extern "C" fn on_signal(_: libc::c_int) {}

/// Installs a handler that does nothing for `signal`, without `SA_RESTART`: a blocking syscall
/// the signal interrupts returns `EINTR`. Returns the previous action for [`restore`].
pub fn install_noop_handler(signal: i32) -> io::Result<libc::sigaction> {
    // SAFETY: an all-zero sigaction is a valid value (empty mask, no flags).
    let mut act: libc::sigaction = unsafe { std::mem::zeroed() };
    act.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
    act.sa_flags = 0;
    // SAFETY: as above.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: `act` and `old` are valid for the call; the handler is async-signal-safe (empty).
    if unsafe { libc::sigaction(signal, &act, &mut old) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(old)
}

/// Puts back the action [`install_noop_handler`] returned.
pub fn restore(signal: i32, old: &libc::sigaction) -> io::Result<()> {
    // SAFETY: `old` came from sigaction(2) and is valid for the call.
    if unsafe { libc::sigaction(signal, old, std::ptr::null_mut()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// `pthread_kill(thread, signal)`.
pub fn signal_thread(thread: libc::pthread_t, signal: i32) -> io::Result<()> {
    // SAFETY: the caller keeps `thread` alive (joins it only after the last call).
    let r = unsafe { libc::pthread_kill(thread, signal) };
    if r != 0 {
        return Err(io::Error::from_raw_os_error(r));
    }
    Ok(())
}

/// `SO_LINGER` with a zero timeout on `fd`: closing it then sends a reset, not a FIN.
pub fn set_linger_zero(fd: std::os::fd::RawFd) -> io::Result<()> {
    let l = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: `l` is a valid `linger` for the duration of the call.
    let r = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&raw const l).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// `kill(2)`: sends `signal` to process `pid`.
pub fn kill(pid: u32, signal: i32) -> io::Result<()> {
    // SAFETY: kill(2) takes no pointers.
    if unsafe { libc::kill(pid as libc::pid_t, signal) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// An anonymous temporary file, read-write (unlinked at once).
pub fn tempfile() -> std::fs::File {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT_TMP: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "event-io-tests-{}-{}",
        std::process::id(),
        NEXT_TMP.fetch_add(1, Ordering::Relaxed)
    ));
    let f = std::fs::File::options()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    f
}
