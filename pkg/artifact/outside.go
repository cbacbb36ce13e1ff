package artifact

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"unicode/utf8"
)

// MaxOutsideModelFiles bounds the files HashOutsideModel reads.
const MaxOutsideModelFiles = 10000

// HashOutsideModel hashes what model-signing leaves out of the root digest
// (AlwaysIgnored, at the artefact root): every regular file under .github/,
// and the files .gitattributes, .gitignore and a .git file (a worktree
// link). Workflows, triggers and Copilot instructions live there and ship
// with the release, so a review pins them beside the root digest, which
// stays exactly model-signing's. A .git directory is not hashed here:
// GitDirs finds it and provenance refuses it. Symbolic links, devices,
// FIFOs and sockets are refused (ErrInvalidArtifact). The result is sorted
// by name and never nil.
func HashOutsideModel(ctx context.Context, root string) ([]Resource, error) {
	out := []Resource{}
	add := func(p, name string) error {
		if len(out) >= MaxOutsideModelFiles {
			return fmt.Errorf("artefact has more than %d files outside the model-signing root: %w", MaxOutsideModelFiles, ErrInvalidArtifact)
		}
		r, err := hashRegular(p, name)
		if err != nil {
			return err
		}
		out = append(out, r)
		return nil
	}
	for _, top := range AlwaysIgnored {
		p := filepath.Join(root, top)
		fi, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return nil, fmt.Errorf("stat %s: %w", top, err)
		case fi.IsDir() && top == ".git":
			continue // GitDirs
		case fi.IsDir():
			err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
				if err != nil {
					return fmt.Errorf("read %s: %w", q, err)
				}
				if err := ctx.Err(); err != nil {
					return err
				}
				rel, err := filepath.Rel(root, q)
				if err != nil {
					return err
				}
				name := filepath.ToSlash(rel)
				if !utf8.ValidString(name) {
					return fmt.Errorf("file name %q is not valid UTF-8: %w", name, ErrInvalidArtifact)
				}
				if d.IsDir() {
					return nil
				}
				return add(q, name)
			})
			if err != nil {
				return nil, err
			}
		default:
			if err := add(p, top); err != nil {
				return nil, err
			}
		}
	}
	SortResources(out)
	return out, nil
}

// hashRegular hashes one regular file, refusing anything else.
func hashRegular(p, name string) (Resource, error) {
	fi, err := os.Lstat(p)
	if err != nil {
		return Resource{}, fmt.Errorf("stat %s: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		return Resource{}, fmt.Errorf("%s is a %s, not a regular file: %w", name, describeMode(fi.Mode().Type()), ErrInvalidArtifact)
	}
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return Resource{}, fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return Resource{}, fmt.Errorf("read %s: %w", name, err)
	}
	return Resource{Name: name, Digest: "sha256:" + hex.EncodeToString(h.Sum(nil)), Size: n}, nil
}

// GitDirs returns the root-relative paths of every directory named .git
// in the artefact, sorted. model-signing leaves a root .git out of the
// digest, and a repository's history, hooks and config do not belong in a
// release: provenance refuses the artefact when there is one.
func GitDirs(ctx context.Context, root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" && p != root {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
			return filepath.SkipDir
		}
		return nil
	})
	return out, err
}
