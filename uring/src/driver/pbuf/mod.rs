//! Provided buffer rings (`IORING_REGISTER_PBUF_RING`): the kernel picks a buffer when data
//! arrives, the completion names it, and a [`BufRef`] guard hands it to you and puts it back
//! in the ring when dropped.
//!
//! ```no_run
//! # use uring::driver::{Driver, pbuf::RecvMulti};
//! # fn main() -> std::io::Result<()> {
//! # let (sock, _peer) = std::os::unix::net::UnixStream::pair()?;
//! let mut driver = Driver::new(64)?;
//! let bufs = driver.buf_ring(64, 4096)?; // 64 buffers of 4 KiB
//! let mut recv = driver.submit_multishot(RecvMulti::new(&sock, &bufs))?;
//! loop {
//!     driver.submit_and_wait(1)?;
//!     driver.reap(|_| {});
//!     while let Some(item) = driver.next(&recv) {
//!         match item {
//!             Ok(buf) if buf.is_empty() => return Ok(()), // EOF
//!             Ok(buf) => println!("{} bytes", buf.len()), // `buf` goes back on drop
//!             Err(e) => return Err(e),
//!         }
//!     }
//!     if driver.is_finished(&recv) {
//!         // ENOBUFS (every buffer was in use) or an error ended it: re-arm.
//!         let op = driver.release(recv).ok().unwrap();
//!         recv = driver.submit_multishot(op)?;
//!     }
//! }
//! # }
//! ```
//!
//! # Memory
//!
//! The ring (16 bytes per entry, page-aligned) and the buffers (one block of `count * size`
//! bytes) are owned by an `Rc` shared by the driver, every operation using the group and every
//! [`BufRef`]; they are freed when the last of those is gone. Ids the kernel reports are
//! checked: an id out of range, or one the kernel does not hold, is an error item, never a
//! second guard over the same bytes.
//!
//! The buffer block is an anonymous private mapping made without `MAP_POPULATE`: a page of it
//! becomes resident only when the kernel first receives into it, so a ring of 1,024 buffers of
//! 16 KiB of which a few are ever used costs a few pages of RSS, not 16 MiB. (Anonymous pages
//! read as zero, so every byte is initialized from the start.)

mod guard;
mod ops;
mod ring;

pub use guard::{BufRef, BundleRef};
pub use ops::{ReadMulti, RecvBundle, RecvMulti, RecvSelect, is_no_buffers};
pub(crate) use ring::Using;
pub use ring::{BufRing, MAX_ENTRIES};
#[cfg(test)]
mod tests {
    use super::ring::layout::*;
    use super::ring::*;
    use super::*;
    use crate::cqueue::CqeFlags;
    use crate::driver::op::{Completion, MultishotOperation, OpFile};
    use std::rc::Rc;

    fn ring(count: u32, size: u32, inc: bool) -> BufRing {
        let inner = Rc::new(Inner::alloc(count, size, inc, 0, 1).unwrap());
        inner.fill();
        BufRing { inner }
    }

    fn cqe(bid: u16, res: i32, more: bool) -> Completion {
        let mut flags = CqeFlags::BUFFER | CqeFlags::from_bits_retain(u32::from(bid) << 16);
        if more {
            flags |= CqeFlags::BUF_MORE;
        }
        Completion { res, flags, aux: 0 }
    }

