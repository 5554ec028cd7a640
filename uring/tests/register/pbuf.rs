//! Provided-buffer rings: register (user memory and kernel-allocated), use, status, unregister.

use std::os::fd::{AsFd, AsRawFd};
use std::sync::atomic::{AtomicU16, Ordering};

use uring::register::BufRingFlags;
use uring::{CqeFlags, Ring, Sqe, SqeFlags};

use super::*;

/// `len` bytes of anonymous, page-aligned memory, unmapped on drop.
struct Mapping {
    ptr: *mut u8,
    len: usize,
}

impl Mapping {
    fn anon(len: usize) -> Mapping {
        // SAFETY: a fresh private anonymous mapping; no existing memory is affected.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(ptr, libc::MAP_FAILED, "{}", io::Error::last_os_error());
        Mapping {
            ptr: ptr.cast(),
            len,
        }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: `ptr`/`len` are the mapping made in `anon` (or by the test), unmapped once.
        unsafe { libc::munmap(self.ptr.cast(), self.len) };
    }
}

fn select_read(fd: i32, len: u32, group: u16, user_data: u64) -> Sqe {
    let mut sqe = Sqe::new(uring_sys::IORING_OP_READ)
        .user_data(user_data)
        .flags(SqeFlags::BUFFER_SELECT);
    let raw = sqe.as_raw_mut();
    raw.fd = fd;
    raw.len = len;
    raw.off_union.off = u64::MAX;
    raw.buf_index_union.buf_group = group;
    sqe
}

#[test]
fn pbuf_ring_hands_out_buffers_and_reports_its_head() {
    let mut ring = Ring::new(8).unwrap();
    let (r, w) = pipe();
    let entries = 8u32;
    let map = Mapping::anon(4096);
    let mut bufs = vec![0u8; 4 * 64];
    let base = map.ptr.cast::<uring_sys::io_uring_buf>();
    for i in 0..4 {
        // SAFETY: entry `i` < 8 lies in the 4096-byte mapping (8 * 16 bytes), which nobody
        // else references.
        unsafe {
            let b = &mut *base.add(i);
            b.addr = bufs.as_mut_ptr().add(i * 64) as u64;
            b.len = 64;
            b.bid = i as u16;
        }
    }
    // The tail lives in bufs[0].resv (offset 14); publish 4 buffers with a release store.
    // SAFETY: offset 14 of the page-aligned mapping is 2-aligned and ours.
    let tail = unsafe { &*map.ptr.add(14).cast::<AtomicU16>() };
    tail.store(4, Ordering::Release);

    // SAFETY: the mapping and `bufs` stay alive, unreferenced by Rust while published, until
    // the group is unregistered below with no request in flight.
    let reg = unsafe {
        ring.submitter()
            .register_buf_ring(base.cast(), entries, 7, BufRingFlags::empty())
    };
    if unsupported(&reg, "pbuf_ring_hands_out_buffers_and_reports_its_head") {
        return;
    }
    reg.unwrap();
    // SAFETY: same group id again: refused, nothing kept.
    assert_errno(
        unsafe {
            ring.submitter()
                .register_buf_ring(base.cast(), entries, 7, BufRingFlags::empty())
        },
        libc::EEXIST,
        "IORING_REGISTER_PBUF_RING",
    );

    write_all(&w, b"pbuf!");
    // SAFETY: the read takes a buffer from group 7, whose memory is alive; run_one waits.
    let c = unsafe { run_one(&mut ring, select_read(r.as_raw_fd(), 64, 7, 1)) };
    assert_eq!(c.res(), 5);
    assert!(c.flags().contains(CqeFlags::BUFFER));
    let bid = c.buffer_id().unwrap();
    assert_eq!(bid, 0, "the first published buffer is used first");
    assert_eq!(&bufs[..5], b"pbuf!");

    let r1 = ring.submitter().register_pbuf_status(7);
    if !unsupported(&r1, "pbuf_status") {
        assert_eq!(r1.unwrap(), 1, "the kernel consumed one buffer");
    }

    ring.submitter().unregister_buf_ring(7).unwrap();
    // A group with no ring: ENOENT, or EINVAL before Linux 6.4 (which kept the emptied group
    // of a low id in its table, ringless).
    let e = ring.submitter().unregister_buf_ring(7).unwrap_err();
    assert!(
        matches!(errno(&e), Some(libc::ENOENT | libc::EINVAL)),
        "IORING_UNREGISTER_PBUF_RING: wrong errno in {e}"
    );
    assert!(e.to_string().contains("IORING_UNREGISTER_PBUF_RING"), "{e}");
    // With the group gone, a buffer-select read has nothing to take.
    write_all(&w, b"x");
    // SAFETY: no buffer is selected; run_one waits.
    let c = unsafe { run_one(&mut ring, select_read(r.as_raw_fd(), 64, 7, 2)) };
    assert_eq!(c.res(), -libc::ENOBUFS);
    drop(map);
}

