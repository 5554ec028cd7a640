# Docs build without a broken link or a warning.
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked
