// Wrapper module that builds cosign v3.1.3 for the e2e cluster's scenario
// 1 (hack/cluster/build.sh): cosign verifies the attestation the cluster's
// attest task signed.
module github.com/tollgate-dev/tollgate/hack/cluster/modules/cosign

go 1.23.0

require github.com/sigstore/cosign/v3 v3.1.3
