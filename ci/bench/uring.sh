# The uring benchmarks (run by `./x bench`, never by `./x test`):
#   1. benches/ring.rs: NOPs/s (batch 32, batch 1) and 4 KiB page-cached random reads at QD 32
#      (plain, fixed buffers, fixed file), our raw path beside tokio's io-uring, as ratios;
#   2. user-space instructions per NOP (batch 32 and 1) and per read (QD 32, each mode), ours
#      vs io-uring, counted by callgrind inside the measured loop only (--toggle-collect), so
#      setup and the syscalls' kernel side are excluded. Deterministic where (1) is noisy: both
#      crates make the same syscalls, so the user-space count is all that can differ.
need_apt valgrind

cargo bench -p uring --bench ring

# The bench binary cargo just built (the newest `ring-*` executable).
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
bin=$(ls -t "$target_dir"/release/deps/ring-* | grep -v '\.d$' | head -n1)
rounds=10000

echo
echo "user-space instructions per NOP (callgrind, $rounds rounds in the measured loop only):"
for batch in 32 1; do
  for who in ours theirs; do
    out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file=/dev/null \
      --toggle-collect="*nop_loop_$who*" "$bin" "callgrind-$who" "$rounds" "$batch" 2>"$out" >/dev/null
    ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out")
    rm -f "$out"
    name=$([ "$who" = ours ] && echo uring || echo io-uring)
    awk -v ir="$ir" -v n="$((rounds * batch))" -v name="$name" -v b="$batch" \
      'BEGIN { printf "  batch %2d  %-9s %6.2f instructions/NOP\n", b, name, ir / n }'
  done
done

reads=20000
echo
echo "user-space instructions per 4 KiB read at QD 32 (callgrind, $reads reads in the measured loop only):"
for mode in plain fixedbuf fixedfile; do
  for who in ours theirs; do
    out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file=/dev/null \
      --toggle-collect="*read_loop_$who*" "$bin" "callgrind-read-$who" "$reads" "$mode" 2>"$out" >/dev/null
    ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out")
    rm -f "$out"
    name=$([ "$who" = ours ] && echo uring || echo io-uring)
    awk -v ir="$ir" -v n="$reads" -v name="$name" -v m="$mode" \
      'BEGIN { printf "  %-9s %-9s %6.2f instructions/read\n", m, name, ir / n }'
  done
done
