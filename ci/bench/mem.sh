# Memory (run by `./x bench`, never by `./x test`; `./x bench mem` alone):
#   1. heap bytes per in-flight operation in `uring::driver` (benches/mem.rs: a counting
#      allocator, 1,024 ops of a kind in flight), beside tokio-uring 0.5 measured the same way
#      (ci/bench/mem-tokio-uring: its own workspace, built only here, so tokio never enters the
#      main workspace's build) and tokio's `io-uring` (no per-entry memory: the caller keeps
#      everything);
#   2. the servers' RSS at MEM_CONNS (default 2,000) and half as many idle and busy connections
#      (the difference is the marginal cost of a connection, without fixed pools): `echo_uring` /
#      `http_uring` (provided-buffer ring) against `echo_epoll [--http]` and `http_mio
#      [--echo]`, driven by `examples/conn_load` (epoll crate), which samples the server's
#      /proc/<pid>/status itself; per connection = (RSS - the idle process's RSS) / conns;
#   3. what the kernel maps or pins for rings and buffers (the bench's own driver, and the
#      running `echo_uring`'s io_uring mappings from /proc/<pid>/smaps);
#   4. no growth: `echo_uring` at MEM_CONNS busy connections for MEM_SECONDS (default 30; the
#      issue's check is MEM_SECONDS=600), RSS sampled every second: first, last, max, slope.
# MEM_BUSY_SECONDS (default 5): the busy phase of step 2. Loopback only.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
conns=${MEM_CONNS:-2000}
busy=${MEM_BUSY_SECONDS:-5}
long=${MEM_SECONDS:-30}
port=${MEM_PORT:-18280}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cargo build --release -p evbind-uring --example echo_uring --example http_uring
cargo build --release -p evbind-epoll --example echo_epoll --example http_mio --example conn_load
ex=$CARGO_TARGET_DIR/release/examples

# ---- 1. per in-flight operation ----
cargo bench -p evbind-uring --bench mem >"$tmp/ours"
(cd "$ROOT/ci/bench/mem-tokio-uring" &&
  CARGO_TARGET_DIR=$CARGO_TARGET_DIR/mem-tokio-uring cargo run --release --quiet) >"$tmp/tu"

