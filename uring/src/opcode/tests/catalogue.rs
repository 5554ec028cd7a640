//! The opcode catalogue as a whole: every opcode has a builder named as in the table, the
//! pointer-free builders are exactly the `NoMemory` ones, and the fields agree with the raw
//! crate's union members.

use super::*;

#[test]
fn every_opcode_has_a_builder_with_the_table_name() {
    let codes = [
        Nop::CODE,
        Readv::CODE,
        Writev::CODE,
        Fsync::CODE,
        ReadFixed::CODE,
        WriteFixed::CODE,
        PollAdd::CODE,
        PollRemove::CODE,
        SyncFileRange::CODE,
        SendMsg::CODE,
        RecvMsg::CODE,
        Timeout::CODE,
        TimeoutRemove::CODE,
        Accept::CODE,
        AsyncCancel::CODE,
        LinkTimeout::CODE,
        Connect::CODE,
        Fallocate::CODE,
        OpenAt::CODE,
        Close::CODE,
        FilesUpdate::CODE,
        Statx::CODE,
        Read::CODE,
        Write::CODE,
        Fadvise::CODE,
        Madvise::CODE,
        Send::CODE,
        Recv::CODE,
        OpenAt2::CODE,
        EpollCtl::CODE,
        Splice::CODE,
        ProvideBuffers::CODE,
        RemoveBuffers::CODE,
        Tee::CODE,
        Shutdown::CODE,
        RenameAt::CODE,
        UnlinkAt::CODE,
        MkDirAt::CODE,
        SymlinkAt::CODE,
        LinkAt::CODE,
        MsgRingData::CODE,
        FSetXattr::CODE,
        SetXattr::CODE,
        FGetXattr::CODE,
        GetXattr::CODE,
        Socket::CODE,
        UringCmd::CODE,
        SendZc::CODE,
        SendMsgZc::CODE,
        ReadMulti::CODE,
        WaitId::CODE,
        FutexWait::CODE,
        FutexWake::CODE,
        FutexWaitV::CODE,
        FixedFdInstall::CODE,
        Ftruncate::CODE,
        Bind::CODE,
        Listen::CODE,
        RecvZc::CODE,
        EpollWait::CODE,
        ReadvFixed::CODE,
        WritevFixed::CODE,
        Pipe::CODE,
        Nop128::CODE,
        UringCmd128::CODE,
    ];
    assert_eq!(codes.len(), table::COUNT);
    for (i, c) in codes.iter().enumerate() {
        assert_eq!(*c as usize, i, "builder #{i} emits {:?}", table::name(*c));
    }
    // The variants emit their base opcode.
    assert_eq!(RecvMulti::CODE, Recv::CODE);
    assert_eq!(RecvMsgMulti::CODE, RecvMsg::CODE);
    assert_eq!(AcceptMulti::CODE, Accept::CODE);
    assert_eq!(PollUpdate::CODE, PollRemove::CODE);
    assert_eq!(TimeoutUpdate::CODE, TimeoutRemove::CODE);
    assert_eq!(AsyncCancelFd::CODE, AsyncCancel::CODE);
    assert_eq!(MsgRingSendFd::CODE, MsgRingData::CODE);
}

#[test]
fn destination_slot_encoding() {
    assert_eq!(DestinationSlot::Index(0).file_index(), 1);
    assert_eq!(
        DestinationSlot::Alloc.file_index(),
        sys::IORING_FILE_INDEX_ALLOC
    );
    // Never collides with "none" (0) or "allocate" (!0).
    for i in [u32::MAX - 2, u32::MAX - 1, u32::MAX] {
        let e = DestinationSlot::Index(i).file_index();
        assert!(e != 0 && e != u32::MAX, "{i} -> {e}");
    }
}

/// `NoMemory` for `T`, decided at compile time without requiring it: the inherent method
/// applies only when `T: NoMemory`, otherwise method resolution falls back to the trait's.
struct Check<T>(core::marker::PhantomData<T>);

trait NotNoMemory {
    fn no_memory(&self) -> bool {
        false
    }
}

impl<T> NotNoMemory for Check<T> {}

impl<T: NoMemory> Check<T> {
    fn no_memory(&self) -> bool {
        true
    }
}

macro_rules! no_memory_of {
    ($($t:ident),* $(,)?) => {
        [$((stringify!($t), Check::<$t>(core::marker::PhantomData).no_memory())),*]
    };
}

