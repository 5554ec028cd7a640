//! Tests against the real Windows kernel (or Wine): one binary, one file per concern, helpers in
//! `util`. Each test asserts the bytes and the counts that moved, not only that calls returned.
//! On other targets this binary is empty.
#![cfg(windows)]

mod util;

mod attacks;
mod cancel;
mod crash;
mod errors;
mod file;
mod lifetime;
mod many;
mod pipe;
mod post;
mod skip;
mod tcp;
mod timeout;
mod udp;
