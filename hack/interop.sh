#!/usr/bin/env bash
# interop.sh: cosign v3.1.3 verifies the bundles tollgate writes, and
# tollgate reads cosign's keys and approvals. Offline: key-signed bundles
# carry no Rekor entry, so cosign runs with --insecure-ignore-tlog (tollgate
# key signing does not upload to a transparency log; keyless does).
#
#   hack/interop.sh            # installs cosign into $COSIGN_DIR if missing
#   COSIGN=/path/to/cosign hack/interop.sh
#   CLUSTER_CACHE=/work/cluster-cache hack/interop.sh   # the e2e cluster's cosign
#
# Not part of `make test` (installing cosign is slow); wired as `make interop`.
set -euo pipefail

COSIGN_VERSION=v3.1.3
COSIGN_DIR=${COSIGN_DIR:-/tmp/cosign}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The e2e cluster's cosign build (hack/cluster/build.sh cosign) is the same
# version: use it when CLUSTER_CACHE names a cache that has it.
if [[ -z ${COSIGN:-} && -n ${CLUSTER_CACHE:-} && -r $CLUSTER_CACHE/bin/cosign.current ]]; then
	COSIGN=$(cat "$CLUSTER_CACHE/bin/cosign.current")/cosign
fi
COSIGN=${COSIGN:-$COSIGN_DIR/cosign}
if [[ ! -x $COSIGN ]]; then
	echo "installing cosign $COSIGN_VERSION into $COSIGN_DIR (slow: builds from source)"
	GOBIN=$COSIGN_DIR go install "github.com/sigstore/cosign/v3/cmd/cosign@$COSIGN_VERSION"
fi
got=$("$COSIGN" version 2>&1 | awk '/GitVersion/ {print $2}')
[[ $got == "$COSIGN_VERSION" ]] || { echo "cosign is $got, want $COSIGN_VERSION" >&2; exit 1; }

TOLLGATE=$WORK/tollgate
(cd "$ROOT" && go build -o "$TOLLGATE" ./cmd/tollgate)

pass=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
expect_ok() {
	local what=$1; shift
	if out=$("$@" 2>&1); then ok "$what"; else echo "FAIL $what"; echo "$out" | sed 's/^/     /'; exit 1; fi
}
expect_fail() {
	local what=$1; shift
	if out=$("$@" 2>&1); then echo "FAIL $what (accepted)"; echo "$out" | sed 's/^/     /'; exit 1; else ok "$what: $(echo "$out" | grep -m1 -i 'error\|tollgate:' | cut -c1-110)"; fi
}

cd "$WORK"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(date +%s)} COSIGN_PASSWORD=interop-secret

# --- keys: tollgate keygen (encrypted like cosign's) and cosign generate-key-pair
for k in alice bot; do "$TOLLGATE" keygen --output-prefix "$k" >/dev/null; done
"$COSIGN" generate-key-pair --output-key-prefix carol >/dev/null 2>&1

# --- a release: artefact, review record, policy, three passing reports
mkdir -p art/prompts rel ev res
printf 'You are a support agent.\n' >art/prompts/system.txt
printf '{"mcpServers":{}}\n' >art/mcp.json
"$TOLLGATE" review art -o rel/review.yaml --name support-agent --log-level error >/dev/null
DIGEST=$("$TOLLGATE" hash art)
REVIEW_HEX=$(sha256sum rel/review.yaml | cut -d' ' -f1)
indent() { sed "s/^/$1/" "$2"; }
cat >policy.yaml <<POLICY
apiVersion: tollgate.dev/v1alpha1
kind: ReleasePolicy
metadata:
  name: interop
spec:
  approvals:
    required: 2
    approvers:
      - name: alice
        publicKey: |
$(indent '          ' alice.pub)
      - name: carol
        publicKey: |
$(indent '          ' carol.pub)
  attestors:
    - name: release-bot
      publicKey: |
