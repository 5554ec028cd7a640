//! Every setup option the kernel accepts, checked by its effect where it has an observable one.

use std::time::{Duration, Instant};

use uring::{Cqe, Cqe32, Ring, SetupFlags, Sqe, Sqe128};
use uring_sys as sys;

use crate::util::{nop, ring_or_skip, run};

/// Reaps from `ring` until `n` CQEs arrived or `deadline` passed, without entering the kernel.
fn spin_for<S: uring::SqeEntry>(ring: &mut Ring<S>, n: usize, within: Duration) -> Vec<Cqe> {
    let start = Instant::now();
    let mut out = Vec::new();
    while out.len() < n && start.elapsed() < within {
        out.extend(ring.cq());
        std::hint::spin_loop();
    }
    out
}

#[test]
fn cqsize_sets_the_cq_size() {
    let ring: Ring = Ring::builder().cq_entries(100).build(8).unwrap();
    assert_eq!(ring.sq_entries(), 8);
    assert_eq!(ring.cq_entries(), 128);
    assert!(ring.flags().contains(SetupFlags::CQSIZE));
}

#[test]
fn clamp_clamps_instead_of_failing() {
    let ring: Ring = Ring::builder().clamp().build(1 << 20).unwrap();
    assert_eq!(ring.sq_entries(), 32768);
    assert_eq!(ring.cq_entries(), 65536);
}

#[test]
fn sqpoll_submits_without_enter() {
    let Some(mut ring) = ring_or_skip(Ring::<Sqe, Cqe>::builder().sqpoll(2000), 8, "sqpoll") else {
        return;
    };
    assert!(ring.flags().contains(SetupFlags::SQPOLL));
    // The poller may start asleep (its idle clock starts with its first work), so the first
    // SQE goes through submit(), which wakes it if NEED_WAKEUP says so.
    // SAFETY: NOPs carry no pointers.
    unsafe { ring.push(&nop(1)).unwrap() };
    ring.submit().unwrap();
    assert_eq!(spin_for(&mut ring, 1, Duration::from_secs(5)).len(), 1);
    // Now it polls for 2 s: publishing the tail is enough, no syscall.
    for i in 2..10u64 {
        {
            let mut sq = ring.sq();
            // SAFETY: NOPs carry no pointers.
            unsafe { sq.push(&nop(i)).unwrap() };
        }
        let got = spin_for(&mut ring, 1, Duration::from_secs(5));
        assert_eq!(
            got.len(),
            1,
            "the SQPOLL thread should consume the SQE without a syscall"
        );
        assert_eq!(got[0].user_data(), i);
    }
}

