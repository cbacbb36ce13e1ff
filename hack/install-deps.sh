#!/usr/bin/env bash
# Installs the system packages the tests need (Debian): docker-registry for
# the loopback OCI registry, openssl for the hashing benchmark baseline,
# GNU time for peak-memory figures.
# Idempotent; does nothing when everything is present.
set -euo pipefail

need=()
[ -x /usr/bin/docker-registry ] || need+=(docker-registry)
command -v openssl >/dev/null || need+=(openssl)
[ -x /usr/bin/time ] || need+=(time)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing ${need[*]}; run as root or: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
