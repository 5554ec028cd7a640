# Formatting of the workspace and the fuzz crate.
cargo fmt --all -- --check
if [ -f fuzz/Cargo.toml ]; then
  cargo fmt --manifest-path fuzz/Cargo.toml --all -- --check
fi
