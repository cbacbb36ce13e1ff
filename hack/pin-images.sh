#!/usr/bin/env bash
# Rewrites the image digests pinned in tasks/ and examples/ to those of
# out/images/digests.txt (written by hack/images.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE_REPO=${IMAGE_REPO:-ghcr.io/tollgate-dev/tollgate}
digests=${1:-out/images/digests.txt}
[ -r "$digests" ] || { echo "pin-images: $digests not found; run make images first" >&2; exit 1; }
mapfile -t files < <(grep -rlE --include='*.yaml' "${IMAGE_REPO//./\\.}/[a-z-]+@sha256:" tasks examples || true)
while read -r name digest; do
  [ ${#files[@]} -eq 0 ] && break
  sed -i -E "s#(${IMAGE_REPO//./\\.}/${name})@sha256:[0-9a-f]{64}#\\1@${digest}#g" "${files[@]}"
done <"$digests"
echo "pinned ${#files[@]} files to $digests"
