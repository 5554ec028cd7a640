//! io-wq: worker affinity and worker limits.

use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use uring::register::IowqMaxWorkers;
use uring::{Ring, SqeFlags};

use super::*;

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

/// Red-team finding: the mask was sized by the largest CPU number named, so
/// `register_iowq_aff(&[usize::MAX])` (safe) asked the allocator for 2^61 bytes and aborted
/// the process, and any CPU number in the billions allocated gigabytes. CPUs no kernel can
/// have are ignored now, as the docs say of CPUs beyond the kernel's mask, and a list naming
/// only such CPUs is refused up front like an empty one.
#[test]
fn iowq_affinity_with_absurd_cpu_numbers_is_refused_not_an_abort() {
    let ring = Ring::new(8).unwrap();
    for cpus in [&[usize::MAX][..], &[1 << 40], &[usize::MAX / 2, 1 << 33]] {
        let e = ring.submitter().register_iowq_aff(cpus).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{cpus:?}: {e}");
    }
    // A usable CPU next to an absurd one: the absurd one is ignored, as a CPU beyond the
    // kernel's mask is.
    ring.submitter()
        .register_iowq_aff(&[0, usize::MAX])
        .unwrap();
    ring.submitter().unregister_iowq_aff().unwrap();
}
