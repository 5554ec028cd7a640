//! `io_uring_register(2)`: one typed method per `IORING_REGISTER_*` opcode.
//!
//! Every method here sits on [`Submitter::register_raw`], so it uses the ring's registered fd when
//! the ring has one. The split between safe and `unsafe` methods follows one rule:
//!
//! - the kernel **copies** what it is given at call time (file descriptors, an eventfd,
//!   restrictions, a CPU mask, NAPI and clock settings, a cancel key): the method is safe;
//! - the kernel **keeps using user memory** after the call returns (registered buffers, a provided
//!   buffer ring in user memory, a memory region in user memory, a zero-copy receive area): the
//!   method is an `unsafe fn` whose `# Safety` section states exactly what the caller must uphold.
//!   The ownership layer builds safe owned versions (buffer pools, provided buffer rings) on those.
//!
//! Two registrations need no ring at all ([`send_msg_ring`], [`query_opcodes`] and friends): they
//! are free functions. Resizing the rings changes the ring's mappings, so it lives on the ring
//! itself (core), not here.
//!
//! Errors: a failed registration returns an [`io::Error`] whose [`kind`](io::Error::kind) is the
//! kernel's errno's kind and whose message names the `IORING_REGISTER_*` opcode, the errno and,
//! for the errors people hit, what to do. The errno stays reachable through
//! [`crate::error::errno`].
//!
//! # References
//!
//! - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)

// One file per area, as in `uring/tests/register/`; every method is an `impl Submitter` block
// of its file and every public type is re-exported below, so the paths are `uring::register::X`:
//
// - `files`: the fixed file table (register, sparse, tags, update, unregister, alloc range);
// - `buffers`: the fixed-buffer table (register, tags, sparse, update, unregister, clone);
// - `eventfd`: the completion eventfd;
// - `personality`: personalities, restrictions and enabling a ring created disabled;
// - `iowq`: io-wq affinity and worker limits;
// - `ring_fds`: the calling thread's registered-ring table;
// - `pbuf`: provided-buffer rings and their status;
// - `cancel`: synchronous cancellation;
// - `napi`: NAPI busy polling, and the clock of CQ wait timeouts;
// - `regions`: memory regions (registered wait arguments) and zero-copy receive;
// - `bpf`: BPF filters;
// - `ringless`: the calls with no ring (send-msg-ring, queries), with the one
//   `io_uring_register(-1, ...)` of the crate.
//
// This file keeps what they share: the opcode-and-name pair (`opcode!`), the error wrapping and
// hints, the argument checks, and `Submitter::reg`, which every ring method goes through.

/// `opcode!(IORING_REGISTER_FILES)`: the [`Opcode`] `sys::IORING_REGISTER_FILES` with its name,
/// both from one token so an error message cannot name another opcode than the one called.
macro_rules! opcode {
    ($name:ident) => {
        $crate::register::Opcode {
            name: stringify!($name),
            code: ::uring_sys::$name,
        }
    };
}

mod bpf;
mod buffers;
mod cancel;
mod eventfd;
mod files;
mod iowq;
mod napi;
mod pbuf;
mod personality;
mod regions;
mod ring_fds;
mod ringless;

pub use cancel::SyncCancel;
pub use files::FileSlot;
pub use iowq::IowqMaxWorkers;
pub use napi::{Clock, Napi, NapiTracking};
pub use pbuf::BufRingFlags;
pub use personality::Restriction;
pub use regions::{MemRegion, MemRegionFlags};
pub use ringless::{
    QueryOpcodes, QueryScq, QueryZcrx, query_opcodes, query_scq, query_zcrx, send_msg_ring,
};

use core::ffi::c_void;
use std::io;

use crate::submit::Submitter;