#[test]
fn sqpoll_need_wakeup_and_submit_wakes_it() {
    let Some(mut ring) = ring_or_skip(Ring::<Sqe, Cqe>::builder().sqpoll(5), 8, "sqpoll_wakeup")
    else {
        return;
    };
    // Idle 5 ms: after 200 ms the poller sleeps and says so.
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        ring.sq().need_wakeup(),
        "the idle SQPOLL thread should set NEED_WAKEUP"
    );
    {
        let mut sq = ring.sq();
        // SAFETY: NOPs carry no pointers.
        unsafe { sq.push(&nop(2)).unwrap() };
    }
    // submit() sees NEED_WAKEUP (after its fence) and enters with SQ_WAKEUP.
    assert_eq!(ring.submit().unwrap(), 1);
    let got = spin_for(&mut ring, 1, Duration::from_secs(5));
    assert_eq!(got.len(), 1);
    // Many rounds across sleeps and wake-ups: nothing is ever stuck.
    for i in 0..50u64 {
        {
            let mut sq = ring.sq();
            // SAFETY: NOPs carry no pointers.
            unsafe { sq.push(&nop(100 + i)).unwrap() };
        }
        ring.submit().unwrap();
        let got = spin_for(&mut ring, 1, Duration::from_secs(5));
        assert_eq!(got.len(), 1, "round {i}");
        if i % 10 == 0 {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn sqpoll_with_cpu_affinity() {
    let Some(mut ring) = ring_or_skip(
        Ring::<Sqe, Cqe>::builder().sqpoll(100).sq_thread_cpu(0),
        4,
        "sq_aff",
    ) else {
        return;
    };
    assert!(ring.flags().contains(SetupFlags::SQ_AFF));
    let got = run_sqpoll_nop(&mut ring);
    assert_eq!(got, 1);
    // The effect: the poller thread (`iou-sqp-<pid>`, one of our tasks) is pinned to CPU 0.
    // Other tests' SQPOLL rings are unpinned, so one pinned poller must be ours.
    let pinned = std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(Result::ok)
        .filter(|t| {
            std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.starts_with("iou-sqp"))
        })
        .filter_map(|t| std::fs::read_to_string(t.path().join("status")).ok())
        .any(|status| {
            status.lines().any(|l| {
                l.starts_with("Cpus_allowed_list:") && l.split_whitespace().nth(1) == Some("0")
            })
        });
    assert!(
        pinned,
        "no iou-sqp thread of this process is pinned to CPU 0"
    );
}

fn run_sqpoll_nop(ring: &mut Ring) -> usize {
    // SAFETY: NOPs carry no pointers.
    unsafe { ring.push(&nop(5)).unwrap() };
    ring.submit().unwrap();
    spin_for(ring, 1, Duration::from_secs(5)).len()
}

#[test]
fn attach_wq_shares_the_backend() {
    let first = Ring::new(4).unwrap();
    let mut second: Ring = Ring::builder().attach_wq(&first).build(4).unwrap();
    assert!(second.flags().contains(SetupFlags::ATTACH_WQ));
    assert_eq!(run(&mut second, &[nop(1)], 1).unwrap().len(), 1);
    // Attaching to something that is not a ring is refused.
    let file = std::fs::File::open("/dev/null").unwrap();
    let err = Ring::<Sqe, Cqe>::builder()
        .attach_wq(&file)
        .build(4)
        .unwrap_err();
    assert_eq!(uring::error::errno(&err), Some(libc::EINVAL), "{err}");
}

/// The threads (tasks) of this process. A new SQPOLL poller shows up here as soon as
/// `io_uring_setup` returns; its name (`iou-sqp-<pid>`) only once it has run, so counting by
/// name would race.
fn tasks() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

#[test]
fn attach_wq_shares_the_sqpoll_thread() {
    // Counting poller threads needs a process where no other test makes SQPOLL rings: the
    // parent re-runs just this test in a child and checks that it ran and passed there.
    if crate::util::ran_in_child(
        "setup::attach_wq_shares_the_sqpoll_thread",
        "URING_TEST_ATTACH_WQ_CHILD",
    ) {
        return;
    }
    let before = tasks();
    let Some(first) = ring_or_skip(Ring::<Sqe, Cqe>::builder().sqpoll(1000), 4, "attach_wq") else {
        return;
    };
    assert_eq!(tasks(), before + 1, "one SQPOLL ring, one poller thread");
    // Attached: the second ring shares the first one's poller (and io-wq), no new thread.
    let mut second: Ring = Ring::builder()
        .sqpoll(1000)
        .attach_wq(&first)
        .build(4)
        .unwrap();
    assert!(second.flags().contains(SetupFlags::ATTACH_WQ));
    assert_eq!(
        tasks(),
        before + 1,
        "the attached ring got a poller of its own"
    );
    // The shared poller serves the attached ring.
    assert_eq!(run_sqpoll_nop(&mut second), 1);
    // Not attached: a ring of its own gets a poller of its own.
    let _third: Ring = Ring::builder().sqpoll(1000).build(4).unwrap();
    assert_eq!(
        tasks(),
        before + 2,
        "an unattached SQPOLL ring has its own poller"
    );
    drop(first);
}

#[test]
fn r_disabled_refuses_until_enabled() {
    let mut ring: Ring = Ring::builder().disabled().build(4).unwrap();
    // SAFETY: NOPs carry no pointers.
    unsafe { ring.push(&nop(1)).unwrap() };
    let err = ring.submit().unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EBADFD), "{err}");
    // SAFETY: ENABLE_RINGS takes no argument.
    unsafe {
        ring.submitter()
            .register_raw(sys::IORING_REGISTER_ENABLE_RINGS, core::ptr::null(), 0)
            .unwrap()
    };
    assert_eq!(ring.submit_and_wait(1).unwrap(), 1);
    assert_eq!(ring.cq().next().unwrap().user_data(), 1);
}