    /// The kernel's view: every buffer in the ring, the tail published, entries pointing at
    /// their buffers; a completion hands a guard out once and the drop puts the buffer back.
    #[test]
    fn guard_cycle() {
        let r = ring(4, 8, false);
        assert_eq!(r.inner.published_tail(), 4);
        let base = r.inner.bufs.ptr.as_ptr() as u64;
        for i in 0..4 {
            assert_eq!(r.inner.entry(i), (base + 8 * i as u64, 8, i as u16));
        }
        // The kernel writes 3 bytes into buffer 2 and posts a CQE for it.
        // SAFETY: buffer 2 lies in the block; nothing else references it now.
        unsafe {
            core::ptr::copy_nonoverlapping(b"abc".as_ptr(), r.inner.bufs.ptr.as_ptr().add(16), 3)
        };
        let mut c = cqe(2, 3, false);
        r.observe(&mut c);
        let mut g = r.guard(&c).unwrap();
        assert_eq!(&*g, b"abc");
        g[0] = b'x';
        assert_eq!(r.available(), 3);
        // A second CQE naming the same buffer (forged or buggy) is refused.
        let mut dup = cqe(2, 3, false);
        r.observe(&mut dup);
        assert_eq!(dup.res, -libc::EBADMSG);
        assert!(r.guard(&dup).is_err());
        // Out of range id, and a length beyond the buffer.
        let mut bad = cqe(9, 1, false);
        r.observe(&mut bad);
        assert!(r.guard(&bad).is_err());
        assert_eq!(
            r.inner.published_tail(),
            4,
            "refused ids leave the ring alone"
        );
        // A length beyond the buffer (MSG_TRUNC semantics, or corrupt memory) is refused, but
        // the kernel did take that buffer: it goes straight back, not lost for good.
        let mut long = cqe(1, 9, false);
        r.observe(&mut long);
        assert!(r.guard(&long).is_err());
        assert_eq!(r.available(), 3);
        assert_eq!(r.inner.published_tail(), 5);
        assert_eq!(
            r.inner.entry(0),
            (base + 8, 8, 1),
            "republished at tail & mask"
        );
        drop(g);
        assert_eq!(r.available(), 4);
        assert_eq!(r.inner.published_tail(), 6);
        assert_eq!(
            r.inner.entry(1),
            (base + 16, 8, 2),
            "recycled at tail & mask"
        );
    }

    /// Incremental consumption: parts of one buffer in order; back only when the kernel is done
    /// with it (no BUF_MORE) and every part's guard is gone.
    #[test]
    fn incremental_parts() {
        let r = ring(2, 16, true);
        let mut a = cqe(0, 5, true);
        r.observe(&mut a);
        let mut b = cqe(0, 4, true);
        r.observe(&mut b);
        let mut c = cqe(0, 7, false);
        r.observe(&mut c);
        assert_eq!((a.aux, b.aux, c.aux), (0, 5, 9));
        let (ga, gb, gc) = (
            r.guard(&a).unwrap(),
            r.guard(&b).unwrap(),
            r.guard(&c).unwrap(),
        );
        assert_eq!((ga.len(), gb.len(), gc.len()), (5, 4, 7));
        assert_eq!(r.available(), 1);
        drop(ga);
        drop(gc);
        assert_eq!(r.available(), 1, "a part is still out");
        drop(gb);
        assert_eq!(r.available(), 2);
        // Past the end of the buffer: refused.
        let mut over = cqe(1, 10, true);
        r.observe(&mut over);
        let mut over2 = cqe(1, 10, true);
        r.observe(&mut over2);
        assert_eq!(over2.res, -libc::EBADMSG);
        drop(r.guard(&over));
    }

