//! `wait` never allocates: a counting global allocator sees no allocation on this thread across
//! a thousand waits that return events (and the same for `wake` and the accessors).

use crate::util::{ZERO, pipe, write_bytes};
use epoll::{Epoll, Events, Interest, Waker};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Duration;

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every method forwards to `System` unchanged; the counter is a const-initialised
// thread-local `Cell` without a destructor, so touching it never allocates or recurses.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: the caller's contract for `alloc` is passed on as is.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this `layout` (every allocation does).
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: the caller's contract for `realloc` is passed on as is.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn allocs() -> u64 {
    ALLOCS.with(Cell::get)
}

#[test]
fn wait_does_not_allocate() {
    let ep = Epoll::new().unwrap();
    let (r, w) = pipe();
    ep.add(&r, 1, Interest::READABLE).unwrap(); // level-triggered: reported every wait
    write_bytes(&w, 1);
    let waker = Waker::new(&ep, 2).unwrap();
    let mut events = Events::with_capacity(16);
    let before = allocs();
    let mut seen = 0u64;
    for i in 0..1000 {
        if i % 10 == 0 {
            waker.wake().unwrap();
        }
        let timeout = if i % 2 == 0 {
            ZERO
        } else {
            Some(Duration::from_micros(1))
        };
        ep.wait(&mut events, timeout).unwrap();
        for e in &events {
            seen += e.token() + u64::from(e.is_readable()) + u64::from(e.ready().bits());
        }
    }
    let after = allocs();
    assert!(seen > 1000);
    assert_eq!(
        after - before,
        0,
        "wait/wake allocated {} times",
        after - before
    );
}
