package secretgen

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/redact"
)

// Found is what a scanner reported: a finding (its rule), a file it could
// not scan (Rule RuleUnscannable), or a reference (Rule "reference", Name
// the reference's name).
type Found struct {
	Path, Rule, Name string
}

// Score counts one class's true positives, false positives and misses.
type Score struct{ TP, FP, FN int }

// Precision is TP/(TP+FP), 1 when nothing was reported.
func (s Score) Precision() float64 { return ratio(s.TP, s.TP+s.FP) }

// Recall is TP/(TP+FN), 1 when nothing was expected.
func (s Score) Recall() float64 { return ratio(s.TP, s.TP+s.FN) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// ScoreCases matches what a scanner found under the corpus root with the
// cases: each expected (case, rule) found is a true positive, each one
// missing a miss, each other finding or problem in a case's file a false
// positive, and so is any reported path or reference name that holds a
// planted value (it would leak). Findings in archive members
// ("a.zip!b") count for the case a.zip; a case's name with its planted
// values masked (a credential in a file name) is matched too. notes
// explains every miss and false positive.
func ScoreCases(truth, decoys []Planted, found []Found) (scores map[string]*Score, notes []string) {
	scores = map[string]*Score{}
	sc := func(class string) *Score {
		if scores[class] == nil {
			scores[class] = &Score{}
		}
		return scores[class]
	}
	all := append(append([]Planted{}, truth...), decoys...)
	names := map[string]int{}
	for i, p := range all {
		sc(p.Class)
		names[p.Name] = i
		masked := p.Name
		for _, v := range p.Values {
			for _, r := range p.Rules {
				masked = strings.ReplaceAll(masked, v, redact.Mark(r))
			}
		}
		names[masked] = i
	}
	caseOf := func(path string) int {
		if i, ok := names[path]; ok {
			return i
		}
		if k := strings.IndexByte(path, '!'); k >= 0 {
			if i, ok := names[path[:k]]; ok {
				return i
			}
		}
		return -1
	}
	got := map[[2]string]bool{}
	for _, f := range found {
		i := caseOf(f.Path)
		if f.Rule == "reference" {
			for _, p := range truth {
				for _, v := range p.Values {
					if len(v) >= 8 && strings.Contains(f.Name, v) {
						sc(p.Class).FP++
						notes = append(notes, fmt.Sprintf("%s: reference %q carries the value planted in %s", p.Class, f.Name, p.Name))
					}
				}
			}
			continue
		}
		for _, p := range truth {
			for _, v := range p.Values {
				if len(v) >= 8 && strings.Contains(f.Path, v) {
					sc(p.Class).FP++
					notes = append(notes, fmt.Sprintf("%s: reported path %q carries the value planted in %s", p.Class, f.Path, p.Name))
				}
			}
		}
		if i < 0 {
			continue // outside the corpus cases
		}
		p := all[i]
		key := [2]string{p.Name, f.Rule}
		if got[key] {
			continue
		}
		got[key] = true
		want := false
		for _, r := range p.Rules {
			want = want || r == f.Rule
		}
		if want {
			sc(p.Class).TP++
			continue
		}
		sc(p.Class).FP++
		notes = append(notes, fmt.Sprintf("%s: false positive %s in %s (%s)", p.Class, f.Rule, f.Path, kind(p)))
	}
	for _, p := range truth {
		for _, r := range p.Rules {
			if !got[[2]string{p.Name, r}] {
				sc(p.Class).FN++
				notes = append(notes, fmt.Sprintf("%s: missed %s in %s", p.Class, r, p.Name))
			}
		}
	}
	sort.Strings(notes)
	return scores, notes
}

func kind(p Planted) string {
	if len(p.Rules) == 0 {
		return "decoy"
	}
	return "expected " + strings.Join(p.Rules, ", ")
}

// WriteScores writes the per-class table: cases, true and false
// positives, misses, precision and recall, and the total.
func WriteScores(w io.Writer, scores map[string]*Score) (total Score) {
	classes := make([]string, 0, len(scores))
	for c := range scores {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	fmt.Fprintf(w, "%-26s %4s %4s %4s %9s %7s\n", "class", "tp", "fp", "fn", "precision", "recall")
	for _, c := range classes {
		s := scores[c]
		total.TP, total.FP, total.FN = total.TP+s.TP, total.FP+s.FP, total.FN+s.FN
		fmt.Fprintf(w, "%-26s %4d %4d %4d %9.3f %7.3f\n", c, s.TP, s.FP, s.FN, s.Precision(), s.Recall())
	}
	fmt.Fprintf(w, "%-26s %4d %4d %4d %9.3f %7.3f\n", "all", total.TP, total.FP, total.FN, total.Precision(), total.Recall())
	return total
}