    /// A failed request can still consume a buffer (a read that errs after selecting one
    /// posts the error with `F_BUFFER`): the item is the error and the buffer goes straight
    /// back, or after `count` such errors the ring would be empty for good.
    #[test]
    fn failed_completion_gives_its_buffer_back() {
        let r = ring(2, 8, false);
        for _ in 0..4 {
            let tail = r.inner.tail.get();
            let mut c = cqe(1, -libc::EIO, false);
            r.observe(&mut c);
            assert_eq!(r.guard(&c).unwrap_err().raw_os_error(), Some(libc::EIO));
            assert_eq!(r.available(), 2, "the failed request's buffer is back");
            // Regression check: put back exactly once (a second publication would hand the
            // kernel the same buffer twice, so two requests could fill it at once).
            assert_eq!(r.inner.tail.get(), tail.wrapping_add(1), "published once");
        }
        // A failed completion naming a buffer the kernel does not hold is not published.
        let tail = r.inner.tail.get();
        let mut c = cqe(1, -libc::EIO, false);
        r.observe(&mut c);
        let mut again = cqe(1, -libc::EIO, false);
        r.observe(&mut again);
        assert!(r.guard(&c).is_err() && r.guard(&again).is_err());
        assert_eq!(r.inner.tail.get(), tail.wrapping_add(1), "one buffer, once");
        // Incremental: a failed part with BUF_MORE leaves the buffer with the kernel.
        let r = ring(2, 8, true);
        let mut c = cqe(0, -libc::EIO, true);
        r.observe(&mut c);
        assert!(r.guard(&c).is_err());
        assert_eq!(r.available(), 2);
        let mut c = cqe(0, -libc::EIO, false);
        r.observe(&mut c);
        assert!(r.guard(&c).is_err());
        assert_eq!(r.available(), 2, "done with it: back in the ring");
    }

    /// The same for a bundle: a failed completion's buffers go back and are not handed out
    /// with the next completion's item.
    #[test]
    fn failed_bundle_gives_its_buffers_back() {
        let r = ring(4, 8, false);
        let mut op = RecvBundle::new(OpFile::from_raw_fd(-1), &r).unwrap();
        let mut bad = cqe(0, -libc::EIO, false);
        let tail = r.inner.tail.get();
        // SAFETY: the ring is registered with no kernel (a unit test): these completions stand
        // for the kernel's, each observed once and then itemized once, in order.
        let item = unsafe {
            op.observe(&mut bad);
            op.item(bad)
        };
        assert!(item.is_err());
        assert_eq!(r.available(), 4, "the failed completion's buffer is back");
        assert_eq!(
            r.inner.tail.get(),
            tail.wrapping_add(1),
            "published once, not twice"
        );
        let mut good = cqe(1, 3, false);
        // SAFETY: as above.
        let b = unsafe {
            op.observe(&mut good);
            op.item(good)
        }
        .unwrap();
        assert_eq!(
            b.bids(),
            [1],
            "the item holds its own buffer, not the failed one's"
        );
        drop(b);
        assert_eq!(r.available(), 4);
    }

    /// An empty completion (EOF) holds no buffer.
    #[test]
    fn eof_guard_is_empty() {
        let r = ring(1, 4, false);
        let c = Completion {
            res: 0,
            flags: CqeFlags::empty(),
            aux: 0,
        };
        let g = r.guard(&c).unwrap();
        assert!(g.is_empty() && g.bid().is_none());
        assert_eq!(r.available(), 1);
    }

    #[test]
    fn mask_rules() {
        assert_eq!(mask(1), Ok(0));
        assert_eq!(mask(4), Ok(3));
        assert_eq!(mask(32768), Ok(32767));
        assert!(mask(0).is_err());
        assert!(mask(3).is_err());
        assert!(mask(65536).is_err());
    }

    #[test]
    fn slot_wraps() {
        assert_eq!(slot(0, 3), 0);
        assert_eq!(slot(5, 3), 1);
        assert_eq!(slot(u16::MAX, 3), 3);
        assert_eq!(slot(u16::MAX.wrapping_add(1), 3), 0);
        assert_eq!(slot(40000, 32767), 40000 - 32768);
    }

    #[test]
    fn sizes() {
        assert_eq!(ring_bytes(1, 4096), 4096);
        assert_eq!(ring_bytes(256, 4096), 4096);
        assert_eq!(ring_bytes(257, 4096), 8192);
        assert_eq!(
            buffers_bytes(4, 0).unwrap_err(),
            "provided buffers must be at least 1 byte"
        );
        assert_eq!(buffers_bytes(4, 16), Ok(64));
        assert_eq!(
            TAIL_OFFSET,
            core::mem::offset_of!(uring_sys::io_uring_buf, resv)
        );
        assert_eq!(ENTRY_SIZE, size_of::<uring_sys::io_uring_buf>());
    }
}
