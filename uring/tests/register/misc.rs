//! eventfd, probe, personality, restrictions, io-wq, ring fds, sync cancel, NAPI, clock.

use std::ffi::CString;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

use uring::register::{Clock, IowqMaxWorkers, Napi, NapiTracking, Restriction, SyncCancel};
use uring::{Ring, SqeFlags};

use super::*;

fn eventfd() -> OwnedFd {
    // SAFETY: plain syscall.
    let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
    assert!(fd >= 0, "eventfd: {}", io::Error::last_os_error());
    // SAFETY: a fresh fd owned by nobody else.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// The eventfd's counter (resetting it), or `None` when it is 0 (EAGAIN).
fn eventfd_count(fd: &OwnedFd) -> Option<u64> {
    let mut v = 0u64;
    // SAFETY: `v` is 8 writable bytes.
    let n = unsafe { libc::read(fd.as_raw_fd(), (&raw mut v).cast(), 8) };
    if n == 8 {
        Some(v)
    } else {
        assert_eq!(
            io::Error::last_os_error().raw_os_error(),
            Some(libc::EAGAIN)
        );
        None
    }
}

#[test]
fn eventfd_counts_completions_until_unregistered() {
    let mut ring = Ring::new(8).unwrap();
    let efd = eventfd();
    ring.submitter().register_eventfd(efd.as_fd()).unwrap();
    assert_errno(
        ring.submitter().register_eventfd(efd.as_fd()),
        libc::EBUSY,
        "IORING_REGISTER_EVENTFD",
    );
    util::run(&mut ring, &[util::nop(1), util::nop(2)], 2).unwrap();
    let n = eventfd_count(&efd).expect("the eventfd was signalled");
    assert!(n >= 1, "count {n}");

    ring.submitter().unregister_eventfd().unwrap();
    util::run(&mut ring, &[util::nop(3)], 1).unwrap();
    assert_eq!(eventfd_count(&efd), None, "no signal after unregister");
    assert_errno(
        ring.submitter().unregister_eventfd(),
        libc::ENXIO,
        "IORING_UNREGISTER_EVENTFD",
    );
}

#[test]
fn eventfd_not_an_eventfd_is_einval() {
    let ring = Ring::new(2).unwrap();
    let (r, _w) = pipe();
    assert_errno(
        ring.submitter().register_eventfd(r.as_fd()),
        libc::EINVAL,
        "IORING_REGISTER_EVENTFD",
    );
}

#[test]
fn eventfd_async_skips_inline_completions() {
    let mut ring = Ring::new(8).unwrap();
    let efd = eventfd();
    ring.submitter()
        .register_eventfd_async(efd.as_fd())
        .unwrap();
    // A NOP completes inline, at submission: no signal.
    util::run(&mut ring, &[util::nop(1)], 1).unwrap();
    assert_eq!(eventfd_count(&efd), None, "inline completion signalled");
    // A read forced onto an io-wq worker completes there: signal. The data is written first:
    // a worker that found the pipe empty would arm a poll instead, and the read would then
    // complete from task work, inline (no signal) — a race the kernel matrix met on 7.2.
    let (r, w) = pipe();
    let mut buf = [0u8; 8];
    write_all(&w, b"late");
    let sqe = read_sqe(r.as_raw_fd(), &mut buf, 2).flags(SqeFlags::ASYNC);
    // SAFETY: `buf` outlives the request: we wait for its CQE below.
    unsafe { ring.push(&sqe) }.unwrap();
    ring.submit().unwrap();
    let c = wait_for(&mut ring, 2);
    assert_eq!(c.res(), 4);
    assert!(
        eventfd_count(&efd).is_some(),
        "async completion not signalled"
    );
}

#[test]
fn probe_reports_the_opcodes() {
    let ring = Ring::new(2).unwrap();
    let p = ring.submitter().register_probe().unwrap();
    // Linux 5.6 (the probe's release) has every opcode up to EPOLL_CTL; the rest is the
    // kernel's to say, but nothing past last_op is supported.
    for op in uring_sys::IORING_OP_NOP..=uring_sys::IORING_OP_EPOLL_CTL {
        assert!(p.is_supported(op), "opcode {op} of Linux 5.6");
    }
    assert!(p.last_op() >= uring_sys::IORING_OP_EPOLL_CTL);
    assert!((p.last_op().saturating_add(1)..=255).all(|op| !p.is_supported(op)));
}

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

/// The io-wq workers of the calling thread: `iou-wrk-<tid>` tasks.
fn my_iowq_workers() -> Vec<String> {
    // SAFETY: plain syscall.
    let tid = unsafe { libc::gettid() };
    let want = format!("iou-wrk-{tid}");
    let mut out = Vec::new();
    for t in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let comm = std::fs::read_to_string(t.path().join("comm")).unwrap_or_default();
        if comm.trim() == want {
            let status = std::fs::read_to_string(t.path().join("status")).unwrap_or_default();
            for line in status.lines() {
                if let Some(v) = line.strip_prefix("Cpus_allowed_list:") {
                    out.push(v.trim().to_owned());
                }
            }
        }
    }
    out
}