/// An SQE the kernel fails at submission (an opcode it does not know).
fn bad_opcode(user_data: u64) -> Sqe {
    Sqe::new(250).user_data(user_data)
}

#[test]
fn submit_all_keeps_going_after_a_failed_sqe() {
    // Without SUBMIT_ALL the kernel stops the batch at the failing SQE.
    let mut ring = Ring::new(4).unwrap();
    // SAFETY: no pointers.
    unsafe { ring.push_multiple(&[bad_opcode(1), nop(2)]).unwrap() };
    assert_eq!(ring.submit().unwrap(), 1);
    // With SUBMIT_ALL both are consumed.
    let Some(mut ring) = ring_or_skip(Ring::<Sqe, Cqe>::builder().submit_all(), 4, "submit_all")
    else {
        return;
    };
    // SAFETY: no pointers.
    unsafe { ring.push_multiple(&[bad_opcode(1), nop(2)]).unwrap() };
    assert_eq!(ring.submit_and_wait(2).unwrap(), 2);
    let mut cqes: Vec<Cqe> = ring.cq().collect();
    cqes.sort_by_key(Cqe::user_data);
    assert_eq!(cqes[0].res(), -libc::EINVAL);
    assert_eq!(cqes[1].res(), 0);
}

#[test]
fn coop_taskrun_with_taskrun_flag() {
    let Some(mut ring) = ring_or_skip(
        Ring::<Sqe, Cqe>::builder().coop_taskrun(true),
        4,
        "coop_taskrun",
    ) else {
        return;
    };
    assert!(
        ring.flags()
            .contains(SetupFlags::COOP_TASKRUN | SetupFlags::TASKRUN_FLAG)
    );
    // A timer completion is task work: TASKRUN shows in the SQ flags, and submit() (which sees
    // it) enters with GETEVENTS to run it.
    let ts = sys::__kernel_timespec {
        tv_sec: 0,
        tv_nsec: 1_000_000,
    };
    let sqe = timeout_sqe(&ts, 7);
    // SAFETY: `ts` outlives the submission (the kernel copies it at prep).
    unsafe { ring.push(&sqe).unwrap() };
    ring.submit().unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let flagged = ring.sq().taskrun();
    ring.submit().unwrap();
    let cqes: Vec<Cqe> = ring.cq().collect();
    if cqes.is_empty() {
        assert!(
            flagged,
            "with no CQE yet, the kernel must have set IORING_SQ_TASKRUN"
        );
        ring.submit_and_wait(1).unwrap();
        assert_eq!(ring.cq().next().unwrap().res(), -libc::ETIME);
    } else {
        assert_eq!(cqes[0].res(), -libc::ETIME);
    }
}

/// `IORING_OP_TIMEOUT` of `ts` that completes with `-ETIME`.
pub(crate) fn timeout_sqe(ts: &sys::__kernel_timespec, user_data: u64) -> Sqe {
    let mut sqe = Sqe::new(sys::IORING_OP_TIMEOUT).user_data(user_data);
    let raw = sqe.as_raw_mut();
    raw.fd = -1;
    raw.addr_union.addr = core::ptr::from_ref(ts) as u64;
    raw.len = 1;
    sqe
}

#[test]
fn single_issuer_refuses_another_thread() {
    let Some(mut ring) = ring_or_skip(
        Ring::<Sqe, Cqe>::builder().single_issuer(),
        4,
        "single_issuer",
    ) else {
        return;
    };
    assert_eq!(run(&mut ring, &[nop(1)], 1).unwrap().len(), 1);
    // SAFETY: NOPs carry no pointers.
    unsafe { ring.push(&nop(2)).unwrap() };
    let err = std::thread::scope(|s| s.spawn(|| ring.submit().unwrap_err()).join().unwrap());
    assert_eq!(err.raw_os_error(), Some(libc::EEXIST), "{err}");
    // The creating thread still can.
    assert_eq!(ring.submit().unwrap(), 1);
}

