package sibling

import (
	"bytes"
	"errors"
	"io"
	"slices"
)

// buildInfo is what the same-build rule compares: the build information
// the Go linker embeds in an executable's .go.buildinfo section, as
// debug/buildinfo reads it. This package reads it itself, from ELF files
// only, because debug/buildinfo (through runtime/debug) and path/filepath
// are initialised late in tollgate's package order; internal/handoff needs
// this package before any heavy package (see its doc).
type buildInfo struct {
	goVersion string
	path      string // the main package
	mod       string // the main module: path, version and sum, tab-separated
	settings  []string
}

// Bounds on what is read of an executable. A Go binary has a few dozen
// sections and a build information section of a few kilobytes.
const (
	maxSections     = 1 << 12
	maxSectionNames = 1 << 20
	maxBuildInfo    = 1 << 20
	buildInfoMagic  = "\xff Go buildinf:"
	// flagInline marks build information stored inline (Go 1.18 and later).
	flagInline = 0x2
)

var errNoBuildInfo = errors.New("no Go build information (not a Go executable, or built before Go 1.18)")

// readBuildInfo reads the build information of the ELF executable r.
func readBuildInfo(r io.ReaderAt) (*buildInfo, error) {
	data, err := buildInfoSection(r)
	if err != nil {
		return nil, err
	}
	return parseBuildInfo(data)
}

// buildInfoSection returns the contents of the .go.buildinfo section of
// the little-endian ELF64 file r (Linux on amd64, arm64, riscv64, ...).
func buildInfoSection(r io.ReaderAt) ([]byte, error) {
	var h [64]byte
	if _, err := r.ReadAt(h[:], 0); err != nil {
		return nil, wrap("read ELF header", err)
	}
	if string(h[:4]) != "\x7fELF" {
		return nil, errors.New("not an ELF executable")
	}
	if h[4] != 2 || h[5] != 1 {
		return nil, errors.New("not a little-endian 64-bit ELF executable")
	}
	shoff, shentsize, shnum, shstrndx := le64(h[0x28:]), le16(h[0x3a:]), le16(h[0x3c:]), le16(h[0x3e:])
	if shentsize != 64 || shnum == 0 || int(shnum) > maxSections || shstrndx >= shnum || shoff > 1<<48 {
		return nil, errors.New("malformed ELF section table")
	}
	sh := make([]byte, int(shnum)*64)
	if _, err := r.ReadAt(sh, int64(shoff)); err != nil {
		return nil, wrap("read ELF section table", err)
	}
	section := func(i int, limit uint64) ([]byte, error) {
		s := sh[i*64 : (i+1)*64]
		off, size := le64(s[0x18:]), le64(s[0x20:])
		if size > limit || off > 1<<48 {
			return nil, errors.New("ELF section " + itoa(uint64(i)) + " is " + itoa(size) + " bytes, over " + itoa(limit))
		}
		b := make([]byte, size)
		if _, err := r.ReadAt(b, int64(off)); err != nil {
			return nil, wrap("read ELF section "+itoa(uint64(i)), err)
		}
		return b, nil
	}
	names, err := section(int(shstrndx), maxSectionNames)
	if err != nil {
		return nil, err
	}
	for i := range int(shnum) {
		off := le32(sh[i*64:])
		if uint64(off) >= uint64(len(names)) {
			continue
		}
		name, _, ok := bytes.Cut(names[off:], []byte{0})
		if ok && string(name) == ".go.buildinfo" {
			return section(i, maxBuildInfo)
		}
	}
	return nil, errNoBuildInfo
}

// parseBuildInfo reads a .go.buildinfo section: a 32-byte header (magic,
// pointer size, flags), then the Go version and the module information as
// length-prefixed strings.
func parseBuildInfo(data []byte) (*buildInfo, error) {
	if len(data) < 32 || string(data[:len(buildInfoMagic)]) != buildInfoMagic || data[15]&flagInline == 0 {
		return nil, errNoBuildInfo
	}
	rest := data[32:]
	str := func() (string, bool) {
		n, w := uvarint(rest)
		if w <= 0 || n > uint64(len(rest)-w) {
			return "", false
		}
		s := string(rest[w : w+int(n)])
		rest = rest[w+int(n):]
		return s, true
	}
	vers, ok1 := str()
	mod, ok2 := str()
	if !ok1 || !ok2 || vers == "" {
		return nil, errors.New("malformed Go build information")
	}
	// The module information is framed by two 16-byte sentinels.
	if len(mod) >= 33 && mod[len(mod)-17] == '\n' {
		mod = mod[16 : len(mod)-16]
	} else {
		return nil, errors.New("no module information (built outside a module?)")
	}
	bi := &buildInfo{goVersion: vers}
	for rest := mod; rest != ""; {
		var line string
		line, rest, _ = cut(rest, '\n')
		key, value, _ := cut(line, '\t')
		switch key {
		case "path":
			bi.path = value
		case "mod":
			bi.mod = value
		case "build":
			bi.settings = append(bi.settings, value)
		}
	}
	if bi.path == "" {
		return nil, errors.New("malformed Go module information")
	}
	slices.Sort(bi.settings)
	return bi, nil
}

// sameBuild accepts other as the main package name beside self's, built
// from the same module version and commit with the same toolchain and
// settings (flags, ldflags, GOOS/GOARCH, VCS state).
func sameBuild(self, other *buildInfo, name string) error {
	want := self.path[:lastIndexByte(self.path, '/')+1] + name
	switch {
	case other.path != want:
		return errors.New("it is " + quote(other.path) + ", want " + quote(want))
	case other.mod != self.mod:
		return errors.New("another module version (" + spaced(other.mod) + ", this is " + spaced(self.mod) + ")")
	case other.goVersion != self.goVersion:
		return errors.New("built with " + other.goVersion + ", this with " + self.goVersion)
	case !slices.Equal(self.settings, other.settings):
		return errors.New("another build (its build settings or VCS revision differ)")
	}
	return nil
}
