# Formatting of the workspace, the fuzz crate and the memory bench's tokio-uring crate (each
# its own workspace).
cargo fmt --all -- --check
for m in fuzz/Cargo.toml ci/bench/mem-tokio-uring/Cargo.toml; do
  if [ -f "$m" ]; then
    cargo fmt --manifest-path "$m" --all -- --check
  fi
done
