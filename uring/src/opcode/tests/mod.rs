//! The SQE fields each builder sets, checked against the uapi's layout (what liburing's
//! `io_uring_prep_*` helpers write for the same call). Pure: runs under Miri.

use super::FutexWaitV;
use super::*;
use crate::squeue::SqeFlags;
use crate::types::*;

fn f(sqe: &Sqe) -> Fields {
    // SAFETY: every SQE here comes from a builder (whole `Fields`, no padding) or `Sqe::new`
    // (zeroed), so every byte is initialised.
    unsafe { Fields::of(sqe) }
}

/// A fake address for pointer fields (never dereferenced).
fn p<T>(addr: usize) -> *mut T {
    core::ptr::without_provenance_mut(addr)
}

const FIXED: u8 = SqeFlags::FIXED_FILE.bits();
const BSEL: u8 = SqeFlags::BUFFER_SELECT.bits();

#[test]
fn fields_round_trip_and_common_options() {
    let sqe = Nop::new()
        .build()
        .user_data(0xdead)
        .personality(3)
        .flags(SqeFlags::IO_LINK);
    let x = f(&sqe);
    assert_eq!(x.opcode, sys::IORING_OP_NOP);
    assert_eq!(x.user_data, 0xdead);
    assert_eq!(x.personality, 3);
    assert_eq!(x.flags, SqeFlags::IO_LINK.bits());
    assert_eq!(sqe.as_raw().user_data, 0xdead);
    assert_eq!(f(&Fields::new(7).sqe()), Fields::new(7));
}

#[test]
fn rw() {
    let x = f(&Read::new(Fd(5), p(0x1000), 64)
        .offset(8)
        .rw_flags(RwFlags::NOWAIT)
        .ioprio(2)
        .build());
    assert_eq!(
        (x.opcode, x.fd, x.addr, x.len, x.off),
        (sys::IORING_OP_READ, 5, 0x1000, 64, 8)
    );
    assert_eq!(
        (x.op_flags, x.ioprio, x.flags),
        (libc::RWF_NOWAIT as u32, 2, 0)
    );

    let x = f(&Read::new(Fixed(3), p(0x1000), 64)
        .buffer_select(Some(9))
        .build());
    assert_eq!((x.fd, x.flags, x.buf_index), (3, FIXED | BSEL, 9));

    let x = f(&Write::new(Fd(6), p(0x2000), 10).offset(u64::MAX).build());
    assert_eq!(
        (x.opcode, x.fd, x.addr, x.len, x.off),
        (sys::IORING_OP_WRITE, 6, 0x2000, 10, u64::MAX)
    );

    let x = f(&Readv::new(Fd(1), p(0x30), 2).offset(4).build());
    assert_eq!(
        (x.opcode, x.addr, x.len, x.off),
        (sys::IORING_OP_READV, 0x30, 2, 4)
    );
    let x = f(&Writev::new(Fixed(2), p(0x30), 3)
        .rw_flags(RwFlags::DSYNC)
        .build());
    assert_eq!(
        (x.opcode, x.fd, x.flags, x.len, x.op_flags),
        (sys::IORING_OP_WRITEV, 2, FIXED, 3, 2)
    );

    let x = f(&ReadFixed::new(Fd(1), p(0x40), 8, 7).offset(1).build());
    assert_eq!(
        (x.opcode, x.addr, x.len, x.buf_index, x.off),
        (sys::IORING_OP_READ_FIXED, 0x40, 8, 7, 1)
    );
    let x = f(&WriteFixed::new(Fd(1), p(0x40), 8, 6).build());
    assert_eq!((x.opcode, x.buf_index), (sys::IORING_OP_WRITE_FIXED, 6));
    let x = f(&ReadvFixed::new(Fd(1), p(0x50), 2, 4).build());
    assert_eq!(
        (x.opcode, x.addr, x.len, x.buf_index),
        (sys::IORING_OP_READV_FIXED, 0x50, 2, 4)
    );
    let x = f(&WritevFixed::new(Fd(1), p(0x50), 2, 5).build());
    assert_eq!((x.opcode, x.buf_index), (sys::IORING_OP_WRITEV_FIXED, 5));

    let x = f(&ReadMulti::new(Fd(4), 12).len(100).build());
    assert_eq!(
        (x.opcode, x.fd, x.flags, x.buf_index, x.len, x.addr),
        (sys::IORING_OP_READ_MULTISHOT, 4, BSEL, 12, 100, 0)
    );

    let x = f(&Splice::new(Fixed(1), -1, Fd(9), 16, 100)
        .flags(SpliceFlags::MOVE)
        .build());
    assert_eq!(
        (x.opcode, x.fd, x.flags, x.len),
        (sys::IORING_OP_SPLICE, 9, 0, 100)
    );
    assert_eq!((x.off, x.addr, x.file_index), (16, u64::MAX, 1));
    assert_eq!(x.op_flags, libc::SPLICE_F_MOVE | sys::SPLICE_F_FD_IN_FIXED);

    let x = f(&Tee::new(Fd(3), Fixed(4), 50).build());
    assert_eq!(
        (x.opcode, x.fd, x.flags, x.file_index, x.len, x.op_flags),
        (sys::IORING_OP_TEE, 4, FIXED, 3, 50, 0)
    );
}

