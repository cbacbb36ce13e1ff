#!/usr/bin/env bash
# make demo: runs tollgate on the embedded example release.
# Today: snapshot the reviewed state (tollgate review) and hash the artefact
# (tollgate hash) of examples/agent-release/release, writing to demo-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./bin
out=demo-out
release=examples/agent-release/release
rm -rf "$out" && mkdir -p "$out"

echo "== tollgate review $release"
"$bin/tollgate" review "$release" --name support-agent -o "$out/review.yaml" --log-level warn
echo
echo "== tollgate hash $release"
"$bin/tollgate" hash "$release" | tee "$out/artifact-digest"
"$bin/tollgate" hash "$release" --format json >"$out/manifest.json"
echo
echo "== what the review recorded"
echo "files: $(grep -c '"name":' "$out/manifest.json")"
awk '/^  model:/{p=1; print; next} p && /^  [a-z]/{p=0} p' "$out/review.yaml"
echo
echo "demo: wrote $out/review.yaml, $out/manifest.json and $out/artifact-digest"
