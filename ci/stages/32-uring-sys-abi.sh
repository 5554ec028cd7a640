# uring-sys beyond the host's ABI and the host's (Debian 6.1) headers. `cargo test` (stage 30)
# checks x86_64 against the C compiler's view of /usr/include; this stage proves the rest:
# - the kernel uapi uring-sys tracks, Linux 7.2: Debian sid's linux-libc-dev is downloaded into
#   the target dir (never installed: a private apt state, `apt-get download`, `dpkg-deb -x`) and
#   `cargo test -p evbind-uring-sys --test uapi` compiles a C program against its five io_uring headers
#   (-I that include dir first) and compares every struct, field, macro and enum value, both
#   ways, on x86_64 and as i686. The version is pinned to UAPI_TRACKED; if sid no longer has it,
#   the newest sid version is used instead and the test switches modes: any value/size/offset
#   mismatch of a name both sides have still fails, but what the newer header adds (or renamed)
#   is printed as a loud DRIFT list without failing, so upstream alone cannot turn CI red.
# - i686: the whole uring-sys test binary as a 32-bit process (u64 is 4-aligned there, which is
#   what the `__aligned_u64` structs' align(8) is for): the C header test with `gcc -m32`, the
#   linux-raw-sys comparison, and the hand-built NOP ring through the kernel's compat syscalls;
# - aarch64, armv7, riscv64: compile-time layout asserts and SYS_io_uring_* == libc's.
# Set URING_SYS_LIBURING=/path/to/liburing/src/include/liburing to also check liburing's header
# copies (io_uring.h, io_uring/{query,bpf_filter}.h) as older headers.
# Runtime (measured, 2 cores): 49 s from a cold target dir, of which 10-18 s is the sid fetch
# (the apt index, ~30 MB unpacked, and the 2 MB .deb; 26 s when the pinned version is gone and
# the fallback runs); 23 s warm (the pinned headers stay unpacked in the target dir); plus the
# one-time rustup target and gcc-multilib downloads (~30 s).
need_apt gcc-multilib
need_target i686-unknown-linux-gnu aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf \
  riscv64gc-unknown-linux-gnu

# The pinned version: the one the crate tracks, read from the test so the two cannot disagree.
UAPI_TRACKED=$(sed -n 's/^const TRACKED: &str = "\(.*\)";$/\1/p' "$ROOT/uring-sys/tests/uapi.rs")
[ -n "$UAPI_TRACKED" ] || { echo "no TRACKED version in uring-sys/tests/uapi.rs" >&2; exit 1; }

# uapi_fetch DIR: Debian sid's linux-libc-dev unpacked in DIR/x (UAPI_TRACKED if sid still has
# it, else sid's newest), its version in DIR/version. apt runs on a private state in DIR only.
uapi_fetch() {
  local d=$1 o ver deb
  if [ -e "$d/x/usr/include/linux/io_uring.h" ] && [ "$(cat "$d/version" 2>/dev/null)" = "$UAPI_TRACKED" ]; then
    return 0 # the pinned version, unpacked by an earlier run
  fi
  rm -rf "$d"
  mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
  echo "deb http://deb.debian.org/debian sid main" >"$d/sources.list"
  o=(-o "Dir::Etc::SourceList=$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache" -o APT::Architecture=amd64
    -o Acquire::Languages=none -q)
  [ "$(id -u)" -ne 0 ] || o+=(-o APT::Sandbox::User=root)
  apt-get "${o[@]}" update >/dev/null
  ver=$UAPI_TRACKED
  if ! (cd "$d" && apt-get "${o[@]}" download "linux-libc-dev=$ver" >/dev/null 2>&1); then
    ver=$(apt-cache "${o[@]}" policy linux-libc-dev | awk '/Candidate:/ { print $2 }')
    [ -n "$ver" ] && [ "$ver" != "(none)" ] || { echo "sid has no linux-libc-dev" >&2; return 1; }
    echo "!!! linux-libc-dev $UAPI_TRACKED is gone from sid; checking against sid's $ver instead" >&2
    (cd "$d" && apt-get "${o[@]}" download "linux-libc-dev=$ver" >/dev/null)
  fi
  deb=$(ls "$d"/linux-libc-dev_*.deb)
  dpkg-deb -x "$deb" "$d/x"
  echo "$ver" >"$d/version"
}

target=${CARGO_TARGET_DIR:-$ROOT/target}
case $target in /*) ;; *) target=$ROOT/$target ;; esac
sid=$target/uapi-sid
log "uring-sys: fetching Debian sid's linux-libc-dev (pinned $UAPI_TRACKED) into $sid"
t0=$(date +%s)
uapi_fetch "$sid"
ver=$(cat "$sid/version")
echo "linux-libc-dev $ver ready in $(($(date +%s) - t0))s"

export URING_SYS_INCLUDE=$sid/x/usr/include URING_SYS_UAPI_VERSION=$ver
log "uring-sys: the C compiler against linux-libc-dev $ver's io_uring headers (x86_64)"
cargo test -p evbind-uring-sys --locked --test uapi

log "epoll-sys: <linux/eventpoll.h> of linux-libc-dev $ver (struct epoll_params, EPIOC*), x86_64 and i686"
EPOLL_SYS_INCLUDE=$URING_SYS_INCLUDE cargo test -p evbind-epoll-sys --locked --test abi c_compiler
EPOLL_SYS_INCLUDE=$URING_SYS_INCLUDE CC="gcc -m32" CARGO_TARGET_I686_UNKNOWN_LINUX_GNU_LINKER=gcc \
  cargo test -p evbind-epoll-sys --locked --target i686-unknown-linux-gnu --test abi c_compiler

log "uring-sys: tests as an i686 process, and the $ver headers with gcc -m32"
CC="gcc -m32" CARGO_TARGET_I686_UNKNOWN_LINUX_GNU_LINKER=gcc \
  cargo test -p evbind-uring-sys --locked --target i686-unknown-linux-gnu
CC="gcc -m32" CARGO_TARGET_I686_UNKNOWN_LINUX_GNU_LINKER=gcc \
  cargo test -p evbind-uring-sys --locked --target i686-unknown-linux-gnu --test uapi

for t in aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf riscv64gc-unknown-linux-gnu; do
  log "uring-sys: layout asserts on $t"
  cargo check -p evbind-uring-sys --locked --all-targets --target "$t"
done
