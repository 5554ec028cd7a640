//! The model against the real kernel (differential; not under Miri).

use super::*;

/// NOP chains with injected results, links, hardlinks and CQE_SKIP_SUCCESS, submitted in the
/// same batches to a real ring and to the model: the same CQEs (per user_data) must come out.
#[cfg_attr(miri, ignore = "needs the kernel")]
#[test]
fn the_model_agrees_with_the_kernel_on_nop_chains() {
    let probe = Ring::new(8).and_then(|r| r.probe());
    let Ok(probe) = probe else {
        println!("skipped: no io_uring ({probe:?})");
        return;
    };
    if !probe.is_supported(sys::IORING_OP_NOP) {
        println!("skipped: the kernel's probe says NOP is unsupported");
        return;
    }
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let nops = proptest::collection::vec((0u8..16, -3i32..3, any::<bool>()), 1..24);
    runner
        .run(&nops, |nops| {
            let mut real = Ring::builder().cq_entries(64).build(32).expect("real ring");
            let (mut model, _m) = ring(Config::new(32).cq_entries(64));
            let mut sqes = Vec::new();
            let mut batches = Vec::new();
            for (i, &(f, res, end)) in nops.iter().enumerate() {
                let mut flags = SqeFlags::empty();
                if f & 1 != 0 {
                    flags |= SqeFlags::IO_LINK;
                }
                if f & 2 != 0 {
                    flags |= SqeFlags::IO_HARDLINK;
                }
                if f & 4 != 0 {
                    flags |= SqeFlags::CQE_SKIP_SUCCESS;
                }
                let mut sqe = nop(i as u64).flags(flags);
                sqe.as_raw_mut().rw_flags_union.nop_flags = sys::IORING_NOP_INJECT_RESULT;
                sqe.as_raw_mut().len = res as u32;
                sqes.push(sqe);
                if end || i + 1 == nops.len() {
                    batches.push(core::mem::take(&mut sqes));
                }
            }
            let mut got = [Vec::new(), Vec::new()];
            // The model first (instant), then the kernel until as many CQEs came (a chain left
            // open at a batch end goes to io-wq and completes later), plus a short look for
            // extra ones.
            for (k, r) in [&mut model, &mut real].into_iter().enumerate() {
                for b in &batches {
                    // SAFETY: NOPs carry no pointers.
                    unsafe { r.push_multiple(b) }.expect("room");
                    r.submit().expect("submit");
                }
                let want = if k == 0 { 0 } else { got[0].len() };
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
                let mut v = reap(r);
                while v.len() < want && std::time::Instant::now() < deadline {
                    let _ = r
                        .submitter()
                        .wait(1, Some(std::time::Duration::from_millis(50)));
                    v.extend(reap(r));
                }
                let _ = r
                    .submitter()
                    .wait(1, Some(std::time::Duration::from_millis(2)));
                v.extend(reap(r));
                v.sort_unstable();
                got[k] = v;
            }
            prop_assert_eq!(
                &got[0],
                &got[1],
                "model (left) vs kernel (right) for {:?}",
                nops
            );
            Ok(())
        })
        .unwrap();
}

/// Every byte of a pushed SQE reaches the ring slot as it was (the push copies SQEs as words):
/// SQEs whose 64 bytes are all different, pushed one by one and all at once across the wrap.
#[test]
fn pushed_sqes_arrive_byte_for_byte() {
    use std::sync::{Arc, Mutex};
    let (mut r, m) = ring(Config::new(4).start_index(u32::MAX - 2));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    m.set_handler(move |sqe| {
        // SAFETY: every byte of the SQEs this test pushes is initialised (built from bytes).
        let bytes: [u8; 64] = unsafe { core::mem::transmute(*sqe.as_raw()) };
        log.lock().unwrap().push(bytes);
        Outcome::Complete { res: 0, flags: 0 }
    });
    let sqe = |k: u8| {
        let mut b: [u8; 64] = core::array::from_fn(|i| (i as u8).wrapping_mul(3).wrapping_add(k));
        b[0] = sys::IORING_OP_READ;
        b[1] = 0; // no IOSQE_* flags
        // SAFETY: `io_uring_sqe` is 64 bytes of integers and unions of integers, for which
        // every initialised bit pattern is valid.
        Sqe::from_raw(unsafe { core::mem::transmute::<[u8; 64], sys::io_uring_sqe>(b) })
    };
    let mut want = Vec::new();
    for round in 0..3u8 {
        let batch: Vec<Sqe> = (0..4).map(|i| sqe(round * 16 + i)).collect();
        if round == 1 {
            // SAFETY: the model never dereferences SQE pointers.
            unsafe { r.push_multiple(&batch) }.expect("room in the SQ");
        } else {
            for s in &batch {
                push(&mut r, s);
            }
        }
        // SAFETY: as in the handler: built from bytes.
        want.extend(
            batch.iter().map(|s| unsafe {
                core::mem::transmute::<sys::io_uring_sqe, [u8; 64]>(*s.as_raw())
            }),
        );
        assert_eq!(r.submit_and_wait(4).unwrap(), 4);
        assert_eq!(reap(&mut r).len(), 4);
    }
    assert_eq!(*seen.lock().unwrap(), want);
}
