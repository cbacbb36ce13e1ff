//go:build !linux

package secrets

import "os"

// readDir returns the entries of the directory dir, sorted by name.
func readDir(dir string, _ []byte, out []dirent) ([]dirent, error) {
	out = out[:0]
	ents, err := os.ReadDir(dir)
	for _, e := range ents {
		out = append(out, dirent{name: e.Name(), typ: e.Type()})
	}
	return out, err
}
