//! uring-sys's tests: the C compiler's view of `<linux/io_uring.h>` (`c_header`), linux-raw-sys
//! where it overlaps (`linux_raw_sys`), and a NOP through a hand-built ring (`smoke`).
//! Linux only (the crate is empty elsewhere).
#![cfg(any(target_os = "linux", target_os = "android"))]

mod c_header;
mod linux_raw_sys;
mod names;
mod smoke;
