package evidence

import (
	"slices"

	"github.com/tollgate-dev/tollgate/pkg/version"
)

// SARIFFileName is a check's SARIF log's name in the evidence directory.
func SARIFFileName(check string) string { return check + ".sarif" }

// The one SARIF 2.1.0 dialect tollgate writes, reduced to what it uses.
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
		Properties       map[string]string `json:"properties"`
	}
	sarifConfig struct {
		Level string `json:"level"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID              string            `json:"ruleId"`
		RuleIndex           int               `json:"ruleIndex"`
		Level               string            `json:"level"`
		Message             sarifText         `json:"message"`
		Locations           []sarifLocation   `json:"locations,omitempty"`
		PartialFingerprints map[string]string `json:"partialFingerprints"`
		Properties          map[string]any    `json:"properties"`
	}
	sarifLocation struct {
		Physical sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		Artifact sarifArtifact `json:"artifactLocation"`
		Region   *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
)

// securitySeverity is GitHub code scanning's security-severity score.
var securitySeverity = map[Severity]string{Critical: "9.5", High: "8.0", Medium: "5.5", Low: "3.0", Info: "0.0"}

// level is the SARIF level: blocking findings are errors, other findings
// of medium severity or more warnings, the rest notes.
func level(f Finding) string {
	switch {
	case f.Blocking:
		return "error"
	case f.Severity.Rank() >= Medium.Rank():
		return "warning"
	}
	return "note"
}

// SARIF renders findings as a deterministic SARIF 2.1.0 log, the one
// dialect every check writes: one rule per finding class, one result per
// finding (sorted as in reports) with its location relative to the
// artefact root (uriBaseId ARTIFACT), the finding's fingerprint in
// partialFingerprints and its severity, subject and blocking flag as
// properties. It carries exactly what the findings carry: never a secret
// value.
func SARIF(findings []Finding) ([]byte, error) {
	rep := Report{Findings: slices.Clone(findings)}
	rep.Sort()
	var classes []string
	rules := map[string]sarifRule{}
	for _, f := range rep.Findings {
		if _, ok := rules[f.Class]; !ok {
			classes = append(classes, f.Class)
			rules[f.Class] = sarifRule{ID: f.Class, ShortDescription: sarifText{f.Class}, DefaultConfig: sarifConfig{level(f)},
				Properties: map[string]string{"security-severity": securitySeverity[f.Severity]}}
		}
	}
	slices.Sort(classes)
	drv := sarifDriver{Name: "tollgate", InformationURI: "https://tollgate.dev", Version: version.String(), Rules: []sarifRule{}}
	index := map[string]int{}
	for i, c := range classes {
		index[c] = i
		drv.Rules = append(drv.Rules, rules[c])
	}
	results := make([]sarifResult, 0, len(rep.Findings))
	for _, f := range rep.Findings {
		r := sarifResult{RuleID: f.Class, RuleIndex: index[f.Class], Level: level(f), Message: sarifText{f.Message},
			PartialFingerprints: map[string]string{"tollgate/v1": f.Fingerprint},
			Properties:          map[string]any{"severity": f.Severity, "blocking": f.Blocking}}
		if f.Subject != "" {
			r.Properties["subject"] = f.Subject
		}
		if f.Path != "" {
			loc := sarifLocation{Physical: sarifPhysical{Artifact: sarifArtifact{URI: f.Path, URIBaseID: "ARTIFACT"}}}
			if f.Line > 0 {
				loc.Physical.Region = &sarifRegion{StartLine: f.Line}
			}
			r.Locations = []sarifLocation{loc}
		}
		results = append(results, r)
	}
	return Canonical(sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: drv}, Results: results}},
	})
}
