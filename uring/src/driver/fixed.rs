//! Registered (fixed) buffers as a pool of leases, and registered files as owned slots.
//!
//! A [`FixedBufPool`] registers one block of `count` buffers (`IORING_REGISTER_BUFFERS2`).
//! [`FixedBufPool::checkout`] lends one buffer as a [`FixedBuf`]; [`ReadFixed`]/[`WriteFixed`]
//! (and [`super::SendZc::fixed`]) take the lease by value, and the driver refuses a lease of
//! another driver's pool. A lease returns to the pool when dropped — which, for a lease owned by
//! an operation, is after the operation's final CQE — so its memory is never reused while the
//! kernel may use it. The block is freed when the pool, the driver and every lease are gone.

use std::alloc::{self, Layout};
use std::cell::RefCell;
use std::fmt;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::ptr::NonNull;
use std::rc::Rc;

use super::Driver;
use super::buf::{IoBuf, IoBufMut};
use super::op::{Completion, OpFile, Operation, SendZc, ZcResult, check_ring, clamp_len};
use crate::opcode;
use crate::register::FileSlot;
use crate::squeue::Sqe;
use crate::types::DestinationSlot;

struct PoolInner {
    mem: NonNull<u8>,
    layout: Layout,
    size: usize,
    count: u16,
    driver: u64,
    free: RefCell<Vec<u16>>,
}

impl Drop for PoolInner {
    fn drop(&mut self) {
        // SAFETY: allocated in `Driver::fixed_buffers` with this layout; the last reference
        // is gone: no lease (so no operation) and no driver (which unregistered the table or
        // closed the ring) can reach it. A leaked operation leaks its lease and this never runs.
        unsafe { alloc::dealloc(self.mem.as_ptr(), self.layout) };
    }
}

/// A registered buffer table: `count` buffers of `size` bytes. Cheap to clone.
#[derive(Clone)]
pub struct FixedBufPool {
    inner: Rc<PoolInner>,
}

impl fmt::Debug for FixedBufPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FixedBufPool")
            .field("count", &self.inner.count)
            .field("size", &self.inner.size)
            .field("free", &self.inner.free.borrow().len())
            .finish()
    }
}

impl FixedBufPool {
    /// Lends a free buffer (empty: `bytes_init() == 0`), or `None` when all are lent.
    pub fn checkout(&self) -> Option<FixedBuf> {
        let index = self.inner.free.borrow_mut().pop()?;
        Some(FixedBuf {
            pool: self.inner.clone(),
            index,
            init: 0,
        })
    }

    /// Lends buffer `index` if it is free.
    ///
    /// # Errors
    /// `index` out of range (`InvalidInput`) or already lent (`WouldBlock`).
    pub fn checkout_index(&self, index: u16) -> io::Result<FixedBuf> {
        if index >= self.inner.count {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "fixed buffer index {index} is out of range: the pool has {} buffers",
                    self.inner.count
                ),
            ));
        }
        let mut free = self.inner.free.borrow_mut();
        let at = free.iter().position(|&i| i == index).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::WouldBlock,
                format!("fixed buffer {index} is lent out; drop its lease first"),
            )
        })?;
        free.swap_remove(at);
        Ok(FixedBuf {
            pool: self.inner.clone(),
            index,
            init: 0,
        })
    }

    /// Buffers not lent out.
    pub fn available(&self) -> usize {
        self.inner.free.borrow().len()
    }

    /// Bytes per buffer.
    pub fn buf_size(&self) -> usize {
        self.inner.size
    }
}

/// A lease of one registered buffer. Derefs to its initialized bytes; returns to the pool on
/// drop.
pub struct FixedBuf {
    pool: Rc<PoolInner>,
    index: u16,
    init: usize,
}

impl FixedBuf {
    /// The buffer's index in the registered table (`sqe->buf_index`).
    pub fn index(&self) -> u16 {
        self.index
    }

    /// The id of the driver whose table holds the buffer.
    pub fn ring_id(&self) -> u64 {
        self.pool.driver
    }

    #[inline]
    fn ptr(&self) -> *mut u8 {
        self.pool
            .mem
            .as_ptr()
            .wrapping_add(self.index as usize * self.pool.size)
    }