#[test]
fn no_memory_marks_exactly_the_pointer_free_builders() {
    let all = no_memory_of!(
        Nop,
        Nop128,
        Readv,
        Writev,
        Fsync,
        ReadFixed,
        WriteFixed,
        PollAdd,
        PollRemove,
        PollUpdate,
        SyncFileRange,
        SendMsg,
        RecvMsg,
        RecvMsgMulti,
        Timeout,
        TimeoutRemove,
        TimeoutUpdate,
        Accept,
        AcceptMulti,
        AsyncCancel,
        AsyncCancelFd,
        LinkTimeout,
        Connect,
        Fallocate,
        OpenAt,
        Close,
        FilesUpdate,
        Statx,
        Read,
        Write,
        Fadvise,
        Madvise,
        Send,
        Recv,
        RecvMulti,
        OpenAt2,
        EpollCtl,
        Splice,
        ProvideBuffers,
        RemoveBuffers,
        Tee,
        Shutdown,
        RenameAt,
        UnlinkAt,
        MkDirAt,
        SymlinkAt,
        LinkAt,
        MsgRingData,
        MsgRingSendFd,
        FSetXattr,
        SetXattr,
        FGetXattr,
        GetXattr,
        Socket,
        UringCmd,
        UringCmd128,
        SendZc,
        SendMsgZc,
        ReadMulti,
        WaitId,
        FutexWait,
        FutexWake,
        FutexWaitV,
        FixedFdInstall,
        Ftruncate,
        Bind,
        Listen,
        RecvZc,
        EpollWait,
        ReadvFixed,
        WritevFixed,
        Pipe,
    );
    let marked: Vec<&str> = all.iter().filter(|(_, m)| *m).map(|(n, _)| *n).collect();
    // Rule 1: no pointer the kernel dereferences. Rule 2: no CQE but its own (which rules out
    // MsgRingData, MsgRingSendFd and PollUpdate). Close is left out for I/O safety.
    assert_eq!(
        marked,
        [
            "Nop",
            "Nop128",
            "Fsync",
            "PollAdd",
            "PollRemove",
            "SyncFileRange",
            "TimeoutRemove",
            "AcceptMulti",
            "AsyncCancel",
            "AsyncCancelFd",
            "Fallocate",
            "Fadvise",
            "Splice",
            "RemoveBuffers",
            "Tee",
            "Shutdown",
            "Socket",
            "FixedFdInstall",
            "Ftruncate",
            "Listen",
        ]
    );
}

#[test]
fn fields_agree_with_the_raw_crate_union_members() {
    let sqe = Splice::new(Fd(3), 7, Fd(4), 9, 11)
        .flags(SpliceFlags::MORE)
        .build();
    let raw = sqe.into_raw();
    // SAFETY: reading plain integers out of the unions of an initialised SQE.
    unsafe {
        assert_eq!(raw.off_union.off, 9);
        assert_eq!(raw.addr_union.splice_off_in, 7);
        assert_eq!(raw.splice_fd_in_union.splice_fd_in, 3);
        assert_eq!(raw.rw_flags_union.splice_flags, libc::SPLICE_F_MORE);
    }
    let raw = Recv::new(Fd(1), p(0x10), 4)
        .buffer_select(Some(21))
        .build()
        .into_raw();
    // SAFETY: as above.
    let group = unsafe { raw.buf_index_union.buf_group };
    assert_eq!(group, 21);
    let raw = Send::new(Fd(1), p(0x10), 4)
        .dest_addr((p(0x20), 28))
        .build()
        .into_raw();
    // SAFETY: as above.
    unsafe {
        assert_eq!(raw.off_union.addr2, 0x20);
        assert_eq!(raw.splice_fd_in_union.addr_len_struct.addr_len, 28);
    }
    let raw = GetXattr::new(p(0x30), p(0x10), p(0x20), 1)
        .build()
        .into_raw();
    // SAFETY: as above.
    unsafe { assert_eq!(raw.addr3_struct_union.addr3_struct.addr3, 0x30) };
    let raw = WaitId::new(libc::P_ALL, 0, libc::WEXITED)
        .build()
        .into_raw();
    // SAFETY: as above.
    unsafe { assert_eq!(raw.splice_fd_in_union.file_index, libc::WEXITED as u32) };
}
