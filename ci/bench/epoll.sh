# The epoll benchmark (run by `./x bench`, never by `./x test`):
#  1. events/s of this crate, raw libc epoll, mio and polling, level- and edge-triggered, with
#     ratios against libc (benches/epoll.rs; about a minute);
#  2. user-space instructions per event under callgrind for each implementation and for the same
#     loop in C (benches/raw_epoll.c). Each runs in its own process twice, with R1 and R2 rounds,
#     collecting only inside its `rounds_*` function; (Ir(R2) - Ir(R1)) / (64 (R2 - R1)) leaves
#     out set-up and registration. Callgrind counts user space only: a syscall is one instruction.
# Knobs: EPOLL_BENCH_ROUNDS (default 4000), EPOLL_BENCH_TRIALS (9), EPOLL_CG_R1/R2 (200/1200).
need_apt valgrind gcc libc6-dev
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

cargo bench -p evbind-epoll --bench epoll -- \
  --rounds "${EPOLL_BENCH_ROUNDS:-4000}" --trials "${EPOLL_BENCH_TRIALS:-9}"

bin=$(cargo bench -p evbind-epoll --bench epoll --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -n1)
[ -x "$bin" ] || { echo "cannot find the bench executable (got '$bin')"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/raw_epoll" "$ROOT/epoll/benches/raw_epoll.c"

r1=${EPOLL_CG_R1:-200}
r2=${EPOLL_CG_R2:-1200}
ir() { # ir OUTFILE CMD...: total Ir collected inside rounds_*
  local out=$1
  shift
  valgrind --tool=callgrind --toggle-collect='*rounds_*' --callgrind-out-file="$out" "$@" \
    >/dev/null 2>"$out.log" || { cat "$out.log"; return 1; }
  sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out" | head -n1
}
per_event() { # per_event NAME CMD-WITH-%R%...
  local name=$1 a b
  shift
  a=$(ir "$work/a" "${@//%R%/$r1}")
  b=$(ir "$work/b" "${@//%R%/$r2}")
  awk -v a="$a" -v b="$b" -v n=$(((r2 - r1) * 64)) -v name="$name" \
    'BEGIN { printf "%-6s %-26s %8.1f\n", substr(name, 1, 2), substr(name, 4), (b - a) / n }'
}

printf '\nuser-space instructions per event (callgrind, %s..%s rounds of 64 events)\n' "$r1" "$r2"
printf '%-6s %-26s %8s\n' mode implementation Ir/event
for mode in lt et; do
  M=$(echo $mode | tr a-z A-Z)
  per_event "$M C (raw_epoll.c, cc -O2)" "$work/raw_epoll" %R% $mode
  for impl in epoll libc mio polling; do
    if [ "$impl" = mio ] && [ "$mode" = lt ]; then
      printf '%-6s %-26s %8s\n' "$M" mio "n/a (edge-only)"
      continue
    fi
    per_event "$M $impl" "$bin" --only $impl --mode $mode --rounds %R%
  done
done

# 2b. syscalls per round of 64 events (strace -c over 1,000 ET rounds, set-up included): the
#     kernel work each implementation asks for.
need_apt strace
printf '\nsyscalls per round of 64 events (strace -c, 1000 edge-triggered rounds, set-up excluded)\n'
for impl in epoll libc mio polling; do
  strace -c -o "$work/strace.$impl" "$bin" --only $impl --mode et --rounds 1000 >/dev/null
  strace -c -o "$work/strace0.$impl" "$bin" --only $impl --mode et --rounds 0 >/dev/null
  per_round=$(awk 'NR==FNR { if ($NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/) base[$NF]=$4; next }
    $NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ && $NF != "total" {
      d = ($4 - base[$NF]) / 1000; if (d >= 0.01) printf "%s %.2f, ", $NF, d }' \
    "$work/strace0.$impl" "$work/strace.$impl")
  printf '%-8s %s\n' "$impl" "${per_round%, }"
done

# 3. wrk against `echo_epoll --http` and the same server on mio (examples/http_mio.rs): loopback
#    only, EPOLL_WRK_SECONDS (default 5) per run, two alternating runs each, servers killed after.
need_apt wrk
cargo build --release -p evbind-epoll --example echo_epoll --example http_mio
ex=$CARGO_TARGET_DIR/release/examples
port=${EPOLL_WRK_PORT:-18080}
"$ex/echo_epoll" --port "$port" --http >/dev/null &
pid_epoll=$!
"$ex/http_mio" --port $((port + 1)) >/dev/null &
pid_mio=$!
trap 'kill $pid_epoll $pid_mio 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 1
printf '\nwrk -t1 -c64 -d%ss, single-threaded servers on 127.0.0.1 (requests/s)\n' "${EPOLL_WRK_SECONDS:-5}"
for run in 1 2; do
  for server in epoll mio; do
    p=$port
    [ $server = mio ] && p=$((port + 1))
    rps=$(wrk -t1 -c64 -d"${EPOLL_WRK_SECONDS:-5}"s "http://127.0.0.1:$p/" | sed -n 's/^Requests\/sec: *//p')
    printf 'run %s  %-28s %12s\n' "$run" "$server ($( [ $server = epoll ] && echo echo_epoll --http || echo http_mio))" "$rps"
  done
done
