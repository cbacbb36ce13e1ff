//go:build tools

// Package tools pins the development tools make builds (golangci-lint) in a
// module of their own, so that their dependencies never enter tollgate's
// go.mod.
package tools

import (
	_ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
)
