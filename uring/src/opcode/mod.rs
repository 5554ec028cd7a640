//! Typed builders, one per `IORING_OP_*` opcode.

pub mod table;
