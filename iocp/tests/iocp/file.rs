//! `ReadFile`/`WriteFile` on a regular file at offsets.

use iocp::{Notify, Output};
use windows_sys::Win32::Foundation::ERROR_HANDLE_EOF;

use crate::util::{self, TempPath, finish};

#[test]
fn writes_and_reads_at_offsets() {
    let port = util::port();
    let path = TempPath::new("offsets");
    // SAFETY: the file is used only through this crate.
    let file =
        unsafe { port.associate_handle(util::overlapped_file(&path), 3, Notify::Always) }.unwrap();

    let head = util::pattern(1, 5000);
    let tail = util::pattern(2, 3000);
    let far = 1 << 20; // 1 MiB in: the gap reads back as zeros
    let d = finish(&port, file.write_at(0, head.clone(), 10));
    assert_eq!((d.key(), d.token(), d.result().unwrap()), (3, 10, 5000));
    assert_eq!(
        d.into_buf().unwrap(),
        head,
        "the written buffer comes back unchanged"
    );
    let d = finish(&port, file.write_at(far, tail.clone(), 11));
    assert_eq!(d.result().unwrap(), 3000);

    // The file seen by std: exactly the two writes at their offsets.
    let disk = std::fs::read(&path.0).unwrap();
    assert_eq!(disk.len() as u64, far + 3000);
    assert_eq!(&disk[..5000], &head[..]);
    assert!(disk[5000..far as usize].iter().all(|&b| b == 0));
    assert_eq!(&disk[far as usize..], &tail[..]);

    // Reads at offsets, including one straddling the first write's end.
    let d = finish(&port, file.read_at(far, Vec::with_capacity(3000), 12));
    assert_eq!(d.result().unwrap(), 3000);
    assert_eq!(d.into_buf().unwrap(), tail);
    let d = finish(&port, file.read_at(4990, Vec::with_capacity(20), 13));
    assert_eq!(d.result().unwrap(), 20);
    let mut want = head[4990..].to_vec();
    want.extend_from_slice(&[0; 10]);
    assert_eq!(d.into_buf().unwrap(), want);
    // A read that reaches past the end returns the bytes up to it.
    let d = finish(&port, file.read_at(far + 2900, Vec::with_capacity(500), 14));
    assert_eq!(d.result().unwrap(), 100);
    assert_eq!(d.into_buf().unwrap(), &tail[2900..]);
    util::assert_empty(&port);
}

#[test]
fn read_appends_to_what_the_buffer_holds() {
    let port = util::port();
    let path = TempPath::new("append");
    // SAFETY: the file is used only through this crate.
    let file =
        unsafe { port.associate_handle(util::overlapped_file(&path), 0, Notify::Always) }.unwrap();
    finish(&port, file.write_at(0, b"0123456789".to_vec(), 0))
        .result()
        .unwrap();
    let mut buf = Vec::with_capacity(6);
    buf.extend_from_slice(b"ab");
    let d = finish(&port, file.read_at(6, buf, 1));
    // Spare capacity was 4: exactly 4 bytes are read, after the 2 already there.
    assert_eq!(d.result().unwrap(), 4);
    assert_eq!(d.into_buf().unwrap(), b"ab6789");
}

#[test]
fn read_at_end_of_file_fails_with_handle_eof_and_returns_the_buffer() {
    let port = util::port();
    let path = TempPath::new("eof");
    // SAFETY: the file is used only through this crate.
    let file =
        unsafe { port.associate_handle(util::overlapped_file(&path), 0, Notify::Always) }.unwrap();
    finish(&port, file.write_at(0, vec![1; 100], 0))
        .result()
        .unwrap();
    let mut buf = Vec::with_capacity(64);
    buf.push(9);
    let d = finish(&port, file.read_at(100, buf, 1));
    let err = d.result().unwrap_err();
    assert_eq!(err.raw_os_error(), Some(ERROR_HANDLE_EOF as i32), "{err}");
    let Output::Read(buf) = d.into_output() else {
        panic!()
    };
    assert_eq!(buf, [9], "nothing appended on error");
    assert_eq!(buf.capacity(), 64);
    util::assert_empty(&port);
}

#[test]
fn hundred_concurrent_writes_then_reads() {
    const N: usize = 100;
    const CHUNK: usize = 4096;
    let port = util::port();
    let path = TempPath::new("concurrent");
    // SAFETY: the file is used only through this crate.
    let file =
        unsafe { port.associate_handle(util::overlapped_file(&path), 0, Notify::Always) }.unwrap();
    let mut pending = 0;
    let mut done = Vec::new();
    for i in 0..N {
        match file.write_at((i * CHUNK) as u64, util::pattern(i, CHUNK), i) {
            iocp::Submitted::Pending(_) => pending += 1,
            iocp::Submitted::Done(d) => done.push(d),
        }
    }
    assert!(
        done.is_empty(),
        "Notify::Always: every op completes through the port"
    );
    for _ in 0..pending {
        let d = util::next_op(&port);
        assert_eq!(d.result().unwrap(), CHUNK);
        done.push(d);
    }
    let mut tokens: Vec<usize> = done.iter().map(|d| d.token()).collect();
    tokens.sort_unstable();
    assert_eq!(tokens, (0..N).collect::<Vec<_>>());
    for i in (0..N).rev() {
        let d = finish(
            &port,
            file.read_at((i * CHUNK) as u64, Vec::with_capacity(CHUNK), i),
        );
        assert_eq!(d.into_buf().unwrap(), util::pattern(i, CHUNK), "chunk {i}");
    }
}
