package permissions

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
)

// Formats, as recorded in Source.Format.
const (
	FormatMCPConfig = "mcp-config"
	FormatMCPTools  = "mcp-tools-list"
	FormatClaude    = "claude-code-settings"
	FormatOpenAI    = "openai-tools"
	FormatA2A       = "a2a-agent-card"
	FormatRBAC      = "kubernetes-rbac"
	FormatActions   = "github-actions-workflow"
	FormatGemini    = "gemini-cli-settings"
	FormatCodex     = "codex-config"
)

// skipDirs are never descended into: version control and installed
// dependencies are not the agent's configuration.
var skipDirs = map[string]bool{".git": true, "node_modules": true}

// markers are byte strings whose presence in a file that fails to parse
// means it was probably meant as a permission file: the scan then fails
// instead of ignoring it.
var markers = []string{"mcpServers", "mcp_servers", "context_servers", "modelContextProtocolServers", "approval_policy", "inputSchema", `"servers"`, "allowed_tools", "require_approval",
	`"permissions"`, "permissions:", `"skills"`, "rbac.authorization.k8s.io", "networking.k8s.io", "cilium.io", "projectcalico.org", "networking.istio.io", "gateway.networking.k8s.io", "apiVersion", "jobs:", `"jobs"`}

// scanner accumulates one snapshot.
type scanner struct {
	snap Snapshot
	rbac rbacSet
	o    options
	// root is the real path of the scanned directory (symbolic links
	// are followed only inside it).
	root string
	// charts and kustomizations are the directories holding a
	// Chart.yaml or a kustomization (bundle.go).
	charts, kustomizations []string
}

func (s *scanner) add(g Grant) error {
	if len(s.snap.Grants) >= MaxGrants {
		return fmt.Errorf("%w: more than %d grants", ErrInvalid, MaxGrants)
	}
	s.snap.Grants = append(s.snap.Grants, g)
	return nil
}

// Scan reads every permission file under root and returns the normalised
// snapshot. Files are found by name and by content (see the package
// documentation); .git and node_modules are skipped. A permission file
// that cannot be read is an error naming it.
func Scan(ctx context.Context, root string, opts ...Option) (*Snapshot, error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", root, err)
	}
	if !fi.IsDir() {
		return ScanFile(root, filepath.Base(root), opts...)
	}
	resolved, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", root, err)
	}
	if resolved, err = filepath.Abs(resolved); err != nil {
		return nil, fmt.Errorf("scan %s: %w", root, err)
	}
	s := &scanner{o: o, root: resolved}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, rerr := filepath.Rel(root, p)
		if rerr != nil {
			return rerr
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && skipDirs[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		s.noteBundle(rel)
		return s.file(p, rel, d)
	})
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", root, err)
	}
	if err := s.bundles(ctx, root); err != nil {
		return nil, fmt.Errorf("scan %s: %w", root, err)
	}
	if err := s.finish(); err != nil {
		return nil, fmt.Errorf("scan %s: %w", root, err)
	}
	return &s.snap, nil
}

// ScanFile reads one permission file; name is the path it is recorded
// under (and detected by).
func ScanFile(file, name string, opts ...Option) (*Snapshot, error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	fi, err := os.Lstat(file)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", file, err)
	}
	s := &scanner{o: o}
	if err := s.file(file, filepath.ToSlash(name), fs.FileInfoToDirEntry(fi)); err != nil {
		return nil, fmt.Errorf("scan %s: %w", file, err)
	}
	if len(s.snap.Sources) == 0 {
		return nil, fmt.Errorf("scan %s: %w: not a recognised permission file (MCP configuration or tools/list, Claude Code, Gemini CLI, Codex or VS Code settings, OpenAI tools, A2A AgentCard, Kubernetes RBAC, GitHub Actions workflow or action metadata)", file, ErrInvalid)
	}
	if err := s.finish(); err != nil {
		return nil, fmt.Errorf("scan %s: %w", file, err)
	}
	return &s.snap, nil
}

