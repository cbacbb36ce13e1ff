package version

import "runtime/debug"

// Version is overridden at link time; see the package doc.
var Version = ""

// String returns the version, "devel" when unknown.
func String() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
