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

fn files_sparse_hint(errno: i32) -> Option<&'static str> {
    match errno {
        libc::EINVAL => Some(SPARSE_EINVAL),
        _ => files_hint(errno),
    }
}

fn buffers_sparse_hint(errno: i32) -> Option<&'static str> {
    match errno {
        libc::EINVAL => Some(SPARSE_EINVAL),
        _ => buffers_hint(errno),
    }
}

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

/// The raw syscall for the registrations that take no ring (`fd == -1`).
///
/// # Safety
///
/// `arg` must be valid for what `opcode` makes the kernel read and write, for the call's duration.
unsafe fn register_ringless(opcode: u32, arg: *mut c_void, nr_args: u32) -> io::Result<u32> {
    // SAFETY: with fd -1 the kernel touches no ring, only `arg`, which the caller vouches for.
    let ret = unsafe { sys::io_uring_register(-1, opcode, arg.cast_const(), nr_args) };
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        // A non-negative `int` fits in u32.
        Ok(ret as u32)
    }
}

// ---------------------------------------------------------------------------------------------
// Argument types
// ---------------------------------------------------------------------------------------------

/// What to put in one slot of a [`register_files_update`](Submitter::register_files_update).
#[derive(Debug, Clone, Copy)]
pub enum FileSlot<'fd> {
    /// Install this file in the slot (the kernel takes its own reference).
    Fd(BorrowedFd<'fd>),
    /// Empty the slot (`-1`).
    Empty,
    /// Leave the slot as it is (`IORING_REGISTER_FILES_SKIP`).
    Skip,
}

impl FileSlot<'_> {
    fn raw(self) -> RawFd {
        match self {
            FileSlot::Fd(fd) => fd.as_raw_fd(),
            FileSlot::Empty => -1,
            FileSlot::Skip => sys::IORING_REGISTER_FILES_SKIP,
        }
    }
}

fn raw_fds<'a>(fds: impl IntoIterator<Item = Option<BorrowedFd<'a>>>) -> Vec<RawFd> {
    fds.into_iter()
        .map(|fd| fd.map_or(-1, |fd| fd.as_raw_fd()))
        .collect()
}

/// One `struct io_uring_restriction`, for [`Submitter::register_restrictions`].
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct Restriction(sys::io_uring_restriction);

impl Restriction {
    fn new(opcode: u16, value: u8) -> Self {
        let mut r = sys::io_uring_restriction::zeroed();
        r.opcode = opcode;
        r.register_op_union.register_op = value;
        Restriction(r)
    }

    /// `IORING_RESTRICTION_REGISTER_OP`: allow the `io_uring_register(2)` opcode `op`
    /// (an `IORING_REGISTER_*` value).
    pub fn register_op(op: u8) -> Self {
        Self::new(sys::IORING_RESTRICTION_REGISTER_OP, op)
    }

    /// `IORING_RESTRICTION_SQE_OP`: allow SQEs with opcode `op` (an `IORING_OP_*` value).
    pub fn sqe_op(op: u8) -> Self {
        Self::new(sys::IORING_RESTRICTION_SQE_OP, op)
    }

    /// `IORING_RESTRICTION_SQE_FLAGS_ALLOWED`: allow these `IOSQE_*` flags on SQEs.
    pub fn sqe_flags_allowed(flags: SqeFlags) -> Self {
        Self::new(sys::IORING_RESTRICTION_SQE_FLAGS_ALLOWED, flags.bits())
    }

    /// `IORING_RESTRICTION_SQE_FLAGS_REQUIRED`: require these `IOSQE_*` flags on every SQE.
    pub fn sqe_flags_required(flags: SqeFlags) -> Self {
        Self::new(sys::IORING_RESTRICTION_SQE_FLAGS_REQUIRED, flags.bits())
    }

    /// The raw `struct io_uring_restriction`.
    pub fn as_raw(&self) -> &sys::io_uring_restriction {
        &self.0
    }
}

impl fmt::Debug for Restriction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // SAFETY: every member of the union is a `u8` at the same offset, so reading any one of
        // them reads an initialised byte (the struct starts zeroed in `Restriction::new`).
        let value = unsafe { self.0.register_op_union.register_op };
        let kind = match self.0.opcode {
            sys::IORING_RESTRICTION_REGISTER_OP => "register_op",
            sys::IORING_RESTRICTION_SQE_OP => "sqe_op",
            sys::IORING_RESTRICTION_SQE_FLAGS_ALLOWED => "sqe_flags_allowed",
            sys::IORING_RESTRICTION_SQE_FLAGS_REQUIRED => "sqe_flags_required",
            _ => "unknown",
        };
        f.debug_tuple("Restriction")
            .field(&kind)
            .field(&value)
            .finish()
    }
}

/// The two io-wq worker limits of [`Submitter::register_iowq_max_workers`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IowqMaxWorkers {
    /// `[IO_WQ_BOUND]`: workers for bounded work (regular file and block I/O). 0 = unchanged.
    pub bounded: u32,
    /// `[IO_WQ_UNBOUND]`: workers for unbounded work (sockets, pipes). 0 = unchanged.
    pub unbounded: u32,
}

bitflags::bitflags! {
    /// `IOU_PBUF_RING_*`: flags of `IORING_REGISTER_PBUF_RING`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct BufRingFlags: u16 {
        /// `IOU_PBUF_RING_MMAP`: the kernel allocates the ring; map it with `mmap(2)` at
        /// `IORING_OFF_PBUF_RING | (bgid << IORING_OFF_PBUF_SHIFT)`. Set by
        /// [`register_buf_ring_mmap`](Submitter::register_buf_ring_mmap).
        const MMAP = sys::IOU_PBUF_RING_MMAP;
        /// `IOU_PBUF_RING_INC`: buffers are consumed incrementally (Linux 6.12+).
        const INC = sys::IOU_PBUF_RING_INC;
        const _ = !0;
    }
}

/// What a [`Submitter::register_sync_cancel`] cancels: the `struct io_uring_sync_cancel_reg` key.
///
/// Start from one key ([`user_data`](Self::user_data), [`fd`](Self::fd),
/// [`fixed_fd`](Self::fixed_fd), [`opcode`](Self::opcode), [`any`](Self::any)), then narrow or
/// widen it. Without [`timeout`](Self::timeout) the call waits for the cancelled requests for as
/// long as it takes.
#[derive(Clone, Copy)]
pub struct SyncCancel(sys::io_uring_sync_cancel_reg);

impl SyncCancel {
    fn with(flags: u32) -> Self {
        let mut reg = sys::io_uring_sync_cancel_reg::zeroed();
        reg.flags = flags;
        reg.fd = -1;
        // {-1, -1} is the kernel's "no timeout".
        reg.timeout.tv_sec = -1;
        reg.timeout.tv_nsec = -1;
        SyncCancel(reg)
    }

    /// Cancel the request whose `user_data` is `user_data` (the default key).
    pub fn user_data(user_data: u64) -> Self {
        let mut c = Self::with(0);
        c.0.addr = user_data;
        c
    }

    /// `IORING_ASYNC_CANCEL_FD`: cancel requests on file `fd`.
    pub fn fd(fd: BorrowedFd<'_>) -> Self {
        let mut c = Self::with(sys::IORING_ASYNC_CANCEL_FD);
        c.0.fd = fd.as_raw_fd();
        c
    }

    /// `IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_FD_FIXED`: cancel requests on registered
    /// file slot `index`.
    pub fn fixed_fd(index: u32) -> Self {
        let mut c = Self::with(sys::IORING_ASYNC_CANCEL_FD | sys::IORING_ASYNC_CANCEL_FD_FIXED);
        c.0.fd = index as i32;
        c
    }

    /// `IORING_ASYNC_CANCEL_OP`: cancel requests with opcode `op` (an `IORING_OP_*` value).
    pub fn opcode(op: u8) -> Self {
        let mut c = Self::with(sys::IORING_ASYNC_CANCEL_OP);
        c.0.opcode = op;
        c
    }

    /// `IORING_ASYNC_CANCEL_ANY`: cancel any request (implies all of them).
    pub fn any() -> Self {
        Self::with(sys::IORING_ASYNC_CANCEL_ANY)
    }

    /// `IORING_ASYNC_CANCEL_USERDATA`: also require `user_data` to match (Linux 6.6+).
    #[must_use]
    pub fn and_user_data(mut self, user_data: u64) -> Self {
        self.0.flags |= sys::IORING_ASYNC_CANCEL_USERDATA;
        self.0.addr = user_data;
        self
    }

    /// `IORING_ASYNC_CANCEL_OP`: also require opcode `op` to match (Linux 6.6+).
    #[must_use]
    pub fn and_opcode(mut self, op: u8) -> Self {
        self.0.flags |= sys::IORING_ASYNC_CANCEL_OP;
        self.0.opcode = op;
        self
    }

    /// `IORING_ASYNC_CANCEL_ALL`: cancel every match, not only the first.
    #[must_use]
    pub fn all(mut self) -> Self {
        self.0.flags |= sys::IORING_ASYNC_CANCEL_ALL;
        self
    }

    /// Give up waiting after `timeout` (the call then fails with `ETIME`).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.0.timeout.tv_sec = i64::try_from(timeout.as_secs()).unwrap_or(i64::MAX);
        self.0.timeout.tv_nsec = i64::from(timeout.subsec_nanos());
        self
    }

    /// The raw `struct io_uring_sync_cancel_reg`.
    pub fn as_raw(&self) -> &sys::io_uring_sync_cancel_reg {
        &self.0
    }
}

impl fmt::Debug for SyncCancel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncCancel")
            .field("addr", &self.0.addr)
            .field("fd", &self.0.fd)
            .field("flags", &self.0.flags)
            .field("opcode", &self.0.opcode)
            .field("timeout_sec", &self.0.timeout.tv_sec)
            .field("timeout_nsec", &self.0.timeout.tv_nsec)
            .finish()
    }
}

/// A NAPI tracking strategy (`IO_URING_NAPI_TRACKING_*`, Linux 6.13+): which NAPI ids the ring
/// busy-polls.
///
/// A newtype, not an enum: the kernel writes this value back (previous settings), and a newer
/// kernel may report a strategy this crate does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NapiTracking(pub u32);

