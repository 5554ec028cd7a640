# wrk against the four single-threaded HTTP/1.1 "Hello, world!" servers (run by `./x bench`,
# never by `./x test`): `http_uring` (io_uring through uring::driver), `runtime --http` (the
# async runtime example on uring::driver, one task per connection), `echo_epoll --http`
# (the epoll crate) and `http_mio` (the same server on mio). Loopback only; each server gets
# WRK_SECONDS (default 5) per run at 64 and 256 connections, the servers alternating, best of
# WRK_RUNS (default 3) runs; requests/s side by side with ratios to epoll.
need_apt wrk
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
cargo build --release -p evbind-uring --example http_uring --example runtime
cargo build --release -p evbind-epoll --example echo_epoll --example http_mio
ex=$CARGO_TARGET_DIR/release/examples
port=${WRK_PORT:-18180}
secs=${WRK_SECONDS:-5}
runs=${WRK_RUNS:-3}
"$ex/http_uring" --port "$port" >/dev/null &
pid_uring=$!
"$ex/echo_epoll" --port $((port + 1)) --http >/dev/null &
pid_epoll=$!
"$ex/http_mio" --port $((port + 2)) >/dev/null &
pid_mio=$!
"$ex/runtime" --port $((port + 3)) --http >/dev/null &
pid_rt=$!
trap 'kill $pid_uring $pid_epoll $pid_mio $pid_rt 2>/dev/null || true' EXIT
sleep 1

# rps CONNS PORT: requests/s of one wrk run.
rps() {
  wrk -t1 -c"$1" -d"${secs}"s "http://127.0.0.1:$2/" | sed -n 's/^Requests\/sec: *//p'
}
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (b > a) ? b : a }'; }

printf '\nwrk -t1 -d%ss, single-threaded servers on 127.0.0.1, best of %s alternating runs (requests/s)\n\n' "$secs" "$runs"
printf '| connections | uring | runtime | epoll | mio | uring/epoll | runtime/epoll | mio/epoll |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for c in 64 256; do
  u=0 e=0 m=0 r=0
  for _ in $(seq "$runs"); do
    u=$(max "$u" "$(rps "$c" "$port")")
    r=$(max "$r" "$(rps "$c" $((port + 3)))")
    e=$(max "$e" "$(rps "$c" $((port + 1)))")
    m=$(max "$m" "$(rps "$c" $((port + 2)))")
  done
  awk -v c="$c" -v u="$u" -v r="$r" -v e="$e" -v m="$m" \
    'BEGIN { printf "| %d | %.0f | %.0f | %.0f | %.0f | %.2f× | %.2f× | %.2f× |\n", c, u, r, e, m, u / e, r / e, m / e }'
done
