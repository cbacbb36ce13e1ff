//go:build !linux

package artifact

import "os"

// adviseSequential is a no-op where posix_fadvise is not available.
func adviseSequential(*os.File, int64, int64) {}
