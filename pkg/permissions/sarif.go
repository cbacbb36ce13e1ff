package permissions

import (
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/version"
)

// SARIFFile is the SARIF log's name in the evidence directory.
const SARIFFile = "permission-diff.sarif"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string        `json:"id"`
	Name             string        `json:"name"`
	ShortDescription sarifText     `json:"shortDescription"`
	Properties       sarifRuleProp `json:"properties"`
}

type sarifRuleProp struct {
	Tags []string `json:"tags"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

var sarifRules = []struct{ kind, name, text string }{
	{KindAdded, "PermissionAdded", "A permission subject (tool, server, rule, role subject, job) that was not reviewed"},
	{KindBroadened, "PermissionBroadened", "A reviewed subject can now do more than was reviewed"},
	{KindChanged, "PermissionChanged", "Reviewable content (a tool description, a server command) changed"},
	{KindNarrowed, "PermissionNarrowed", "A reviewed permission was tightened"},
	{KindRemoved, "PermissionRemoved", "A reviewed permission is no longer granted"},
}

// SARIF renders findings as a SARIF 2.1.0 log, one result per finding.
// Blocking findings are errors, other high and critical ones warnings,
// the rest notes.
func SARIF(findings []evidence.Finding) ([]byte, error) {
	d := sarifDriver{Name: "tollgate permission-diff", Version: version.String(), InformationURI: "https://tollgate.dev"}
	index := map[string]int{}
	for i, r := range sarifRules {
		index[ClassPrefix+r.kind] = i
		d.Rules = append(d.Rules, sarifRule{ID: ClassPrefix + r.kind, Name: r.name, ShortDescription: sarifText{r.text},
			Properties: sarifRuleProp{Tags: []string{"security", "permissions", "ai-agent"}}})
	}
	rep := evidence.Report{Findings: findings}
	rep.Sort()
	res := []sarifResult{}
	for _, f := range rep.Findings {
		level := "note"
		switch {
		case f.Blocking:
			level = "error"
		case f.Severity.Rank() >= evidence.Medium.Rank():
			level = "warning"
		}
		res = append(res, sarifResult{
			RuleID: f.Class, RuleIndex: index[f.Class], Level: level, Message: sarifText{f.Message},
			Locations:           []sarifLocation{{sarifPhysical{sarifArtifact{URI: f.Path, URIBaseID: "ARTIFACT"}}}},
			PartialFingerprints: map[string]string{"tollgatePermission/v1": f.Fingerprint},
			Properties:          map[string]any{"severity": f.Severity, "subject": f.Subject, "surface": f.Attributes["surface"], "blocking": f.Blocking},
		})
	}
	return evidence.Canonical(sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{d}, Results: res}},
	})
}
