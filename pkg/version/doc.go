// Package version reports the tollgate version, set at link time with
// -ldflags "-X github.com/tollgate-dev/tollgate/pkg/version.Version=v0.1.0"
// and otherwise taken from the module build information.
package version
