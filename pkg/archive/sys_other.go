//go:build !unix

package archive

const (
	syscallNoFollow = 0
	syscallNonBlock = 0
)
