//! ABI checks of `epoll-sys`: against the machine's C compiler (`c_compiler`) and against the
//! `libc` and `linux-raw-sys` crates where they overlap (`crosscheck`).

mod c_compiler;
mod crosscheck;

/// Every constant of the crate as (name, size in bytes, value as the unsigned bit pattern).
pub(crate) fn rust_constants() -> Vec<(&'static str, usize, u64)> {
    macro_rules! table {
        ($($name:ident),* $(,)?) => {
            vec![$((
                stringify!($name),
                core::mem::size_of_val(&epoll_sys::$name),
                mask(epoll_sys::$name as i128 as u64, core::mem::size_of_val(&epoll_sys::$name)),
            )),*]
        };
    }
    table![
        EPOLLIN,
        EPOLLPRI,
        EPOLLOUT,
        EPOLLERR,
        EPOLLHUP,
        EPOLLNVAL,
        EPOLLRDNORM,
        EPOLLRDBAND,
        EPOLLWRNORM,
        EPOLLWRBAND,
        EPOLLMSG,
        EPOLLRDHUP,
        EPOLL_URING_WAKE,
        EPOLLEXCLUSIVE,
        EPOLLWAKEUP,
        EPOLLONESHOT,
        EPOLLET,
        EPOLL_CLOEXEC,
        EPOLL_CTL_ADD,
        EPOLL_CTL_DEL,
        EPOLL_CTL_MOD,
        EPOLL_IOC_TYPE,
        EPIOCSPARAMS,
        EPIOCGPARAMS,
    ]
}

/// The low `size` bytes of `v`.
pub(crate) fn mask(v: u64, size: usize) -> u64 {
    if size >= 8 {
        v
    } else {
        v & ((1u64 << (size * 8)) - 1)
    }
}
