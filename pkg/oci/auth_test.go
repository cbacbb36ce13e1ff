package oci

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

func TestParseDockerConfig(t *testing.T) {
	t.Parallel()
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct {
		name, doc, ref  string
		user, pass, err string
	}{
		{name: "auth field", doc: `{"auths":{"registry.example":{"auth":"` + b64("ci:s3cret") + `"}}}`, ref: "registry.example/a/b@sha256:" + strings.Repeat("1", 64), user: "ci", pass: "s3cret"},
		{name: "URL key with port", doc: `{"auths":{"https://127.0.0.1:5000/v2/":{"username":"u","password":"p"}}}`, ref: "127.0.0.1:5000/a:1", user: "u", pass: "p"},
		{name: "Docker Hub key", doc: `{"auths":{"https://index.docker.io/v1/":{"auth":"` + b64("hub:pw") + `"}}}`, ref: "library/busybox:1", user: "hub", pass: "pw"},
		{name: "no entry: anonymous", doc: `{"auths":{"other.example":{"auth":"` + b64("a:b") + `"}}}`, ref: "registry.example/a:1"},
		{name: "no auths at all", doc: `{}`, ref: "registry.example/a:1"},
		{name: "credential helpers are not run", doc: `{"credsStore":"desktop","credHelpers":{"registry.example":"evil"}}`, ref: "registry.example/a:1"},
		{name: "auth not base64", doc: `{"auths":{"r.example":{"auth":"s3cret!"}}}`, err: `the auth of registry "r.example" is not base64`},
		{name: "auth without colon", doc: `{"auths":{"r.example":{"auth":"` + b64("s3cret") + `"}}}`, err: "is not user:password"},
		{name: "empty key", doc: `{"auths":{"":{}}}`, err: "names no registry"},
		{name: "syntax", doc: `{"auths":{"r":{"password":"s3cret"`, err: "malformed JSON"},
		{name: "wrong type", doc: `{"auths":{"r":{"password":7}}}`, err: `field "auths.password" has the wrong type`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k, err := ParseDockerConfig([]byte(tc.doc))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Fatalf("error quotes the credential: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ref, err := name.ParseReference(tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			a, err := k.Resolve(ref.Context())
			if err != nil {
				t.Fatal(err)
			}
			if tc.user == "" {
				if a != authn.Anonymous {
					t.Fatalf("got %v, want anonymous", a)
				}
				return
			}
			c, err := a.Authorization()
			if err != nil {
				t.Fatal(err)
			}
			if c.Username != tc.user || c.Password != tc.pass {
				t.Fatalf("got %q/%q, want %q/%q", c.Username, c.Password, tc.user, tc.pass)
			}
		})
	}
}

func TestLoadDockerConfig(t *testing.T) {
	t.Parallel()
	doc := []byte(`{"auths":{"r.example":{"username":"u","password":"p"}}}`)
	secret := t.TempDir() // a mounted kubernetes.io/dockerconfigjson Secret
	if err := os.WriteFile(filepath.Join(secret, ".dockerconfigjson"), doc, 0o600); err != nil {
		t.Fatal(err)
	}
	dockerDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dockerDir, "config.json"), doc, 0o600); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path, err string }{
		{"Secret directory", secret, ""},
		{"Docker config directory", dockerDir, ""},
		{"file", filepath.Join(dockerDir, "config.json"), ""},
		{"empty directory", empty, "holds neither config.json nor .dockerconfigjson"},
		{"missing", filepath.Join(empty, "nope"), "no such file"},
		{"fifo", fifo, "not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k, err := LoadDockerConfig(tc.path)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(k.Registries(), ","); got != "r.example" {
				t.Fatalf("registries %q", got)
			}
		})
	}
}