#[test]
fn fs() {
    let x = f(&Fsync::new(Fd(3)).flags(FsyncFlags::DATASYNC).build());
    assert_eq!((x.opcode, x.fd, x.op_flags), (sys::IORING_OP_FSYNC, 3, 1));
    let x = f(&SyncFileRange::new(Fd(3), 10).offset(5).flags(2).build());
    assert_eq!(
        (x.opcode, x.len, x.off, x.op_flags),
        (sys::IORING_OP_SYNC_FILE_RANGE, 10, 5, 2)
    );
    let x = f(&Fallocate::new(Fd(3), 1 << 40).offset(7).mode(1).build());
    assert_eq!(
        (x.opcode, x.addr, x.off, x.len),
        (sys::IORING_OP_FALLOCATE, 1 << 40, 7, 1)
    );

    let x = f(&OpenAt::new(Fd(libc::AT_FDCWD), p(0x99))
        .flags(libc::O_CREAT)
        .mode(0o644)
        .build());
    assert_eq!(
        (x.opcode, x.fd, x.addr, x.len),
        (sys::IORING_OP_OPENAT, libc::AT_FDCWD, 0x99, 0o644)
    );
    assert_eq!(
        (x.op_flags, x.file_index, x.flags),
        (libc::O_CREAT as u32, 0, 0)
    );
    let x = f(&OpenAt::new(Fd(1), p(0x99))
        .file_index(Some(DestinationSlot::Index(4)))
        .build());
    assert_eq!(x.file_index, 5);
    let x = f(&OpenAt2::new(Fd(1), p(0x99), p(0x77))
        .file_index(Some(DestinationSlot::Alloc))
        .build());
    assert_eq!(
        (x.opcode, x.addr, x.off, x.len, x.file_index),
        (sys::IORING_OP_OPENAT2, 0x99, 0x77, 24, u32::MAX)
    );

    let x = f(&Close::new(Fd(8)).build());
    assert_eq!(
        (x.opcode, x.fd, x.flags, x.file_index),
        (sys::IORING_OP_CLOSE, 8, 0, 0)
    );
    let x = f(&Close::new(Fixed(8)).build());
    assert_eq!((x.fd, x.flags, x.file_index), (0, 0, 9));

    let x = f(&Statx::new(Fd(2), p(0x10), p(0x20))
        .flags(AtFlags::EMPTY_PATH)
        .mask(StatxMask::SIZE)
        .build());
    assert_eq!(
        (x.opcode, x.fd, x.addr, x.off),
        (sys::IORING_OP_STATX, 2, 0x10, 0x20)
    );
    assert_eq!(
        (x.len, x.op_flags),
        (libc::STATX_SIZE, libc::AT_EMPTY_PATH as u32)
    );

    let x = f(&Fadvise::new(Fd(2), 100, libc::POSIX_FADV_DONTNEED)
        .offset(3)
        .build());
    assert_eq!(
        (x.opcode, x.len, x.off, x.op_flags),
        (
            sys::IORING_OP_FADVISE,
            100,
            3,
            libc::POSIX_FADV_DONTNEED as u32
        )
    );
    let x = f(&Madvise::new(p(0x1000), 4096, libc::MADV_WILLNEED).build());
    assert_eq!(
        (x.opcode, x.addr, x.len, x.op_flags, x.fd),
        (
            sys::IORING_OP_MADVISE,
            0x1000,
            4096,
            libc::MADV_WILLNEED as u32,
            -1
        )
    );

    let x = f(&RenameAt::new(Fd(1), p(0x10), Fd(2), p(0x20))
        .flags(RenameFlags::NOREPLACE)
        .build());
    assert_eq!(
        (x.opcode, x.fd, x.addr, x.len, x.off, x.op_flags),
        (
            sys::IORING_OP_RENAMEAT,
            1,
            0x10,
            2,
            0x20,
            libc::RENAME_NOREPLACE
        )
    );
    let x = f(&UnlinkAt::new(Fd(1), p(0x10))
        .flags(AtFlags::REMOVEDIR)
        .build());
    assert_eq!(
        (x.opcode, x.addr, x.op_flags),
        (sys::IORING_OP_UNLINKAT, 0x10, libc::AT_REMOVEDIR as u32)
    );
    let x = f(&MkDirAt::new(Fd(1), p(0x10)).mode(0o700).build());
    assert_eq!(
        (x.opcode, x.addr, x.len),
        (sys::IORING_OP_MKDIRAT, 0x10, 0o700)
    );
    let x = f(&SymlinkAt::new(Fd(4), p(0x10), p(0x20)).build());
    assert_eq!(
        (x.opcode, x.fd, x.addr, x.off),
        (sys::IORING_OP_SYMLINKAT, 4, 0x10, 0x20)
    );
    let x = f(&LinkAt::new(Fd(1), p(0x10), Fd(2), p(0x20))
        .flags(AtFlags::SYMLINK_FOLLOW)
        .build());
    assert_eq!(
        (x.opcode, x.fd, x.addr, x.len, x.off),
        (sys::IORING_OP_LINKAT, 1, 0x10, 2, 0x20)
    );
    assert_eq!(x.op_flags, libc::AT_SYMLINK_FOLLOW as u32);

    let x = f(&Ftruncate::new(Fd(3), 12345).build());
    assert_eq!(
        (x.opcode, x.fd, x.off),
        (sys::IORING_OP_FTRUNCATE, 3, 12345)
    );
    let x = f(&FilesUpdate::new(p(0x40), 3).offset(-1).build());
    assert_eq!(
        (x.opcode, x.addr, x.len, x.off, x.fd),
        (sys::IORING_OP_FILES_UPDATE, 0x40, 3, u64::MAX, -1)
    );
    let x = f(&FixedFdInstall::new(Fixed(6))
        .flags(FixedFdInstallFlags::NO_CLOEXEC)
        .build());
    assert_eq!(
        (x.opcode, x.fd, x.flags, x.op_flags),
        (sys::IORING_OP_FIXED_FD_INSTALL, 6, FIXED, 1)
    );
    let x = f(&Pipe::new(p(0x80)).flags(libc::O_CLOEXEC).build());
    assert_eq!(
        (x.opcode, x.addr, x.op_flags, x.file_index, x.fd),
        (sys::IORING_OP_PIPE, 0x80, libc::O_CLOEXEC as u32, 0, 0)
    );
}

