//go:build tools

// Package tools pins the Argo Workflows commands hack/cluster/build.sh builds.
package tools

import (
	_ "github.com/argoproj/argo-workflows/v3/cmd/argoexec"
	_ "github.com/argoproj/argo-workflows/v3/cmd/workflow-controller"
)