$(indent '        ' bot.pub)
POLICY
declare -A D
for c in provenance secret-inventory permission-diff; do
	printf '{"schema":"https://tollgate.dev/schemas/evidence-report/v1","check":"%s","tool":{"name":"tollgate","version":"interop"},"inputs":{},"verdict":"pass","summary":"%s: pass","findings":[],"startedAt":"2026-01-01T00:00:00Z","finishedAt":"2026-01-01T00:00:00Z"}\n' "$c" "$c" >"ev/$c.json"
	D[$c]=sha256:$(sha256sum "ev/$c.json" | cut -d' ' -f1)
done

# --- approvals: alice with tollgate, carol with cosign attest-blob
POLICY_DIGEST=sha256:$(sha256sum policy.yaml | cut -d' ' -f1)
"$TOLLGATE" approve --yes rel/review.yaml --policy policy.yaml --key alice.key --log-level error >/dev/null
printf '{"review":"support-agent","reviewDigest":"sha256:%s","policyDigest":"%s","artifactDigest":"%s","time":"2026-01-01T00:00:00Z"}\n' "$REVIEW_HEX" "$POLICY_DIGEST" "$DIGEST" >approval.json
expect_ok "cosign attest-blob writes an approval tollgate will count" \
	"$COSIGN" attest-blob --key carol.key --predicate approval.json --type https://tollgate.dev/approval/v1 \
	--bundle rel/approvals/carol.sigstore.json --use-signing-config=false --tlog-upload=false --yes rel/review.yaml

# --- a key made by cosign generate-key-pair (encrypted, as in the Secret
# `cosign generate-key-pair k8s://` writes), its password read from a file
# (cosign.password) by tollgate; cosign verifies what tollgate signed with it
printf '%s' "$COSIGN_PASSWORD" >carol.password
printf 'not-the-password' >wrong.password
expect_ok "tollgate signs with cosign's encrypted carol.key, password from --key-password-file" \
	env -u COSIGN_PASSWORD "$TOLLGATE" approve --yes rel/review.yaml --policy policy.yaml --key carol.key --key-password-file carol.password -o carol-by-tollgate.sigstore.json
expect_ok "cosign verifies that approval with carol.pub" \
	"$COSIGN" verify-blob-attestation --insecure-ignore-tlog --bundle carol-by-tollgate.sigstore.json --key carol.pub \
	--type https://tollgate.dev/approval/v1 rel/review.yaml
expect_fail "a wrong password file is refused" \
	env -u COSIGN_PASSWORD "$TOLLGATE" approve --yes rel/review.yaml --policy policy.yaml --key carol.key --key-password-file wrong.password -o wrong.sigstore.json
if grep -rq 'not-the-password\|interop-secret' carol-by-tollgate.sigstore.json; then echo "FAIL a password reached a bundle"; exit 1; fi

# --- attest
"$TOLLGATE" attest --artifact-digest "$DIGEST" \
	--provenance-verdict pass --provenance-report-digest "${D[provenance]}" \
	--secret-inventory-verdict pass --secret-inventory-report-digest "${D[secret-inventory]}" \
	--permission-diff-verdict pass --permission-diff-report-digest "${D[permission-diff]}" \
	--review rel/review.yaml --policy policy.yaml --policy-digest "$POLICY_DIGEST" --evidence-dir ev --results-dir res --key bot.key \
	--run-engine local --log-level error
[[ $(cat res/verdict) == pass ]] || { echo "attest verdict $(cat res/verdict): $(cat res/summary)" >&2; exit 1; }
ok "tollgate attest PASSED with one tollgate and one cosign approval"

