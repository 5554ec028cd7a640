//! Operations that touch no file and no memory.

use std::io;

use super::Completion;
use super::Operation;
use crate::opcode;
use crate::squeue::Sqe;

/// `IORING_OP_NOP`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Nop;

// SAFETY: a NOP carries no pointer.
unsafe impl Operation for Nop {
    type Output = io::Result<u32>;
    const OBSERVES: bool = false;
    fn fail(self, error: io::Error) -> io::Result<u32> {
        Err(error)
    }
    #[inline]
    fn sqe(&mut self) -> Sqe {
        opcode::Nop::new().build()
    }
    #[inline]
    unsafe fn complete(self, c: Completion) -> io::Result<u32> {
        c.result()
    }
}
