//go:build tools

// Package tools pins the cosign command hack/cluster/build.sh builds.
package tools

import _ "github.com/sigstore/cosign/v3/cmd/cosign"
