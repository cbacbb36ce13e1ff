package secrets

import (
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/version"
)

// SARIF 2.1.0 documents, reduced to what tollgate writes.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool    sarifTool     `json:"tool"`
		Results []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri"`
		Version        string      `json:"version"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID               string            `json:"id"`
		ShortDescription sarifText         `json:"shortDescription"`
		DefaultConfig    sarifConfig       `json:"defaultConfiguration"`
		Properties       map[string]string `json:"properties,omitempty"`
	}
	sarifConfig struct {
		Level string `json:"level"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID              string            `json:"ruleId"`
		Level               string            `json:"level"`
		Message             sarifText         `json:"message"`
		Locations           []sarifLocation   `json:"locations,omitempty"`
		PartialFingerprints map[string]string `json:"partialFingerprints"`
		Suppressions        []sarifSuppress   `json:"suppressions,omitempty"`
	}
	sarifLocation struct {
		Physical sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		Artifact sarifArtifact `json:"artifactLocation"`
		Region   *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
	sarifSuppress struct {
		Kind          string `json:"kind"`
		Justification string `json:"justification"`
	}
)

// severity → SARIF level and GitHub code scanning's security-severity.
func sarifLevel(s evidence.Severity) (string, string) {
	switch s {
	case evidence.Critical:
		return "error", "9.5"
	case evidence.High:
		return "error", "8.0"
	case evidence.Medium:
		return "warning", "5.5"
	case evidence.Low:
		return "note", "3.0"
	}
	return "note", "0.0"
}

// SARIF renders findings as a deterministic SARIF 2.1.0 log: one rule per
// finding class, one result per finding, fingerprints in
// partialFingerprints and waived findings as accepted suppressions. It
// carries exactly what the findings carry: never a secret value.
func SARIF(findings []evidence.Finding) ([]byte, error) {
	fs := append([]evidence.Finding(nil), findings...)
	(&evidence.Report{Findings: fs}).Sort()
	rules := map[string]sarifRule{}
	results := make([]sarifResult, 0, len(fs))
	for _, f := range fs {
		level, sec := sarifLevel(f.Severity)
		if _, ok := rules[f.Class]; !ok {
			desc := f.Class
			if r, ok := ruleTable[strings.TrimPrefix(f.Class, ClassLiteralPrefix)]; ok && strings.HasPrefix(f.Class, ClassLiteralPrefix) {
				desc = "Literal " + r.Description
			}
			rules[f.Class] = sarifRule{ID: f.Class, ShortDescription: sarifText{desc}, DefaultConfig: sarifConfig{level},
				Properties: map[string]string{"security-severity": sec}}
		}
		r := sarifResult{RuleID: f.Class, Level: level, Message: sarifText{f.Message},
			PartialFingerprints: map[string]string{"tollgate/v1": f.Fingerprint}}
		if f.Path != "" {
			loc := sarifLocation{Physical: sarifPhysical{Artifact: sarifArtifact{URI: f.Path}}}
			if f.Line > 0 {
				loc.Physical.Region = &sarifRegion{StartLine: f.Line}
			}
			r.Locations = []sarifLocation{loc}
		}
		if id := f.Attributes["exception"]; id != "" && !f.Blocking {
			r.Suppressions = []sarifSuppress{{Kind: "external", Justification: "exception " + id}}
		}
		results = append(results, r)
	}
	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	drv := sarifDriver{Name: "tollgate", InformationURI: "https://tollgate.dev", Version: version.String(), Rules: []sarifRule{}}
	for _, id := range ids {
		drv.Rules = append(drv.Rules, rules[id])
	}
	return evidence.Canonical(sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: drv}, Results: results}},
	})
}
