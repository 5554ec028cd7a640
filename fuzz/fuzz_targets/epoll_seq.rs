//! epoll add/modify/delete/wait/write/read/close sequences against a model of epoll
//! (see `fuzz::epoll_seq`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: fuzz::epoll_seq::Input| {
    fuzz::epoll_seq::run(&input);
});
