# iocp on Windows, for real: the tests run under Wine (x86_64-pc-windows-gnu, linked by mingw),
# then clippy checks both Windows targets (gnu and msvc; check only, nothing is linked).
# About 2 minutes from cold (Wine prefix already made), under a minute warm.
#
# Wine 8 (Debian 12) has no bcryptprimitives.dll, which every Rust >= 1.78 .exe imports for
# ProcessPrng; ci/wine/bcryptprimitives.c is that DLL (ProcessPrng over RtlGenRandom), built here
# and copied into the prefix.
#
# A crash must fail the stage. By default Wine answers an unhandled exception by starting winedbg,
# which ends the crashed test binary with exit status 0; and Wine's exit status is only the low
# byte of the Windows one, which can be 0 too. So the prefix gets no crash debugger
# (ci/wine/no-crash-debugger.reg), and a run passes only if it exits 0 *and* every test binary it
# started printed `test result: ok. N passed; 0 failed` (a crashed binary prints no result line).
# The self-check proves both: it crashes the test binary on purpose (tests/iocp/crash.rs, two
# ways) and fails the stage unless each crash is caught by both signals.
need_apt wine64 gcc-mingw-w64-x86-64
need_target x86_64-pc-windows-gnu x86_64-pc-windows-msvc

target_dir=${CARGO_TARGET_DIR:-$ROOT/target}
mkdir -p "$target_dir"
export WINEARCH=win64
export WINEPREFIX=$target_dir/wine-prefix
export WINEDEBUG=-all
wine=/usr/lib/wine/wine64
wineserver=/usr/lib/wine/wineserver64

if [ ! -d "$WINEPREFIX/drive_c/windows/system32" ]; then
  log "iocp: making the Wine prefix $WINEPREFIX"
  # wineboot prints harmless complaints (no 32-bit half); show them only if it fails.
  "$wine" wineboot -i >"$target_dir/wineboot.log" 2>&1 || { cat "$target_dir/wineboot.log"; exit 1; }
  "$wineserver" -w
fi

x86_64-w64-mingw32-gcc -shared -O2 -s -o "$target_dir/bcryptprimitives.dll" \
  ci/wine/bcryptprimitives.c -ladvapi32
cp "$target_dir/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"

# No crash debugger (idempotent; also fixes prefixes made before this setting existed).
cp ci/wine/no-crash-debugger.reg "$WINEPREFIX/drive_c/no-crash-debugger.reg"
"$wine" regedit /S 'C:\no-crash-debugger.reg'

export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=$wine

# judged LOG CMD...: runs a `cargo test` command, its output shown and kept in LOG. Sets
# judged_exit (the command's exit status) and judged_results ("ok" if every test binary it started
# - each `Running` or `Doc-tests` line - began a run (`running N tests`), and every run printed
# `test result: ok. N passed; 0 failed`, else what was missing). Doc-tests may make two runs
# (merged doctests, then standalone ones such as `compile_fail`), so runs are counted, not
# binaries. Returns 0 only if both are good.
judged() {
  local log=$1 started runs oks
  shift
  judged_exit=0
  "$@" 2>&1 | tee "$log" || judged_exit=$?
  started=$(grep -cE '^ +(Running|Doc-tests) ' "$log" || true)
  runs=$(grep -cE '^running [0-9]+ tests?$' "$log" || true)
  oks=$(grep -cE '^test result: ok\. [0-9]+ passed; 0 failed;' "$log" || true)
  if [ "$started" -gt 0 ] && [ "$runs" -ge "$started" ] && [ "$oks" -eq "$runs" ]; then
    judged_results=ok
  else
    judged_results="$oks of $runs test runs (of $started test binaries) reported \"test result: ok\""
  fi
  [ "$judged_exit" -eq 0 ] && [ "$judged_results" = ok ]
}

log "iocp: crash self-check (each deliberate crash must fail the run)"
for how in access-violation abort; do
  if IOCP_CRASH_SELF_CHECK=$how judged "$target_dir/iocp-crash-$how.log" \
    cargo test -p evbind-iocp --locked --target x86_64-pc-windows-gnu --test iocp \
    -- --exact crash::crashes_when_the_stage_asks; then
    echo "self-check: a deliberate crash ($how) passed as a successful test run" >&2
    exit 1
  fi
  echo "self-check: crash ($how) caught: exit status $judged_exit; $judged_results"
  if [ "$judged_exit" -eq 0 ] || [ "$judged_results" = ok ]; then
    echo "self-check: both signals must catch a crash (exit status, result lines)" >&2
    exit 1
  fi
  if grep -q '^Register dump:' "$target_dir/iocp-crash-$how.log"; then
    echo "self-check: winedbg still ran on the crash; the prefix's AeDebug setting is not in effect" >&2
    exit 1
  fi
done

log "iocp: tests under $("$wine" --version)"
if ! judged "$target_dir/iocp-test.log" cargo test -p evbind-iocp --locked --target x86_64-pc-windows-gnu; then
  echo "iocp tests under Wine failed: exit status $judged_exit; $judged_results" >&2
  exit 1
fi
# Let this prefix's wineserver exit (it lingers a few seconds) so it holds no pipe of ours.
"$wineserver" -w

log "iocp: clippy for Windows (gnu, msvc)"
cargo clippy -p evbind-iocp --all-targets --locked --target x86_64-pc-windows-gnu -- -D warnings
cargo clippy -p evbind-iocp --all-targets --locked --target x86_64-pc-windows-msvc -- -D warnings
