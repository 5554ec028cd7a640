//! The errors people hit: each says the cause and the remedy and keeps the errno.

use std::io::ErrorKind;

use uring::{Ring, SetupFlags, Sqe};

#[test]
fn too_many_entries_is_einval_with_a_clear_message() {
    let err = Ring::new(100_000).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(uring::error::errno(&err), Some(libc::EINVAL));
    let msg = err.to_string();
    assert!(msg.contains("100000"), "{msg}");
    assert!(msg.contains("32768"), "{msg}");
    assert!(msg.contains("CLAMP"), "{msg}");
}

#[test]
fn zero_entries_is_einval() {
    let err = Ring::new(0).unwrap_err();
    assert_eq!(uring::error::errno(&err), Some(libc::EINVAL));
    assert!(err.to_string().contains("outside 1..=32768"), "{err}");
}

#[test]
fn too_many_cq_entries_is_einval() {
    let err = Ring::<Sqe, uring::Cqe>::builder()
        .cq_entries(1 << 20)
        .build(8)
        .unwrap_err();
    assert_eq!(uring::error::errno(&err), Some(libc::EINVAL));
    assert!(err.to_string().contains("cq_entries"), "{err}");
}

#[test]
fn a_flag_combination_the_kernel_rejects_says_so() {
    // TASKRUN_FLAG without COOP_TASKRUN or DEFER_TASKRUN.
    let err = Ring::<Sqe, uring::Cqe>::builder()
        .flags(SetupFlags::TASKRUN_FLAG)
        .build(8)
        .unwrap_err();
    assert_eq!(uring::error::errno(&err), Some(libc::EINVAL));
    assert!(err.to_string().contains("rejected the parameters"), "{err}");
}

#[test]
fn push_error_converts_to_a_clear_io_error() {
    let mut ring = Ring::new(1).unwrap();
    // SAFETY: NOPs carry no pointers.
    unsafe { ring.push(&crate::util::nop(1)).unwrap() };
    // SAFETY: as above.
    let err: std::io::Error = unsafe { ring.push(&crate::util::nop(2)) }
        .unwrap_err()
        .into();
    assert!(err.to_string().contains("submission queue full"), "{err}");
    assert_eq!(uring::error::errno(&err), Some(libc::EBUSY));
}

/// Runs `f` on a fresh thread whose `io_uring_setup(2)` a seccomp filter answers with
/// `errno` (as Docker's default profile does with `EPERM`, or a sandbox with `ENOSYS`). Seccomp
/// filters are per-thread without `SECCOMP_FILTER_FLAG_TSYNC`, so the rest of the test binary is
/// unaffected.
fn with_io_uring_setup_denied<T: Send>(errno: i32, f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(|| {
            let filter = [
                // A = seccomp_data.nr
                libc::sock_filter {
                    code: (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16,
                    jt: 0,
                    jf: 0,
                    k: 0,
                },
                libc::sock_filter {
                    code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
                    jt: 0,
                    jf: 1,
                    k: libc::SYS_io_uring_setup as u32,
                },
                libc::sock_filter {
                    code: (libc::BPF_RET | libc::BPF_K) as u16,
                    jt: 0,
                    jf: 0,
                    k: libc::SECCOMP_RET_ERRNO | errno as u32,
                },
                libc::sock_filter {
                    code: (libc::BPF_RET | libc::BPF_K) as u16,
                    jt: 0,
                    jf: 0,
                    k: libc::SECCOMP_RET_ALLOW,
                },
            ];
            let prog = libc::sock_fprog {
                len: filter.len() as u16,
                filter: filter.as_ptr().cast_mut(),
            };
            // SAFETY: PR_SET_NO_NEW_PRIVS takes integer arguments; PR_SET_SECCOMP reads the
            // `sock_fprog` (and the filter it points to), both alive for the call. Both apply to
            // this thread only.
            unsafe {
                assert_eq!(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
                assert_eq!(
                    libc::prctl(
                        libc::PR_SET_SECCOMP,
                        libc::SECCOMP_MODE_FILTER,
                        &raw const prog
                    ),
                    0,
                    "{}",
                    std::io::Error::last_os_error()
                );
            }
            f()
        })
        .join()
        .unwrap()
    })
}

#[test]
fn io_uring_missing_or_denied_by_seccomp_is_enosys_with_the_remedy() {
    let err = with_io_uring_setup_denied(libc::ENOSYS, || Ring::new(4).unwrap_err());
    assert_eq!(uring::error::errno(&err), Some(libc::ENOSYS));
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    let msg = err.to_string();
    assert!(msg.contains("seccomp"), "{msg}");
    assert!(msg.contains("Linux 5.1"), "{msg}");
    assert!(msg.contains("CONFIG_IO_URING"), "{msg}");
}

#[test]
fn io_uring_denied_with_eperm_names_sysctl_or_policy() {
    let err = with_io_uring_setup_denied(libc::EPERM, || Ring::new(4).unwrap_err());
    assert_eq!(uring::error::errno(&err), Some(libc::EPERM));
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    let msg = err.to_string();
    // With kernel.io_uring_disabled = 0 (as here) the cause is a security policy; with 1 or 2
    // the message names the sysctl.
    match std::fs::read_to_string("/proc/sys/kernel/io_uring_disabled").map(|s| s.trim().to_owned())
    {
        Ok(v) if v == "1" || v == "2" => assert!(msg.contains("kernel.io_uring_disabled"), "{msg}"),
        _ => assert!(msg.contains("seccomp"), "{msg}"),
    }
}

#[test]
fn the_probe_example_reason_is_the_same_error() {
    // What the probe example prints when io_uring is unusable: Ring::new's error as is.
    let err = with_io_uring_setup_denied(libc::ENOSYS, || uring::Probe::new().unwrap_err());
    assert_eq!(uring::error::errno(&err), Some(libc::ENOSYS));
}
