package permissions

import (
	"bytes"
	"path"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

// SurfaceAgentCLI holds the command-line flags an agent is launched with
// that switch its approvals or sandbox off (claude
// --dangerously-skip-permissions, codex --yolo, gemini --approval-mode
// yolo): in scripts, Dockerfiles, Makefiles, launchers and the command
// lines of manifests and workflows.
const SurfaceAgentCLI = "agent-cli"

// FormatAgentLaunch is a file that launches an agent with such a flag.
const FormatAgentLaunch = "agent-launch"

// agentFlag is one flag, with the value it must have ("" for a switch).
// Flags that other programs use too (-y, --yolo, -s, -a) count only on a
// line that names the client.
type agentFlag struct {
	client, flag, value string
	needsClient         bool
}

var agentFlags = []agentFlag{
	{client: "claude", flag: "--dangerously-skip-permissions"},
	{client: "claude", flag: "--permission-mode", value: "bypassPermissions"},
	{client: "codex", flag: "--dangerously-bypass-approvals-and-sandbox"},
	{client: "codex", flag: "--sandbox", value: "danger-full-access"},
	{client: "codex", flag: "-s", value: "danger-full-access", needsClient: true},
	{client: "codex", flag: "--ask-for-approval", value: "never"},
	{client: "codex", flag: "-a", value: "never", needsClient: true},
	{client: "codex", flag: "--full-auto", needsClient: true},
	{client: "codex", flag: "--yolo", needsClient: true},
	{client: "gemini", flag: "--yolo", needsClient: true},
	{client: "gemini", flag: "-y", needsClient: true},
	{client: "gemini", flag: "--approval-mode", value: "yolo"},
}

// launcherFile reports whether a file that is not configuration may
// launch an agent: scripts, container and build files, and the
// languages launchers are written in.
func launcherFile(rel string) bool {
	base := strings.ToLower(path.Base(rel))
	switch path.Ext(base) {
	case ".sh", ".bash", ".zsh", ".ps1", ".bat", ".cmd", ".mk", ".py", ".js", ".mjs", ".cjs", ".ts", ".dockerfile":
		return true
	}
	return base == "dockerfile" || strings.HasPrefix(base, "dockerfile.") || base == "containerfile" ||
		base == "makefile" || base == "gnumakefile" || base == "justfile" || base == "procfile"
}

// agentCLI adds a grant for every agent flag in b that turns approvals
// off; it reports whether it found one.
func (s *scanner) agentCLI(rel string, b []byte) (bool, error) {
	if !bytes.Contains(b, []byte("claude")) && !bytes.Contains(b, []byte("codex")) && !bytes.Contains(b, []byte("gemini")) {
		return false, nil
	}
	seen := map[string]bool{}
	for _, f := range agentFlags {
		for off := 0; off < len(b); {
			k := bytes.Index(b[off:], []byte(f.flag))
			if k < 0 {
				break
			}
			at := off + k
			off = at + len(f.flag)
			if !flagBoundary(b, at, off) {
				continue
			}
			if f.value != "" && !flagValue(b, off, f.value) {
				continue
			}
			if f.needsClient && !clientOnLine(b, at, f.client) {
				continue
			}
			subject := f.client + " " + f.flag
			if f.value != "" {
				subject += " " + f.value
			}
			if seen[subject] {
				continue
			}
			seen[subject] = true
			if err := s.add(Grant{Surface: SurfaceAgentCLI, Subject: subject, Action: "launch", Effect: Allow, Approval: ApprovalNever, Path: rel}); err != nil {
				return false, err
			}
		}
	}
	return len(seen) > 0, nil
}

// argSep are the bytes that may separate a flag from its neighbours on a
// command line, in a shell script, a JSON or YAML argument list or a
// Dockerfile's exec form.
var argSep = func() (c [256]bool) {
	for _, b := range []byte(" \t\r\n\"'`,[]()=;:\\") {
		c[b] = true
	}
	return c
}()

// flagBoundary reports whether b[at:end] is a whole argument.
func flagBoundary(b []byte, at, end int) bool {
	return (at == 0 || argSep[b[at-1]] || b[at-1] == '-' && at >= 2 && argSep[b[at-2]]) && (end == len(b) || argSep[b[end]])
}

// flagValue reports whether the argument after a flag ending at off is
// value: after "=", blanks, quotes, commas or a YAML list's "- ", at most
// 80 bytes on.
func flagValue(b []byte, off int, value string) bool {
	i := off
	for i < len(b) && i-off < 80 && (argSep[b[i]] || b[i] == '-' && i+1 < len(b) && b[i+1] == ' ') {
		i++
	}
	return bytes.HasPrefix(b[i:], []byte(value)) && (i+len(value) == len(b) || argSep[b[i+len(value)]])
}

// clientOnLine reports whether the client's name is an argument before
// at, on its line or the few lines before it that a manifest's command
// and args lists span (npx @google/gemini-cli, /usr/local/bin/codex).
func clientOnLine(b []byte, at int, client string) bool {
	ls := bytes.LastIndexByte(b[:at], '\n') + 1
	for range 6 {
		if ls == 0 || at-ls > 512 {
			break
		}
		ls = bytes.LastIndexByte(b[:ls-1], '\n') + 1
	}
	line := b[ls:at]
	for off := 0; off < len(line); {
		k := bytes.Index(line[off:], []byte(client))
		if k < 0 {
			return false
		}
		s, e := off+k, off+k+len(client)
		off = e
		before := s == 0 || argSep[line[s-1]] || line[s-1] == '/' || line[s-1] == '@'
		after := e == len(line) || argSep[line[e]] || line[e] == '-' || line[e] == '@'
		if before && after {
			return true
		}
	}
	return false
}

// agentCLISeverity rates a new agent flag: the agent then runs every tool
// (and with codex, outside the sandbox) without asking.
func agentCLISeverity(g *Grant) (evidence.Severity, string) {
	return evidence.Critical, g.Subject + ": the agent runs every tool without asking for approval"
}