#[test]
fn iowq_affinity_pins_the_workers() {
    let mut ring = Ring::new(8).unwrap();
    let e = ring.submitter().register_iowq_aff(&[]).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    ring.submitter().register_iowq_aff(&[0]).unwrap();
    // A forced-async read on an empty pipe parks an io-wq worker in read(2).
    let (r, w) = pipe();
    let mut buf = [0u8; 4];
    let sqe = read_sqe(r.as_raw_fd(), &mut buf, 1).flags(SqeFlags::ASYNC);
    // SAFETY: `buf` outlives the request: we wait for its CQE below.
    unsafe { ring.push(&sqe) }.unwrap();
    ring.submit().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut workers = my_iowq_workers();
    while workers.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
        workers = my_iowq_workers();
    }
    assert!(!workers.is_empty(), "no io-wq worker appeared");
    assert!(
        workers.iter().all(|cpus| cpus == "0"),
        "workers not pinned to CPU 0: {workers:?}"
    );
    write_all(&w, b"done");
    assert_eq!(wait_for(&mut ring, 1).res(), 4);
    ring.submitter().unregister_iowq_aff().unwrap();
}

#[test]
fn iowq_max_workers_set_and_read_back() {
    let ring = Ring::new(8).unwrap();
    let s = ring.submitter();
    let before = s
        .register_iowq_max_workers(IowqMaxWorkers::default())
        .unwrap();
    assert!(before.bounded > 0 && before.unbounded > 0, "{before:?}");
    let prev = s
        .register_iowq_max_workers(IowqMaxWorkers {
            bounded: 2,
            unbounded: 3,
        })
        .unwrap();
    assert_eq!(prev, before, "setting returns the previous limits");
    let now = s
        .register_iowq_max_workers(IowqMaxWorkers::default())
        .unwrap();
    assert_eq!(
        now,
        IowqMaxWorkers {
            bounded: 2,
            unbounded: 3
        }
    );
    // Put the limits back for the other tests of this thread's io-wq.
    s.register_iowq_max_workers(before).unwrap();
}

#[test]
fn ring_fds_registered_index_enters_the_ring() {
    let ring = Ring::new(2).unwrap();
    let mut target = Ring::new(4).unwrap();
    // SAFETY: the index this returns is only entered and then unregistered by this test; no
    // ring of this thread was built with `registered_ring_fd()` to be confused by it.
    let r = unsafe { ring.submitter().register_ring_fds(&[target.as_fd()]) };
    if unsupported(&r, "ring_fds_registered_index_enters_the_ring") {
        return;
    }
    let idx = r.unwrap();
    assert_eq!(idx.len(), 1);
    // SAFETY: a NOP points to nothing.
    unsafe { target.push(&util::nop(77)) }.unwrap();
    // Publish the tail without submitting: take and drop the SQ handle.
    drop(target.sq());
    let flags = uring_sys::IORING_ENTER_REGISTERED_RING | uring_sys::IORING_ENTER_GETEVENTS;
    // SAFETY: `idx[0]` is a ring index registered in this thread; no sigmask.
    let n = unsafe { uring_sys::io_uring_enter(idx[0] as i32, 1, 1, flags, std::ptr::null()) };
    assert_eq!(n, 1, "enter by index: {}", io::Error::last_os_error());
    assert_eq!(wait_for(&mut target, 77).res(), 0);

    // SAFETY: `idx` is this test's own registration, which no `Ring` uses.
    let removed = unsafe { ring.submitter().unregister_ring_fds(&idx) };
    assert_eq!(removed.unwrap(), 1);
    // SAFETY: as above; the index is now empty, which the kernel reports.
    let n = unsafe { uring_sys::io_uring_enter(idx[0] as i32, 0, 0, flags, std::ptr::null()) };
    assert_eq!(n, -1);
    assert_eq!(io::Error::last_os_error().raw_os_error(), Some(libc::EBADF));

    // At most 16 per call.
    let fds: Vec<_> = (0..17).map(|_| target.as_fd()).collect();
    assert_errno(
        // SAFETY: refused (17 > 16): nothing is registered.
        unsafe { ring.submitter().register_ring_fds(&fds) },
        libc::EINVAL,
        "IORING_REGISTER_RING_FDS",
    );
}

