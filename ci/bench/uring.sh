# The uring benchmarks (run by `./x bench`, never by `./x test`):
#   1. benches/ring.rs: NOPs/s (batch 32, batch 1) and 4 KiB page-cached random reads at QD 32
#      (plain, fixed buffers, fixed file), our raw path beside tokio's io-uring, as ratios;
#   2. user-space instructions per NOP (batch 32 and 1) and per read (QD 32, each mode), ours
#      vs io-uring, counted by callgrind inside the measured loop only (--toggle-collect), so
#      setup and the syscalls' kernel side are excluded. Deterministic where (1) is noisy: both
#      crates make the same syscalls, so the user-space count is all that can differ.
need_apt valgrind

cargo bench -p evbind-uring --bench ring

# The bench binary cargo just built (the newest `ring-*` executable).
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
bin=$(ls -t "$target_dir"/release/deps/ring-* | grep -v '\.d$' | head -n1)
# count WHO FUNCTION ARGS...: user-space instructions callgrind collects inside FUNCTION_WHO
# (the measured loop) while the bench binary runs ARGS.
count() {
  local who=$1 func=$2 out ir
  shift 2
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    --toggle-collect="*${func}_$who*" "$bin" "$@" 2>"$out" >/dev/null
  ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out")
  rm -f "$out"
  echo "$ir"
}

# line LABEL WHO IR N UNIT: one row, instructions per unit.
line() {
  local name
  name=$([ "$2" = ours ] && echo uring || echo io-uring)
  awk -v l="$1" -v name="$name" -v ir="$3" -v n="$4" -v u="$5" \
    'BEGIN { printf "  %-9s %-9s %6.2f instructions/%s\n", l, name, ir / n, u }'
}

rounds=10000
echo
echo "user-space instructions per NOP (callgrind, $rounds rounds in the measured loop only):"
for batch in 32 1; do
  for who in ours theirs; do
    line "batch $batch" "$who" "$(count "$who" nop_loop "callgrind-$who" "$rounds" "$batch")" \
      "$((rounds * batch))" NOP
  done
done

reads=20000
echo
echo "user-space instructions per 4 KiB read at QD 32 (callgrind, $reads reads in the measured loop only):"
for mode in plain fixedbuf fixedfile; do
  for who in ours theirs; do
    line "$mode" "$who" "$(count "$who" read_loop "callgrind-read-$who" "$reads" "$mode")" \
      "$reads" read
  done
done
