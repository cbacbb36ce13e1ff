// Package review is tollgate review, which snapshots the reviewed state of
// a release into a ReleaseReview document, and tollgate hash, which prints
// an artefact's root digest.
package review

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/options"
	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
	"github.com/tollgate-dev/tollgate/pkg/permissions"
	"github.com/tollgate-dev/tollgate/pkg/provenance"
	pkgreview "github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
	"github.com/tollgate-dev/tollgate/pkg/secrets"
)

// snapshotter fills one section of a review record from the artefact.
type snapshotter struct {
	section string
	fill    func(ctx context.Context, dir string, r *pkgreview.ReleaseReview) error
}

// snapshotters are run in order by `tollgate review`; each check adds the
// section it owns.
func snapshotters() []snapshotter {
	return []snapshotter{
		{section: "provenance", fill: func(ctx context.Context, dir string, r *pkgreview.ReleaseReview) error {
			p, err := provenance.Snapshot(ctx, dir, &r.Spec.Artifact, provenance.Registry{})
			r.Spec.Provenance = p
			return err
		}},
		{section: "permissions", fill: func(ctx context.Context, dir string, r *pkgreview.ReleaseReview) error {
			s, err := permissions.Scan(ctx, dir)
			r.Spec.Permissions = s
			return err
		}},
		{section: "secrets", fill: secrets.Snapshot},
	}
}

// New returns `tollgate review`.
func New() *cobra.Command {
	var (
		af                         options.Hash
		out, name, model, ver, rev string
	)
	cmd := &cobra.Command{
		Use:   "review DIR",
		Short: "Snapshot the reviewed state of a release into a ReleaseReview document",
		Long: `review records what reviewers looked at: every file's digest and the root
digest (as model-signing computes it), the model identity, and the sections each
check compares later (pinned configuration, secret references, permissions).

The model identity is read from a Hugging Face config.json and refs/main in DIR
or one directory below; --model, --model-version and --revision override it.
Approvers then sign the record with 'tollgate approve'.`,
		Example: `  tollgate review ./release -o review.yaml --name support-agent
  tollgate review ./release -o review.yaml --name support-agent --model-version 1.4.0`,
		Args: cli.Args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if name == "" {
				abs, err := filepath.Abs(dir)
				if err != nil {
					return err
				}
				name = filepath.Base(abs)
			}
			opts, err := af.Options(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			m, err := artifact.Hash(cmd.Context(), dir, opts...)
			if err != nil {
				return fmt.Errorf("review %s: %w", dir, err)
			}
			if gits, err := artifact.GitDirs(cmd.Context(), dir); err != nil {
				return fmt.Errorf("review %s: %w", dir, err)
			} else if len(gits) > 0 {
				return invalid.Wrap(fmt.Errorf("review %s: %s is a .git directory: a release is a tree of files, not a repository (history, hooks and config would ship unpinned); export it without .git (git archive) and review that", dir, gits[0]))
			}
			outside, err := artifact.HashOutsideModel(cmd.Context(), dir)
			if err != nil {
				return fmt.Errorf("review %s: %w", dir, err)
			}
			r := pkgreview.New(name)
			r.Spec.Artifact = *m
			if len(outside) > 0 {
				r.Spec.Files = &pkgreview.Files{OutsideModel: outside}
			}
			r.Spec.Model = pkgreview.DetectModel(dir)
			if model != "" {
				r.Spec.Model.Name, r.Spec.Model.Source = model, "flag"
			}
			if ver != "" {
				r.Spec.Model.Version = ver
			}
			if rev != "" {
				r.Spec.Model.Revision = rev
			}
			for _, s := range snapshotters() {
				if err := s.fill(cmd.Context(), dir, r); err != nil {
					return fmt.Errorf("review %s: %s: %w", dir, s.section, err)
				}
			}
			encode := r.Encode
			if strings.HasSuffix(out, ".json") {
				encode = r.EncodeJSON
			}
			b, err := encode()
			if err != nil {
				return err
			}
			log := cli.Logger(cmd.Context())
			if out == "" || out == "-" {
				_, err = cmd.OutOrStdout().Write(b)
				return err
			}
			if err := safefile.WriteAtomic(out, b); err != nil {
				return err
			}
			log.Info("wrote review record", zap.String("path", out), zap.String("root", m.Root),
				zap.Int("files", len(m.Files)), zap.String("model", r.Spec.Model.Name))
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s (%d files, model %s)\n", out, m.Root, len(m.Files), displayModel(r.Spec.Model))
			return nil
		},
	}
	af.AddFlags(cmd.Flags())
	cmd.Flags().StringVarP(&out, "output", "o", "-", "where to write the review record (- for stdout); a .json name writes JSON, which needs far less memory than YAML for artefacts of many thousands of files")
	cmd.Flags().StringVar(&name, "name", "", "release name (metadata.name); default: DIR's base name")
	cmd.Flags().StringVar(&model, "model", "", "model name, overriding config.json")
	cmd.Flags().StringVar(&ver, "model-version", "", "model version")
	cmd.Flags().StringVar(&rev, "revision", "", "model revision (for example a Hugging Face commit)")
	return cmd
}

func displayModel(m pkgreview.Model) string {
	s := m.Name
	if s == "" {
		s = "unknown"
	}
	if m.Version != "" {
		s += " " + m.Version
	}
	if m.Revision != "" {
		s += "@" + m.Revision[:min(12, len(m.Revision))]
	}
	return s
}

// NewHash returns `tollgate hash`.
func NewHash() *cobra.Command {
	var (
		af     options.Hash
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
		Args: cli.Args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return cli.Usagef("--format must be text or json, got %q", format)
			}
			opts, err := af.Options(cmd.ErrOrStderr())
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
	af.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&format, "format", "text", "output format: text (the root digest) or json (root, serialization and every file)")
	return cmd
}