#[test]
fn sync_cancel_cancels_a_pending_read() {
    let mut ring = Ring::new(8).unwrap();
    let (r, _w) = pipe();
    let mut buf = [0u8; 8];
    let mut buf2 = [0u8; 8];
    let sqe = read_sqe(r.as_raw_fd(), &mut buf, 42);
    let sqe2 = read_sqe(r.as_raw_fd(), &mut buf2, 43);
    // SAFETY: `buf`/`buf2` outlive the requests: both are cancelled and reaped below.
    unsafe { ring.push_multiple(&[sqe, sqe2]) }.unwrap();
    ring.submit().unwrap();
    let s = ring.submitter();
    let reg = s.register_sync_cancel(&SyncCancel::user_data(42));
    if unsupported(&reg, "sync_cancel_cancels_a_pending_read") {
        // Cancel both reads the old way (an ASYNC_CANCEL SQE each) and reap all four CQEs
        // before the buffers go.
        let cancels: Vec<Sqe> = [42u64, 43]
            .iter()
            .map(|&ud| {
                let mut c = Sqe::new(uring_sys::IORING_OP_ASYNC_CANCEL).user_data(100 + ud);
                c.as_raw_mut().addr_union.addr = ud;
                c
            })
            .collect();
        let all = util::run(&mut ring, &cancels, 4).unwrap();
        assert!(all.iter().any(|c| c.user_data() == 42) && all.iter().any(|c| c.user_data() == 43));
        return;
    }
    reg.unwrap();
    assert_eq!(wait_for(&mut ring, 42).res(), -libc::ECANCELED);
    assert!(drain(&mut ring).is_empty(), "only 42 was cancelled");
    assert_errno(
        ring.submitter()
            .register_sync_cancel(&SyncCancel::user_data(42)),
        libc::ENOENT,
        "IORING_REGISTER_SYNC_CANCEL",
    );
    // By fd, all matches, with a timeout.
    let n = ring
        .submitter()
        .register_sync_cancel(
            &SyncCancel::fd(r.as_fd())
                .all()
                .timeout(Duration::from_secs(1)),
        )
        .unwrap();
    assert_eq!(n, 1, "ALL returns how many it cancelled");
    assert_eq!(wait_for(&mut ring, 43).res(), -libc::ECANCELED);
    // ANY with nothing left: zero cancelled, not an error.
    assert_eq!(
        ring.submitter()
            .register_sync_cancel(&SyncCancel::any())
            .unwrap(),
        0
    );
    // A bad fixed-file key is an error.
    assert_errno(
        ring.submitter()
            .register_sync_cancel(&SyncCancel::fixed_fd(3)),
        libc::EBADF,
        "IORING_REGISTER_SYNC_CANCEL",
    );
}

