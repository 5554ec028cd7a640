//! `epoll` against the real kernel: one binary, one file per concern, helpers in `util`.

mod util;

mod closed;
mod ctl_errors;
mod echo;
mod errno;
mod exclusive;
mod limits;
mod many;
mod no_alloc;
mod rdhup;
mod signals;
mod timeouts;
mod triggering;
mod waker;