#[test]
fn net() {
    let x = f(&SendMsg::new(Fd(3), p(0x10))
        .flags(libc::MSG_NOSIGNAL as u32)
        .build());
    assert_eq!(
        (x.opcode, x.addr, x.len, x.op_flags),
        (sys::IORING_OP_SENDMSG, 0x10, 1, libc::MSG_NOSIGNAL as u32)
    );
    let x = f(&RecvMsg::new(Fd(3), p(0x10)).build());
    assert_eq!(
        (x.opcode, x.addr, x.len, x.flags),
        (sys::IORING_OP_RECVMSG, 0x10, 1, 0)
    );
    let x = f(&RecvMsgMulti::new(Fd(3), p(0x10), 5).build());
    assert_eq!(
        (x.opcode, x.ioprio, x.flags, x.buf_index),
        (sys::IORING_OP_RECVMSG, sys::IORING_RECV_MULTISHOT, BSEL, 5)
    );

    let x = f(&Accept::new(Fd(3), p(0x10), p(0x20))
        .flags(libc::SOCK_CLOEXEC)
        .build());
    assert_eq!(
        (x.opcode, x.addr, x.off, x.op_flags, x.ioprio),
        (
            sys::IORING_OP_ACCEPT,
            0x10,
            0x20,
            libc::SOCK_CLOEXEC as u32,
            0
        )
    );
    let x = f(&AcceptMulti::new(Fixed(2)).allocate_file_index(true).build());
    assert_eq!(
        (x.opcode, x.fd, x.flags, x.ioprio, x.file_index),
        (sys::IORING_OP_ACCEPT, 2, FIXED, 1, u32::MAX)
    );
    let x = f(&Connect::new(Fd(3), p(0x10), 16).build());
    assert_eq!(
        (x.opcode, x.addr, x.off),
        (sys::IORING_OP_CONNECT, 0x10, 16)
    );

    let x = f(&Send::new(Fd(3), p(0x10), 9)
        .dest_addr((p(0x30), 16))
        .build());
    assert_eq!(
        (x.opcode, x.addr, x.len, x.off),
        (sys::IORING_OP_SEND, 0x10, 9, 0x30)
    );
    // `addr_len` is the first u16 of the `file_index` word.
    assert_eq!(x.file_index.to_ne_bytes()[..2], 16u16.to_ne_bytes());
    let x = f(&Recv::new(Fd(3), p(0x10), 9)
        .flags(libc::MSG_WAITALL as u32)
        .build());
    assert_eq!(
        (x.opcode, x.addr, x.len, x.op_flags),
        (sys::IORING_OP_RECV, 0x10, 9, libc::MSG_WAITALL as u32)
    );
    let x = f(&RecvMulti::new(Fd(3), 7).build());
    assert_eq!(
        (x.opcode, x.addr, x.ioprio, x.flags, x.buf_index),
        (sys::IORING_OP_RECV, 0, 2, BSEL, 7)
    );

    let x = f(&Shutdown::new(Fd(3), libc::SHUT_WR).build());
    assert_eq!(
        (x.opcode, x.len),
        (sys::IORING_OP_SHUTDOWN, libc::SHUT_WR as u32)
    );
    let x = f(&Socket::new(libc::AF_INET, libc::SOCK_STREAM, 0).build());
    assert_eq!(
        (x.opcode, x.fd, x.off, x.len),
        (
            sys::IORING_OP_SOCKET,
            libc::AF_INET,
            libc::SOCK_STREAM as u64,
            0
        )
    );

    let x = f(&SendZc::new(Fd(3), p(0x10), 9).buf_index(Some(2)).build());
    assert_eq!(
        (x.opcode, x.ioprio, x.buf_index),
        (sys::IORING_OP_SEND_ZC, sys::IORING_RECVSEND_FIXED_BUF, 2)
    );
    let x = f(&SendMsgZc::new(Fd(3), p(0x10)).build());
    assert_eq!(
        (x.opcode, x.addr, x.len),
        (sys::IORING_OP_SENDMSG_ZC, 0x10, 1)
    );
    let x = f(&Bind::new(Fd(3), p(0x10), 16).build());
    assert_eq!((x.opcode, x.addr, x.off), (sys::IORING_OP_BIND, 0x10, 16));
    let x = f(&Listen::new(Fd(3), 128).build());
    assert_eq!((x.opcode, x.len), (sys::IORING_OP_LISTEN, 128));
    let x = f(&RecvZc::new(Fd(3), 1).build());
    assert_eq!(
        (x.opcode, x.file_index, x.ioprio, x.addr),
        (sys::IORING_OP_RECV_ZC, 1, sys::IORING_RECV_MULTISHOT, 0)
    );
}

