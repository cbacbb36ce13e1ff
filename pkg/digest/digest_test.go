package digest_test

import (
	"crypto/sha256"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
)

var (
	hex64  = strings.Repeat("ab", 32)
	hex96  = strings.Repeat("cd", 48)
	hex128 = strings.Repeat("ef", 64)
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in  string
		sha256    bool // ParseSHA256 accepts it too
		wantAlgo  digest.Algorithm
		wantError string
	}{
		{name: "sha256", in: "sha256:" + hex64, sha256: true, wantAlgo: digest.SHA256},
		{name: "sha384", in: "sha384:" + hex96, wantAlgo: digest.SHA384},
		{name: "sha512", in: "sha512:" + hex128, wantAlgo: digest.SHA512},
		{name: "upper case", in: "sha256:" + strings.ToUpper(hex64), wantError: "lowercase hex"},
		{name: "bare hex", in: hex64, wantError: "lowercase hex"},
		{name: "short", in: "sha256:abc", wantError: "lowercase hex"},
		{name: "sha256 with sha512 length", in: "sha256:" + hex128, wantError: "lowercase hex"},
		{name: "unknown algorithm", in: "md5:" + strings.Repeat("0", 32), wantError: "lowercase hex"},
		{name: "algorithm case", in: "SHA256:" + hex64, wantError: "lowercase hex"},
		{name: "empty", in: "", wantError: `digest ""`},
		{name: "unsubstituted", in: "$(tasks.provenance.results.report-digest)", wantError: `"$(tasks.provenance.results.report-digest)"`},
		{name: "trailing newline", in: "sha256:" + hex64 + "\n", wantError: "lowercase hex"},
		{name: "huge value is quoted in part", in: "sha256:" + strings.Repeat("x", 10000), wantError: "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := digest.Parse(tt.in)
			if tt.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantError) || !invalid.Is(err) || len(err.Error()) > 300 {
					t.Fatalf("Parse(%.20q) = %v, %v; want an invalid-input error containing %q", tt.in, d, err, tt.wantError)
				}
				if !d.IsZero() {
					t.Fatalf("a refused digest is not zero: %v", d)
				}
				return
			}
			if err != nil || d.String() != tt.in || d.Algorithm() != tt.wantAlgo || len(d.Raw()) != tt.wantAlgo.Size() {
				t.Fatalf("Parse(%q) = %v (%s, %d bytes), %v", tt.in, d, d.Algorithm(), len(d.Raw()), err)
			}
			s, err := digest.ParseSHA256(tt.in)
			if tt.sha256 != (err == nil) || (err == nil && s != d) {
				t.Fatalf("ParseSHA256(%q) = %v, %v", tt.in, s, err)
			}
			if err != nil && (!strings.Contains(err.Error(), "not sha256:<64 lowercase hex digits>") || !invalid.Is(err)) {
				t.Fatalf("ParseSHA256 error = %v", err)
			}
		})
	}
}

func TestNewAndFromBytes(t *testing.T) {
	t.Parallel()
	sum := sha256.Sum256([]byte("x"))
	d, err := digest.New(digest.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	if d != digest.FromBytes([]byte("x")) || d.String() != "sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881" {
		t.Fatalf("New = %v, FromBytes = %v", d, digest.FromBytes([]byte("x")))
	}
	if _, err := digest.New(digest.SHA256, sum[:31]); err == nil || !invalid.Is(err) {
		t.Fatalf("New with 31 bytes: %v", err)
	}
	if _, err := digest.New("md5", sum[:16]); err == nil {
		t.Fatal("New with an unknown algorithm succeeded")
	}
}

func TestZero(t *testing.T) {
	t.Parallel()
	var z digest.Digest
	if !z.IsZero() || z.String() != "" || z.Raw() != nil || z.Hex() != "" || z.Algorithm() != "" {
		t.Fatalf("zero digest: %q", z.String())
	}
	if digest.FromBytes(nil).IsZero() {
		t.Fatal("the digest of nothing is not the zero Digest")
	}
}

func TestJSON(t *testing.T) {
	t.Parallel()
	type doc struct {
		Required digest.Digest            `json:"required"`
		Optional digest.Digest            `json:"optional,omitzero"`
		ByName   map[string]digest.Digest `json:"byName,omitempty"`
	}
	d := digest.FromBytes([]byte("report"))
	b, err := json.Marshal(doc{Required: d, ByName: map[string]digest.Digest{"a": d}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"required":"` + d.String() + `","byName":{"a":"` + d.String() + `"}}`
	if string(b) != want {
		t.Fatalf("Marshal = %s, want %s", b, want)
	}
	var back doc
	if err := json.Unmarshal(b, &back); err != nil || back.Required != d || back.ByName["a"] != d || !back.Optional.IsZero() {
		t.Fatalf("Unmarshal = %+v, %v", back, err)
	}
	// "" decodes as the zero Digest, so optional fields round-trip.
	if err := json.Unmarshal([]byte(`{"required":""}`), &back); err != nil || !back.Required.IsZero() {
		t.Fatalf(`Unmarshal "" = %+v, %v`, back, err)
	}
	for _, bad := range []string{`{"required":"sha256:nope"}`, `{"required":1}`, `{"byName":{"a":"SHA256:00"}}`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("Unmarshal(%s) accepted", bad)
		}
	}
}

// FuzzParse: whatever Parse accepts round-trips through String, JSON and
// Raw, and is canonical (lower case, its algorithm's length).
func FuzzParse(f *testing.F) {
	for _, s := range []string{"sha256:" + hex64, "sha384:" + hex96, "sha512:" + hex128, "sha256:", ":", "",
		"sha256:" + strings.ToUpper(hex64), "sha256:" + hex64[:63] + "g", "$(tasks.a.results.b)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := digest.Parse(s)
		if err != nil {
			if !d.IsZero() || !invalid.Is(err) {
				t.Fatalf("refused %q but returned %v, %v", s, d, err)
			}
			return
		}
		if d.String() != s || d.IsZero() || len(d.Raw()) != d.Algorithm().Size() || strings.ToLower(s) != s {
			t.Fatalf("accepted %q as %v", s, d)
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var back digest.Digest
		if err := json.Unmarshal(b, &back); err != nil || back != d {
			t.Fatalf("JSON round trip of %q: %v, %v", s, back, err)
		}
		again, err := digest.New(d.Algorithm(), d.Raw())
		if err != nil || again != d {
			t.Fatalf("New(Raw) of %q: %v, %v", s, again, err)
		}
	})
}
