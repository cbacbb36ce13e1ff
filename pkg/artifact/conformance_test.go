package artifact_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/conformance"
	"github.com/tollgate-dev/tollgate/pkg/artifact"
)

// conformanceDir is the vendored model-signing data (package conformance).
func conformanceDir(t *testing.T) string { return conformance.Dir(t, "model-signing") }

type statement struct {
	Subject []struct {
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
	PredicateType string `json:"predicateType"`
	Predicate     struct {
		Resources []struct {
			Name   string `json:"name"`
			Digest string `json:"digest"`
		} `json:"resources"`
	} `json:"predicate"`
}

func readStatement(t *testing.T, sig string) statement {
	t.Helper()
	raw, err := os.ReadFile(sig)
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		DSSE struct {
			Payload string `json:"payload"`
		} `json:"dsseEnvelope"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	payload, err := base64.StdEncoding.DecodeString(b.DSSE.Payload)
	if err != nil {
		t.Fatal(err)
	}
	var s statement
	if err := json.Unmarshal(payload, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestConformanceRootDigest proves the root digest equals the subject digest
// model-signing wrote, for every files-serialized v1 folder.
func TestConformanceRootDigest(t *testing.T) {
	t.Parallel()
	base := conformanceDir(t)
	entries, err := os.ReadDir(base)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, e := range entries {
		sig := filepath.Join(base, e.Name(), "model.sig")
		if _, err := os.Stat(sig); err != nil {
			continue
		}
		st := readStatement(t, sig)
		if st.PredicateType != "https://model_signing/signature/v1.0" {
			continue // v0.2 has per-file subjects and no root digest
		}
		seen++
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel()
			m, err := artifact.Hash(context.Background(), filepath.Join(base, e.Name()),
				artifact.WithIgnore("model.sig", "ignore-me"))
			if err != nil {
				t.Fatal(err)
			}
			want := "sha256:" + st.Subject[0].Digest["sha256"]
			if m.Root != want {
				t.Errorf("root = %s, model-signing = %s", m.Root, want)
			}
			if len(m.Files) != len(st.Predicate.Resources) {
				t.Fatalf("files = %d, predicate resources = %d", len(m.Files), len(st.Predicate.Resources))
			}
			for i, r := range st.Predicate.Resources {
				if m.Files[i].Name != r.Name || m.Files[i].Digest != "sha256:"+r.Digest {
					t.Errorf("resource %d = %s %s, want %s sha256:%s", i, m.Files[i].Name, m.Files[i].Digest, r.Name, r.Digest)
				}
			}
			if !strings.HasPrefix(m.Root, "sha256:") {
				t.Errorf("root %q lacks sha256: prefix", m.Root)
			}
		})
	}
	if seen < 7 {
		t.Fatalf("checked %d conformance folders, want at least 7", seen)
	}
}