/// An `io_uring_register(2)` opcode: its value and its C name, for error messages. Built only
/// by [`opcode!`].
#[derive(Debug, Clone, Copy)]
struct Opcode {
    /// `IORING_REGISTER_*` / `IORING_UNREGISTER_*`, as `<linux/io_uring.h>` spells it.
    name: &'static str,
    /// Its value, the syscall's `opcode` argument.
    code: u32,
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Wraps a kernel error from opcode `op` into a [`crate::error::Error`] naming the opcode
/// and, for the errors people hit, the cause and remedy (`hint(errno)`); the errno stays
/// reachable through [`crate::error::errno`].
fn wrap(op: Opcode, err: io::Error, hint: fn(i32) -> Option<&'static str>) -> io::Error {
    let opcode = op.name;
    // EINVAL is also what a kernel says to an opcode it does not know: name the release.
    if let (Some(libc::EINVAL), Some((major, minor))) = (err.raw_os_error(), since(opcode)) {
        let hint = hint(libc::EINVAL).unwrap_or("the kernel rejected the arguments");
        return crate::error::with_message(
            libc::EINVAL,
            format!(
                "io_uring_register({opcode}): {hint}; or this kernel ({}) predates {opcode}, \
                 which needs Linux {major}.{minor}+",
                crate::error::kernel_release()
            ),
        );
    }
    match err.raw_os_error() {
        Some(errno) => match hint(errno).or_else(|| common_hint(errno)) {
            Some(hint) => {
                crate::error::with_message(errno, format!("io_uring_register({opcode}): {hint}"))
            }
            None => {
                crate::error::with_message(errno, format!("io_uring_register({opcode}) failed"))
            }
        },
        // An error the crate built itself (the model kernel's refusal): keep its words and
        // errno, and name the opcode.
        None => match err
            .get_ref()
            .and_then(|e| e.downcast_ref::<crate::error::Error>())
        {
            Some(e) => crate::error::with_message(
                e.errno(),
                format!("io_uring_register({opcode}): {}", e.message()),
            ),
            None => err,
        },
    }
}

/// The Linux release that added the registration opcode named `opcode`.
fn since(opcode: &str) -> Option<(u8, u8)> {
    let name = opcode
        .strip_prefix("IORING_UNREGISTER_")
        .or_else(|| opcode.strip_prefix("IORING_REGISTER_"))?;
    Some(match name {
        "BUFFERS" | "FILES" | "EVENTFD" => (5, 1),
        "FILES_UPDATE" => (5, 5),
        "EVENTFD_ASYNC" | "PROBE" | "PERSONALITY" => (5, 6),
        "RESTRICTIONS" | "ENABLE_RINGS" => (5, 10),
        "FILES2" | "FILES_UPDATE2" | "BUFFERS2" | "BUFFERS_UPDATE" => (5, 13),
        "IOWQ_AFF" => (5, 14),
        "IOWQ_MAX_WORKERS" => (5, 15),
        "RING_FDS" => (5, 18),
        "PBUF_RING" => (5, 19),
        "SYNC_CANCEL" | "FILE_ALLOC_RANGE" => (6, 0),
        "PBUF_STATUS" => (6, 8),
        "NAPI" => (6, 9),
        "CLOCK" | "CLONE_BUFFERS" => (6, 12),
        "SEND_MSG_RING" | "RESIZE_RINGS" | "MEM_REGION" => (6, 13),
        "ZCRX_IFQ" => (6, 15),
        "QUERY" => (6, 18),
        _ => return None,
    })
}

/// `IORING_RSRC_REGISTER_SPARSE` came after FILES2/BUFFERS2: an EINVAL may be that flag.
const SPARSE_EINVAL: &str = "the kernel rejected the arguments, or does not know \
    IORING_RSRC_REGISTER_SPARSE (a table of empty slots), which needs Linux 5.19+";

/// Hints that hold for every opcode.
fn common_hint(errno: i32) -> Option<&'static str> {
    match errno {
        libc::EINVAL => Some(
            "the kernel rejected the arguments, or this kernel does not know this opcode \
             (check the Linux version that added it)",
        ),
        libc::EOPNOTSUPP => Some("this kernel or this ring's setup does not support it"),
        libc::EFAULT => Some("the kernel could not read or write the argument memory"),
        libc::ENOMEM => Some(
            "out of memory, or the locked-memory limit (RLIMIT_MEMLOCK, `ulimit -l`) is too low \
             on kernels before 5.12",
        ),
        libc::EBADFD => Some(
            "the ring is in the wrong state for this call (e.g. restrictions and wait regions \
             need a ring created with IORING_SETUP_R_DISABLED and not yet enabled)",
        ),
        libc::EACCES => Some("a registered restriction does not allow this register opcode"),
        libc::ENXIO => Some("the ring is being torn down"),
        _ => None,
    }
}

