package provenance

import (
	"path"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/lockfile"
)

// Categories of pinned configuration.
const (
	CategoryPrompt   = "prompt"
	CategoryTool     = "tool"
	CategoryAgent    = "agent"
	CategoryDeploy   = "deploy"
	CategoryLockFile = "lockfile"
	CategoryModel    = "model"
)

var modelExts = map[string]bool{
	".safetensors": true, ".bin": true, ".gguf": true, ".onnx": true, ".pt": true, ".pth": true,
	".ckpt": true, ".h5": true, ".msgpack": true, ".tflite": true, ".mlmodel": true, ".pb": true,
}

// Category classifies an artefact path (slash-separated, root-relative) by
// its name and directory; "" means none of the pinned categories.
func Category(name string) string {
	base := path.Base(name)
	lower := strings.ToLower(name)
	dirs := "/" + path.Dir(lower) + "/"
	ext := path.Ext(lower)
	switch {
	case lockfile.Detect(name) != "":
		return CategoryLockFile
	case strings.Contains(dirs, "/prompts/") || strings.Contains(dirs, "/prompt/") ||
		strings.HasSuffix(lower, ".prompt") || strings.HasSuffix(lower, ".prompt.md") || strings.HasSuffix(lower, ".prompt.yaml"):
		return CategoryPrompt
	case base == "mcp.json" || base == ".mcp.json" || strings.Contains(dirs, "/tools/") ||
		strings.HasSuffix(lower, ".tools.json") || strings.HasSuffix(lower, ".tools.yaml"):
		return CategoryTool
	case strings.HasPrefix(lower, ".claude/") || base == "AGENTS.md" || base == "CLAUDE.md" ||
		base == "agent.yaml" || base == "agent.json" || strings.HasSuffix(lower, ".agent.json") || base == "agent-card.json":
		return CategoryAgent
	case (ext == ".yaml" || ext == ".yml" || ext == ".json") && (strings.Contains(dirs, "/deploy/") ||
		strings.Contains(dirs, "/k8s/") || strings.Contains(dirs, "/manifests/") || strings.Contains(dirs, "/kubernetes/") ||
		base == "kustomization.yaml" || base == "Chart.yaml" || base == "values.yaml"):
		return CategoryDeploy
	case modelExts[ext] || strings.Contains(dirs, "/model/") || strings.Contains(dirs, "/models/") ||
		strings.Contains(dirs, "/weights/"):
		return CategoryModel
	}
	return ""
}
