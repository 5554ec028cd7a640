# The tests against the real kernel.
# Every test passes in the release profile too (`cargo test --release -p tests` builds the
# examples it runs with the test binary's own profile); that run is not repeated here: it costs
# ~4 min of release builds on 2 cores (measured cold, 4m06s wall with the tests' ~1 min),
# a fifth of the whole `./x test`, for code the debug run already covers.
cargo test --workspace --locked
# The model kernel's public-API tests (feature `model`): a reactor's own tests on it, and the
# safe-code attacks on its soundness claim (uring/tests/model_attacks.rs).
cargo test --locked -p evbind-uring --features model --test model_reactor --test model_attacks
