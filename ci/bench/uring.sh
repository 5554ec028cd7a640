# The uring raw-path benchmark (run by `./x bench`, never by `./x test`). Prints one table:
#   rows     NOP at batch 32 and batch 1, 4 KiB page-cached random reads at QD 32 (plain, fixed
#            buffers, registered file, both), each in two loop styles:
#              batch  push, submit_and_wait, reap the batch into an array, push the refills;
#              split  split the ring, submit_and_wait, push one refill per CQE while draining
#                     the CQ iterator, sync (the way io-uring's own users write a loop);
#   columns  user-space instructions per op of C liburing (ci/bench/uring-liburing.c, the same
#            loops call for call), tokio's io-uring 0.7 and our raw path (benches/ring.rs),
#            counted by callgrind inside the measured loop only (--toggle-collect: no setup, no
#            kernel side; deterministic where timing is not: all three make the same
#            syscalls), the ratios uring/io-uring and uring/liburing, and the timed ratios
#            uring/io-uring of benches/ring.rs (rate per CPU-second of the submitting thread
#            and per wall-clock second, best of 7 alternating runs; higher is better).
need_apt valgrind gcc liburing-dev

target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
timed=$(mktemp)
trap 'rm -f "$timed"' EXIT
cargo bench -p evbind-uring --bench ring >"$timed"
# The bench binary cargo just built (the newest `ring-*` executable).
bin=$(ls -t "$target_dir"/release/deps/ring-* | grep -v '\.d$' | head -n1)
cbin=$target_dir/uring-liburing
gcc -O2 -Wall -Wextra -Werror -o "$cbin" ci/bench/uring-liburing.c -luring

# count FUNCTION PROGRAM ARGS...: user-space instructions callgrind collects inside FUNCTION
# (the measured loop) while PROGRAM runs ARGS.
count() {
  local func=$1 out ir
  shift
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect="$func" "$@" \
    2>"$out" >/dev/null
  ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out")
  rm -f "$out"
  [ -n "$ir" ] || { echo "callgrind found no $func in $*" >&2; exit 1; }
  echo "$ir"
}

# timed_ratios LABEL: "cpu wall" ratios of the benches/ring.rs row LABEL.
timed_ratios() {
  awk -F'|' -v l="$1" '{ c = $2; gsub(/^ +| +$/, "", c) } c == l {
    gsub(/[ x]/, "", $5); gsub(/[ x]/, "", $8); print $5, $8 }' "$timed"
}

rounds=10000
reads=20000
printf '\nuser-space instructions per op (callgrind, measured loop only: %d NOP rounds, %d reads); ratio < 1: uring does less\n' \
  "$rounds" "$reads"
printf 'timed: uring/io-uring ops per second (> 1: uring faster), by CPU time and by wall clock\n\n'
printf '| %-6s | %-14s | %8s | %8s | %8s | %14s | %14s | %9s | %10s |\n' \
  loop case liburing io-uring uring "uring/io-uring" "uring/liburing" "timed cpu" "timed wall"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' -------- ---------------- ---------: ---------: \
  ---------: ---------------: ---------------: ----------: -----------:
for style in batch split; do
  sep=$([ "$style" = split ] && echo split_ || true)
  for case in "NOP b32" "NOP b1" "read plain" "read fixedbuf" "read fixedfile" "read both"; do
    set -- $case
    if [ "$1" = NOP ]; then
      batch=${2#b}
      n=$((rounds * batch))
      c=$(count "nop_${sep}loop_c" "$cbin" nop "$rounds" "$batch" "$style")
      t=$(count "*nop_${sep}loop_theirs*" "$bin" callgrind-theirs "$rounds" "$batch" "$style")
      o=$(count "*nop_${sep}loop_ours*" "$bin" callgrind-ours "$rounds" "$batch" "$style")
    else
      n=$reads
      c=$(count "read_${sep}loop_c" "$cbin" read "$reads" "$2" "$style")
      t=$(count "*read_${sep}loop_theirs*" "$bin" callgrind-read-theirs "$reads" "$2" "$style")
      o=$(count "*read_${sep}loop_ours*" "$bin" callgrind-read-ours "$reads" "$2" "$style")
    fi
    read -r cpu wall < <(timed_ratios "$style $case")
    awk -v s="$style" -v k="$case" -v c="$c" -v t="$t" -v o="$o" -v n="$n" -v cpu="$cpu" -v wall="$wall" \
      'BEGIN { printf "| %-6s | %-14s | %8.2f | %8.2f | %8.2f | %13.3fx | %13.3fx | %8.2fx | %9.2fx |\n",
        s, k, c / n, t / n, o / n, o / t, o / c, cpu, wall }'
  done
done