// byName returns the format a file's path promises, or "".
func byName(rel string) string {
	base := path.Base(rel)
	dir := path.Dir(rel)
	switch {
	case base == "mcp.json" || base == ".mcp.json" || base == "claude_desktop_config.json" ||
		base == "managed-mcp.json" || base == "mcp_config.json":
		return FormatMCPConfig
	case strings.HasSuffix(base, ".tools.json"):
		return FormatMCPTools
	case (path.Base(dir) == ".claude" && (base == "settings.json" || base == "settings.local.json")) ||
		base == "managed-settings.json":
		return FormatClaude
	case (path.Base(dir) == ".well-known" && (base == "agent.json" || base == "agent-card.json")) ||
		base == "agent-card.json":
		return FormatA2A
	case strings.HasSuffix(dir, ".github/workflows") && (strings.HasSuffix(base, ".yml") || strings.HasSuffix(base, ".yaml")):
		return FormatActions
	case base == "action.yml" || base == "action.yaml":
		return FormatAction
	case path.Base(dir) == ".gemini" && base == "settings.json":
		return FormatGemini
	case (path.Base(dir) == ".vscode" && base == "settings.json") || strings.HasSuffix(base, ".code-workspace"):
		return FormatVSCode
	case packageIndexFiles[base]:
		return FormatPackageIndex
	case strings.HasSuffix(base, ".md") && strings.Contains("/"+dir+"/", "/.claude/"):
		if kind, _ := claudeExtension(rel); kind != "" {
			return FormatClaudeExtension
		}
	case path.Base(dir) == ".codex" && base == "config.toml":
		return FormatCodex
	case path.Base(dir) == ".continue" && (base == "config.json" || base == "config.yaml"),
		path.Base(dir) == "mcpServers" && path.Base(path.Dir(dir)) == ".continue" && (strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml") || strings.HasSuffix(base, ".json")):
		return FormatMCPConfig
	}
	return ""
}

// Syntaxes of configuration files.
const (
	syntaxJSON = "json"
	syntaxYAML = "yaml"
	syntaxTOML = "toml"
)

// syntaxOf returns a file's configuration syntax by extension, or "".
func syntaxOf(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".json":
		return syntaxJSON
	case ".yaml", ".yml":
		return syntaxYAML
	case ".toml":
		return syntaxTOML
	}
	return ""
}

// file reads one file, if it is or may be a permission file.
func (s *scanner) file(abs, rel string, d fs.DirEntry) error {
	named := byName(rel)
	syntax := syntaxOf(rel)
	launcher := named == "" && syntax == "" && launcherFile(rel)
	if named == "" && syntax == "" && !launcher {
		return nil
	}
	var info fs.FileInfo
	var err error
	switch {
	case d.Type().IsRegular():
		if info, err = d.Info(); err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
	case d.Type()&fs.ModeSymlink != 0 && s.root != "":
		// A link to a file inside the artefact is reviewed as that file,
		// under the link's name (when the artefact allows links at all,
		// the hasher checks the same bounds).
		target, why := s.linkTarget(abs)
		if why != "" {
			return fmt.Errorf("%s: %w: %s", rel, ErrInvalid, why)
		}
		abs = target
		if info, err = os.Stat(abs); err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
	default:
		if named != "" {
			return fmt.Errorf("%s: %w: a permission file must be a regular file, not %s", rel, ErrInvalid, d.Type())
		}
		return nil
	}
	if info.Size() > MaxFileSize {
		if named != "" {
			return fmt.Errorf("%s: %w: %d bytes, more than the %d a permission file may have", rel, ErrInvalid, info.Size(), MaxFileSize)
		}
		d, config, err := mentionsConfig(abs)
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		why := fmt.Sprintf("larger than %d bytes, not inspected", MaxFileSize)
		if !config {
			// data (a dataset, a tokenizer): nothing in it names a
			// permission surface
			s.snap.Skipped = append(s.snap.Skipped, rel+": "+why)
			return nil
		}
		return s.uninspected(rel, rel, d, why+"; split it into files under that size to have it checked")
	}
	b, err := safefile.Read(abs, MaxFileSize)
	if err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	found, err := s.agentCLI(rel, b)
	if err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	if found {
		s.snap.Sources = append(s.snap.Sources, Source{Path: rel, Format: FormatAgentLaunch, Digest: evidence.Digest(b)})
	}
	if launcher {
		return nil
	}
	if named == FormatClaudeExtension {
		if err := s.claudeExtensionFile(rel, b); err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		s.claudeExtensionSource(rel, b)
		return nil
	}
	if named == FormatPackageIndex {
		if err := s.packageIndex(rel, b); err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		return nil
	}
	return s.bytes(rel, named, syntax, b)
}

// linkTarget resolves a symbolic link: the target when it is a regular
// file inside the scanned root, else why it is refused.
func (s *scanner) linkTarget(p string) (string, string) {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", "broken symbolic link or link loop"
	}
	if target, err = filepath.Abs(target); err != nil {
		return "", err.Error()
	}
	if target != s.root && !strings.HasPrefix(target, s.root+string(filepath.Separator)) {
		return "", "symbolic link leaves the artefact root"
	}
	fi, err := os.Stat(target)
	switch {
	case err != nil:
		return "", err.Error()
	case !fi.Mode().IsRegular():
		return "", "symbolic link to something other than a regular file"
	}
	return target, ""
}

