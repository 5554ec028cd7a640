//! uring-sys's tests: the C compiler's view of the system's `<linux/io_uring.h>` (`c_header`),
//! linux-raw-sys where it overlaps (`linux_raw_sys`), the test tables against the crate's source
//! (`names`, whose constants come from the one list in `constants`), and a NOP through a hand-built ring (`smoke`). Linux only (the crate is empty
//! elsewhere). The check against the tracked Linux 7.2 headers is the separate `uapi` program
//! (`tests/uapi.rs`, CI stage 32), which shares `c_header`, `constants` and `names`.
#![cfg(any(target_os = "linux", target_os = "android"))]

mod c_header;
mod constants;
mod linux_raw_sys;
mod names;
mod smoke;
