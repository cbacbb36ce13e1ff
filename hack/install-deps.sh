#!/usr/bin/env bash
# The one-time install step (`make deps`): the Debian packages the tests and
# benchmarks need.
#
#   docker-registry  the loopback OCI registry of the registry tests (make test)
#   openssl          the hashing benchmark's baseline (make bench)
#   time             GNU time, for peak-memory figures (make bench)
#   chromium         the headless browser that opens review-changes.html in
#                    pkg/changes' test (skipped without it, except in CI)
#
# Idempotent: does nothing when everything is present. With --check it
# installs nothing and fails naming what is missing (make test runs that).
set -euo pipefail

check=false
[ "${1:-}" = --check ] && check=true

need=()
[ -x /usr/bin/docker-registry ] || need+=(docker-registry)
if ! $check; then
  command -v openssl >/dev/null || need+=(openssl)
  [ -x /usr/bin/time ] || need+=(time)
  command -v chromium >/dev/null || need+=(chromium)
fi
[ ${#need[@]} -eq 0 ] && exit 0

if $check; then
  echo "missing Debian package(s): ${need[*]}" >&2
  echo "install them once with: make deps   (or: sudo apt-get install ${need[*]})" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing ${need[*]}; run as root or: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
