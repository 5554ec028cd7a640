//! The values of `io_uring_setup(2)`: its flags, the features the kernel reports back, and the
//! ring-size limits. Below the ring (the mapping and the submit path read them); the builder
//! that uses them is in the parent module.

use uring_sys as sys;

/// `IORING_MAX_ENTRIES`: the largest SQ size `io_uring_setup(2)` accepts without `CLAMP`.
pub(crate) const MAX_ENTRIES: u32 = 32768;
/// `IORING_MAX_CQ_ENTRIES`: the largest CQ size.
pub(crate) const MAX_CQ_ENTRIES: u32 = 2 * MAX_ENTRIES;

bitflags::bitflags! {
    /// `IORING_SETUP_*`: the flags of `io_uring_setup(2)` (`io_uring_params::flags`).
    ///
    /// `SQE128` and `CQE32` are not set here by hand: they follow from the ring's entry types
    /// (`Ring<Sqe128, _>`, `Ring<_, Cqe32>`), so a 128-byte SQE cannot be pushed to a 64-byte
    /// ring. Unknown bits are kept and passed to the kernel as they are.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SetupFlags: u32 {
        /// `IORING_SETUP_IOPOLL`: busy-poll for completions (O_DIRECT files on polled queues).
        /// Linux 5.1+.
        #[doc(alias = "IORING_SETUP_IOPOLL")]
        const IOPOLL = sys::IORING_SETUP_IOPOLL;
        /// `IORING_SETUP_SQPOLL`: a kernel thread polls the SQ. Linux 5.1+.
        #[doc(alias = "IORING_SETUP_SQPOLL")]
        const SQPOLL = sys::IORING_SETUP_SQPOLL;
        /// `IORING_SETUP_SQ_AFF`: pin the SQPOLL thread to `sq_thread_cpu`. Linux 5.1+.
        #[doc(alias = "IORING_SETUP_SQ_AFF")]
        const SQ_AFF = sys::IORING_SETUP_SQ_AFF;
        /// `IORING_SETUP_CQSIZE`: the CQ size is `cq_entries`. Linux 5.5+.
        #[doc(alias = "IORING_SETUP_CQSIZE")]
        const CQSIZE = sys::IORING_SETUP_CQSIZE;
        /// `IORING_SETUP_CLAMP`: clamp too-large sizes instead of failing. Linux 5.6+.
        #[doc(alias = "IORING_SETUP_CLAMP")]
        const CLAMP = sys::IORING_SETUP_CLAMP;
        /// `IORING_SETUP_ATTACH_WQ`: share the io-wq (or SQPOLL thread) of `wq_fd`. Linux 5.6+.
        #[doc(alias = "IORING_SETUP_ATTACH_WQ")]
        const ATTACH_WQ = sys::IORING_SETUP_ATTACH_WQ;
        /// `IORING_SETUP_R_DISABLED`: start disabled until `IORING_REGISTER_ENABLE_RINGS`.
        /// Linux 5.10+.
        #[doc(alias = "IORING_SETUP_R_DISABLED")]
        const R_DISABLED = sys::IORING_SETUP_R_DISABLED;
        /// `IORING_SETUP_SUBMIT_ALL`: keep submitting the batch after an SQE fails to prep.
        /// Linux 5.18+.
        #[doc(alias = "IORING_SETUP_SUBMIT_ALL")]
        const SUBMIT_ALL = sys::IORING_SETUP_SUBMIT_ALL;
        /// `IORING_SETUP_COOP_TASKRUN`: no IPI to run completion work. Linux 5.19+.
        #[doc(alias = "IORING_SETUP_COOP_TASKRUN")]
        const COOP_TASKRUN = sys::IORING_SETUP_COOP_TASKRUN;
        /// `IORING_SETUP_TASKRUN_FLAG`: set `IORING_SQ_TASKRUN` when work is pending.
        /// Linux 5.19+.
        #[doc(alias = "IORING_SETUP_TASKRUN_FLAG")]
        const TASKRUN_FLAG = sys::IORING_SETUP_TASKRUN_FLAG;
        /// `IORING_SETUP_SQE128`: 128-byte SQEs (set by `Ring<Sqe128, _>`). Linux 5.19+.
        #[doc(alias = "IORING_SETUP_SQE128")]
        const SQE128 = sys::IORING_SETUP_SQE128;
        /// `IORING_SETUP_CQE32`: 32-byte CQEs (set by `Ring<_, Cqe32>`). Linux 5.19+.
        #[doc(alias = "IORING_SETUP_CQE32")]
        const CQE32 = sys::IORING_SETUP_CQE32;
        /// `IORING_SETUP_SINGLE_ISSUER`: only one task submits. Linux 6.0+.
        #[doc(alias = "IORING_SETUP_SINGLE_ISSUER")]
        const SINGLE_ISSUER = sys::IORING_SETUP_SINGLE_ISSUER;
        /// `IORING_SETUP_DEFER_TASKRUN`: run completion work only when waiting. Linux 6.1+.
        #[doc(alias = "IORING_SETUP_DEFER_TASKRUN")]
        const DEFER_TASKRUN = sys::IORING_SETUP_DEFER_TASKRUN;
        /// `IORING_SETUP_NO_MMAP`: the application provides the ring memory. Linux 6.5+.
        /// The builder then allocates it itself (see [`Builder::no_mmap`]).
        #[doc(alias = "IORING_SETUP_NO_MMAP")]
        const NO_MMAP = sys::IORING_SETUP_NO_MMAP;
        /// `IORING_SETUP_REGISTERED_FD_ONLY`: return a registered ring index, not an fd.
        /// Linux 6.5+. Needs `NO_MMAP`. Refused by this crate's builder: a ring without an fd
        /// could be neither `AsFd` nor `Send` (the index works only in the thread that set it
        /// up); [`Builder::registered_ring_fd`] gives the same `io_uring_enter` saving.
        #[doc(alias = "IORING_SETUP_REGISTERED_FD_ONLY")]
        const REGISTERED_FD_ONLY = sys::IORING_SETUP_REGISTERED_FD_ONLY;
        /// `IORING_SETUP_NO_SQARRAY`: no SQ index array; SQEs are taken in ring order.
        /// Linux 6.6+.
        #[doc(alias = "IORING_SETUP_NO_SQARRAY")]
        const NO_SQARRAY = sys::IORING_SETUP_NO_SQARRAY;
        /// `IORING_SETUP_HYBRID_IOPOLL`: sleep before polling (with `IOPOLL`). Linux 6.13+.
        #[doc(alias = "IORING_SETUP_HYBRID_IOPOLL")]
        const HYBRID_IOPOLL = sys::IORING_SETUP_HYBRID_IOPOLL;
        /// `IORING_SETUP_CQE_MIXED`: 16- and 32-byte CQEs in one CQ (set by
        /// `Ring<_, CqeMixed>`). Linux 6.18+.
        #[doc(alias = "IORING_SETUP_CQE_MIXED")]
        const CQE_MIXED = sys::IORING_SETUP_CQE_MIXED;
        /// `IORING_SETUP_SQE_MIXED`: 64- and 128-byte SQEs in one SQ. Linux 6.19+.
        /// Not accepted by this crate's builder yet.
        #[doc(alias = "IORING_SETUP_SQE_MIXED")]
        const SQE_MIXED = sys::IORING_SETUP_SQE_MIXED;
        /// `IORING_SETUP_SQ_REWIND`: SQEs always start at index 0. Not accepted by this
        /// crate's builder (it would break the SQ protocol this crate keeps).
        #[doc(alias = "IORING_SETUP_SQ_REWIND")]
        const SQ_REWIND = sys::IORING_SETUP_SQ_REWIND;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `IORING_FEAT_*`: what the kernel reported in `io_uring_params::features`.
    ///
    /// Unknown bits (features newer than this crate) are kept.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Features: u32 {
        /// `IORING_FEAT_SINGLE_MMAP`: SQ and CQ rings share one mmap. Linux 5.4+.
        #[doc(alias = "IORING_FEAT_SINGLE_MMAP")]
        const SINGLE_MMAP = sys::IORING_FEAT_SINGLE_MMAP;
        /// `IORING_FEAT_NODROP`: completions are never dropped on CQ overflow. Linux 5.5+.
        #[doc(alias = "IORING_FEAT_NODROP")]
        const NODROP = sys::IORING_FEAT_NODROP;
        /// `IORING_FEAT_SUBMIT_STABLE`: SQE data is consumed at submit. Linux 5.5+.
        #[doc(alias = "IORING_FEAT_SUBMIT_STABLE")]
        const SUBMIT_STABLE = sys::IORING_FEAT_SUBMIT_STABLE;
        /// `IORING_FEAT_RW_CUR_POS`: offset -1 means the current file position. Linux 5.6+.
        #[doc(alias = "IORING_FEAT_RW_CUR_POS")]
        const RW_CUR_POS = sys::IORING_FEAT_RW_CUR_POS;
        /// `IORING_FEAT_CUR_PERSONALITY`: requests run with the submitter's creds. Linux 5.6+.
        #[doc(alias = "IORING_FEAT_CUR_PERSONALITY")]
        const CUR_PERSONALITY = sys::IORING_FEAT_CUR_PERSONALITY;
        /// `IORING_FEAT_FAST_POLL`: internal poll instead of io-wq for pollable files.
        /// Linux 5.7+.
        #[doc(alias = "IORING_FEAT_FAST_POLL")]
        const FAST_POLL = sys::IORING_FEAT_FAST_POLL;
        /// `IORING_FEAT_POLL_32BITS`: all 32 poll event bits. Linux 5.9+.
        #[doc(alias = "IORING_FEAT_POLL_32BITS")]
        const POLL_32BITS = sys::IORING_FEAT_POLL_32BITS;
        /// `IORING_FEAT_SQPOLL_NONFIXED`: SQPOLL without registered files. Linux 5.11+.
        #[doc(alias = "IORING_FEAT_SQPOLL_NONFIXED")]
        const SQPOLL_NONFIXED = sys::IORING_FEAT_SQPOLL_NONFIXED;
        /// `IORING_FEAT_EXT_ARG`: `IORING_ENTER_EXT_ARG` (wait with timeout). Linux 5.11+.
        #[doc(alias = "IORING_FEAT_EXT_ARG")]
        const EXT_ARG = sys::IORING_FEAT_EXT_ARG;
        /// `IORING_FEAT_NATIVE_WORKERS`: io-wq workers are native threads. Linux 5.12+.
        #[doc(alias = "IORING_FEAT_NATIVE_WORKERS")]
        const NATIVE_WORKERS = sys::IORING_FEAT_NATIVE_WORKERS;
        /// `IORING_FEAT_RSRC_TAGS`: registered resources carry tags. Linux 5.13+.
        #[doc(alias = "IORING_FEAT_RSRC_TAGS")]
        const RSRC_TAGS = sys::IORING_FEAT_RSRC_TAGS;
        /// `IORING_FEAT_CQE_SKIP`: `IOSQE_CQE_SKIP_SUCCESS`. Linux 5.17+.
        #[doc(alias = "IORING_FEAT_CQE_SKIP")]
        const CQE_SKIP = sys::IORING_FEAT_CQE_SKIP;
        /// `IORING_FEAT_LINKED_FILE`: linked requests open files in order. Linux 5.17+.
        #[doc(alias = "IORING_FEAT_LINKED_FILE")]
        const LINKED_FILE = sys::IORING_FEAT_LINKED_FILE;
        /// `IORING_FEAT_REG_REG_RING`: `io_uring_register(2)` with a registered ring fd.
        /// Linux 6.3+.
        #[doc(alias = "IORING_FEAT_REG_REG_RING")]
        const REG_REG_RING = sys::IORING_FEAT_REG_REG_RING;
        /// `IORING_FEAT_RECVSEND_BUNDLE`: bundled send/recv. Linux 6.10+.
        #[doc(alias = "IORING_FEAT_RECVSEND_BUNDLE")]
        const RECVSEND_BUNDLE = sys::IORING_FEAT_RECVSEND_BUNDLE;
        /// `IORING_FEAT_MIN_TIMEOUT`: min-wait in `io_uring_getevents_arg`. Linux 6.12+.
        #[doc(alias = "IORING_FEAT_MIN_TIMEOUT")]
        const MIN_TIMEOUT = sys::IORING_FEAT_MIN_TIMEOUT;
        /// `IORING_FEAT_RW_ATTR`: read/write attributes (PI). Linux 6.14+.
        #[doc(alias = "IORING_FEAT_RW_ATTR")]
        const RW_ATTR = sys::IORING_FEAT_RW_ATTR;
        /// `IORING_FEAT_NO_IOWAIT`: `IORING_ENTER_NO_IOWAIT`. Linux 6.15+.
        #[doc(alias = "IORING_FEAT_NO_IOWAIT")]
        const NO_IOWAIT = sys::IORING_FEAT_NO_IOWAIT;
        const _ = !0;
    }
}
