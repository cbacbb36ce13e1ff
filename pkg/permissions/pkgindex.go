package permissions

import (
	"bufio"
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

// FormatPackageIndex is a package manager's registry configuration that
// the package runners starting MCP servers read (npx, pnpm dlx and yarn
// dlx read .npmrc and .yarnrc(.yml); uvx, pipx and pip read uv.toml and
// pip.conf): it decides where "npx -y server@1.2.0" comes from.
const FormatPackageIndex = "package-index"

// packageIndexFiles are the registry configuration files, by base name.
var packageIndexFiles = map[string]bool{".npmrc": true, ".yarnrc": true, ".yarnrc.yml": true, "pip.conf": true, "pip.ini": true, "uv.toml": true}

// packageIndexKeys are the settings that name a registry or index.
var packageIndexKeys = map[string]bool{"registry": true, "npmregistryserver": true, "index-url": true, "extra-index-url": true,
	"find-links": true, "trusted-host": true, "url": true, "index": true}

// defaultIndexes are the public registries the runners use when nothing
// is configured: naming one explicitly grants nothing new.
var defaultIndexes = map[string]bool{"registry.npmjs.org": true, "registry.yarnpkg.com": true, "pypi.org": true,
	"files.pythonhosted.org": true, "pypi.python.org": true}

// packageIndex reads the registries a package manager's configuration
// names (registry=, @scope:registry=, npmRegistryServer, index-url,
// extra-index-url, find-links, trusted-host, [[index]] url) as egress:
// a registry other than the public default is a new place the MCP
// servers' code comes from. Nothing else of the file is kept (an .npmrc
// holds auth tokens).
func (s *scanner) packageIndex(rel string, b []byte) error {
	via := "package index (" + path.Base(rel) + ")"
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64*1024), MaxFileSize)
	inList := false // a TOML array or pip continuation lines
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			inList = false
			continue
		}
		key, value := splitSetting(line)
		key = strings.ToLower(strings.Trim(key, `"' `))
		switch {
		case packageIndexKeys[key] || strings.HasSuffix(key, ":registry"):
			inList = strings.Contains(value, "[") && !strings.Contains(value, "]") || strings.TrimSpace(strings.TrimLeft(value, "=: \t")) == ""
		case inList:
			value = line
			if strings.Contains(line, "]") {
				inList = false
			}
		default:
			continue
		}
		urls := urlRE.FindAllString(value, -1)
		if key == "trusted-host" {
			urls = nil
			for _, h := range strings.Fields(strings.TrimLeft(value, "=: \t")) {
				urls = append(urls, "https://"+strings.Trim(h, `"',[]`))
			}
		}
		for _, u := range urls {
			h := hostOf(u)
			if h == "" || defaultIndexes[h] {
				continue
			}
			if err := s.egress(rel, h, via); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	s.snap.Sources = append(s.snap.Sources, Source{Path: rel, Format: FormatPackageIndex, Digest: evidence.Digest(b)})
	return nil
}

// splitSetting splits "key=value" (ini, TOML, .npmrc, where the key may
// hold a colon: "@scope:registry"), "key: value" (YAML) or "key value"
// (.yarnrc).
func splitSetting(line string) (key, value string) {
	if i := strings.IndexByte(line, '='); i > 0 && !strings.ContainsAny(strings.TrimSpace(line[:i]), " \t") {
		return line[:i], line[i+1:]
	}
	if i := strings.IndexAny(line, ": \t"); i > 0 {
		return line[:i], line[i+1:]
	}
	return line, ""
}
