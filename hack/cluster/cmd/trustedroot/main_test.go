package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
)

// cert makes a certificate for name, signed by parent (self-signed when nil).
func cert(t *testing.T, name string, ca bool, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: ca, BasicConstraintsValid: true}
	if parent == nil {
		parent, parentKey = tmpl, k
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &k.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, k
}

func writePEM(t *testing.T, path string, certs ...*x509.Certificate) string {
	t.Helper()
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fulcioRoot, _ := cert(t, "fulcio", true, nil, nil)
	tsaRoot, tsaKey := cert(t, "tsa root", true, nil, nil)
	tsaLeaf, _ := cert(t, "tsa leaf", false, tsaRoot, tsaKey)
	fulcio := writePEM(t, filepath.Join(dir, "fulcio.pem"), fulcioRoot)
	tsa := writePEM(t, filepath.Join(dir, "tsa.pem"), tsaLeaf, tsaRoot)
	short := writePEM(t, filepath.Join(dir, "short.pem"), tsaLeaf)
	empty := filepath.Join(dir, "empty.pem")
	if err := os.WriteFile(empty, []byte("not a certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, fulcio, tsa string
		tsas              int
		wantErr           string
	}{
		{"fulcio and tsa", fulcio, tsa, 1, ""},
		{"fulcio only", fulcio, "", 0, ""},
		{"tsa chain without a root", fulcio, short, 0, "needs a signing certificate and a root"},
		{"no certificate", empty, tsa, 0, "no PEM certificate"},
		{"missing file", filepath.Join(dir, "absent.pem"), tsa, 0, "no such file"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(dir, "out", tc.name+".json")
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				t.Fatal(err)
			}
			err := run(tc.fulcio, "http://fulcio.test", tc.tsa, "http://tsa.test/api/v1/timestamp", out)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("case %d: error %v, want %q", i, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tr, err := root.NewTrustedRootFromPath(out)
			if err != nil {
				t.Fatal(err)
			}
			cas := tr.FulcioCertificateAuthorities()
			if len(cas) != 1 || !cas[0].(*root.FulcioCertificateAuthority).Root.Equal(fulcioRoot) {
				t.Errorf("certificate authorities %v, want the fulcio root", cas)
			}
			if got := len(tr.TimestampingAuthorities()); got != tc.tsas {
				t.Errorf("%d timestamp authorities, want %d", got, tc.tsas)
			}
			if len(tr.RekorLogs()) != 0 || len(tr.CTLogs()) != 0 {
				t.Errorf("the root names logs: %v %v", tr.RekorLogs(), tr.CTLogs())
			}
		})
	}
}
