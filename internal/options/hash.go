package options

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/digest"
)

// Hash is the flag group that selects how an artefact is hashed (hash,
// review), as model-signing names its serialization options.
type Hash struct {
	Serialization string
	ShardSize     int64
	Ignore        []string
	AllowSymlinks bool
}

// AddFlags adds --serialization, --shard-size, --ignore and --allow-symlinks.
func (o *Hash) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Serialization, "serialization", "files", "how to hash: files (one digest per file) or shards (one per shard)")
	fs.Int64Var(&o.ShardSize, "shard-size", artifact.DefaultShardSize, "shard size in bytes, for --serialization shards")
	fs.StringArrayVar(&o.Ignore, "ignore", nil, "root-relative path to leave out (repeatable); .git, .github, .gitattributes and .gitignore are always left out")
	fs.BoolVar(&o.AllowSymlinks, "allow-symlinks", false, "hash symbolic links to regular files inside the root as their target (links leaving the root are always refused)")
}

// Options returns the artifact.Hash options for the flags, with a progress
// bar on progress when it is a terminal.
func (o *Hash) Options(progress io.Writer) ([]artifact.Option, error) {
	m := artifact.Method(o.Serialization)
	if m != artifact.MethodFiles && m != artifact.MethodShards {
		return nil, cli.Usagef("--serialization must be files or shards, got %q", o.Serialization)
	}
	if o.ShardSize <= 0 {
		return nil, cli.Usagef("--shard-size must be positive, got %d", o.ShardSize)
	}
	opts := []artifact.Option{
		artifact.WithMethod(m),
		artifact.WithShardSize(o.ShardSize),
		artifact.WithIgnore(o.Ignore...),
		artifact.WithAllowSymlinks(o.AllowSymlinks),
	}
	if p := cli.NewProgress(progress, "hashing"); p != nil {
		opts = append(opts, artifact.WithProgress(p))
	}
	return opts, nil
}

// Part is the flag group of a partitioned hash: which share of the
// artefact this run hashes.
type Part struct {
	// Spec is "I/N": part I (1-based) of N.
	Spec string
	// Flag names the flag (default "part") and Usage describes it (default:
	// the partitioned hash's).
	Flag, Usage string
}

// AddFlags adds --part (or the flag Flag names).
func (o *Part) AddFlags(fs *pflag.FlagSet) {
	if o.Flag == "" {
		o.Flag = "part"
	}
	if o.Usage == "" {
		o.Usage = "hash only part I of N (1-based, \"I/N\"), balanced by bytes; merge the parts with --merge"
	}
	fs.StringVar(&o.Spec, o.Flag, "", o.Usage)
}

// Set reports whether --part was given.
func (o *Part) Set() bool { return o.Spec != "" }

// Parse returns I and N, checked: 1 <= I <= N <= artifact.MaxParts.
func (o *Part) Parse() (index, count int, err error) {
	i, n, ok := strings.Cut(o.Spec, "/")
	index, err1 := strconv.Atoi(i)
	count, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || count < 1 || count > artifact.MaxParts || index < 1 || index > count {
		flag := o.Flag
		if flag == "" {
			flag = "part"
		}
		return 0, 0, cli.Usagef("--%s must be I/N with 1 <= I <= N <= %d, got %q", flag, artifact.MaxParts, o.Spec)
	}
	return index, count, nil
}

// Manifest is the flag group of a check that accepts a manifest written by
// `tollgate hash --format json` (single pass or merged from parts) in place
// of hashing the artefact itself.
type Manifest struct {
	Path string
	// Parts, when set, is the number of parts a pipeline hashed the
	// artefact in: 1 means it did not fan out, so Path is not read and the
	// check hashes the tree itself. 0 (unset) always reads Path.
	Parts int
}

// AddFlags adds --manifest and --manifest-parts.
func (o *Manifest) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Path, "manifest", "", "manifest from 'tollgate hash --format json' (or --merge) to use instead of hashing; the tree's file names and sizes must match it")
	fs.IntVar(&o.Parts, "manifest-parts", 0, "for pipelines whose fan-out is optional: the number of parts the pipeline hashed the artefact in; 1 hashes here and does not read --manifest, more reads it (0, the default: read --manifest whenever it is given)")
}

// Load reads the manifest and the digest of its file, or returns nil
// without --manifest (or with --manifest-parts 1).
func (o *Manifest) Load() (*artifact.Manifest, digest.Digest, error) {
	if o.Parts < 0 || o.Parts > artifact.MaxParts {
		return nil, digest.Digest{}, cli.Usagef("--manifest-parts must be 0 to %d, got %d", artifact.MaxParts, o.Parts)
	}
	if o.Parts > 1 && o.Path == "" {
		return nil, digest.Digest{}, cli.Usagef("--manifest-parts %d needs --manifest, the manifest merged from the parts", o.Parts)
	}
	if o.Path == "" || o.Parts == 1 {
		return nil, digest.Digest{}, nil
	}
	return artifact.ReadManifest(o.Path)
}

// PartFiles expands the arguments of a --merge to part files: a file as
// given, a directory as the *.json files in it, sorted. A directory with
// none is an error wrapping invalid and naming what (the kind of part).
func PartFiles(args []string, what string, invalid error) ([]string, error) {
	var out []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			out = append(out, a)
			continue
		}
		m, err := filepath.Glob(filepath.Join(a, "*.json"))
		if err != nil {
			return nil, err
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("no *.json %s in %s: %w", what, a, invalid)
		}
		sort.Strings(m)
		out = append(out, m...)
	}
	return out, nil
}
