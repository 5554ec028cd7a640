//! [`Kqueue`]: the queue, `apply` with per-change receipts, and `wait`.

use std::error::Error;
use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::time::Duration;

use crate::change::Change;
use crate::event::{Event, Events, error_of};
use crate::os::Kevent;
use crate::sys;

/// Changes per `kevent` call in [`Kqueue::apply`]: the receipts live on the stack.
const RECEIPT_BATCH: usize = 32;

/// A kernel event queue — `kqueue(2)`, owning its descriptor (close-on-exec).
///
/// All methods take `&self`: one thread may [`wait`](Self::wait) while others
/// [`apply`](Self::apply) changes or fire a user event; the kernel serialises them.
///
/// ```no_run
/// use kqueue::{Change, Events, Kqueue, Timer};
/// use std::time::Duration;
///
/// let kq = Kqueue::new()?;
/// let (reader, _writer) = std::os::unix::net::UnixStream::pair()?;
/// kq.apply(&[
///     Change::read(&reader, 1),
///     Change::timer(7, Timer::periodic(Duration::from_millis(10)), 2)?,
/// ])?;
/// let mut events = Events::with_capacity(64);
/// kq.wait(&[], &mut events, Some(Duration::from_secs(1)))?;
/// for ev in &events {
///     println!("{:?} token {}", ev.filter(), ev.token());
/// }
/// # std::io::Result::Ok(())
/// ```
///
/// # References
/// - [FreeBSD `kqueue(2)`](https://man.freebsd.org/cgi/man.cgi?query=kqueue&sektion=2)
/// - [OpenBSD `kqueue(2)`](https://man.openbsd.org/kqueue.2)
/// - [NetBSD `kqueue(2)`](https://man.netbsd.org/kqueue.2)
/// - [Apple `kqueue(2)`](https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/kqueue.2.html)
#[derive(Debug)]
pub struct Kqueue {
    fd: OwnedFd,
}

/// A change that [`Kqueue::apply`] could not make: which one, and the kernel's error.
///
/// `apply` returns it inside an [`io::Error`] of the same kind; get it back with
/// `err.get_ref().and_then(|e| e.downcast_ref::<ChangeError>())`.
#[derive(Debug)]
pub struct ChangeError {
    /// Index of the change in the slice given to `apply`.
    pub index: usize,
    /// The change.
    pub change: Change,
    /// The kernel's error for it (`raw_os_error` is the errno).
    pub error: io::Error,
}

impl fmt::Display for ChangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "kevent change #{} ({:?} on ident {}, flags {:?}) failed: {}",
            self.index,
            self.change.filter(),
            self.change.ident(),
            self.change.flags(),
            self.error
        )
    }
}

/// The kernel's errno behind an error this crate returned: `raw_os_error()` for a plain OS
/// error (`kqueue`, `kevent` itself, an [`Event`](crate::Event)'s `EV_ERROR`), the errno a
/// [`ChangeError`] keeps for [`Kqueue::apply`]; `None` for an error without one (a bad
/// argument the crate refused before calling the kernel).
///
/// ```
/// # use kqueue::{Change, Filter, Flags, Kqueue};
/// let kq = Kqueue::new()?;
/// // Watching a descriptor number that is not open: EBADF for that change.
/// let bad = Change::new(1_000_000, Filter::Read, Flags::ADD, 0, 0, 0)?;
/// let err = kq.apply(&[bad]).unwrap_err();
/// assert_eq!(kqueue::errno(&err), Some(libc::EBADF));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn errno(err: &io::Error) -> Option<i32> {
    if let Some(n) = err.raw_os_error() {
        return Some(n);
    }
    err.get_ref()?
        .downcast_ref::<ChangeError>()
        .and_then(|e| e.error.raw_os_error())
}

impl Error for ChangeError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.error)
    }
}

impl Kqueue {
    /// `kqueue()` — a new queue, close-on-exec.
    ///
    /// NetBSD uses `kqueue1(O_CLOEXEC)`; elsewhere `FD_CLOEXEC` is set right after creation
    /// (another thread that forks and execs in between leaks the descriptor to that child).
    /// Apple systems do not pass kqueues to a `fork` child at all.
    ///
    /// # References
    /// - [FreeBSD `kqueue(2)`](https://man.freebsd.org/cgi/man.cgi?query=kqueue&sektion=2)
    /// - [OpenBSD `kqueue(2)`](https://man.openbsd.org/kqueue.2)
    /// - [NetBSD `kqueue(2)`](https://man.netbsd.org/kqueue.2)
    /// - [Apple `kqueue(2)`](https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/kqueue.2.html)
    #[doc(alias = "kqueue")]
    #[doc(alias = "kqueue1")]
    pub fn new() -> io::Result<Self> {
        sys::kqueue_cloexec().map(|fd| Self { fd })
    }

