# Publishability of the six library crates, as crates.io would take them:
# - the package names (the `evbind-` family; see the README) are not taken on crates.io by
#   someone else: each is looked up in the registry's sparse index
#   (https://index.crates.io/<prefix>/<name>; 404 = free). When the index is unreachable the
#   check is skipped and says why; a name that exists fails the stage unless it is listed in
#   PUBLISHED below (our own, once a first version is out);
# - `cargo package` WITH verification for all six in one call: cargo packages them in dependency
#   order (uring-sys, epoll-sys first) and builds each dependent one (uring, epoll) against a
#   temporary local registry holding the -sys .crate files it just made, so nothing has to be
#   published first and no `--no-verify` is needed (stable cargo 1.95 here; a cargo without that
#   overlay would need `--no-verify` for uring and epoll);
# - each .crate ships only what a user builds from (the `include` lists): no tests, benches,
#   examples, fuzz corpora or CI helpers, and stays under 256 KiB.
# kqueue and iocp are verified as the Linux build (their empty crate); stages 15-msrv, 60-kqueue
# and 70-iocp build their real content for BSD/macOS and Windows.
# `--allow-dirty` so the stage also runs before a commit; CI's tree is clean anyway.
# About 30 s warm (the verification builds reuse target/package), 1 min cold.
need_apt curl

packages=(evbind-uring-sys evbind-epoll-sys evbind-uring evbind-epoll evbind-kqueue evbind-iocp)
# Names we have published ourselves (a registry hit is then expected). Empty until 0.1.0 is out.
PUBLISHED=()

log "package: are the names free on crates.io?"
index_path() { # NAME -> its path in the sparse index
  local n=${1,,}
  case ${#n} in
    1) echo "1/$n" ;;
    2) echo "2/$n" ;;
    3) echo "3/${n:0:1}/$n" ;;
    *) echo "${n:0:2}/${n:2:2}/$n" ;;
  esac
}
# The workspace's own view of the names, so a package added later is not forgotten here.
listed=$(cargo metadata --no-deps --locked --format-version 1 |
  python3 -c 'import json,sys; print(" ".join(sorted(p["name"] for p in json.load(sys.stdin)["packages"] if p["publish"] != [])))')
[ "$listed" = "$(printf '%s\n' "${packages[@]}" | sort | tr '\n' ' ' | sed 's/ $//')" ] || {
  echo "package: publishable packages are [$listed], this stage lists [${packages[*]}]" >&2
  exit 1
}
if ! curl -fsS --max-time 10 -o /dev/null https://index.crates.io/config.json; then
  echo "package: SKIPPED the name check: https://index.crates.io is unreachable from here"
else
  taken=0
  for p in "${packages[@]}"; do
    code=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "https://index.crates.io/$(index_path "$p")")
    case $code in
      404) echo "  $p: free" ;;
      200)
        if [[ " ${PUBLISHED[*]} " == *" $p "* ]]; then
          echo "  $p: ours (published)"
        else
          echo "  $p: TAKEN on crates.io by another crate" >&2
          taken=1
        fi
        ;;
      *) echo "package: the index answered $code for $p" >&2; exit 1 ;;
    esac
  done
  [ $taken -eq 0 ]
fi

log "package: cargo package (verified) for ${packages[*]}"
pflags=()
for p in "${packages[@]}"; do pflags+=(-p "$p"); done
cargo package --locked --allow-dirty "${pflags[@]}"

log "package: contents"
target_dir=${CARGO_TARGET_DIR:-$ROOT/target}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
for p in "${packages[@]}"; do
  crate="$target_dir/package/$p-$version.crate"
  size=$(stat -c %s "$crate")
  files=$(tar -tzf "$crate" | sed "s|^$p-$version/||")
  bad=$(grep -E '^(tests|benches|examples|fuzz|ci|corpus)/' <<<"$files" || true)
  [ -z "$bad" ] || { echo "package: $p ships files a user does not need: $bad" >&2; exit 1; }
  for need in README.md LICENSE-MIT LICENSE-APACHE src/lib.rs; do
    grep -qx "$need" <<<"$files" || { echo "package: $p lacks $need" >&2; exit 1; }
  done
  [ "$size" -lt 262144 ] || { echo "package: $p is $size bytes (limit 256 KiB)" >&2; exit 1; }
  printf '  %-18s %3d files, %4d KiB\n' "$p" "$(wc -l <<<"$files")" $((size / 1024))
done
