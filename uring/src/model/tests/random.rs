//! Random interleavings of pushes, submits, waits, completions and faults.

use super::*;

#[derive(Debug, Clone)]
enum Step {
    /// Push `n` SQEs (NOP, pending, skip-success NOP, linked pairs by the bool).
    Push(u8, u8, bool),
    Submit,
    SubmitAndWait(u8),
    /// Complete the in-flight request at this position.
    Complete(u8, i32),
    Reap(u8),
    Fault(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (1u8..6, 0u8..4, any::<bool>()).prop_map(|(n, k, l)| Step::Push(n, k, l)),
        Just(Step::Submit),
        (0u8..3).prop_map(Step::SubmitAndWait),
        (any::<u8>(), -5i32..5000).prop_map(|(i, r)| Step::Complete(i, r)),
        (0u8..10).prop_map(Step::Reap),
        (0u8..7).prop_map(Step::Fault),
    ]
}

/// Runs `steps`; every SQE pushed completes exactly once (or never, under SKIP_SUCCESS with
/// success), nothing unknown is reaped.
fn run(cfg: Config, reorder: bool, steps: &[Step]) -> Result<(), TestCaseError> {
    let (mut r, m) = ring(cfg);
    m.set_reorder(reorder);
    // user_data -> (skip_success, completions seen)
    let mut sent: HashMap<u64, (bool, u32)> = HashMap::new();
    let mut next = 0u64;
    let reap_some = |r: &mut Ring, max: usize, sent: &mut HashMap<u64, (bool, u32)>| {
        let mut cq = r.cq();
        let mut out = Vec::new();
        for c in cq.by_ref().take(max) {
            out.push(c);
        }
        drop(cq);
        for c in out {
            let e = sent.get_mut(&c.user_data());
            prop_assert!(e.is_some(), "unknown CQE {c:?}");
            let e = e.unwrap();
            prop_assert!(!c.has_more());
            prop_assert!(!(e.0 && c.res() >= 0), "skip-success posted {c:?}");
            e.1 += 1;
            prop_assert_eq!(e.1, 1, "completed twice: {:?}", c);
        }
        Ok(())
    };
    for s in steps {
        match *s {
            Step::Push(n, kind, linked) => {
                let mut sqes = Vec::new();
                for i in 0..n {
                    let ud = next;
                    next += 1;
                    let mut sqe = match kind {
                        0 | 3 => nop(ud),
                        1 => pending(ud),
                        _ => nop(ud).flags(SqeFlags::CQE_SKIP_SUCCESS),
                    };
                    if linked && i + 1 < n {
                        sqe = sqe.flags(SqeFlags::IO_LINK);
                    }
                    sqes.push(sqe);
                }
                // SAFETY: no pointers in these SQEs.
                if unsafe { r.push_multiple(&sqes) }.is_ok() {
                    for s in &sqes {
                        sent.insert(
                            s.get_user_data(),
                            (s.get_flags().contains(SqeFlags::CQE_SKIP_SUCCESS), 0),
                        );
                    }
                } else {
                    next -= u64::from(n);
                }
            }
            Step::Submit => match r.submit() {
                Ok(_) => {}
                Err(e) if e.raw_os_error() == Some(libc::EINTR) => {}
                Err(e) => return Err(TestCaseError::fail(e.to_string())),
            },
            Step::SubmitAndWait(n) => match r.submit_and_wait(n.into()) {
                Ok(_) => {}
                Err(e) if matches!(e.raw_os_error(), Some(libc::ETIME | libc::EINTR)) => {}
                Err(e) => return Err(TestCaseError::fail(e.to_string())),
            },
            Step::Complete(i, res) => {
                let f = m.in_flight();
                if !f.is_empty() {
                    m.complete(f[usize::from(i) % f.len()], res);
                }
            }
            Step::Reap(n) => reap_some(&mut r, n.into(), &mut sent)?,
            Step::Fault(5) => m.fail_next_enter(libc::EINTR),
            Step::Fault(6) => m.limit_next_submit(1),
            Step::Fault(k) => m.inject(match k {
                0 => Fault::Error(libc::EIO),
                1 => Fault::Short(1),
                2 => Fault::Delay(1),
                3 => Fault::Hang,
                _ => Fault::Delay(0),
            }),
        }
    }
    // Drain: submit everything, complete everything, flush, reap.
    for _ in 0..64 {
        match r.submit() {
            Ok(_) => {}
            Err(e) if e.raw_os_error() == Some(libc::EINTR) => continue,
            Err(e) => return Err(TestCaseError::fail(e.to_string())),
        }
        for ud in m.in_flight() {
            m.complete(ud, 0);
        }
        let _ = r.submitter().get_events();
        reap_some(&mut r, usize::MAX, &mut sent)?;
        if m.in_flight().is_empty() && m.overflow_len() == 0 && r.submitter().sq_len() == 0 {
            let _ = r.submitter().get_events();
            reap_some(&mut r, usize::MAX, &mut sent)?;
            break;
        }
    }
    for (ud, (skip, n)) in &sent {
        prop_assert!(
            *n == 1 || (*skip && *n == 0),
            "user_data {} completed {} times",
            ud,
            n
        );
    }
    prop_assert_eq!(r.cq().overflow(), 0);
    Ok(())
}

fn cases() -> u32 {
    if cfg!(miri) { 4 } else { 256 }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_sqe_completes_exactly_once(
        shift in 0u32..4,
        cq_shift in 0u32..2,
        start in prop_oneof![Just(u32::MAX - 3), Just(0u32), any::<u32>()],
        no_sqarray in any::<bool>(),
        reorder in any::<bool>(),
        steps in proptest::collection::vec(step(), 1..if cfg!(miri) { 20 } else { 80 }),
    ) {
        let sq = 1u32 << shift;
        let cfg = Config::new(sq).cq_entries(sq << cq_shift).start_index(start).no_sqarray(no_sqarray);
        run(cfg, reorder, &steps)?;
    }
}
