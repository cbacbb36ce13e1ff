package secrets

import (
	"context"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/secretgen"
)

// gen adapts secretgen.Gen, the corpus generator this test shares with
// the e2e leak test, to the names the other tests of this package use.
type gen struct {
	*secretgen.Gen
	r *rand.Rand
}

func newGen(seed uint64) *gen {
	g := secretgen.New(seed)
	return &gen{Gen: g, r: g.Rand()}
}

func (g *gen) crcToken(prefix string) string { return g.CRCToken(prefix) }
func (g *gen) pkcs12() []byte                { return g.PKCS12() }
func (g *gen) privateKeyPEM(i int) string    { return g.PrivateKeyPEM(i) }

// TestCorpusPrecisionRecall plants valid secrets for every detector and
// decoys, and requires recall and precision of at least 0.97 overall and
// per detector.
func TestCorpusPrecisionRecall(t *testing.T) {
	t.Parallel()
	truth, decoys := secretgen.Corpus(40, 42)
	dir := t.TempDir()
	if err := secretgen.Write(dir, append(append([]secretgen.Planted{}, truth...), decoys...)); err != nil {
		t.Fatal(err)
	}
	s, err := New([]byte("corpus-fingerprint-key-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Scan(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Fatalf("problems: %v", res.Problems)
	}
	type pr struct{ path, rule string }
	want := map[pr]bool{}
	for _, p := range truth {
		for _, r := range p.Rules {
			want[pr{p.Name, r}] = true
		}
	}
	got := map[pr]bool{}
	for _, f := range res.Findings {
		path, _, _ := strings.Cut(f.Path, "!")
		got[pr{path, f.Rule}] = true
	}
	type score struct{ tp, fp, fn int }
	per := map[string]*score{}
	sc := func(r string) *score {
		if per[r] == nil {
			per[r] = &score{}
		}
		return per[r]
	}
	for k := range want {
		if got[k] {
			sc(k.rule).tp++
		} else {
			sc(k.rule).fn++
			t.Logf("missed %s in %s", k.rule, k.path)
		}
	}
	for k := range got {
		if !want[k] {
			sc(k.rule).fp++
			t.Logf("false positive %s in %s", k.rule, k.path)
		}
	}
	rules := make([]string, 0, len(per))
	for r := range per {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	var total score
	t.Logf("%-28s %5s %5s %5s %9s %7s", "detector", "tp", "fp", "fn", "precision", "recall")
	for _, r := range rules {
		s := per[r]
		total.tp, total.fp, total.fn = total.tp+s.tp, total.fp+s.fp, total.fn+s.fn
		p, rc := ratio(s.tp, s.tp+s.fp), ratio(s.tp, s.tp+s.fn)
		t.Logf("%-28s %5d %5d %5d %9.3f %7.3f", r, s.tp, s.fp, s.fn, p, rc)
		if p < 0.97 || rc < 0.97 {
			t.Errorf("%s: precision %.3f, recall %.3f; want >= 0.97", r, p, rc)
		}
	}
	p, rc := ratio(total.tp, total.tp+total.fp), ratio(total.tp, total.tp+total.fn)
	t.Logf("%-28s %5d %5d %5d %9.3f %7.3f", "overall", total.tp, total.fp, total.fn, p, rc)
	if p < 0.97 || rc < 0.97 {
		t.Errorf("overall precision %.3f, recall %.3f; want >= 0.97", p, rc)
	}
	for _, r := range Rules() {
		if per[r.ID] == nil || per[r.ID].tp == 0 {
			t.Errorf("detector %s has no true sample in the corpus", r.ID)
		}
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