fn no_hint(_: i32) -> Option<&'static str> {
    None
}

/// Refuses resource tags with bit 63 set: the kernel posts a tag as a CQE's `user_data`, and
/// values with bit 63 set are [`uring::driver`](crate::driver)'s (its completions); a tag
/// there could forge the completion of an operation still in flight.
fn check_tags(op: Opcode, tags: &[u64]) -> io::Result<()> {
    match tags.iter().position(|t| t & (1 << 63) != 0) {
        None => Ok(()),
        Some(i) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{}: tag {i} ({:#x}) has bit 63 set; tags come back as CQE user_data and \
                 values with bit 63 set are reserved for uring::driver's completions: use a \
                 value below 1 << 63",
                op.name, tags[i]
            ),
        )),
    }
}

/// `InvalidInput` for arguments refused before the syscall: "`op`'s name: `why`".
fn invalid(op: Opcode, why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("{}: {why}", op.name))
}

/// `len` as the `u32` `nr_args` / `nr` the kernel takes; `too_many` says what overflowed.
fn len_u32(op: Opcode, len: usize, too_many: &str) -> io::Result<u32> {
    u32::try_from(len).map_err(|_| invalid(op, too_many))
}

// ---------------------------------------------------------------------------------------------
// What every ring method goes through
// ---------------------------------------------------------------------------------------------

impl Submitter<'_> {
    /// Calls `register_raw` and wraps a failure with the opcode's name and `hint`.
    ///
    /// # Safety
    ///
    /// As [`Submitter::register_raw`]: `arg` valid for what `op` reads and writes.
    unsafe fn reg(
        &self,
        op: Opcode,
        arg: *const c_void,
        nr_args: u32,
        hint: fn(i32) -> Option<&'static str>,
    ) -> io::Result<u32> {
        // SAFETY: forwarded from this function's own contract.
        unsafe { self.register_raw(op.code, arg, nr_args) }.map_err(|e| wrap(op, e, hint))
    }

    /// Refuses `op` on a ring a [`Driver`](crate::driver::Driver) owns: it would change a
    /// table the driver manages behind its back (see the driver's soundness contract).
    fn unmanaged(&self, op: Opcode) -> io::Result<()> {
        if self.managed {
            Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "{}: this ring belongs to a uring::driver::Driver, which manages its \
                     registered files, buffers and buffer rings itself; use the driver's calls \
                     (fixed_files and install, fixed_buffers, buf_ring), or register before \
                     Driver::from_ring",
                    op.name
                ),
            ))
        } else {
            Ok(())
        }
    }
}

/// The probe: `IORING_REGISTER_PROBE` (built by [`crate::probe`]).
impl Submitter<'_> {
    /// `io_uring_register(fd, IORING_REGISTER_PROBE, probe, 256)` — which opcodes this kernel
    /// supports (Linux 5.6+). The same as [`Ring::probe`](crate::Ring::probe).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_PROBE")]
    #[doc(alias = "io_uring_register_probe")]
    pub fn register_probe(&self) -> io::Result<crate::Probe> {
        crate::Probe::for_ring(self)
    }
}

#[cfg(test)]
mod tests {
    use core::ptr;

    use super::files::files_hint;
    use super::*;

