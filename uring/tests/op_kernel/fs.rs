//! FSYNC, SYNC_FILE_RANGE, FALLOCATE, OPENAT, OPENAT2, CLOSE, STATX, FADVISE, MADVISE,
//! RENAMEAT, UNLINKAT, MKDIRAT, SYMLINKAT, LINKAT, FTRUNCATE, FILES_UPDATE,
//! FIXED_FD_INSTALL, PIPE.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::MetadataExt;

use uring::opcode::*;
use uring::types::{
    AtFlags, DestinationSlot, Fd, Fixed, FsyncFlags, OpenHow, RenameFlags, StatxMask,
};

use super::*;
use crate::require_ops;

const CWD: Fd = Fd(libc::AT_FDCWD);

fn new_file(dir: &TempDir, name: &str, data: &[u8]) -> std::fs::File {
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap();
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&p)
        .unwrap()
}

#[test]
fn fsync_and_fdatasync_succeed_on_a_file_and_fail_on_a_pipe() {
    require_ops!(Fsync::CODE);
    let dir = TempDir::new("fsync");
    let f = new_file(&dir, "f", b"data");
    let mut ring = ring();
    assert_eq!(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, Fsync::new(Fd(f.as_raw_fd())).build()) }
            .result()
            .unwrap(),
        0
    );
    let sqe = Fsync::new(Fd(f.as_raw_fd()))
        .flags(FsyncFlags::DATASYNC)
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_eq!(unsafe { run1(&mut ring, sqe) }.result().unwrap(), 0);
    // fsync(2) on a pipe is EINVAL: the op reached vfs_fsync for this fd.
    let (r, _w) = pipe();
    assert_errno(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, Fsync::new(Fd(r.as_raw_fd())).build()) },
        libc::EINVAL,
    );
}

#[test]
fn sync_file_range_succeeds_on_a_file_and_fails_on_a_pipe() {
    require_ops!(SyncFileRange::CODE);
    let dir = TempDir::new("sfr");
    let f = new_file(&dir, "f", &[7u8; 8192]);
    let mut ring = ring();
    let flags = libc::SYNC_FILE_RANGE_WAIT_BEFORE
        | libc::SYNC_FILE_RANGE_WRITE
        | libc::SYNC_FILE_RANGE_WAIT_AFTER;
    let sqe = SyncFileRange::new(Fd(f.as_raw_fd()), 4096)
        .offset(0)
        .flags(flags)
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_eq!(unsafe { run1(&mut ring, sqe) }.result().unwrap(), 0);
    let (r, _w) = pipe();
    assert_errno(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, SyncFileRange::new(Fd(r.as_raw_fd()), 1).build()) },
        libc::ESPIPE,
    );
}

#[test]
fn fallocate_extends_the_file() {
    require_ops!(Fallocate::CODE);
    let dir = TempDir::new("fallocate");
    let f = new_file(&dir, "f", b"");
    let mut ring = ring();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            Fallocate::new(Fd(f.as_raw_fd()), 8192).offset(4096).build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 0);
    let md = f.metadata().unwrap();
    assert_eq!(md.len(), 12288);
    assert!(md.blocks() * 512 >= 8192, "{} blocks", md.blocks());
    // FALLOC_FL_KEEP_SIZE allocates without growing.
    let sqe = Fallocate::new(Fd(f.as_raw_fd()), 4096)
        .offset(20000)
        .mode(libc::FALLOC_FL_KEEP_SIZE)
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_eq!(unsafe { run1(&mut ring, sqe) }.result().unwrap(), 0);
    assert_eq!(f.metadata().unwrap().len(), 12288);
}

#[test]
fn openat_creates_and_opens() {
    require_ops!(OpenAt::CODE);
    let dir = TempDir::new("openat");
    let d = dir.open();
    let mut ring = ring();
    let name = c"new.txt";
    let sqe = OpenAt::new(Fd(d.as_raw_fd()), name.as_ptr())
        .flags(libc::O_CREAT | libc::O_RDWR | libc::O_CLOEXEC)
        .mode(0o640)
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let fd = unsafe { run1(&mut ring, sqe) }.result().unwrap();
    // SAFETY: the CQE's result is the new fd the op made (non-negative: `result()` was Ok), owned
    // by nothing else.
    let file = std::fs::File::from(unsafe { OwnedFd::from_raw_fd(fd as i32) });
    let md = std::fs::metadata(dir.join("new.txt")).unwrap();
    assert!(md.is_file());
    assert_eq!(md.mode() & 0o777, 0o640 & !umask());
    std::io::Write::write_all(&mut &file, b"via uring fd").unwrap();
    assert_eq!(std::fs::read(dir.join("new.txt")).unwrap(), b"via uring fd");
    // Without O_CREAT a missing file is ENOENT.
    let sqe = OpenAt::new(Fd(d.as_raw_fd()), c"missing".as_ptr()).build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_errno(unsafe { run1(&mut ring, sqe) }, libc::ENOENT);
}

