//! `IORING_REGISTER_PROBE`: which opcodes this kernel supports.

use core::fmt;
use std::io;

use uring_sys as sys;

use crate::cqueue::CqeEntry;
use crate::raw::RawRing;
use crate::ring::Ring;
use crate::squeue::SqeEntry;
use crate::submit::Submitter;

/// The opcodes this kernel supports, from `IORING_REGISTER_PROBE` (Linux 5.6+).
#[derive(Clone)]
pub struct Probe {
    last_op: u8,
    /// `IO_URING_OP_*` flags of every opcode, indexed by opcode.
    flags: [u16; 256],
}

/// `struct io_uring_probe` followed by room for all 256 `io_uring_probe_op`s.
#[repr(C)]
struct ProbeBuf {
    head: sys::io_uring_probe,
    ops: [sys::io_uring_probe_op; 256],
}

impl Probe {
    /// Probes through an existing ring.
    pub(crate) fn for_ring(submitter: &Submitter<'_>) -> io::Result<Probe> {
        let mut buf = ProbeBuf {
            head: sys::io_uring_probe::zeroed(),
            ops: [sys::io_uring_probe_op::zeroed(); 256],
        };
        // SAFETY: `buf` is a zeroed `io_uring_probe` followed by 256 `io_uring_probe_op`s
        // (`repr(C)`: the ops array starts right where the header's flexible `ops[]` does, at
        // byte 16), and `nr_args = 256` tells the kernel it may write that many; it writes only
        // during the call, and keeps nothing.
        let r = unsafe {
            submitter.register_raw(
                sys::IORING_REGISTER_PROBE,
                (&raw mut buf).cast_const().cast(),
                256,
            )
        };
        if let Err(e) = r {
            if e.raw_os_error() == Some(libc::EINVAL) {
                return Err(crate::error::with_message(
                    libc::EINVAL,
                    "IORING_REGISTER_PROBE is not supported by this kernel (it needs Linux \
                     5.6+); assume only the Linux 5.1 opcodes",
                ));
            }
            return Err(e);
        }
        let mut flags = [0u16; 256];
        let n = usize::from(buf.head.ops_len);
        for op in &buf.ops[..n] {
            flags[usize::from(op.op)] = op.flags;
        }
        Ok(Probe {
            last_op: buf.head.last_op,
            flags,
        })
    }

    /// Probes with a throwaway 1-entry ring.
    ///
    /// # Errors
    /// As [`crate::Ring::new`] (io_uring unavailable, with the reason) or the probe failed.
    pub fn new() -> io::Result<Probe> {
        crate::Ring::new(1)?.probe()
    }

    /// `last_op`: the highest opcode number the kernel knows.
    pub fn last_op(&self) -> u8 {
        self.last_op
    }

    /// Whether the kernel supports `opcode` (`IO_URING_OP_SUPPORTED`).
    #[inline]
    pub fn is_supported(&self, opcode: u8) -> bool {
        self.flags[usize::from(opcode)] & sys::IO_URING_OP_SUPPORTED != 0
    }

    /// `Ok(())` when `opcode` is supported, else an error naming the opcode and the Linux
    /// release that added it (errno `EOPNOTSUPP`).
    pub fn check(&self, opcode: u8) -> io::Result<()> {
        if self.is_supported(opcode) {
            Ok(())
        } else {
            Err(crate::error::unsupported_opcode(
                opcode,
                &crate::error::kernel_release(),
            ))
        }
    }

    /// The supported opcodes, in order.
    pub fn supported(&self) -> impl Iterator<Item = u8> + '_ {
        (0..=255u8).filter(|&op| self.is_supported(op))
    }
}

impl fmt::Debug for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Ops<'a>(&'a Probe);
        impl fmt::Debug for Ops<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list()
                    .entries(self.0.supported().map(|op| {
                        crate::opcode::table::name(op)
                            .map(str::to_owned)
                            .unwrap_or_else(|| op.to_string())
                    }))
                    .finish()
            }
        }
        f.debug_struct("Probe")
            .field("last_op", &self.last_op)
            .field("supported", &Ops(self))
            .finish()
    }
}

