package signer_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/invalid"
	"github.com/tollgate-dev/tollgate/pkg/signer"
)

func TestKey(t *testing.T) {
	t.Parallel()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	want := "key:" + hex.EncodeToString(sum[:])
	id, err := signer.Key(k.Public())
	if err != nil || id.String() != want || !id.IsKey() || id.Name() != want || id.Issuer() != "" {
		t.Fatalf("Key = %q, %v; want %q", id, err, want)
	}
	fromHint, err := signer.KeyFromDigest(sum[:])
	if err != nil || fromHint != id || signer.KeyFromDER(der) != id {
		t.Fatalf("KeyFromDigest = %v, %v; KeyFromDER = %v", fromHint, err, signer.KeyFromDER(der))
	}
	if _, err := signer.KeyFromDigest(sum[:31]); err == nil || !invalid.Is(err) {
		t.Fatalf("KeyFromDigest of 31 bytes: %v", err)
	}
	if _, err := signer.Key("not a key"); err == nil {
		t.Fatal("Key of a string succeeded")
	}
}

func TestCertificate(t *testing.T) {
	t.Parallel()
	id, err := signer.Certificate("alice@example.com", "https://accounts.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if id.String() != "alice@example.com (issuer https://accounts.example.com)" || id.IsKey() || id.Name() != "alice@example.com" || id.Issuer() != "https://accounts.example.com" {
		t.Fatalf("Certificate = %q", id)
	}
	for _, bad := range [][2]string{{"", "iss"}, {"sub", ""}, {"sub", "a (issuer b"}} {
		if _, err := signer.Certificate(bad[0], bad[1]); err == nil || !invalid.Is(err) {
			t.Errorf("Certificate(%q, %q): %v", bad[0], bad[1], err)
		}
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	key := "key:" + strings.Repeat("ab", 32)
	tests := []struct {
		in, subject, issuer, wantErr string
		isKey                        bool
	}{
		{in: key, isKey: true, subject: key},
		{in: "alice@example.com (issuer https://accounts.example.com)", subject: "alice@example.com", issuer: "https://accounts.example.com"},
		// a private-CA certificate: X.509 names, with spaces and parentheses
		{in: "CN=release bot,O=Acme (issuer CN=Acme CA (2026),O=Acme)", subject: "CN=release bot,O=Acme", issuer: "CN=Acme CA (2026),O=Acme"},
		// a subject that looks like a key is still a certificate subject
		{in: key + " (issuer x)", subject: key, issuer: "x"},
		{in: "", wantErr: "neither"},
		{in: "key:" + strings.Repeat("AB", 32), wantErr: "lowercase hex"},
		{in: "key:abc", wantErr: "lowercase hex"},
		{in: "alice@example.com", wantErr: "neither"},
		{in: "alice (issuer )", wantErr: "needs a subject and an issuer"},
		{in: " (issuer x)", wantErr: "needs a subject and an issuer"},
		{in: "alice (issuer x", wantErr: "neither"},
		{in: strings.Repeat("x", 10000), wantErr: "…"},
	}
	for _, tt := range tests {
		id, err := signer.Parse(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !invalid.Is(err) || len(err.Error()) > 400 {
				t.Errorf("Parse(%.30q) = %v, %v; want an invalid-input error containing %q", tt.in, id, err, tt.wantErr)
			}
			continue
		}
		if err != nil || id.String() != tt.in || id.IsKey() != tt.isKey || id.Name() != tt.subject || id.Issuer() != tt.issuer {
			t.Errorf("Parse(%q) = %q (name %q, issuer %q), %v", tt.in, id, id.Name(), id.Issuer(), err)
		}
	}
}

// TestEquality: identities compare by what they name, so separation of
// duties compares like with like.
func TestEquality(t *testing.T) {
	t.Parallel()
	a, _ := signer.Certificate("alice@example.com", "https://accounts.example.com")
	parsed, _ := signer.Parse(a.String())
	other, _ := signer.Certificate("alice@example.com", "https://other.example.com")
	if a != parsed || a == other || a.IsZero() || !(signer.Identity{}).IsZero() {
		t.Fatalf("equality: %v %v %v", a, parsed, other)
	}
}

func TestJSON(t *testing.T) {
	t.Parallel()
	type approval struct {
		Signer signer.Identity `json:"signer"`
	}
	id, _ := signer.Certificate("https://kubernetes.io/namespaces/ci/serviceaccounts/tollgate", "https://kubernetes.default.svc")
	b, err := json.Marshal(approval{Signer: id})
	if err != nil || string(b) != `{"signer":"https://kubernetes.io/namespaces/ci/serviceaccounts/tollgate (issuer https://kubernetes.default.svc)"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var back approval
	if err := json.Unmarshal(b, &back); err != nil || back.Signer != id {
		t.Fatalf("Unmarshal = %v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"signer":""}`), &back); err != nil || !back.Signer.IsZero() {
		t.Fatalf(`Unmarshal "" = %v, %v`, back, err)
	}
	if err := json.Unmarshal([]byte(`{"signer":"mallory"}`), &back); err == nil {
		t.Fatal("Unmarshal accepted a signer in neither form")
	}
}

// FuzzParse: whatever Parse accepts, String writes back byte for byte, and
// parsing that gives the same Identity.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"key:" + strings.Repeat("0", 64), "a (issuer b)", "CN=x (issuer CN=y (z))", "a (issuer b (issuer c)", "key:", " (issuer )", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := signer.Parse(s)
		if err != nil {
			if !id.IsZero() {
				t.Fatalf("refused %q but returned %v", s, id)
			}
			return
		}
		if id.String() != s || id.IsZero() {
			t.Fatalf("Parse(%q).String() = %q", s, id)
		}
		again, err := signer.Parse(id.String())
		if err != nil || again != id {
			t.Fatalf("Parse(String()) of %q = %v, %v", s, again, err)
		}
	})
}