#[test]
fn defer_taskrun_posts_only_when_asked() {
    let Some(mut ring) = ring_or_skip(
        Ring::<Sqe, Cqe>::builder().defer_taskrun(),
        4,
        "defer_taskrun",
    ) else {
        return;
    };
    assert!(
        ring.flags()
            .contains(SetupFlags::DEFER_TASKRUN | SetupFlags::SINGLE_ISSUER)
    );
    let ts = sys::__kernel_timespec {
        tv_sec: 0,
        tv_nsec: 1_000_000,
    };
    let sqe = timeout_sqe(&ts, 3);
    // SAFETY: `ts` outlives the submission.
    unsafe { ring.push(&sqe).unwrap() };
    ring.submit().unwrap();
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(ring.cq().count(), 0, "deferred: no CQE until GETEVENTS");
    ring.submitter().get_events().unwrap();
    let c = ring.cq().next().expect("the CQE shows after get_events");
    assert_eq!((c.user_data(), c.res()), (3, -libc::ETIME));
}

#[test]
fn no_sqarray_takes_sqes_in_ring_order() {
    let Some(mut ring) = ring_or_skip(Ring::<Sqe, Cqe>::builder().no_sqarray(), 4, "no_sqarray")
    else {
        return;
    };
    assert!(ring.flags().contains(SetupFlags::NO_SQARRAY));
    for round in 0..100u64 {
        let sqes: Vec<Sqe> = (0..3).map(|i| nop(round * 3 + i)).collect();
        let ids: Vec<u64> = run(&mut ring, &sqes, 3)
            .unwrap()
            .iter()
            .map(Cqe::user_data)
            .collect();
        assert_eq!(ids, [round * 3, round * 3 + 1, round * 3 + 2]);
    }
}

#[test]
fn sqe128_ring_takes_128_byte_sqes() {
    let Some(mut ring) = ring_or_skip(Ring::<Sqe128, Cqe>::builder(), 4, "sqe128") else {
        return;
    };
    assert!(ring.flags().contains(SetupFlags::SQE128));
    // A plain NOP in a 128-byte slot, several rounds so every slot's stride is exercised.
    for i in 0..10u64 {
        let sqe = Sqe128::from(nop(i));
        // SAFETY: NOPs carry no pointers.
        unsafe { ring.push(&sqe).unwrap() };
        ring.submit_and_wait(1).unwrap();
        let c = ring.cq().next().unwrap();
        assert_eq!((c.user_data(), c.res()), (i, 0));
    }
}

#[test]
fn nop128_on_an_sqe128_ring() {
    crate::require_ops!(sys::IORING_OP_NOP128);
    let mut ring: Ring<Sqe128> = Ring::builder().build(4).unwrap();
    let sqe = Sqe128::new(sys::IORING_OP_NOP128).into_sqe_user_data(42);
    // SAFETY: NOPs carry no pointers.
    unsafe { ring.push(&sqe).unwrap() };
    ring.submit_and_wait(1).unwrap();
    let c = ring.cq().next().unwrap();
    assert_eq!((c.user_data(), c.res()), (42, 0));
}

trait WithUserData {
    fn into_sqe_user_data(self, user_data: u64) -> Self;
}

impl WithUserData for Sqe128 {
    fn into_sqe_user_data(mut self, user_data: u64) -> Self {
        self.sqe = self.sqe.user_data(user_data);
        self
    }
}

#[test]
fn cqe32_ring_yields_32_byte_cqes() {
    let Some(mut ring) = ring_or_skip(Ring::<Sqe, Cqe32>::builder(), 4, "cqe32") else {
        return;
    };
    if !crate::util::nop_inject_or_skip("cqe32_ring_yields_32_byte_cqes") {
        return;
    }
    assert!(ring.flags().contains(SetupFlags::CQE32));
    for i in 0..10u64 {
        // Inject a result: the NOP completes with `len` as its result, in a 32-byte CQE.
        let mut sqe = nop(i);
        sqe.as_raw_mut().rw_flags_union.nop_flags = sys::IORING_NOP_INJECT_RESULT;
        sqe.as_raw_mut().len = (i as u32) + 10;
        // SAFETY: NOPs carry no pointers.
        unsafe { ring.push(&sqe).unwrap() };
        ring.submit_and_wait(1).unwrap();
        let c = ring.cq().next().unwrap();
        assert_eq!((c.cqe.user_data(), c.cqe.res()), (i, i as i32 + 10));
        assert_eq!(c.big_cqe, [0, 0]);
    }
}

