# Under AddressSanitizer: the ownership-safe driver's tests (uring/tests/owned), where the
# kernel writes into buffers the driver owns, so a use-after-free or double free of that memory
# (an op's buffer freed while in flight, a provided buffer returned twice) shows up here; and
# the cross-crate scenarios (tests/, faults and 2,000-connection loads on both echo servers),
# but the one that builds and runs the echo example (a plain build of it runs in 30-test).
need_nightly rust-src
need_target x86_64-unknown-linux-gnu
# Six tests leak on purpose (that is the behaviour under test: memory the kernel may still
# write into, or a handle the test forgets, is leaked, never freed; a panic while the driver
# drops, or in an operation's `observe`, leaks what it cannot prove finished); every other leak
# fails the stage.
supp=$(mktemp)
trap 'rm -f "$supp"' EXIT
cat >"$supp" <<'SUPP'
leak:owned::drop::drop_without_waiting_leaks_instead_of_freeing
leak:owned::drop::forget_driver_with_reads_in_flight
leak:owned::audit::forget_every_handle_type_then_drop
leak:owned::attacks::leaked_multishot_accept_still_closes_the_connections_it_delivered
leak:owned::attacks::panic_while_dropping_the_driver_leaks_what_is_in_flight
leak:owned::attacks::panicking_observe_leaves_the_driver_consistent
SUPP
RUSTFLAGS="-Zsanitizer=address" RUSTDOCFLAGS="-Zsanitizer=address" \
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=0" LSAN_OPTIONS="suppressions=$supp" \
  CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/asan" \
  cargo +nightly test -p evbind-uring --target x86_64-unknown-linux-gnu --test owned
RUSTFLAGS="-Zsanitizer=address" ASAN_OPTIONS="detect_leaks=1:abort_on_error=0" \
  CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/asan" \
  cargo +nightly test -p tests --target x86_64-unknown-linux-gnu --test results -- \
  --skip example_fallback