/// The process umask, read without changing it (`/proc/self/status`).
fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("Umask:"))
        .expect("Umask line");
    u32::from_str_radix(line["Umask:".len()..].trim(), 8).unwrap()
}

#[test]
fn openat_direct_descriptor_is_usable_as_fixed_file() {
    require_ops!(OpenAt::CODE, Read::CODE);
    let dir = TempDir::new("opendirect");
    std::fs::write(dir.join("f"), b"direct").unwrap();
    let mut ring = ring();
    register_files(&ring, &[-1, -1]);
    let path = cstr(&dir.join("f"));
    let sqe = OpenAt::new(CWD, path.as_ptr())
        .file_index(Some(DestinationSlot::Index(1)))
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_eq!(unsafe { run1(&mut ring, sqe) }.result().unwrap(), 0);
    let mut buf = [0u8; 6];
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe { run1(&mut ring, Read::new(Fixed(1), buf.as_mut_ptr(), 6).build()) };
    assert_eq!(cqe.result().unwrap(), 6);
    assert_eq!(&buf, b"direct");
    // Close the slot; reading from it then fails.
    assert_eq!(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, Close::new(Fixed(1)).build()) }
            .result()
            .unwrap(),
        0
    );
    assert_errno(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, Read::new(Fixed(1), buf.as_mut_ptr(), 6).build()) },
        libc::EBADF,
    );
}

#[test]
fn openat2_honours_resolve_beneath() {
    require_ops!(OpenAt2::CODE);
    let dir = TempDir::new("openat2");
    std::fs::create_dir(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/in"), b"inside").unwrap();
    std::fs::write(dir.join("out"), b"outside").unwrap();
    let sub = std::fs::File::open(dir.join("sub")).unwrap();
    let mut ring = ring();
    let how = OpenHow::new()
        .flags((libc::O_RDONLY | libc::O_CLOEXEC) as u64)
        .resolve(libc::RESOLVE_BENEATH);
    let sqe = OpenAt2::new(Fd(sub.as_raw_fd()), c"in".as_ptr(), &how).build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let fd = unsafe { run1(&mut ring, sqe) }.result().unwrap();
    // SAFETY: the CQE's result is the new fd the op made (non-negative: `result()` was Ok), owned
    // by nothing else.
    let fd = unsafe { OwnedFd::from_raw_fd(fd as i32) };
    assert_eq!(read_fd(&fd, 64), b"inside");
    let sqe = OpenAt2::new(Fd(sub.as_raw_fd()), c"../out".as_ptr(), &how).build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_errno(unsafe { run1(&mut ring, sqe) }, libc::EXDEV);
}

#[test]
fn close_closes_the_fd() {
    require_ops!(Close::CODE);
    let (r, w) = pipe();
    let raw = w.as_raw_fd();
    std::mem::forget(w); // the ring closes it
    let mut ring = ring();
    assert_eq!(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, Close::new(Fd(raw)).build()) }
            .result()
            .unwrap(),
        0
    );
    // The write end is gone: the read end sees EOF. (Checking `raw` with fcntl would race
    // with other tests reusing the number.)
    assert_eq!(read_fd(&r, 8), b"");
}

