# Lints for the host: every crate, every target (tests, benches, examples).
cargo clippy --workspace --all-targets --locked -- -D warnings
