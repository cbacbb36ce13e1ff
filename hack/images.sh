#!/usr/bin/env bash
# Builds one minimal non-root image per binary in cmd/ as OCI image layouts
# under out/images/<name>/, without Docker (internal/image, go-containerregistry),
# and writes out/images/digests.txt ("name sha256:..."), the digests that
# tasks/ pins (hack/pin-images.sh writes them, hack/verify-image-pins.sh
# checks them). Reproducible: -trimpath, no build id, SOURCE_DATE_EPOCH
# (default 0, the epoch) for every timestamp, and nothing from the build
# host in a layer: no CA bundle is copied (the binaries that reach
# registries, Fulcio or Rekor embed Mozilla's roots from
# golang.org/x/crypto/x509roots/fallback, pinned by go.sum; mount
# SSL_CERT_FILE for a private CA). The digest depends only on the source
# and the Go version.
#
# Each platform is built with one `go build ./cmd/...` (shared compilation,
# parallel links), both platforms at once.
#
#   PLATFORMS="linux/amd64 linux/arm64" (default) IMAGE_REPO=ghcr.io/tollgate-dev/tollgate
#   NAMES="gate provenance" (default: every cmd/)
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

mkdir -p "$OUT"
$GO build -o "$OUT/mkimage" ./hack/mkimage
names=()
if [ -n "${NAMES:-}" ]; then
  read -r -a names <<<"$NAMES"
else
  for d in cmd/*/; do names+=("$(basename "$d")"); done
fi
pkgs=()
for name in "${names[@]}"; do pkgs+=("./cmd/$name"); done

pids=()
for plat in $PLATFORMS; do
  os=${plat%%/*} arch=${plat#*/}
  mkdir -p "$OUT/bin/$os-$arch"
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch $GO build -trimpath -ldflags "$ldflags" -o "$OUT/bin/$os-$arch/" "${pkgs[@]}" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done

: >"$OUT/digests.txt.tmp"
for name in "${names[@]}"; do
  bins=()
  for plat in $PLATFORMS; do
    os=${plat%%/*} arch=${plat#*/}
    bins+=(--binary "$plat=$OUT/bin/$os-$arch/$name")
  done
  "$OUT/mkimage" --name "$name" "${bins[@]}" --version "$VERSION" \
    --ref "$IMAGE_REPO/$name:$VERSION" --out "$OUT/$name" >>"$OUT/digests.txt.tmp"
done
sort "$OUT/digests.txt.tmp" >"$OUT/digests.txt"
rm -f "$OUT/digests.txt.tmp"
cat "$OUT/digests.txt"
echo "images: OCI layouts in $OUT/<name>; push with: crane push $OUT/<name> $IMAGE_REPO/<name>:$VERSION" >&2
