package secrets

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/secretgen"
)

// TestAdversarialCorpus scans the adversarial corpus (escapes, encodings,
// text encodings, binary files, compressed streams, nested .git, tar
// member types, key names, long lines, credentials as reference and file
// names, unscannable files) and requires precision and recall of 1.0 in
// every class. It prints the per-class table.
func TestAdversarialCorpus(t *testing.T) {
	t.Parallel()
	// The seed the CLI test uses, and two more: every seed rotates other
	// detectors through the cases.
	for _, seed := range []uint64{20261130, 1, 2} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { t.Parallel(); adversarialCorpus(t, seed) })
	}
}

func adversarialCorpus(t *testing.T, seed uint64) {
	truth, decoys := secretgen.Adversarial(seed)
	dir := t.TempDir()
	if err := secretgen.Write(dir, append(append([]secretgen.Planted{}, truth...), decoys...)); err != nil {
		t.Fatal(err)
	}
	s, err := New([]byte("adversarial-fingerprint-key-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Scan(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var found []secretgen.Found
	for _, f := range res.Findings {
		found = append(found, secretgen.Found{Path: f.Path, Rule: f.Rule})
	}
	for _, p := range res.Problems {
		found = append(found, secretgen.Found{Path: p.Path, Rule: secretgen.RuleUnscannable})
	}
	for _, r := range res.References {
		found = append(found, secretgen.Found{Path: r.Paths[0], Rule: "reference", Name: r.Name})
	}
	scores, notes := secretgen.ScoreCases(truth, decoys, found)
	var table bytes.Buffer
	secretgen.WriteScores(&table, scores)
	t.Logf("adversarial corpus: %d cases, %d decoys\n%s", len(truth), len(decoys), table.String())
	for _, n := range notes {
		t.Error(n)
	}
	for _, c := range secretgen.AdversarialClasses() {
		sc := scores[c]
		if sc == nil || sc.TP == 0 {
			t.Errorf("class %s has no true positive", c)
			continue
		}
		if sc.Precision() != 1 || sc.Recall() != 1 {
			t.Errorf("class %s: precision %.3f, recall %.3f; want 1.0 and 1.0", c, sc.Precision(), sc.Recall())
		}
	}
}
