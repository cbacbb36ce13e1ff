//go:build tools

// Package tools pins the Fulcio server hack/cluster/build.sh builds.
package tools

import _ "github.com/sigstore/fulcio"
