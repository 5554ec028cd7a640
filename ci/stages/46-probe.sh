# The probe as a tool (`./x probe`, the main job), as a runtime or a CI pipeline consumes it:
# - `--json` validates against uring/examples/probe.schema.json (JSON Schema 2020-12, with the
#   `jsonschema` Python package: Debian's python3-jsonschema when it is not there), plus what
#   a schema cannot say (ci/probe-validate.py): exit status 0 exactly when usable, every
#   recommended flag accepted, the registration probe agreeing with IORING_REGISTER_QUERY;
# - the same as `nobody` without capabilities when the stage runs as root (setpriv), the view of
#   an ordinary service (RLIMIT_MEMLOCK counts, SQPOLL may be refused);
# - io_uring denied by a seccomp filter (ENOSYS, EPERM; tests/tests/probe_denied.rs): exit
#   status 1, the NOT-usable verdict on the first line, and that JSON against the schema too;
# - a self-check: the validator must reject a report with a field removed, so a validator
#   that accepts anything cannot pass the stage;
# - the human output: the verdict line comes first, then the setup-flag, registration and
#   limits sections; `--help` exits 0 and documents the exit status; a bad flag exits 2.
# About 15 s warm (the example builds reused; the self-measure runs 1 s), 1–2 min cold.
python3 -c 'import jsonschema' 2>/dev/null || need_apt python3-jsonschema

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
schema=uring/examples/probe.schema.json

log "probe: --json against $schema"
status=0
"$ROOT/x" probe --json >"$dir/probe.json" || status=$?
python3 ci/probe-validate.py "$schema" "$dir/probe.json" "$status"

# Root has every capability, which hides what an ordinary service sees (RLIMIT_MEMLOCK applies,
# SQPOLL may be refused): run it once more as `nobody` without capabilities.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
  log "probe: --json as nobody, without capabilities"
  bin=${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/probe
  install -m 755 "$bin" "$dir/probe"
  chmod 755 "$dir"
  status=0
  (cd / && setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
    "$dir/probe" --json --no-bench >"$dir/nobody.json") || status=$?
  python3 ci/probe-validate.py "$schema" "$dir/nobody.json" "$status"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert not d["process"]["cap_ipc_lock"], d["process"]' "$dir/nobody.json"
fi

# The unusable path: io_uring_setup denied by seccomp (ENOSYS, EPERM). The test asserts exit
# status 1 and the NOT-usable verdict first; its reports are validated here too.
log "probe: io_uring_setup denied by seccomp (tests/tests/probe_denied.rs)"
PROBE_DENIED_OUT=$dir cargo test --locked -p tests --test probe_denied
for f in "$dir"/denied-*.json; do
  python3 ci/probe-validate.py "$schema" "$f" 1
done

log "probe: the validator rejects a broken report"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["verdict"]["usable"]; json.dump(d, open(sys.argv[2], "w"))' \
  "$dir/probe.json" "$dir/broken.json"
if python3 ci/probe-validate.py "$schema" "$dir/broken.json" "$status" 2>/dev/null; then
  echo "probe: the validator accepted a report without verdict.usable" >&2
  exit 1
fi

log "probe: human output"
status=0
"$ROOT/x" probe --no-bench >"$dir/probe.txt" || status=$?
head -n1 "$dir/probe.txt"
head -n1 "$dir/probe.txt" | grep -Eq '^io_uring: (usable; recommended setup: |NOT usable: )' || {
  echo "probe: the first line is not the verdict" >&2
  exit 1
}
if [ "$status" -eq 0 ]; then
  for section in '^setup flags' '^registrations' '^limits:' 'RLIMIT_MEMLOCK' 'io-wq workers' 'NAPI busy poll'; do
    grep -q "$section" "$dir/probe.txt" || { echo "probe: no '$section' in the output" >&2; exit 1; }
  done
fi

log "probe: --help and a usage error"
"$ROOT/x" probe --help | grep -q 'exit status: 0 io_uring is usable'
status=0
"$ROOT/x" probe --no-such-flag 2>/dev/null || status=$?
[ "$status" -eq 2 ] || { echo "probe: a bad flag exited $status, not 2" >&2; exit 1; }
