# Miri: the crates' pure logic (index arithmetic across u32 wrap-around, the slab, chain
# building, flag and filter encoding/decoding, layout tables, the model kernel) runs under the
# interpreter.
# Unit tests (in src/) are kept free of kernel calls for this; kernel tests live in tests/.
need_nightly rust-src miri
# Error messages read /proc/sys/kernel/io_uring_disabled; let Miri open real files.
export MIRIFLAGS="-Zmiri-disable-isolation"
# Property tests run far slower under Miri; fewer cases still cover the wrap-around edges,
# which the properties pin explicitly.
export PROPTEST_CASES=16
export CARGO_TARGET_DIR="$ROOT/target/miri"
cargo +nightly miri setup
cargo +nightly miri test --locked -p evbind-uring-sys -p evbind-epoll-sys -p evbind-uring -p evbind-epoll -p evbind-kqueue --lib
# A small reactor's own tests on the model kernel (`uring::model`, feature `model`): reads,
# NOPs and a timeout under seeded faults, no kernel. A few seeds under Miri (see the test).
cargo +nightly miri test --locked -p evbind-uring --features model --test model_reactor
# The attacks on the model's soundness claim under Miri: a use-after-free or a data race from
# safe code would show here. Several attacks leak on purpose (a driver that cannot prove a
# request finished leaks its buffer rather than free memory the model may still write).
MIRIFLAGS="$MIRIFLAGS -Zmiri-ignore-leaks" \
  cargo +nightly miri test --locked -p evbind-uring --features model --test model_attacks