printf '\nHeap bytes per in-flight operation (1,024 in flight; counting allocator; the buffer itself is the caller'"'"'s in all three)\n\n'
printf '| operation | uring::driver: driver heap | + handle (caller) | allocs/op | tokio io-uring | tokio-uring 0.5: driver heap | + future (caller) | allocs/op |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|\n'
awk -F'\t' '
  FNR == NR { if ($0 !~ /^[#|]/) { tb[$1] = $2; ta[$1] = $3; tf[$1] = $4 }; next }
  $0 ~ /^[#|]/ { next }
  {
    t = ($1 in tb) ? sprintf("%.0f | %s | %.2f", tb[$1], tf[$1], ta[$1]) : "n/a | n/a | n/a"
    printf "| %s | %.0f | %s | %.2f | 0 | %s |\n", $1, $2, $4, $3, t
  }' "$tmp/tu" "$tmp/ours"
echo
echo "tokio-uring keeps an operation's data in the caller's future and a 24-byte Lifecycle per op in its"
echo "slab (a Vec that doubles, so up to 2x that at other counts); uring::driver moves the operation into"
echo "its slot (64 inline bytes; larger state boxed). n/a: no such API in tokio-uring 0.5."

# ---- 3a. rings and buffers, as the driver sets them up ----
printf '\nMemory mapped or pinned for io_uring (from /proc/self/smaps and status, in the bench)\n\n'
grep '^|' "$tmp/ours"

# ---- 2. servers at $conns connections ----
ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt $((conns + 64)) ]; then
  echo "SKIPPED server memory: RLIMIT_NOFILE hard limit $(ulimit -Hn) < $((conns + 64))"
  exit 0
fi

# run NAME PROTO CMD...: serve on $port, load it with N (default $conns) connections, leave
# conn_load's key=value line in $tmp/NAME.
run() {
  local name=$1 proto=$2
  shift 2
  "$@" --port "$port" --max-conns $((conns + 100)) >/dev/null 2>&1 &
  local pid=$!
  sleep 0.5
  local flag=""
  [ "$proto" = http ] && flag=--http
  "$ex/conn_load" --port "$port" --pid "$pid" --conns "${N:-$conns}" --seconds "${SECS:-$busy}" \
    $flag ${SAMPLES:+--samples "$SAMPLES"} >"$tmp/$name"
  if [ "$name" = echo_uring ]; then
    # The io_uring mappings (SQ/CQ rings, SQEs) of the running server, and what it locks or pins.
    awk '/^[0-9a-f]+-[0-9a-f]+ / { ours = ($0 ~ /io_uring/) }
         ours && $1 == "Size:" { s += $2 } ours && $1 == "Rss:" { r += $2 }
         END { printf "io_uring_size_kib=%d io_uring_rss_kib=%d", s, r }' "/proc/$pid/smaps" >>"$tmp/$name"
    awk '$1 == "VmLck:" || $1 == "VmPin:" { printf " %s=%d", $1, $2 }' "/proc/$pid/status" >>"$tmp/$name"
  fi
  kill -INT "$pid" 2>/dev/null || true
  sleep 0.3
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  port=$((port + 1))
}
kv() { tr ' ' '\n' <"$tmp/$1" | sed -n "s/^$2=//p"; }

# Each server twice: at half the connections, then at all of them. The difference is what one
# more connection costs (the marginal figure); pools that every server fills to its own size
# whatever the connection count (the provided-buffer ring's pages, a shared read buffer) are
# in both runs and cancel out of it.
half=$((conns / 2))
for n in "$half" "$conns"; do
  sfx=""
  [ "$n" = "$conns" ] || sfx=_half
  N=$n run "echo_uring$sfx" echo "$ex/echo_uring"
  N=$n run "echo_epoll$sfx" echo "$ex/echo_epoll"
  N=$n run "echo_mio$sfx" echo "$ex/http_mio" --echo
  N=$n run "http_uring$sfx" http "$ex/http_uring"
  N=$n run "http_epoll$sfx" http "$ex/echo_epoll" --http
  N=$n run "http_mio$sfx" http "$ex/http_mio"
done

printf '\nServer RSS at %s and %s connections (conn_load: one round trip each, 1 s quiet = idle; then each keeps one 64-byte message (echo) or GET (http) in flight for %s s = busy). Whole: (RSS - idle process RSS) / connections, at %s. Marginal: (busy RSS at %s - busy RSS at %s) / %s, what one more busy connection costs\n\n' "$half" "$conns" "$busy" "$conns" "$conns" "$half" "$((conns - half))"
printf '| server | process alone (KiB) | idle (KiB) | busy (KiB) | busy at %s (KiB) | idle B/conn | busy B/conn, whole | vs epoll | busy B/conn, marginal | vs epoll | kernel slab B/conn | round trips/s |\n' "$half"
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for proto in echo http; do
  eb=$(kv "${proto}_epoll" base_kib)
  ey=$(kv "${proto}_epoll" busy_kib)
  eh=$(kv "${proto}_epoll_half" busy_kib)
  for who in uring epoll mio; do
    n=${proto}_$who
    awk -v n="$n" -v c="$conns" -v hc="$half" -v b="$(kv "$n" base_kib)" -v i="$(kv "$n" idle_kib)" \
      -v y="$(kv "$n" busy_kib)" -v yh="$(kv "${n}_half" busy_kib)" -v t="$(kv "$n" trips_per_s)" \
      -v eb="$eb" -v ey="$ey" -v eh="$eh" -v sb="$(kv "$n" slab_base_kib)" -v sy="$(kv "$n" slab_busy_kib)" 'BEGIN {
        pc = (y - b) * 1024 / c; epc = (ey - eb) * 1024 / c
        m = (y - yh) * 1024 / (c - hc); em = (ey - eh) * 1024 / (c - hc)
        printf "| %s | %d | %d | %d | %d | %.0f | %.0f | %.2f× | %.0f | %s | %.0f | %d |\n", n, b, i, y, yh, (i - b) * 1024 / c, pc, pc / epc, m, (em > 0 ? sprintf("%.2f×", m / em) : "n/a"), (sy - sb) * 1024 / c, t
      }'
  done
done
echo
echo "RSS counts user-space pages only: socket buffers, io_uring requests and epoll items are kernel memory;"
echo "kernel slab B/conn is the growth of /proc/meminfo Slab during the run, system-wide (both ends' sockets"
echo "included, the same for every server; noisy), so only its differences between servers mean something."
echo "Round trips/s only shows the connections were busy (client and server share 2 cores): not a throughput figure."

printf '\nMemory mapped for io_uring by the running echo_uring (from /proc/<pid>/smaps and status)\n\n'
printf '| io_uring mmaps (KiB) | resident (KiB) | VmLck (KiB) | VmPin (KiB) |\n|---:|---:|---:|---:|\n'
printf '| %s | %s | %s | %s |\n' "$(kv echo_uring io_uring_size_kib)" "$(kv echo_uring io_uring_rss_kib)" \
  "$(kv echo_uring VmLck:)" "$(kv echo_uring VmPin:)"
echo
echo "The provided buffers (1,024 x 16 KiB) are an anonymous private mapping of the process: a page of it"
echo "is in the RSS above only once the kernel has received into it (16 KiB buffers, 64-byte messages:"
echo "one page per buffer used), so the whole per-connection figure includes up to 4 MiB of buffer pages,"
echo "however many connections there are; the marginal figure leaves them out."

# ---- 4. no growth ----
SECS=$long SAMPLES=$tmp/samples run growth_uring echo "$ex/echo_uring"
printf '\nNo growth: echo_uring at %s busy connections for %s s, RSS sampled every second\n\n' "$conns" "$long"
printf '| seconds | first RSS (KiB) | last RSS (KiB) | max RSS (KiB) | slope after the first tenth (KiB/min) | round trips/s |\n'
printf '|---:|---:|---:|---:|---:|---:|\n'
printf '| %s | %s | %s | %s | %s | %s |\n' "$(kv growth_uring seconds)" "$(kv growth_uring first_kib)" \
  "$(kv growth_uring last_kib)" "$(kv growth_uring max_kib)" "$(kv growth_uring slope_kib_per_min)" \
  "$(kv growth_uring trips_per_s)"
