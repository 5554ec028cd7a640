//! One NOP through a ring built by hand from the raw syscalls: the reference for what the safe
//! `uring` crate must do (setup, mmap, publish an SQE, enter, reap a CQE, tear down).
//!
//! The ring protocol, as the kernel implements it (io_uring/io_uring.c) and liburing documents:
//! - SQ ring: the application owns `tail` (writes it, Release, after filling the SQE and its
//!   index-array slot); the kernel owns `head` (the application reads it with Acquire to learn
//!   which slots the kernel has consumed and may be reused).
//! - CQ ring: the kernel owns `tail` (the application reads it with Acquire, which makes the CQEs
//!   up to it visible); the application owns `head` (writes it, Release, after it finished reading
//!   the CQEs, so the kernel may overwrite them).
//! - Indices are free-running `u32`s; the slot is `index & ring_mask`; `tail - head` (wrapping)
//!   is the number of entries in flight.

use std::io;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicU32, Ordering};

use uring_sys::*;

/// An `mmap(2)`ed region, unmapped on drop.
struct Mapping {
    ptr: NonNull<u8>,
    len: usize,
}

impl Mapping {
    /// Maps `len` bytes of the ring fd at io_uring's magic `offset` (`IORING_OFF_*`).
    fn new(fd: i32, len: usize, offset: u64) -> io::Result<Mapping> {
        // SAFETY: a fresh shared mapping chosen by the kernel (null hint) overlaps nothing we own;
        // `fd` is a live io_uring fd and `offset` one of its documented mmap offsets.
        let ptr = unsafe {
            libc::mmap(
                ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_POPULATE,
                fd,
                offset as libc::off_t,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(Mapping {
            ptr: NonNull::new(ptr.cast()).unwrap(),
            len,
        })
    }

    /// A pointer `offset` bytes into the mapping, checked to leave room for a `T`.
    fn at<T>(&self, offset: u32) -> *mut T {
        let offset = offset as usize;
        assert!(
            offset + size_of::<T>() <= self.len,
            "ring offset {offset} outside the mapping"
        );
        assert_eq!(
            offset % align_of::<T>(),
            0,
            "ring offset {offset} misaligned"
        );
        // SAFETY: in bounds of the mapping (checked above).
        unsafe { self.ptr.as_ptr().add(offset).cast() }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: `ptr`/`len` are exactly what mmap returned; nothing uses the mapping after the
        // owning `Mapping` is dropped (the test's references to it end first).
        let rc = unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.len) };
        assert_eq!(rc, 0, "munmap: {}", io::Error::last_os_error());
    }
}

/// The ring fd, closed on drop (after the mappings, which are declared later and drop first).
struct RingFd(i32);

impl Drop for RingFd {
    fn drop(&mut self) {
        // SAFETY: the fd came from io_uring_setup (>= 0) and is closed only here.
        unsafe { libc::close(self.0) };
    }
}

/// A `u32` of a ring mapping as an atomic (the kernel accesses it concurrently).
///
/// # Safety
///
/// `p` must be 4-aligned and stay mapped for `'a`.
unsafe fn atomic<'a>(p: *mut u32) -> &'a AtomicU32 {
    // SAFETY: the caller guarantees alignment and lifetime; AtomicU32 has u32's layout, and every
    // access by us and by the kernel to this word is atomic.
    unsafe { AtomicU32::from_ptr(p) }
}