// bytes parses one file's content.
func (s *scanner) bytes(rel, named, syntax string, b []byte) error {
	var docs []any
	b, err := fromUTF16(b)
	if err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	switch {
	case syntax == syntaxYAML:
		docs, err = decodeYAML(b)
	case syntax == syntaxTOML || named == FormatCodex:
		var v any
		v, err = decodeTOML(b)
		docs = []any{v}
	default:
		var v any
		v, err = decodeJSON(b)
		if err != nil && jsoncFile(rel) {
			// VS Code, Zed and Cursor read their settings as JSON with
			// comments and trailing commas: read them as they do.
			// Clients that read strict JSON (Claude, Gemini) ignore a
			// file that does not parse, so there it stays an error.
			if c, ok := stripJSONC(b); ok {
				if v2, err2 := decodeJSON(c); err2 == nil {
					v, err = v2, nil
				}
			}
		}
		docs = []any{v}
	}
	if err != nil {
		switch {
		case named == "" && strings.Contains(string(b), "{{"):
			// A Helm or other template: what it grants is known only
			// once rendered.
			return s.uninspected(rel, rel, evidence.Digest(b), "a template that is not valid YAML or JSON until rendered; render it into the artefact to have it checked")
		case named != "" || hasMarker(b):
			return fmt.Errorf("%s: %w", rel, err)
		}
		return nil
	}
	formats := map[string]bool{}
	for i, doc := range docs {
		where := rel
		if len(docs) > 1 {
			where = fmt.Sprintf("%s (document %d)", rel, i+1)
		}
		for _, f := range detect(doc, named) {
			if err := s.parse(f, rel, doc); err != nil {
				return fmt.Errorf("%s: %s: %w", where, f, err)
			}
			formats[f] = true
		}
	}
	for _, f := range keysOf(formats) {
		s.snap.Sources = append(s.snap.Sources, Source{Path: rel, Format: f, Digest: evidence.Digest(b)})
	}
	return nil
}

func keysOf(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func hasMarker(b []byte) bool {
	for _, m := range markers {
		if strings.Contains(string(b), m) {
			return true
		}
	}
	return false
}

// detect returns the formats of a document: the one its name promises
// (which must then parse) and every format its content matches, so that a
// file holding both MCP servers and permission rules is read as both.
func detect(doc any, named string) []string {
	m := obj(doc)
	if named == FormatMCPTools && isOpenAITools(m) {
		named = FormatOpenAI // "tools.json" files of either kind
	}
	var out []string
	if named != "" {
		out = append(out, named)
	}
	if m == nil {
		return out
	}
	for _, c := range []struct {
		format string
		ok     bool
	}{
		{FormatRBAC, isRBAC(m)},
		{FormatMCPConfig, isMCPConfig(m)},
		{FormatWorkload, isWorkload(m)},
		{FormatNetworkPolicy, isNetworkPolicy(m)},
		{FormatExposure, isExposure(m)},
		{FormatCiliumPolicy, isCiliumPolicy(m)},
		{FormatCalicoPolicy, isCalicoPolicy(m)},
		{FormatIstioEgress, isIstioEgress(m)},
		{FormatGemini, isGeminiSettings(m, named)},
		{FormatCodex, isCodexConfig(m)},
		{FormatVSCode, isVSCodeSettings(m, named)},
		{FormatMCPTools, toolsList(m) != nil},
		{FormatOpenAI, isOpenAITools(m)},
		{FormatClaude, isClaudeSettings(m)},
		{FormatA2A, arr(m["skills"]) != nil && str(m["name"]) != "" && (m["url"] != nil || m["protocolVersion"] != nil || m["capabilities"] != nil)},
		{FormatActions, obj(m["jobs"]) != nil && (m["on"] != nil || m["true"] != nil)},
		{FormatAction, isActionMetadata(m)},
	} {
		if c.ok && c.format != named {
			out = append(out, c.format)
		}
	}
	return out
}

func (s *scanner) parse(format, rel string, doc any) error {
	m := obj(doc)
	if m == nil {
		return fmt.Errorf("%w: top level must be an object", ErrInvalid)
	}
	switch format {
	case FormatMCPConfig:
		return s.mcpConfig(rel, m)
	case FormatMCPTools:
		return s.mcpTools(rel, m)
	case FormatClaude:
		return s.claude(rel, m)
	case FormatOpenAI:
		return s.openAI(rel, m)
	case FormatA2A:
		return s.agentCard(rel, m)
	case FormatRBAC:
		return s.rbac.collect(rel, m)
	case FormatActions:
		return s.workflow(rel, m)
	case FormatAction:
		return s.action(rel, m)
	case FormatWorkload:
		return s.workload(rel, m)
	case FormatNetworkPolicy:
		return s.networkPolicy(rel, m)
	case FormatExposure:
		return s.exposureResource(rel, m)
	case FormatCiliumPolicy:
		return s.ciliumPolicy(rel, m)
	case FormatCalicoPolicy:
		return s.calicoPolicy(rel, m)
	case FormatIstioEgress:
		return s.istioEgress(rel, m)
	case FormatGemini:
		return s.gemini(rel, m)
	case FormatCodex:
		return s.codex(rel, m)
	case FormatVSCode:
		return s.vscode(rel, m)
	}
	return errors.New("unknown format " + format)
}

// finish resolves cross-file state (RBAC bindings) and normalises.
func (s *scanner) finish() error {
	for _, g := range s.rbac.grants() {
		if err := s.add(g); err != nil {
			return err
		}
	}
	s.workloadAccounts()
	s.snap.Redactions = maskGrants(s.snap.Grants, s.o.masker)
	s.snap.normalise()
	return nil
}