    /// Replaces the contents with `data`.
    ///
    /// # Errors
    /// `data` longer than the buffer (`InvalidInput`: the buffer is too small).
    pub fn copy_from(&mut self, data: &[u8]) -> io::Result<()> {
        if data.len() > self.pool.size {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{} bytes do not fit a {}-byte fixed buffer; use a pool with bigger buffers",
                    data.len(),
                    self.pool.size
                ),
            ));
        }
        // SAFETY: the lease owns `size` bytes at `ptr()` (index < count, established when
        // lent), and `data.len() <= size`; a lease is unique, so nothing else reads them.
        unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), self.ptr(), data.len()) };
        self.init = data.len();
        Ok(())
    }
}

impl fmt::Debug for FixedBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FixedBuf")
            .field("index", &self.index)
            .field("len", &self.init)
            .field("ring", &self.pool.driver)
            .finish()
    }
}

impl core::ops::Deref for FixedBuf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // SAFETY: `init <= size` bytes at `ptr()` are initialized (zeroed at allocation, then
        // written by us or the kernel) and owned by this unique lease.
        unsafe { core::slice::from_raw_parts(self.ptr(), self.init) }
    }
}

impl core::ops::DerefMut for FixedBuf {
    fn deref_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `deref`; `&mut self` makes the borrow unique.
        unsafe { core::slice::from_raw_parts_mut(self.ptr(), self.init) }
    }
}

impl Drop for FixedBuf {
    fn drop(&mut self) {
        self.pool.free.borrow_mut().push(self.index);
    }
}

// SAFETY: the lease owns `size` bytes of the pool block, which the `Rc` keeps alive and which
// do not move; `init <= size`.
unsafe impl IoBuf for FixedBuf {
    #[inline]
    fn stable_ptr(&self) -> *const u8 {
        self.ptr()
    }
    #[inline]
    fn bytes_init(&self) -> usize {
        self.init
    }
    #[inline]
    fn bytes_total(&self) -> usize {
        self.pool.size
    }
}

// SAFETY: as above; the lease is unique, so writes through it alias nothing.
unsafe impl IoBufMut for FixedBuf {
    #[inline]
    fn stable_mut_ptr(&mut self) -> *mut u8 {
        self.ptr()
    }
    #[inline]
    unsafe fn set_init(&mut self, pos: usize) {
        self.init = self.init.max(pos.min(self.pool.size));
    }
}

