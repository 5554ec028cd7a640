# uring-sys beyond the host's ABI. `cargo test` (stage 30) checks x86_64 against the C compiler;
# this stage proves the other ABIs the layout asserts and syscall numbers must hold on:
# - i686: the whole uring-sys test binary as a 32-bit process (u64 is 4-aligned there, which is
#   what the `__aligned_u64` structs' align(8) is for): the C header test with `gcc -m32`, the
#   linux-raw-sys comparison, and the hand-built NOP ring through the kernel's compat syscalls;
# - aarch64, armv7, riscv64: compile-time layout asserts and SYS_io_uring_* == libc's.
# Set URING_SYS_HEADER=/path/to/io_uring.h (e.g. liburing's src/include/liburing/io_uring.h) to
# also check that header both ways. Runtime: ~50 s from a cold target dir on 2 cores, plus the
# one-time rustup target and gcc-multilib downloads (~30 s).
need_apt gcc-multilib
need_target i686-unknown-linux-gnu aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf \
  riscv64gc-unknown-linux-gnu

log "uring-sys: tests as an i686 process"
CC="gcc -m32" CARGO_TARGET_I686_UNKNOWN_LINUX_GNU_LINKER=gcc \
  cargo test -p uring-sys --locked --target i686-unknown-linux-gnu

for t in aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf riscv64gc-unknown-linux-gnu; do
  log "uring-sys: layout asserts on $t"
  cargo check -p uring-sys --locked --all-targets --target "$t"
done

if [ -n "${URING_SYS_HEADER:-}" ]; then
  log "uring-sys: against $URING_SYS_HEADER"
  cargo test -p uring-sys --locked --test sys env_header -- --ignored --nocapture
fi
