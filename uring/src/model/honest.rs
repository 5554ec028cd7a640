//! What a kernel could post: the results and flags the model's safe API may give a request.
//!
//! Code above the ring trusts the kernel's CQEs: a [`Driver`](crate::driver::Driver) marks
//! `res` bytes of a read's buffer initialized, turns an accept's `res` into an `OwnedFd`,
//! takes a provided buffer's id from the flags. A result the model scripts but did not bring
//! about would make that code read uninitialized bytes or close a descriptor it does not own.
//! So, unless [`Config::impossible_results`](super::Config::impossible_results) (`unsafe`) says
//! otherwise, every result the model posts for a request passes through [`State::honest`]:
//!
//! - a failure (`res < 0`) is always possible;
//! - `READ`/`RECV` succeed with at most `len` bytes, and only when the model writes them (its
//!   buffer is touched: see `Config::touch_buffers`), else with 0 (end of file); `WRITE`/`SEND`
//!   and `SEND_ZC` with at most `len`; the vectored and message sends (`WRITEV`, `SENDMSG`)
//!   with any count (their `len` counts iovecs, and the model does not read the iovecs to add
//!   them up: a count above the bytes given is possible here, which a
//!   [`Driver`](crate::driver::Driver) refuses with `EUCLEAN`, as from a broken kernel);
//! - operations whose success means nothing in memory the model would have to write (NOP,
//!   timeouts, cancels, polls, close, fsync, connect, shutdown, the path operations, splice,
//!   futex, `MSG_RING`, ...) succeed with any result;
//! - every other operation (it would create a descriptor, or fill a `statx`, an iovec, a
//!   `msghdr`, a provided or registered buffer, ...) fails with `-EOPNOTSUPP`: the model does
//!   not perform it;
//! - `IORING_CQE_F_BUFFER` and `IORING_CQE_F_BUF_MORE` are cleared (the model has no provided
//!   buffers).

use uring_sys as sys;

use super::kernel::State;
use crate::squeue::Sqe;

/// Flags no model completion carries: the model has no provided buffers.
const NO_FLAGS: u32 = sys::IORING_CQE_F_BUFFER | sys::IORING_CQE_F_BUF_MORE;

impl State {
    /// `res` and `flags` as a kernel could have posted them for `sqe` (see the module docs);
    /// `touched`: whether the model writes a read's buffer at this completion.
    pub(super) fn honest(&self, sqe: &Sqe, res: i32, flags: u32, touched: bool) -> (i32, u32) {
        if self.impossible_results {
            return (res, flags);
        }
        let flags = flags & !NO_FLAGS;
        if res < 0 {
            return (res, flags);
        }
        let raw = sqe.as_raw();
        let len = i32::try_from(raw.len).unwrap_or(i32::MAX);
        let select = sqe.get_flags().bits() & sys::IOSQE_BUFFER_SELECT != 0;
        let res = match sqe.opcode() {
            _ if select => -libc::EOPNOTSUPP,
            sys::IORING_OP_READ | sys::IORING_OP_RECV if touched => res.min(len),
            sys::IORING_OP_READ | sys::IORING_OP_RECV => 0,
            sys::IORING_OP_WRITE | sys::IORING_OP_SEND | sys::IORING_OP_SEND_ZC => res.min(len),
            sys::IORING_OP_NOP
            | sys::IORING_OP_NOP128
            | sys::IORING_OP_TIMEOUT
            | sys::IORING_OP_TIMEOUT_REMOVE
            | sys::IORING_OP_LINK_TIMEOUT
            | sys::IORING_OP_ASYNC_CANCEL
            | sys::IORING_OP_POLL_ADD
            | sys::IORING_OP_POLL_REMOVE
            | sys::IORING_OP_CLOSE
            | sys::IORING_OP_FSYNC
            | sys::IORING_OP_SYNC_FILE_RANGE
            | sys::IORING_OP_FALLOCATE
            | sys::IORING_OP_FADVISE
            | sys::IORING_OP_MADVISE
            | sys::IORING_OP_FTRUNCATE
            | sys::IORING_OP_SHUTDOWN
            | sys::IORING_OP_CONNECT
            | sys::IORING_OP_BIND
            | sys::IORING_OP_LISTEN
            | sys::IORING_OP_UNLINKAT
            | sys::IORING_OP_RENAMEAT
            | sys::IORING_OP_MKDIRAT
            | sys::IORING_OP_SYMLINKAT
            | sys::IORING_OP_LINKAT
            | sys::IORING_OP_SPLICE
            | sys::IORING_OP_TEE
            | sys::IORING_OP_WRITEV
            | sys::IORING_OP_SENDMSG
            | sys::IORING_OP_MSG_RING
            | sys::IORING_OP_FUTEX_WAIT
            | sys::IORING_OP_FUTEX_WAKE
            | sys::IORING_OP_FUTEX_WAITV => res,
            _ => -libc::EOPNOTSUPP,
        };
        (res, flags)
    }

    /// Whether the model writes `sqe`'s buffer when it completes (a READ/RECV it may touch).
    pub(super) fn touches(&self, sqe: &Sqe) -> bool {
        // SAFETY: plain integers.
        let addr = unsafe { sqe.as_raw().addr_union.addr };
        self.touch_buffers && addr != 0 && !self.forged.contains(&sqe.get_user_data())
    }
}
