# Lints for the host: every crate, every target (tests, benches, examples).
cargo clippy --workspace --all-targets --locked -- -D warnings
# The model kernel (`uring::model`) is built only with its feature: lint it too.
cargo clippy -p evbind-uring --all-targets --features model --locked -- -D warnings