HEX=${DIGEST#sha256:}
V=(verify-blob-attestation --insecure-ignore-tlog --digestAlg sha256)

# --- attest signs with a key made by `cosign generate-key-pair` (encrypted;
# the password from a file, as the cosign.password key of the Secret
# `cosign generate-key-pair k8s://` writes), never from the environment
# here; cosign verifies the attestation with cosign's own carol.pub.
mkdir -p ev-carol res-carol
cp ev/provenance.json ev/secret-inventory.json ev/permission-diff.json ev-carol/
ATTEST=(attest --artifact-digest "$DIGEST"
	--provenance-verdict pass --provenance-report-digest "${D[provenance]}"
	--secret-inventory-verdict pass --secret-inventory-report-digest "${D[secret-inventory]}"
	--permission-diff-verdict pass --permission-diff-report-digest "${D[permission-diff]}"
	--review rel/review.yaml --policy policy.yaml --policy-digest "$POLICY_DIGEST" --evidence-dir ev-carol --results-dir res-carol
	--signing-mode key --key carol.key --run-engine local --log-level error)
expect_ok "tollgate attest signs with cosign's encrypted carol.key (--key-password-file)" \
	env -u COSIGN_PASSWORD "$TOLLGATE" "${ATTEST[@]}" --key-password-file carol.password
[[ $(cat res-carol/verdict) == pass ]] || { echo "attest (carol) verdict $(cat res-carol/verdict): $(cat res-carol/summary)" >&2; exit 1; }
expect_ok "cosign verifies that release-gate attestation with carol.pub" \
	"$COSIGN" "${V[@]}" --bundle ev-carol/release-gate.sigstore.json --key carol.pub --type https://tollgate.dev/release-gate/v1 --digest "$HEX"
expect_ok "tollgate verify accepts it with carol.pub" \
	"$TOLLGATE" verify --artifact-digest "$DIGEST" --bundle ev-carol/release-gate.sigstore.json --key carol.pub --policy-digest "$POLICY_DIGEST" --max-age 1h
rm -rf ev-wrong res-wrong && mkdir -p ev-wrong res-wrong && cp ev-carol/provenance.json ev-carol/secret-inventory.json ev-carol/permission-diff.json ev-wrong/
ATTEST_WRONG=("${ATTEST[@]/ev-carol/ev-wrong}")
ATTEST_WRONG=("${ATTEST_WRONG[@]/res-carol/res-wrong}")
expect_fail "tollgate attest refuses carol.key with a wrong password file" \
	env -u COSIGN_PASSWORD "$TOLLGATE" "${ATTEST_WRONG[@]}" --key-password-file wrong.password
expect_fail "tollgate attest refuses carol.key with no password at all" \
	env -u COSIGN_PASSWORD "$TOLLGATE" "${ATTEST_WRONG[@]}"
[[ ! -e ev-wrong/release-gate.sigstore.json ]] || { echo "FAIL a refused attest wrote a bundle"; exit 1; }
if grep -rq 'not-the-password\|interop-secret' ev-carol res-carol ev-wrong res-wrong; then echo "FAIL a password reached the evidence or results"; exit 1; fi
expect_ok "cosign verifies release-gate.sigstore.json (--type https://tollgate.dev/release-gate/v1)" \
	"$COSIGN" "${V[@]}" --bundle ev/release-gate.sigstore.json --key bot.pub --type https://tollgate.dev/release-gate/v1 --digest "$HEX"
expect_ok "cosign verifies verification-summary.sigstore.json (--type https://slsa.dev/verification_summary/v1)" \
	"$COSIGN" "${V[@]}" --bundle ev/verification-summary.sigstore.json --key bot.pub --type https://slsa.dev/verification_summary/v1 --digest "$HEX"
expect_ok "cosign verifies the tollgate approval against the review file" \
	"$COSIGN" verify-blob-attestation --insecure-ignore-tlog --bundle "$(ls rel/approvals/key-*.sigstore.json)" --key alice.pub \
	--type https://tollgate.dev/approval/v1 rel/review.yaml
expect_fail "cosign refuses another digest" \
	"$COSIGN" "${V[@]}" --bundle ev/release-gate.sigstore.json --key bot.pub --type https://tollgate.dev/release-gate/v1 --digest "$(printf '1%.0s' {1..64})"
expect_fail "cosign refuses the wrong key" \
	"$COSIGN" "${V[@]}" --bundle ev/release-gate.sigstore.json --key alice.pub --type https://tollgate.dev/release-gate/v1 --digest "$HEX"
expect_fail "cosign refuses the wrong predicate type" \
	"$COSIGN" "${V[@]}" --bundle ev/release-gate.sigstore.json --key bot.pub --type https://slsa.dev/verification_summary/v1 --digest "$HEX"

# --- keys the other way: cosign signs with a tollgate key
printf 'hello\n' >blob.txt
expect_ok "cosign sign-blob reads a tollgate keygen key" \
	"$COSIGN" sign-blob --key alice.key --bundle blob.sigstore.json --use-signing-config=false --tlog-upload=false blob.txt
expect_ok "cosign verify-blob with the tollgate public key" \
	"$COSIGN" verify-blob --key alice.pub --bundle blob.sigstore.json --insecure-ignore-tlog blob.txt

# --- keyless: a bundle signed through an in-process virtual Sigstore (Fulcio
# certificate + Rekor entry with SET and inclusion proof), verified by cosign
# against that Sigstore's trusted_root.json. The virtual CA embeds no SCT, so
# --insecure-ignore-sct; the transparency log IS verified.
SA=https://kubernetes.io/namespaces/ci/serviceaccounts/tollgate
ISS=https://kubernetes.default.svc
mkdir -p keyless
(cd "$ROOT" && TOLLGATE_INTEROP_DIR=$WORK/keyless TOLLGATE_INTEROP_DIGEST=$DIGEST TOLLGATE_INTEROP_SUBJECT=$SA \
	TOLLGATE_INTEROP_ISSUER=$ISS TOLLGATE_INTEROP_TYPE=https://tollgate.dev/release-gate/v1 \
	go test -count=1 -tags interop -run '^TestWriteKeylessFixture$' ./pkg/sign/signtest/ >/dev/null)
K=(verify-blob-attestation --bundle keyless/keyless.sigstore.json --trusted-root keyless/trusted_root.json
	--certificate-oidc-issuer "$ISS" --type https://tollgate.dev/release-gate/v1 --digestAlg sha256 --insecure-ignore-sct)
expect_ok "cosign verifies a keyless bundle (Fulcio certificate, Rekor entry) for the ServiceAccount identity" \
	"$COSIGN" "${K[@]}" --certificate-identity "$SA" --digest "$HEX"
expect_fail "cosign refuses the keyless bundle for another identity" \
	"$COSIGN" "${K[@]}" --certificate-identity https://kubernetes.io/namespaces/ci/serviceaccounts/other --digest "$HEX"

# --- and tollgate verify agrees
expect_ok "tollgate verify accepts the attestation" \
	"$TOLLGATE" verify --artifact-digest "$DIGEST" --bundle ev/release-gate.sigstore.json --key bot.pub --policy-digest "$POLICY_DIGEST" --max-age 1h

echo "interop: $pass checks passed (cosign $got)"

# --- optional timing: INTEROP_BENCH=N verifies the same bundle N times with
# each tool (whole process, as a promotion hook runs it).
if ((${INTEROP_BENCH:-0} > 0)); then
	n=$INTEROP_BENCH
	ms() { local t0 t1; t0=$(date +%s%N); for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1; done; t1=$(date +%s%N); echo $(((t1 - t0) / n / 1000000)); }
	tg=$(ms "$TOLLGATE" verify --artifact-digest "$DIGEST" --bundle ev/release-gate.sigstore.json --key bot.pub --max-age 1h)
	co=$(ms "$COSIGN" "${V[@]}" --bundle ev/release-gate.sigstore.json --key bot.pub --type https://tollgate.dev/release-gate/v1 --digest "$HEX")
	echo "bench: verify one release-gate bundle, mean of $n runs: tollgate verify ${tg} ms, cosign verify-blob-attestation ${co} ms"
fi
