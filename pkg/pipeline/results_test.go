package pipeline_test

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/pipeline"
)

func TestResultValues(t *testing.T) {
	t.Parallel()
	d := "sha256:" + strings.Repeat("ab", 32)
	tests := []struct {
		name, value string
		digest      bool
		want, err   string
		missing     bool
	}{
		{name: "verdict", value: "fail", want: "fail"},
		{name: "verdict with newline", value: "pass\n", want: "pass"},
		{name: "digest", value: d, digest: true, want: d},
		{name: "missing", missing: true, err: "result x is missing: pass --x"},
		{name: "empty", value: "", err: "result x is empty"},
		{name: "blank", value: " \n", err: "result x is empty"},
		{name: "tekton", value: "$(tasks.provenance.results.verdict)", err: "was not substituted ($(tasks.provenance.results.verdict)): the Tekton task"},
		{name: "tekton digest", value: "$(tasks.a.results.report-digest)", digest: true, err: "the Tekton task"},
		{name: "argo", value: "{{tasks.provenance.outputs.parameters.verdict}}", err: "the Argo step"},
		{name: "unknown verdict", value: "PASS", err: `result x is "PASS", not one of pass, fail, error`},
		{name: "uppercase digest", value: strings.ToUpper(d), digest: true, err: "result x: digest \"SHA256:ABAB"},
		{name: "short digest", value: "sha256:abc", digest: true, err: "not sha256"},
		{name: "huge", value: strings.Repeat("a", 300), err: "longer than any valid value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rs := pipeline.Results{}
			if !tc.missing {
				rs["x"] = tc.value
			}
			var got string
			var err error
			if tc.digest {
				var dg digest.Digest
				dg, err = rs.Digest("x")
				got = dg.String()
			} else {
				vd, e := rs.Verdict("x")
				got, err = string(vd), e
			}
			switch {
			case tc.err == "" && (err != nil || got != tc.want):
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("error %v, want %q", err, tc.err)
			}
		})
	}
}

func TestResultNames(t *testing.T) {
	t.Parallel()
	want := "artifact-digest provenance-verdict provenance-report-digest secret-inventory-verdict secret-inventory-report-digest permission-diff-verdict permission-diff-report-digest"
	if got := strings.Join(pipeline.ResultNames(), " "); got != want {
		t.Fatalf("got %s", got)
	}
}

// FuzzResult: any value is accepted only in its canonical form, and every
// rejection names the result.
func FuzzResult(f *testing.F) {
	for _, s := range []string{"pass", "fail\n", "error", "", "$(tasks.x.results.y)", "{{tasks.x.outputs.parameters.y}}",
		"sha256:" + strings.Repeat("0", 64), "sha256:" + strings.Repeat("0", 63) + "\n", "\x00pass", "pass\u00a0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rs := pipeline.Results{"r": s}
		if v, err := rs.Verdict("r"); err == nil {
			if !v.Valid() {
				t.Fatalf("accepted verdict %q from %q", v, s)
			}
		} else if !strings.HasPrefix(err.Error(), "result r ") && !strings.HasPrefix(err.Error(), "result r:") {
			t.Fatalf("error does not name the result: %v", err)
		}
		if d, err := rs.Digest("r"); err == nil {
			if p, perr := digest.ParseSHA256(d.String()); perr != nil || p != d {
				t.Fatalf("accepted digest %q from %q", d, s)
			}
		} else if !strings.HasPrefix(err.Error(), "result r ") && !strings.HasPrefix(err.Error(), "result r:") {
			t.Fatalf("error does not name the result: %v", err)
		}
	})
}
