//! `uring::driver` fixed files when the kernel refuses to empty a released slot: the slot, and
//! the others waiting with it, stay to be emptied (tried again by the next release, never handed
//! out with the kernel still holding the old file), instead of dropping out of the table.
//!
//! The refusal is a seccomp filter on one `io_uring_register(2)` opcode, installed on a thread
//! of the test's own after the table is set up: it ends with that thread.

use std::io::Write;
use std::os::fd::OwnedFd;

use uring::driver::Driver;

/// `IORING_REGISTER_FILES_UPDATE2` (`<linux/io_uring.h>`), what emptying a slot uses, and
/// `IORING_REGISTER_USE_REGISTERED_RING`, or-ed into it when the ring fd is registered.
const FILES_UPDATE2: u32 = 14;
const USE_REGISTERED_RING: u32 = 1 << 31;

fn tmpfile() -> OwnedFd {
    let mut f = tests::sys::tempfile();
    f.write_all(b"x").unwrap();
    OwnedFd::from(f)
}

#[test]
fn released_slots_survive_a_refused_update() {
    let worker = std::thread::spawn(|| {
        let mut d = match Driver::new(8) {
            Ok(d) => d,
            Err(e) => {
                println!("SKIPPED io_uring is not usable here: {e}");
                return;
            }
        };
        let files = match d.fixed_files(4) {
            Ok(f) => f,
            Err(e) if uring::error::errno(&e) == Some(libc::EINVAL) => {
                println!("SKIPPED the kernel has no sparse file table (Linux 5.19+): {e}");
                return;
            }
            Err(e) => panic!("fixed_files(4): {e}"),
        };
        let a = d.install(&files, tmpfile()).unwrap();
        let b = d.install(&files, tmpfile()).unwrap();
        // Two slots to be emptied, then the kernel refuses every emptying on this thread.
        drop((a, b));
        for op in [FILES_UPDATE2, FILES_UPDATE2 | USE_REGISTERED_RING] {
            tests::sys::deny_syscall_arg(libc::SYS_io_uring_register, 1, op, libc::ENOMEM)
                .expect("installing the seccomp filter");
        }
        let e = d.release_files(&files).expect_err("the update is denied");
        assert_eq!(uring::error::errno(&e), Some(libc::ENOMEM), "{e}");
        // Not emptied, so still to be emptied: the next release tries them again.
        let e = d
            .release_files(&files)
            .expect_err("the slots the kernel did not empty are tried again");
        assert_eq!(uring::error::errno(&e), Some(libc::ENOMEM), "{e}");
        // And they are not handed out: only the two never-used slots are free.
        let r1 = files.reserve().expect("a free slot");
        let r2 = files.reserve().expect("a second free slot");
        assert!(files.reserve().is_none(), "the refused slots are not free");
        drop((r1, r2));
    });
    worker.join().expect("the filtered thread's checks");
}