    /// `kevent(kq, changes (with EV_RECEIPT), n, receipts, n, &{0, 0})` — applies every change
    /// and returns the first that failed as a [`ChangeError`], skipping the results reactors
    /// ignore (see [`Change::is_benign_error`]: `ENOENT` on delete, `EPIPE` on a write filter).
    ///
    /// Every change is attempted even when an earlier one fails: `EV_RECEIPT` makes the kernel
    /// report each change's result in its own entry instead of stopping. Changes go to the
    /// kernel [32 at a time](Self::apply_each); no events are consumed.
    ///
    /// # References
    /// - [FreeBSD `kqueue(2)`](https://man.freebsd.org/cgi/man.cgi?query=kqueue&sektion=2)
    /// - [OpenBSD `kqueue(2)`](https://man.openbsd.org/kqueue.2)
    /// - [NetBSD `kqueue(2)`](https://man.netbsd.org/kqueue.2)
    /// - [Apple `kqueue(2)`](https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/kqueue.2.html)
    #[doc(alias = "EV_RECEIPT")]
    pub fn apply(&self, changes: &[Change]) -> io::Result<()> {
        let mut first: Option<ChangeError> = None;
        self.apply_each(changes, |index, change, result| {
            if let Err(error) = result {
                if first.is_none() && !change.is_benign_error(&error) {
                    first = Some(ChangeError {
                        index,
                        change: *change,
                        error,
                    });
                }
            }
        })?;
        match first {
            None => Ok(()),
            Some(e) => Err(io::Error::new(e.error.kind(), e)),
        }
    }

    /// Like [`apply`](Self::apply), but calls `report(index, change, result)` once for every
    /// change, in order, with the kernel's own result (benign errors included).
    ///
    /// The changes are copied (with `EV_RECEIPT` added) into a stack batch of 32 and applied
    /// with one `kevent` call per batch; the receipts come back in the same order. A failure of
    /// the call itself (e.g. `EBADF`, `ENOMEM`) is returned, and the changes of that batch and
    /// later ones are then not reported.
    pub fn apply_each(
        &self,
        changes: &[Change],
        mut report: impl FnMut(usize, &Change, io::Result<()>),
    ) -> io::Result<()> {
        let mut batch = [Change(Kevent::ZERO); RECEIPT_BATCH];
        let mut receipts = [Event(Kevent::ZERO); RECEIPT_BATCH];
        for (b, chunk) in changes.chunks(RECEIPT_BATCH).enumerate() {
            let base = b * RECEIPT_BATCH;
            let n = chunk.len();
            for (dst, src) in batch.iter_mut().zip(chunk) {
                *dst = src.receipt();
            }
            let got = sys::kevent(
                self.fd.as_fd(),
                &batch[..n],
                &mut receipts[..n],
                Some(Duration::ZERO),
            )?;
            let mut next = 0;
            for r in &receipts[..got] {
                // Receipt entries carry the change's ident and filter, in change order.
                let Some(j) = (next..n)
                    .find(|&j| batch[j].0.ident == r.0.ident && batch[j].0.filter == r.0.filter)
                else {
                    continue;
                };
                for (k, c) in chunk.iter().enumerate().take(j).skip(next) {
                    report(base + k, c, Err(missing_receipt()));
                }
                let result = match error_of(&r.0) {
                    None => Ok(()),
                    Some(errno) => Err(io::Error::from_raw_os_error(errno)),
                };
                report(base + j, &chunk[j], result);
                next = j + 1;
            }
            for (k, c) in chunk.iter().enumerate().skip(next) {
                report(base + k, c, Err(missing_receipt()));
            }
        }
        Ok(())
    }

    /// `kevent(kq, changes, n, events, cap, timeout)` — applies `changes`, then waits up to
    /// `timeout` (`None`: without limit; `Some(ZERO)`: poll) for events, reading up to
    /// `events.capacity()` of them in this one call. Returns how many were read (0 on timeout).
    ///
    /// A change that fails is reported as an event with `EV_ERROR` ([`Event::error`]) when
    /// there is room in `events`; otherwise the call fails with that change's errno and later
    /// changes are not applied. Use [`apply`](Self::apply) to learn each change's result.
    ///
    /// `EINTR` ([`io::ErrorKind::Interrupted`]): a signal arrived while waiting. The changes
    /// were already applied — call again with an empty change list (and the remaining time).
    /// The crate does not retry itself, so a signal can interrupt a wait.
    ///
    /// # References
    /// - [FreeBSD `kqueue(2)`](https://man.freebsd.org/cgi/man.cgi?query=kqueue&sektion=2)
    /// - [OpenBSD `kqueue(2)`](https://man.openbsd.org/kqueue.2)
    /// - [NetBSD `kqueue(2)`](https://man.netbsd.org/kqueue.2)
    /// - [Apple `kqueue(2)`](https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/kqueue.2.html)
    #[doc(alias = "kevent")]
    pub fn wait(
        &self,
        changes: &[Change],
        events: &mut Events,
        timeout: Option<Duration>,
    ) -> io::Result<usize> {
        let n = sys::kevent(self.fd.as_fd(), changes, events.spare_mut(), timeout)?;
        events.set_filled(n);
        Ok(n)
    }
}

fn missing_receipt() -> io::Error {
    io::Error::other("the kernel returned no EV_RECEIPT entry for this change")
}

impl AsFd for Kqueue {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for Kqueue {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl From<Kqueue> for OwnedFd {
    fn from(kq: Kqueue) -> OwnedFd {
        kq.fd
    }
}