impl Driver {
    /// `IORING_REGISTER_BUFFERS2` — registers `count` buffers of `size` bytes as this ring's
    /// fixed-buffer table and returns the pool to lease them from.
    ///
    /// # Errors
    /// `count` 0 or above 16384, `size` 0 or above 1 GiB (`InvalidInput`); `EBUSY` when the
    /// ring already has a buffer table.
    pub fn fixed_buffers(&mut self, count: u16, size: usize) -> io::Result<FixedBufPool> {
        if count == 0 || count > 16384 || size == 0 || size > 1 << 30 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a fixed buffer pool needs 1..=16384 buffers of 1 byte..=1 GiB each",
            ));
        }
        let total = size
            .checked_mul(count as usize)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "count * size overflows"))?;
        let page = super::page_size();
        let layout = Layout::from_size_align(total, page)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "pool too large"))?;
        // SAFETY: `total >= 1`.
        let mem = NonNull::new(unsafe { alloc::alloc_zeroed(layout) })
            .ok_or_else(|| io::Error::from(io::ErrorKind::OutOfMemory))?;
        let inner = Rc::new(PoolInner {
            mem,
            layout,
            size,
            count,
            driver: self.id(),
            free: RefCell::new((0..count).rev().collect()),
        });
        let iovecs: Vec<libc::iovec> = (0..count as usize)
            .map(|i| libc::iovec {
                iov_base: mem.as_ptr().wrapping_add(i * size).cast(),
                iov_len: size,
            })
            .collect();
        // All tags 0: no CQE when a buffer is released (as BUFFERS2 without a tag array).
        let tags = vec![0u64; count as usize];
        // SAFETY: `register_buffers_tags`'s contract (that of `register_buffers`):
        // - each iovec names `size` bytes of the pool block, valid for reads and writes; the
        //   block lives in `inner` until the last reference to it is gone, and the driver keeps
        //   one (in `keep`, dropped after its ring is closed, leaked with any leaked operation)
        //   while every operation using a lease holds another, through the lease, until its
        //   final CQE: it outlives the registration and every request naming a buffer;
        // - the bytes of buffer `i` are reached only through the unique lease of index `i`
        //   (`FixedBuf`), which an operation owns, so no one else can, while it is in flight.
        unsafe { self.ring.submitter().register_buffers_tags(&iovecs, &tags) }.map_err(|e| {
            match crate::error::errno(&e) {
                // Keep the kernel's errno (`uring::error::errno`) with the explanation.
                Some(errno) => crate::error::with_message(
                    errno,
                    format!(
                        "IORING_REGISTER_BUFFERS2 failed (one buffer table per ring; Linux 5.13+; \
                     RLIMIT_MEMLOCK may be too low): {e}"
                    ),
                ),
                None => e,
            }
        })?;
        self.keep.push(inner.clone());
        Ok(FixedBufPool { inner })
    }

    /// `IORING_REGISTER_FILES2` (sparse) — a registered file table of `count` empty slots.
    ///
    /// # Errors
    /// `EBUSY` when the ring already has a file table; `count` 0 (`InvalidInput`).
    pub fn fixed_files(&mut self, count: u32) -> io::Result<FixedFiles> {
        if count == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a fixed file table needs at least one slot",
            ));
        }
        self.ring.submitter().register_files_sparse(count)?;
        Ok(FixedFiles {
            inner: Rc::new(FilesInner {
                driver: self.id(),
                count,
                free: RefCell::new((0..count).rev().collect()),
                dirty: RefCell::new(Vec::new()),
            }),
        })
    }

    /// Installs `fd` into a free slot of `files` (`IORING_REGISTER_FILES_UPDATE2`); the
    /// returned [`FixedFile`] owns the slot. The driver keeps its own reference to the open
    /// file in the table; `fd` is closed here.
    ///
    /// # Errors
    /// The table is full (`WouldBlock`) or another driver's (`InvalidInput`).
    pub fn install(&mut self, files: &FixedFiles, fd: OwnedFd) -> io::Result<FixedFile> {
        check_ring(files.inner.driver, self.id())?;
        self.flush_released(files)?;
        let slot = files.inner.free.borrow_mut().pop().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::WouldBlock,
                "the fixed file table is full; drop a FixedFile or register a bigger table",
            )
        })?;
        if let Err(e) = self.update_files(slot, FileSlot::Fd(fd.as_fd())) {
            files.inner.free.borrow_mut().push(slot);
            return Err(e);
        }
        drop(fd);
        Ok(FixedFile {
            files: files.inner.clone(),
            slot,
        })
    }

    /// Sets slot `slot` (`IORING_REGISTER_FILES_UPDATE2`, tag 0: no CQE on removal).
    fn update_files(&mut self, slot: u32, file: FileSlot<'_>) -> io::Result<()> {
        self.ring
            .submitter()
            .register_files_update_tags(slot, &[file], &[0])
            .map(drop)
    }

    /// `IORING_REGISTER_FILES_UPDATE2` with `-1` — empties the slots of dropped
    /// [`FixedFile`]s (the kernel then drops its reference to those files) and makes them free
    /// again. [`Driver::install`] does this first by itself.
    ///
    /// # Errors
    /// `files` is another driver's (`InvalidInput`), or the kernel refused the update.
    pub fn release_files(&mut self, files: &FixedFiles) -> io::Result<()> {
        check_ring(files.inner.driver, self.id())?;
        self.flush_released(files)
    }

    /// Empties the slots of dropped [`FixedFile`]s and makes them free again. A slot the kernel
    /// did not empty stays dirty, with the ones after it: the next call tries them again, and
    /// none is handed out while the kernel may still hold its old file.
    fn flush_released(&mut self, files: &FixedFiles) -> io::Result<()> {
        let dirty: Vec<u32> = files.inner.dirty.borrow_mut().drain(..).collect();
        for (i, &slot) in dirty.iter().enumerate() {
            if let Err(e) = self.update_files(slot, FileSlot::Empty) {
                files
                    .inner
                    .dirty
                    .borrow_mut()
                    .extend_from_slice(&dirty[i..]);
                return Err(e);
            }
            files.inner.free.borrow_mut().push(slot);
        }
        Ok(())
    }
}