#[test]
fn poll_timeout_buf() {
    let ev = PollEvents::IN;
    let x = f(&PollAdd::new(Fd(3), ev).multi(true).build());
    assert_eq!(
        (x.opcode, x.fd, x.len),
        (sys::IORING_OP_POLL_ADD, 3, sys::IORING_POLL_ADD_MULTI)
    );
    if cfg!(target_endian = "little") {
        assert_eq!(x.op_flags, ev.bits());
    }
    let x = f(&PollRemove::new(42).build());
    assert_eq!(
        (x.opcode, x.addr, x.len),
        (sys::IORING_OP_POLL_REMOVE, 42, 0)
    );
    let x = f(&PollUpdate::new(42)
        .new_user_data(Some(43))
        .events(Some(ev))
        .build());
    assert_eq!(
        (x.opcode, x.addr, x.off),
        (sys::IORING_OP_POLL_REMOVE, 42, 43)
    );
    assert_eq!(
        x.len,
        sys::IORING_POLL_UPDATE_EVENTS | sys::IORING_POLL_UPDATE_USER_DATA
    );
    let x = f(&EpollCtl::new(Fd(5), 6, libc::EPOLL_CTL_ADD, p(0x10)).build());
    assert_eq!(
        (x.opcode, x.fd, x.off, x.len, x.addr),
        (sys::IORING_OP_EPOLL_CTL, 5, 6, 1, 0x10)
    );
    let x = f(&EpollWait::new(Fd(5), p(0x10), 8).build());
    assert_eq!(
        (x.opcode, x.fd, x.addr, x.len),
        (sys::IORING_OP_EPOLL_WAIT, 5, 0x10, 8)
    );

    let x = f(&Timeout::new(p(0x10))
        .count(2)
        .flags(TimeoutFlags::MULTISHOT)
        .build());
    assert_eq!(
        (x.opcode, x.addr, x.len, x.off, x.op_flags),
        (
            sys::IORING_OP_TIMEOUT,
            0x10,
            1,
            2,
            sys::IORING_TIMEOUT_MULTISHOT
        )
    );
    let x = f(&TimeoutRemove::new(9).build());
    assert_eq!(
        (x.opcode, x.addr, x.op_flags),
        (sys::IORING_OP_TIMEOUT_REMOVE, 9, 0)
    );
    let x = f(&TimeoutUpdate::new(9, p(0x10)).build());
    assert_eq!(
        (x.opcode, x.addr, x.off, x.op_flags),
        (
            sys::IORING_OP_TIMEOUT_REMOVE,
            9,
            0x10,
            sys::IORING_TIMEOUT_UPDATE
        )
    );
    // The linked form keeps IORING_TIMEOUT_UPDATE: without it the kernel removes instead.
    let x = f(&TimeoutUpdate::new(9, p(0x10))
        .flags(TimeoutFlags::LINK_TIMEOUT_UPDATE)
        .build());
    assert_eq!(
        x.op_flags,
        sys::IORING_TIMEOUT_UPDATE | sys::IORING_LINK_TIMEOUT_UPDATE
    );
    let x = f(&LinkTimeout::new(p(0x10)).build());
    assert_eq!(
        (x.opcode, x.addr, x.len),
        (sys::IORING_OP_LINK_TIMEOUT, 0x10, 1)
    );

    let x = f(&ProvideBuffers::new(p(0x1000), 64, 4, 7, 2).build());
    assert_eq!(
        (x.opcode, x.fd, x.addr, x.len, x.off, x.buf_index),
        (sys::IORING_OP_PROVIDE_BUFFERS, 4, 0x1000, 64, 2, 7)
    );
    let x = f(&RemoveBuffers::new(4, 7).build());
    assert_eq!(
        (x.opcode, x.fd, x.buf_index),
        (sys::IORING_OP_REMOVE_BUFFERS, 4, 7)
    );
}

