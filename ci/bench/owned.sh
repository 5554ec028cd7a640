# The ownership-safe driver's benchmark (run by `./x bench`, never by `./x test`): the safe path
# (owned buffers, fixed-buffer leases) beside the raw path and tokio's io-uring, as ratios.
cargo bench -p uring --bench owned
