# The docs as docs.rs builds them, for every target each crate lists in
# `[package.metadata.docs.rs] targets`, with `-D warnings`: nightly `cargo rustdoc --lib`, the
# flags docs.rs passes (`--cfg docsrs -Z unstable-options`, `DOCS_RS=1`) plus the crate's own
# `rustdoc-args`. `--cfg docsrs` turns on `feature(doc_cfg)`, which gives each platform-specific
# item its "Available on ... only" badge; a broken link, a bad `doc(cfg)` or a target where a
# crate does not document fails here, not on docs.rs after the release.
# Targets whose nightly std rustup cannot download (FreeBSD and NetBSD are sometimes missing
# from a nightly) are built with -Zbuild-std from rust-src instead, and the stage says so.
# About 40 s warm (target/docsrs); cold 2-4 min (std targets, and build-std where needed).
need_nightly rust-src

export CARGO_TARGET_DIR="$ROOT/target/docsrs"
export DOCS_RS=1
# package<TAB>target<TAB>rustdoc-args, one line per build docs.rs would run.
builds=$(cargo metadata --no-deps --locked --format-version 1 | python3 -c '
import json, sys
for p in json.load(sys.stdin)["packages"]:
    if p["publish"] == []:
        continue
    d = (p["metadata"] or {}).get("docs", {}).get("rs")
    if not d or not d.get("targets"):
        sys.exit("docsrs: " + p["name"] + " has no [package.metadata.docs.rs] targets")
    for t in d["targets"]:
        print(p["name"], t, " ".join(d.get("rustdoc-args", [])), sep="\t")
')

declare -A build_std=()
for t in $(cut -f2 <<<"$builds" | sort -u); do
  if ! need_nightly_target "$t"; then
    echo "docsrs: no nightly std for $t from rustup; building it from rust-src (-Zbuild-std)"
    build_std[$t]=1
  fi
done

while IFS=$'\t' read -r pkg target args; do
  log "docsrs: $pkg for $target"
  extra=()
  [ -z "${build_std[$target]:-}" ] || extra=(-Zbuild-std=std,panic_abort)
  # shellcheck disable=SC2086 # $args is the crate's own list of rustdoc words.
  RUSTDOCFLAGS="--cfg docsrs -Z unstable-options -D warnings" \
    cargo +nightly rustdoc --locked -p "$pkg" --lib --target "$target" "${extra[@]}" -- $args
done <<<"$builds"
