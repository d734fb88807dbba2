#!/bin/sh
# Copies a tree to measure into DIR, so edits in the shared working tree cannot leak into a
# benchmark run that is already going (the bench starts tlsbridge afresh every round).
#   packages/bench/snapshot.sh DIR          the working tree as it is now
#   packages/bench/snapshot.sh DIR COMMIT   a commit, with the working tree's packages/bench
# Then: cd DIR && node packages/bench/src/main.ts ...   (docs/benchmarks.md is written in DIR)
set -eu
dir=$1; commit=${2:-}
repo=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$dir"; mkdir -p "$dir"
if [ -n "$commit" ]; then
  git -C "$repo" archive "$commit" | tar -x -C "$dir"
  rm -rf "$dir/packages/bench"; cp -r "$repo/packages/bench" "$dir/packages/bench"
else
  (cd "$repo" && tar -c --exclude=./node_modules --exclude=./.git --exclude=./bench-results . ) | tar -x -C "$dir"
fi
mkdir -p "$dir/node_modules/@tlsbridge"
for m in "$repo"/node_modules/* "$repo"/node_modules/.bin; do
  [ "$(basename "$m")" = "@tlsbridge" ] || ln -s "$m" "$dir/node_modules/$(basename "$m")"
done
for p in "$dir"/packages/*; do ln -s "../../packages/$(basename "$p")" "$dir/node_modules/@tlsbridge/$(basename "$p")"; done