#[test]
fn pbuf_ring_kernel_allocated_maps_at_its_offset() {
    let ring = Ring::new(4).unwrap();
    let r = ring
        .submitter()
        .register_buf_ring_mmap(8, 9, BufRingFlags::empty());
    if unsupported(&r, "pbuf_ring_kernel_allocated") {
        return;
    }
    r.unwrap();
    let off = uring_sys::IORING_OFF_PBUF_RING | (9u64 << uring_sys::IORING_OFF_PBUF_SHIFT);
    // SAFETY: a new shared mapping of the ring fd at the group's offset; no existing memory.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_POPULATE,
            ring.as_fd().as_raw_fd(),
            off as libc::off_t,
        )
    };
    assert_ne!(p, libc::MAP_FAILED, "mmap: {}", io::Error::last_os_error());
    let _m = Mapping {
        ptr: p.cast(),
        len: 4096,
    };
    // SAFETY: the fresh kernel ring's tail at offset 14 is readable.
    let tail = unsafe { &*p.cast::<u8>().add(14).cast::<AtomicU16>() };
    assert_eq!(tail.load(Ordering::Acquire), 0);
    if let Ok(head) = ring.submitter().register_pbuf_status(9) {
        assert_eq!(head, 0);
    }
}

#[test]
fn pbuf_ring_bad_arguments() {
    let ring = Ring::new(4).unwrap();
    // Not a power of two.
    assert_errno(
        ring.submitter()
            .register_buf_ring_mmap(3, 1, BufRingFlags::empty()),
        libc::EINVAL,
        "IORING_REGISTER_PBUF_RING",
    );
    // MMAP with a user address is refused before the kernel.
    let map = Mapping::anon(4096);
    // SAFETY: refused before the kernel is called.
    let e = unsafe {
        ring.submitter()
            .register_buf_ring(map.ptr.cast(), 8, 1, BufRingFlags::MMAP)
    }
    .unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    // Status of a group that does not exist.
    let e = ring.submitter().register_pbuf_status(123).unwrap_err();
    assert!(
        matches!(errno(&e), Some(libc::ENOENT | libc::EINVAL)),
        "{e}"
    );
}

#[test]
fn pbuf_ring_incremental_consumption_reuses_the_buffer() {
    let mut ring = Ring::new(8).unwrap();
    let (r, w) = pipe();
    let map = Mapping::anon(4096);
    let mut big = vec![0u8; 256];
    let base = map.ptr.cast::<uring_sys::io_uring_buf>();
    // SAFETY: entry 0 lies in the mapping, which nobody else references.
    unsafe {
        let b = &mut *base;
        b.addr = big.as_mut_ptr() as u64;
        b.len = 256;
        b.bid = 3;
    }
    // SAFETY: offset 14 of the page-aligned mapping is 2-aligned and ours.
    let tail = unsafe { &*map.ptr.add(14).cast::<AtomicU16>() };
    tail.store(1, Ordering::Release);
    // SAFETY: the mapping and `big` stay alive and unreferenced until unregistered below.
    let r1 = unsafe {
        ring.submitter()
            .register_buf_ring(base.cast(), 8, 2, BufRingFlags::INC)
    };
    if unsupported(&r1, "pbuf_ring_incremental") {
        return;
    }
    r1.unwrap();
    write_all(&w, b"first");
    // SAFETY: the read takes part of `big`, alive; run_one waits.
    let c = unsafe { run_one(&mut ring, select_read(r.as_raw_fd(), 256, 2, 1)) };
    assert_eq!(c.res(), 5);
    assert_eq!(c.buffer_id(), Some(3));
    assert!(
        c.buf_more(),
        "the buffer has room left: IORING_CQE_F_BUF_MORE"
    );
    write_all(&w, b"second");
    // SAFETY: as above.
    let c = unsafe { run_one(&mut ring, select_read(r.as_raw_fd(), 256, 2, 2)) };
    assert_eq!(c.res(), 6);
    assert_eq!(c.buffer_id(), Some(3), "the same buffer, consumed further");
    assert_eq!(
        &big[..11],
        b"firstsecond",
        "data lands right after the first read"
    );
    ring.submitter().unregister_buf_ring(2).unwrap();
    drop(map);
}

