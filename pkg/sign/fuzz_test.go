package sign_test

import (
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/sign"
)

// FuzzParsePrivateKey feeds arbitrary PEM to the key parser: it must
// return a key or an error, never panic, and never accept a key it cannot
// sign with.
func FuzzParsePrivateKey(f *testing.F) {
	priv, _, err := sign.GenerateKey(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(priv, []byte(nil))
	f.Add([]byte("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----\n"), []byte(nil))
	f.Add([]byte("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJrZGYiOnt9fQ==\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"), []byte("pw"))
	f.Fuzz(func(t *testing.T, b, password []byte) {
		k, err := sign.ParsePrivateKey(b, password)
		if err != nil {
			return
		}
		if _, err := sign.NewKeySigner(k); err != nil {
			t.Fatalf("parsed a key that cannot sign: %v", err)
		}
	})
}

// FuzzParseStatement checks that accepted statements have the invariants
// verifiers rely on.
func FuzzParseStatement(f *testing.F) {
	st, err := sign.NewStatement("r", digest, "t", map[string]int{"a": 1})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(st)
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":"00"}}]}`))
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1","subject":null,"predicate":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := sign.ParseStatement(b)
		if err != nil {
			return
		}
		if (st.Type != sign.StatementType && st.Type != sign.StatementTypeV01) || len(st.Subject) == 0 {
			t.Fatalf("accepted %q", b)
		}
		for _, s := range st.Subject {
			if !st.HasSubject("sha256:" + s.Digest["sha256"]) {
				t.Fatalf("subject %v not found by HasSubject", s)
			}
		}
	})
}
