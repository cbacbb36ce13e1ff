package secretgen_test

import (
	"bytes"
	"encoding/base64"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/secretgen"
	"github.com/tollgate-dev/tollgate/pkg/secrets"
)

// TestRulesMatchScanner keeps the literal rule IDs equal to the scanner's.
func TestRulesMatchScanner(t *testing.T) {
	t.Parallel()
	var want []string
	for _, r := range secrets.Rules() {
		want = append(want, r.ID)
	}
	if got := secretgen.Rules(); !slices.Equal(got, want) {
		t.Fatalf("secretgen.Rules() = %v\nsecrets.Rules() IDs = %v", got, want)
	}
}

func TestBase62CRC32MatchesScanner(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "a", "0123456789abcdefghijABCDEFGHIJ", strings.Repeat("z", 30)} {
		if got, want := secretgen.Base62CRC32(s), secrets.Base62CRC32(s); got != want {
			t.Errorf("Base62CRC32(%q) = %s, scanner %s", s, got, want)
		}
	}
}

// TestDeterministic: a seed gives the same corpus, private keys included;
// another seed a different one.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	t1, d1 := secretgen.Corpus(4, 7)
	t2, d2 := secretgen.Corpus(4, 7)
	if !reflect.DeepEqual(t1, t2) || !reflect.DeepEqual(d1, d2) {
		t.Fatal("Corpus(4, 7) differs between calls")
	}
	t3, _ := secretgen.Corpus(4, 8)
	if reflect.DeepEqual(t1, t3) {
		t.Fatal("Corpus(4, 8) equals Corpus(4, 7)")
	}
}

// TestValuesArePlanted: every value of a true sample is in its body, as is
// or base64-encoded (a Kubernetes Secret) or JSON-escaped (a PEM key in a
// service-account file); decoys carry none.
func TestValuesArePlanted(t *testing.T) {
	t.Parallel()
	truth, decoys := secretgen.Corpus(4, 42)
	rules := map[string]bool{}
	for _, p := range truth {
		if len(p.Values) == 0 || len(p.Rules) == 0 {
			t.Errorf("%s: no values or rules", p.Name)
		}
		for _, r := range p.Rules {
			rules[r] = true
		}
		for _, v := range p.Values {
			forms := [][]byte{[]byte(v), []byte(base64.StdEncoding.EncodeToString([]byte(v))), []byte(strings.ReplaceAll(v, "\n", `\n`))}
			if !slices.ContainsFunc(forms, func(f []byte) bool { return bytes.Contains(p.Body, f) }) {
				t.Errorf("%s: value %.12q... not in the body", p.Name, v)
			}
		}
	}
	for _, r := range secretgen.Rules() {
		if !rules[r] {
			t.Errorf("rule %s has no true sample", r)
		}
	}
	for _, p := range decoys {
		if len(p.Values) != 0 || len(p.Rules) != 0 {
			t.Errorf("decoy %s has values or rules", p.Name)
		}
	}
}

// TestValue covers every rule and refuses an unknown one.
func TestValue(t *testing.T) {
	t.Parallel()
	g := secretgen.New(1)
	for _, r := range secretgen.Rules() {
		for i := range 4 {
			v, err := g.Value(r, i)
			if err != nil || len(v) < 12 {
				t.Errorf("Value(%s, %d) = %q, %v", r, i, v, err)
			}
		}
		if secretgen.EnvName(r) == "" {
			t.Errorf("EnvName(%s) is empty", r)
		}
	}
	if _, err := g.Value("no-such-rule", 0); err == nil {
		t.Error("Value(no-such-rule) did not fail")
	}
}

// TestPrivateKeysScan: each key encoding is a private key to the scanner.
func TestPrivateKeysScan(t *testing.T) {
	t.Parallel()
	g := secretgen.New(3)
	dir := t.TempDir()
	var files []secretgen.Planted
	for i := range 4 {
		files = append(files, secretgen.Planted{Name: string(rune('a'+i)) + ".pem", Body: []byte(g.PrivateKeyPEM(i))})
	}
	if err := secretgen.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	s, err := secrets.New([]byte("secretgen-test-fingerprint-key-0123"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Scan(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range res.Findings {
		got[f.Path] = f.Rule
	}
	for _, f := range files {
		if got[f.Name] != secretgen.RulePrivateKey {
			t.Errorf("%s: scanner found %q, want %s", f.Name, got[f.Name], secretgen.RulePrivateKey)
		}
	}
}
