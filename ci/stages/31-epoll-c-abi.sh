# epoll-sys on i686 against the C compiler in 32-bit mode: the one target where glibc's
# <sys/epoll.h> (packed epoll_event, alignment 1) and the uapi header (alignment 4) differ, and
# where uint64_t is 4-aligned. <linux/eventpoll.h> is the repository's Linux 7.2 copy
# (epoll-sys/uapi/, offline). The x86_64 check runs in the test stage. About 20 s.
need_apt gcc-multilib
need_target i686-unknown-linux-gnu
CC="cc -m32" cargo test --locked --target i686-unknown-linux-gnu -p evbind-epoll-sys
