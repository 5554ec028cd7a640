# Functions of the kernel matrix (sourced by ci/stages/95-kernels.sh; see there for what and why).
# Everything is cached under $KT (the target dir's kernels/): the Debian package lists of a
# private apt state, each kernel's vmlinuz, the aarch64 busybox.

# The kernels: slot, Debian suite, Debian architecture, QEMU's name of the architecture.
KT_KERNELS=(
  "5.10 bullseye amd64 x86_64"
  "6.1 bookworm amd64 x86_64"
  "6.12 trixie amd64 x86_64"
  "7.2 sid amd64 x86_64"
  "7.2-arm64 sid arm64 aarch64"
)

# kt_apt ARGS...: apt-get on the private state in $KT/apt (the four suites, amd64 and arm64).
kt_apt_opts() {
  local d=$KT/apt
  KT_APT_O=(-o "Dir::Etc::SourceList=$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache" -o Dir::State::status=/dev/null
    -o APT::Architecture=amd64 -o APT::Architectures::=amd64 -o APT::Architectures::=arm64
    -o Acquire::Languages=none -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false
    -o Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false
    -o Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false -q)
  [ "$(id -u)" -ne 0 ] || KT_APT_O+=(-o APT::Sandbox::User=root)
}

kt_apt_update() {
  [ -z "${KT_APT_UPDATED:-}" ] || return 0
  local d=$KT/apt s
  mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
  : >"$d/sources.list"
  for s in bullseye bookworm trixie sid; do
    echo "deb http://deb.debian.org/debian $s main" >>"$d/sources.list"
  done
  kt_apt_opts
  apt-get "${KT_APT_O[@]}" update >/dev/null
  KT_APT_UPDATED=1
}