impl NapiTracking {
    /// `IO_URING_NAPI_TRACKING_DYNAMIC`: the ids of the sockets the ring uses (the default).
    pub const DYNAMIC: Self = NapiTracking(sys::IO_URING_NAPI_TRACKING_DYNAMIC);
    /// `IO_URING_NAPI_TRACKING_STATIC`: only ids added with
    /// [`register_napi_add_id`](Submitter::register_napi_add_id).
    pub const STATIC: Self = NapiTracking(sys::IO_URING_NAPI_TRACKING_STATIC);
    /// `IO_URING_NAPI_TRACKING_INACTIVE`: none.
    pub const INACTIVE: Self = NapiTracking(sys::IO_URING_NAPI_TRACKING_INACTIVE);
}

/// NAPI busy-poll settings: `struct io_uring_napi` of `IORING_REGISTER_NAPI`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Napi {
    /// `busy_poll_to`: how long to busy-poll, in microseconds.
    pub busy_poll_timeout_us: u32,
    /// `prefer_busy_poll`.
    pub prefer_busy_poll: bool,
    /// `op_param` of `IO_URING_NAPI_REGISTER_OP`: the tracking strategy (Linux 6.13+; older
    /// kernels ignore it and track dynamically).
    pub tracking: NapiTracking,
}

impl Napi {
    fn to_raw(self) -> sys::io_uring_napi {
        let mut raw = sys::io_uring_napi::zeroed();
        raw.busy_poll_to = self.busy_poll_timeout_us;
        raw.prefer_busy_poll = u8::from(self.prefer_busy_poll);
        raw.opcode = sys::IO_URING_NAPI_REGISTER_OP;
        raw.op_param = self.tracking.0;
        raw
    }

    fn from_raw(raw: &sys::io_uring_napi) -> Self {
        Napi {
            busy_poll_timeout_us: raw.busy_poll_to,
            prefer_busy_poll: raw.prefer_busy_poll != 0,
            tracking: NapiTracking(raw.op_param),
        }
    }
}

/// The clocks `IORING_REGISTER_CLOCK` accepts for CQ-wait timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Clock {
    /// `CLOCK_MONOTONIC` (the default).
    Monotonic,
    /// `CLOCK_BOOTTIME`: like monotonic, but counts time suspended.
    Boottime,
}

impl Clock {
    fn raw(self) -> u32 {
        match self {
            Clock::Monotonic => libc::CLOCK_MONOTONIC as u32,
            Clock::Boottime => libc::CLOCK_BOOTTIME as u32,
        }
    }
}

bitflags::bitflags! {
    /// `IORING_MEM_REGION_*` flags of `struct io_uring_mem_region_reg`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct MemRegionFlags: u64 {
        /// `IORING_MEM_REGION_REG_WAIT_ARG`: the region holds `struct io_uring_reg_wait` entries
        /// that `io_uring_enter(2)` with `IORING_ENTER_EXT_ARG_REG` names by offset. The ring
        /// must still be disabled (`IORING_SETUP_R_DISABLED`).
        const REG_WAIT_ARG = sys::IORING_MEM_REGION_REG_WAIT_ARG;
        const _ = !0;
    }
}

/// `struct io_uring_region_desc`: a memory region for [`Submitter::register_mem_region`].
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct MemRegion(sys::io_uring_region_desc);

impl MemRegion {
    /// A region of `size` bytes (a multiple of the page size) that the kernel allocates; map it
    /// with `mmap(2)` on the ring fd at [`mmap_offset`](Self::mmap_offset) after registering.
    pub fn kernel(size: u64) -> Self {
        let mut d = sys::io_uring_region_desc::zeroed();
        d.size = size;
        MemRegion(d)
    }

    /// `IORING_MEM_REGION_TYPE_USER`: a region of `size` bytes at `addr` in the caller's memory
    /// (page-aligned, a multiple of the page size). Registering it is the `unsafe` part.
    pub fn user(addr: *mut u8, size: u64) -> Self {
        let mut d = sys::io_uring_region_desc::zeroed();
        d.user_addr = addr as u64;
        d.size = size;
        d.flags = sys::IORING_MEM_REGION_TYPE_USER;
        MemRegion(d)
    }

    /// `mmap_offset`: where to map a kernel-allocated region (the kernel writes it on
    /// registration).
    pub fn mmap_offset(&self) -> u64 {
        self.0.mmap_offset
    }

    /// The raw `struct io_uring_region_desc`.
    pub fn as_raw(&self) -> &sys::io_uring_region_desc {
        &self.0
    }
}

