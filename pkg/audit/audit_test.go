package audit

import (
	"slices"
	"testing"
)

func TestRefs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		class string
		want  []string
	}{
		{"provenance.file-modified", []string{ASI04, Manage11, MaestroL4}},
		{"provenance.model-changed", []string{ASI04, Manage11, MaestroL1}},
		{"provenance.package-added", []string{ASI04, ASI05, Manage11, MaestroL4}},
		{"secrets.literal.openai", []string{ASI03, Manage11, MaestroL4}},
		{"secrets.unscannable", []string{ASI04, Manage11, MaestroL6}},
		{"permissions.broadened", []string{ASI02, ASI03, ASI05, LLM06, Manage11, MaestroL3}},
		{"permissions.narrowed", []string{ASI02, ASI03, LLM06, Manage11, MaestroL3}},
		{"permissions.description-changed", []string{ASI02, ASI04, Manage11, MaestroL7}},
		{"gate.exception-invalid", []string{Manage11, Manage13, MaestroL6}},
		{"gate.report-digest-mismatch", []string{Manage11, MaestroL6}},
		{"provenancex.file", []string{Manage11, MaestroL6}},
		{"", []string{Manage11, MaestroL6}},
	}
	for _, tc := range tests {
		if got := Refs(tc.class); !slices.Equal(got, tc.want) {
			t.Errorf("Refs(%q) = %v, want %v", tc.class, got, tc.want)
		}
	}
	if got := WaivedRefs("secrets.literal.x"); !slices.Contains(got, Manage13) {
		t.Errorf("WaivedRefs lacks MANAGE 1.3: %v", got)
	}
	for _, c := range Controls {
		if _, ok := Lookup(c.ID); !ok || c.Title == "" || c.Framework == "" {
			t.Errorf("control %+v incomplete", c)
		}
	}
	for _, refs := range mapping {
		for _, id := range refs {
			if _, ok := Lookup(id); !ok {
				t.Errorf("mapping cites unknown control %s", id)
			}
		}
	}
}

func TestAssess(t *testing.T) {
	t.Parallel()
	as := Assess([]Observation{
		{Class: "secrets.reference-added", Status: Warned},
		{Class: "secrets.literal.a", Status: Waived},
		{Class: "permissions.broadened", Status: Violated},
		{Class: "permissions.added", Status: Violated},
		{Class: "provenance.file-added", Status: Held},
	})
	want := map[string]struct {
		s       Status
		classes []string
	}{
		ASI02:     {Violated, []string{"permissions.added", "permissions.broadened"}},
		ASI03:     {Violated, []string{"permissions.added", "permissions.broadened"}},
		ASI04:     {Held, nil},
		Manage13:  {Waived, []string{"secrets.literal.a"}},
		MaestroL4: {Waived, []string{"secrets.literal.a"}},
		MaestroL1: {Held, nil},
	}
	for _, a := range as {
		w, ok := want[a.ID]
		if !ok {
			continue
		}
		if a.Status != w.s || !slices.Equal(a.Classes, w.classes) {
			t.Errorf("%s: %s %v, want %s %v", a.ID, a.Status, a.Classes, w.s, w.classes)
		}
	}
	if len(as) != len(Controls) {
		t.Fatalf("%d assessments for %d controls", len(as), len(Controls))
	}
}