#[test]
fn statx_reports_size_and_type() {
    require_ops!(Statx::CODE);
    let dir = TempDir::new("statx");
    std::fs::write(dir.join("f"), vec![1u8; 1234]).unwrap();
    let path = cstr(&dir.join("f"));
    let mut ring = ring();
    // SAFETY: all-zero bytes are a valid value of this C struct (integers, arrays, raw pointers).
    let mut st: libc::statx = unsafe { std::mem::zeroed() };
    let sqe = Statx::new(CWD, path.as_ptr(), &mut st)
        .mask(StatxMask::BASIC_STATS)
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_eq!(unsafe { run1(&mut ring, sqe) }.result().unwrap(), 0);
    assert_eq!(st.stx_size, 1234);
    assert_eq!(u32::from(st.stx_mode) & libc::S_IFMT, libc::S_IFREG);
    assert!(st.stx_mask & libc::STATX_SIZE != 0);
    assert_eq!(st.stx_ino, std::fs::metadata(dir.join("f")).unwrap().ino());
    // AT_EMPTY_PATH stats the dirfd itself: a directory.
    let d = dir.open();
    // SAFETY: all-zero bytes are a valid value of this C struct (integers, arrays, raw pointers).
    let mut st2: libc::statx = unsafe { std::mem::zeroed() };
    let sqe = Statx::new(Fd(d.as_raw_fd()), c"".as_ptr(), &mut st2)
        .flags(AtFlags::EMPTY_PATH)
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_eq!(unsafe { run1(&mut ring, sqe) }.result().unwrap(), 0);
    assert_eq!(u32::from(st2.stx_mode) & libc::S_IFMT, libc::S_IFDIR);
    let sqe = Statx::new(CWD, c"/nonexistent/uring".as_ptr(), &mut st2).build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_errno(unsafe { run1(&mut ring, sqe) }, libc::ENOENT);
}

/// How many of `file`'s first `len` bytes' pages are in the page cache (`mincore(2)` on a
/// fresh mapping, which faults nothing in).
fn resident_pages(file: &std::fs::File, len: usize) -> usize {
    // SAFETY: a new mapping at an address the kernel picks; no existing memory is touched.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ,
            libc::MAP_SHARED,
            file.as_raw_fd(),
            0,
        )
    };
    assert_ne!(p, libc::MAP_FAILED);
    let pages = len.div_ceil(4096);
    let mut vec = vec![0u8; pages];
    // SAFETY: `p` is the `len`-byte mapping made above; `vec` has a byte for each of its pages.
    assert_eq!(unsafe { libc::mincore(p, len, vec.as_mut_ptr()) }, 0);
    // SAFETY: `p`/`len` is the mapping made above; nothing refers to it after this.
    unsafe { libc::munmap(p, len) };
    vec.iter().filter(|&&b| b & 1 != 0).count()
}

#[test]
fn fadvise_dontneed_drops_the_page_cache() {
    require_ops!(Fadvise::CODE);
    let dir = TempDir::new("fadvise");
    let len = 16 * 4096;
    let f = new_file(&dir, "f", &vec![3u8; len]);
    f.sync_all().unwrap(); // clean pages can be dropped, dirty ones cannot
    // tmpfs pages are the file itself, never evicted: there only the result can be checked.
    // SAFETY: all-zero bytes are a valid value of this C struct (integers, arrays, raw pointers).
    let mut fs: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: `fs` is a `statfs` for the kernel to fill; `f` is open.
    assert_eq!(unsafe { libc::fstatfs(f.as_raw_fd(), &mut fs) }, 0);
    let evictable = fs.f_type != libc::TMPFS_MAGIC;
    assert!(resident_pages(&f, len) > 0, "just written: cached");
    let mut ring = ring();
    let sqe = Fadvise::new(Fd(f.as_raw_fd()), len as u32, libc::POSIX_FADV_DONTNEED).build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_eq!(unsafe { run1(&mut ring, sqe) }.result().unwrap(), 0);
    if evictable {
        assert_eq!(
            resident_pages(&f, len),
            0,
            "POSIX_FADV_DONTNEED evicted the file's pages"
        );
    } else {
        eprintln!("fadvise_dontneed_drops_the_page_cache: temp dir is tmpfs, eviction not checked");
    }
    let (r, _w) = pipe();
    let sqe = Fadvise::new(Fd(r.as_raw_fd()), 1, libc::POSIX_FADV_NORMAL).build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_errno(unsafe { run1(&mut ring, sqe) }, libc::ESPIPE);
}

#[test]
fn madvise_dontneed_zeroes_anonymous_memory() {
    require_ops!(Madvise::CODE);
    let len = 4096;
    // SAFETY: a new mapping at an address the kernel picks; no existing memory is touched.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    assert_ne!(p, libc::MAP_FAILED);
    // SAFETY: `p` is the `len`-byte read-write mapping made above.
    unsafe { std::ptr::write_bytes(p.cast::<u8>(), 0xAB, len) };
    let mut ring = ring();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            Madvise::new(p, len as u32, libc::MADV_DONTNEED).build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 0);
    // SAFETY: MADV_DONTNEED drops the page but keeps the mapping: `p` is still mapped and readable.
    let first = unsafe { std::ptr::read_volatile(p.cast::<u8>()) };
    assert_eq!(first, 0, "MADV_DONTNEED dropped the private page");
    // An unaligned address is EINVAL.
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            Madvise::new(p.cast::<u8>().add(1).cast(), 10, libc::MADV_DONTNEED).build(),
        )
    };
    assert_errno(cqe, libc::EINVAL);
    // SAFETY: `p`/`len` is the mapping made above; the madvise requests on it have completed.
    unsafe { libc::munmap(p, len) };
}

