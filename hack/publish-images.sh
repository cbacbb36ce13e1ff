#!/usr/bin/env bash
# publish-images.sh REGISTRY [OUTDIR]: builds tollgate's images (hack/images.sh),
# pushes each image index to REGISTRY/tollgate/<name>:<version>, and renders
# tasks/ and examples/ into OUTDIR (default out/published) with every
# ghcr.io/tollgate-dev/tollgate/<name>@sha256:… pin replaced by the pushed
# REGISTRY/tollgate/<name>@sha256:…. The committed files are never edited.
#
# The images are not published by a release yet: until they are, build and
# push them with this script and apply the rendered YAML.
#
#   hack/publish-images.sh registry.example.com/platform          # HTTPS registry (docker login first)
#   PLATFORMS=linux/amd64 hack/publish-images.sh 127.0.0.1:5000 out/e2e/rendered   # the e2e harness
#   BUNDLES=1 hack/publish-images.sh REGISTRY   # also push the Tasks as a Tekton bundle
#                                               # and pin the example Pipeline to it
set -euo pipefail
cd "$(dirname "$0")/.."

REG=${1:?usage: publish-images.sh REGISTRY [OUTDIR]}
DEST=${2:-out/published}
GO=${GO:-go}
IMAGE_REPO=${IMAGE_REPO:-ghcr.io/tollgate-dev/tollgate}
VERSION=${VERSION:-$(cat VERSION 2>/dev/null || echo devel)}
IMAGES=${IMAGES_OUT:-out/images}

OUT=$IMAGES ./hack/images.sh >/dev/null
$GO build -o "$IMAGES/clusterimage" ./hack/cluster/cmd/clusterimage

declare -A pushed
while read -r name _; do
  digest=$("$IMAGES/clusterimage" push-layout "$IMAGES/$name" "$REG/tollgate/$name:$VERSION")
  pushed[$name]=$digest
  echo "$REG/tollgate/$name@$digest"
done <"$IMAGES/digests.txt"

rm -rf "$DEST"
mkdir -p "$DEST"
cp -R tasks examples "$DEST/"
mapfile -t files < <(grep -rlE --include='*.yaml' "${IMAGE_REPO//./\\.}/[a-z-]+@sha256:" "$DEST" || true)
for name in "${!pushed[@]}"; do
  [ ${#files[@]} -eq 0 ] && break
  sed -i -E "s#${IMAGE_REPO//./\\.}/${name}@sha256:[0-9a-f]{64}#${REG}/tollgate/${name}@${pushed[$name]}#g" "${files[@]}"
done
if grep -rnE --include='*.yaml' "${IMAGE_REPO//./\\.}/" "$DEST"; then
  echo "publish-images: an image above was not built (no cmd/ of that name)" >&2
  exit 1
fi
if [ "${BUNDLES:-0}" = 1 ]; then
  # The rendered Tasks (images pinned to REG) as one bundle; the example
  # Pipeline then resolves each Task from it at its digest (bundles
  # resolver), never by name from the namespace.
  $GO build -o "$IMAGES/mkbundle" ./hack/mkbundle
  "$IMAGES/mkbundle" --ref "$REG/tollgate/tasks:$VERSION" --pipeline "$DEST/examples/tekton/pipeline.yaml" \
    "$DEST"/tasks/tekton/*/0.1/tollgate-*.yaml
fi
echo "publish-images: tasks/ and examples/ pinned to $REG rendered into $DEST" >&2
