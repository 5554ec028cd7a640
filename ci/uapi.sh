# The kernel uapi headers the -sys crates mirror, kept in the repository (unmodified copies from
# Debian's linux-libc-dev, as liburing keeps its io_uring.h):
#   uring-sys/uapi/linux/io_uring.h, uring-sys/uapi/linux/io_uring/*.h
#   epoll-sys/uapi/linux/eventpoll.h
# The tests compile against these copies (offline). This file, sourced by `./x update-uapi` and
# by stage 32 under UAPI_DRIFT=1, fetches Debian sid's newest linux-libc-dev to refresh them or
# to report how far sid has moved. apt runs on a private state in the target dir: nothing is
# installed, and the machine's apt configuration is not touched.

# The tracked version, from the one place it is written (the uapi test's TRACKED).
uapi_tracked() {
  sed -n 's/^const TRACKED: &str = "\(.*\)";$/\1/p' "$ROOT/uring-sys/tests/uapi.rs"
}

uapi_target_dir() {
  local target=${CARGO_TARGET_DIR:-$ROOT/target}
  case $target in /*) ;; *) target=$ROOT/$target ;; esac
  echo "$target"
}

# uapi_fetch_sid DIR: Debian sid's newest linux-libc-dev unpacked in DIR/x, its version in
# DIR/version, the .deb's sha256 in DIR/sha256. Reuses DIR when it already holds that version.
uapi_fetch_sid() {
  local d=$1 o ver deb
  mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
  echo "deb http://deb.debian.org/debian sid main" >"$d/sources.list"
  o=(-o "Dir::Etc::SourceList=$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache" -o APT::Architecture=amd64
    -o Acquire::Languages=none -q)
  [ "$(id -u)" -ne 0 ] || o+=(-o APT::Sandbox::User=root)
  apt-get "${o[@]}" update >/dev/null
  ver=$(apt-cache "${o[@]}" policy linux-libc-dev | awk '/Candidate:/ { print $2 }')
  [ -n "$ver" ] && [ "$ver" != "(none)" ] || { echo "sid has no linux-libc-dev" >&2; return 1; }
  if [ -e "$d/x/usr/include/linux/io_uring.h" ] && [ "$(cat "$d/version" 2>/dev/null)" = "$ver" ]; then
    return 0
  fi
  rm -rf "$d/x" "$d"/linux-libc-dev_*.deb
  (cd "$d" && apt-get "${o[@]}" download "linux-libc-dev=$ver" >/dev/null)
  deb=$(ls "$d"/linux-libc-dev_*.deb)
  dpkg-deb -x "$deb" "$d/x"
  echo "$ver" >"$d/version"
  sha256sum "$deb" | cut -d' ' -f1 >"$d/sha256"
}

# uapi_pairs INCLUDE: "source destination" lines, the package's headers and the repository's
# copies (every linux/io_uring/*.h the package has, so a new one shows up as a new file).
uapi_pairs() {
  local inc=$1 f
  echo "$inc/linux/io_uring.h $ROOT/uring-sys/uapi/linux/io_uring.h"
  for f in "$inc"/linux/io_uring/*.h; do
    echo "$f $ROOT/uring-sys/uapi/linux/io_uring/$(basename "$f")"
  done
  echo "$inc/linux/eventpoll.h $ROOT/epoll-sys/uapi/linux/eventpoll.h"
}

# `./x update-uapi`: the copies from sid's newest linux-libc-dev, TRACKED and the READMEs'
# version lines follow; then the diff. The crates are not touched: the tests say what to change.
uapi_update() {
  local sid ver old sha src dst
  sid=$(uapi_target_dir)/uapi-sid
  old=$(uapi_tracked)
  log "update-uapi: fetching Debian sid's newest linux-libc-dev into $sid"
  uapi_fetch_sid "$sid"
  ver=$(cat "$sid/version")
  sha=$(cat "$sid/sha256")
  echo "sid has linux-libc-dev $ver (the copies are $old)"
  while read -r src dst; do
    mkdir -p "$(dirname "$dst")"
    cp "$src" "$dst"
  done < <(uapi_pairs "$sid/x/usr/include")
  sed -i "s/^const TRACKED: &str = \".*\";$/const TRACKED: \&str = \"$ver\";/" "$ROOT/uring-sys/tests/uapi.rs"
  for r in "$ROOT/uring-sys/uapi/README.md" "$ROOT/epoll-sys/uapi/README.md"; do
    sed -i "s/^Version: .*/Version: linux-libc-dev $ver (sha256 of the .deb: $sha)/" "$r"
  done
  log "update-uapi: what changed"
  (cd "$ROOT" && git add -N uring-sys/uapi epoll-sys/uapi &&
    git --no-pager diff --stat -- uring-sys/uapi epoll-sys/uapi uring-sys/tests/uapi.rs &&
    git --no-pager diff -- uring-sys/uapi/linux epoll-sys/uapi/linux)
  if [ "$ver" != "$old" ]; then
    echo
    echo "Now: cargo test -p evbind-uring-sys --test uapi and cargo test -p evbind-epoll-sys --test abi"
    echo "list what the crates lack; update them (and CHANGELOG.md) until both pass."
  fi
}

# UAPI_DRIFT=1 (stage 32): how far sid's newest linux-libc-dev is from the copies. Reports, never
# fails: upstream moving on is news for a maintainer, not a broken build.
uapi_drift() {
  local sid ver src dst changed=0
  sid=$(uapi_target_dir)/uapi-sid
  log "uapi drift: fetching Debian sid's newest linux-libc-dev into $sid"
  if ! uapi_fetch_sid "$sid"; then
    echo "uapi drift: NOT CHECKED: the download failed (offline?)"
    return 0
  fi
  ver=$(cat "$sid/version")
  while read -r src dst; do
    if [ ! -e "$dst" ]; then
      echo "  new header: ${src#"$sid/x/usr/include/"}"
      changed=1
    elif ! cmp -s "$src" "$dst"; then
      echo "  changed: ${src#"$sid/x/usr/include/"} ($(diff -u "$dst" "$src" | grep -c '^[-+][^-+]') lines)"
      changed=1
    fi
  done < <(uapi_pairs "$sid/x/usr/include")
  if [ $changed -eq 0 ]; then
    echo "uapi drift: none: sid's linux-libc-dev $ver has the same headers as the copies ($(uapi_tracked))"
    return 0
  fi
  echo "uapi drift: sid's linux-libc-dev $ver differs from the copies ($(uapi_tracked)); what the crates lack:"
  URING_SYS_INCLUDE=$sid/x/usr/include URING_SYS_UAPI_VERSION=$ver \
    cargo test -p evbind-uring-sys --locked --test uapi ||
    echo "uapi drift: uring-sys disagrees with $ver on a name both have (above)"
  EPOLL_SYS_INCLUDE=$sid/x/usr/include cargo test -p evbind-epoll-sys --locked --test abi c_compiler ||
    echo "uapi drift: epoll-sys disagrees with $ver's <linux/eventpoll.h> (above)"
  echo "uapi drift: reported, not failed; ./x update-uapi takes the new headers"
}