/// The raw-path helper: a kernel-allocated ring mapped by `uring::pbuf::BufRing`, buffers
/// published with `push` (no hand-written entry or tail stores), taken in order by
/// buffer-select reads; the kernel's head follows.
#[test]
fn pbuf_helper_kernel_ring_hands_out_pushed_buffers_in_order() {
    use uring::pbuf::BufRing;
    let mut ring = Ring::new(8).unwrap();
    let (r, w) = pipe();
    let made = BufRing::register_mmap(&ring.submitter(), 8, 5, BufRingFlags::empty());
    if unsupported(&made, "pbuf_helper_kernel_ring") {
        return;
    }
    let mut br = made.unwrap();
    assert_eq!(br.entries(), 8);
    let mut bufs = vec![0u8; 3 * 32];
    for bid in 0..3u16 {
        // SAFETY: `bufs` outlives every request below and Rust does not touch it while the
        // kernel may write it (until the reads' CQEs, reaped by `run_one`); 3 <= 8 entries.
        unsafe { br.push(bufs.as_mut_ptr().add(usize::from(bid) * 32), 32, bid) };
    }
    assert_eq!(br.tail(), 3);
    for (i, msg) in [&b"first"[..], b"second", b"third"].iter().enumerate() {
        write_all(&w, msg);
        // SAFETY: the read selects a buffer of group 5, alive as above; run_one waits.
        let c = unsafe { run_one(&mut ring, select_read(r.as_raw_fd(), 32, 5, 10 + i as u64)) };
        assert_eq!(c.res() as usize, msg.len());
        assert_eq!(c.buffer_id(), Some(i as u16), "published order");
        let at = i * 32;
        assert_eq!(&bufs[at..at + msg.len()], *msg);
    }
    let head = ring.submitter().register_pbuf_status(5);
    if !unsupported(&head, "pbuf_status") {
        assert_eq!(head.unwrap(), 3);
    }
    // Buffer 0 back into the ring (the `add` + `advance` form), then used again.
    // SAFETY: buffer 0 was handed back by its CQE; one entry in use again of 8.
    unsafe {
        br.add(bufs.as_mut_ptr(), 32, 0, 0);
        br.advance(1);
    }
    write_all(&w, b"again");
    // SAFETY: as above.
    let c = unsafe { run_one(&mut ring, select_read(r.as_raw_fd(), 32, 5, 20)) };
    assert_eq!(c.buffer_id(), Some(0));
    assert_eq!(&bufs[..5], b"again");
    ring.submitter().unregister_buf_ring(5).unwrap();
}

/// The helper's own memory registered with `register_buf_ring` (Linux 5.19+), and the checks
/// on its size.
#[test]
fn pbuf_helper_user_ring_registers_and_hands_out() {
    use uring::pbuf::BufRing;
    assert_eq!(
        BufRing::new(3).unwrap_err().kind(),
        io::ErrorKind::InvalidInput,
        "not a power of two"
    );
    assert!(BufRing::new(65536).is_err());
    let mut ring = Ring::new(8).unwrap();
    let (r, w) = pipe();
    let mut br = BufRing::new(4).unwrap();
    let mut buf = vec![0u8; 16];
    // SAFETY: `br` and `buf` stay alive and untouched by Rust until the group is unregistered
    // below with no request in flight.
    let reg = unsafe {
        ring.submitter()
            .register_buf_ring(br.as_mut_ptr(), 4, 6, BufRingFlags::empty())
    };
    if unsupported(&reg, "pbuf_helper_user_ring") {
        return;
    }
    reg.unwrap();
    // SAFETY: as above; one buffer in a 4-entry ring.
    unsafe { br.push(buf.as_mut_ptr(), 16, 9) };
    write_all(&w, b"user ring");
    // SAFETY: as above; run_one waits for the CQE.
    let c = unsafe { run_one(&mut ring, select_read(r.as_raw_fd(), 16, 6, 1)) };
    assert_eq!((c.res(), c.buffer_id()), (9, Some(9)));
    assert_eq!(&buf[..9], b"user ring");
    ring.submitter().unregister_buf_ring(6).unwrap();
}
