# kqueue on every BSD-family target reachable from Linux (no BSD or Mac runs here; the kernel
# tests run on .github/workflows/kqueue.yml). What this stage proves, per target:
#
#   x86_64-unknown-freebsd, x86_64-unknown-netbsd,
#   x86_64-apple-darwin, aarch64-apple-darwin (rustup std, stable):
#     - `cargo clippy --all-targets -D warnings`: the crate, its unit tests and the kernel tests
#       type-check, and every compile-time ABI assertion in kqueue/src/sys.rs holds (mirror
#       struct == libc's `struct kevent`: size, offsets, field types; constants == libc's).
#   x86_64-unknown-freebsd, x86_64-unknown-netbsd, x86_64-apple-darwin, aarch64-apple-darwin:
#     - `cargo test --no-run` LINKS both test binaries with `zig cc` (PyPI `ziglang`) against
#       zig's stubs of each system's libc (ci/zig-cc says what it stands in for), and
#       the FreeBSD/NetBSD binaries are checked to import `kevent@FBSD_1.5` (the FreeBSD 12+
#       ABI with ext[4]) and `__kevent50` (NetBSD's 40-byte ABI). The binaries are not run.
#   x86_64-unknown-openbsd, x86_64-unknown-dragonfly (tier 3: nightly, -Zbuild-std):
#     - `cargo +nightly clippy --all-targets -D warnings` as above (std is checked from source).
#   x86_64-apple-darwin (nightly): the doctests compile (rustdoc `--no-run`).
#
# The portable encode/decode logic is unit-tested on Linux by the normal `cargo test` stage.

tier2=(x86_64-unknown-freebsd x86_64-unknown-netbsd x86_64-apple-darwin aarch64-apple-darwin)
need_target "${tier2[@]}"
need_apt binutils

target_dir=${CARGO_TARGET_DIR:-$ROOT/target}
export CARGO_PROFILE_DEV_DEBUG=0 CARGO_PROFILE_TEST_DEBUG=0

log "kqueue: clippy for ${tier2[*]}"
for t in "${tier2[@]}"; do
  cargo clippy -p evbind-kqueue --all-targets --locked --target "$t" -- -D warnings
done

# zig, pinned, in a venv kept between runs.
zig_version=0.17.1
zig_venv=${XDG_CACHE_HOME:-$HOME/.cache}/kqueue-ziglang-$zig_version
if ! "$zig_venv/bin/python" -m ziglang version >/dev/null 2>&1; then
  command -v python3 >/dev/null 2>&1 || need_apt python3
  python3 -m venv "$zig_venv" 2>/dev/null || { need_apt python3-venv; python3 -m venv "$zig_venv"; }
  "$zig_venv/bin/pip" install -q "ziglang==$zig_version"
fi
export KQUEUE_ZIG="$zig_venv/bin/python -m ziglang"
export KQUEUE_ZIG_STUBS="$target_dir/kqueue-zig-stubs"
# rustc looks for an Xcode SDK for Apple links; zig brings its own libSystem stubs.
export SDKROOT="$KQUEUE_ZIG_STUBS/no-sdk"
mkdir -p "$SDKROOT"

link_tests() { # RUST_TARGET ZIG_TARGET -> prints the test binaries
  local var
  var=CARGO_TARGET_$(tr 'a-z-' 'A-Z_' <<<"$1")_LINKER
  env "$var=$ROOT/ci/zig-cc" KQUEUE_ZIG_TARGET="$2" \
    cargo test -p evbind-kqueue --no-run --locked --target "$1" --message-format=json \
    | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p'
}
imports() { # BINARY... -> the dynamic symbols they import (name@version)
  local b
  for b in "$@"; do readelf --dyn-syms -W "$b"; done | awk '$7 == "UND" { print $8 }' | sort -u
}
expect_import() { # SYMBOL BINARY...
  local sym=$1 have
  shift
  have=$(imports "$@")
  grep -qx "$sym" <<<"$have" || { echo "kqueue: no test binary imports $sym" >&2; exit 1; }
  echo "kqueue: the tests import $sym"
}

log "kqueue: link the tests for FreeBSD, NetBSD and macOS"
# (Assignments, so a failed link stops the stage under `set -e -o pipefail`.)
bins=$(link_tests x86_64-unknown-freebsd x86_64-freebsd)
# shellcheck disable=SC2086
expect_import 'kevent@FBSD_1.5' $bins
bins=$(link_tests x86_64-unknown-netbsd x86_64-netbsd)
# shellcheck disable=SC2086
expect_import '__kevent50' $bins
for t in x86_64 aarch64; do
  bins=$(link_tests "$t-apple-darwin" "$t-macos")
  [ "$(wc -w <<<"$bins")" -eq 2 ] || { echo "kqueue: expected 2 test binaries for $t-apple-darwin" >&2; exit 1; }
done

log "kqueue: nightly -Zbuild-std clippy for OpenBSD and DragonFly"
need_nightly rust-src clippy
# std is checked from source for each target (the slow part: minutes per target), so its
# artifacts live in a cache kept between runs on the same machine, like the zig venv.
RUSTFLAGS=-Dwarnings CARGO_TARGET_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/kqueue-build-std-target" \
  cargo +nightly clippy -p evbind-kqueue --all-targets --locked -Zbuild-std=std,panic_abort \
  --target x86_64-unknown-openbsd --target x86_64-unknown-dragonfly -- -D warnings

# The doctests (the README's opening example among them) are only run on a BSD or a Mac
# (.github/workflows/kqueue.yml); here they are at least compiled for macOS: nightly rustdoc
# `--no-run` type-checks and builds each one without running it (seconds).
log "kqueue: doctests compile for x86_64-apple-darwin (rustdoc --no-run)"
need_nightly_target x86_64-apple-darwin
RUSTDOCFLAGS="-Zunstable-options --no-run" CARGO_TARGET_DIR="$target_dir/kqueue-doctests" \
  cargo +nightly test -p evbind-kqueue --doc --locked --target x86_64-apple-darwin