#[test]
fn renameat_moves_the_file() {
    require_ops!(RenameAt::CODE);
    let dir = TempDir::new("rename");
    std::fs::write(dir.join("a"), b"A").unwrap();
    std::fs::write(dir.join("c"), b"C").unwrap();
    let d = dir.open();
    let dfd = Fd(d.as_raw_fd());
    let mut ring = ring();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            RenameAt::new(dfd, c"a".as_ptr(), dfd, c"b".as_ptr()).build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 0);
    assert!(!dir.join("a").exists());
    assert_eq!(std::fs::read(dir.join("b")).unwrap(), b"A");
    let sqe = RenameAt::new(dfd, c"b".as_ptr(), dfd, c"c".as_ptr())
        .flags(RenameFlags::NOREPLACE)
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_errno(unsafe { run1(&mut ring, sqe) }, libc::EEXIST);
}

#[test]
fn unlinkat_removes_files_and_directories() {
    require_ops!(UnlinkAt::CODE);
    let dir = TempDir::new("unlink");
    std::fs::write(dir.join("f"), b"x").unwrap();
    std::fs::create_dir(dir.join("d")).unwrap();
    let d = dir.open();
    let dfd = Fd(d.as_raw_fd());
    let mut ring = ring();
    assert_eq!(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, UnlinkAt::new(dfd, c"f".as_ptr()).build()) }
            .result()
            .unwrap(),
        0
    );
    assert!(!dir.join("f").exists());
    // A directory needs AT_REMOVEDIR.
    assert_errno(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, UnlinkAt::new(dfd, c"d".as_ptr()).build()) },
        libc::EISDIR,
    );
    let sqe = UnlinkAt::new(dfd, c"d".as_ptr())
        .flags(AtFlags::REMOVEDIR)
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_eq!(unsafe { run1(&mut ring, sqe) }.result().unwrap(), 0);
    assert!(!dir.join("d").exists());
}

#[test]
fn mkdirat_creates_a_directory() {
    require_ops!(MkDirAt::CODE);
    let dir = TempDir::new("mkdir");
    let d = dir.open();
    let mut ring = ring();
    let sqe = MkDirAt::new(Fd(d.as_raw_fd()), c"sub".as_ptr())
        .mode(0o750)
        .build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_eq!(unsafe { run1(&mut ring, sqe) }.result().unwrap(), 0);
    let md = std::fs::metadata(dir.join("sub")).unwrap();
    assert!(md.is_dir());
    assert_eq!(md.mode() & 0o777, 0o750 & !umask());
    let sqe = MkDirAt::new(Fd(d.as_raw_fd()), c"sub".as_ptr()).build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_errno(unsafe { run1(&mut ring, sqe) }, libc::EEXIST);
}

#[test]
fn symlinkat_creates_a_link_to_the_target() {
    require_ops!(SymlinkAt::CODE);
    let dir = TempDir::new("symlink");
    let d = dir.open();
    let mut ring = ring();
    let sqe = SymlinkAt::new(Fd(d.as_raw_fd()), c"some/target".as_ptr(), c"link".as_ptr()).build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_eq!(unsafe { run1(&mut ring, sqe) }.result().unwrap(), 0);
    assert_eq!(
        std::fs::read_link(dir.join("link")).unwrap(),
        Path::new("some/target")
    );
}

#[test]
fn linkat_creates_a_hard_link() {
    require_ops!(LinkAt::CODE);
    let dir = TempDir::new("link");
    std::fs::write(dir.join("orig"), b"shared").unwrap();
    let d = dir.open();
    let dfd = Fd(d.as_raw_fd());
    let mut ring = ring();
    let sqe = LinkAt::new(dfd, c"orig".as_ptr(), dfd, c"hard".as_ptr()).build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_eq!(unsafe { run1(&mut ring, sqe) }.result().unwrap(), 0);
    let (a, b) = (
        std::fs::metadata(dir.join("orig")).unwrap(),
        std::fs::metadata(dir.join("hard")).unwrap(),
    );
    assert_eq!((a.ino(), a.nlink()), (b.ino(), 2));
    let sqe = LinkAt::new(dfd, c"missing".as_ptr(), dfd, c"x".as_ptr()).build();
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    assert_errno(unsafe { run1(&mut ring, sqe) }, libc::ENOENT);
}

