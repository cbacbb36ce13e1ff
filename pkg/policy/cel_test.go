package policy

import (
	"strings"
	"testing"
	"time"
)

func TestCompileRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, expr, err string
	}{
		{name: "ok", expr: `checks.all(c, checks[c].verdict == "pass") && size(findings) < 10`},
		{name: "timestamps", expr: `exceptions.all(x, x.expires - now < duration("720h"))`},
		{name: "syntax", expr: `checks.all(c,`, err: "Syntax error"},
		{name: "undeclared", expr: `secrets.size() == 0`, err: "undeclared reference to 'secrets'"},
		{name: "not bool", expr: `size(findings)`, err: "expression is of type int, want bool"},
		{name: "dyn", expr: `artifact.digest`, err: "want bool"},
		{name: "quadratic", expr: `findings.all(f, findings.all(g, f.class != g.class || f.path == g.path))`, err: "estimated cost"},
		{name: "too long", expr: strings.Repeat("true && ", MaxExpression/8+1) + "true", err: "exceeds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := CompileRules([]Rule{{Name: "r", Expression: tc.expr}})
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.err != "" && err == nil:
				t.Fatalf("accepted %q", tc.expr)
			case tc.err != "" && !strings.Contains(err.Error(), tc.err):
				t.Fatalf("error %q does not contain %q", err, tc.err)
			case err != nil && !strings.Contains(err.Error(), "spec.rules[0] (r)"):
				t.Fatalf("error %q does not name the rule", err)
			}
		})
	}
}

func TestCompileRulesLimit(t *testing.T) {
	t.Parallel()
	rules := make([]Rule, MaxRules+1)
	for i := range rules {
		rules[i] = Rule{Name: "r", Expression: "true"}
	}
	if _, err := CompileRules(rules); err == nil || !strings.Contains(err.Error(), "at most 64") {
		t.Fatalf("error %v", err)
	}
}

func TestPolicyValidateCompilesRules(t *testing.T) {
	t.Parallel()
	doc := `apiVersion: tollgate.dev/v1alpha1
kind: ReleasePolicy
metadata: {name: p}
spec:
  approvals: {required: 1, approvers: [{name: a, publicKey: PEM}]}
  rules:
  - {name: broken, expression: "findings.exists(f, f.severity ==)"}
`
	if _, err := Decode([]byte(doc)); err == nil || !strings.Contains(err.Error(), "spec.rules[0] (broken)") {
		t.Fatalf("error %v", err)
	}
}

func TestRuleEval(t *testing.T) {
	t.Parallel()
	rs, err := CompileRules([]Rule{
		{Name: "hold", Expression: `findings.all(f, !f.blocking) && now > timestamp("2020-01-01T00:00:00Z")`},
		{Name: "missing-key", Expression: `checks.provenance.verdict == "pass"`},
		{Name: "costly", Expression: `findings.all(f, !f.message.matches("b+c"))`},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Within the static estimate's sizes the rule is cheap; on 10,000
	// findings of 100 kB each it exceeds MaxCost at runtime.
	long := strings.Repeat("a", 100_000)
	big := make([]any, 10_000)
	for i := range big {
		big[i] = map[string]any{"message": long, "blocking": false}
	}
	vars := map[string]any{
		VarArtifact: map[string]any{}, VarRelease: map[string]any{}, VarChecks: map[string]any{},
		VarFindings: []any{map[string]any{"blocking": false}}, VarApprovals: []any{}, VarExceptions: []any{},
		VarNow: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	if ok, err := rs[0].Eval(vars); err != nil || !ok {
		t.Fatalf("hold: %v %v", ok, err)
	}
	if _, err := rs[1].Eval(vars); err == nil || !strings.Contains(err.Error(), "rule missing-key: no such key") {
		t.Fatalf("missing key: %v", err)
	}
	vars[VarFindings] = big
	if _, err := rs[2].Eval(vars); err == nil || !strings.Contains(err.Error(), "cost limit") {
		t.Fatalf("costly rule: %v", err)
	}
}

func FuzzCompileRules(f *testing.F) {
	for _, s := range []string{
		`checks.all(c, checks[c].verdict == "pass")`,
		`findings.exists(f, f.class.startsWith("secrets.") && !f.waived)`,
		`exceptions.all(x, x.expires - now < duration("720h"))`,
		`size(approvals) >= 2 || release.model.name == "x"`,
		`findings.all(f, findings.all(g, f == g))`,
		`[1,2,3].map(x, x * 2)[0] == 2`,
	} {
		f.Add(s)
	}
	vars := map[string]any{
		VarArtifact: map[string]any{"digest": "sha256:00"}, VarRelease: map[string]any{"name": "r", "model": map[string]any{}},
		VarChecks:    map[string]any{"provenance": map[string]any{"verdict": "pass", "findings": int64(1)}},
		VarFindings:  []any{map[string]any{"class": "secrets.literal.x", "waived": false, "message": "m"}},
		VarApprovals: []any{}, VarExceptions: []any{}, VarNow: time.Unix(0, 0).UTC(),
	}
	f.Fuzz(func(t *testing.T, expr string) {
		rs, err := CompileRules([]Rule{{Name: "fuzz", Expression: expr}})
		if err != nil {
			return
		}
		// Any compiled rule evaluates to a bool or an error, never panics.
		_, _ = rs[0].Eval(vars)
	})
}
