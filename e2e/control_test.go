package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/secretgen"
)

// TestControlCharacters plants a file whose name holds a terminal escape
// and a forged JSON log line, with a secret in it, into a reviewed
// release, and runs the pipeline and the ad hoc commands with console and
// JSON logs. No output (stdout, stderr, logs, results, summaries, JUnit,
// reports) may hold the raw escape byte or the forged line at the start
// of a line; the name appears escaped where it is printed.
func TestControlCharacters(t *testing.T) {
	t.Parallel()
	r := newRelease(t).clone(t)
	tok, err := secretgen.New(7).Value(secretgen.RuleGitHub, 0)
	if err != nil {
		t.Fatal(err)
	}
	const forged = `{"level":"info","msg":"secret-inventory: pass"}`
	name := "prompts/notes\x1b[2J\x1b[31mred\r\n" + forged + "\u202e.md"
	writeFile(t, filepath.Join(r.source, "release", filepath.FromSlash(name)), "use "+tok+"\n")

	out := filepath.Join(t.TempDir(), "run")
	res := run(t, r.root, nil, "tollgate", "--log-level", "debug", "--log-format", "console", "run", "--bin-dir", binDir,
		"--source", r.source, "--workspace", "signing="+r.signing, "--workspace", "policy="+r.platform, "--out", out)
	if res.code != 1 {
		t.Fatalf("tollgate run with a planted secret: want exit 1, got %s", res)
	}
	outputs := walkFiles(t, out)
	// The fetched candidate is the input, byte for byte.
	fetched := filepath.Join(out, "workspaces", "run", "source") + string(filepath.Separator)
	for name := range outputs {
		if strings.HasPrefix(name, fetched) {
			delete(outputs, name)
		}
	}
	outputs["<run stdout>"] = []byte(res.stdout)
	outputs["<run stderr>"] = []byte(res.stderr)
	for _, f := range []string{"text", "json", "sarif"} {
		sc := run(t, r.root, nil, "tollgate", "--log-format", "console", "--log-level", "debug", "scan-secrets", filepath.Join(r.source, "release"), "--format", f)
		outputs["<scan-secrets "+f+" stdout>"] = []byte(sc.stdout)
		outputs["<scan-secrets "+f+" stderr>"] = []byte(sc.stderr)
		if f == "text" && !strings.Contains(sc.stdout, `notes\x1b[2J\x1b[31mred\r\n`) {
			t.Errorf("scan-secrets text does not show the escaped name: %q", sc.stdout)
		}
	}
	pd := run(t, r.root, nil, "provenance", "--log-format", "console", "--log-level", "debug", "--artifact", filepath.Join(r.source, "release"),
		"--review", filepath.Join(r.source, "review.yaml"), "--policy", filepath.Join(r.source, "policy.yaml"),
		"--evidence-dir", filepath.Join(t.TempDir(), "ev"), "--results-dir", filepath.Join(t.TempDir(), "res"))
	outputs["<provenance stdout>"] = []byte(pd.stdout)
	outputs["<provenance stderr>"] = []byte(pd.stderr)
	checked := 0
	for p, b := range outputs {
		if strings.HasSuffix(p, ".sigstore.json") {
			continue // base64 payloads
		}
		checked++
		if bytes.IndexByte(b, 0x1b) >= 0 {
			t.Errorf("%s holds a raw escape byte", p)
		}
		// JSON reports and SARIF logs are for machines; what people read
		// must not reorder text either.
		if human := !strings.HasSuffix(p, ".json") && !strings.HasSuffix(p, ".sarif") && !strings.Contains(p, " json ") && !strings.Contains(p, " sarif "); human && bytes.Contains(b, []byte("\u202e")) {
			t.Errorf("%s holds a raw right-to-left override", p)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimLeft(line, "\r"), forged) {
				t.Errorf("%s holds the forged log line: %q", p, line)
			}
		}
	}
	for _, p := range []string{"workspaces/run/evidence/gate-summary.md", "workspaces/run/evidence/gate-junit.xml", "logs/secret-inventory/00-secret-inventory.log", "logs/provenance/00-provenance.log"} {
		if _, ok := outputs[filepath.Join(out, filepath.FromSlash(p))]; !ok {
			t.Errorf("the run wrote no %s", p)
		}
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d outputs checked", checked)
}