#[test]
fn ftruncate_sets_the_size() {
    require_ops!(Ftruncate::CODE);
    let dir = TempDir::new("ftruncate");
    let f = new_file(&dir, "f", b"0123456789");
    let mut ring = ring();
    assert_eq!(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, Ftruncate::new(Fd(f.as_raw_fd()), 4).build()) }
            .result()
            .unwrap(),
        0
    );
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"0123");
    assert_eq!(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, Ftruncate::new(Fd(f.as_raw_fd()), 100).build()) }
            .result()
            .unwrap(),
        0
    );
    assert_eq!(f.metadata().unwrap().len(), 100);
}

#[test]
fn files_update_fills_a_registered_slot() {
    require_ops!(FilesUpdate::CODE, Read::CODE);
    let dir = TempDir::new("filesupdate");
    let f = new_file(&dir, "f", b"updated");
    let mut ring = ring();
    register_files(&ring, &[-1, -1, -1]);
    let fds = [f.as_raw_fd()];
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            FilesUpdate::new(fds.as_ptr(), 1).offset(2).build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 1);
    let mut buf = [0u8; 7];
    assert_eq!(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, Read::new(Fixed(2), buf.as_mut_ptr(), 7).build()) }
            .result()
            .unwrap(),
        7
    );
    assert_eq!(&buf, b"updated");
    // Beyond the table.
    assert_errno(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe {
            run1(
                &mut ring,
                FilesUpdate::new(fds.as_ptr(), 1).offset(3).build(),
            )
        },
        libc::EINVAL,
    );
}

#[test]
fn fixed_fd_install_gives_a_normal_fd_for_a_slot() {
    require_ops!(FixedFdInstall::CODE);
    let dir = TempDir::new("fdinstall");
    let f = new_file(&dir, "f", b"installed");
    let mut ring = ring();
    register_files(&ring, &[f.as_raw_fd()]);
    drop(f);
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let fd = unsafe { run1(&mut ring, FixedFdInstall::new(Fixed(0)).build()) }
        .result()
        .unwrap();
    // SAFETY: the CQE's result is the new fd the op made (non-negative: `result()` was Ok), owned
    // by nothing else.
    let fd = unsafe { OwnedFd::from_raw_fd(fd as i32) };
    let mut buf = [0u8; 9];
    // SAFETY: `buf` is valid for writes of 9 bytes; `fd` is open.
    let n = unsafe { libc::pread(fd.as_raw_fd(), buf.as_mut_ptr().cast(), 9, 0) };
    assert_eq!(n, 9);
    assert_eq!(&buf, b"installed");
    // Close-on-exec by default.
    assert_eq!(
        // SAFETY: F_GETFD only reads the fd's flags.
        unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFD) } & libc::FD_CLOEXEC,
        libc::FD_CLOEXEC
    );
    // An empty slot.
    assert_errno(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, FixedFdInstall::new(Fixed(5)).build()) },
        libc::EBADF,
    );
}

#[test]
fn pipe_creates_a_connected_pair() {
    require_ops!(Pipe::CODE);
    let mut ring = ring();
    let mut fds = [-1i32; 2];
    // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
    // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes is
    // freed while it is in flight.
    let cqe = unsafe {
        run1(
            &mut ring,
            Pipe::new(&mut fds).flags(libc::O_CLOEXEC).build(),
        )
    };
    assert_eq!(cqe.result().unwrap(), 0);
    // SAFETY: the PIPE op succeeded (result 0): `fds` holds two new fds owned by nothing else.
    let (r, w) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    write_fd(&w, b"through the pipe");
    assert_eq!(read_fd(&r, 64), b"through the pipe");
    // Unknown pipe flags.
    assert_errno(
        // SAFETY: every pointer in the SQE(s) refers to this test's locals, which outlive the call;
        // `run1` returns only after each request's final CQE, so nothing the kernel reads or writes
        // is freed while it is in flight.
        unsafe { run1(&mut ring, Pipe::new(&mut fds).flags(libc::O_RDWR).build()) },
        libc::EINVAL,
    );
}
