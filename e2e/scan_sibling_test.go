package e2e

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/secretgen"
)

// scanInProcess is the debug line of scan-secrets run in tollgate's own
// process (inSibling is the line of either sibling).
const scanInProcess = "scanning in this process"

// scanTree writes a small release with two literal secrets, a reference and
// an archive, and a fingerprint key file and review record beside it.
func scanTree(t *testing.T) (tree, keyFile, reviewFile string) {
	t.Helper()
	root := t.TempDir()
	tree = filepath.Join(root, "tree")
	g := secretgen.New(7)
	mustWriteFile(t, filepath.Join(tree, "app.env"), "GITHUB_TOKEN="+g.CRCToken("ghp_")+"\nDB_PASSWORD=${DB_PASSWORD}\n")
	mustWriteFile(t, filepath.Join(tree, "config", "npm.yaml"), "registry:\n  token: "+g.CRCToken("npm_")+"\n")
	mustWriteFile(t, filepath.Join(tree, "README.md"), "# release\n")
	writeTree(t, filepath.Join(tree, "weights"), 200)
	key := base64.StdEncoding.EncodeToString([]byte("e2e-scan-sibling-fingerprint-key"))
	keyFile = filepath.Join(root, "key")
	mustWriteFile(t, keyFile, key)
	reviewFile = filepath.Join(root, "review.yaml")
	mustWriteFile(t, reviewFile, `apiVersion: tollgate.dev/v1alpha1
kind: ReleaseReview
metadata:
  name: scan-sibling
spec:
  artifact:
    root: tree
    digest: sha256:0000000000000000000000000000000000000000000000000000000000000000
  secrets:
    fingerprintKey: `+key+"\n")
	return tree, keyFile, reviewFile
}

// TestScanSecretsSibling: `tollgate scan-secrets` runs in bin/scan-secrets
// (the lean sibling of the same build: no engines, no policy, no review
// model) and prints byte for byte what it prints in process, in every
// format and mode, with the same exit codes and errors. --review and --help
// stay in tollgate.
func TestScanSecretsSibling(t *testing.T) {
	t.Parallel()
	tree, keyFile, reviewFile := scanTree(t)
	tollgate := filepath.Join(binDir, "tollgate")
	off := []string{"TOLLGATE_NO_SIBLING=1"}
	key := []string{"--fingerprint-key-file", keyFile}
	partDir := t.TempDir()
	cases := []struct {
		name   string
		args   []string
		stays  bool // runs in tollgate's process even with the sibling
		output string
	}{
		{name: "text", args: append([]string{"scan-secrets", tree}, key...)},
		{name: "json", args: append([]string{"scan-secrets", tree, "--format", "json"}, key...)},
		{name: "sarif", args: append([]string{"scan-secrets", tree, "--format", "sarif"}, key...)},
		{name: "global flag first", args: append([]string{"--log-format", "json", "scan-secrets", tree, "--format", "json"}, key...)},
		{name: "a file and a clean dir", args: append([]string{"scan-secrets", filepath.Join(tree, "app.env"), filepath.Join(tree, "weights")}, key...)},
		{name: "part", args: append([]string{"scan-secrets", tree, "--part", "1/2", "-o", filepath.Join(partDir, "OUT")}, key...), output: "OUT"},
		{name: "review stays", args: []string{"scan-secrets", tree, "--format", "json", "--review", reviewFile}, stays: true},
		{name: "review= stays", args: []string{"scan-secrets", tree, "--review=" + reviewFile}, stays: true},
		{name: "missing path", args: append([]string{"scan-secrets", filepath.Join(tree, "nowhere")}, key...)},
		{name: "usage error", args: []string{"scan-secrets", "--bogus", tree}},
		{name: "bad key file", args: []string{"scan-secrets", tree, "--fingerprint-key-file", filepath.Join(tree, "README.md")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbg := append([]string{"--log-level", "debug"}, tc.args...)
			if tc.output != "" { // each run writes its own part file
				dbg = append([]string(nil), dbg...)
				dbg[len(dbg)-3] = filepath.Join(partDir, tc.name+"-lean.json")
			}
			lean, _ := runAt(t, tollgate, nil, dbg...)
			if tc.output != "" {
				dbg[len(dbg)-3] = filepath.Join(partDir, tc.name+"-here.json")
			}
			here, _ := runAt(t, tollgate, off, dbg...)
			if lean.code != here.code || lean.stdout != here.stdout {
				t.Fatalf("sibling and in-process differ:\nsibling: %s\nin process: %s", lean, here)
			}
			if strip(lean.stderr) != strip(here.stderr) {
				t.Fatalf("stderr differs:\nsibling: %s\nin process: %s", lean.stderr, here.stderr)
			}
			if tc.output != "" {
				a, errA := os.ReadFile(filepath.Join(partDir, tc.name+"-lean.json"))
				b, errB := os.ReadFile(filepath.Join(partDir, tc.name+"-here.json"))
				if errA != nil || errB != nil || string(a) != string(b) {
					t.Fatalf("part files differ (%v, %v)", errA, errB)
				}
			}
			if lean.code == 2 { // usage errors are found before the command runs
				return
			}
			wantLean := inSibling
			if tc.stays {
				wantLean = scanInProcess
			}
			if !strings.Contains(lean.stderr, wantLean) || !strings.Contains(here.stderr, scanInProcess) {
				t.Fatalf("want %q, then %q:\n%s\n%s", wantLean, scanInProcess, lean.stderr, here.stderr)
			}
		})
	}
	t.Run("help stays in tollgate", func(t *testing.T) {
		t.Parallel()
		r, _ := runAt(t, tollgate, nil, "scan-secrets", "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "tollgate scan-secrets ./release") || !strings.Contains(r.stdout, "--log-level") {
			t.Fatalf("help should be tollgate's: %s", r)
		}
	})
	t.Run("the lean binary refuses --review", func(t *testing.T) {
		t.Parallel()
		r, _ := runAt(t, filepath.Join(binDir, "scan-secrets"), nil, tree, "--review", reviewFile)
		if r.code != 2 || !strings.Contains(r.stderr, "run tollgate scan-secrets, or give --fingerprint-key-file") {
			t.Fatalf("want a usage error naming the way out: %s", r)
		}
	})
}

