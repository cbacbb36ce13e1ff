#!/usr/bin/env bash
# Builds one minimal non-root image per binary in cmd/ as OCI image layouts
# under out/images/<name>/, without Docker (internal/image, go-containerregistry),
# and writes out/images/digests.txt ("name sha256:..."), the digests that
# tasks/ pins (hack/pin-images.sh writes them, hack/verify-image-pins.sh
# checks them). Reproducible: -trimpath, no build id, SOURCE_DATE_EPOCH
# (default 0, the epoch) for every timestamp.
#
#   PLATFORMS="linux/amd64 linux/arm64" (default) IMAGE_REPO=ghcr.io/tollgate-dev/tollgate
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
PLATFORMS=${PLATFORMS:-linux/amd64 linux/arm64}
IMAGE_REPO=${IMAGE_REPO:-ghcr.io/tollgate-dev/tollgate}
# The image digest must change only when the binaries do, so the pins in
# tasks/ stay valid across commits that do not change them: the version comes
# from the VERSION file and every timestamp is the epoch (as ko does).
VERSION=${VERSION:-$(cat VERSION 2>/dev/null || echo devel)}
OUT=${OUT:-out/images}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-0}
ldflags="-s -w -buildid= -X github.com/tollgate-dev/tollgate/pkg/version.Version=${VERSION}"

ca=()
[ -r /etc/ssl/certs/ca-certificates.crt ] && ca=(--ca-bundle /etc/ssl/certs/ca-certificates.crt)

mkdir -p "$OUT"
$GO build -o "$OUT/mkimage" ./hack/mkimage
names=()
for d in cmd/*/; do names+=("$(basename "$d")"); done

: >"$OUT/digests.txt.tmp"
for name in "${names[@]}"; do
  bins=()
  for plat in $PLATFORMS; do
    os=${plat%%/*} arch=${plat#*/}
    bin="$OUT/bin/$os-$arch/$name"
    CGO_ENABLED=0 GOOS=$os GOARCH=$arch $GO build -trimpath -ldflags "$ldflags" -o "$bin" "./cmd/$name"
    bins+=(--binary "$plat=$bin")
  done
  "$OUT/mkimage" --name "$name" "${bins[@]}" "${ca[@]}" --version "$VERSION" \
    --ref "$IMAGE_REPO/$name:$VERSION" --out "$OUT/$name" >>"$OUT/digests.txt.tmp"
done
sort "$OUT/digests.txt.tmp" >"$OUT/digests.txt"
rm -f "$OUT/digests.txt.tmp"
cat "$OUT/digests.txt"
echo "images: OCI layouts in $OUT/<name>; push with: crane push $OUT/<name> $IMAGE_REPO/<name>:$VERSION" >&2
