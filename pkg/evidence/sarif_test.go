package evidence_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

func TestSARIF(t *testing.T) {
	t.Parallel()
	findings := []evidence.Finding{
		{Class: "permissions.changed", Severity: evidence.Medium, Fingerprint: "sha256:b", Path: "tools/orders.tools.json", Subject: "orders/get", Message: "description changed"},
		{Class: "secrets.literal.github-token", Severity: evidence.Critical, Fingerprint: "hmac:a", Path: "a.env", Line: 3, Message: "literal GitHub token", Blocking: true},
		{Class: "provenance.image-unresolved", Severity: evidence.Low, Fingerprint: "sha256:c", Message: "no path"},
	}
	b, err := evidence.SARIF(findings)
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if log.Version != "2.1.0" || len(run.Results) != 3 || len(run.Tool.Driver.Rules) != 3 {
		t.Fatalf("log:\n%s", b)
	}
	// blocking first, and each result points at its rule
	wantLevels := []string{"error", "warning", "note"}
	for i, r := range run.Results {
		if r.Level != wantLevels[i] || run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %d: %+v", i, r)
		}
	}
	for _, w := range []string{`"startLine": 3`, `"uriBaseId": "ARTIFACT"`, `"tollgate/v1": "hmac:a"`, `"security-severity": "9.5"`} {
		if !strings.Contains(string(b), w) {
			t.Errorf("SARIF lacks %s", w)
		}
	}
	again, _ := evidence.SARIF([]evidence.Finding{findings[2], findings[0], findings[1]})
	if string(again) != string(b) {
		t.Fatal("SARIF depends on finding order")
	}
}