#[test]
fn nop_by_hand() {
    // 1. Create the ring. The kernel fills in sizes, features and the field offsets.
    let mut p = io_uring_params::zeroed();
    // SAFETY: `p` is a valid, zeroed io_uring_params (resv zero), no flags needing extra fields.
    let fd = unsafe { io_uring_setup(8, &mut p) };
    assert!(fd >= 0, "io_uring_setup: {}", io::Error::last_os_error());
    let ring_fd = RingFd(fd);
    assert!(p.sq_entries >= 8 && p.cq_entries >= p.sq_entries, "{p:?}");

    // 2. Map it. The SQ ring ends with the index array (`sq_entries` u32s), the CQ ring with the
    //    CQEs. With IORING_FEAT_SINGLE_MMAP (5.4+) one mapping at IORING_OFF_SQ_RING holds both
    //    rings, sized for the larger. The SQEs are always a separate mapping.
    let sq_len = p.sq_off.array as usize + p.sq_entries as usize * size_of::<u32>();
    let cq_len = p.cq_off.cqes as usize + p.cq_entries as usize * size_of::<io_uring_cqe>();
    let single = p.features & IORING_FEAT_SINGLE_MMAP != 0;
    let sq_map = Mapping::new(
        fd,
        if single { sq_len.max(cq_len) } else { sq_len },
        IORING_OFF_SQ_RING,
    )
    .expect("mmap SQ ring");
    let cq_map_own = if single {
        None
    } else {
        Some(Mapping::new(fd, cq_len, IORING_OFF_CQ_RING).expect("mmap CQ ring"))
    };
    let cq_map = cq_map_own.as_ref().unwrap_or(&sq_map);
    let sqe_map = Mapping::new(
        fd,
        p.sq_entries as usize * size_of::<io_uring_sqe>(),
        IORING_OFF_SQES,
    )
    .expect("mmap SQEs");

    // 3. Locate the fields. The masks and sizes are constant after setup: plain reads are fine.
    // The four ring words: their offsets come from the kernel, `at` checks bounds and alignment,
    // and the mappings outlive these references (dropped at the end, after their last use).
    // SAFETY: as just said.
    let sq_head = unsafe { atomic(sq_map.at(p.sq_off.head)) };
    // SAFETY: as above.
    let sq_tail = unsafe { atomic(sq_map.at(p.sq_off.tail)) };
    // SAFETY: as above.
    let cq_head = unsafe { atomic(cq_map.at(p.cq_off.head)) };
    // SAFETY: as above.
    let cq_tail = unsafe { atomic(cq_map.at(p.cq_off.tail)) };
    // SAFETY: an in-bounds aligned u32 the kernel wrote once, before setup returned.
    let sq_mask = unsafe { sq_map.at::<u32>(p.sq_off.ring_mask).read() };
    // SAFETY: as above.
    let cq_mask = unsafe { cq_map.at::<u32>(p.cq_off.ring_mask).read() };
    assert_eq!(sq_mask, p.sq_entries - 1);
    assert_eq!(cq_mask, p.cq_entries - 1);
    let sq_array: *mut u32 = sq_map.at(p.sq_off.array);
    let cqes: *const io_uring_cqe = cq_map.at(p.cq_off.cqes);
    let sqes: *mut io_uring_sqe = sqe_map.ptr.as_ptr().cast();

    // 4. Fill one SQE. We are the only writer of the SQ tail, so Relaxed reads our own value;
    //    the head is the kernel's, read with Acquire so a slot it released is really free.
    let tail = sq_tail.load(Ordering::Relaxed);
    let head = sq_head.load(Ordering::Acquire);
    assert!(tail.wrapping_sub(head) < p.sq_entries, "SQ full");
    let index = tail & sq_mask;
    let user_data = 0x1234_5678_9abc_def0;
    let mut sqe = io_uring_sqe::zeroed();
    sqe.opcode = IORING_OP_NOP;
    sqe.user_data = user_data;
    // SAFETY: `index <= sq_mask < sq_entries`, inside the SQE and index-array mappings; the
    // kernel does not read this slot until the tail store below publishes it.
    unsafe {
        sqes.add(index as usize).write(sqe);
        sq_array.add(index as usize).write(index);
    }
    // Publish: Release orders the SQE and array writes before the new tail.
    sq_tail.store(tail.wrapping_add(1), Ordering::Release);

    // 5. Submit it and wait for one completion in the same call.
    // SAFETY: `fd` is our ring; the published SQE is a NOP that points to no memory; null sigmask.
    let submitted = unsafe { io_uring_enter(fd, 1, 1, IORING_ENTER_GETEVENTS, ptr::null()) };
    assert_eq!(
        submitted,
        1,
        "io_uring_enter: {}",
        io::Error::last_os_error()
    );
    assert_eq!(
        sq_head.load(Ordering::Acquire),
        tail.wrapping_add(1),
        "kernel consumed the SQE"
    );

    // 6. Reap. Acquire on the kernel's tail makes the CQE contents visible.
    let head = cq_head.load(Ordering::Relaxed);
    let tail = cq_tail.load(Ordering::Acquire);
    assert_eq!(tail.wrapping_sub(head), 1, "exactly one CQE");
    // SAFETY: `head & cq_mask` indexes the CQE array; the kernel wrote it before its tail store.
    let cqe = unsafe { cqes.add((head & cq_mask) as usize).read() };
    assert_eq!(cqe.user_data, user_data);
    assert_eq!(
        cqe.res,
        0,
        "NOP result: {}",
        io::Error::from_raw_os_error(-cqe.res)
    );
    assert_eq!(cqe.flags, 0);
    // Release the slot: Release orders our read of the CQE before the kernel may reuse it.
    cq_head.store(head.wrapping_add(1), Ordering::Release);

    // 7. Tear down: unmap (the Mappings drop), then close the fd.
    drop(sqe_map);
    drop(cq_map_own);
    drop(sq_map);
    drop(ring_fd);
}