#[test]
fn iopoll_ring_runs_nops() {
    let Some(mut ring) = ring_or_skip(Ring::<Sqe, Cqe>::builder().iopoll(false), 4, "iopoll")
    else {
        return;
    };
    assert!(ring.flags().contains(SetupFlags::IOPOLL));
    let cqes = run(&mut ring, &[nop(1)], 1).unwrap();
    assert_eq!(cqes[0].user_data(), 1);
}

#[test]
fn hybrid_iopoll_needs_iopoll() {
    if let Some(ring) = ring_or_skip(Ring::<Sqe, Cqe>::builder().iopoll(true), 4, "hybrid_iopoll") {
        assert!(
            ring.flags()
                .contains(SetupFlags::IOPOLL | SetupFlags::HYBRID_IOPOLL)
        );
    }
    let err = Ring::<Sqe, Cqe>::builder()
        .flags(SetupFlags::HYBRID_IOPOLL)
        .build(4)
        .unwrap_err();
    assert_eq!(uring::error::errno(&err), Some(libc::EINVAL));
}

#[test]
fn registered_ring_fd_enters_by_index() {
    let Some(mut ring) = ring_or_skip(
        Ring::<Sqe, Cqe>::builder().registered_ring_fd(),
        4,
        "registered_ring_fd_enters_by_index",
    ) else {
        return;
    };
    assert!(ring.registered_index().is_some());
    for i in 0..20 {
        assert_eq!(run(&mut ring, &[nop(i)], 1).unwrap()[0].user_data(), i);
    }
    // From another thread the index means nothing: the plain fd is used instead.
    let mut ring = std::thread::scope(|s| {
        s.spawn(move || {
            assert_eq!(run(&mut ring, &[nop(99)], 1).unwrap()[0].user_data(), 99);
            // register_raw works there too.
            assert!(ring.probe().unwrap().is_supported(sys::IORING_OP_NOP));
            ring
        })
        .join()
        .unwrap()
    });
    assert_eq!(run(&mut ring, &[nop(100)], 1).unwrap()[0].user_data(), 100);
    assert!(ring.probe().unwrap().is_supported(sys::IORING_OP_NOP));
}

#[test]
fn flags_the_crate_cannot_drive_are_refused_clearly() {
    for (flag, remedy) in [
        (SetupFlags::REGISTERED_FD_ONLY, "registered_ring_fd()"),
        (SetupFlags::SQ_REWIND, "SQ protocol does not drive it"),
        (SetupFlags::SQE_MIXED, "SQ protocol does not drive it"),
    ] {
        let err = Ring::<Sqe, Cqe>::builder()
            .flags(flag)
            .build(4)
            .unwrap_err();
        assert_eq!(uring::error::errno(&err), Some(libc::EINVAL));
        let msg = err.to_string();
        assert!(
            msg.contains("are not supported") && msg.contains(remedy),
            "{msg}"
        );
    }
}

#[test]
fn entry_size_flags_follow_the_types() {
    // Asking for SQE128 by hand on a 64-byte ring does not make a ring we would misread.
    let ring: Ring = Ring::builder().flags(SetupFlags::SQE128).build(4).unwrap();
    assert!(!ring.flags().contains(SetupFlags::SQE128));
}

