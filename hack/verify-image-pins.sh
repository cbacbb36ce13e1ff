#!/usr/bin/env bash
# Fails when an image pinned in tasks/ or examples/ is not the digest that
# hack/images.sh built (out/images/digests.txt), or is pinned by tag.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE_REPO=${IMAGE_REPO:-ghcr.io/tollgate-dev/tollgate}
digests=${1:-out/images/digests.txt}
[ -r "$digests" ] || { echo "verify-image-pins: $digests not found; run make images first" >&2; exit 1; }
declare -A want
while read -r name digest; do want[$name]=$digest; done <"$digests"
bad=0
while IFS=: read -r file line ref; do
  img=${ref#image: }; img=${img//\"/}
  name=${img#"$IMAGE_REPO"/}; name=${name%%[@:]*}
  digest=${img#*@}
  if [[ $img != *@sha256:* ]]; then
    echo "$file:$line: $img is not pinned by digest" >&2; bad=1
  elif [ -z "${want[$name]:-}" ]; then
    echo "$file:$line: no image $name was built" >&2; bad=1
  elif [ "$digest" != "${want[$name]}" ]; then
    echo "$file:$line: $name pinned to $digest, built ${want[$name]}; run hack/pin-images.sh" >&2; bad=1
  fi
done < <(grep -rnoE --include='*.yaml' "image: *\"?${IMAGE_REPO//./\\.}/[^ \"]+" tasks examples || true)
[ $bad -eq 0 ] && echo "verify-image-pins: every pinned image matches $digests"
exit $bad
