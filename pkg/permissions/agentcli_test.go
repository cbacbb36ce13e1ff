package permissions

import "testing"

func TestAgentCLIFlags(t *testing.T) {
	t.Parallel()
	const script = "#!/bin/sh\nset -eu\nclaude -p \"$TASK\" --output-format json\n"
	base := map[string]string{"bin/run.sh": script}
	runDiffCases(t, base, []diffCase{
		{"unchanged", base, nil},
		{"claude skips permissions (added, critical)", replace(base, "bin/run.sh", "--output-format json", "--output-format json --dangerously-skip-permissions"),
			[]want{{SurfaceAgentCLI, "claude --dangerously-skip-permissions", KindAdded, C}}},
		{"claude bypass mode with =", replace(base, "bin/run.sh", "--output-format json", "--permission-mode=bypassPermissions"),
			[]want{{SurfaceAgentCLI, "claude --permission-mode bypassPermissions", KindAdded, C}}},
		{"claude plan mode is not", replace(base, "bin/run.sh", "--output-format json", "--permission-mode plan"), nil},
		{"Dockerfile exec form", with(base, "Dockerfile", "FROM node:22\nENTRYPOINT [\"codex\", \"exec\", \"--dangerously-bypass-approvals-and-sandbox\"]\n"),
			[]want{{SurfaceAgentCLI, "codex --dangerously-bypass-approvals-and-sandbox", KindAdded, C}}},
		{"manifest args list", with(base, "deploy/job.yaml", "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: x\n        command: [codex, exec]\n        args:\n        - --sandbox\n        - danger-full-access\n        - --full-auto\n"),
			[]want{{SurfaceAgentCLI, "codex --full-auto", KindAdded, C}, {SurfaceAgentCLI, "codex --sandbox danger-full-access", KindAdded, C},
				{SurfaceWorkload, "Job default/j", KindAdded, H}, {SurfaceWorkload, "Job default/j", KindAdded, H}}},
		{"gemini yolo through npx", with(base, "tools/ask.py", "import subprocess\nsubprocess.run([\"npx\", \"@google/gemini-cli\", \"--approval-mode\", \"yolo\"])\n"),
			[]want{{SurfaceAgentCLI, "gemini --approval-mode yolo", KindAdded, C}}},
		{"another tool's --yolo is not", with(base, "bin/other.sh", "#!/bin/sh\nterraform apply -auto-approve\nmytool --yolo -y\n"), nil},
		{"prose is not read", with(base, "README.md", "Never run `claude --dangerously-skip-permissions` here.\n"), nil},
	})
	flagged := replace(base, "bin/run.sh", "--output-format json", "--dangerously-skip-permissions")
	runDiffCases(t, flagged, []diffCase{
		{"flag removed (narrowed)", base, []want{{SurfaceAgentCLI, "claude --dangerously-skip-permissions", KindRemoved, I}}},
	})
}

// FuzzAgentCLI reads arbitrary launchers: no panic, and every grant names
// a known client flag.
func FuzzAgentCLI(f *testing.F) {
	for _, s := range []string{"claude --dangerously-skip-permissions", "codex -s danger-full-access -a never", "args:\n- --permission-mode\n- bypassPermissions\n",
		"npx @google/gemini-cli -y", "gemini --approval-mode", "codex --sandbox", "--yolo codex", "\ncodex\n\n\n\n\n\n\n--full-auto"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := &scanner{o: options{masker: basicMasker{}}}
		if _, err := s.agentCLI("run.sh", b); err != nil {
			t.Fatal(err)
		}
		for _, g := range s.snap.Grants {
			if g.Surface != SurfaceAgentCLI || g.Action != "launch" {
				t.Fatalf("unexpected grant %+v", g)
			}
		}
	})
}
