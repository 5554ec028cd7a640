//! The io-wq worker pool: CPU affinity and worker limits.

use core::ptr;
use std::io;

use super::{invalid, len_u32, no_hint};
use crate::submit::Submitter;

/// The two io-wq worker limits of [`Submitter::register_iowq_max_workers`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IowqMaxWorkers {
    /// `[IO_WQ_BOUND]`: workers for bounded work (regular file and block I/O). 0 = unchanged.
    pub bounded: u32,
    /// `[IO_WQ_UNBOUND]`: workers for unbounded work (sockets, pipes). 0 = unchanged.
    pub unbounded: u32,
}

/// io-wq workers: `IORING_REGISTER_IOWQ_AFF`, `_IOWQ_MAX_WORKERS`, `IORING_UNREGISTER_IOWQ_AFF`.
impl Submitter<'_> {
    /// `io_uring_register(fd, IORING_REGISTER_IOWQ_AFF, mask, size)` — pins this ring's io-wq
    /// worker threads to the CPUs listed in `cpus` (Linux 5.14+).
    ///
    /// Without SQPOLL the mask applies to the io-wq of the **calling thread** (io-wq is per
    /// task, shared by that thread's rings); with SQPOLL to the SQ thread's io-wq. An empty list
    /// is refused up front (`InvalidInput`), as is one naming only CPUs from 65536 on (beyond
    /// any kernel's mask); CPUs beyond the kernel's CPU mask size are ignored; a mask naming
    /// no usable CPU fails with `EINVAL`.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_IOWQ_AFF")]
    #[doc(alias = "io_uring_register_iowq_aff")]
    pub fn register_iowq_aff(&self, cpus: &[usize]) -> io::Result<()> {
        let op = opcode!(IORING_REGISTER_IOWQ_AFF);
        if cpus.is_empty() {
            return Err(invalid(op, "the CPU list is empty (name at least one CPU)"));
        }
        // The mask is sized by the largest CPU named, so a CPU number no kernel can have
        // (`usize::MAX`) would ask for 2^61 bytes and abort the process. The kernel reads at
        // most its own mask size (`nr_cpu_ids` bits; `NR_CPUS` is 8192 at most on any
        // architecture) and ignores the rest, so ignoring CPUs from `MAX_CPUS` on changes
        // nothing the kernel would see.
        const MAX_CPUS: usize = 1 << 16;
        let Some(max) = cpus.iter().copied().filter(|&c| c < MAX_CPUS).max() else {
            return Err(invalid(
                op,
                "every CPU number listed is beyond any kernel's CPU mask (65536 and up)",
            ));
        };
        // A mask of whole u64 words, as the kernel's cpumask is a bitmap of longs.
        let mut mask = vec![0u64; max / 64 + 1];
        for &cpu in cpus.iter().filter(|&&c| c < MAX_CPUS) {
            mask[cpu / 64] |= 1 << (cpu % 64);
        }
        let size = len_u32(op, mask.len() * 8, "CPU number too large")?;
        // SAFETY: `mask` is `size` bytes alive for the call; the kernel copies at most that.
        unsafe {
            self.reg(op, mask.as_ptr().cast(), size, |e| {
                (e == libc::EINVAL).then_some("the mask names no usable CPU")
            })
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_UNREGISTER_IOWQ_AFF, NULL, 0)` — lets io-wq workers run on
    /// any CPU again (Linux 5.14+).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_UNREGISTER_IOWQ_AFF")]
    #[doc(alias = "io_uring_unregister_iowq_aff")]
    pub fn unregister_iowq_aff(&self) -> io::Result<()> {
        let op = opcode!(IORING_UNREGISTER_IOWQ_AFF);
        // SAFETY: this opcode reads no argument.
        unsafe { self.reg(op, ptr::null(), 0, no_hint) }.map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_IOWQ_MAX_WORKERS, [bounded, unbounded], 2)` — sets
    /// the io-wq worker limits (a 0 field leaves that limit alone) and returns the previous
    /// ones (Linux 5.15+). Pass `IowqMaxWorkers::default()` to read the limits.
    ///
    /// The limits belong to the calling thread's io-wq (with SQPOLL, the SQ thread's), and the
    /// ring remembers them for io-wqs created later for it.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_IOWQ_MAX_WORKERS")]
    #[doc(alias = "io_uring_register_iowq_max_workers")]
    pub fn register_iowq_max_workers(&self, limits: IowqMaxWorkers) -> io::Result<IowqMaxWorkers> {
        let op = opcode!(IORING_REGISTER_IOWQ_MAX_WORKERS);
        let mut vals = [limits.bounded, limits.unbounded];
        // SAFETY: the kernel reads and writes two u32s in `vals`, exclusively ours for the call.
        unsafe { self.reg(op, vals.as_mut_ptr().cast_const().cast(), 2, no_hint) }?;
        Ok(IowqMaxWorkers {
            bounded: vals[0],
            unbounded: vals[1],
        })
    }
}
