//! Memory regions (registered wait arguments) and zero-copy receive.

use core::fmt;
use core::ptr;
use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use uring_sys as sys;

use crate::submit::Submitter;

bitflags::bitflags! {
    /// `IORING_MEM_REGION_*` flags of `struct io_uring_mem_region_reg`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct MemRegionFlags: u64 {
        /// `IORING_MEM_REGION_REG_WAIT_ARG`: the region holds `struct io_uring_reg_wait` entries
        /// that `io_uring_enter(2)` with `IORING_ENTER_EXT_ARG_REG` names by offset. The ring
        /// must still be disabled (`IORING_SETUP_R_DISABLED`).
        #[doc(alias = "IORING_MEM_REGION_REG_WAIT_ARG")]
        const REG_WAIT_ARG = sys::IORING_MEM_REGION_REG_WAIT_ARG;
        const _ = !0;
    }
}

/// `struct io_uring_region_desc`: a memory region for [`Submitter::register_mem_region`].
#[doc(alias = "io_uring_region_desc")]
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
    #[doc(alias = "IORING_MEM_REGION_TYPE_USER")]
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

/// Memory regions: `IORING_REGISTER_MEM_REGION`.
impl Submitter<'_> {
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
        let op = opcode!(IORING_REGISTER_MEM_REGION);
        let mut reg = sys::io_uring_mem_region_reg::zeroed();
        reg.region_uptr = ptr::from_mut(&mut region.0) as u64;
        reg.flags = flags.bits();
        // SAFETY: `reg` and the region descriptor it points at are alive for the call (the
        // kernel writes the descriptor back); user memory is the caller's duty.
        unsafe {
            self.reg(op, ptr::from_ref(&reg).cast(), 1, |e| match e {
                libc::EBUSY => Some("this ring already has a memory region"),
                libc::EINVAL => Some(
                    "REG_WAIT_ARG needs a ring created with IORING_SETUP_R_DISABLED and not \
                         yet enabled; the size must be a page multiple",
                ),
                _ => None,
            })
        }
        .map(drop)
    }
}

/// Zero-copy receive: `IORING_REGISTER_ZCRX_IFQ`, `_ZCRX_CTRL`.
impl Submitter<'_> {
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
        let op = opcode!(IORING_REGISTER_ZCRX_IFQ);
        // SAFETY: `reg` is exclusively ours for the call; the memory it names is the caller's
        // duty.
        unsafe {
            self.reg(op, ptr::from_mut(reg).cast_const().cast(), 1, |e| match e {
                libc::EINVAL => Some(
                    "zero-copy receive needs IORING_SETUP_DEFER_TASKRUN and 32-byte CQEs, and \
                         a valid interface index and queue",
                ),
                libc::ENODEV => Some("no such network interface"),
                libc::EPERM => Some("zero-copy receive needs CAP_NET_ADMIN"),
                _ => None,
            })
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

    fn zcrx_ctrl(&self, ctrl: &mut sys::zcrx_ctrl) -> io::Result<u32> {
        let op = opcode!(IORING_REGISTER_ZCRX_CTRL);
        // SAFETY: `ctrl` is a live `zcrx_ctrl`, exclusively ours for the call.
        unsafe {
            self.reg(op, ptr::from_mut(ctrl).cast_const().cast(), 0, |e| {
                (e == libc::ENXIO).then_some("no zero-copy receive instance with this id")
            })
        }
    }
}
