# iocp on Windows, for real: the tests run under Wine (x86_64-pc-windows-gnu, linked by mingw),
# then clippy checks both Windows targets (gnu and msvc; check only, nothing is linked).
#
# Wine 8 (Debian 12) has no bcryptprimitives.dll, which every Rust >= 1.78 .exe imports for
# ProcessPrng; ci/wine/bcryptprimitives.c is that DLL (ProcessPrng over RtlGenRandom), built here
# and copied into the prefix.
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

log "iocp: tests under $("$wine" --version)"
CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=$wine \
  cargo test -p iocp --locked --target x86_64-pc-windows-gnu
# Let this prefix's wineserver exit (it lingers a few seconds) so it holds no pipe of ours.
"$wineserver" -w

log "iocp: clippy for Windows (gnu, msvc)"
cargo clippy -p iocp --all-targets --locked --target x86_64-pc-windows-gnu -- -D warnings
cargo clippy -p iocp --all-targets --locked --target x86_64-pc-windows-msvc -- -D warnings
