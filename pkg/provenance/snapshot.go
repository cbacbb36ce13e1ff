package provenance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/lockfile"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
)

// Snapshot computes the review record's provenance section for the
// artefact at dir whose manifest is m: configuration digests by category,
// lock-file packages, and container images resolved to digests. An image
// that cannot be resolved is an error: pin it by digest or make its
// registry reachable.
func Snapshot(ctx context.Context, dir string, m *artifact.Manifest, r Resolver) (*review.Provenance, error) {
	p, unresolved, _, err := snapshot(ctx, dir, m, r)
	if err != nil {
		return nil, err
	}
	if len(unresolved) > 0 {
		return nil, fmt.Errorf("%w (pin the image by digest, repo:tag@sha256:..., or make the registry reachable)", unresolved[0].err)
	}
	return p, nil
}

// unresolvedImage is an image whose tag could not be resolved.
type unresolvedImage struct {
	key, source string
	err         error
}

func snapshot(ctx context.Context, dir string, m *artifact.Manifest, r Resolver) (*review.Provenance, []unresolvedImage, []imageRef, error) {
	if r == nil {
		r = Registry{}
	}
	p := &review.Provenance{}
	var refs []imageRef
	for _, name := range fileNames(m) {
		cat := Category(name)
		if cat != CategoryDeploy {
			// Kubernetes objects sit anywhere (Helm output, app/job.yaml,
			// tools/, prompts/): their images are pinned by kind wherever
			// the file is, whatever else the file is pinned as.
			imgs, err := workloadImages(filepath.Join(dir, filepath.FromSlash(name)), name)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("manifest %s: %w: %w", name, artifact.ErrInvalidArtifact, err)
			}
			for _, ref := range imgs {
				key, digest, err := splitRef(ref)
				if err != nil {
					return nil, nil, nil, fmt.Errorf("manifest %s: %w: %w", name, artifact.ErrInvalidArtifact, err)
				}
				refs = append(refs, imageRef{key: key, digest: digest, source: name})
			}
		}
		if cat != CategoryModel {
			imgs, err := commandFileImages(filepath.Join(dir, filepath.FromSlash(name)), name)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("configuration %s: %w", name, err)
			}
			for _, ref := range imgs {
				key, digest, err := splitRef(ref)
				if err != nil {
					return nil, nil, nil, fmt.Errorf("configuration %s: %w: a server runs %w", name, artifact.ErrInvalidArtifact, err)
				}
				refs = append(refs, imageRef{key: key, digest: digest, source: name})
			}
		}
		if cat == "" || cat == CategoryModel {
			continue
		}
		full := filepath.Join(dir, filepath.FromSlash(name))
		d, err := fileDigest(full)
		if err != nil {
			return nil, nil, nil, err
		}
		p.Config = append(p.Config, review.ConfigFile{Path: name, Category: cat, Digest: d})
		if eco := lockfile.Detect(name); eco != "" {
			b, err := safefile.Read(full, lockfile.MaxSize)
			if err != nil {
				return nil, nil, nil, err
			}
			pkgs, err := lockfile.Parse(eco, b)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("lock file %s: %w", name, err)
			}
			p.LockFiles = append(p.LockFiles, review.LockFile{Path: name, Ecosystem: eco, Packages: pkgs})
		}
		if cat == CategoryDeploy {
			b, err := safefile.Read(full, maxManifestSize)
			if err != nil {
				return nil, nil, nil, err
			}
			imgs, err := findImages(b)
			if err != nil {
				// a manifest that cannot be read is the artefact's fault:
				// invalid input (exit 3), never a pass
				return nil, nil, nil, fmt.Errorf("deploy manifest %s: %w: %w", name, artifact.ErrInvalidArtifact, err)
			}
			for _, ref := range imgs {
				key, digest, err := splitRef(ref)
				if err != nil {
					// a manifest that cannot be read is the artefact's fault:
					// invalid input (exit 3), never a pass
					return nil, nil, nil, fmt.Errorf("deploy manifest %s: %w: %w", name, artifact.ErrInvalidArtifact, err)
				}
				refs = append(refs, imageRef{key: key, digest: digest, source: name})
			}
		}
	}
	images, unresolved, err := resolveImages(ctx, refs, r)
	if err != nil {
		return nil, nil, nil, err
	}
	p.Images = images
	return p, unresolved, refs, nil
}

// resolveImages groups references by key and resolves each key once. Two
// references with the same key but different pinned digests are both kept
// (the key then maps to several digests, which never equals a review).
func resolveImages(ctx context.Context, refs []imageRef, r Resolver) ([]review.Image, []unresolvedImage, error) {
	byKey := map[string]*review.Image{}
	var keys []string
	var unresolved []unresolvedImage
	resolved := map[string]string{}
	for _, ref := range refs {
		digest := ref.digest
		if digest == "" {
			if d, ok := resolved[ref.key]; ok {
				digest = d
			} else {
				if err := ctx.Err(); err != nil {
					return nil, nil, err
				}
				d, err := r.Resolve(ctx, ref.key)
				if err != nil {
					unresolved = append(unresolved, unresolvedImage{key: ref.key, source: ref.source, err: err})
					resolved[ref.key] = ""
					continue
				}
				resolved[ref.key], digest = d, d
			}
			if digest == "" {
				continue
			}
		}
		img, ok := byKey[ref.key]
		if !ok {
			img = &review.Image{Ref: ref.key, Digest: digest}
			byKey[ref.key] = img
			keys = append(keys, ref.key)
		} else if !strings.Contains(img.Digest, digest) {
			img.Digest += "," + digest
		}
		if !contains(img.Sources, ref.source) {
			img.Sources = append(img.Sources, ref.source)
		}
	}
	sort.Strings(keys)
	out := make([]review.Image, 0, len(keys))
	for _, k := range keys {
		img := byKey[k]
		sort.Strings(img.Sources)
		out = append(out, *img)
	}
	return out, unresolved, nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// fileNames returns the distinct file paths of a manifest (shard resources
// "path:start:end" collapse to their path), sorted.
func fileNames(m *artifact.Manifest) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range m.Files {
		n := resourcePath(r.Name, m.Serialization.Method)
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// resourcePath strips a shard suffix ":start:end".
func resourcePath(name string, method artifact.Method) string {
	if method != artifact.MethodShards {
		return name
	}
	if i := strings.LastIndex(name, ":"); i > 0 {
		if j := strings.LastIndex(name[:i], ":"); j > 0 {
			return name[:j]
		}
	}
	return name
}

// fileDigest streams a regular file through SHA-256.
func fileDigest(p string) (string, error) {
	// O_NONBLOCK: a path swapped for a FIFO cannot hang the open.
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s: not a regular file", p)
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", p, err)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
