//! Kernel tests for the kqueue crate: one binary, one file per filter family. They need a
//! kqueue system (FreeBSD, macOS, NetBSD, OpenBSD, DragonFly); elsewhere this binary is empty.
//! CI here compiles them for the BSD and Apple targets; `.github/workflows/kqueue.yml` runs them
//! on macOS and FreeBSD.
#![cfg(kqueue_os)]

mod eintr;
mod filters;
mod layout;
mod modes;
mod receipts;
mod timer;
mod util;
