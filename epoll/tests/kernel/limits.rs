//! Adversarial sizes: an events buffer larger than the kernel accepts.
//!
//! `epoll_wait` refuses `maxevents > EP_MAX_EVENTS` (`INT_MAX / sizeof(struct epoll_event)`,
//! 178,956,970 on x86_64) with `EINVAL`, before looking at the ready list. `Events::with_capacity`
//! used to clamp only to `i32::MAX`, so a buffer between the two made *every* wait fail and the
//! ready events could never be read.

use epoll::{Epoll, Events, Interest};

use crate::util::{ZERO, pipe, write_bytes};

/// The kernel's `EP_MAX_EVENTS` (fs/eventpoll.c), computed here from the C struct.
const EP_MAX_EVENTS: usize = i32::MAX as usize / size_of::<libc::epoll_event>();

/// `MemAvailable` of `/proc/meminfo`, in bytes.
fn mem_available() -> Option<usize> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kb = info
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse::<usize>()
        .ok()?;
    Some(kb * 1024)
}

#[test]
fn events_buffer_above_the_kernel_maximum_still_waits() {
    // The buffer is allocated (not touched) whole: a machine that cannot map that much (a
    // small VM) would abort the process, not fail the test. The kernel matrix's guests have
    // 3 GiB for it.
    let need = EP_MAX_EVENTS * size_of::<libc::epoll_event>();
    match mem_available() {
        Some(avail) if avail > need + (512 << 20) => {}
        avail => {
            println!(
                "SKIPPED the buffer needs {} MiB of memory and this machine has {} MiB available",
                need >> 20,
                avail.map_or_else(|| "unknown".to_owned(), |a| (a >> 20).to_string())
            );
            return;
        }
    }
    let ep = Epoll::new().unwrap();
    let (r, w) = pipe();
    ep.add(&r, 7, Interest::READABLE).unwrap();
    write_bytes(&w, 1);
    // One more than the kernel accepts (about 2 GiB of events).
    let mut ev = Events::with_capacity(EP_MAX_EVENTS + 1);
    assert_eq!(
        ev.capacity(),
        EP_MAX_EVENTS,
        "clamped to what epoll_wait accepts"
    );
    assert_eq!(ep.wait(&mut ev, ZERO).unwrap(), 1);
    assert_eq!(ev.iter().next().unwrap().token(), 7);
}
