package options

import (
	"io"
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
}

// AddFlags adds --part.
func (o *Part) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Spec, "part", "", "hash only part I of N (1-based, \"I/N\"), balanced by bytes; merge the parts with --merge")
}

// Set reports whether --part was given.
func (o *Part) Set() bool { return o.Spec != "" }

// Parse returns I and N, checked: 1 <= I <= N <= artifact.MaxParts.
func (o *Part) Parse() (index, count int, err error) {
	i, n, ok := strings.Cut(o.Spec, "/")
	index, err1 := strconv.Atoi(i)
	count, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || count < 1 || count > artifact.MaxParts || index < 1 || index > count {
		return 0, 0, cli.Usagef("--part must be I/N with 1 <= I <= N <= %d, got %q", artifact.MaxParts, o.Spec)
	}
	return index, count, nil
}

// Manifest is the flag group of a check that accepts a manifest written by
// `tollgate hash --format json` (single pass or merged from parts) in place
// of hashing the artefact itself.
type Manifest struct {
	Path string
}

// AddFlags adds --manifest.
func (o *Manifest) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Path, "manifest", "", "manifest from 'tollgate hash --format json' (or --merge) to use instead of hashing; the tree's file names and sizes must match it")
}

// Load reads the manifest and the digest of its file, or returns nil
// without --manifest.
func (o *Manifest) Load() (*artifact.Manifest, digest.Digest, error) {
	if o.Path == "" {
		return nil, digest.Digest{}, nil
	}
	return artifact.ReadManifest(o.Path)
}
