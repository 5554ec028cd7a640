//! Raw io_uring ABI: the kernel's `<linux/io_uring.h>`, exactly.
//!
//! Placeholder docs; the full crate docs follow in the next commit.
#![no_std]
#![allow(non_camel_case_types, non_upper_case_globals)]

/// Compile-time proof of a `repr(C)` item's layout: size, alignment and the offset of every field.
macro_rules! layout {
    ($t:ty, size $size:expr, align $align:expr $(, $($f:ident).+ = $off:expr)* $(,)?) => {
        const _: () = {
            assert!(::core::mem::size_of::<$t>() == $size);
            assert!(::core::mem::align_of::<$t>() == $align);
            $( assert!(::core::mem::offset_of!($t, $($f).+) == $off); )*
        };
    };
}

/// `zeroed()` and `Default` for plain-data kernel types, plus an opaque `Debug` for unions.
macro_rules! zeroable {
    ($($t:ident),* $(,)?) => {$(
        impl $t {
            /// The all-zero value (every field 0), the usual starting point before filling it in.
            pub const fn zeroed() -> Self {
                // SAFETY: the type is `repr(C)` and made only of integers, arrays of integers and
                // unions/structs of those (see its definition), so all-zero bytes are a valid value.
                unsafe { ::core::mem::zeroed() }
            }
        }
        impl ::core::default::Default for $t {
            fn default() -> Self {
                Self::zeroed()
            }
        }
    )*};
}

/// `Debug` for a C union: which member is live is not known, so no member is read.
macro_rules! union_debug {
    ($($t:ident),* $(,)?) => {$(
        impl ::core::fmt::Debug for $t {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(stringify!($t)).finish_non_exhaustive()
            }
        }
    )*};
}

#[cfg(any(target_os = "linux", target_os = "android"))]
mod fs;
#[cfg(any(target_os = "linux", target_os = "android"))]
mod io_uring;
#[cfg(any(target_os = "linux", target_os = "android"))]
mod time_types;

#[cfg(any(target_os = "linux", target_os = "android"))]
pub use fs::*;
#[cfg(any(target_os = "linux", target_os = "android"))]
pub use io_uring::*;
#[cfg(any(target_os = "linux", target_os = "android"))]
pub use time_types::*;