impl fmt::Debug for MemRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemRegion")
            .field("user_addr", &self.0.user_addr)
            .field("size", &self.0.size)
            .field("flags", &self.0.flags)
            .field("mmap_offset", &self.0.mmap_offset)
            .finish()
    }
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

    // ----- files ---------------------------------------------------------------------------

    /// `io_uring_register(fd, IORING_REGISTER_FILES, fds, nr)` — registers a fixed file table
    /// whose slot `i` holds `fds[i]` (Linux 5.1+).
    ///
    /// SQEs then name slot `i` with `IOSQE_FIXED_FILE`. The kernel takes its own reference to
    /// each file: closing the fd afterwards does not remove the file from the table. Only one
    /// table per ring: a second call fails with `EBUSY` (update it, or unregister first). Too many
    /// files for `RLIMIT_NOFILE` gives `EMFILE`.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_FILES")]
    #[doc(alias = "io_uring_register_files")]
    pub fn register_files(&self, fds: &[BorrowedFd<'_>]) -> io::Result<()> {
        self.unmanaged("IORING_REGISTER_FILES")?;
        let nr = len_u32(fds.len(), "IORING_REGISTER_FILES: more than u32::MAX files")?;
        // SAFETY: `BorrowedFd` is `repr(transparent)` over `RawFd` (std documents it has the
        // representation of a file descriptor), so `fds` is `nr` valid `int`s the kernel reads
        // during the call.
        unsafe {
            self.reg(
                "IORING_REGISTER_FILES",
                sys::IORING_REGISTER_FILES,
                fds.as_ptr().cast(),
                nr,
                files_hint,
            )
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_FILES2, {nr, IORING_RSRC_REGISTER_SPARSE}, ...)` —
    /// registers a fixed file table of `nr` empty slots (Linux 5.19+).
    ///
    /// Fill slots later with [`register_files_update`](Self::register_files_update) or with
    /// direct-descriptor opcodes (`accept`/`openat` with a file index).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_FILES2")]
    #[doc(alias = "IORING_RSRC_REGISTER_SPARSE")]
    #[doc(alias = "io_uring_register_files_sparse")]
    pub fn register_files_sparse(&self, nr: u32) -> io::Result<()> {
        self.unmanaged("IORING_REGISTER_FILES2")?;
        let mut reg = sys::io_uring_rsrc_register::zeroed();
        reg.nr = nr;
        reg.flags = sys::IORING_RSRC_REGISTER_SPARSE;
        // SAFETY: `reg` is a live `io_uring_rsrc_register`; nr_args is its size, as FILES2 wants.
        unsafe {
            self.reg(
                "IORING_REGISTER_FILES2",
                sys::IORING_REGISTER_FILES2,
                ptr::from_ref(&reg).cast(),
                size_of::<sys::io_uring_rsrc_register>() as u32,
                files_sparse_hint,
            )
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_FILES2, {nr, data, tags}, ...)` — registers a fixed
    /// file table with a tag per slot (Linux 5.13+, `IORING_FEAT_RSRC_TAGS`).
    ///
    /// `None` leaves a slot empty (its tag must be 0). When a slot's file is later removed or
    /// replaced and the kernel has dropped it, the ring posts a CQE with `user_data` = the tag
    /// (a zero tag posts nothing). `fds` and `tags` must have the same length.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_FILES2")]
    #[doc(alias = "io_uring_register_files_tags")]
    pub fn register_files_tags(
        &self,
        fds: &[Option<BorrowedFd<'_>>],
        tags: &[u64],
    ) -> io::Result<()> {
        self.unmanaged("IORING_REGISTER_FILES2")?;
        check_tags("IORING_REGISTER_FILES2", tags)?;
        if fds.len() != tags.len() {
            return Err(invalid_input(
                "IORING_REGISTER_FILES2: `fds` and `tags` must have the same length (one tag per slot)",
            ));
        }
        let raw = raw_fds(fds.iter().copied());
        let mut reg = sys::io_uring_rsrc_register::zeroed();
        reg.nr = len_u32(
            raw.len(),
            "IORING_REGISTER_FILES2: more than u32::MAX files",
        )?;
        reg.data = raw.as_ptr() as u64;
        reg.tags = tags.as_ptr() as u64;
        // SAFETY: `reg` points at `nr` ints (`raw`) and `nr` u64 tags, all alive for the call.
        unsafe {
            self.reg(
                "IORING_REGISTER_FILES2",
                sys::IORING_REGISTER_FILES2,
                ptr::from_ref(&reg).cast(),
                size_of::<sys::io_uring_rsrc_register>() as u32,
                files_hint,
            )
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_FILES_UPDATE, {offset, fds}, nr)` — replaces slots
    /// `offset..offset + fds.len()` of the fixed file table; returns how many were updated
    /// (Linux 5.5+).
    ///
    /// Requests already holding a slot's old file keep it until they complete.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_FILES_UPDATE")]
    #[doc(alias = "io_uring_register_files_update")]
    pub fn register_files_update(&self, offset: u32, fds: &[FileSlot<'_>]) -> io::Result<u32> {
        self.unmanaged("IORING_REGISTER_FILES_UPDATE")?;
        let raw: Vec<RawFd> = fds.iter().map(|s| s.raw()).collect();
        let nr = len_u32(
            raw.len(),
            "IORING_REGISTER_FILES_UPDATE: more than u32::MAX files",
        )?;
        let mut up = sys::io_uring_rsrc_update::zeroed();
        up.offset = offset;
        up.data = raw.as_ptr() as u64;
        // SAFETY: `up.data` points at `nr` ints alive for the call.
        unsafe {
            self.reg(
                "IORING_REGISTER_FILES_UPDATE",
                sys::IORING_REGISTER_FILES_UPDATE,
                ptr::from_ref(&up).cast(),
                nr,
                files_update_hint,
            )
        }
    }

    /// `io_uring_register(fd, IORING_REGISTER_FILES_UPDATE2, {offset, data, tags, nr}, ...)` —
    /// replaces slots from `offset` and gives each new file a tag (Linux 5.13+); returns how many
    /// slots were updated. `fds` and `tags` must have the same length.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_FILES_UPDATE2")]
    #[doc(alias = "io_uring_register_files_update_tag")]
    pub fn register_files_update_tags(
        &self,
        offset: u32,
        fds: &[FileSlot<'_>],
        tags: &[u64],
    ) -> io::Result<u32> {
        self.unmanaged("IORING_REGISTER_FILES_UPDATE2")?;
        check_tags("IORING_REGISTER_FILES_UPDATE2", tags)?;
        if fds.len() != tags.len() {
            return Err(invalid_input(
                "IORING_REGISTER_FILES_UPDATE2: `fds` and `tags` must have the same length",
            ));
        }
        let raw: Vec<RawFd> = fds.iter().map(|s| s.raw()).collect();
        let mut up = sys::io_uring_rsrc_update2::zeroed();
        up.offset = offset;
        up.data = raw.as_ptr() as u64;
        up.tags = tags.as_ptr() as u64;
        up.nr = len_u32(
            raw.len(),
            "IORING_REGISTER_FILES_UPDATE2: more than u32::MAX files",
        )?;
        // SAFETY: `up` points at `nr` ints and `nr` tags alive for the call.
        unsafe {
            self.reg(
                "IORING_REGISTER_FILES_UPDATE2",
                sys::IORING_REGISTER_FILES_UPDATE2,
                ptr::from_ref(&up).cast(),
                size_of::<sys::io_uring_rsrc_update2>() as u32,
                files_update_hint,
            )
        }
    }

    /// `io_uring_register(fd, IORING_UNREGISTER_FILES, NULL, 0)` — drops the fixed file table.
    ///
    /// Fails with `ENXIO` when no table is registered.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_UNREGISTER_FILES")]
    #[doc(alias = "io_uring_unregister_files")]
    pub fn unregister_files(&self) -> io::Result<()> {
        self.unmanaged("IORING_UNREGISTER_FILES")?;
        // SAFETY: this opcode reads no argument.
        unsafe {
            self.reg(
                "IORING_UNREGISTER_FILES",
                sys::IORING_UNREGISTER_FILES,
                ptr::null(),
                0,
                |e| (e == libc::ENXIO).then_some("no fixed file table is registered"),
            )
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_FILE_ALLOC_RANGE, {off, len}, 0)` — restricts the
    /// slots the kernel picks for `IORING_FILE_INDEX_ALLOC` to `offset..offset + len`
    /// (Linux 6.0+).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_FILE_ALLOC_RANGE")]
    #[doc(alias = "io_uring_register_file_alloc_range")]
    pub fn register_file_alloc_range(&self, offset: u32, len: u32) -> io::Result<()> {
        self.unmanaged("IORING_REGISTER_FILE_ALLOC_RANGE")?;
        let mut range = sys::io_uring_file_index_range::zeroed();
        range.off = offset;
        range.len = len;
        // SAFETY: `range` is a live `io_uring_file_index_range`.
        unsafe {
            self.reg(
                "IORING_REGISTER_FILE_ALLOC_RANGE",
                sys::IORING_REGISTER_FILE_ALLOC_RANGE,
                ptr::from_ref(&range).cast(),
                0,
                |e| {
                    (e == libc::EINVAL).then_some(
                        "the range must lie inside the registered file table (register one first)",
                    )
                },
            )
        }
        .map(drop)
    }

    // ----- buffers -------------------------------------------------------------------------

    /// `io_uring_register(fd, IORING_REGISTER_BUFFERS, iovecs, nr)` — registers fixed buffers:
    /// buffer `i` is `iovecs[i]`, used by `READ_FIXED`/`WRITE_FIXED` and other `*_FIXED` forms
    /// (Linux 5.1+).
    ///
    /// The kernel pins the pages. One table per ring (`EBUSY` on a second call). Each buffer is
    /// at most 1 GiB; file-backed memory is refused (`EOPNOTSUPP`).
    ///
    /// # Safety
    ///
    /// The kernel keeps the addresses after this call returns. For as long as the registration
    /// lasts (until [`unregister_buffers`](Self::unregister_buffers), an update replacing the
    /// slot, or the ring's drop) **and** until every request that named the buffer has
    /// completed:
    /// - each `iovecs[i]` must describe memory valid for reads and writes of `iov_len` bytes
    ///   that stays allocated (not freed, unmapped or remapped) for that whole time;
    /// - no Rust reference may be live to the part of a buffer a request reads into (or, for a
    ///   write, is mutably borrowed) while that request is in flight.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_BUFFERS")]
    #[doc(alias = "io_uring_register_buffers")]
    pub unsafe fn register_buffers(&self, iovecs: &[libc::iovec]) -> io::Result<()> {
        self.unmanaged("IORING_REGISTER_BUFFERS")?;
        let nr = len_u32(
            iovecs.len(),
            "IORING_REGISTER_BUFFERS: more than u32::MAX buffers",
        )?;
        // SAFETY: `iovecs` is `nr` iovecs alive for the call; the memory they name is the
        // caller's duty (this function's `# Safety`).
        unsafe {
            self.reg(
                "IORING_REGISTER_BUFFERS",
                sys::IORING_REGISTER_BUFFERS,
                iovecs.as_ptr().cast(),
                nr,
                buffers_hint,
            )
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_BUFFERS2, {nr, data, tags}, ...)` — registers fixed
    /// buffers with a tag each (Linux 5.13+).
    ///
    /// An iovec with a null base and zero length leaves the slot empty (tag 0). When a slot's
    /// buffer is later replaced (or, since Linux 6.13, unregistered) and no request uses it any
    /// more, the ring posts a CQE with `user_data` = the tag (zero tags post nothing): the
    /// moment the memory is free again. Before 6.13 unregistering the table posts no tags: there
    /// the memory is free when [`unregister_buffers`](Self::unregister_buffers) returns.
    /// `iovecs` and `tags` must have the same length.
    ///
    /// # Safety
    ///
    /// As [`register_buffers`](Self::register_buffers), for every non-empty iovec.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_BUFFERS2")]
    #[doc(alias = "io_uring_register_buffers_tags")]
    pub unsafe fn register_buffers_tags(
        &self,
        iovecs: &[libc::iovec],
        tags: &[u64],
    ) -> io::Result<()> {
        self.unmanaged("IORING_REGISTER_BUFFERS2")?;
        check_tags("IORING_REGISTER_BUFFERS2", tags)?;
        if iovecs.len() != tags.len() {
            return Err(invalid_input(
                "IORING_REGISTER_BUFFERS2: `iovecs` and `tags` must have the same length",
            ));
        }
        let mut reg = sys::io_uring_rsrc_register::zeroed();
        reg.nr = len_u32(
            iovecs.len(),
            "IORING_REGISTER_BUFFERS2: more than u32::MAX buffers",
        )?;
        reg.data = iovecs.as_ptr() as u64;
        reg.tags = tags.as_ptr() as u64;
        // SAFETY: `reg` points at `nr` iovecs and tags alive for the call; the memory the iovecs
        // name is the caller's duty.
        unsafe {
            self.reg(
                "IORING_REGISTER_BUFFERS2",
                sys::IORING_REGISTER_BUFFERS2,
                ptr::from_ref(&reg).cast(),
                size_of::<sys::io_uring_rsrc_register>() as u32,
                buffers_hint,
            )
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_BUFFERS2, {nr, IORING_RSRC_REGISTER_SPARSE}, ...)`
    /// — registers a fixed-buffer table of `nr` empty slots (Linux 5.19+).
    ///
    /// Safe: no memory is handed over; filling a slot is the `unsafe`
    /// [`register_buffers_update`](Self::register_buffers_update).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_BUFFERS2")]
    #[doc(alias = "io_uring_register_buffers_sparse")]
    pub fn register_buffers_sparse(&self, nr: u32) -> io::Result<()> {
        self.unmanaged("IORING_REGISTER_BUFFERS2")?;
        let mut reg = sys::io_uring_rsrc_register::zeroed();
        reg.nr = nr;
        reg.flags = sys::IORING_RSRC_REGISTER_SPARSE;
        // SAFETY: `reg` is a live `io_uring_rsrc_register` naming no memory.
        unsafe {
            self.reg(
                "IORING_REGISTER_BUFFERS2",
                sys::IORING_REGISTER_BUFFERS2,
                ptr::from_ref(&reg).cast(),
                size_of::<sys::io_uring_rsrc_register>() as u32,
                buffers_sparse_hint,
            )
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_BUFFERS_UPDATE, {offset, data, tags, nr}, ...)` —
    /// replaces fixed-buffer slots from `offset` (Linux 5.13+); returns how many were updated.
    ///
    /// `tags` is `None` (no tags) or one tag per iovec. A null, zero-length iovec empties a slot.
    /// A request that already took the old buffer keeps it until it completes.
    ///
    /// # Safety
    ///
    /// As [`register_buffers`](Self::register_buffers), for every non-empty iovec. The old
    /// buffers stay in use by requests already naming them: free them only after those complete
    /// (a tag's CQE says when).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_BUFFERS_UPDATE")]
    #[doc(alias = "io_uring_register_buffers_update_tag")]
    pub unsafe fn register_buffers_update(
        &self,
        offset: u32,
        iovecs: &[libc::iovec],
        tags: Option<&[u64]>,
    ) -> io::Result<u32> {
        self.unmanaged("IORING_REGISTER_BUFFERS_UPDATE")?;
        check_tags("IORING_REGISTER_BUFFERS_UPDATE", tags.unwrap_or(&[]))?;
        if tags.is_some_and(|t| t.len() != iovecs.len()) {
            return Err(invalid_input(
                "IORING_REGISTER_BUFFERS_UPDATE: `tags` must have one tag per iovec",
            ));
        }
        let mut up = sys::io_uring_rsrc_update2::zeroed();
        up.offset = offset;
        up.data = iovecs.as_ptr() as u64;
        up.tags = tags.map_or(0, |t| t.as_ptr() as u64);
        up.nr = len_u32(
            iovecs.len(),
            "IORING_REGISTER_BUFFERS_UPDATE: more than u32::MAX buffers",
        )?;
        // SAFETY: `up` points at `nr` iovecs (and tags) alive for the call; the memory the
        // iovecs name is the caller's duty.
        unsafe {
            self.reg(
                "IORING_REGISTER_BUFFERS_UPDATE",
                sys::IORING_REGISTER_BUFFERS_UPDATE,
                ptr::from_ref(&up).cast(),
                size_of::<sys::io_uring_rsrc_update2>() as u32,
                buffers_hint,
            )
        }
    }

    /// `io_uring_register(fd, IORING_UNREGISTER_BUFFERS, NULL, 0)` — drops the fixed-buffer
    /// table.
    ///
    /// Requests in flight keep their buffer pinned until they complete. Fails with `ENXIO` when
    /// no table is registered.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_UNREGISTER_BUFFERS")]
    #[doc(alias = "io_uring_unregister_buffers")]
    pub fn unregister_buffers(&self) -> io::Result<()> {
        self.unmanaged("IORING_UNREGISTER_BUFFERS")?;
        // SAFETY: this opcode reads no argument.
        unsafe {
            self.reg(
                "IORING_UNREGISTER_BUFFERS",
                sys::IORING_UNREGISTER_BUFFERS,
                ptr::null(),
                0,
                |e| (e == libc::ENXIO).then_some("no fixed buffers are registered"),
            )
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_CLONE_BUFFERS, {src_fd, flags, src_off, dst_off,
    /// nr}, 1)` — copies `nr` fixed-buffer slots of the ring `src` (from `src_off`) into this
    /// ring (at `dst_off`) (Linux 6.12+; offsets 6.13+). `nr == 0` with both offsets 0 clones
    /// the whole table.
    ///
    /// Without `replace`, this ring must have no buffers yet in that range (`EBUSY`); with it
    /// (`IORING_REGISTER_DST_REPLACE`) existing slots are replaced.
    ///
    /// # Safety
    ///
    /// The cloned slots name the same memory as `src`'s: the caller must uphold the contract of
    /// [`register_buffers`](Self::register_buffers) for that memory until **both** rings have
    /// dropped it (this ring's registration can outlive `src`'s).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_CLONE_BUFFERS")]
    #[doc(alias = "io_uring_clone_buffers")]
    pub unsafe fn register_clone_buffers(
        &self,
        src: BorrowedFd<'_>,
        src_off: u32,
        dst_off: u32,
        nr: u32,
        replace: bool,
    ) -> io::Result<()> {
        self.unmanaged("IORING_REGISTER_CLONE_BUFFERS")?;
        let mut clone = sys::io_uring_clone_buffers::zeroed();
        clone.src_fd = src.as_raw_fd() as u32;
        clone.flags = if replace {
            sys::IORING_REGISTER_DST_REPLACE
        } else {
            0
        };
        clone.src_off = src_off;
        clone.dst_off = dst_off;
        clone.nr = nr;
        // SAFETY: `clone` is a live `io_uring_clone_buffers`; the cloned memory's lifetime is the
        // caller's duty.
        unsafe {
            self.reg(
                "IORING_REGISTER_CLONE_BUFFERS",
                sys::IORING_REGISTER_CLONE_BUFFERS,
                ptr::from_ref(&clone).cast(),
                1,
                |e| match e {
                    libc::EBUSY => Some(
                        "this ring already has buffers there: pass `replace`, or unregister first",
                    ),
                    libc::ENXIO => Some("the source ring has no registered buffers"),
                    libc::EBADF | libc::EOPNOTSUPP => Some("`src` is not an io_uring fd"),
                    _ => None,
                },
            )
        }
        .map(drop)
    }

    // ----- eventfd -------------------------------------------------------------------------

    /// `io_uring_register(fd, IORING_REGISTER_EVENTFD, &efd, 1)` — the kernel signals the
    /// eventfd `efd` whenever it posts a CQE (Linux 5.2+).
    ///
    /// The kernel takes its own reference. One eventfd per ring (`EBUSY`); a non-eventfd fd
    /// gives `EINVAL`.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_EVENTFD")]
    #[doc(alias = "io_uring_register_eventfd")]
    pub fn register_eventfd(&self, efd: BorrowedFd<'_>) -> io::Result<()> {
        self.eventfd("IORING_REGISTER_EVENTFD", sys::IORING_REGISTER_EVENTFD, efd)
    }

    /// `io_uring_register(fd, IORING_REGISTER_EVENTFD_ASYNC, &efd, 1)` — like
    /// [`register_eventfd`](Self::register_eventfd), but only completions posted from an
    /// io-wq worker thread signal the eventfd (Linux 5.6+): not inline completions, and not
    /// poll-driven ones completed in the submitter's task.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_EVENTFD_ASYNC")]
    #[doc(alias = "io_uring_register_eventfd_async")]
    pub fn register_eventfd_async(&self, efd: BorrowedFd<'_>) -> io::Result<()> {
        self.eventfd(
            "IORING_REGISTER_EVENTFD_ASYNC",
            sys::IORING_REGISTER_EVENTFD_ASYNC,
            efd,
        )
    }

    fn eventfd(&self, name: &'static str, op: u32, efd: BorrowedFd<'_>) -> io::Result<()> {
        let raw: RawFd = efd.as_raw_fd();
        // SAFETY: the kernel reads one int from `raw`, alive for the call.
        unsafe {
            self.reg(name, op, ptr::from_ref(&raw).cast(), 1, |e| match e {
                libc::EBUSY => Some("an eventfd is already registered: unregister it first"),
                libc::EINVAL => Some("the fd is not an eventfd"),
                _ => None,
            })
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_UNREGISTER_EVENTFD, NULL, 0)` — stops signalling the
    /// registered eventfd. `ENXIO` when none is registered.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_UNREGISTER_EVENTFD")]
    #[doc(alias = "io_uring_unregister_eventfd")]
    pub fn unregister_eventfd(&self) -> io::Result<()> {
        // SAFETY: this opcode reads no argument.
        unsafe {
            self.reg(
                "IORING_UNREGISTER_EVENTFD",
                sys::IORING_UNREGISTER_EVENTFD,
                ptr::null(),
                0,
                |e| (e == libc::ENXIO).then_some("no eventfd is registered"),
            )
        }
        .map(drop)
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

    // ----- personality -----------------------------------------------------------------------

    /// `io_uring_register(fd, IORING_REGISTER_PERSONALITY, NULL, 0)` — records the calling
    /// thread's current credentials and returns their id (Linux 5.6+).
    ///
    /// An SQE with [`Sqe::personality`](crate::Sqe::personality) set to the id runs with those
    /// credentials, even after the thread's own credentials change.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_PERSONALITY")]
    #[doc(alias = "io_uring_register_personality")]
    pub fn register_personality(&self) -> io::Result<u16> {
        // SAFETY: this opcode reads no argument.
        let id = unsafe {
            self.reg(
                "IORING_REGISTER_PERSONALITY",
                sys::IORING_REGISTER_PERSONALITY,
                ptr::null(),
                0,
                no_hint,
            )
        }?;
        // The kernel allocates ids in 1..=u16::MAX (xa_alloc_cyclic with XA_LIMIT(0, USHRT_MAX)).
        u16::try_from(id).map_err(|_| {
            io::Error::other(
                "IORING_REGISTER_PERSONALITY: the kernel returned an id above u16::MAX",
            )
        })
    }

    /// `io_uring_register(fd, IORING_UNREGISTER_PERSONALITY, NULL, id)` — forgets personality
    /// `id`. `EINVAL` when no such id is registered.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_UNREGISTER_PERSONALITY")]
    #[doc(alias = "io_uring_unregister_personality")]
    pub fn unregister_personality(&self, id: u16) -> io::Result<()> {
        // SAFETY: this opcode reads no argument; nr_args carries the id.
        unsafe {
            self.reg(
                "IORING_UNREGISTER_PERSONALITY",
                sys::IORING_UNREGISTER_PERSONALITY,
                ptr::null(),
                u32::from(id),
                |e| (e == libc::EINVAL).then_some("no personality with this id is registered"),
            )
        }
        .map(drop)
    }

    // ----- restrictions ----------------------------------------------------------------------

    /// `io_uring_register(fd, IORING_REGISTER_RESTRICTIONS, res, nr)` — limits which register
    /// opcodes, SQE opcodes and SQE flags this ring accepts (Linux 5.10+).
    ///
    /// The ring must have been created with `IORING_SETUP_R_DISABLED` and not yet enabled
    /// (`EBADFD` otherwise); restrictions can be registered once (`EBUSY`). They take effect
    /// when [`register_enable_rings`](Self::register_enable_rings) enables the ring; from then on
    /// a disallowed SQE completes with `-EACCES` and a disallowed register call fails with
    /// `EACCES`.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_RESTRICTIONS")]
    #[doc(alias = "io_uring_register_restrictions")]
    pub fn register_restrictions(&self, res: &[Restriction]) -> io::Result<()> {
        let nr = len_u32(
            res.len(),
            "IORING_REGISTER_RESTRICTIONS: too many restrictions",
        )?;
        // SAFETY: `Restriction` is `repr(transparent)` over `io_uring_restriction`; the kernel
        // reads `nr` of them during the call.
        unsafe {
            self.reg(
                "IORING_REGISTER_RESTRICTIONS",
                sys::IORING_REGISTER_RESTRICTIONS,
                res.as_ptr().cast(),
                nr,
                |e| match e {
                    libc::EBUSY => Some("restrictions are already registered on this ring"),
                    libc::EBADFD => Some(
                        "restrictions need a ring created with IORING_SETUP_R_DISABLED and not yet enabled",
                    ),
                    _ => None,
                },
            )
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0)` — enables a ring created
    /// with `IORING_SETUP_R_DISABLED` (Linux 5.10+); registered restrictions take effect, an
    /// SQPOLL thread starts. `EBADFD` when the ring is already enabled.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_ENABLE_RINGS")]
    #[doc(alias = "io_uring_enable_rings")]
    pub fn register_enable_rings(&self) -> io::Result<()> {
        // SAFETY: this opcode reads no argument.
        unsafe {
            self.reg(
                "IORING_REGISTER_ENABLE_RINGS",
                sys::IORING_REGISTER_ENABLE_RINGS,
                ptr::null(),
                0,
                |e| (e == libc::EBADFD).then_some("the ring is not disabled (already enabled)"),
            )
        }
        .map(drop)
    }

    // ----- io-wq -----------------------------------------------------------------------------

    /// `io_uring_register(fd, IORING_REGISTER_IOWQ_AFF, mask, size)` — pins this ring's io-wq
    /// worker threads to the CPUs listed in `cpus` (Linux 5.14+).
    ///
    /// Without SQPOLL the mask applies to the io-wq of the **calling thread** (io-wq is per
    /// task, shared by that thread's rings); with SQPOLL to the SQ thread's io-wq. An empty list
    /// is refused up front (`InvalidInput`); CPUs beyond the kernel's CPU mask size are
    /// ignored; a mask naming no usable CPU fails with `EINVAL`.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_IOWQ_AFF")]
    #[doc(alias = "io_uring_register_iowq_aff")]
    pub fn register_iowq_aff(&self, cpus: &[usize]) -> io::Result<()> {
        let Some(&max) = cpus.iter().max() else {
            return Err(invalid_input(
                "IORING_REGISTER_IOWQ_AFF: the CPU list is empty (name at least one CPU)",
            ));
        };
        // A mask of whole u64 words, as the kernel's cpumask is a bitmap of longs.
        let mut mask = vec![0u64; max / 64 + 1];
        for &cpu in cpus {
            mask[cpu / 64] |= 1 << (cpu % 64);
        }
        let size = len_u32(
            mask.len() * 8,
            "IORING_REGISTER_IOWQ_AFF: CPU number too large",
        )?;
        // SAFETY: `mask` is `size` bytes alive for the call; the kernel copies at most that.
        unsafe {
            self.reg(
                "IORING_REGISTER_IOWQ_AFF",
                sys::IORING_REGISTER_IOWQ_AFF,
                mask.as_ptr().cast(),
                size,
                |e| (e == libc::EINVAL).then_some("the mask names no usable CPU"),
            )
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
        // SAFETY: this opcode reads no argument.
        unsafe {
            self.reg(
                "IORING_UNREGISTER_IOWQ_AFF",
                sys::IORING_UNREGISTER_IOWQ_AFF,
                ptr::null(),
                0,
                no_hint,
            )
        }
        .map(drop)
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
        let mut vals = [limits.bounded, limits.unbounded];
        // SAFETY: the kernel reads and writes two u32s in `vals`, exclusively ours for the call.
        unsafe {
            self.reg(
                "IORING_REGISTER_IOWQ_MAX_WORKERS",
                sys::IORING_REGISTER_IOWQ_MAX_WORKERS,
                vals.as_mut_ptr().cast_const().cast(),
                2,
                no_hint,
            )
        }?;
        Ok(IowqMaxWorkers {
            bounded: vals[0],
            unbounded: vals[1],
        })
    }

    // ----- ring fds --------------------------------------------------------------------------

    /// `io_uring_register(fd, IORING_REGISTER_RING_FDS, updates, nr)` — registers io_uring fds in
    /// the **calling thread's** registered-ring table (at most 16 per call and 16 in all) and
    /// returns their indices (Linux 5.18+).
    ///
    /// `io_uring_enter(2)` with `IORING_ENTER_REGISTERED_RING` (and, with
    /// `IORING_FEAT_REG_REG_RING`, `io_uring_register(2)` with
    /// `IORING_REGISTER_USE_REGISTERED_RING`) then takes the index instead of the fd, skipping
    /// the fd lookup. The indices are valid only on the thread that registered them. If only
    /// some fds could be registered, the returned vector is shorter than `rings`.
    ///
    /// The ring's own registered fd, used by [`Submitter::register_raw`], is a ring option of
    /// its own; this method manages the table directly.
    ///
    /// # Safety
    ///
    /// The table is the **thread's**, shared by every ring in it, not this ring's: a
    /// [`Ring`](crate::Ring) built with
    /// [`registered_ring_fd`](crate::Builder::registered_ring_fd) enters and registers through
    /// its index for as long as it lives. The caller must not use the indices this returns in
    /// a way that changes what such an index names: see
    /// [`unregister_ring_fds`](Self::unregister_ring_fds).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_RING_FDS")]
    #[doc(alias = "io_uring_register_ring_fd")]
    pub unsafe fn register_ring_fds(&self, rings: &[BorrowedFd<'_>]) -> io::Result<Vec<u32>> {
        self.unmanaged("IORING_REGISTER_RING_FDS")?;
        let mut ups: Vec<sys::io_uring_rsrc_update> = rings
            .iter()
            .map(|fd| {
                let mut up = sys::io_uring_rsrc_update::zeroed();
                up.offset = u32::MAX; // -1U: let the kernel pick a free index.
                up.data = fd.as_raw_fd() as u64;
                up
            })
            .collect();
        let nr = len_u32(ups.len(), "IORING_REGISTER_RING_FDS: too many ring fds")?;
        // SAFETY: `ups` is `nr` rsrc updates the kernel reads and writes (the chosen offsets)
        // during the call.
        let done = unsafe {
            self.reg(
                "IORING_REGISTER_RING_FDS",
                sys::IORING_REGISTER_RING_FDS,
                ups.as_mut_ptr().cast_const().cast(),
                nr,
                |e| match e {
                    libc::EINVAL => Some("at most 16 ring fds per call (and per thread)"),
                    libc::EBUSY => Some("this thread's registered-ring table is full (16)"),
                    libc::EOPNOTSUPP => Some("an fd is not an io_uring fd"),
                    _ => None,
                },
            )
        }?;
        ups.truncate(done as usize);
        Ok(ups.iter().map(|u| u.offset).collect())
    }

    /// `io_uring_register(fd, IORING_UNREGISTER_RING_FDS, updates, nr)` — removes indices from
    /// the calling thread's registered-ring table (Linux 5.18+); returns how many were removed.
    ///
    /// # Safety
    ///
    /// No index in `indices` may be one a live [`Ring`](crate::Ring) of this thread uses
    /// ([`Ring::registered_index`](crate::Ring::registered_index)): the table belongs to the
    /// thread, so any ring could remove it, and [`register_ring_fds`](Self::register_ring_fds)
    /// could then put another ring at that index — every enter and registration of the first
    /// ring would then reach the other one (registering its buffer rings there, which that
    /// ring keeps using after the first ring frees them).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_UNREGISTER_RING_FDS")]
    #[doc(alias = "io_uring_unregister_ring_fd")]
    pub unsafe fn unregister_ring_fds(&self, indices: &[u32]) -> io::Result<u32> {
        self.unmanaged("IORING_UNREGISTER_RING_FDS")?;
        let ups: Vec<sys::io_uring_rsrc_update> = indices
            .iter()
            .map(|&i| {
                let mut up = sys::io_uring_rsrc_update::zeroed();
                up.offset = i;
                up
            })
            .collect();
        let nr = len_u32(ups.len(), "IORING_UNREGISTER_RING_FDS: too many indices")?;
        // SAFETY: `ups` is `nr` rsrc updates alive for the call.
        unsafe {
            self.reg(
                "IORING_UNREGISTER_RING_FDS",
                sys::IORING_UNREGISTER_RING_FDS,
                ups.as_ptr().cast(),
                nr,
                no_hint,
            )
        }
    }

    // ----- provided buffer rings -------------------------------------------------------------

    /// `io_uring_register(fd, IORING_REGISTER_PBUF_RING, {ring_addr, ring_entries, bgid,
    /// flags}, 1)` — registers the provided-buffer ring at `ring` as buffer group `bgid`
    /// (Linux 5.19+).
    ///
    /// `entries` is a power of two, at most 32768. Requests with `IOSQE_BUFFER_SELECT` and
    /// `buf_group = bgid` then take buffers the application publishes in the ring (tail in
    /// `bufs[0].resv`, store-release). `EEXIST` when the group already exists.
    ///
    /// # Safety
    ///
    /// - `ring` must be page-aligned and valid for reads and writes of
    ///   `entries * size_of::<io_uring_buf>()` bytes, and stay allocated (not freed, unmapped
    ///   or remapped) until [`unregister_buf_ring`](Self::unregister_buf_ring) for `bgid` or
    ///   the ring's drop. The kernel reads the entries and the tail, and with
    ///   [`BufRingFlags::INC`] writes entries' `addr` and `len`.
    /// - Every buffer published in the ring must be valid for writes of its `len` bytes, with
    ///   no Rust reference to it, from publication until the kernel hands it back (a CQE with
    ///   `IORING_CQE_F_BUFFER` naming its id, and for `INC` without `IORING_CQE_F_BUF_MORE`) or
    ///   until the group is unregistered and no request that selected it is in flight.
    /// - `flags` must not contain [`BufRingFlags::MMAP`] (use
    ///   [`register_buf_ring_mmap`](Self::register_buf_ring_mmap)).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    /// - [`io_uring_register_buf_ring(3)`](https://man7.org/linux/man-pages/man3/io_uring_register_buf_ring.3.html)
    #[doc(alias = "IORING_REGISTER_PBUF_RING")]
    #[doc(alias = "io_uring_register_buf_ring")]
    pub unsafe fn register_buf_ring(
        &self,
        ring: *mut sys::io_uring_buf_ring,
        entries: u32,
        bgid: u16,
        flags: BufRingFlags,
    ) -> io::Result<()> {
        self.unmanaged("IORING_REGISTER_PBUF_RING")?;
        if flags.contains(BufRingFlags::MMAP) {
            return Err(invalid_input(
                "IORING_REGISTER_PBUF_RING: IOU_PBUF_RING_MMAP with a user address; use register_buf_ring_mmap",
            ));
        }
        // SAFETY: the ring memory is the caller's duty (see `# Safety`).
        unsafe { self.buf_ring(ring as u64, entries, bgid, flags) }
    }

    /// `io_uring_register(fd, IORING_REGISTER_PBUF_RING, {0, ring_entries, bgid,
    /// IOU_PBUF_RING_MMAP | flags}, 1)` — registers buffer group `bgid` with a ring the kernel
    /// allocates (Linux 6.4+).
    ///
    /// Map it with `mmap(2)` on the ring fd, `MAP_SHARED`, at offset
    /// `IORING_OFF_PBUF_RING | (bgid << IORING_OFF_PBUF_SHIFT)`. Safe: no user memory is handed
    /// over here (the buffers published into the ring later are, see
    /// [`register_buf_ring`](Self::register_buf_ring)).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_PBUF_RING")]
    #[doc(alias = "IOU_PBUF_RING_MMAP")]
    pub fn register_buf_ring_mmap(
        &self,
        entries: u32,
        bgid: u16,
        flags: BufRingFlags,
    ) -> io::Result<()> {
        self.unmanaged("IORING_REGISTER_PBUF_RING")?;
        // SAFETY: with IOU_PBUF_RING_MMAP and address 0 the kernel allocates the ring itself.
        unsafe { self.buf_ring(0, entries, bgid, flags | BufRingFlags::MMAP) }
    }

    /// # Safety
    ///
    /// `addr` is 0 with `MMAP`, or upholds [`register_buf_ring`]'s contract.
    unsafe fn buf_ring(
        &self,
        addr: u64,
        entries: u32,
        bgid: u16,
        flags: BufRingFlags,
    ) -> io::Result<()> {
        let mut reg = sys::io_uring_buf_reg::zeroed();
        reg.ring_addr = addr;
        reg.ring_entries = entries;
        reg.bgid = bgid;
        reg.flags = flags.bits();
        // SAFETY: `reg` is a live `io_uring_buf_reg`; the ring memory is the caller's duty.
        unsafe {
            self.reg(
                "IORING_REGISTER_PBUF_RING",
                sys::IORING_REGISTER_PBUF_RING,
                ptr::from_ref(&reg).cast(),
                1,
                |e| match e {
                    libc::EEXIST => Some("this buffer group id is already registered"),
                    libc::EINVAL => {
                        Some("entries must be a power of two <= 32768 and the address page-aligned")
                    }
                    _ => None,
                },
            )
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_UNREGISTER_PBUF_RING, {bgid}, 1)` — removes provided-buffer
    /// group `bgid` (Linux 5.19+). `ENOENT` when it does not exist.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_UNREGISTER_PBUF_RING")]
    #[doc(alias = "io_uring_unregister_buf_ring")]
    pub fn unregister_buf_ring(&self, bgid: u16) -> io::Result<()> {
        self.unmanaged("IORING_UNREGISTER_PBUF_RING")?;
        let mut reg = sys::io_uring_buf_reg::zeroed();
        reg.bgid = bgid;
        // SAFETY: `reg` is a live `io_uring_buf_reg`.
        unsafe {
            self.reg(
                "IORING_UNREGISTER_PBUF_RING",
                sys::IORING_UNREGISTER_PBUF_RING,
                ptr::from_ref(&reg).cast(),
                1,
                |e| (e == libc::ENOENT).then_some("no buffer ring with this group id"),
            )
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_PBUF_STATUS, {buf_group}, 1)` — returns the
    /// kernel's head of provided-buffer ring `bgid`: how far it has consumed (Linux 6.8+).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_PBUF_STATUS")]
    #[doc(alias = "io_uring_buf_ring_head")]
    pub fn register_pbuf_status(&self, bgid: u16) -> io::Result<u16> {
        let mut status = sys::io_uring_buf_status::zeroed();
        status.buf_group = u32::from(bgid);
        // SAFETY: the kernel reads and writes `status`, exclusively ours for the call.
        unsafe {
            self.reg(
                "IORING_REGISTER_PBUF_STATUS",
                sys::IORING_REGISTER_PBUF_STATUS,
                ptr::from_mut(&mut status).cast_const().cast(),
                1,
                |e| {
                    (e == libc::ENOENT || e == libc::EINVAL)
                        .then_some("no ring-mapped buffer group with this id")
                },
            )
        }?;
        // The kernel's ring head is a __u16 (io_buffer_list.head) widened into the u32 field.
        Ok(status.head as u16)
    }

    // ----- cancel ----------------------------------------------------------------------------

    /// `io_uring_register(fd, IORING_REGISTER_SYNC_CANCEL, &reg, 1)` — cancels the requests
    /// `key` matches and waits until they have completed (Linux 6.0+).
    ///
    /// Their CQEs (usually `-ECANCELED`) are posted as for any cancellation. With
    /// [`all`](SyncCancel::all) or [`any`](SyncCancel::any) it returns how many were cancelled
    /// (0 when nothing matched); with a single-match key it returns 0, or fails with `ENOENT`
    /// when nothing matched. `ETIME` when the timeout expired first, `EBADF` for a bad fd key.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_SYNC_CANCEL")]
    #[doc(alias = "io_uring_register_sync_cancel")]
    pub fn register_sync_cancel(&self, key: &SyncCancel) -> io::Result<u32> {
        let mut reg = key.0;
        // SAFETY: `reg` is a live `io_uring_sync_cancel_reg`.
        unsafe {
            self.reg(
                "IORING_REGISTER_SYNC_CANCEL",
                sys::IORING_REGISTER_SYNC_CANCEL,
                ptr::from_mut(&mut reg).cast_const().cast(),
                1,
                |e| match e {
                    libc::ENOENT => Some("no in-flight request matched the key"),
                    libc::ETIME => Some("the timeout expired before the cancellation finished"),
                    libc::EBADF => Some("the fd key is not an open file (or fixed-file slot)"),
                    _ => None,
                },
            )
        }
    }

    // ----- napi ------------------------------------------------------------------------------

    /// `io_uring_register(fd, IORING_REGISTER_NAPI, &napi, 1)` — turns on NAPI busy polling for
    /// this ring's sockets with `settings` and returns the previous settings (Linux 6.9+).
    ///
    /// Needs a kernel with `CONFIG_NET_RX_BUSY_POLL`; otherwise `EOPNOTSUPP` or `EINVAL`.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_NAPI")]
    #[doc(alias = "io_uring_register_napi")]
    pub fn register_napi(&self, settings: Napi) -> io::Result<Napi> {
        let mut raw = settings.to_raw();
        // SAFETY: the kernel reads and writes `raw`, exclusively ours for the call.
        unsafe {
            self.reg(
                "IORING_REGISTER_NAPI",
                sys::IORING_REGISTER_NAPI,
                ptr::from_mut(&mut raw).cast_const().cast(),
                1,
                no_hint,
            )
        }?;
        Ok(Napi::from_raw(&raw))
    }

    /// `io_uring_register(fd, IORING_UNREGISTER_NAPI, &napi, 1)` — turns NAPI busy polling off
    /// and returns the timeout and preference it had (Linux 6.9+). The kernel does not report
    /// the tracking strategy here: the returned `tracking` is [`NapiTracking::DYNAMIC`] (0).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_UNREGISTER_NAPI")]
    #[doc(alias = "io_uring_unregister_napi")]
    pub fn unregister_napi(&self) -> io::Result<Napi> {
        let mut raw = sys::io_uring_napi::zeroed();
        // SAFETY: the kernel writes `raw`, exclusively ours for the call.
        unsafe {
            self.reg(
                "IORING_UNREGISTER_NAPI",
                sys::IORING_UNREGISTER_NAPI,
                ptr::from_mut(&mut raw).cast_const().cast(),
                1,
                no_hint,
            )
        }?;
        Ok(Napi::from_raw(&raw))
    }

    /// `io_uring_register(fd, IORING_REGISTER_NAPI, {IO_URING_NAPI_STATIC_ADD_ID, napi_id}, 1)`
    /// — adds NAPI id `napi_id` to the ids a ring with [`NapiTracking::STATIC`] busy-polls
    /// (Linux 6.13+). `EINVAL` when the ring does not track statically or the id is outside the
    /// NAPI id range, `EEXIST` when it is already listed. The kernel does not check that a NAPI
    /// instance with this id exists.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IO_URING_NAPI_STATIC_ADD_ID")]
    #[doc(alias = "io_uring_register_napi")]
    pub fn register_napi_add_id(&self, napi_id: u32) -> io::Result<()> {
        self.napi_id(sys::IO_URING_NAPI_STATIC_ADD_ID, napi_id)
    }

    /// `io_uring_register(fd, IORING_REGISTER_NAPI, {IO_URING_NAPI_STATIC_DEL_ID, napi_id}, 1)`
    /// — removes NAPI id `napi_id` from the static list (Linux 6.13+). `ENOENT` when it is not
    /// there.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IO_URING_NAPI_STATIC_DEL_ID")]
    pub fn register_napi_del_id(&self, napi_id: u32) -> io::Result<()> {
        self.napi_id(sys::IO_URING_NAPI_STATIC_DEL_ID, napi_id)
    }

    fn napi_id(&self, op: u8, napi_id: u32) -> io::Result<()> {
        let mut raw = sys::io_uring_napi::zeroed();
        raw.opcode = op;
        raw.op_param = napi_id;
        // SAFETY: the kernel reads `raw` and writes back the current settings into it,
        // exclusively ours for the call.
        unsafe {
            self.reg(
                "IORING_REGISTER_NAPI",
                sys::IORING_REGISTER_NAPI,
                ptr::from_mut(&mut raw).cast_const().cast(),
                1,
                |e| match e {
                    libc::EINVAL => Some(
                        "the ring does not use NapiTracking::STATIC, or the id is not a NAPI id",
                    ),
                    libc::EEXIST => Some("this NAPI id is already in the static list"),
                    libc::ENOENT => Some("this NAPI id is not in the static list"),
                    _ => None,
                },
            )
        }
        .map(drop)
    }

    // ----- clock -----------------------------------------------------------------------------

    /// `io_uring_register(fd, IORING_REGISTER_CLOCK, {clockid}, 0)` — chooses the clock that CQ
    /// wait timeouts (`io_uring_enter(2)` with `IORING_ENTER_EXT_ARG`) are measured on
    /// (Linux 6.12+).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_CLOCK")]
    #[doc(alias = "io_uring_register_clock")]
    pub fn register_clock(&self, clock: Clock) -> io::Result<()> {
        let mut reg = sys::io_uring_clock_register::zeroed();
        reg.clockid = clock.raw();
        // SAFETY: `reg` is a live `io_uring_clock_register`.
        unsafe {
            self.reg(
                "IORING_REGISTER_CLOCK",
                sys::IORING_REGISTER_CLOCK,
                ptr::from_ref(&reg).cast(),
                0,
                no_hint,
            )
        }
        .map(drop)
    }

    // ----- memory regions --------------------------------------------------------------------

    /// `io_uring_register(fd, IORING_REGISTER_MEM_REGION, {&region, flags}, 1)` — registers the
    /// ring's parameter memory region (Linux 6.13+); for a kernel-allocated region the kernel
    /// writes its [`mmap_offset`](MemRegion::mmap_offset) back into `region`.
    ///
    /// With [`MemRegionFlags::REG_WAIT_ARG`] the region holds `struct io_uring_reg_wait`
    /// entries for `io_uring_enter(2)` with `IORING_ENTER_EXT_ARG_REG` (registered wait
    /// arguments); that needs a ring still disabled (`IORING_SETUP_R_DISABLED`), otherwise
    /// `EINVAL`. One region per ring (`EBUSY`).
    ///
    /// # Safety
    ///
    /// For a [`MemRegion::user`] region: the memory must be page-aligned, valid for reads and
    /// writes of its size, and stay allocated (not freed, unmapped or remapped) until the ring
    /// is dropped (a region cannot be unregistered). The kernel reads it at every
    /// `io_uring_enter(2)` that names it, so it must not be handed out as any other Rust
    /// object meanwhile. A [`MemRegion::kernel`] region imposes nothing.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_MEM_REGION")]
    #[doc(alias = "io_uring_register_region")]
    pub unsafe fn register_mem_region(
        &self,
        region: &mut MemRegion,
        flags: MemRegionFlags,
    ) -> io::Result<()> {
        let mut reg = sys::io_uring_mem_region_reg::zeroed();
        reg.region_uptr = ptr::from_mut(&mut region.0) as u64;
        reg.flags = flags.bits();
        // SAFETY: `reg` and the region descriptor it points at are alive for the call (the
        // kernel writes the descriptor back); user memory is the caller's duty.
        unsafe {
            self.reg(
                "IORING_REGISTER_MEM_REGION",
                sys::IORING_REGISTER_MEM_REGION,
                ptr::from_ref(&reg).cast(),
                1,
                |e| match e {
                    libc::EBUSY => Some("this ring already has a memory region"),
                    libc::EINVAL => Some(
                        "REG_WAIT_ARG needs a ring created with IORING_SETUP_R_DISABLED and not \
                         yet enabled; the size must be a page multiple",
                    ),
                    _ => None,
                },
            )
        }
        .map(drop)
    }

    // ----- zero-copy receive -----------------------------------------------------------------

    /// `io_uring_register(fd, IORING_REGISTER_ZCRX_IFQ, reg, 1)` — registers a network
    /// interface's hardware receive queue for zero-copy receive (Linux 6.15+).
    ///
    /// Needs a NIC with header split and flow steering, `CAP_NET_ADMIN`, and a ring set up with
    /// `IORING_SETUP_DEFER_TASKRUN` and 32-byte CQEs; otherwise it fails (`EINVAL`,
    /// `EOPNOTSUPP`, `ENODEV`, `EPERM`). The kernel fills `reg.offsets` and `reg.zcrx_id`.
    ///
    /// # Safety
    ///
    /// `reg.area_ptr` must point at a valid `struct io_uring_zcrx_area_reg` and
    /// `reg.region_ptr` at a valid `struct io_uring_region_desc`, both alive for the call. The
    /// user memory they name (the receive area, and the refill-queue region when it is user
    /// memory) must be page-aligned, valid for reads and writes of its size, and stay allocated
    /// with no Rust reference to the parts the kernel writes until the ring is dropped.
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    /// - [io_uring zero copy Rx](https://docs.kernel.org/networking/iou-zcrx.html)
    #[doc(alias = "IORING_REGISTER_ZCRX_IFQ")]
    #[doc(alias = "io_uring_register_ifq")]
    pub unsafe fn register_zcrx_ifq(&self, reg: &mut sys::io_uring_zcrx_ifq_reg) -> io::Result<()> {
        // SAFETY: `reg` is exclusively ours for the call; the memory it names is the caller's
        // duty.
        unsafe {
            self.reg(
                "IORING_REGISTER_ZCRX_IFQ",
                sys::IORING_REGISTER_ZCRX_IFQ,
                ptr::from_mut(reg).cast_const().cast(),
                1,
                |e| match e {
                    libc::EINVAL => Some(
                        "zero-copy receive needs IORING_SETUP_DEFER_TASKRUN and 32-byte CQEs, and \
                         a valid interface index and queue",
                    ),
                    libc::ENODEV => Some("no such network interface"),
                    libc::EPERM => Some("zero-copy receive needs CAP_NET_ADMIN"),
                    _ => None,
                },
            )
        }
        .map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_ZCRX_CTRL, {zcrx_id, ZCRX_CTRL_FLUSH_RQ}, 0)` —
    /// makes the kernel consume zero-copy receive instance `zcrx_id`'s refill queue now
    /// (Linux 6.19+; `EINVAL` before).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_ZCRX_CTRL")]
    #[doc(alias = "ZCRX_CTRL_FLUSH_RQ")]
    pub fn register_zcrx_flush_rq(&self, zcrx_id: u32) -> io::Result<()> {
        let mut ctrl = sys::zcrx_ctrl::zeroed();
        ctrl.zcrx_id = zcrx_id;
        ctrl.op = sys::ZCRX_CTRL_FLUSH_RQ;
        self.zcrx_ctrl(&mut ctrl).map(drop)
    }

    /// `io_uring_register(fd, IORING_REGISTER_ZCRX_CTRL, {zcrx_id, ZCRX_CTRL_EXPORT}, 0)` —
    /// exports zero-copy receive instance `zcrx_id` as a new fd another ring can import
    /// (`ZCRX_REG_IMPORT`) (Linux 6.19+; `EINVAL` before).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_ZCRX_CTRL")]
    #[doc(alias = "ZCRX_CTRL_EXPORT")]
    pub fn register_zcrx_export(&self, zcrx_id: u32) -> io::Result<OwnedFd> {
        let mut ctrl = sys::zcrx_ctrl::zeroed();
        ctrl.zcrx_id = zcrx_id;
        ctrl.op = sys::ZCRX_CTRL_EXPORT;
        self.zcrx_ctrl(&mut ctrl)?;
        // SAFETY: ZCRX_CTRL_EXPORT succeeded, so the kernel installed a new fd in `zcrx_fd` that
        // nothing else owns; we take ownership of it exactly once.
        let fd = unsafe { ctrl.zc_export_union.zc_export.zcrx_fd };
        // SAFETY: as above: a fresh fd from the kernel, owned by nobody else.
        Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
    }

    // ----- BPF filters -----------------------------------------------------------------------

    /// `io_uring_register(fd, IORING_REGISTER_BPF_FILTER, bpf, 1)` — attaches a classic-BPF
    /// filter program that decides, per opcode, whether this ring's requests may run
    /// (`<linux/io_uring/bpf_filter.h>`, after Linux 6.18). Older kernels fail with `EINVAL`.
    ///
    /// The argument is raw (a [`sys::io_uring_bpf`] built by the caller).
    ///
    /// # Safety
    ///
    /// `bpf` must point at a valid `struct io_uring_bpf` whose `filter.filter_ptr` points at
    /// `filter.filter_len` valid `struct sock_filter` instructions, all alive for the call (the
    /// kernel copies the program; it keeps no user memory).
    ///
    /// # References
    ///
    /// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
    #[doc(alias = "IORING_REGISTER_BPF_FILTER")]
    #[doc(alias = "io_uring_register_bpf_filter")]
    pub unsafe fn register_bpf_filter(&self, bpf: *const c_void) -> io::Result<()> {
        // SAFETY: `bpf` is valid for the call (caller's contract).
        unsafe {
            self.reg(
                "IORING_REGISTER_BPF_FILTER",
                sys::IORING_REGISTER_BPF_FILTER,
                bpf,
                1,
                |e| {
                    (e == libc::EINVAL).then_some(
                        "this kernel has no io_uring BPF filters, or the filter is malformed",
                    )
                },
            )
        }
        .map(drop)
    }

    fn zcrx_ctrl(&self, ctrl: &mut sys::zcrx_ctrl) -> io::Result<u32> {
        // SAFETY: `ctrl` is a live `zcrx_ctrl`, exclusively ours for the call.
        unsafe {
            self.reg(
                "IORING_REGISTER_ZCRX_CTRL",
                sys::IORING_REGISTER_ZCRX_CTRL,
                ptr::from_mut(ctrl).cast_const().cast(),
                0,
                |e| (e == libc::ENXIO).then_some("no zero-copy receive instance with this id"),
            )
        }
    }
}

fn files_hint(errno: i32) -> Option<&'static str> {
    match errno {
        libc::EBUSY => Some(
            "a fixed file table is already registered: unregister_files() first, or change \
             slots with register_files_update()",
        ),
        libc::EBADF => Some("one of the fds is not an open file descriptor"),
        libc::EMFILE => {
            Some("more files than RLIMIT_NOFILE allows: raise it (`ulimit -n`) or register fewer")
        }
        _ => None,
    }
}

fn files_update_hint(errno: i32) -> Option<&'static str> {
    match errno {
        libc::ENXIO => Some("no fixed file table is registered: register one first"),
        libc::EINVAL => Some("the slots lie outside the registered file table"),
        libc::EBADF => Some("one of the fds is not an open file descriptor"),
        _ => None,
    }
}

fn buffers_hint(errno: i32) -> Option<&'static str> {
    match errno {
        libc::EBUSY => Some(
            "fixed buffers are already registered: unregister_buffers() first, or update slots",
        ),
        libc::EFAULT => Some("a buffer's memory is not mapped"),
        libc::EOPNOTSUPP => Some("a buffer is file-backed memory; use anonymous memory"),
        libc::ENXIO => Some("no fixed buffers are registered: register some first"),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Ring-less registrations
// ---------------------------------------------------------------------------------------------

/// `io_uring_register(-1, IORING_REGISTER_SEND_MSG_RING, &sqe, 1)` — posts a CQE with
/// `user_data` and `res` to the ring `target`, without a ring of one's own (Linux 6.13+).
///
/// With `cqe_flags` the CQE carries those flags (`IORING_MSG_RING_FLAGS_PASS`). The target ring
/// must not be `IORING_SETUP_IOPOLL`; a non-ring fd gives `EBADFD`.
///
/// `user_data` with bit 63 set is refused (`InvalidInput`): those values belong to the
/// ownership layer, which releases a request's memory when its CQE arrives — a forged CQE with
/// such a value could make it free memory the kernel is still writing.
///
/// # References
///
/// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
/// - [`io_uring_prep_msg_ring(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_msg_ring.3.html)
#[doc(alias = "IORING_REGISTER_SEND_MSG_RING")]
#[doc(alias = "io_uring_register_sync_msg")]
pub fn send_msg_ring(
    target: BorrowedFd<'_>,
    user_data: u64,
    res: i32,
    cqe_flags: Option<u32>,
) -> io::Result<()> {
    if user_data & (1 << 63) != 0 {
        return Err(invalid_input(
            "IORING_REGISTER_SEND_MSG_RING: user_data with bit 63 set is reserved for the \
             ownership layer's own requests; pick a value below 1 << 63",
        ));
    }
    let mut sqe = sys::io_uring_sqe::zeroed();
    sqe.opcode = sys::IORING_OP_MSG_RING;
    sqe.fd = target.as_raw_fd();
    sqe.addr_union.addr = sys::IORING_MSG_DATA;
    sqe.len = res as u32;
    sqe.off_union.off = user_data;
    if let Some(flags) = cqe_flags {
        sqe.rw_flags_union.msg_ring_flags = sys::IORING_MSG_RING_FLAGS_PASS;
        sqe.splice_fd_in_union.file_index = flags;
    }
    // SAFETY: the kernel copies one SQE from `sqe`, alive for the call.
    unsafe {
        register_ringless(
            sys::IORING_REGISTER_SEND_MSG_RING,
            ptr::from_mut(&mut sqe).cast(),
            1,
        )
    }
    .map(drop)
    .map_err(|e| {
        wrap("IORING_REGISTER_SEND_MSG_RING", e, |e| match e {
            libc::EBADFD => Some("the target fd is not an io_uring"),
            libc::EINVAL => Some("the target ring may be IOPOLL, or this kernel predates 6.13"),
            _ => None,
        })
    })
}

/// What [`query_opcodes`] reports: `struct io_uring_query_opcode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryOpcodes {
    /// `nr_request_opcodes`: how many `IORING_OP_*` opcodes the kernel knows.
    pub nr_request_opcodes: u32,
    /// `nr_register_opcodes`: how many `IORING_REGISTER_*` opcodes the kernel knows.
    pub nr_register_opcodes: u32,
    /// `feature_flags`: every `IORING_FEAT_*` the kernel has.
    pub feature_flags: u64,
    /// `ring_setup_flags`: every `IORING_SETUP_*` the kernel accepts.
    pub ring_setup_flags: u64,
    /// `enter_flags`: every `IORING_ENTER_*` the kernel accepts.
    pub enter_flags: u64,
    /// `sqe_flags`: every `IOSQE_*` the kernel accepts.
    pub sqe_flags: u64,
    /// `nr_query_opcodes`: how many `IO_URING_QUERY_*` queries the kernel knows.
    pub nr_query_opcodes: u32,
}

/// Runs one query `op` with `data` as its output buffer.
///
/// # Safety
///
/// `T` must be the plain-data struct the kernel writes for `op` (any bytes valid).
unsafe fn query<T>(op: u32, data: &mut T) -> io::Result<()> {
    let mut hdr = sys::io_uring_query_hdr {
        query_data: ptr::from_mut(data) as u64,
        query_op: op,
        size: size_of::<T>() as u32,
        ..sys::io_uring_query_hdr::zeroed()
    };
    // SAFETY: the kernel reads `hdr` and writes at most `hdr.size` bytes into `data`, both
    // exclusively ours for the call.
    unsafe {
        register_ringless(
            sys::IORING_REGISTER_QUERY,
            ptr::from_mut(&mut hdr).cast(),
            0,
        )
    }
    .map_err(|e| {
        wrap("IORING_REGISTER_QUERY", e, |e| {
            (e == libc::EINVAL)
                .then_some("this kernel has no io_uring query interface (Linux 6.18+)")
        })
    })?;
    if hdr.result < 0 {
        return Err(wrap(
            "IORING_REGISTER_QUERY",
            io::Error::from_raw_os_error(-hdr.result),
            |_| Some("the kernel does not support this query"),
        ));
    }
    Ok(())
}

/// `io_uring_register(-1, IORING_REGISTER_QUERY, {IO_URING_QUERY_OPCODES}, 0)` — what this
/// kernel's io_uring supports: opcode counts and every feature, setup, enter and SQE flag
/// (Linux 6.18+). Needs no ring.
///
/// # References
///
/// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
#[doc(alias = "IORING_REGISTER_QUERY")]
#[doc(alias = "IO_URING_QUERY_OPCODES")]
#[doc(alias = "io_uring_register_query")]
pub fn query_opcodes() -> io::Result<QueryOpcodes> {
    let mut q = sys::io_uring_query_opcode::zeroed();
    // SAFETY: `io_uring_query_opcode` is the struct IO_URING_QUERY_OPCODES writes; all integers.
    unsafe { query(sys::IO_URING_QUERY_OPCODES, &mut q) }?;
    Ok(QueryOpcodes {
        nr_request_opcodes: q.nr_request_opcodes,
        nr_register_opcodes: q.nr_register_opcodes,
        feature_flags: q.feature_flags,
        ring_setup_flags: q.ring_setup_flags,
        enter_flags: q.enter_flags,
        sqe_flags: q.sqe_flags,
        nr_query_opcodes: q.nr_query_opcodes,
    })
}

/// What [`query_zcrx`] reports: `struct io_uring_query_zcrx`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryZcrx {
    /// `register_flags`: every `ZCRX_REG_*` flag the kernel accepts.
    pub register_flags: u64,
    /// `area_flags`: every `IORING_ZCRX_AREA_*` flag the kernel accepts.
    pub area_flags: u64,
    /// `nr_ctrl_opcodes`: how many `ZCRX_CTRL_*` opcodes the kernel knows.
    pub nr_ctrl_opcodes: u32,
    /// `features`: `ZCRX_FEATURE_*` bits.
    pub features: u32,
    /// `rq_hdr_size`: the refill ring header size.
    pub rq_hdr_size: u32,
    /// `rq_hdr_alignment`: the refill ring header alignment.
    pub rq_hdr_alignment: u32,
}

/// What [`query_scq`] reports: `struct io_uring_query_scq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryScq {
    /// `hdr_size`: the SQ/CQ rings header size.
    pub hdr_size: u64,
    /// `hdr_alignment`: the header's alignment.
    pub hdr_alignment: u64,
}

/// `io_uring_register(-1, IORING_REGISTER_QUERY, {IO_URING_QUERY_ZCRX}, 0)` — what this kernel's
/// zero-copy receive supports (Linux 6.18+). Needs no ring.
///
/// # References
///
/// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
#[doc(alias = "IO_URING_QUERY_ZCRX")]
pub fn query_zcrx() -> io::Result<QueryZcrx> {
    let mut q = sys::io_uring_query_zcrx::zeroed();
    // SAFETY: `io_uring_query_zcrx` is the struct IO_URING_QUERY_ZCRX writes; all integers.
    unsafe { query(sys::IO_URING_QUERY_ZCRX, &mut q) }?;
    Ok(QueryZcrx {
        register_flags: q.register_flags,
        area_flags: q.area_flags,
        nr_ctrl_opcodes: q.nr_ctrl_opcodes,
        features: q.features,
        rq_hdr_size: q.rq_hdr_size,
        rq_hdr_alignment: q.rq_hdr_alignment,
    })
}

/// `io_uring_register(-1, IORING_REGISTER_QUERY, {IO_URING_QUERY_SCQ}, 0)` — the SQ/CQ ring
/// header size and alignment, for rings in user memory (Linux 6.18+). Needs no ring.
///
/// # References
///
/// - [`io_uring_register(2)`](https://man7.org/linux/man-pages/man2/io_uring_register.2.html)
#[doc(alias = "IO_URING_QUERY_SCQ")]
pub fn query_scq() -> io::Result<QueryScq> {
    let mut q = sys::io_uring_query_scq::zeroed();
    // SAFETY: `io_uring_query_scq` is the struct IO_URING_QUERY_SCQ writes; all integers.
    unsafe { query(sys::IO_URING_QUERY_SCQ, &mut q) }?;
    Ok(QueryScq {
        hdr_size: q.hdr_size,
        hdr_alignment: q.hdr_alignment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restriction_encodes_kind_and_value() {
        let r = Restriction::sqe_op(sys::IORING_OP_READ);
        assert_eq!(r.as_raw().opcode, sys::IORING_RESTRICTION_SQE_OP);
        // SAFETY: all union members are the same initialised byte.
        let v = unsafe { r.as_raw().register_op_union.sqe_op };
        assert_eq!(v, sys::IORING_OP_READ);
        let r = Restriction::sqe_flags_required(SqeFlags::FIXED_FILE | SqeFlags::ASYNC);
        assert_eq!(
            r.as_raw().opcode,
            sys::IORING_RESTRICTION_SQE_FLAGS_REQUIRED
        );
        // SAFETY: as above.
        let v = unsafe { r.as_raw().register_op_union.sqe_flags };
        assert_eq!(v, (SqeFlags::FIXED_FILE | SqeFlags::ASYNC).bits());
        assert_eq!(r.as_raw().resv, 0);
        assert_eq!(r.as_raw().resv2, [0; 3]);
        assert_eq!(size_of::<Restriction>(), 16);
    }

    #[test]
    fn sync_cancel_keys() {
        // No timeout is {-1, -1}, the kernel's "wait forever"; zero would time out at once.
        let c = SyncCancel::user_data(9);
        assert_eq!(c.as_raw().addr, 9);
        assert_eq!(c.as_raw().flags, 0);
        assert_eq!(
            (c.as_raw().timeout.tv_sec, c.as_raw().timeout.tv_nsec),
            (-1, -1)
        );
        let c = SyncCancel::fixed_fd(3)
            .all()
            .timeout(Duration::from_millis(1500));
        assert_eq!(
            c.as_raw().flags,
            sys::IORING_ASYNC_CANCEL_FD
                | sys::IORING_ASYNC_CANCEL_FD_FIXED
                | sys::IORING_ASYNC_CANCEL_ALL
        );
        assert_eq!(c.as_raw().fd, 3);
        assert_eq!(
            (c.as_raw().timeout.tv_sec, c.as_raw().timeout.tv_nsec),
            (1, 500_000_000)
        );
        let c = SyncCancel::opcode(sys::IORING_OP_READ).and_user_data(5);
        assert_eq!(
            c.as_raw().flags,
            sys::IORING_ASYNC_CANCEL_OP | sys::IORING_ASYNC_CANCEL_USERDATA
        );
        assert_eq!(
            (c.as_raw().opcode, c.as_raw().addr),
            (sys::IORING_OP_READ, 5)
        );
        let huge = SyncCancel::any().timeout(Duration::MAX);
        assert_eq!(huge.as_raw().timeout.tv_sec, i64::MAX);
    }

    #[test]
    fn file_slots_are_the_kernel_sentinels() {
        assert_eq!(FileSlot::Empty.raw(), -1);
        assert_eq!(FileSlot::Skip.raw(), -2);
        assert_eq!(raw_fds([None, None]), vec![-1, -1]);
    }

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

    #[test]
    fn napi_and_clock_encode() {
        let raw = Napi {
            busy_poll_timeout_us: 7,
            prefer_busy_poll: true,
            tracking: NapiTracking::STATIC,
        }
        .to_raw();
        assert_eq!(
            (
                raw.busy_poll_to,
                raw.prefer_busy_poll,
                raw.opcode,
                raw.op_param,
                raw.resv
            ),
            (
                7,
                1,
                sys::IO_URING_NAPI_REGISTER_OP,
                sys::IO_URING_NAPI_TRACKING_STATIC,
                0
            )
        );
        assert_eq!(Napi::from_raw(&raw).tracking, NapiTracking::STATIC);
        assert_eq!(Clock::Boottime.raw(), libc::CLOCK_BOOTTIME as u32);
        assert_eq!(Clock::Monotonic.raw(), libc::CLOCK_MONOTONIC as u32);
    }
}