    #[test]
    fn errors_name_the_opcode_and_keep_the_errno() {
        let e = wrap(
            opcode!(IORING_REGISTER_FILES),
            io::Error::from_raw_os_error(libc::EBUSY),
            files_hint,
        );
        assert_eq!(crate::error::errno(&e), Some(libc::EBUSY));
        let msg = e.to_string();
        assert!(
            msg.starts_with("io_uring_register(IORING_REGISTER_FILES): ")
                && msg.contains("unregister_files"),
            "{msg}"
        );
        let e = wrap(
            opcode!(IORING_REGISTER_CLOCK),
            io::Error::from_raw_os_error(libc::ESRCH),
            no_hint,
        );
        assert_eq!(crate::error::errno(&e), Some(libc::ESRCH));
        assert!(
            e.to_string()
                .starts_with("io_uring_register(IORING_REGISTER_CLOCK) failed ("),
            "{e}"
        );
        // A non-OS error passes through untouched.
        let e = wrap(
            opcode!(IORING_REGISTER_CLOCK),
            invalid(opcode!(IORING_REGISTER_CLOCK), "y"),
            no_hint,
        );
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(e.to_string(), "IORING_REGISTER_CLOCK: y");
    }

    #[test]
    fn opcode_pairs_the_constant_with_its_own_name() {
        // The values are the kernel ABI's (<linux/io_uring.h>), written out here so that a
        // macro pairing a name with another constant, or mangling the name, fails.
        let ops = [
            (
                opcode!(IORING_REGISTER_BUFFERS),
                "IORING_REGISTER_BUFFERS",
                0,
            ),
            (
                opcode!(IORING_UNREGISTER_FILES),
                "IORING_UNREGISTER_FILES",
                3,
            ),
            (
                opcode!(IORING_REGISTER_PBUF_RING),
                "IORING_REGISTER_PBUF_RING",
                22,
            ),
            (opcode!(IORING_REGISTER_QUERY), "IORING_REGISTER_QUERY", 35),
        ];
        for (op, name, code) in ops {
            assert_eq!((op.name, op.code), (name, code));
        }
    }

    /// Asserts `r` failed with the model kernel's `EINVAL` and a message naming `name`.
    #[track_caller]
    fn fails_naming<T>(name: &str, r: io::Result<T>) {
        let Err(e) = r else {
            panic!("{name}: the model kernel refuses every registration, yet this succeeded")
        };
        let msg = e.to_string();
        assert_eq!(crate::error::errno(&e), Some(libc::EINVAL), "{name}: {msg}");
        assert!(
            msg.starts_with(&format!("io_uring_register({name}): ")),
            "{name}: {msg}"
        );
    }