/// A raw ring with a `Mapping`-free lifetime: just the fd (for syscalls that need no mapping).
fn bare_ring() -> RingFd {
    let mut p = io_uring_params::zeroed();
    // SAFETY: valid zeroed params, no flags.
    let fd = unsafe { io_uring_setup(4, &mut p) };
    assert!(fd >= 0, "io_uring_setup: {}", io::Error::last_os_error());
    RingFd(fd)
}

#[test]
fn errors_are_minus_one_and_errno() {
    // SAFETY: -1 is no fd; the kernel rejects it before touching anything.
    let rc = unsafe { io_uring_enter(-1, 0, 0, 0, ptr::null()) };
    assert_eq!(rc, -1);
    assert_eq!(io::Error::last_os_error().raw_os_error(), Some(libc::EBADF));

    let mut p = io_uring_params::zeroed();
    p.resv[0] = 1; // non-zero reserved field
    // SAFETY: valid params; the kernel rejects the reserved bits with EINVAL.
    let rc = unsafe { io_uring_setup(4, &mut p) };
    assert_eq!(rc, -1);
    assert_eq!(
        io::Error::last_os_error().raw_os_error(),
        Some(libc::EINVAL)
    );
}

#[test]
fn probe_through_register() {
    let ring = bare_ring();
    // io_uring_probe is followed by up to 256 io_uring_probe_op (a u8 opcode space).
    #[repr(C)]
    struct Probe {
        head: io_uring_probe,
        ops: [io_uring_probe_op; 256],
    }
    let mut probe = Probe {
        head: io_uring_probe::zeroed(),
        ops: [io_uring_probe_op::zeroed(); 256],
    };
    // SAFETY: `probe` is a zeroed io_uring_probe followed by room for 256 ops, valid for writes
    // during the call; nr_args says how many ops fit.
    let rc =
        unsafe { io_uring_register(ring.0, IORING_REGISTER_PROBE, (&raw mut probe).cast(), 256) };
    assert_eq!(
        rc,
        0,
        "IORING_REGISTER_PROBE: {}",
        io::Error::last_os_error()
    );
    let last = probe.head.last_op;
    let supported = probe.ops[..usize::from(probe.head.ops_len)]
        .iter()
        .filter(|op| op.flags & IO_URING_OP_SUPPORTED != 0)
        .count();
    println!(
        "kernel last_op {last}, {supported} ops supported; uring-sys IORING_OP_LAST {IORING_OP_LAST}"
    );
    assert!(probe.ops[usize::from(IORING_OP_NOP)].flags & IO_URING_OP_SUPPORTED != 0);
    assert!(
        last < IORING_OP_LAST,
        "the kernel knows opcodes this header does not ({last})"
    );
}

#[test]
fn enter2_ext_arg_timeout() {
    let ring = bare_ring();
    // Wait for one CQE that never comes, with a 1 ms timeout through IORING_ENTER_EXT_ARG.
    let ts = __kernel_timespec {
        tv_sec: 0,
        tv_nsec: 1_000_000,
    };
    let mut arg = io_uring_getevents_arg::zeroed();
    arg.ts = (&raw const ts) as u64;
    // SAFETY: `arg` and the timespec it points to live across the call; nothing is submitted.
    let rc = unsafe {
        io_uring_enter2(
            ring.0,
            0,
            1,
            IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
            (&raw const arg).cast(),
            size_of::<io_uring_getevents_arg>(),
        )
    };
    assert_eq!(rc, -1);
    assert_eq!(io::Error::last_os_error().raw_os_error(), Some(libc::ETIME));
}