#[test]
fn napi_settings_round_trip() {
    let ring = Ring::new(2).unwrap();
    let s = ring.submitter();
    let a = Napi {
        busy_poll_timeout_us: 100,
        prefer_busy_poll: true,
        tracking: NapiTracking::DYNAMIC,
    };
    let r = s.register_napi(a);
    if unsupported(&r, "napi_settings_round_trip") {
        return;
    }
    let before = r.unwrap();
    assert_eq!(
        (before.busy_poll_timeout_us, before.prefer_busy_poll),
        (0, false),
        "no NAPI settings before: {before:?}"
    );
    let b = Napi {
        busy_poll_timeout_us: 250,
        prefer_busy_poll: false,
        tracking: NapiTracking::STATIC,
    };
    let r = s.register_napi(b);
    if let Err(e) = &r {
        if errno(e) == Some(libc::EINVAL) {
            s.unregister_napi().unwrap();
            util::skip(
                "napi_settings_round_trip",
                format!("the kernel refused static NAPI tracking (Linux 6.13+): {e}"),
            );
            return;
        }
    }
    assert_eq!(r.unwrap(), a, "returns the previous settings");
    // Static tracking keeps a list of ids: adding twice is EEXIST, removing twice ENOENT.
    let id = 0x7fff_0000;
    s.register_napi_add_id(id).unwrap();
    assert_errno(
        s.register_napi_add_id(id),
        libc::EEXIST,
        "IORING_REGISTER_NAPI",
    );
    s.register_napi_del_id(id).unwrap();
    assert_errno(
        s.register_napi_del_id(id),
        libc::ENOENT,
        "IORING_REGISTER_NAPI",
    );
    // Ids below the NAPI id range are invalid.
    assert_errno(
        s.register_napi_add_id(1),
        libc::EINVAL,
        "IORING_REGISTER_NAPI",
    );
    // Registering again reports the previous settings, the tracking strategy included.
    assert_eq!(s.register_napi(b).unwrap(), b);
    let had = s.unregister_napi().unwrap();
    assert_eq!(
        (had.busy_poll_timeout_us, had.prefer_busy_poll),
        (250, false),
        "unregister returns the settings it had"
    );
    // Dynamic tracking has no static list.
    s.register_napi(a).unwrap();
    assert_errno(
        s.register_napi_add_id(id),
        libc::EINVAL,
        "IORING_REGISTER_NAPI",
    );
    s.unregister_napi().unwrap();
}

#[test]
fn clock_boottime_and_monotonic_are_accepted_realtime_is_not() {
    let ring = Ring::new(2).unwrap();
    let s = ring.submitter();
    let r = s.register_clock(Clock::Boottime);
    if unsupported(&r, "clock") {
        return;
    }
    r.unwrap();
    // The wait timeout still works on the boottime clock.
    let t = Instant::now();
    s.wait(1, Some(Duration::from_millis(30))).unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(25),
        "{:?}",
        t.elapsed()
    );
    s.register_clock(Clock::Monotonic).unwrap();
    let mut raw = [0u32; 4];
    raw[0] = libc::CLOCK_REALTIME as u32;
    // SAFETY: `raw` is a live `io_uring_clock_register`-shaped buffer.
    let e = unsafe { s.register_raw(uring_sys::IORING_REGISTER_CLOCK, raw.as_ptr().cast(), 0) }
        .unwrap_err();
    assert_eq!(errno(&e), Some(libc::EINVAL));
}

/// A registration the kernel does not know fails with EINVAL, like bad arguments do: the
/// message names the opcode and the release that added it. Runs where NAPI (Linux 6.9) is
/// missing (5.10 and 6.1 in the kernel matrix).
#[test]
fn a_registration_the_kernel_lacks_names_its_release() {
    let ring = Ring::new(2).unwrap();
    let s = ring.submitter();
    let settings = Napi {
        busy_poll_timeout_us: 100,
        prefer_busy_poll: false,
        tracking: NapiTracking::DYNAMIC,
    };
    match s.register_napi(settings) {
        Ok(_) => {
            s.unregister_napi().unwrap();
            util::skip(
                "a_registration_the_kernel_lacks_names_its_release",
                "this kernel has IORING_REGISTER_NAPI (the check runs on kernels before 6.9)",
            );
        }
        Err(e) => {
            assert_eq!(errno(&e), Some(libc::EINVAL), "{e}");
            let msg = e.to_string();
            assert!(
                msg.contains("IORING_REGISTER_NAPI") && msg.contains("needs Linux 6.9+"),
                "{msg}"
            );
        }
    }
}
