//! How a driver ends: [`Driver::close`] and `Drop` cancel what is in flight, wait up to the
//! drop timeout, and leak (never free) what the kernel may still write, also when user code
//! panics during the drop.

use std::time::{Duration, Instant};

use super::Driver;
use super::slot::{Phase, finish_slot};

impl Driver {
    /// How long dropping the driver waits for cancelled operations before leaking them.
    pub fn set_drop_timeout(&mut self, d: Duration) {
        self.drop_timeout = d;
    }
}

impl Driver {
    /// Drops the driver as `drop` does (cancel everything in flight, wait up to the drop
    /// timeout, leak what is still in flight) and says how many operations were leaked.
    pub fn close(mut self) -> usize {
        self.shutdown()
    }

    fn shutdown(&mut self) -> usize {
        // User code runs in there (a finished operation's `complete`, an output's or an
        // operation's drop) and may panic. Unwinding out would drop the slab, freeing the slots
        // of operations still in flight that the kernel may write, and the rings and pools in
        // `keep`: leak those instead, as a drop that times out does, then let the panic go on.
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.shutdown_inner())) {
            Ok(leaked) => leaked,
            Err(panic) => {
                if self.in_flight > 0 {
                    self.leak_everything();
                    // Nothing left to wait for (`close` unwinding runs the drop next).
                    self.in_flight = 0;
                }
                std::panic::resume_unwind(panic)
            }
        }
    }

    /// Forgets every slot and every kept ring or pool, without dropping them: the kernel may
    /// still use their memory.
    fn leak_everything(&mut self) {
        self.slab.leak_all();
        for rc in self.keep.drain(..) {
            core::mem::forget(rc);
        }
    }

    fn shutdown_inner(&mut self) -> usize {
        // No more re-arming of the waker's read: it is cancelled with everything else.
        self.wake = None;
        if self.in_flight > 0 && self.cancel_everything() {
            let deadline = Instant::now() + self.drop_timeout;
            loop {
                self.reap(|_| {});
                let now = Instant::now();
                if self.in_flight == 0 || now >= deadline {
                    break;
                }
                let left = (deadline - now).min(Duration::from_millis(100));
                // ETIME or EINTR: look again; a dead ring runs into the deadline.
                let _ = self.ring.submitter().wait(1, Some(left));
            }
        }
        let leaked = self.in_flight;
        for key in self.slab.keys() {
            let Some(slot) = self.slab.get_mut(key) else {
                continue;
            };
            if slot.phase() == Phase::InFlight {
                // Leaked below, but the items its CQEs already delivered are ours: make and
                // drop them (an accepted fd is closed, a provided buffer goes back), never
                // leak them with the operation.
                while let Some(c) = slot.pop_queued() {
                    // SAFETY: the slot stores its operation's type (the vtable's contract);
                    // `c` is one of its observed CQEs, queued by `dispatch`, popped once.
                    unsafe { (slot.vt.drop_item)(&mut slot.data, c) };
                }
                continue;
            }
            let mut slot = self.slab.remove(key).expect("listed");
            finish_slot(&mut slot);
        }
        if leaked > 0 {
            // What is left is in flight: the kernel may still write into it.
            self.leak_everything();
        }
        self.in_flight = 0;
        leaked
    }
}

impl Driver {
    /// Asks the kernel to cancel every request (for the drop); whether any way was taken.
    fn cancel_everything(&mut self) -> bool {
        // A `NoMemoryOp` pushed last with `IO_LINK` leaves its chain open; an `ASYNC_CANCEL` in
        // the same batch would be linked behind it and wait for it. A chain ends with its
        // batch, so submit what is pushed first. (It may fail; what is pushed still counts.)
        let _ = self.ring.submit();
        let queued = self.cancel_all().is_ok();
        let _ = self.ring.submit();
        // The kernel defers every SQE behind an `IO_DRAIN` request until all before it have
        // completed: a cancel queued behind a drain that waits for the very requests it would
        // cancel never runs. `IORING_REGISTER_SYNC_CANCEL` (Linux 6.0+) takes no SQE, so
        // nothing defers it. Bounded; errors (older kernel, nothing to cancel) are ignored.
        let synced = !self.drop_timeout.is_zero() && {
            let key = crate::register::SyncCancel::any()
                .timeout(self.drop_timeout.min(Duration::from_millis(100)));
            self.ring.submitter().register_sync_cancel(&key).is_ok()
        };
        queued || synced
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.shutdown();
    }
}