struct FilesInner {
    driver: u64,
    count: u32,
    free: RefCell<Vec<u32>>,
    /// Slots whose owner dropped; emptied before reuse.
    dirty: RefCell<Vec<u32>>,
}

/// A registered file table (`IORING_REGISTER_FILES2`, sparse).
#[derive(Clone)]
pub struct FixedFiles {
    inner: Rc<FilesInner>,
}

impl fmt::Debug for FixedFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FixedFiles")
            .field("count", &self.inner.count)
            .field("free", &self.inner.free.borrow().len())
            .finish()
    }
}

impl FixedFiles {
    /// Takes a free slot for an operation that installs a direct descriptor into it (e.g.
    /// [`AcceptDirect`]); `None` when the table is full. A slot reserved and never filled (or
    /// filled and then dropped) is emptied and freed by the next [`Driver::install`] or
    /// [`Driver::release_files`].
    pub fn reserve(&self) -> Option<Reserved> {
        let slot = self.inner.free.borrow_mut().pop()?;
        Some(Reserved {
            files: Some(self.inner.clone()),
            slot,
        })
    }
}

/// A slot of a [`FixedFiles`] table held for an operation that will install into it.
pub struct Reserved {
    /// `None` once turned into a [`FixedFile`].
    files: Option<Rc<FilesInner>>,
    slot: u32,
}

impl fmt::Debug for Reserved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reserved")
            .field("slot", &self.slot)
            .finish()
    }
}

impl Reserved {
    fn into_file(mut self) -> FixedFile {
        FixedFile {
            files: self
                .files
                .take()
                .expect("a reservation is turned into a file once"),
            slot: self.slot,
        }
    }

    fn driver(&self) -> u64 {
        self.files.as_ref().map_or(0, |f| f.driver)
    }
}

impl Drop for Reserved {
    fn drop(&mut self) {
        // The kernel may have installed something (a cancelled accept that completed): empty
        // the slot before it is reused.
        if let Some(files) = &self.files {
            files.dirty.borrow_mut().push(self.slot);
        }
    }
}

/// `IORING_OP_ACCEPT` into a reserved direct-descriptor slot (Linux 5.15+): the output is the
/// [`FixedFile`] owning it. A detached, cancelled or failed accept's slot is emptied and freed
/// (see [`FixedFiles::reserve`]), so a connection it produced anyway is closed, not leaked.
#[derive(Debug)]
pub struct AcceptDirect {
    target: OpFile,
    flags: i32,
    slot: Reserved,
}

impl AcceptDirect {
    /// Accepts on a listening socket into `slot`.
    pub fn new(target: impl Into<OpFile>, slot: Reserved, flags: i32) -> Self {
        AcceptDirect {
            target: target.into(),
            flags,
            slot,
        }
    }
}

// SAFETY: no pointer (no peer address requested); the slot index is one this op owns.
unsafe impl Operation for AcceptDirect {
    type Output = io::Result<FixedFile>;
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> io::Result<FixedFile> {
        Err(error)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        opcode::Accept::new(self.target, core::ptr::null_mut(), core::ptr::null_mut())
            .flags(self.flags)
            .file_index(Some(DestinationSlot::Index(self.slot.slot)))
            .build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> Self::Output {
        c.result()?;
        Ok(self.slot.into_file())
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        self.target.check(ring_id)?;
        check_ring(self.slot.driver(), ring_id)
    }
}

/// One owned slot of a [`FixedFiles`] table: the driver's own operations reach it only
/// through this (another driver refuses it), and the slot is emptied (and reused) after drop.
/// It is I/O ownership, not memory: see [`OpFile`] for what else can name a slot.
pub struct FixedFile {
    files: Rc<FilesInner>,
    slot: u32,
}

impl FixedFile {
    /// The slot index.
    pub fn slot(&self) -> u32 {
        self.slot
    }
    /// The target for an operation on this file (`IOSQE_FIXED_FILE`).
    pub fn target(&self) -> OpFile {
        OpFile::fixed(self.slot, self.files.driver)
    }
}

impl fmt::Debug for FixedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FixedFile")
            .field("slot", &self.slot)
            .finish()
    }
}

