# The tests against the real kernel.
# Every test passes in the release profile too (`cargo test --release -p tests` builds the
# examples it runs with the test binary's own profile); that run is not repeated here: it costs
# ~4 min of release builds on 2 cores (measured cold, 4m06s wall with the tests' ~1 min),
# a fifth of the whole `./x test`, for code the debug run already covers.
cargo test --workspace --locked
