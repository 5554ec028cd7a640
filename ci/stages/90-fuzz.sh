# Fuzz smoke: build every cargo-fuzz target (ASan + SanitizerCoverage, nightly) and run each
# for a short fixed time from its committed seed corpus; any crash, leak report or timeout
# fails the stage. The long runs are `./x fuzz` (FUZZ_SECONDS each, default 600).
#
# Runtime on this 2-core machine (shared with other builds): warm (cargo-fuzz installed,
# fuzz/target kept) 95 s for 4 targets x 20 s. Cold adds `cargo install --locked cargo-fuzz`
# (3m41s here, once; cached in ~/.cargo/bin) and the first ASan build of the targets (5m37s
# wall, 1m52s CPU here): ~10 min, over the ~4 min budget (see fuzz/README.md).
need_nightly rust-src
need_cargo_tool cargo-fuzz cargo-fuzz

cd "$ROOT/fuzz"
secs=${FUZZ_CI_SECONDS:-20}
cargo +nightly fuzz build
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for t in $(cargo +nightly fuzz list); do
  log "fuzz $t for ${secs}s"
  mkdir -p "$scratch/$t" "corpus/$t"
  # New units go to the scratch dir (first corpus dir); the committed seeds are only read.
  status=0
  cargo +nightly fuzz run "$t" "$scratch/$t" "corpus/$t" -- \
    -max_total_time="$secs" -timeout=20 -print_final_stats=1 >"$scratch/$t.log" 2>&1 || status=$?
  grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|stat::(number_of_executed_units|average_exec_per_sec)' "$scratch/$t.log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$scratch/$t.log"
    echo "fuzz target $t failed (exit $status); the crashing input is in fuzz/artifacts/$t"
    exit 1
  fi
done
