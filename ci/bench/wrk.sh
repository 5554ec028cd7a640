# wrk against the four single-threaded HTTP/1.1 "Hello, world!" servers (run by `./x bench`,
# never by `./x test`): `http_uring` (io_uring through uring::driver), `runtime --http` (the
# async runtime example on uring::driver, one task per connection), `echo_epoll --http`
# (the epoll crate) and `http_mio` (the same server on mio). Loopback only; each server gets
# WRK_SECONDS (default 4) per run at 64, 256 and 1,024 connections (WRK_CONNS), the servers
# alternating, best of WRK_RUNS (default 3) runs: about 2.5 minutes in all.
#
# Two tables. Requests/s is mostly a measure of wrk: on a 2-core machine wrk needs a whole core
# to keep up with any of these servers. So the second table is what each server spends:
# requests per server-CPU-second, the request count wrk reports divided by the server
# process's utime+stime (/proc/PID/stat, before and after the run). With both on the same
# cores, the scheduler moved them around and the server-CPU figures swung by ~10% run to run;
# so wrk is pinned to CPU 0 and every server to CPU 1 (taskset; WRK_PIN=0 to turn it off,
# e.g. on a machine with one core), and each server then has one core to itself.
need_apt wrk
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
cargo build --release -p evbind-uring --example http_uring --example runtime
cargo build --release -p evbind-epoll --example echo_epoll --example http_mio
ex=$CARGO_TARGET_DIR/release/examples
port=${WRK_PORT:-18180}
secs=${WRK_SECONDS:-4}
runs=${WRK_RUNS:-3}
conns=${WRK_CONNS:-64 256 1024}
server_cpu="" client_cpu=""
if [ "${WRK_PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ]; then
  server_cpu="taskset -c 1" client_cpu="taskset -c 0"
fi
# 1,024 connections need more than the usual 1,024 descriptors (wrk and servers alike).
ulimit -n 4096 2>/dev/null || true
$server_cpu "$ex/http_uring" --port "$port" --max-conns 2048 >/dev/null &
pid_uring=$!
$server_cpu "$ex/echo_epoll" --port $((port + 1)) --http --max-conns 2048 >/dev/null &
pid_epoll=$!
$server_cpu "$ex/http_mio" --port $((port + 2)) --max-conns 2048 >/dev/null &
pid_mio=$!
$server_cpu "$ex/runtime" --port $((port + 3)) --http >/dev/null &
pid_rt=$!
trap 'kill $pid_uring $pid_epoll $pid_mio $pid_rt 2>/dev/null || true' EXIT
sleep 1

# cpu PID: utime+stime of PID in clock ticks (fields 14 and 15 of /proc/PID/stat; the command
# name in field 2 has no spaces here).
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# run CONNS PORT PID: one wrk run; prints "requests/s requests-per-server-CPU-second".
run() {
  local before after out
  before=$(cpu "$3")
  out=$($client_cpu wrk -t1 -c"$1" -d"${secs}"s "http://127.0.0.1:$2/")
  after=$(cpu "$3")
  awk -v before="$before" -v after="$after" -v hz="$(getconf CLK_TCK)" '
    /^Requests\/sec:/ { rps = $2 }
    / requests in / { n = $1 }
    END { t = (after - before) / hz; printf "%s %.0f\n", rps, (t > 0 ? n / t : 0) }' <<<"$out"
}
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (b > a) ? b : a }'; }

rows_rps="" rows_cpu=""
for c in $conns; do
  declare -A best_rps=() best_cpu=()
  for _ in $(seq "$runs"); do
    for s in uring runtime epoll mio; do
      case $s in
        uring) p=$port pid=$pid_uring ;;
        runtime) p=$((port + 3)) pid=$pid_rt ;;
        epoll) p=$((port + 1)) pid=$pid_epoll ;;
        mio) p=$((port + 2)) pid=$pid_mio ;;
      esac
      read -r r k < <(run "$c" "$p" "$pid")
      best_rps[$s]=$(max "${best_rps[$s]:-0}" "$r")
      best_cpu[$s]=$(max "${best_cpu[$s]:-0}" "$k")
    done
  done
  row() {
    local -n v=$1
    awk -v c="$c" -v u="${v[uring]}" -v r="${v[runtime]}" -v e="${v[epoll]}" -v m="${v[mio]}" \
      'BEGIN { printf "| %d | %.0f | %.0f | %.0f | %.0f | %.2f× | %.2f× | %.2f× |\n", c, u, r, e, m, u / e, r / e, m / e }'
  }
  rows_rps+=$(row best_rps)$'\n'
  rows_cpu+=$(row best_cpu)$'\n'
  unset best_rps best_cpu
done

head='| connections | uring | runtime | epoll | mio | uring/epoll | runtime/epoll | mio/epoll |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n'
pin=${server_cpu:+, wrk on CPU 0, servers on CPU 1}
printf '\nwrk -t1 -d%ss, single-threaded servers on 127.0.0.1%s, best of %s alternating runs\n' "$secs" "$pin" "$runs"
printf '\nRequests/s (mostly a measure of wrk)\n\n'"$head"
printf '%s' "$rows_rps"
printf '\nRequests per server-CPU-second (wrk'\''s request count / the server'\''s utime+stime)\n\n'"$head"
printf '%s' "$rows_cpu"
