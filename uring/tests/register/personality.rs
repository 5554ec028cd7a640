//! Personalities (ids usable on SQEs, their credentials used) and restrictions.

use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use uring::register::Restriction;
use uring::{Ring, SqeFlags};

use super::*;

#[test]
fn personality_ids_are_usable_on_sqes_and_unregister() {
    let mut ring = Ring::new(8).unwrap();
    let id = ring.submitter().register_personality().unwrap();
    assert!(id > 0);
    let c = util::run(&mut ring, &[util::nop(1).personality(id)], 1).unwrap();
    assert_eq!(c[0].res(), 0, "a registered personality is accepted");
    let c = util::run(&mut ring, &[util::nop(2).personality(id + 100)], 1).unwrap();
    assert_eq!(
        c[0].res(),
        -libc::EINVAL,
        "an unknown personality is EINVAL"
    );
    ring.submitter().unregister_personality(id).unwrap();
    let c = util::run(&mut ring, &[util::nop(3).personality(id)], 1).unwrap();
    assert_eq!(
        c[0].res(),
        -libc::EINVAL,
        "unregistered personality still accepted"
    );
    assert_errno(
        ring.submitter().unregister_personality(id),
        libc::EINVAL,
        "IORING_UNREGISTER_PERSONALITY",
    );
}

/// The credentials a personality records are the ones its SQEs run with: a thread that gave up
/// root can still open a root-only file through the personality it registered as root.
#[test]
fn personality_runs_with_the_registered_credentials() {
    // SAFETY: plain syscall.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("SKIPPED personality_runs_with_the_registered_credentials: needs root");
        return;
    }
    let dir = std::env::temp_dir().join(format!("uring-reg-pers-{}", std::process::id()));
    std::fs::write(&dir, b"secret").unwrap();
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let path = CString::new(dir.to_str().unwrap()).unwrap();
    let result = std::thread::spawn(move || {
        let mut ring = Ring::new(8).unwrap();
        let id = ring.submitter().register_personality().unwrap();
        // Drop root in this thread only: the raw syscall bypasses glibc's all-threads setxid.
        // SAFETY: plain syscall; it changes this thread's credentials only.
        let r = unsafe { libc::syscall(libc::SYS_setresuid, 65534, 65534, 65534) };
        assert_eq!(r, 0, "setresuid: {}", io::Error::last_os_error());
        let open = |ud: u64, personality: Option<u16>| {
            let mut sqe = uring::Sqe::new(uring_sys::IORING_OP_OPENAT).user_data(ud);
            if let Some(p) = personality {
                sqe = sqe.personality(p);
            }
            let raw = sqe.as_raw_mut();
            raw.fd = libc::AT_FDCWD;
            raw.addr_union.addr = path.as_ptr() as u64;
            raw.rw_flags_union.open_flags = (libc::O_RDONLY | libc::O_CLOEXEC) as u32;
            sqe
        };
        // SAFETY: `path` outlives the call, which waits for the CQE.
        let without = unsafe { run_one(&mut ring, open(1, None)) }.res();
        // SAFETY: `path` outlives the call, which waits for the CQE.
        let with = unsafe { run_one(&mut ring, open(2, Some(id))) }.res();
        if with >= 0 {
            // SAFETY: the CQE's result is a fresh fd we own.
            drop(unsafe { OwnedFd::from_raw_fd(with) });
        }
        (without, with)
    })
    .join()
    .unwrap();
    let _ = std::fs::remove_file(&dir);
    assert_eq!(result.0, -libc::EACCES, "as nobody the open must fail");
    assert!(
        result.1 >= 0,
        "with the root personality the open must succeed: {}",
        result.1
    );
}

#[test]
fn restrictions_refuse_what_they_do_not_allow() {
    let mut ring: Ring = Ring::builder().disabled().build(8).unwrap();
    let s = ring.submitter();
    s.register_restrictions(&[
        Restriction::sqe_op(uring_sys::IORING_OP_NOP),
        Restriction::sqe_flags_allowed(SqeFlags::IO_LINK),
        Restriction::register_op(uring_sys::IORING_REGISTER_PROBE as u8),
    ])
    .unwrap();
    assert_errno(
        s.register_restrictions(&[Restriction::sqe_op(uring_sys::IORING_OP_READ)]),
        libc::EBUSY,
        "IORING_REGISTER_RESTRICTIONS",
    );
    s.register_enable_rings().unwrap();
    // Restrictions now apply to register opcodes too: ENABLE_RINGS is not allowed.
    assert_errno(
        ring.submitter().register_enable_rings(),
        libc::EACCES,
        "IORING_REGISTER_ENABLE_RINGS",
    );

    let c = util::run(&mut ring, &[util::nop(1)], 1).unwrap();
    assert_eq!(c[0].res(), 0, "NOP is allowed");
    let c = util::run(&mut ring, &[util::nop(2).flags(SqeFlags::IO_LINK)], 1).unwrap();
    assert_eq!(c[0].res(), 0, "IO_LINK is an allowed flag");
    let c = util::run(&mut ring, &[util::nop(3).flags(SqeFlags::ASYNC)], 1).unwrap();
    assert_eq!(c[0].res(), -libc::EACCES, "ASYNC is not an allowed flag");
    let mut buf = [0u8; 4];
    let (r, _w) = pipe();
    // SAFETY: the request is refused before it reads anything; `buf` outlives it anyway.
    let c = unsafe { run_one(&mut ring, read_sqe(r.as_raw_fd(), &mut buf, 4)) };
    assert_eq!(c.res(), -libc::EACCES, "READ is not an allowed opcode");
    // Register opcodes are restricted too: PROBE allowed, PERSONALITY not.
    ring.submitter().register_probe().unwrap();
    assert_errno(
        ring.submitter().register_personality(),
        libc::EACCES,
        "IORING_REGISTER_PERSONALITY",
    );
}

#[test]
fn restrictions_need_a_disabled_ring() {
    let ring = Ring::new(2).unwrap();
    assert_errno(
        ring.submitter()
            .register_restrictions(&[Restriction::sqe_op(uring_sys::IORING_OP_NOP)]),
        libc::EBADFD,
        "IORING_REGISTER_RESTRICTIONS",
    );
    assert_errno(
        ring.submitter().register_enable_rings(),
        libc::EBADFD,
        "IORING_REGISTER_ENABLE_RINGS",
    );
}
