# The ownership-safe driver's benchmark (run by `./x bench`, never by `./x test`):
#   1. benches/owned.rs: the safe path (owned buffers, fixed-buffer leases, registered files)
#      beside the raw path and tokio's io-uring 0.7, as ratios of CPU time and of wall time
#      (target: safe/raw >= 0.95 by wall time on reads);
#   2. user-space instructions per op, counted by callgrind inside the measured loop only
#      (`*_loop_WHO`; load-independent, unlike the wall-clock ratios on a busy machine): NOPs
#      at batch 32 and 4 KiB reads at QD 32 in four set-ups, safe vs raw vs io-uring
#      (targets, issue 16: safe <= 1.5x raw, i.e. <= 45 per NOP and <= 115 per read).
need_apt valgrind

cargo bench -p evbind-uring --bench owned

target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
bin=$(ls -t "$target_dir"/release/deps/owned-* | grep -v '\.d$' | head -n1)

# instructions WHO CASE N: user-space instructions per op of one callgrind run (N ops).
instructions() {
  local out ir
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    --toggle-collect="*_loop_$1*" "$bin" "callgrind-$1-$2" "$3" 2>"$out" >/dev/null
  ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out")
  rm -f "$out"
  awk -v ir="$ir" -v n="$4" 'BEGIN { printf "%.1f", ir / n }'
}

rounds=2000
reads=10000
echo
echo "user-space instructions per op (callgrind, measured loop only; $((rounds * 32)) NOPs, $reads reads):"
echo
printf '| %-30s | %7s | %7s | %8s | %7s | %7s |\n' case safe raw io-uring s/raw s/io-u
printf '|%s|%s|%s|%s|%s|%s|\n' "--------------------------------" "---------" "---------" "----------" "---------" "---------"
for c in "nop:NOP, batch 32" "read-plain:4K read QD32, plain" "read-fixbuf:4K read QD32, fixed buffers" \
  "read-fixfile:4K read QD32, registered file" "read-both:4K read QD32, fixed buf + file"; do
  case_=${c%%:*}
  name=${c#*:}
  if [ "$case_" = nop ]; then n=$rounds ops=$((rounds * 32)); else n=$reads ops=$reads; fi
  s=$(instructions safe "$case_" "$n" "$ops")
  r=$(instructions raw "$case_" "$n" "$ops")
  t=$(instructions tokio "$case_" "$n" "$ops")
  awk -v name="$name" -v s="$s" -v r="$r" -v t="$t" \
    'BEGIN { printf "| %-30s | %7.1f | %7.1f | %8.1f | %7.2f | %7.2f |\n", name, s, r, t, s / r, s / t }'
done