# kt_fetch_kernel SLOT SUITE DEBARCH: $KT/SLOT/vmlinuz and $KT/SLOT/package, the newest
# linux-image-*-cloud-DEBARCH of SUITE. Kept across runs; KERNELS_REFRESH=1 looks again.
kt_fetch_kernel() {
  local slot=$1 suite=$2 arch=$3 dir=$KT/$1 meta ver pkg deb
  if [ -s "$dir/vmlinuz" ] && [ -z "${KERNELS_REFRESH:-}" ]; then
    return 0
  fi
  kt_apt_update
  meta=linux-image-cloud-$arch:$arch
  ver=$(apt-cache "${KT_APT_O[@]}" madison "$meta" | awk -F'|' -v s=" $suite/main " \
    'index($3, s) { gsub(/ /, "", $2); print $2; exit }')
  [ -n "$ver" ] || { echo "no $meta in $suite" >&2; return 1; }
  pkg=$(apt-cache "${KT_APT_O[@]}" depends "$meta=$ver" |
    sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n1)
  pkg=${pkg%:"$arch"}
  [ -n "$pkg" ] || { echo "$meta=$ver depends on no linux-image" >&2; return 1; }
  rm -rf "$dir" && mkdir -p "$dir"
  # Up to 6.x the kernel is /boot/vmlinuz-* in the image package; since 7.x that package is a
  # stub and the kernel is /usr/lib/modules/*/vmlinuz in linux-binary-*.
  (cd "$dir" && apt-get "${KT_APT_O[@]}" download "$pkg:$arch" >/dev/null)
  deb=$(ls "$dir"/*.deb)
  if ! dpkg-deb -c "$deb" | grep '/boot/vmlinuz-' >/dev/null; then
    (cd "$dir" && apt-get "${KT_APT_O[@]}" download "linux-binary-${pkg#linux-image-}:$arch" >/dev/null)
    deb=$(ls "$dir"/linux-binary-*.deb)
  fi
  dpkg-deb --fsys-tarfile "$deb" |
    tar -x -O --wildcards './boot/vmlinuz-*' './usr/lib/modules/*/vmlinuz' >"$dir/vmlinuz" 2>/dev/null || true
  [ -s "$dir/vmlinuz" ] || { echo "no vmlinuz in $deb" >&2; return 1; }
  echo "${pkg#linux-image-} ($ver)" >"$dir/package"
  rm -f "$dir"/*.deb
}

# kt_busybox DEBARCH: a static busybox for DEBARCH ($KT/busybox-DEBARCH).
kt_busybox() {
  local arch=$1 out=$KT/busybox-$1 tmp
  [ -s "$out" ] && return 0
  if [ "$arch" = amd64 ] && [ -x /bin/busybox ] && file -L /bin/busybox | grep 'statically' >/dev/null; then
    cp /bin/busybox "$out"
    return 0
  fi
  kt_apt_update
  tmp=$KT/busybox-$arch.d
  rm -rf "$tmp" && mkdir -p "$tmp"
  (cd "$tmp" && apt-get "${KT_APT_O[@]}" download "busybox-static:$arch" >/dev/null)
  dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/x"
  cp "$(find "$tmp/x" -type f -name busybox -path "*bin/*" | head -n1)" "$out"
  rm -rf "$tmp"
}

# kt_build TRIPLE STRIP: the static test binaries and examples for TRIPLE, stripped, in
# $KT/root-TRIPLE/{t,x} (the initramfs's contents, without busybox and init).
kt_build() {
  local triple=$1 strip=$2 root=$KT/root-$1 json
  json=$KT/build-$triple.json
  RUSTFLAGS="-C target-feature=+crt-static" cargo test --locked --no-run --target "$triple" \
    -p evbind-uring -p evbind-epoll -p tests --message-format=json >"$json"
  rm -rf "$root" && mkdir -p "$root/t" "$root/x"
  # The kernel-facing binaries: uring's and epoll's integration tests, the cross-crate
  # scenarios, the io_uring HTTP server's test and the refused fixed-file update; the two
  # io_uring examples.
  local name kind exe
  while read -r name kind exe; do
    case "$kind:$name" in
      test:core | test:op_kernel | test:owned | test:register | test:kernel | test:results | \
        test:http_uring | test:fixed_files_denied)
        "$strip" -o "$root/t/$name" "$exe" ;;
      example:echo_uring | example:http_uring)
        "$strip" -o "$root/x/$name" "$exe" ;;
    esac
  done < <(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable"):
        print(m["target"]["name"], m["target"]["kind"][0], m["executable"])
' "$json")
  # epoll's suite is called `kernel`; name it after its crate in the guest.
  mv "$root/t/kernel" "$root/t/epoll"
}

# kt_initramfs TRIPLE DEBARCH: $KT/initrd-TRIPLE.gz from the built tree, busybox and init.
kt_initramfs() {
  local triple=$1 arch=$2 root=$KT/root-$1
  mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
  cp "$KT/busybox-$arch" "$root/bin/busybox"
  cp "$ROOT/ci/kernels/init" "$root/init"
  chmod +x "$root/init" "$root/bin/busybox"
  (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$KT/initrd-$triple.gz"
}

# kt_boot SLOT MACHINE LOG: boots SLOT's kernel with its architecture's initramfs under TCG,
# the console in LOG. Bounded by KERNELS_BOOT_TIMEOUT seconds (a hang past it is a failure).
# Two vCPUs, multi-threaded TCG: the tests' threads, SQPOLL and the signal scenarios run truly
# in parallel, as on hardware (with `thread=single` the EINTR scenario's signals never met a
# wait). 7.2's boot once died under it (an int3 left by the kernel's cross-CPU code patching,
# in sched_clock_cpu): a boot that dies before the first test (no "@@KT kernel" line) is
# tried once more.
kt_boot() {
  local slot=$1 machine=$2 log=$3 try
  for try in 1 2; do
    kt_boot_once "$slot" "$machine" "$log"
    grep -a -q '@@KT kernel' "$log" && return 0
    echo "  $slot: the kernel did not reach the tests (try $try); its console is in $log"
    cp "$log" "$log.try$try"
  done
}

kt_boot_once() {
  local slot=$1 machine=$2 log=$3 q
  case $machine in
    x86_64) q=(qemu-system-x86_64 -accel tcg -cpu max
      -initrd "$KT/initrd-x86_64-unknown-linux-gnu.gz"
      -append "console=ttyS0 panic=-1 quiet kt_timeout=$KERNELS_TEST_TIMEOUT kt_only=${KERNELS_ONLY:-}") ;;
    aarch64) q=(qemu-system-aarch64 -M virt -accel tcg -cpu max
      -initrd "$KT/initrd-aarch64-unknown-linux-gnu.gz"
      -append "console=ttyAMA0 panic=-1 quiet kt_timeout=$KERNELS_TEST_TIMEOUT kt_only=${KERNELS_ONLY:-}") ;;
  esac
  timeout -s KILL "$KERNELS_BOOT_TIMEOUT" "${q[@]}" -smp 2 -m 3072 -nographic -no-reboot \
    -kernel "$KT/$slot/vmlinuz" </dev/null >"$log" 2>&1 || true
}

# kt_table LOG...: the results table (kernel → passed/failed/skipped per crate), then the skip
# reasons, then each failure with its output. Returns non-zero on any failure, hang, or a
# kernel whose run did not finish.
kt_table() {
  awk '
    function crate(s) {
      if (s == "epoll") return "epoll"
      if (s == "results" || s == "http_uring" || s == "fixed_files_denied") return "tests"
      if (s == "examples") return "examples"
      return "uring"
    }
    FNR == 1 { k = FILENAME; sub(/.*\//, "", k); sub(/\.log$/, "", k); order[++nk] = k; rel[k] = "?" }
    { sub(/\r$/, ""); sub(/^.*@@KT /, "@@KT ") }
    /^@@KT kernel / { rel[k] = $3 " " $4 }
    /^@@KT done/ { done[k] = 1 }
    /^@@KT result / {
      c = crate($3); st = $5
      if (st == "pass") pass[k, c]++
      else if (st == "skip") {
        skip[k, c]++
        r = $0; sub(/^@@KT result [^ ]+ [^ ]+ skip /, "", r)
        skips[++ns] = sprintf("  %-10s %s::%s — %s", k, $3, $4, r)
      } else { fail[k, c]++; fails[++nf] = sprintf("  %-10s %s::%s %s", k, $3, $4, st) ; bad = 1 }
      last[k] = $3 "::" $4
    }
    /^@@KT log / { l = $0; sub(/^@@KT log /, "", l); logs[nf] = logs[nf] "      | " l "\n" }
    END {
      split("uring epoll tests examples", cr, " ")
      printf "%-10s %-34s", "kernel", "release"
      for (i = 1; i <= 4; i++) printf " %-16s", cr[i] " p/f/s"
      printf "\n"
      for (j = 1; j <= nk; j++) {
        k = order[j]
        printf "%-10s %-34s", k, rel[k]
        for (i = 1; i <= 4; i++) printf " %-16s", (pass[k, cr[i]] + 0) "/" (fail[k, cr[i]] + 0) "/" (skip[k, cr[i]] + 0)
        if (!done[k]) { printf "  DID NOT FINISH (last: %s)", last[k]; bad = 1 }
        printf "\n"
      }
      if (ns) { printf "\nskipped (the kernel lacks what the test needs):\n"; for (i = 1; i <= ns; i++) print skips[i] }
      if (nf) { printf "\nFAILED:\n"; for (i = 1; i <= nf; i++) { print fails[i]; printf "%s", logs[i] } }
      exit bad
    }
  ' "$@"
}
