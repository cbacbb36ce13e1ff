package permissions

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/tollgate-dev/tollgate/pkg/safefile"
)

// Bundles: directories whose files grant only together, once a tool
// renders them. A kustomization is rendered here with kustomize's own Go
// code (plugins, Helm and remote bases off) and its output is read like
// any manifest; a Helm chart, or a kustomization that cannot be rendered
// from the artefact alone, is recorded by the digest of all its files as
// an uninspected surface, so that any change in it blocks.

// buildSuffix marks the path of a kustomize build's output.
const buildSuffix = " (kustomize build)"

// dropRaw forgets what the Kubernetes manifests directly in dir granted
// on their own (workloads, NetworkPolicies, RBAC): a kustomization there
// built, and what Argo CD applies is its output, read in their place.
// Read alone, a strategic-merge patch there looks like a partial
// Deployment with a default service account, which it is not.
func (s *scanner) dropRaw(dir string) {
	kept := s.snap.Grants[:0]
	for _, g := range s.snap.Grants {
		k8s := g.Surface == SurfaceWorkload || (g.Surface == SurfaceNetwork && strings.HasPrefix(g.Subject, "NetworkPolicy "))
		if !k8s || !inDir(g.Path, dir) {
			kept = append(kept, g)
		}
	}
	s.snap.Grants = kept
	s.rbac.dropRaw(dir)
}

// kustomizationNames are the file names kustomize reads in a directory.
var kustomizationNames = map[string]bool{"kustomization.yaml": true, "kustomization.yml": true, "Kustomization": true}

// Bounds of what a bundle may hold.
const (
	maxBundleBytes = 64 << 20
	maxBundleFiles = 10000
	maxBundleDepth = 32
)

// noteBundle remembers the directory of a Chart.yaml or kustomization.
func (s *scanner) noteBundle(rel string) {
	switch base := path.Base(rel); {
	case base == "Chart.yaml":
		s.charts = append(s.charts, path.Dir(rel))
	case kustomizationNames[base]:
		s.kustomizations = append(s.kustomizations, path.Dir(rel))
	}
}

// bundles renders the kustomizations and records the charts.
func (s *scanner) bundles(ctx context.Context, root string) error {
	if len(s.charts) == 0 && len(s.kustomizations) == 0 {
		return nil
	}
	sort.Strings(s.charts)
	sort.Strings(s.kustomizations)
	for _, dir := range s.charts {
		d, err := bundleDigest(root, dir)
		if err != nil {
			return fmt.Errorf("%s (Helm chart): %w", dir, err)
		}
		if err := s.uninspected(dir+"/ (Helm chart)", dir, d, "a Helm chart: what it grants is known only once rendered with its values; render it into the artefact to have it checked"); err != nil {
			return err
		}
	}
	for _, dir := range s.kustomizations {
		if err := ctx.Err(); err != nil {
			return err
		}
		seen := map[string]bool{}
		why, err := s.localKustomization(root, dir, seen, 0)
		if err != nil {
			return err
		}
		var mem filesys.FileSystem
		if why == "" {
			if mem, err = memoryTree(root, seen); err != nil {
				why = "its files could not be loaded: " + err.Error()
			}
		}
		if why == "" {
			out, rerr := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(mem, "/"+dir)
			if rerr == nil {
				y, yerr := out.AsYaml()
				if yerr == nil {
					rel := path.Join(dir, "kustomization.yaml") + buildSuffix
					s.dropRaw(dir)
					if err := s.bytes(rel, "", syntaxYAML, y); err != nil {
						return err
					}
					continue
				}
				rerr = yerr
			}
			first, _, _ := strings.Cut(rerr.Error(), "\n")
			if len(first) > 200 {
				first = first[:200] + "…"
			}
			masked, _ := s.o.masker.Mask(first)
			why = "kustomize cannot build it from the artefact alone (" + masked + ")"
		}
		d, err := bundleDigest(root, dir)
		if err != nil {
			return fmt.Errorf("%s (kustomization): %w", dir, err)
		}
		if err := s.uninspected(dir+"/ (kustomization)", dir, d, why+"; render it into the artefact to have it checked"); err != nil {
			return err
		}
	}
	return nil
}