/// Whether `IORING_OP_ASYNC_CANCEL` takes flags (`IORING_ASYNC_CANCEL_FD`, `ALL`, `ANY`; Linux
/// 5.19+), asked once per process by a trial: a cancel of nothing with `ANY` on a throwaway
/// ring completes with `ENOENT` where the flags are known and `EINVAL` where the kernel refuses
/// them. No feature bit or probe flag says it. `true` when the trial cannot be made (no ring):
/// then the kernel's own answer, in the CQE, is all there is.
pub(crate) fn cancel_flags_supported() -> bool {
    static SUPPORTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SUPPORTED.get_or_init(|| {
        let Ok(mut ring) = crate::Ring::new(1) else {
            return true;
        };
        let sqe = crate::opcode::AsyncCancel::new(0)
            .flags(crate::types::CancelFlags::ANY)
            .build();
        // SAFETY: a cancel by user_data carries no pointer: nothing the kernel reads or writes
        // must outlive the call.
        if unsafe { ring.push(&sqe) }.is_err() || ring.submit_and_wait(1).is_err() {
            return true;
        }
        ring.cq().next().is_none_or(|c| c.res() != -libc::EINVAL)
    })
}

/// The error for cancel flags on a kernel that refuses them (see [`cancel_flags_supported`]).
pub(crate) fn cancel_flags_error(what: &str) -> io::Error {
    crate::error::with_message(
        libc::EOPNOTSUPP,
        format!(
            "{what} needs Linux 5.19+ (IORING_ASYNC_CANCEL_FD/ALL/ANY): this kernel ({}) \
             refuses cancel flags; cancel each operation by its handle instead",
            crate::error::kernel_release()
        ),
    )
}

/// `Ok(())` when this kernel supports `opcode`, else the error naming the opcode and the Linux
/// release that added it. The kernel's probe is taken once per process (a throwaway ring);
/// without one (before Linux 5.6, or no ring at all) every opcode passes and the kernel's own
/// answer in the CQE is all there is.
pub(crate) fn kernel_supports(opcode: u8) -> io::Result<()> {
    static PROBE: std::sync::OnceLock<Option<Probe>> = std::sync::OnceLock::new();
    match PROBE.get_or_init(|| Probe::new().ok()) {
        Some(p) => p.check(opcode),
        None => Ok(()),
    }
}

impl<S: SqeEntry, C: CqeEntry> Ring<S, C> {
    /// `IORING_REGISTER_PROBE` — which opcodes this kernel supports.
    pub fn probe(&self) -> io::Result<Probe> {
        Probe::for_ring(&self.submitter())
    }

    /// `Ok(())` when the kernel behind this ring supports `opcode`, else the error naming the
    /// Linux release that added it (see [`crate::probe::kernel_supports`]). A ring over the
    /// model kernel (`crate::model`) passes everything: the model answers in its CQEs.
    pub(crate) fn supports_opcode(&self, opcode: u8) -> io::Result<()> {
        self.raw.supports_opcode(opcode)
    }

    /// Whether the kernel behind this ring takes `IORING_ASYNC_CANCEL_*` flags (Linux 5.19+;
    /// see [`crate::probe::cancel_flags_supported`]). The model kernel does.
    pub(crate) fn has_cancel_flags(&self) -> bool {
        if self.raw.kernel.is_model() {
            return true;
        }
        crate::probe::cancel_flags_supported()
    }
}

impl RawRing {
    /// [`Ring::supports_opcode`](crate::Ring::supports_opcode), reachable from a `SubmissionQueue`
    /// too.
    pub(crate) fn supports_opcode(&self, opcode: u8) -> io::Result<()> {
        if self.kernel.is_model() {
            return Ok(());
        }
        crate::probe::kernel_supports(opcode)
    }
}
