package commands

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/pkg/artifact"
)

// artifactFlags are the flags that select how an artefact is hashed.
type artifactFlags struct {
	serialization string
	shardSize     int64
	ignore        []string
	allowSymlinks bool
}

func (f *artifactFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.serialization, "serialization", "files", "how to hash: files (one digest per file) or shards (one per shard)")
	cmd.Flags().Int64Var(&f.shardSize, "shard-size", artifact.DefaultShardSize, "shard size in bytes, for --serialization shards")
	cmd.Flags().StringArrayVar(&f.ignore, "ignore", nil, "root-relative path to leave out (repeatable); .git, .github, .gitattributes and .gitignore are always left out")
	cmd.Flags().BoolVar(&f.allowSymlinks, "allow-symlinks", false, "hash symbolic links to regular files inside the root as their target (links leaving the root are always refused)")
}

// options returns the artifact.Hash options for the flags, with a progress
// bar on stderr when it is a terminal.
func (f *artifactFlags) options(cmd *cobra.Command) ([]artifact.Option, error) {
	m := artifact.Method(f.serialization)
	if m != artifact.MethodFiles && m != artifact.MethodShards {
		return nil, cli.Usagef("--serialization must be files or shards, got %q", f.serialization)
	}
	if f.shardSize <= 0 {
		return nil, cli.Usagef("--shard-size must be positive, got %d", f.shardSize)
	}
	opts := []artifact.Option{
		artifact.WithMethod(m),
		artifact.WithShardSize(f.shardSize),
		artifact.WithIgnore(f.ignore...),
		artifact.WithAllowSymlinks(f.allowSymlinks),
	}
	if p := cli.NewProgress(cmd.ErrOrStderr(), "hashing"); p != nil {
		opts = append(opts, artifact.WithProgress(p))
	}
	return opts, nil
}

func newHash() *cobra.Command {
	var (
		af     artifactFlags
		format string
	)
	cmd := &cobra.Command{
		Use:   "hash DIR",
		Short: "Compute an artefact's root digest, exactly as OpenSSF model-signing does",
		Long: `hash walks DIR and prints its root digest: SHA-256 over the sorted per-file (or
per-shard) SHA-256 digests, the same subject digest OpenSSF model-signing signs.

Files are hashed in parallel on all cores through fixed buffers, so memory does
not grow with file size. FIFOs, devices, sockets, symbolic-link loops and links
that leave DIR are refused with an error naming the path.`,
		Example: `  tollgate hash ./model
  tollgate hash ./model --format json
  tollgate hash ./model --serialization shards --shard-size 1000000000
  tollgate hash ./model --ignore model.sig --ignore README.md`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return cli.Usagef("--format must be text or json, got %q", format)
			}
			opts, err := af.options(cmd)
			if err != nil {
				return err
			}
			m, err := artifact.Hash(cmd.Context(), args[0], opts...)
			if err != nil {
				return fmt.Errorf("hash %s: %w", args[0], err)
			}
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(m)
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), m.Root)
			return err
		},
	}
	af.register(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text (the root digest) or json (root, serialization and every file)")
	return cmd
}
