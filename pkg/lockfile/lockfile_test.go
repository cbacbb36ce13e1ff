package lockfile_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/lockfile"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		in   string
		want lockfile.Packages
	}{
		{"go.sum", "github.com/a/b v1.2.3 h1:abc=\ngithub.com/a/b v1.2.3/go.mod h1:def=\ngolang.org/x/mod v0.1.0/go.mod h1:x=\ngolang.org/x/mod v0.2.0 h1:y=\n",
			lockfile.Packages{"github.com/a/b": "v1.2.3", "golang.org/x/mod": "v0.1.0, v0.2.0"}},
		{"requirements.txt", "# comment\n--index-url https://x\nHTTPX==0.27.2 \\\n    --hash=sha256:abc\nPy_Yaml[extra]==6.0.2 ; python_version > '3'\nrequests>=2\nflask\n",
			lockfile.Packages{"httpx": "0.27.2", "py-yaml": "6.0.2", "requests": ">=2", "flask": ""}},
		{"package-lock.json", `{"lockfileVersion":3,"packages":{"":{"name":"app"},"node_modules/a":{"version":"1.0.0"},"node_modules/a/node_modules/b":{"version":"2.0.0"},"node_modules/@s/c":{"version":"3.0.0"}}}`,
			lockfile.Packages{"a": "1.0.0", "b": "2.0.0", "@s/c": "3.0.0"}},
		{"package-lock.json", `{"lockfileVersion":1,"dependencies":{"a":{"version":"1.0.0","dependencies":{"b":{"version":"2.0.0"}}}}}`,
			lockfile.Packages{"a": "1.0.0", "b": "2.0.0"}},
		{"uv.lock", "version = 1\n[[package]]\nname = \"httpx\"\nversion = \"0.27.2\"\nsource = { registry = \"https://pypi.org/simple\" }\n[package.optional-dependencies]\nx = []\n[[package]]\nname = \"Pydantic\"\nversion = \"2.9.2\"\n",
			lockfile.Packages{"httpx": "0.27.2", "pydantic": "2.9.2"}},
		{"poetry.lock", "[[package]]\nname = \"requests\"\nversion = \"2.32.3\"\n\n[package.dependencies]\nidna = \">=2.5\"\n\n[metadata]\nlock-version = \"2.0\"\nname = \"not-a-package\"\n",
			lockfile.Packages{"requests": "2.32.3"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			got, err := lockfile.Parse(lockfile.Detect(tc.file), []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestParsePEP508AndTOML: the cases the line-based parsers got wrong on
// main: a direct reference recorded "@" as its version, and TOML written
// in any valid form other than one key = "value" per line was misread.
func TestParsePEP508AndTOML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, in string
		want     lockfile.Packages
	}{
		{"requirements.txt", "torch @ https://download.pytorch.org/whl/cpu/torch-2.4.0.whl\nmylib[extra] @ git+https://example.com/mylib.git@v1.2 ; python_version >= '3.10'\n",
			lockfile.Packages{"torch": "https://download.pytorch.org/whl/cpu/torch-2.4.0.whl", "mylib": "git+https://example.com/mylib.git@v1.2"}},
		{"requirements.txt", "numpy>=1.26,<2\nscipy (==1.13.0)\npandas===2.2.2\n./local-pkg\n",
			lockfile.Packages{"numpy": ">=1.26,<2", "scipy": "1.13.0", "pandas": "2.2.2"}},
		{"uv.lock", "version = 1\n[[package]]\nname = 'httpx'   # single quotes, comment\nversion = \"\"\"0.27.2\"\"\"\n\n[[package]]\n  version = \"2.9.2\"\n  name = \"Pydantic\"\n",
			lockfile.Packages{"httpx": "0.27.2", "pydantic": "2.9.2"}},
		{"poetry.lock", "package = [{name = \"requests\", version = \"2.32.3\"}]\n[metadata]\nname = \"not-a-package\"\n",
			lockfile.Packages{"requests": "2.32.3"}},
	}
	for _, tc := range tests {
		got, err := lockfile.Parse(lockfile.Detect(tc.file), []byte(tc.in))
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.file, got, tc.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ eco, in string }{
		{lockfile.Go, "not a go.sum line\n"},
		{lockfile.NPM, "{"},
		{"cargo", ""},
		{lockfile.PyPI, strings.Repeat("x", lockfile.MaxSize+1)},
		{lockfile.UV, "[[package]\nname = \"a\"\n"},
		{lockfile.Poetry, "[[package]]\nversion = \"1\"\n"},
	} {
		if _, err := lockfile.Parse(tc.eco, []byte(tc.in)); err == nil {
			t.Fatalf("%s: accepted %.20q", tc.eco, tc.in)
		}
	}
}

func TestDiff(t *testing.T) {
	t.Parallel()
	got := lockfile.Diff(lockfile.Packages{"a": "1", "b": "2", "c": ""}, lockfile.Packages{"a": "1", "b": "3", "d": "4"})
	want := []lockfile.Change{{Name: "b", Old: "2", New: "3"}, {Name: "c", Old: "(unpinned)"}, {Name: "d", New: "4"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
}

func TestDetect(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{"a/go.sum": "go", "requirements.txt": "pypi", "web/package-lock.json": "npm", "uv.lock": "uv", "poetry.lock": "poetry", "go.mod": ""} {
		if got := lockfile.Detect(name); got != want {
			t.Fatalf("%s: %q", name, got)
		}
	}
}

// FuzzParse feeds arbitrary lock files to every parser: no panic, and the
// result never holds an empty package name.
func FuzzParse(f *testing.F) {
	f.Add("go", "github.com/a/b v1.2.3 h1:abc=\n")
	f.Add("pypi", "httpx==0.27.2\nflask[async]>=2 ; python_version>'3'\n")
	f.Add("npm", `{"packages":{"node_modules/a":{"version":"1"}},"dependencies":{"b":{"version":"2"}}}`)
	f.Add("uv", "[[package]]\nname = \"a\"\nversion = \"1\"\n")
	f.Add("poetry", "[[package]]\nname = 'a'\nversion = '1'\n[metadata]\n")
	f.Fuzz(func(t *testing.T, eco, in string) {
		pkgs, err := lockfile.Parse(eco, []byte(in))
		if err != nil {
			return
		}
		if _, ok := pkgs[""]; ok {
			t.Fatalf("empty package name from %q", in)
		}
	})
}
