//go:build !linux

package secrets

import "errors"

// mapHuge is not available: the caller allocates on the Go heap.
func mapHuge(int) ([]byte, func(), error) {
	return nil, nil, errors.New("huge pages are not supported here")
}
