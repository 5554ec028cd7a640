//! Memory regions (registered wait arguments) and zero-copy receive (error paths only: no NIC).

use std::os::fd::{AsFd, AsRawFd};
use std::time::{Duration, Instant};

use uring::register::{MemRegion, MemRegionFlags};
use uring::{Cqe32, Ring, Sqe};

use super::*;

#[test]
fn mem_region_wait_arg_drives_a_registered_wait() {
    let ring: Ring = Ring::builder().disabled().build(8).unwrap();
    let mut region = MemRegion::kernel(4096);
    // SAFETY: a kernel-allocated region: no user memory is handed over.
    let r = unsafe {
        ring.submitter()
            .register_mem_region(&mut region, MemRegionFlags::REG_WAIT_ARG)
    };
    if unsupported(&r, "mem_region_wait_arg") {
        return;
    }
    r.unwrap();
    assert_ne!(
        region.mmap_offset(),
        0,
        "the kernel wrote the mmap offset back"
    );
    // SAFETY: a new shared mapping of the region; no existing memory.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_POPULATE,
            ring.as_fd().as_raw_fd(),
            region.mmap_offset() as libc::off_t,
        )
    };
    assert_ne!(p, libc::MAP_FAILED, "mmap: {}", io::Error::last_os_error());
    let wait = p.cast::<uring_sys::io_uring_reg_wait>();
    // SAFETY: entry 0 of the mapped region, which only this test touches.
    unsafe {
        (*wait).ts.tv_sec = 0;
        (*wait).ts.tv_nsec = 40_000_000;
        (*wait).flags = uring_sys::IORING_REG_WAIT_TS;
    }
    // A second region is refused.
    let mut again = MemRegion::kernel(4096);
    // SAFETY: kernel memory; refused anyway.
    assert_errno(
        unsafe {
            ring.submitter()
                .register_mem_region(&mut again, MemRegionFlags::REG_WAIT_ARG)
        },
        libc::EBUSY,
        "IORING_REGISTER_MEM_REGION",
    );
    ring.submitter().register_enable_rings().unwrap();

    // Wait for one CQE with the registered argument at offset 0: its 40 ms timeout applies.
    let flags = uring_sys::IORING_ENTER_GETEVENTS
        | uring_sys::IORING_ENTER_EXT_ARG
        | uring_sys::IORING_ENTER_EXT_ARG_REG;
    let t = Instant::now();
    // SAFETY: the argument is an offset into the registered region (0), with its size.
    let n = unsafe {
        uring_sys::io_uring_enter2(
            ring.as_fd().as_raw_fd(),
            0,
            1,
            flags,
            std::ptr::null(),
            std::mem::size_of::<uring_sys::io_uring_reg_wait>(),
        )
    };
    let err = io::Error::last_os_error();
    assert_eq!(n, -1);
    assert_eq!(err.raw_os_error(), Some(libc::ETIME), "{err}");
    assert!(
        t.elapsed() >= Duration::from_millis(35),
        "{:?}",
        t.elapsed()
    );
    // SAFETY: the mapping made above, unmapped once.
    unsafe { libc::munmap(p, 4096) };
}

#[test]
fn mem_region_wait_arg_needs_a_disabled_ring() {
    let ring = Ring::new(4).unwrap();
    let mut region = MemRegion::kernel(4096);
    // SAFETY: kernel memory.
    let r = unsafe {
        ring.submitter()
            .register_mem_region(&mut region, MemRegionFlags::REG_WAIT_ARG)
    };
    assert_errno(r, libc::EINVAL, "IORING_REGISTER_MEM_REGION");
}

#[test]
fn mem_region_in_user_memory() {
    let ring: Ring = Ring::builder().disabled().build(4).unwrap();
    // SAFETY: a fresh private anonymous mapping, never unmapped before the ring (leaked on
    // purpose: the region lives as long as the ring, and the process outlives both).
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    assert_ne!(p, libc::MAP_FAILED);
    let mut region = MemRegion::user(p.cast(), 4096);
    // SAFETY: the page stays mapped (never unmapped) and is not used as anything else.
    let r = unsafe {
        ring.submitter()
            .register_mem_region(&mut region, MemRegionFlags::REG_WAIT_ARG)
    };
    if unsupported(&r, "mem_region_in_user_memory") {
        return;
    }
    r.unwrap();
    ring.submitter().register_enable_rings().unwrap();
}

#[test]
fn zcrx_ifq_without_a_nic_fails_cleanly() {
    let mut area = uring_sys::io_uring_zcrx_area_reg::zeroed();
    area.len = 4096;
    let mut rd = uring_sys::io_uring_region_desc::zeroed();
    rd.size = 4096;
    let mut reg = uring_sys::io_uring_zcrx_ifq_reg::zeroed();
    reg.if_idx = 0x7fff_fff0; // no such interface
    reg.rq_entries = 64;
    reg.area_ptr = (&raw mut area) as u64;
    reg.region_ptr = (&raw mut rd) as u64;

    // On a plain ring (no DEFER_TASKRUN / CQE32) the kernel refuses first.
    let plain = Ring::new(4).unwrap();
    // SAFETY: `area`/`rd` are alive for the call; the area has no memory, so nothing is kept.
    let e = unsafe { plain.submitter().register_zcrx_ifq(&mut reg) }.unwrap_err();
    assert!(
        matches!(
            errno(&e),
            Some(libc::EINVAL | libc::EOPNOTSUPP | libc::EPERM)
        ),
        "{e}"
    );
    assert!(e.to_string().contains("IORING_REGISTER_ZCRX_IFQ"), "{e}");

    // On a ring set up as zcrx needs, a missing interface is still an error.
    let Some(ring) = util::ring_or_skip(
        Ring::<Sqe, Cqe32>::builder()
            .single_issuer()
            .defer_taskrun(),
        4,
        "zcrx_ifq_without_a_nic_fails_cleanly",
    ) else {
        return;
    };
    // SAFETY: as above.
    let e = unsafe { ring.submitter().register_zcrx_ifq(&mut reg) }.unwrap_err();
    assert!(
        matches!(
            errno(&e),
            Some(libc::EINVAL | libc::ENODEV | libc::EOPNOTSUPP | libc::EPERM | libc::EFAULT)
        ),
        "{e}"
    );
    // No instance 5: flush and export fail.
    assert!(ring.submitter().register_zcrx_flush_rq(5).is_err());
    assert!(ring.submitter().register_zcrx_export(5).is_err());
}
