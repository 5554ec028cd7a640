//! uring-sys's tests: the C compiler's view of `<linux/io_uring.h>` (`c_header`), linux-raw-sys
//! where it overlaps (`linux_raw_sys`), and a NOP through a hand-built ring (`smoke`).
//! Linux only (the crate is empty elsewhere).
#![cfg(any(target_os = "linux", target_os = "android"))]

/// `(stringify!(NAME), NAME as i128)` for each listed `uring_sys` constant.
macro_rules! constants {
    ($($name:ident),* $(,)?) => {
        &[$((stringify!($name), uring_sys::$name as i128)),*]
    };
}

/// `(name, size, align, T::__FIELDS)` for each listed `uring_sys` type.
macro_rules! types {
    ($($name:ident),* $(,)?) => {
        &[$((
            stringify!($name),
            ::core::mem::size_of::<uring_sys::$name>(),
            ::core::mem::align_of::<uring_sys::$name>(),
            uring_sys::$name::__FIELDS,
        )),*]
    };
}

mod c_header;
mod linux_raw_sys;
mod names;
mod smoke;
