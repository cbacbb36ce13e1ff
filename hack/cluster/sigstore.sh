#!/usr/bin/env bash
# A local Sigstore for the keyless scenario, as host processes on the bridge
# address (pods reach them, nothing off this machine does):
#
#   fulcio   $FULCIO_VERSION, http://$BRIDGE_IP:$FULCIO_PORT: an ephemeral
#            (in-memory) CA that certifies projected ServiceAccount tokens of
#            audience sigstore. Its one OIDC issuer, of type kubernetes, is the
#            cluster's service-account issuer ($SA_ISSUER): Fulcio fetches its
#            discovery document and JWKS from the apiserver (trusting the
#            cluster CA), and writes the subject
#            https://kubernetes.io/namespaces/<ns>/serviceaccounts/<sa>.
#            No CT log (--ct-log-url ""): certificates carry no SCT.
#   tsa      timestamp-server $TSA_VERSION, http://$BRIDGE_IP:$TSA_PORT: RFC
#            3161 timestamps from an in-memory signer, NTP monitoring off.
#
# No Rekor: a keyless bundle is then trusted only with a signed timestamp
# from this TSA, inside the Fulcio certificate's validity. The trusted root
# written by `up` ($SIGSTORE_OUT/trusted_root.json) names exactly Fulcio's CA
# chain and the TSA's chain, and nothing else; verify needs it.
#
#   sigstore.sh up     start both (the cluster must be up), write the root
#   sigstore.sh down   stop both (down.sh also stops them)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

FULCIO_PORT=${FULCIO_PORT:-5555}
FULCIO_METRICS_PORT=${FULCIO_METRICS_PORT:-5557}
FULCIO_GRPC_PORT=${FULCIO_GRPC_PORT:-5558}
TSA_PORT=${TSA_PORT:-5556}
FULCIO_URL=http://$BRIDGE_IP:$FULCIO_PORT
TSA_URL=http://$BRIDGE_IP:$TSA_PORT/api/v1/timestamp
SA_ISSUER=https://$BRIDGE_IP:$APISERVER_PORT
SIGSTORE_OUT=${SIGSTORE_OUT:-$OUT/sigstore}

start() {
  local name=$1
  shift
  pid_alive "$name" && return 0
  setsid "$@" >>"$STATE/log/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/run/$name.pid"
  log "started $name (pid $!)"
}

stop() {
  local name pid
  for name in "$@"; do
    [ -r "$STATE/run/$name.pid" ] || continue
    pid=$(cat "$STATE/run/$name.pid")
    rm -f "$STATE/run/$name.pid"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    log "stopped $name"
  done
}

up() {
  local d=$STATE/sigstore
  mkdir -p "$d" "$SIGSTORE_OUT"
  # Fulcio reads the issuer's discovery document and JWKS without
  # credentials: the apiserver serves them to the anonymous user once
  # system:unauthenticated has the discovery role.
  kubectl create clusterrolebinding tollgate-e2e-sa-issuer-discovery --clusterrole=system:service-account-issuer-discovery \
    --group=system:unauthenticated --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  wait_for "service-account issuer discovery at $SA_ISSUER" 30 \
    curl -fsS --cacert "$STATE/pki/ca.crt" "$SA_ISSUER/.well-known/openid-configuration"
  local iss
  iss=$(curl -fsS --cacert "$STATE/pki/ca.crt" "$SA_ISSUER/.well-known/openid-configuration" | sed -n 's/.*"issuer":"\([^"]*\)".*/\1/p')
  [ "$iss" = "$SA_ISSUER" ] || die "the apiserver's service-account issuer is '$iss', want $SA_ISSUER (up.sh --service-account-issuer)"
  local ca
  ca=$(sed ':a;N;$!ba;s/\n/\\n/g' "$STATE/pki/ca.crt")
  cat >"$d/fulcio.json" <<EOF
{
  "OIDCIssuers": {
    "$SA_ISSUER": {
      "IssuerURL": "$SA_ISSUER",
      "ClientID": "sigstore",
      "Type": "kubernetes",
      "CACert": "$ca"
    }
  }
}
EOF
  # HTTP and gRPC on separate ports: Fulcio v1.8.5's single-port (duplex)
  # mode panics registering its gRPC metrics twice. Its HTTP gateway dials
  # the gRPC server at 127.0.0.1, so gRPC listens there (the pods use HTTP).
  pid_alive fulcio || rm -f "$d/fulcio-legacy.sock"
  start fulcio "$(bin_dir fulcio)/fulcio" serve --ca ephemeralca --ct-log-url "" --config-path "$d/fulcio.json" \
    --host "$BRIDGE_IP" --port "$FULCIO_PORT" --grpc-host 127.0.0.1 --grpc-port "$FULCIO_GRPC_PORT" \
    --metrics-port "$FULCIO_METRICS_PORT" --legacy-unix-domain-socket "$d/fulcio-legacy.sock" --log_type prod
  start tsa "$(bin_dir tsa)/timestamp-server" serve --host "$BRIDGE_IP" --port "$TSA_PORT" \
    --timestamp-signer memory --disable-ntp-monitoring --log-type prod
  wait_for "fulcio at $FULCIO_URL" 60 curl -fsS -o "$SIGSTORE_OUT/fulcio-chain.pem" "$FULCIO_URL/api/v1/rootCert"
  wait_for "tsa at $TSA_URL" 60 curl -fsS -o "$SIGSTORE_OUT/tsa-chain.pem" "$TSA_URL/certchain"
  # Fulcio reads the issuer's discovery document before it serves, and only
  # logs (and drops the issuer) when that fails: refuse to go on then.
  wait_for "fulcio configuration" 30 curl -fsS -o "$d/fulcio-configuration.json" "$FULCIO_URL/api/v2/configuration"
  grep -qF "$SA_ISSUER" "$d/fulcio-configuration.json" ||
    die "fulcio does not list issuer $SA_ISSUER; see $STATE/log/fulcio.log"
  if grep -q 'error creating provider' "$STATE/log/fulcio.log"; then
    die "fulcio could not read the discovery document of $SA_ISSUER: $(grep -m1 'error creating provider' "$STATE/log/fulcio.log")"
  fi
  "$(bin_dir tools)/trustedroot" --fulcio-chain "$SIGSTORE_OUT/fulcio-chain.pem" --fulcio-url "$FULCIO_URL" \
    --tsa-chain "$SIGSTORE_OUT/tsa-chain.pem" --tsa-url "$TSA_URL" -o "$SIGSTORE_OUT/trusted_root.json"
  # The same without the TSA: what a verifier must refuse (no verified time).
  "$(bin_dir tools)/trustedroot" --fulcio-chain "$SIGSTORE_OUT/fulcio-chain.pem" --fulcio-url "$FULCIO_URL" \
    -o "$SIGSTORE_OUT/trusted_root-no-tsa.json"
  log "sigstore: fulcio $FULCIO_URL, tsa $TSA_URL, issuer $SA_ISSUER; root $SIGSTORE_OUT/trusted_root.json"
}

case ${1:-} in
up) up ;;
down) stop fulcio tsa ;;
*) die "usage: sigstore.sh up|down" ;;
esac
