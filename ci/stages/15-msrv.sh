# The stated MSRV (rust-version = 1.85 in Cargo.toml): the library crates must build with it,
# for the host and for the kqueue/iocp targets, against the committed Cargo.lock. Tests,
# benches and examples may use newer dev-dependencies and are not checked here.
# Cost: ~1 min on a fresh machine (a minimal 1.85 toolchain + two std targets), ~15 s warm.
msrv=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
if ! rustup run "$msrv" rustc --version >/dev/null 2>&1; then
  rustup toolchain install "$msrv" --profile minimal
fi
have=$(rustup target list --installed --toolchain "$msrv")
for t in x86_64-unknown-freebsd x86_64-pc-windows-gnu; do
  grep -qx "$t" <<<"$have" || rustup target add --toolchain "$msrv" "$t"
done
export CARGO_TARGET_DIR="$PWD/target/msrv"
cargo "+$msrv" check --locked -p evbind-uring-sys -p evbind-epoll-sys -p evbind-uring -p evbind-epoll
cargo "+$msrv" check --locked -p evbind-kqueue --target x86_64-unknown-freebsd
cargo "+$msrv" check --locked -p evbind-iocp --target x86_64-pc-windows-gnu
