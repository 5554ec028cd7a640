# The kernel matrix: every kernel-facing test on the kernels our users run, not only the host's.
# The crates claim "io_uring from Linux 5.1; each feature needs the release its docs name", and
# users deploy on Debian 11 (5.10), Debian 12 / Amazon Linux 2023 (6.1), Debian 13 (6.12). So
# Debian's cloud kernels are booted under QEMU (TCG, no KVM): 5.10, 6.1, 6.12 and 7.2 on x86_64
# and 7.2 on aarch64. Each boots a busybox initramfs holding the project's own test binaries
# (static, stripped): uring's core/op_kernel/owned/register, epoll's kernel tests, the `tests`
# scenarios (load at 1/16 size), and the echo/HTTP examples serving one request on loopback.
# Every test runs as its own process under a timeout (ci/kernels/init); the stage prints one
# table, kernel → passed/failed/skipped per crate, then each skip with the reason the test
# printed (tests skip only after asking the kernel: the probe, Features, a trial call), and
# fails on any failure, hang, or boot that does not finish.
# aarch64 runs the ring's atomics, syscall numbers and struct layouts for real on a second
# architecture; TCG on an x86 host does not reproduce aarch64's weak memory ordering, so this
# proves the ABI and the code paths, not the orderings.
# Cached in the target dir: a private apt state's package lists (~35 MB, only fetched when a
# kernel is missing), each vmlinuz, the arm64 busybox. KERNELS_REFRESH=1 fetches the newest
# kernels again; KERNELS=5.10,7.2 runs only those slots, KERNELS_ONLY=TEXT only the tests whose
# SUITE/NAME contains TEXT.
# Runtime (measured, 2 cores): 7 min warm (kernels cached, incremental static builds): the
# guests take 1.5-3 min each, two at a time, 5.10 and 6.1 first, aarch64 last. Cold adds about
# 1 min (package lists, ~80 MB of kernels) and 3 min (the two static builds).
need_apt qemu-system-x86 qemu-system-arm busybox-static cpio gcc-aarch64-linux-gnu \
  libc6-dev-arm64-cross binutils-aarch64-linux-gnu python3 file
need_target x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu

source "$ROOT/ci/kernels/matrix.sh"
target=${CARGO_TARGET_DIR:-$ROOT/target}
case $target in /*) ;; *) target=$ROOT/$target ;; esac
export CARGO_TARGET_DIR=$target
KT=$target/kernels
mkdir -p "$KT/logs"
: "${KERNELS_TEST_TIMEOUT:=120}" "${KERNELS_BOOT_TIMEOUT:=600}" "${KERNELS_PARALLEL:=2}"

t0=$(date +%s)
slots=()
for k in "${KT_KERNELS[@]}"; do
  read -r slot suite arch machine <<<"$k"
  case ",${KERNELS:-$slot}," in *",$slot,"*) ;; *) continue ;; esac
  kt_fetch_kernel "$slot" "$suite" "$arch"
  slots+=("$slot $machine")
  echo "kernel $slot: $(cat "$KT/$slot/package")"
done
[ ${#slots[@]} -gt 0 ] || { echo "KERNELS=$KERNELS names none of the slots" >&2; exit 1; }
kt_busybox amd64
kt_busybox arm64
echo "kernels and busybox ready in $(($(date +%s) - t0))s"

log "kernels: static test binaries for x86_64 and aarch64"
t1=$(date +%s)
kt_build x86_64-unknown-linux-gnu strip
CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
  CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc \
  kt_build aarch64-unknown-linux-gnu aarch64-linux-gnu-strip
kt_initramfs x86_64-unknown-linux-gnu amd64
kt_initramfs aarch64-unknown-linux-gnu arm64
echo "built in $(($(date +%s) - t1))s"

log "kernels: booting ${#slots[@]} kernels, $KERNELS_PARALLEL at a time"
rm -f "$KT"/logs/*.log*
running=0
for s in "${slots[@]}"; do
  read -r slot machine <<<"$s"
  (
    t=$(date +%s)
    kt_boot "$slot" "$machine" "$KT/logs/$slot.log"
    echo "  $slot finished in $(($(date +%s) - t))s"
  ) &
  running=$((running + 1))
  if [ "$running" -ge "$KERNELS_PARALLEL" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

log "kernels: results (logs in $KT/logs), $(($(date +%s) - t0))s in all"
logs=()
for s in "${slots[@]}"; do
  read -r slot _ <<<"$s"
  logs+=("$KT/logs/$slot.log")
done
kt_table "${logs[@]}"
