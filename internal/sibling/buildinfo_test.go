package sibling

import (
	"bytes"
	"debug/buildinfo"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// goExecutables are Go binaries to read: this test binary and the go
// command of the toolchain running the tests.
func goExecutables(t *testing.T) []string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	files := []string{self}
	if gobin, err := exec.LookPath("go"); err == nil {
		files = append(files, gobin)
	}
	return files
}

// TestReadBuildInfoMatchesStdlib: the build information read here is
// debug/buildinfo's, field by field, on real executables.
func TestReadBuildInfoMatchesStdlib(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("ELF executables only")
	}
	for _, file := range goExecutables(t) {
		want, err := buildinfo.ReadFile(file)
		if err != nil {
			t.Fatalf("%s: debug/buildinfo: %v", file, err)
		}
		got, err := readFileBuildInfo(file)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		var settings []string
		for _, s := range want.Settings {
			settings = append(settings, s.Key+"="+s.Value)
		}
		slices.Sort(settings)
		mod := strings.Join([]string{want.Main.Path, want.Main.Version, want.Main.Sum}, "\t")
		if got.goVersion != want.GoVersion || got.path != want.Path || strings.TrimRight(got.mod, "\t") != strings.TrimRight(mod, "\t") || !slices.Equal(got.settings, settings) {
			t.Fatalf("%s: read %+v\nwant %s %s %q %q", file, got, want.GoVersion, want.Path, mod, settings)
		}
	}
}

// TestReadBuildInfoRefuses: files that are not Go ELF executables, or are
// cut or corrupted, are refused with an error, never a panic.
func TestReadBuildInfoRefuses(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("ELF executables only")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mutate := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	cases := map[string][]byte{
		"empty":             nil,
		"a script":          []byte("#!/bin/sh\necho hash\n"),
		"32-bit ELF":        mutate(func(b []byte) []byte { b[4] = 1; return b }),
		"big-endian ELF":    mutate(func(b []byte) []byte { b[5] = 2; return b }),
		"header only":       good[:64],
		"section table cut": good[:len(good)/2],
		"no sections": mutate(func(b []byte) []byte {
			binary.LittleEndian.PutUint16(b[0x3c:], 0)
			return b
		}),
		"section table far away": mutate(func(b []byte) []byte {
			binary.LittleEndian.PutUint64(b[0x28:], 1<<40)
			return b
		}),
		"build information renamed": mutate(func(b []byte) []byte {
			return bytes.Replace(b, []byte(".go.buildinfo\x00"), []byte(".go.buildinfX\x00"), 1)
		}),
		"magic corrupted": mutate(func(b []byte) []byte {
			return bytes.Replace(b, []byte(buildInfoMagic), []byte("\xff Go buildinX:"), 1)
		}),
	}
	for name, b := range cases {
		file := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		if err := os.WriteFile(file, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if bi, err := readFileBuildInfo(file); err == nil {
			t.Errorf("%s: read %+v, want an error", name, bi)
		}
	}
}

// FuzzParseBuildInfo: any section contents give build information or an
// error, within bounds.
func FuzzParseBuildInfo(f *testing.F) {
	mod := "0w\xaf\f\x92t\b\x02A\xe1\xc1\a\xe6\xd6\x18\xe6path\tgithub.com/tollgate-dev/tollgate/cmd/hash\nmod\tgithub.com/tollgate-dev/tollgate\t(devel)\t\nbuild\t-trimpath=true\n\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2"
	hdr := append([]byte(buildInfoMagic), 8, flagInline)
	hdr = append(hdr, make([]byte, 32-len(hdr))...)
	seed := binary.AppendUvarint(hdr, uint64(len("go1.26.8")))
	seed = append(seed, "go1.26.8"...)
	seed = binary.AppendUvarint(seed, uint64(len(mod)))
	seed = append(seed, mod...)
	f.Add(seed)
	f.Add(hdr)
	f.Add([]byte(buildInfoMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		bi, err := parseBuildInfo(b)
		if err == nil && (bi.path == "" || bi.goVersion == "") {
			t.Fatalf("accepted incomplete build information %+v", bi)
		}
	})
}
