package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/secretgen"
	"github.com/tollgate-dev/tollgate/pkg/redact"
)

// adversarialSeed is the seed of the corpus (hack/gen-adversarial writes
// the same one).
const adversarialSeed = 20261130

// TestAdversarialCLI runs the adversarial corpus through the public CLI,
// as the cases kept aside are run: `tollgate scan-secrets --format json`
// on every secret class, `tollgate diff-permissions` on every permission
// case, and every output of diff-permissions, scan-secrets and
// `tollgate review --redact` on the leak cases. Precision and recall must
// be 1.0 in every class; the per-class table is printed.
func TestAdversarialCLI(t *testing.T) {
	t.Parallel()
	scores := map[string]*secretgen.Score{}
	var notes []string

	// Secrets.
	truth, decoys := secretgen.Adversarial(adversarialSeed)
	dir := filepath.Join(t.TempDir(), "secrets")
	if err := secretgen.Write(dir, append(append([]secretgen.Planted{}, truth...), decoys...)); err != nil {
		t.Fatal(err)
	}
	res := run(t, dir, nil, "tollgate", "scan-secrets", ".", "--format", "json", "--log-level", "error")
	if res.code != 1 {
		t.Fatalf("scan-secrets on the corpus: want exit 1, got %s", res)
	}
	var out struct {
		Findings   []struct{ Path, Rule string }
		Problems   []struct{ Path string }
		References []struct {
			Name  string
			Paths []string
		}
	}
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("scan-secrets --format json: %v", err)
	}
	var found []secretgen.Found
	for _, f := range out.Findings {
		found = append(found, secretgen.Found{Path: f.Path, Rule: f.Rule})
	}
	for _, p := range out.Problems {
		found = append(found, secretgen.Found{Path: p.Path, Rule: secretgen.RuleUnscannable})
	}
	for _, r := range out.References {
		found = append(found, secretgen.Found{Path: r.Paths[0], Rule: "reference", Name: r.Name})
	}
	s, n := secretgen.ScoreCases(truth, decoys, found)
	for c, sc := range s {
		scores[c] = sc
	}
	notes = append(notes, n...)

	// Permissions.
	for _, c := range secretgen.PermissionCases() {
		base := filepath.Join(t.TempDir(), "baseline")
		cand := filepath.Join(t.TempDir(), "candidate")
		if err := secretgen.WriteTree(base, c.Baseline); err != nil {
			t.Fatal(err)
		}
		if err := secretgen.WriteTree(cand, c.Candidate); err != nil {
			t.Fatal(err)
		}
		r := run(t, base, nil, "tollgate", "diff-permissions", "--baseline", base, "--candidate", cand, "--log-level", "error")
		sc := scores[c.Class]
		if sc == nil {
			sc = &secretgen.Score{}
			scores[c.Class] = sc
		}
		blocked := r.code == 1 || r.code == 3
		switch {
		case c.Block && blocked:
			sc.TP++
		case c.Block:
			sc.FN++
			notes = append(notes, c.Class+": "+c.Name+" did not block: "+r.String())
		case blocked:
			sc.FP++
			notes = append(notes, c.Class+": decoy "+c.Name+" blocked: "+r.String())
		}
		if r.code != 0 && r.code != 1 && r.code != 3 {
			notes = append(notes, c.Class+": "+c.Name+": unexpected exit: "+r.String())
		}
	}

	// Leaks: no output shows a secret (recall), every output still shows
	// what is not one (precision).
	empty := t.TempDir()
	for _, c := range secretgen.LeakCases(adversarialSeed) {
		art := filepath.Join(t.TempDir(), "art")
		if err := secretgen.WriteTree(art, c.Files); err != nil {
			t.Fatal(err)
		}
		outputs := map[string]string{}
		for _, f := range []string{"text", "json", "sarif"} {
			d := run(t, art, nil, "tollgate", "--log-level", "debug", "--log-format", "console", "diff-permissions", "--baseline", empty, "--candidate", art, "--format", f)
			outputs["diff-permissions "+f] = d.stdout + d.stderr
			sc := run(t, art, nil, "tollgate", "--log-level", "debug", "--log-format", "console", "scan-secrets", art, "--format", f)
			outputs["scan-secrets "+f] = sc.stdout + sc.stderr
		}
		rec := filepath.Join(t.TempDir(), "review.yaml")
		rv := run(t, art, nil, "tollgate", "--log-level", "debug", "--log-format", "console", "review", art, "-o", rec, "--redact")
		outputs["review --redact"] = rv.stdout + rv.stderr
		if b, err := os.ReadFile(rec); err == nil {
			outputs["review record"] = string(b)
		}
		refused := run(t, art, nil, "tollgate", "--log-level", "debug", "--log-format", "console", "review", art, "-o", rec+".2")
		outputs["review"] = refused.stdout + refused.stderr
		if b, err := os.ReadFile(rec + ".2"); err == nil {
			outputs["review record (no --redact)"] = string(b)
		}
		// When --redact masked a literal credential, the record would
		// have copied it: without --redact review refuses (exit 1,
		// naming the file) and writes nothing.
		if strings.Contains(outputs["review record"], redact.Marker) {
			rs := scores[leakReviewRefusal]
			if rs == nil {
				rs = &secretgen.Score{}
				scores[leakReviewRefusal] = rs
			}
			_, statErr := os.Stat(rec + ".2")
			if refused.code == 1 && os.IsNotExist(statErr) && namesAFile(refused.stderr, c.Files) {
				rs.TP++
			} else {
				rs.FN++
				notes = append(notes, leakReviewRefusal+": "+c.Name+": review did not refuse naming the file: "+refused.String())
			}
		}
		sc := scores[c.Class]
		if sc == nil {
			sc = &secretgen.Score{}
			scores[c.Class] = sc
		}
		leaked := false
		for name, o := range outputs {
			for _, v := range c.Secrets {
				if w := leakedWindow(o, v, c.Public); w != "" {
					leaked = true
					notes = append(notes, c.Class+": "+c.Name+": "+name+" shows "+printable(w))
				}
			}
		}
		if leaked {
			sc.FN++
		} else {
			sc.TP++
		}
		for _, v := range c.Visible {
			if !strings.Contains(outputs["diff-permissions text"]+outputs["review record"]+outputs["scan-secrets text"], v) {
				sc.FP++
				notes = append(notes, c.Class+": "+c.Name+": "+printable(v)+" was masked or lost, but is not a secret")
			}
		}
	}

	// Precision of the refusal: review writes the record of a tree
	// holding no literal credential (every permission case's baseline).
	rs := scores[leakReviewRefusal]
	if rs == nil {
		rs = &secretgen.Score{}
		scores[leakReviewRefusal] = rs
	}
	for _, c := range secretgen.PermissionCases() {
		if c.Block {
			continue // one decoy tree per case is enough
		}
		art := filepath.Join(t.TempDir(), "clean")
		if err := secretgen.WriteTree(art, c.Baseline); err != nil {
			t.Fatal(err)
		}
		rec := filepath.Join(t.TempDir(), "review.yaml")
		if r := run(t, art, nil, "tollgate", "review", art, "-o", rec, "--log-level", "error"); r.code != 0 {
			rs.FP++
			notes = append(notes, leakReviewRefusal+": "+c.Class+"/"+c.Name+": review refused a clean tree: "+r.String())
		}
	}

	var table bytes.Buffer
	secretgen.WriteScores(&table, scores)
	t.Logf("adversarial corpus through the CLI:\n%s", table.String())
	for _, n := range notes {
		t.Error(n)
	}
	for c, sc := range scores {
		if sc.TP == 0 || sc.Precision() != 1 || sc.Recall() != 1 {
			t.Errorf("class %s: %d true positives, precision %.3f, recall %.3f; want 1.0 and 1.0", c, sc.TP, sc.Precision(), sc.Recall())
		}
	}
}

// leakReviewRefusal scores `tollgate review` refusing records that would
// copy a credential (recall) and writing clean ones (precision).
const leakReviewRefusal = "leak-review-refusal"

// namesAFile reports whether an error message names one of the files.
func namesAFile(msg string, files map[string]string) bool {
	for f := range files {
		if strings.Contains(msg, f) {
			return true
		}
	}
	return false
}

// leakedWindow returns the first piece of v that o holds: v itself when
// it is short or holds control characters (a forged log line), else any
// 8-byte window that is not inside the token's public prefix.
func leakedWindow(o, v string, public []string) string {
	if len(v) < 16 || strings.IndexFunc(v, func(r rune) bool { return r < 0x20 }) >= 0 {
		if strings.Contains(o, v) {
			return v
		}
		return ""
	}
windows:
	for i := 0; i+8 <= len(v); i++ {
		w := v[i : i+8]
		for _, p := range public {
			if strings.HasPrefix(v, p) && i+8 <= len(p) {
				continue windows // the token's public prefix
			}
		}
		if strings.Contains(o, w) {
			return w
		}
	}
	return ""
}

func printable(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
