//! The ring mappings: `mmap(2)` of the ring fd at the kernel's magic offsets, unmapped on drop.

use core::ffi::c_void;
use core::ptr::NonNull;
use std::io;
use std::os::fd::BorrowedFd;

use rustix::mm::{MapFlags, ProtFlags};

/// One shared, read-write mapping of a ring region. Unmapped on drop.
#[derive(Debug)]
pub(crate) struct Mmap {
    ptr: NonNull<c_void>,
    len: usize,
    /// Memory owned by the ring model (plain heap memory, see `crate::model`): not unmapped
    /// on drop, the model frees it after the ring is gone.
    #[cfg(any(test, feature = "model"))]
    borrowed: bool,
}

// SAFETY: `Mmap` is an owned address range; nothing in it is tied to the creating thread, and
// it hands out only raw pointers (every access through them is synchronized by the ring
// protocol in ring.rs).
unsafe impl Send for Mmap {}
// SAFETY: as above; `&Mmap` only exposes the base pointer and the length.
unsafe impl Sync for Mmap {}

impl Mmap {
    /// `mmap(NULL, len, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_POPULATE, fd, offset)`.
    pub(crate) fn new(fd: BorrowedFd<'_>, offset: u64, len: usize) -> io::Result<Mmap> {
        // SAFETY: a NULL hint lets the kernel choose an unused range, so no existing Rust
        // object is overwritten; `fd` is a live io_uring fd (borrowed for this call) and the
        // offset is one of the kernel's IORING_OFF_* constants.
        let ptr = unsafe {
            rustix::mm::mmap(
                core::ptr::null_mut(),
                len,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::SHARED | MapFlags::POPULATE,
                fd,
                offset,
            )
        }?;
        // `mmap` never returns NULL on success with a NULL hint (the kernel does not map page
        // zero for us); treat it as a failure rather than trust it.
        let ptr = NonNull::new(ptr).ok_or_else(|| io::Error::from_raw_os_error(libc::ENOMEM))?;
        Ok(Mmap {
            ptr,
            len,
            #[cfg(any(test, feature = "model"))]
            borrowed: false,
        })
    }

    /// `mmap(NULL, len, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_POPULATE, -1, 0)`:
    /// zeroed, page-aligned memory for a `NO_MMAP` ring. Shared, so a `fork(2)` never
    /// copy-on-writes the pages the kernel has pinned away from it.
    pub(crate) fn anonymous(len: usize) -> io::Result<Mmap> {
        // SAFETY: a NULL hint lets the kernel choose an unused range, so no existing Rust
        // object is overwritten.
        let ptr = unsafe {
            rustix::mm::mmap_anonymous(
                core::ptr::null_mut(),
                len,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::SHARED | MapFlags::POPULATE,
            )
        }?;
        let ptr = NonNull::new(ptr).ok_or_else(|| io::Error::from_raw_os_error(libc::ENOMEM))?;
        Ok(Mmap {
            ptr,
            len,
            #[cfg(any(test, feature = "model"))]
            borrowed: false,
        })
    }

    /// A view of memory someone else owns (the ring model's heap memory); dropping it frees
    /// nothing.
    ///
    /// # Safety
    /// `ptr` must be valid for reads and writes of `len` bytes, aligned to 64, for as long as
    /// the returned value (and every pointer derived from it) lives.
    #[cfg(any(test, feature = "model"))]
    pub(crate) unsafe fn borrowed(ptr: NonNull<u8>, len: usize) -> Mmap {
        Mmap {
            ptr: ptr.cast(),
            len,
            borrowed: true,
        }
    }

    /// The base address.
    #[inline]
    pub(crate) fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr().cast()
    }

    /// The address `offset` bytes in; `offset` must be within the mapping (checked in debug).
    #[inline]
    pub(crate) fn offset(&self, offset: u32) -> *mut u8 {
        debug_assert!((offset as usize) < self.len);
        self.as_ptr().wrapping_add(offset as usize)
    }

    /// The length in bytes.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

impl Drop for Mmap {
    fn drop(&mut self) {
        #[cfg(any(test, feature = "model"))]
        if self.borrowed {
            return;
        }
        // SAFETY: `ptr`/`len` are exactly the range `mmap` returned in `new`, and it is unmapped
        // only here, once. Every pointer into it lives in the `Ring` that owns this `Mmap`, and
        // the ring drops the mappings last (after the fd is closed, see ring.rs), so nothing
        // dereferences the range afterwards.
        let _ = unsafe { rustix::mm::munmap(self.ptr.as_ptr(), self.len) };
    }
}