#[test]
fn misc_xattr_futex_cmd() {
    let x = f(&Nop::new().result(Some(-5)).build());
    assert_eq!(
        (x.opcode, x.op_flags, x.len),
        (
            sys::IORING_OP_NOP,
            sys::IORING_NOP_INJECT_RESULT,
            (-5i32) as u32
        )
    );
    let n = Nop128::new().build();
    assert_eq!((n.sqe.opcode(), n.ext), (sys::IORING_OP_NOP128, [0; 64]));

    let x = f(&AsyncCancel::new(77).flags(CancelFlags::ALL).build());
    assert_eq!(
        (x.opcode, x.addr, x.op_flags),
        (
            sys::IORING_OP_ASYNC_CANCEL,
            77,
            sys::IORING_ASYNC_CANCEL_ALL
        )
    );
    let x = f(&AsyncCancelFd::new(Fixed(3)).build());
    assert_eq!((x.fd, x.flags), (3, 0));
    assert_eq!(
        x.op_flags,
        sys::IORING_ASYNC_CANCEL_FD | sys::IORING_ASYNC_CANCEL_FD_FIXED
    );

    let x = f(&MsgRingData::new(Fd(9), 17, 99).cqe_flags(Some(4)).build());
    assert_eq!(
        (x.opcode, x.fd, x.addr, x.len, x.off),
        (sys::IORING_OP_MSG_RING, 9, sys::IORING_MSG_DATA, 17, 99)
    );
    assert_eq!(
        (x.op_flags, x.file_index),
        (sys::IORING_MSG_RING_FLAGS_PASS, 4)
    );
    let x = f(&MsgRingSendFd::new(Fd(9), Fixed(2), DestinationSlot::Index(5), 99).build());
    assert_eq!(
        (x.addr, x.addr3, x.file_index, x.off),
        (sys::IORING_MSG_SEND_FD, 2, 6, 99)
    );

    let x = f(&WaitId::new(libc::P_PID, 123, libc::WEXITED)
        .infop(p(0x10))
        .build());
    assert_eq!(
        (x.opcode, x.fd, x.len, x.file_index, x.off),
        (
            sys::IORING_OP_WAITID,
            123,
            libc::P_PID,
            libc::WEXITED as u32,
            0x10
        )
    );

    let x = f(&FGetXattr::new(Fd(3), p(0x10), p(0x20), 30).build());
    assert_eq!(
        (x.opcode, x.fd, x.addr, x.off, x.len),
        (sys::IORING_OP_FGETXATTR, 3, 0x10, 0x20, 30)
    );
    let x = f(&FSetXattr::new(Fd(3), p(0x10), p(0x20), 30)
        .flags(XattrFlags::CREATE)
        .build());
    assert_eq!((x.opcode, x.op_flags), (sys::IORING_OP_FSETXATTR, 1));
    let x = f(&GetXattr::new(p(0x30), p(0x10), p(0x20), 30).build());
    assert_eq!(
        (x.opcode, x.addr, x.off, x.addr3),
        (sys::IORING_OP_GETXATTR, 0x10, 0x20, 0x30)
    );
    let x = f(&SetXattr::new(p(0x30), p(0x10), p(0x20), 30).build());
    assert_eq!(
        (x.opcode, x.addr, x.off, x.addr3),
        (sys::IORING_OP_SETXATTR, 0x10, 0x20, 0x30)
    );

    let ff = Futex2Flags::SIZE_U32 | Futex2Flags::PRIVATE;
    let x = f(&FutexWait::new(p(0x10), 5, FUTEX_BITSET_MATCH_ANY, ff).build());
    assert_eq!(
        (x.opcode, x.fd, x.addr, x.off, x.addr3),
        (sys::IORING_OP_FUTEX_WAIT, 130, 0x10, 5, 0xffff_ffff)
    );
    let x = f(&FutexWake::new(p(0x10), 1, 3, ff).build());
    assert_eq!(
        (x.opcode, x.off, x.addr3),
        (sys::IORING_OP_FUTEX_WAKE, 1, 3)
    );
    let x = f(&FutexWaitV::new(p(0x10), 2).build());
    assert_eq!(
        (x.opcode, x.addr, x.len),
        (sys::IORING_OP_FUTEX_WAITV, 0x10, 2)
    );

    let mut cmd = [0u8; 16];
    cmd[0] = 1;
    cmd[15] = 2;
    let x = f(&UringCmd::new(Fd(3), 4)
        .addr(sockopt_addr(1, 2))
        .file_index(4)
        .cmd(cmd)
        .build());
    assert_eq!((x.opcode, x.fd), (sys::IORING_OP_URING_CMD, 3));
    let raw = UringCmd::new(Fd(3), 4)
        .addr(sockopt_addr(1, 2))
        .cmd(cmd)
        .build()
        .into_raw();
    // SAFETY: reading plain integers out of the unions of an initialised SQE.
    unsafe {
        assert_eq!(raw.off_union.cmd_op_struct.cmd_op, 4);
        assert_eq!(raw.addr_union.level_struct.level, 1);
        assert_eq!(raw.addr_union.level_struct.optname, 2);
    }
    let mut big = [0u8; 80];
    big[79] = 7;
    big[16] = 6;
    let c = UringCmd128::new(Fixed(1), 4)
        .cmd(big)
        .buf_index(Some(3))
        .build();
    assert_eq!(c.cmd(), &big);
    let x = f(&c.sqe);
    assert_eq!(
        (x.opcode, x.flags, x.op_flags, x.buf_index),
        (
            sys::IORING_OP_URING_CMD128,
            FIXED,
            sys::IORING_URING_CMD_FIXED,
            3
        )
    );
}

mod catalogue;
