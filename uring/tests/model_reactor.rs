//! A small reactor, and its own tests run on the model kernel (`uring::model`, feature
//! `model`) with faults from a seed: no kernel, so they run under Miri too (stage 85 of
//! `./x test`). This is the pattern the crate docs' "Testing without a kernel" guide shows.

use std::collections::HashMap;
use std::io;

use uring::driver::{Driver, Key, Operation};

// ---- the reactor under test ----------------------------------------------------------------

/// What runs when an operation finishes: takes its output from the driver.
type Callback = Box<dyn FnOnce(&mut Driver)>;

/// A single-threaded reactor: owns a [`Driver`], runs one callback per finished operation.
struct Reactor {
    driver: Driver,
    waiting: HashMap<Key, Callback>,
}

impl Reactor {
    fn new(driver: Driver) -> Reactor {
        Reactor {
            driver,
            waiting: HashMap::new(),
        }
    }

    /// Submits `op`; `then` gets its output once it has finished.
    fn spawn<T: Operation + 'static>(
        &mut self,
        op: T,
        then: impl FnOnce(T::Output) + 'static,
    ) -> io::Result<()> {
        let op = self.driver.submit(op).map_err(|e| e.error)?;
        let key = op.key();
        let run = move |d: &mut Driver| match d.take(op) {
            Ok(out) => then(out),
            Err(_) => unreachable!("reaped as ready"),
        };
        self.waiting.insert(key, Box::new(run));
        Ok(())
    }

    /// One turn: submit, wait for a completion, run the callbacks of what finished. The
    /// errors a wait may return and that lose nothing (a signal, a full CQ, no memory, the
    /// wait's own timeout) end the turn early; the next one goes on.
    fn turn(&mut self) -> io::Result<usize> {
        if let Err(e) = self.driver.submit_and_wait(1) {
            let retry = [libc::EINTR, libc::EAGAIN, libc::EBUSY, libc::ETIME];
            if !e.raw_os_error().is_some_and(|n| retry.contains(&n)) {
                return Err(e);
            }
        }
        let mut ready = Vec::new();
        self.driver.reap(|key| ready.push(key));
        for key in &ready {
            let run = self
                .waiting
                .remove(key)
                .expect("a key this reactor spawned");
            run(&mut self.driver);
        }
        Ok(ready.len())
    }

    /// Turns until every callback has run (at most `max_turns`).
    fn run(&mut self, max_turns: usize) -> io::Result<()> {
        for _ in 0..max_turns {
            if self.waiting.is_empty() {
                return Ok(());
            }
            self.turn()?;
        }
        Err(io::Error::other(format!(
            "{} still waiting",
            self.waiting.len()
        )))
    }
}

// ---- its tests, on the model ---------------------------------------------------------------

mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::Duration;

    use uring::driver::{Nop, OpFile, Read, Timeout};
    use uring::model::{Chaos, Config, Model, Outcome};
    use uring_sys as sys;

    use super::Reactor;

    /// What the callbacks saw, in the order they ran.
    type Trace = Rc<RefCell<Vec<String>>>;

    /// A reactor on a model whose reads of fd 3 return as many bytes as asked, other reads
    /// stay pending (a silent peer), and whose waits let time pass (timeouts expire).
    fn reactor(chaos: Chaos) -> (Reactor, Model) {
        let (driver, model) = Config::new(64)
            .complete_on_wait(true)
            .build_driver()
            .unwrap();
        model.set_handler(|sqe| {
            let raw = sqe.as_raw();
            if sqe.opcode() == sys::IORING_OP_READ && raw.fd == 3 {
                Outcome::Complete {
                    res: raw.len as i32,
                    flags: 0,
                }
            } else {
                Outcome::Pending
            }
        });
        model.set_chaos(chaos);
        (Reactor::new(driver), model)
    }

    /// Reads, NOPs and a timeout; every callback runs exactly once with a result a kernel
    /// could give (a read of `n` bytes has them written; failures are the injected errnos).
    fn scenario(chaos: Chaos) -> (Vec<String>, u64) {
        let (mut r, model) = reactor(chaos);
        let trace: Trace = Rc::default();
        for i in 0..6 {
            let t = trace.clone();
            r.spawn(
                Read::new(OpFile::from_raw_fd(3), Vec::with_capacity(16), 0),
                move |(res, buf)| {
                    let line = match res {
                        Ok(n) => {
                            assert!(n <= 16 && buf.len() == n as usize, "{n} {}", buf.len());
                            assert!(buf.iter().all(|&b| b == 0xA5), "the model wrote the bytes");
                            format!("read{i} {n}")
                        }
                        Err(e) => format!("read{i} {e}"),
                    };
                    t.borrow_mut().push(line);
                },
            )
            .unwrap();
            let t = trace.clone();
            r.spawn(Nop, move |res| {
                t.borrow_mut().push(format!("nop{i} {res:?}"));
            })
            .unwrap();
        }
        let t = trace.clone();
        r.spawn(Timeout::new(Duration::from_secs(5)), move |res| {
            t.borrow_mut().push(format!("timeout {res:?}"));
        })
        .unwrap();
        r.run(200).unwrap();
        // A quiet shutdown: faults in it would make the driver leak what is in flight, on
        // purpose (and Miri report the leak).
        model.set_chaos(Chaos::new(0));
        let faults = model.stats().faults;
        drop(r);
        let trace = trace.take();
        assert_eq!(trace.len(), 13, "{trace:?}");
        (trace, faults)
    }

    fn seeds() -> u64 {
        if cfg!(miri) { 3 } else { 64 }
    }

    #[test]
    fn every_callback_runs_once_whatever_the_faults() {
        let mut faults = 0;
        for seed in 0..seeds() {
            faults += scenario(Chaos::all(seed)).1;
        }
        assert!(faults > 0, "the chaos injected nothing");
    }

    /// A failing seed is a reproducer: the same seed, the same run.
    #[test]
    fn a_seed_replays_the_same_run() {
        for seed in 0..seeds().min(8) {
            let chaos = Chaos::all(seed).errors(30);
            assert_eq!(scenario(chaos), scenario(chaos), "seed {seed}");
        }
    }

    /// A read nobody answers: dropping the reactor cancels it (the driver's shutdown), and the
    /// buffer comes back to be freed, not leaked (Miri checks for leaks).
    #[test]
    fn dropping_the_reactor_cancels_what_is_in_flight() {
        let (mut r, model) = reactor(Chaos::new(0));
        r.spawn(Read::new(OpFile::from_raw_fd(4), vec![0u8; 16], 0), |_| {
            unreachable!("never finishes before the drop")
        })
        .unwrap();
        r.driver.submit_pending().unwrap();
        assert_eq!(model.in_flight().len(), 1);
        drop(r);
        assert!(model.in_flight().is_empty());
    }
}