impl From<&FixedFile> for OpFile {
    fn from(f: &FixedFile) -> OpFile {
        f.target()
    }
}

impl Drop for FixedFile {
    fn drop(&mut self) {
        self.files.dirty.borrow_mut().push(self.slot);
    }
}

// A fixed-file slot is not memory: an operation in flight holds its own reference to the
// file it resolved, so emptying or reusing a slot can at worst make I/O fail or hit another
// file, never touch freed memory. Slots are still only named through an owned `FixedFile`.

/// `IORING_OP_READ_FIXED` — `pread(2)` into a registered buffer lease.
#[derive(Debug)]
pub struct ReadFixed {
    target: OpFile,
    offset: u64,
    buf: FixedBuf,
}

impl ReadFixed {
    /// Reads into the whole leased buffer from `offset`.
    pub fn new(target: impl Into<OpFile>, buf: FixedBuf, offset: u64) -> Self {
        ReadFixed {
            target: target.into(),
            offset,
            buf,
        }
    }
}

// SAFETY: the only pointer is the lease's, owned by `self`; `buf_index` names the lease's
// buffer in the table of the driver `validate` checked.
unsafe impl Operation for ReadFixed {
    type Output = (io::Result<u32>, FixedBuf);
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> (io::Result<u32>, FixedBuf) {
        (Err(error), self.buf)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        let len = clamp_len(self.buf.bytes_total());
        let index = self.buf.index;
        opcode::ReadFixed::new(self.target, self.buf.stable_mut_ptr(), len, index)
            .offset(self.offset)
            .build()
    }
    #[inline]
    unsafe fn complete(mut self, c: Completion) -> Self::Output {
        let r = c.result();
        if let Ok(n) = r {
            self.buf.init = (n as usize).min(self.buf.pool.size);
        }
        (r, self.buf)
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        self.target.check(ring_id)?;
        check_ring(self.buf.ring_id(), ring_id)
    }
}

/// `IORING_OP_WRITE_FIXED` — `pwrite(2)` from a registered buffer lease.
#[derive(Debug)]
pub struct WriteFixed {
    target: OpFile,
    offset: u64,
    buf: FixedBuf,
}

impl WriteFixed {
    /// Writes the lease's initialized bytes at `offset`.
    pub fn new(target: impl Into<OpFile>, buf: FixedBuf, offset: u64) -> Self {
        WriteFixed {
            target: target.into(),
            offset,
            buf,
        }
    }
}

// SAFETY: as for `ReadFixed`, for reads of `bytes_init()` bytes.
unsafe impl Operation for WriteFixed {
    type Output = (io::Result<u32>, FixedBuf);
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> (io::Result<u32>, FixedBuf) {
        (Err(error), self.buf)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        let len = self.buf.bytes_init() as u32;
        opcode::WriteFixed::new(self.target, self.buf.stable_ptr(), len, self.buf.index)
            .offset(self.offset)
            .build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> Self::Output {
        (c.result(), self.buf)
    }
    #[inline]
    fn validate(&self, ring_id: u64) -> io::Result<()> {
        self.target.check(ring_id)?;
        check_ring(self.buf.ring_id(), ring_id)
    }
}

impl SendZc<FixedBuf> {
    /// Sends from a registered buffer (`IORING_RECVSEND_FIXED_BUF`); the driver checks the
    /// lease belongs to its ring.
    pub fn fixed(target: impl Into<OpFile>, buf: FixedBuf, flags: i32) -> Self {
        let fixed = (buf.index(), buf.ring_id());
        SendZc {
            target: target.into(),
            flags,
            buf,
            result: ZcResult::default(),
            fixed_index: Some(fixed),
        }
    }
}