#[test]
fn no_mmap_rings_live_in_our_memory() {
    // One page each (works on every NO_MMAP kernel), then a multi-page ring (Linux 6.13+ pins
    // any pages; older kernels want them contiguous and refuse).
    for (entries, cq) in [(8u32, None), (256, Some(1024u32))] {
        let mut b = Ring::<Sqe, Cqe>::builder().no_mmap();
        if let Some(cq) = cq {
            b = b.cq_entries(cq);
        }
        let Some(mut ring) = ring_or_skip(b, entries, "no_mmap") else {
            return;
        };
        assert!(ring.flags().contains(SetupFlags::NO_MMAP));
        assert_eq!(ring.sq_entries(), entries);
        for round in 0..20u64 {
            let n = entries.min(64) as u64;
            let sqes: Vec<Sqe> = (0..n).map(|i| nop(round * n + i)).collect();
            let ids: Vec<u64> = run(&mut ring, &sqes, n as usize)
                .unwrap()
                .iter()
                .map(Cqe::user_data)
                .collect();
            assert_eq!(ids, (round * n..round * n + n).collect::<Vec<_>>());
        }
    }
}

#[test]
fn no_mmap_with_sqe128_cqe32_and_no_sqarray() {
    let Some(mut ring) = ring_or_skip(
        Ring::<Sqe128, Cqe32>::builder()
            .no_mmap()
            .no_sqarray()
            .clamp(),
        16,
        "no_mmap_big_entries",
    ) else {
        return;
    };
    for i in 0..40u64 {
        // SAFETY: NOPs carry no pointers.
        unsafe { ring.push(&Sqe128::from(nop(i))).unwrap() };
        ring.submit_and_wait(1).unwrap();
        assert_eq!(ring.cq().next().unwrap().cqe.user_data(), i);
    }
}

#[test]
fn cqe_mixed_ring_yields_small_and_big_cqes_across_the_wrap() {
    let Some(mut ring) = ring_or_skip(
        Ring::<Sqe, uring::CqeMixed>::builder().cq_entries(8),
        4,
        "cqe_mixed",
    ) else {
        return;
    };
    assert!(ring.flags().contains(SetupFlags::CQE_MIXED));
    assert_eq!(ring.cq_entries(), 8);
    // Rounds of 3 NOPs: small, big, small = 4 slots; an 8-slot CQ means big CQEs land at
    // every offset, including the last slot, where the kernel pads with a SKIP entry.
    let mut id = 0u64;
    for round in 0..50u64 {
        let pattern = [false, true, round % 2 == 0];
        let sqes: Vec<Sqe> = pattern
            .iter()
            .map(|&big| {
                let mut sqe = nop(id);
                id += 1;
                if big {
                    sqe.as_raw_mut().rw_flags_union.nop_flags = sys::IORING_NOP_CQE32;
                }
                sqe
            })
            .collect();
        // SAFETY: NOPs carry no pointers.
        unsafe { ring.push_multiple(&sqes).unwrap() };
        ring.submit_and_wait(3).unwrap();
        let got: Vec<uring::CqeMixed> = ring.cq().collect();
        assert_eq!(got.len(), 3, "round {round}: {got:?}");
        for (i, c) in got.iter().enumerate() {
            assert_eq!(c.cqe.user_data(), id - 3 + i as u64, "round {round}");
            assert_eq!(c.cqe.res(), 0);
            assert_eq!(c.is_big(), pattern[i], "round {round}: {c:?}");
            assert!(!c.cqe.flags().contains(uring::CqeFlags::SKIP));
        }
    }
}

#[test]
fn sqpoll_squeue_wait_waits_for_room() {
    let Some(mut ring) = ring_or_skip(Ring::<Sqe, Cqe>::builder().sqpoll(1000), 4, "sq_wait")
    else {
        return;
    };
    let mut pushed = 0u64;
    let start = Instant::now();
    while pushed < 200 {
        // SAFETY: NOPs carry no pointers.
        match unsafe { ring.push(&nop(pushed)) } {
            Ok(()) => pushed += 1,
            Err(_) => {
                // Full: wake the poller if it sleeps, then wait for room.
                ring.submit().unwrap();
                ring.submitter().squeue_wait().unwrap();
                assert!(ring.sq_space_left() > 0, "SQ_WAIT returned with no room");
            }
        }
        // Reap as we go so the CQ never overflows.
        ring.cq().for_each(drop);
        assert!(start.elapsed() < Duration::from_secs(10));
    }
    ring.submit().unwrap();
}
