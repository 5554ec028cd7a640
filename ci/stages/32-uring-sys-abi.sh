# uring-sys beyond the host's ABI and the host's (Debian 12, Linux 6.1) headers, offline:
# - the kernel uapi uring-sys tracks, Linux 7.2, from the repository's copies of its io_uring
#   headers (uring-sys/uapi/, from Debian's linux-libc-dev; see its README): `cargo test -p
#   evbind-uring-sys --test uapi` compiles a C program against them (-I uring-sys/uapi first)
#   and compares every struct, field, macro and enum value, both ways, on x86_64 (also part of
#   stage 30's `cargo test`) and as i686;
# - i686: the whole uring-sys test binary as a 32-bit process (u64 is 4-aligned there, which is
#   what the `__aligned_u64` structs' align(8) is for): the C header tests with `gcc -m32`, the
#   linux-raw-sys comparison, and the hand-built NOP ring through the kernel's compat syscalls;
# - aarch64, armv7, riscv64: compile-time layout asserts and SYS_io_uring_* == libc's.
# epoll-sys's <linux/eventpoll.h> copy (epoll-sys/uapi/) is checked by its own tests: x86_64 in
# stage 30, i686 in stage 31.
# UAPI_DRIFT=1 also fetches Debian sid's newest linux-libc-dev (a private apt state in the target
# dir; nothing is installed) and reports how it differs from the copies and what the crates
# lack; it never fails the stage (`./x update-uapi` takes the new headers).
# Set URING_SYS_LIBURING=/path/to/liburing/src/include/liburing to also check liburing's header
# copies (io_uring.h, io_uring/{query,bpf_filter}.h) as older headers.
# Runtime (2 cores): ~25 s warm, plus the one-time rustup targets and gcc-multilib (~30 s);
# UAPI_DRIFT=1 adds 10-20 s (sid's package lists and the 2 MB .deb).
need_apt gcc-multilib
need_target i686-unknown-linux-gnu aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf \
  riscv64gc-unknown-linux-gnu

log "uring-sys: the C compiler against the io_uring header copies in uring-sys/uapi (x86_64)"
cargo test -p evbind-uring-sys --locked --test uapi

log "uring-sys: tests as an i686 process (the uapi check with gcc -m32 among them)"
CC="gcc -m32" CARGO_TARGET_I686_UNKNOWN_LINUX_GNU_LINKER=gcc \
  cargo test -p evbind-uring-sys --locked --target i686-unknown-linux-gnu

for t in aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf riscv64gc-unknown-linux-gnu; do
  log "uring-sys: layout asserts on $t"
  cargo check -p evbind-uring-sys --locked --all-targets --target "$t"
done

if [ -n "${UAPI_DRIFT:-}" ]; then
  source "$ROOT/ci/uapi.sh"
  uapi_drift
fi
