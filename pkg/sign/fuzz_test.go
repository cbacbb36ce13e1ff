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
