//! The thread's registered-ring table.

use std::os::fd::AsFd;

use uring::Ring;

use super::*;

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
