package policy_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/policy"
)

const valid = `apiVersion: tollgate.dev/v1alpha1
kind: ReleasePolicy
metadata: {name: default}
spec:
  approvals:
    required: 1
    separationOfDuties: true
    approvers:
      - name: alice
        publicKey: |
          -----BEGIN PUBLIC KEY-----
          MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE
          -----END PUBLIC KEY-----
      - name: bob
        keyless: {issuer: https://accounts.google.com, subject: bob@example.com}
  checks:
    secret-inventory: {block: ["secrets.*", "severity>=high"], warn: ["severity>=low"]}
  exceptions: {maxLifetime: 30d, warnWithin: 72h}
  rules:
    - {name: two-checks, expression: "size(checks) == 3", message: all checks ran}
`

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, old, new, wantErr string
	}{
		{"valid", "", "", ""},
		{"too few approvers", "required: 1", "required: 3", "only 2 approvers"},
		{"zero required", "required: 1", "required: 0", "at least 1"},
		{"identity with two kinds", "keyless: {issuer", "publicKey: x\n        keyless: {issuer", "exactly one of publicKey"},
		{"keyless without subject", ", subject: bob@example.com", "", "exactly one of subject and subjectRegExp"},
		{"bad regexp", "subject: bob@example.com", "subjectRegExp: '('", "missing closing"},
		{"unknown check", "secret-inventory: {block", "secrets: {block", `unknown check "secrets"`},
		{"bad rule entry", `"secrets.*"`, `"Secrets!"`, "neither a finding class"},
		{"bad duration", "maxLifetime: 30d", "maxLifetime: forever", `invalid duration "forever"`},
		{"unknown field", "separationOfDuties: true", "separationOfDuty: true", `unknown field "spec.approvals.separationOfDuty"`},
		{"bad action", "message: all checks ran}", "message: m, action: maybe}", "action must be block or warn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := valid
			if tt.old != "" {
				in = strings.Replace(valid, tt.old, tt.new, 1)
			}
			p, err := policy.Decode([]byte(in))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if p.Spec.Exceptions.MaxLifetime.Duration != 30*24*time.Hour || p.Spec.Exceptions.WarnWithin.Duration != 72*time.Hour {
					t.Fatalf("durations %+v", p.Spec.Exceptions)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestMatches(t *testing.T) {
	t.Parallel()
	f := evidence.Finding{Class: "secrets.literal.aws", Severity: evidence.High}
	tests := []struct {
		entries []string
		want    bool
	}{
		{[]string{"secrets.*"}, true},
		{[]string{"secrets.literal.*"}, true},
		{[]string{"secret.*"}, false},
		{[]string{"secrets.literal.aws"}, true},
		{[]string{"severity>=high"}, true},
		{[]string{"severity>=critical"}, false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := policy.Matches(tt.entries, f); got != tt.want {
			t.Errorf("Matches(%v) = %v, want %v", tt.entries, got, tt.want)
		}
	}
}

func TestDurationRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"30d", "1h0m0s", "1h30m0s"} {
		d, err := policy.ParseDuration(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := (policy.Duration{Duration: d}).String(); got != s {
			t.Errorf("%s -> %s", s, got)
		}
	}
}
