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
use core::fmt;
use core::mem::size_of;
use core::ptr;
use core::time::Duration;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use uring_sys as sys;

use crate::squeue::SqeFlags;
use crate::submit::Submitter;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Wraps a kernel error from opcode `opcode` into a [`crate::error::Error`] naming the opcode
/// and, for the errors people hit, the cause and remedy (`hint(errno)`); the errno stays
/// reachable through [`crate::error::errno`].
fn wrap(opcode: &'static str, err: io::Error, hint: fn(i32) -> Option<&'static str>) -> io::Error {
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
        None => err,
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
fn check_tags(name: &'static str, tags: &[u64]) -> io::Result<()> {
    match tags.iter().position(|t| t & (1 << 63) != 0) {
        None => Ok(()),
        Some(i) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{name}: tag {i} ({:#x}) has bit 63 set; tags come back as CQE user_data and \
                 values with bit 63 set are reserved for uring::driver's completions: use a \
                 value below 1 << 63",
                tags[i]
            ),
        )),
    }
}

fn invalid_input(msg: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// `len` as the `u32` `nr_args` / `nr` the kernel takes.
fn len_u32(len: usize, what: &'static str) -> io::Result<u32> {
    u32::try_from(len).map_err(|_| invalid_input(what))
}

// ---------------------------------------------------------------------------------------------
// The methods
// ---------------------------------------------------------------------------------------------

impl Submitter<'_> {
    /// Calls `register_raw` and wraps a failure with the opcode's name and `hint`.
    ///
    /// # Safety
    ///
    /// As [`Submitter::register_raw`]: `arg` valid for what `opcode` reads and writes.
    unsafe fn reg(
        &self,
        name: &'static str,
        opcode: u32,
        arg: *const c_void,
        nr_args: u32,
        hint: fn(i32) -> Option<&'static str>,
    ) -> io::Result<u32> {
        // SAFETY: forwarded from this function's own contract.
        unsafe { self.register_raw(opcode, arg, nr_args) }.map_err(|e| wrap(name, e, hint))
    }

    /// Refuses `name` on a ring a [`Driver`](crate::driver::Driver) owns: it would change a
    /// table the driver manages behind its back (see the driver's soundness contract).
    fn unmanaged(&self, name: &'static str) -> io::Result<()> {
        if self.managed {
            Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "{name}: this ring belongs to a uring::driver::Driver, which manages its \
                     registered files, buffers and buffer rings itself; use the driver's calls \
                     (fixed_files and install, fixed_buffers, buf_ring), or register before \
                     Driver::from_ring"
                ),
            ))
        } else {
            Ok(())
        }
    }

    // ----- probe -----------------------------------------------------------------------------

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
    use super::files::files_hint;
    use super::*;

    #[test]
    fn errors_name_the_opcode_and_keep_the_errno() {
        let e = wrap(
            "IORING_REGISTER_FILES",
            io::Error::from_raw_os_error(libc::EBUSY),
            files_hint,
        );
        assert_eq!(crate::error::errno(&e), Some(libc::EBUSY));
        let msg = e.to_string();
        assert!(
            msg.contains("IORING_REGISTER_FILES") && msg.contains("unregister_files"),
            "{msg}"
        );
        let e = wrap(
            "IORING_REGISTER_CLOCK",
            io::Error::from_raw_os_error(libc::ESRCH),
            no_hint,
        );
        assert_eq!(crate::error::errno(&e), Some(libc::ESRCH));
        assert!(e.to_string().contains("IORING_REGISTER_CLOCK"));
        // A non-OS error passes through untouched.
        let e = wrap("X", invalid_input("y"), no_hint);
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    }
}
