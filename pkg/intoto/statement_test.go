package intoto_test

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/intoto"
)

var subject = digest.MustParse("sha256:92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4")

func TestNew(t *testing.T) {
	t.Parallel()
	b, err := intoto.New("release", subject, "https://tollgate.dev/test/v1", map[string]string{"b": "<2>", "a": "1"})
	if err != nil {
		t.Fatal(err)
	}
	// The bytes are what tollgate has always signed: compact, struct
	// order, sorted predicate keys, no HTML escaping.
	want := `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"release","digest":{"sha256":"92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4"}}],"predicateType":"https://tollgate.dev/test/v1","predicate":{"a":"1","b":"<2>"}}`
	if string(b) != want {
		t.Fatalf("New =\n%s\nwant\n%s", b, want)
	}
	for _, d := range []digest.Digest{{}, digest.MustParse("sha512:" + strings.Repeat("0", 128))} {
		if _, err := intoto.New("x", d, "t", 1); err == nil {
			t.Errorf("New accepted subject digest %q", d)
		}
	}
	if _, err := intoto.New("x", subject, "t", func() {}); err == nil {
		t.Error("New accepted a predicate that does not encode")
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	b, err := intoto.New("release", subject, "https://tollgate.dev/test/v1", map[string]string{"a": "1"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := intoto.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	other := digest.MustParse("sha256:" + strings.Repeat("0", 64))
	if !st.HasSubject(subject) || st.HasSubject(other) || st.HasSubject(digest.Digest{}) {
		t.Fatal("HasSubject is wrong")
	}
	if got := st.Subject[0].String(); got != `"release" `+subject.String() {
		t.Fatalf("Subject.String = %s", got)
	}
	if want := `{"a":"1"}`; string(st.Predicate) != want {
		t.Fatalf("predicate %s, want %s", st.Predicate, want)
	}
	v01 := strings.Replace(string(b), intoto.StatementType, intoto.StatementTypeV01, 1)
	if _, err := intoto.Parse([]byte(v01)); err != nil {
		t.Fatalf("cosign's Statement v0.1 refused: %v", err)
	}
	tests := []struct{ name, in, want string }{
		{"empty object", `{}`, "_type"},
		{"no subject", `{"_type":"https://in-toto.io/Statement/v1","subject":[]}`, "no subject"},
		{"upper-case digest", `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":"AB"}}]}`, "subject[0] (x)"},
		{"sha512 only", `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha512":"00"}}]}`, "no lowercase hex sha256"},
		{"not JSON", `[`, "decode in-toto statement"},
		{"too large", `{"_type":"` + strings.Repeat("x", intoto.MaxSize) + `"}`, "larger than"},
	}
	for _, tt := range tests {
		if _, err := intoto.Parse([]byte(tt.in)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Parse err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

// FuzzParse checks that accepted statements have the invariants verifiers
// rely on.
func FuzzParse(f *testing.F) {
	st, err := intoto.New("r", subject, "t", map[string]int{"a": 1})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(st)
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":"00"}}]}`))
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1","subject":null,"predicate":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := intoto.Parse(b)
		if err != nil {
			return
		}
		if (st.Type != intoto.StatementType && st.Type != intoto.StatementTypeV01) || len(st.Subject) == 0 {
			t.Fatalf("accepted %q", b)
		}
		for _, s := range st.Subject {
			d, err := s.SHA256()
			if err != nil || !st.HasSubject(d) {
				t.Fatalf("subject %v not found by HasSubject (%v)", s, err)
			}
		}
	})
}