// heavyInits are packages only tollgate's engine, signing and policy
// commands link: none of them may be initialised before a command is
// handed to its sibling.
var heavyInits = []string{
	"init cel.dev/cel-go/cel ",
	"init go.opencensus.io/resource ",
	"init github.com/asaskevich/govalidator ",
	"init github.com/tektoncd/pipeline/",
	"init k8s.io/api/core/v1 ",
	"init golang.org/x/crypto/x509roots/fallback ",
	"init github.com/tollgate-dev/tollgate/pkg/permissions ",
}

// TestHandoffEarly: `tollgate scan-secrets` and `tollgate hash` hand over
// to their siblings from internal/handoff's initialiser, before tollgate's
// heavy packages are initialised, as GODEBUG=inittrace=1 shows (the trace
// after the hand-over is the sibling's, which links none); the same commands in
// process, and `tollgate --log-level debug scan-secrets` (handed over only
// after initialisation), do initialise them.
func TestHandoffEarly(t *testing.T) {
	t.Parallel()
	tree, keyFile, _ := scanTree(t)
	tollgate := filepath.Join(binDir, "tollgate")
	trace := []string{"GODEBUG=inittrace=1"}
	cases := []struct {
		name  string
		env   []string
		args  []string
		early bool
	}{
		{"scan-secrets", trace, []string{"scan-secrets", tree, "--fingerprint-key-file", keyFile}, true},
		{"hash", trace, []string{"hash", tree}, true},
		{"scan-secrets, global flag first", trace, []string{"--log-level", "info", "scan-secrets", tree, "--fingerprint-key-file", keyFile}, false},
		{"scan-secrets --help", trace, []string{"scan-secrets", "--help"}, false},
		{"scan-secrets in process", append([]string{"TOLLGATE_NO_SIBLING=1"}, trace...), []string{"scan-secrets", tree, "--fingerprint-key-file", keyFile}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, _ := runAt(t, tollgate, tc.env, tc.args...)
			if r.code > 1 {
				t.Fatal(r)
			}
			// inittrace prints a package's line when its initialiser returns:
			// handoff's does not when it hands over.
			if returned := strings.Contains(r.stderr, "init github.com/tollgate-dev/tollgate/internal/handoff "); returned == tc.early {
				t.Fatalf("internal/handoff's initialiser returned: %v, want %v:\n%.3000s", returned, !tc.early, r.stderr)
			}
			var heavy []string
			for _, h := range heavyInits {
				if strings.Contains(r.stderr, h) {
					heavy = append(heavy, strings.TrimSpace(strings.TrimPrefix(h, "init ")))
				}
			}
			// In process, the trace shows where handoff's initialiser
			// runs: before the crypto, compress and encoding packages,
			// which sort before it and are ready once fmt or strings is.
			// (Its imports avoid those: see internal/sibling's text.go.)
			if at := strings.Index(r.stderr, "init github.com/tollgate-dev/tollgate/internal/handoff "); at >= 0 {
				for _, later := range []string{"init compress/flate ", "init crypto/sha256 ", "init encoding/gob ", "init encoding/json "} {
					if k := strings.Index(r.stderr, later); k >= 0 && k < at {
						t.Errorf("internal/handoff is initialised after %s: its imports wait for a package initialised late", strings.TrimSpace(later))
					}
				}
			}
			switch {
			case tc.early && len(heavy) > 0:
				t.Fatalf("handed over after initialising %v", heavy)
			case !tc.early && len(heavy) != len(heavyInits):
				t.Fatalf("in tollgate's process, want every heavy package initialised, got %v", heavy)
			}
		})
	}
}

// TestScanSecretsSiblingMemory: `tollgate scan-secrets` starts in the
// lean sibling's memory, not tollgate's (about 40 MB of initialisers).
func TestScanSecretsSiblingMemory(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	tollgate := filepath.Join(binDir, "tollgate")
	lean, leanRSS := runAt(t, tollgate, nil, "scan-secrets", empty, "--format", "json")
	here, hereRSS := runAt(t, tollgate, []string{"TOLLGATE_NO_SIBLING=1"}, "scan-secrets", empty, "--format", "json")
	t.Logf("tollgate scan-secrets on an empty directory: peak %.1f MB handed over, %.1f MB in process", float64(leanRSS)/(1<<20), float64(hereRSS)/(1<<20))
	if lean.code != 0 || here.code != 0 || lean.stdout != here.stdout {
		t.Fatalf("handed over %s, in process %s", lean, here)
	}
	const limit = 32 << 20
	if leanRSS <= 0 || leanRSS >= limit {
		t.Fatalf("peak %.1f MB handed over, want under 32 MB", float64(leanRSS)/(1<<20))
	}
}
