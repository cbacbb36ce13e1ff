package signing

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/pkg/sign"
)

func TestSigner(t *testing.T) {
	t.Setenv("TEST_KEY_PASSWORD", "from-env")
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	priv, _, err := sign.GenerateKey([]byte("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	envPriv, _, err := sign.GenerateKey([]byte("from-env"))
	if err != nil {
		t.Fatal(err)
	}
	plain, _, err := sign.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	enc := write("cosign.key", string(priv))
	encEnv := write("env.key", string(envPriv))
	unenc := write("plain.key", string(plain))
	good := write("cosign.password", "correct horse")
	goodNL := write("nl.password", "correct horse\n")
	wrong := write("wrong.password", "battery staple")
	missing := filepath.Join(dir, "absent.password")

	for _, tc := range []struct {
		name string
		o    Options
		code int    // 0: a signer
		err  string // substring of the error
	}{
		{name: "encrypted key, password file", o: Options{Key: enc, PasswordFile: good}},
		{name: "password file with trailing newline", o: Options{Key: enc, PasswordFile: goodNL}},
		{name: "mode key ignores the other modes' flags", o: Options{Mode: ModeKey, Key: enc, PasswordFile: good, KMS: "fakekms://x", OIDCTokenFile: "/nonexistent"}},
		{name: "encrypted key, password env", o: Options{Key: encEnv, PasswordEnv: "TEST_KEY_PASSWORD"}},
		{name: "unencrypted key, no password file", o: Options{Key: unenc, PasswordFile: missing}},
		{name: "wrong password", o: Options{Key: enc, PasswordFile: wrong}, code: cli.ExitInvalidInput, err: "wrong password for encrypted key"},
		{name: "password file missing for an encrypted key", o: Options{Key: enc, PasswordFile: missing, PasswordEnv: "TEST_UNSET_VARIABLE"}, code: cli.ExitInvalidInput, err: "is encrypted: pass its password"},
		{name: "password file not a file", o: Options{Key: enc, PasswordFile: dir}, code: cli.ExitInvalidInput, err: "--key-password-file"},
		{name: "two modes", o: Options{Key: enc, KMS: "fakekms://x"}, code: cli.ExitUsage, err: "pass exactly one of"},
		{name: "no mode", o: Options{}, code: cli.ExitUsage, err: "pass exactly one of"},
		{name: "unknown mode", o: Options{Mode: "hsm", Key: enc}, code: cli.ExitUsage, err: "--signing-mode must be one of key, kms, keyless"},
		{name: "mode without its flag", o: Options{Mode: ModeKMS, Key: enc}, code: cli.ExitUsage, err: "--signing-mode kms needs --kms"},
		{name: "keyless without log or timestamps", o: Options{Mode: ModeKeyless, OIDCTokenFile: good}, code: cli.ExitUsage, err: "needs a transparency log (--rekor-url) or a timestamp authority (--tsa-url)"},
		{name: "keyless token not a JWT", o: Options{Mode: ModeKeyless, OIDCTokenFile: good, TSAURL: "http://127.0.0.1:1/api/v1/timestamp"}, code: cli.ExitInvalidInput, err: "is not a JWT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.o.Signer(context.Background())
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if s.Identity().String() == "" {
					t.Fatal("no identity")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
			if got := cli.CodeOf(err); got != tc.code {
				t.Fatalf("exit code %d, want %d (%v)", got, tc.code, err)
			}
			for _, secret := range []string{"correct horse", "battery staple", "from-env"} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error leaks a password: %v", err)
				}
			}
			if tc.code == cli.ExitInvalidInput && strings.Contains(tc.err, "wrong password") && !errors.Is(err, sign.ErrPassword) {
				t.Fatalf("not ErrPassword: %v", err)
			}
		})
	}
}
