//! Registered wait arguments (`IORING_ENTER_EXT_ARG_REG`): the timeout lives in a registered
//! region, the wait names it by index.

use std::time::{Duration, Instant};

use uring::register::{MemRegion, MemRegionFlags};
use uring::{Cqe, Ring, Sqe};
use uring_sys as sys;

use crate::util::nop;

#[test]
fn a_registered_wait_argument_times_out_and_returns_early() {
    let Some(mut ring) =
        crate::util::ring_or_skip(Ring::<Sqe, Cqe>::builder().disabled(), 4, "wait_region")
    else {
        return;
    };
    // One page of `io_uring_reg_wait` entries, page-aligned, alive for the whole process (the
    // kernel keeps it pinned until the ring goes; a region cannot be unregistered).
    let layout = std::alloc::Layout::from_size_align(4096, 4096).unwrap();
    // SAFETY: the layout has a non-zero size.
    let page = unsafe { std::alloc::alloc_zeroed(layout) };
    assert!(!page.is_null());
    let entries = page.cast::<sys::io_uring_reg_wait>();
    // Entry 1: a 100 ms timeout; entry 2: 10 s.
    // SAFETY: entries 1 and 2 lie inside the page (64-byte entries), which nothing else uses.
    unsafe {
        let e = &mut *entries.add(1);
        e.ts.tv_sec = 0;
        e.ts.tv_nsec = 100_000_000;
        e.flags = sys::IORING_REG_WAIT_TS;
        let e = &mut *entries.add(2);
        e.ts.tv_sec = 10;
        e.ts.tv_nsec = 0;
        e.flags = sys::IORING_REG_WAIT_TS;
    }
    let mut region = MemRegion::user(page, 4096);
    // SAFETY: the page is page-aligned, valid for its size and never freed (leaked above).
    let r = unsafe {
        ring.submitter()
            .register_mem_region(&mut region, MemRegionFlags::REG_WAIT_ARG)
    };
    if let Err(e) = r {
        assert_eq!(uring::error::errno(&e), Some(libc::EINVAL), "{e}");
        eprintln!("SKIPPED wait_region: the kernel has no registered wait regions: {e}");
        return;
    }
    ring.submitter().register_enable_rings().unwrap();

    let start = Instant::now();
    assert_eq!(ring.submitter().wait_registered(1, 1).unwrap(), 0);
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(95),
        "returned early: {took:?}"
    );
    assert!(took < Duration::from_secs(3), "returned late: {took:?}");

    // With a completion on its way it returns at once, not after entry 2's 10 s.
    // SAFETY: NOPs carry no pointers.
    unsafe { ring.push(&nop(7)).unwrap() };
    let start = Instant::now();
    assert_eq!(ring.submitter().wait_registered(1, 2).unwrap(), 1);
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(ring.cq().next().unwrap().user_data(), 7);

    // An index past the region is refused by the kernel, not read by anyone.
    let err = ring.submitter().wait_registered(1, 64).unwrap_err();
    assert!(
        matches!(err.raw_os_error(), Some(libc::EFAULT | libc::EINVAL)),
        "{err}"
    );
}
