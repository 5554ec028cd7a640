# The tests against the real kernel.
cargo test --workspace --locked
