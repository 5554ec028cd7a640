//! Legacy provided buffers: `PROVIDE_BUFFERS`, `REMOVE_BUFFERS`. (Ring-mapped provided buffers
//! are registered with `IORING_REGISTER_PBUF_RING` instead.)

use uring_sys as sys;

use super::{Fields, no_memory, opcode, ptr};
use crate::squeue::Sqe;

opcode! {
    /// Hand `nbufs` buffers of `len` bytes each, laid out back to back from `addr`, to
    /// buffer group `bgid` with ids `bid, bid + 1, ...`.
    ///
    /// io_uring only. Linux 5.7+. `cqe->res` is 0 on success.
    ///
    /// # Memory
    ///
    /// The kernel writes into these buffers whenever a buffer-selecting request picks one,
    /// until the buffer comes back in a CQE or is removed with [`RemoveBuffers`]; they must
    /// stay valid and unaliased that long.
    ///
    /// # References
    ///
    /// - [`io_uring_prep_provide_buffers(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_provide_buffers.3.html)
    #[doc(alias = "IORING_OP_PROVIDE_BUFFERS")]
    #[doc(alias = "io_uring_prep_provide_buffers")]
    pub struct ProvideBuffers {
        addr: { *mut u8 },
        len: { u32 },
        nbufs: { u16 },
        bgid: { u16 },
        bid: { u16 },
        ;;
    }

    pub const CODE = sys::IORING_OP_PROVIDE_BUFFERS;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = self.nbufs as i32;
        f.addr = ptr(self.addr);
        f.len = self.len;
        f.off = self.bid as u64;
        f.buf_index = self.bgid;
        f.sqe()
    }
}

opcode! {
    /// Take back up to `nbufs` unused buffers of group `bgid`.
    ///
    /// io_uring only. Linux 5.7+. `cqe->res` is the number of buffers removed.
    ///
    /// # Memory
    ///
    /// None: the SQE carries no pointer.
    ///
    /// # References
    ///
    /// - [`io_uring_prep_remove_buffers(3)`](https://man7.org/linux/man-pages/man3/io_uring_prep_remove_buffers.3.html)
    #[doc(alias = "IORING_OP_REMOVE_BUFFERS")]
    #[doc(alias = "io_uring_prep_remove_buffers")]
    pub struct RemoveBuffers {
        nbufs: { u16 },
        bgid: { u16 },
        ;;
    }

    pub const CODE = sys::IORING_OP_REMOVE_BUFFERS;

    /// The SQE.
    pub fn build(self) -> Sqe {
        let mut f = Fields::new(Self::CODE);
        f.fd = self.nbufs as i32;
        f.buf_index = self.bgid;
        f.sqe()
    }
}

no_memory!(RemoveBuffers);
