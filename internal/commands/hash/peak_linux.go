package hash

import "syscall"

// peakRSSMiB is the process's peak resident memory so far (getrusage
// ru_maxrss, KiB on Linux), logged by --part and --merge so a pod's own
// figure is in its log (the cgroup's counts the page cache too).
func peakRSSMiB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024
}
