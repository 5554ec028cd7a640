# The ownership-safe driver's benchmark (run by `./x bench`, never by `./x test`):
#   1. benches/owned.rs: the safe path (owned buffers, fixed-buffer leases) beside the raw path
#      and tokio's io-uring, as ratios (targets: reads >= 0.90 of raw, batched NOPs >= 0.75);
#   2. user-space instructions per batched NOP, safe vs raw, counted by callgrind inside the
#      measured loop only (load-independent, unlike the wall-clock ratios on a busy machine).
need_apt valgrind

cargo bench -p evbind-uring --bench owned

target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
bin=$(ls -t "$target_dir"/release/deps/owned-* | grep -v '\.d$' | head -n1)
rounds=2000
nops=$((rounds * 32))
echo
echo "user-space instructions per NOP at batch 32 (callgrind, $nops NOPs in the loop):"
for who in safe raw; do
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    --toggle-collect="*nop_loop_$who*" "$bin" "callgrind-$who" "$rounds" 2>"$out" >/dev/null
  ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out")
  rm -f "$out"
  awk -v ir="$ir" -v n="$nops" -v name="$who" 'BEGIN { printf "  %-5s %6.1f instructions/NOP\n", name, ir / n }'
done
