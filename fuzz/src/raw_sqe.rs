//! `raw_sqe`: arbitrary raw SQEs built through `uring-sys` and pushed through the raw path of a
//! ring restricted with `IORING_REGISTER_RESTRICTIONS` — what people fuzzing the kernel with
//! these crates do.
//!
//! The ring is created disabled (`IORING_SETUP_R_DISABLED`), restricted to NOP, READ, WRITE,
//! POLL_ADD, TIMEOUT and ASYNC_CANCEL with every `IOSQE_*` flag allowed (and the register opcode
//! `IORING_REGISTER_SYNC_CANCEL`, which the harness uses to wind down), then enabled. Every SQE
//! field is the fuzzer's except the ones the kernel dereferences: `addr`/`len` of READ and
//! WRITE point into a harness-owned arena of adequate length, `addr` of TIMEOUT points at a
//! harness-owned timespec with a short duration, `fd` is one of the harness's pipes or memfd
//! (or an fd number that is certainly closed), and the `addr3` area (the PI attribute pointer
//! of READ/WRITE) is zero. The arena lives for the whole process, so no request the kernel
//! still holds can ever write into freed memory.
//!
//! Invariants checked: nothing crashes; every pushed SQE yields exactly one terminal CQE (one
//! without `IORING_CQE_F_MORE`), or none when it carried `IOSQE_CQE_SKIP_SUCCESS`; only
//! multishot requests post CQEs with `F_MORE`; no CQE carries a user_data that was not
//! submitted or arrives after its request's terminal CQE; and the ring still completes a NOP
//! afterwards.

use arbitrary::Arbitrary;
use std::collections::HashMap;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use uring::register::{Restriction, SyncCancel};
use uring::{Ring, Sqe, SqeFlags};
use uring_sys as sys;

/// Opcodes the restricted ring allows.
pub const OPCODES: [u8; 6] = [
    sys::IORING_OP_NOP,
    sys::IORING_OP_READ,
    sys::IORING_OP_WRITE,
    sys::IORING_OP_POLL_ADD,
    sys::IORING_OP_TIMEOUT,
    sys::IORING_OP_ASYNC_CANCEL,
];

/// Bytes per arena slot, the largest `len` a READ/WRITE gets.
const SLOT: usize = 4096;
/// Arena slots (and timespec slots).
const SLOTS: usize = 64;
/// SQEs per input.
const MAX_SQES: usize = 64;

/// One fuzzed SQE: the raw 64 bytes plus the harness's choices for the guarded fields.
#[derive(Debug, Clone, Arbitrary)]
pub struct RawSqe {
    /// The SQE's bytes as the fuzzer wants them.
    pub bytes: [u8; 64],
    /// Index into [`OPCODES`] (the opcode byte is replaced).
    pub op: u8,
    /// Which harness fd goes into `sqe->fd` (0..=3), or a closed fd number (4..).
    pub fd: u8,
    /// Zero the fields the opcode requires to be zero (more coverage past the prep checks).
    pub tidy: bool,
    /// The timeout in units of 16 ns (at most ~1 ms).
    pub timeout: u16,
    /// For ASYNC_CANCEL: target an earlier SQE's user_data (by index) instead of raw `addr`.
    pub cancel_target: Option<u8>,
}

/// One step.
#[derive(Debug, Clone, Arbitrary)]
pub enum Step {
    /// Push one SQE (submitting first if the SQ is full).
    Push(RawSqe),
    /// `io_uring_enter` to submit what is queued.
    Submit,
    /// Reap the completions that are there.
    Reap,
    /// `write(2)` a few bytes into pipe 0 or 1, so pending reads and polls complete.
    Feed(u8),
}

/// A fuzz input.
#[derive(Debug, Arbitrary)]
pub struct Input {
    /// log2 of the SQ size (masked to 1..=5).
    pub entries_log2: u8,
    /// `IORING_SETUP_SUBMIT_ALL`.
    pub submit_all: bool,
    /// The steps.
    pub steps: Vec<Step>,
}

struct Arena {
    bufs: *mut u8,
    timespecs: *mut sys::__kernel_timespec,
}

// SAFETY: the arena is only ever accessed through raw pointers (the kernel writes the buffers,
// the harness writes timespecs before the kernel reads them at prep time); it is never freed.
unsafe impl Send for Arena {}
// SAFETY: as above; no references into it are ever created.
unsafe impl Sync for Arena {}