    /// Every ring registration, made on a ring over the model kernel (which refuses every
    /// `io_uring_register(2)` with `EINVAL`; no syscall is made), fails with a message naming
    /// the opcode the method is documented to call: a method wired to another opcode, or a
    /// name that drifted from its constant, fails here without a kernel.
    #[test]
    fn each_registration_names_its_opcode_when_it_fails() {
        use std::os::fd::AsFd;

        use super::{BufRingFlags, Clock, FileSlot, IowqMaxWorkers, MemRegion, MemRegionFlags};
        use super::{Napi, SyncCancel, send_msg_ring};

        let (ring, _model) = crate::model::Config::new(8)
            .build::<crate::Sqe, crate::Cqe>()
            .expect("model ring");
        let s = ring.submitter();
        let fd = ring.as_fd();
        let empty = BufRingFlags::empty();

        fails_naming("IORING_REGISTER_FILES", s.register_files(&[fd]));
        fails_naming("IORING_REGISTER_FILES2", s.register_files_sparse(4));
        fails_naming(
            "IORING_REGISTER_FILES2",
            s.register_files_tags(&[Some(fd)], &[1]),
        );
        let slots = [FileSlot::Empty];
        fails_naming(
            "IORING_REGISTER_FILES_UPDATE",
            s.register_files_update(0, &slots),
        );
        let update2 = s.register_files_update_tags(0, &slots, &[1]);
        fails_naming("IORING_REGISTER_FILES_UPDATE2", update2);
        fails_naming("IORING_UNREGISTER_FILES", s.unregister_files());
        fails_naming(
            "IORING_REGISTER_FILE_ALLOC_RANGE",
            s.register_file_alloc_range(0, 1),
        );
        fails_naming("IORING_REGISTER_BUFFERS2", s.register_buffers_sparse(4));
        fails_naming("IORING_UNREGISTER_BUFFERS", s.unregister_buffers());
        fails_naming("IORING_REGISTER_EVENTFD", s.register_eventfd(fd));
        fails_naming(
            "IORING_REGISTER_EVENTFD_ASYNC",
            s.register_eventfd_async(fd),
        );
        fails_naming("IORING_UNREGISTER_EVENTFD", s.unregister_eventfd());
        fails_naming("IORING_REGISTER_PERSONALITY", s.register_personality());
        fails_naming("IORING_UNREGISTER_PERSONALITY", s.unregister_personality(1));
        fails_naming("IORING_REGISTER_RESTRICTIONS", s.register_restrictions(&[]));
        fails_naming("IORING_REGISTER_ENABLE_RINGS", s.register_enable_rings());
        fails_naming("IORING_REGISTER_IOWQ_AFF", s.register_iowq_aff(&[0]));
        fails_naming("IORING_UNREGISTER_IOWQ_AFF", s.unregister_iowq_aff());
        let workers = s.register_iowq_max_workers(IowqMaxWorkers::default());
        fails_naming("IORING_REGISTER_IOWQ_MAX_WORKERS", workers);
        fails_naming(
            "IORING_REGISTER_PBUF_RING",
            s.register_buf_ring_mmap(8, 0, empty),
        );
        fails_naming("IORING_UNREGISTER_PBUF_RING", s.unregister_buf_ring(0));
        fails_naming("IORING_REGISTER_PBUF_STATUS", s.register_pbuf_status(0));
        let cancel = s.register_sync_cancel(&SyncCancel::any());
        fails_naming("IORING_REGISTER_SYNC_CANCEL", cancel);
        fails_naming("IORING_REGISTER_NAPI", s.register_napi(Napi::default()));
        fails_naming("IORING_UNREGISTER_NAPI", s.unregister_napi());
        fails_naming("IORING_REGISTER_NAPI", s.register_napi_add_id(1));
        fails_naming("IORING_REGISTER_NAPI", s.register_napi_del_id(1));
        fails_naming("IORING_REGISTER_CLOCK", s.register_clock(Clock::Boottime));
        fails_naming("IORING_REGISTER_ZCRX_CTRL", s.register_zcrx_flush_rq(0));
        fails_naming("IORING_REGISTER_ZCRX_CTRL", s.register_zcrx_export(0));

        let mut region = MemRegion::kernel(4096);
        let mut zcrx = uring_sys::io_uring_zcrx_ifq_reg::zeroed();
        // SAFETY: these registrations go to the model kernel, which reads and writes no
        // argument memory, keeps nothing, and refuses them all: no memory is handed over and
        // no table (the thread's registered rings included) changes.
        unsafe {
            fails_naming("IORING_REGISTER_BUFFERS", s.register_buffers(&[]));
            fails_naming(
                "IORING_REGISTER_BUFFERS2",
                s.register_buffers_tags(&[], &[]),
            );
            let update = s.register_buffers_update(0, &[], None);
            fails_naming("IORING_REGISTER_BUFFERS_UPDATE", update);
            let clone = s.register_clone_buffers(fd, 0, 0, 0, false);
            fails_naming("IORING_REGISTER_CLONE_BUFFERS", clone);
            fails_naming("IORING_REGISTER_RING_FDS", s.register_ring_fds(&[fd]));
            fails_naming("IORING_UNREGISTER_RING_FDS", s.unregister_ring_fds(&[0]));
            let user_ring = s.register_buf_ring(ptr::null_mut(), 8, 0, empty);
            fails_naming("IORING_REGISTER_PBUF_RING", user_ring);
            let mem = s.register_mem_region(&mut region, MemRegionFlags::empty());
            fails_naming("IORING_REGISTER_MEM_REGION", mem);
            fails_naming("IORING_REGISTER_ZCRX_IFQ", s.register_zcrx_ifq(&mut zcrx));
            fails_naming(
                "IORING_REGISTER_BPF_FILTER",
                s.register_bpf_filter(ptr::null()),
            );
        }

        // Refused before any syscall, so no kernel is needed: the message names the opcode.
        let e = send_msg_ring(fd, 1 << 63, 0, None).expect_err("bit 63 is refused");
        assert!(
            e.to_string().starts_with("IORING_REGISTER_SEND_MSG_RING: "),
            "{e}"
        );
    }
}