/// A 32-byte-CQE ring (`IORING_SETUP_CQE32`): the CQ array's stride doubles, and `big_cqe` is read
/// through a raw pointer into the mapping. `IORING_NOP_CQE32` (Linux 6.18+) copies `sqe.off` and
/// `sqe.addr` into the two extra words (see liburing's test/nop-flags.c).
#[test]
fn cqe32_by_hand() {
    let mut p = io_uring_params::zeroed();
    p.flags = IORING_SETUP_CQE32;
    // SAFETY: valid params; CQE32 needs no extra fields.
    let fd = unsafe { io_uring_setup(4, &mut p) };
    assert!(
        fd >= 0,
        "io_uring_setup(CQE32): {}",
        io::Error::last_os_error()
    );
    let _ring_fd = RingFd(fd);
    assert!(
        p.features & IORING_FEAT_SINGLE_MMAP != 0,
        "this test maps both rings at once"
    );

    // Every CQE slot is 32 bytes: the 16-byte io_uring_cqe, then big_cqe's two u64s.
    let cqe_size = 2 * size_of::<io_uring_cqe>();
    let sq_len = p.sq_off.array as usize + p.sq_entries as usize * size_of::<u32>();
    let cq_len = p.cq_off.cqes as usize + p.cq_entries as usize * cqe_size;
    let rings = Mapping::new(fd, sq_len.max(cq_len), IORING_OFF_SQ_RING).expect("mmap rings");
    let sqe_map = Mapping::new(
        fd,
        p.sq_entries as usize * size_of::<io_uring_sqe>(),
        IORING_OFF_SQES,
    )
    .expect("mmap SQEs");
    // SAFETY: kernel-given offsets, checked by `at`; `rings` outlives the references.
    let sq_tail = unsafe { atomic(rings.at(p.sq_off.tail)) };
    // SAFETY: as above.
    let cq_head = unsafe { atomic(rings.at(p.cq_off.head)) };
    // SAFETY: as above.
    let cq_tail = unsafe { atomic(rings.at(p.cq_off.tail)) };
    let sq_mask = p.sq_entries - 1;
    let cq_mask = p.cq_entries - 1;

    // Two NOPs: the first asks for a 32-byte CQE with extra data, the second is plain (its
    // extra words must read as zero), so a wrong CQ stride would read the wrong user_data.
    let tail = sq_tail.load(Ordering::Relaxed);
    for (i, nop_flags) in [IORING_NOP_CQE32, 0].into_iter().enumerate() {
        let index = tail.wrapping_add(i as u32) & sq_mask;
        let mut sqe = io_uring_sqe::zeroed();
        sqe.opcode = IORING_OP_NOP;
        sqe.user_data = 100 + i as u64;
        sqe.rw_flags_union.nop_flags = nop_flags;
        if nop_flags != 0 {
            sqe.off_union.off = 0xdead_beef_1234_5678;
            sqe.addr_union.addr = 0xabcd_ef00_1122_3344;
        }
        // SAFETY: `index < sq_entries`; unpublished slots are ours until the tail store.
        unsafe {
            sqe_map
                .ptr
                .as_ptr()
                .cast::<io_uring_sqe>()
                .add(index as usize)
                .write(sqe);
            rings
                .at::<u32>(p.sq_off.array)
                .add(index as usize)
                .write(index);
        }
    }
    sq_tail.store(tail.wrapping_add(2), Ordering::Release);
    // SAFETY: our ring; the NOPs point to no memory; null sigmask.
    let rc = unsafe { io_uring_enter(fd, 2, 2, IORING_ENTER_GETEVENTS, ptr::null()) };
    assert_eq!(rc, 2, "io_uring_enter: {}", io::Error::last_os_error());

    let head = cq_head.load(Ordering::Relaxed);
    assert_eq!(cq_tail.load(Ordering::Acquire).wrapping_sub(head), 2);
    let cqes: *const u8 = rings.at::<u8>(p.cq_off.cqes);
    let mut seen = Vec::new();
    for i in 0..2u32 {
        // Slot `n` starts `n * 32` bytes into the CQE array.
        let slot = (head.wrapping_add(i) & cq_mask) as usize;
        // SAFETY: `slot < cq_entries`, inside the mapped CQ array; the kernel wrote the CQE
        // before the tail we loaded with Acquire.
        let (cqe, extra) = unsafe {
            let cqe = cqes.add(slot * cqe_size).cast::<io_uring_cqe>();
            let big = (&raw const (*cqe).big_cqe).cast::<u64>();
            (cqe.read(), [big.read(), big.add(1).read()])
        };
        seen.push((cqe.user_data, cqe.res, extra));
    }
    cq_head.store(head.wrapping_add(2), Ordering::Release);

    seen.sort();
    assert_eq!(seen[1], (101, 0, [0, 0]), "plain NOP in a CQE32 ring");
    if seen[0].1 == -libc::EINVAL {
        println!(
            "skipped the extra-data check: this kernel rejects IORING_NOP_CQE32 (EINVAL; Linux 6.18+)"
        );
        assert_eq!(seen[0].0, 100);
    } else {
        assert_eq!(
            seen[0],
            (100, 0, [0xdead_beef_1234_5678, 0xabcd_ef00_1122_3344])
        );
    }
}