fn arena() -> &'static Arena {
    static ARENA: OnceLock<Arena> = OnceLock::new();
    ARENA.get_or_init(|| {
        // Leaked on purpose: requests of a torn-down ring may in theory still be in flight, and
        // the kernel must only ever write into memory that stays valid.
        let bufs = Box::leak(vec![0u8; SLOT * SLOTS].into_boxed_slice()).as_mut_ptr();
        let timespecs = Box::leak(
            vec![
                sys::__kernel_timespec {
                    tv_sec: 0,
                    tv_nsec: 0
                };
                SLOTS
            ]
            .into_boxed_slice(),
        )
        .as_mut_ptr();
        Arena { bufs, timespecs }
    })
}

fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` is a writable array of two ints, as pipe2(2) requires.
    let r = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) };
    assert_eq!(r, 0, "pipe2: {}", std::io::Error::last_os_error());
    // SAFETY: pipe2 succeeded: both fds are open and owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

fn memfd() -> OwnedFd {
    // SAFETY: the name is a NUL-terminated string literal.
    let fd = unsafe { libc::memfd_create(c"raw_sqe".as_ptr(), libc::MFD_CLOEXEC) };
    assert!(fd >= 0, "memfd_create: {}", std::io::Error::last_os_error());
    // SAFETY: memfd_create succeeded: the fd is open and ours alone.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// The restricted ring: created disabled, restricted, enabled.
pub fn restricted_ring(entries: u32, submit_all: bool) -> Ring {
    let mut b = Ring::builder().disabled();
    if submit_all {
        b = b.submit_all();
    }
    let ring = b.build(entries).expect("io_uring_setup");
    let mut res: Vec<Restriction> = OPCODES.iter().map(|&op| Restriction::sqe_op(op)).collect();
    res.push(Restriction::sqe_flags_allowed(SqeFlags::from_bits_retain(
        sys::IOSQE_FIXED_FILE
            | sys::IOSQE_IO_DRAIN
            | sys::IOSQE_IO_LINK
            | sys::IOSQE_IO_HARDLINK
            | sys::IOSQE_ASYNC
            | sys::IOSQE_BUFFER_SELECT
            | sys::IOSQE_CQE_SKIP_SUCCESS,
    )));
    // `register_op` takes the u8 of `io_uring_restriction`; uring-sys spells the opcodes as u32.
    res.push(Restriction::register_op(
        sys::IORING_REGISTER_SYNC_CANCEL as u8,
    ));
    let sub = ring.submitter();
    sub.register_restrictions(&res)
        .expect("IORING_REGISTER_RESTRICTIONS");
    sub.register_enable_rings()
        .expect("IORING_REGISTER_ENABLE_RINGS");
    ring
}

#[derive(Debug)]
struct Sub {
    opcode: u8,
    flags: u8,
    /// Completions with `F_MORE`.
    more: u32,
    /// The terminal completion's result.
    done: Option<i32>,
}

struct Harness {
    ring: Ring,
    /// read0, write0, read1, write1, memfd.
    fds: Vec<OwnedFd>,
    subs: Vec<Sub>,
    by_user_data: HashMap<u64, usize>,
    /// SQEs pushed but maybe not yet consumed by the kernel.
    queued: usize,
    /// The closing NOP completed.
    final_nop: bool,
    /// The input uses `IOSQE_IO_DRAIN`: keep `IOSQE_CQE_SKIP_SUCCESS` off (see `build`).
    no_skip: bool,
}

impl Harness {
    fn build(&self, n: usize, r: &RawSqe) -> Sqe {
        let mut raw = sys::io_uring_sqe::zeroed();
        // SAFETY: `io_uring_sqe` is 64 bytes of plain integers (and unions of them): every byte
        // pattern is a valid value; source and destination are distinct and 64 bytes long.
        unsafe {
            std::ptr::copy_nonoverlapping(
                r.bytes.as_ptr(),
                std::ptr::from_mut(&mut raw).cast::<u8>(),
                64,
            );
        }
        let op = OPCODES[usize::from(r.op) % OPCODES.len()];
        raw.opcode = op;
        raw.fd = match r.fd % 8 {
            k @ 0..=4 => self.fds[usize::from(k)].as_raw_fd(),
            5 => -1,
            // Far above RLIMIT_NOFILE's soft limit: certainly not open.
            _ => 1 << 30,
        };
        // Unique, so every CQE maps to one SQE; the upper bits stay the fuzzer's.
        raw.user_data = (raw.user_data & !0xffff_ffff) | n as u64;
        let slot = n % SLOTS;
        // SAFETY (for the pointer arithmetic below): `slot < SLOTS`, inside both arena arrays.
        let buf = unsafe { arena().bufs.add(slot * SLOT) };
        match op {
            sys::IORING_OP_READ | sys::IORING_OP_WRITE => {
                raw.addr_union.addr = buf as u64;
                raw.len %= SLOT as u32 + 1;
                // No PI attribute pointer (the kernel would follow it).
                raw.addr3_struct_union = sys::io_uring_sqe::zeroed().addr3_struct_union;
                if r.tidy {
                    raw.buf_index_union = sys::io_uring_sqe::zeroed().buf_index_union;
                    raw.personality = 0;
                    raw.splice_fd_in_union = sys::io_uring_sqe::zeroed().splice_fd_in_union;
                    raw.ioprio = 0;
                    raw.flags &= !sys::IOSQE_BUFFER_SELECT & !sys::IOSQE_FIXED_FILE;
                }
            }
            sys::IORING_OP_TIMEOUT => {
                // SAFETY: `slot < SLOTS` (see above); no request reads this timespec now: the
                // kernel copies it at prep, and every request of an earlier input was reaped.
                let ts = unsafe { arena().timespecs.add(slot) };
                // SAFETY: `ts` is in bounds and aligned (an element of the leaked array).
                unsafe {
                    ts.write(sys::__kernel_timespec {
                        tv_sec: 0,
                        tv_nsec: i64::from(r.timeout) * 16,
                    })
                };
                raw.addr_union.addr = ts as u64;
                // SAFETY: reading a union member that is a plain integer.
                let tflags = unsafe { raw.rw_flags_union.timeout_flags };
                // A multishot timeout with a tiny period floods the CQ: keep it >= 50 us.
                if tflags & sys::IORING_TIMEOUT_MULTISHOT != 0 && r.timeout < 3125 {
                    // SAFETY: `ts` as above.
                    unsafe { (*ts).tv_nsec = 50_000 };
                }
                if r.tidy {
                    raw.len = 1;
                    raw.ioprio = 0;
                    raw.buf_index_union = sys::io_uring_sqe::zeroed().buf_index_union;
                    raw.personality = 0;
                    raw.splice_fd_in_union = sys::io_uring_sqe::zeroed().splice_fd_in_union;
                    // SAFETY: reading a union member that is a plain integer.
                    raw.off_union.off = unsafe { raw.off_union.off } % 4;
                }
            }
            sys::IORING_OP_ASYNC_CANCEL => {
                // `addr` is a user_data key here, not a pointer.
                if let Some(t) = r.cancel_target
                    && n > 0
                {
                    let t = usize::from(t) % n;
                    raw.addr_union.addr = (raw.user_data & !0xffff_ffff) | t as u64;
                    if let Some((&ud, _)) = self.by_user_data.iter().find(|(_, i)| **i == t) {
                        raw.addr_union.addr = ud;
                    }
                }
                if r.tidy {
                    raw.len = 0;
                    raw.off_union.off = 0;
                    raw.ioprio = 0;
                    raw.buf_index_union = sys::io_uring_sqe::zeroed().buf_index_union;
                    raw.splice_fd_in_union = sys::io_uring_sqe::zeroed().splice_fd_in_union;
                    raw.personality = 0;
                }
            }
            sys::IORING_OP_POLL_ADD => {
                if r.tidy {
                    raw.addr_union.addr = 0;
                    raw.off_union.off = 0;
                    raw.buf_index_union = sys::io_uring_sqe::zeroed().buf_index_union;
                    raw.personality = 0;
                    raw.len &= sys::IORING_POLL_ADD_MULTI;
                    raw.ioprio = 0;
                    raw.splice_fd_in_union = sys::io_uring_sqe::zeroed().splice_fd_in_union;
                }
            }
            _ => {
                // NOP: every field may be anything; the kernel dereferences none of them
                // (NOP_FIXED_BUFFER looks up a registered buffer, of which there are none).
                if r.tidy {
                    raw.rw_flags_union.rw_flags = 0;
                    raw.personality = 0;
                }
            }
        }
        // The kernel documents IOSQE_CQE_SKIP_SUCCESS as incompatible with IOSQE_IO_DRAIN and
        // refuses a DRAIN after a SKIP with EOPNOTSUPP, yet mixing the two in one ring (in
        // either order, or on one SQE) can leave a drained request waiting forever for a
        // CQE that was skipped: SYNC_CANCEL with ANY|ALL does not reach it and the ring is
        // wedged until closed. Found by this target on Linux 6.18 (the `seed-regress-drain-*`
        // inputs fail about 1 run in 7 without this); since it is the kernel's documented
        // limit, not ours, an input that uses DRAIN anywhere gets no SKIP anywhere.
        if self.no_skip {
            raw.flags &= !sys::IOSQE_CQE_SKIP_SUCCESS;
        }
        Sqe::from_raw(raw)
    }

    fn submit(&mut self) {
        match self.ring.submit() {
            Ok(n) => self.queued -= n.min(self.queued),
            // EBUSY/EAGAIN: CQ overflow backlog; reap and go on.
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::EBUSY | libc::EAGAIN | libc::EINTR)
                ) => {}
            Err(e) => panic!("io_uring_enter: {e}"),
        }
    }

    fn push(&mut self, r: &RawSqe) {
        let n = self.subs.len();
        let sqe = self.build(n, r);
        let raw = *sqe.as_raw();
        loop {
            // SAFETY: every pointer the kernel follows for this opcode points into the leaked
            // arena with adequate length (`build` overwrote `addr`/`len`/`addr3`); the fd is
            // a harness fd or a closed number; the arena is never freed.
            match unsafe { self.ring.push(&sqe) } {
                Ok(()) => break,
                Err(_) => {
                    self.submit();
                    self.reap();
                    if self.ring.sq_space_left() == 0 {
                        // The kernel did not consume (e.g. a CQ overflow backlog): give up on
                        // this SQE rather than spin.
                        return;
                    }
                }
            }
        }
        if debug() {
            eprintln!("pushed {sqe:?}");
        }
        self.queued += 1;
        self.by_user_data.insert(raw.user_data, n);
        self.subs.push(Sub {
            opcode: raw.opcode,
            flags: raw.flags,
            more: 0,
            done: None,
        });
    }

    fn reap(&mut self) -> usize {
        let mut got = 0;
        let cqes: Vec<uring::Cqe> = self.ring.cq().collect();
        for cqe in cqes {
            if debug() {
                eprintln!("reaped {cqe:?}");
            }
            got += 1;
            let ud = cqe.user_data();
            if ud == FINAL_NOP {
                assert_eq!(cqe.res(), 0, "the closing NOP failed: {cqe:?}");
                self.final_nop = true;
                continue;
            }
            let Some(&i) = self.by_user_data.get(&ud) else {
                panic!("CQE for a user_data never submitted: {cqe:?}");
            };
            let s = &mut self.subs[i];
            assert!(
                s.done.is_none(),
                "CQE after the terminal one for SQE {i} ({s:?}): {cqe:?}"
            );
            if cqe.has_more() {
                assert!(
                    matches!(s.opcode, sys::IORING_OP_POLL_ADD | sys::IORING_OP_TIMEOUT),
                    "F_MORE on a single-shot opcode: {s:?} {cqe:?}"
                );
                s.more += 1;
            } else {
                s.done = Some(cqe.res());
            }
        }
        got
    }
}

const FINAL_NOP: u64 = u64::MAX;

/// `RAW_SQE_DEBUG=1` prints every pushed SQE and reaped CQE (for reading a crash).
fn debug() -> bool {
    static DEBUG: OnceLock<bool> = OnceLock::new();
    *DEBUG.get_or_init(|| std::env::var_os("RAW_SQE_DEBUG").is_some())
}

impl Harness {
    /// Whether SQE `i` may end without a CQE: it carries `IOSQE_CQE_SKIP_SUCCESS` (and
    /// succeeded), or it sits in a link chain behind an SQE that carries it: when such a
    /// request fails, the kernel posts its CQE and cancels the rest of the chain with their
    /// CQEs skipped (`req_set_fail` turns `REQ_F_CQE_SKIP` into `REQ_F_SKIP_LINK_CQES`).
    /// Chains end at the first SQE without `IO_LINK`/`IO_HARDLINK` (or earlier, at the end of
    /// a submission batch, which only makes chains shorter).
    fn may_skip(&self, i: usize) -> bool {
        let skip = |s: &Sub| s.flags & sys::IOSQE_CQE_SKIP_SUCCESS != 0;
        let linked = |s: &Sub| s.flags & (sys::IOSQE_IO_LINK | sys::IOSQE_IO_HARDLINK) != 0;
        if skip(&self.subs[i]) {
            return true;
        }
        self.subs[..i]
            .iter()
            .rev()
            .take_while(|s| linked(s))
            .any(skip)
    }

    /// Winds down: cancels everything still in flight and drains until every SQE is accounted
    /// for.
    fn finish(&mut self) {
        // Whatever is still queued in the SQ gets submitted (a prep failure stops a batch
        // without SUBMIT_ALL; the rest are consumed by the next enter).
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            self.submit();
            self.reap();
            let all_accounted =
                (0..self.subs.len()).all(|i| self.subs[i].done.is_some() || self.may_skip(i));
            if self.ring.submitter().sq_len() == 0 && all_accounted {
                // Possibly-skipped ones: cancel once more and wait briefly to be sure none is
                // merely slow.
                let _ = self.ring.submitter().register_sync_cancel(
                    &SyncCancel::any().all().timeout(Duration::from_millis(100)),
                );
                let _ = self
                    .ring
                    .submitter()
                    .wait(1, Some(Duration::from_millis(1)));
                self.reap();
                break;
            }
            assert!(
                Instant::now() < deadline,
                "SQEs never completed: {:?}",
                self.subs
                    .iter()
                    .enumerate()
                    .filter(|&(i, s)| s.done.is_none() && !self.may_skip(i))
                    .collect::<Vec<_>>()
            );
            match self
                .ring
                .submitter()
                .register_sync_cancel(&SyncCancel::any().all().timeout(Duration::from_millis(100)))
            {
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.raw_os_error(),
                        Some(libc::ENOENT | libc::ETIME | libc::EINTR | libc::EALREADY)
                    ) => {}
                Err(e) => panic!("IORING_REGISTER_SYNC_CANCEL: {e}"),
            }
            let _ = self
                .ring
                .submitter()
                .wait(1, Some(Duration::from_millis(1)));
        }
        // The ring still works.
        let nop = Sqe::new(sys::IORING_OP_NOP).user_data(FINAL_NOP);
        // SAFETY: a plain NOP dereferences nothing.
        unsafe { self.ring.push(&nop) }.expect("an empty SQ has room for the NOP");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.final_nop {
            self.submit();
            let _ = self
                .ring
                .submitter()
                .wait(1, Some(Duration::from_millis(10)));
            self.reap();
            assert!(Instant::now() < deadline, "the closing NOP never completed");
        }
    }
}

/// Runs one input on a fresh restricted ring.
pub fn run(input: &Input) {
    let entries = 1u32 << (input.entries_log2 % 5 + 1);
    let (r0, w0) = pipe();
    let (r1, w1) = pipe();
    let mut h = Harness {
        ring: restricted_ring(entries, input.submit_all),
        fds: vec![r0, w0, r1, w1, memfd()],
        subs: Vec::new(),
        by_user_data: HashMap::new(),
        queued: 0,
        final_nop: false,
        no_skip: input
            .steps
            .iter()
            .any(|s| matches!(s, Step::Push(r) if r.bytes[1] & sys::IOSQE_IO_DRAIN != 0)),
    };
    let mut pushed = 0;
    for step in &input.steps {
        match step {
            Step::Push(r) => {
                if pushed == MAX_SQES {
                    continue;
                }
                pushed += 1;
                h.push(r);
            }
            Step::Submit => h.submit(),
            Step::Reap => {
                h.reap();
            }
            Step::Feed(k) => {
                let fd = h.fds[usize::from(k & 1) * 2 + 1].as_raw_fd();
                let bytes = [0x5au8; 16];
                // SAFETY: `bytes` is valid for 16 bytes during the call; a full pipe returns
                // EAGAIN (O_NONBLOCK), which is fine.
                unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
            }
        }
    }
    h.finish();
}