// localKustomization returns why the kustomization in dir cannot be built
// from the artefact alone ("" when it can): an entry of resources, bases
// or components that names no file or directory of the artefact (a remote
// base, fetched at deploy time), Helm charts, or generator and transformer
// plugins. It follows local directories to their own kustomizations.
//
// seen collects the directories it read: what kustomize may then load.
func (s *scanner) localKustomization(root, dir string, seen map[string]bool, depth int) (string, error) {
	if seen[dir] {
		return "", nil
	}
	seen[dir] = true
	if depth > maxBundleDepth {
		return fmt.Sprintf("kustomizations nested deeper than %d", maxBundleDepth), nil
	}
	var file string
	for name := range kustomizationNames {
		if fi, err := os.Lstat(filepath.Join(root, dir, name)); err == nil && fi.Mode().IsRegular() {
			file = path.Join(dir, name)
		}
	}
	if file == "" {
		return "", nil // a plain directory of manifests
	}
	b, err := safefile.Read(filepath.Join(root, file), MaxFileSize)
	if err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	var k map[string]any
	if err := yaml.Unmarshal(b, &k); err != nil {
		return "", fmt.Errorf("%s: %w: %w", file, ErrInvalid, err)
	}
	for _, key := range []string{"helmCharts", "helmChartInflationGenerator", "generators", "transformers", "validators"} {
		if k[key] != nil {
			return fmt.Sprintf("%s uses %s, which tollgate does not run", file, key), nil
		}
	}
	for _, key := range []string{"resources", "bases", "components"} {
		entries, err := strs(k[key], file+" "+key)
		if err != nil {
			return "", err
		}
		for _, e := range entries {
			local := path.Clean(path.Join(dir, e))
			fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(local)))
			if strings.Contains(e, "://") || strings.HasPrefix(local, "../") || local == ".." || err != nil {
				return fmt.Sprintf("%s %s %q is not in the artefact (a remote base is fetched at deploy time)", file, key, e), nil
			}
			if !fi.IsDir() {
				continue // kustomize loads files only from within the kustomization's directory
			}
			why, err := s.localKustomization(root, local, seen, depth+1)
			if err != nil || why != "" {
				return why, err
			}
		}
	}
	return "", nil
}

// memoryTree copies the files under dirs (the kustomization and the local
// directories it builds on; skipping .git, node_modules and files larger
// than MaxFileSize) into an in-memory file system for kustomize, so that
// it reads nothing else.
func memoryTree(root string, dirs map[string]bool) (filesys.FileSystem, error) {
	mem := filesys.MakeFsInMemory()
	var total int64
	files := 0
	loaded := map[string]bool{}
	for _, dir := range slices.Sorted(maps.Keys(dirs)) {
		err := filepath.WalkDir(filepath.Join(root, filepath.FromSlash(dir)), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			if d.IsDir() {
				if rel != "." && skipDirs[d.Name()] {
					return filepath.SkipDir
				}
				return mem.MkdirAll("/" + rel)
			}
			if !d.Type().IsRegular() || loaded[rel] {
				return nil
			}
			loaded[rel] = true
			fi, err := d.Info()
			if err != nil || fi.Size() > MaxFileSize {
				return err
			}
			if total += fi.Size(); total > maxBundleBytes {
				return fmt.Errorf("more than %d bytes", maxBundleBytes)
			}
			if files++; files > maxBundleFiles {
				return fmt.Errorf("more than %d files", maxBundleFiles)
			}
			b, err := safefile.Read(p, MaxFileSize)
			if err != nil {
				return err
			}
			return mem.WriteFile("/"+rel, b)
		})
		if err != nil {
			return nil, err
		}
	}
	return mem, nil
}

// bundleDigest is the digest of every file under dir: their sorted names
// and contents (a link by its target).
func bundleDigest(root, dir string) (string, error) {
	h := sha256.New()
	var total int64
	files := 0
	err := filepath.WalkDir(filepath.Join(root, filepath.FromSlash(dir)), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if skipDirs[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		if files++; files > maxBundleFiles {
			return fmt.Errorf("more than %d files", maxBundleFiles)
		}
		fmt.Fprintf(h, "%s\x00", filepath.ToSlash(rel))
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			t, err := os.Readlink(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "link %s\x00", t)
		case d.Type().IsRegular():
			fi, err := d.Info()
			if err != nil {
				return err
			}
			if total += fi.Size(); total > maxBundleBytes {
				return fmt.Errorf("more than %d bytes", maxBundleBytes)
			}
			b, err := safefile.Read(p, maxBundleBytes)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			fmt.Fprintf(h, "%x\x00", sum)
		default:
			return fmt.Errorf("%s is not a regular file", filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
