//go:build tools

// Package tools pins the timestamp authority server hack/cluster/build.sh builds.
package tools

import _ "github.com/sigstore/timestamp-authority/cmd/timestamp-server"
