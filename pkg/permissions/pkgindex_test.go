package permissions

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestPackageIndex(t *testing.T) {
	t.Parallel()
	const mcp = `{"mcpServers": {"orders": {"command": "npx", "args": ["-y", "orders-mcp@1.2.0"]}, "fetch": {"command": "uvx", "args": ["mcp-server-fetch==2025.4.7"]}}}`
	base := map[string]string{".mcp.json": mcp, ".npmrc": "save-exact=true\n@acme:registry=https://npm.acme.example/\n//npm.acme.example/:_authToken=${NPM_TOKEN}\n"}
	runDiffCases(t, base, []diffCase{
		{"unchanged", base, nil},
		{"registry swapped (added, high)", with(base, ".npmrc", "registry=https://npm.mirror.example.net/\n@acme:registry=https://npm.acme.example/\n"),
			[]want{{SurfaceNetwork, "npm.mirror.example.net", KindAdded, H}}},
		{"scope moved to another registry (high)", replace(base, ".npmrc", "npm.acme.example/\n", "npm.elsewhere.example/\n"),
			[]want{{SurfaceNetwork, "npm.acme.example", KindRemoved, I}, {SurfaceNetwork, "npm.elsewhere.example", KindAdded, H}}},
		{"the public default named explicitly (no change)", replace(base, ".npmrc", "save-exact=true\n", "registry=https://registry.npmjs.org/\n"), nil},
		{"yarn berry registry (added, high)", with(base, ".yarnrc.yml", "npmRegistryServer: \"https://yarn.mirror.example.net\"\nnpmScopes:\n  acme:\n    npmRegistryServer: https://npm.acme.example\n"),
			[]want{{SurfaceNetwork, "yarn.mirror.example.net", KindAdded, H}}},
		{"pip extra index on continuation lines (added, high)", with(base, "pip.conf", "[global]\nextra-index-url =\n    https://pypi.mirror.example.net/simple\n    https://pypi.org/simple\ntimeout = 60\n"),
			[]want{{SurfaceNetwork, "pypi.mirror.example.net", KindAdded, H}}},
		{"pip trusted host (added, high)", with(base, "pip.conf", "[global]\ntrusted-host = pypi.mirror.example.net\n"),
			[]want{{SurfaceNetwork, "pypi.mirror.example.net", KindAdded, H}}},
		{"uv index table (added, high)", with(base, "uv.toml", "[[index]]\nname = \"internal\"\nurl = \"https://uv.mirror.example.net/simple\"\ndefault = true\n"),
			[]want{{SurfaceNetwork, "uv.mirror.example.net", KindAdded, H}}},
		{"uv extra indexes array (added, high)", with(base, "uv.toml", "extra-index-url = [\n  \"https://a.example.net/simple\",\n  \"https://pypi.org/simple\",\n]\n"),
			[]want{{SurfaceNetwork, "a.example.net", KindAdded, H}}},
		{"other settings grant nothing", with(base, "uv.toml", "cache-dir = \"/tmp/uv\"\nnative-tls = true\n"), nil},
		{"registry configuration removed (narrowed)", with(base, ".npmrc", ""),
			[]want{{SurfaceNetwork, "npm.acme.example", KindRemoved, I}}},
	})
}

// TestPackageIndexKeepsNoToken: nothing of an .npmrc but registry hosts
// reaches the snapshot.
func TestPackageIndexKeepsNoToken(t *testing.T) {
	t.Parallel()
	const token = "npm_Zq3kP9xW2mT7vR4nB8cY1dF6gH0jL5sA"
	s := scanFiles(t, map[string]string{".npmrc": "registry=https://user:hunter22@npm.mirror.example.net/\n//npm.mirror.example.net/:_authToken=" + token + "\n"})
	js := string(mustJSON(t, s))
	for _, leak := range []string{token, "hunter22", "user:"} {
		if strings.Contains(js, leak) {
			t.Fatalf("snapshot holds %q: %s", leak, js)
		}
	}
	if !strings.Contains(js, "npm.mirror.example.net") {
		t.Fatalf("snapshot lost the registry host: %s", js)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHostOfUserinfo: a URL with userinfo still names its host (and only
// its host).
func TestHostOfUserinfo(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://user:hunter22@mcp.example.net/mcp":  "mcp.example.net",
		"--endpoint=wss://u:p@ws.example.net:8443/x": "ws.example.net:8443",
		"https://mcp.example.net/mcp":                "mcp.example.net",
	} {
		if got := hostOf(in); got != want {
			t.Errorf("hostOf(%q) = %q, want %q", in, got, want)
		}
	}
}
