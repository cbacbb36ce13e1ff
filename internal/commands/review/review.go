// Package review is tollgate review, which snapshots the reviewed state of
// a release into a ReleaseReview document.
package review

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/options"
	"github.com/tollgate-dev/tollgate/pkg/artifact"
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
		mf                         options.Manifest
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
Approvers then sign the record with 'tollgate approve'.

--manifest takes the per-file digests from a manifest written by 'tollgate hash
--format json' (single pass or merged from parts) instead of hashing the tree
again; the tree's file names and sizes must match it exactly.`,
		Example: `  tollgate review ./release -o review.yaml --name support-agent
  tollgate review ./release -o review.yaml --name support-agent --model-version 1.4.0
  # with a manifest hashed earlier (in parts, in parallel pods):
  tollgate hash --merge part-*.json --format json -o manifest.json
  tollgate review ./release --manifest manifest.json -o review.yaml`,
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
			supplied, _, err := mf.Load()
			if err != nil {
				return fmt.Errorf("review %s: %w", dir, err)
			}
			if supplied != nil {
				for _, f := range []string{"serialization", "shard-size", "ignore", "allow-symlinks"} {
					if cmd.Flags().Changed(f) {
						return cli.Usagef("--%s does not apply with --manifest: the manifest records how it was hashed", f)
					}
				}
				opts = manifestOptions(supplied)
			}
			m, err := artifact.Hash(cmd.Context(), dir, opts...)
			if err != nil {
				return fmt.Errorf("review %s: %w", dir, err)
			}
			r := pkgreview.New(name)
			r.Spec.Artifact = *m
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
	mf.AddFlags(cmd.Flags())
	cmd.Flags().StringVarP(&out, "output", "o", "-", "where to write the review record (- for stdout); a .json name writes JSON, which needs far less memory than YAML for artefacts of many thousands of files")
	cmd.Flags().StringVar(&name, "name", "", "release name (metadata.name); default: DIR's base name")
	cmd.Flags().StringVar(&model, "model", "", "model name, overriding config.json")
	cmd.Flags().StringVar(&ver, "model-version", "", "model version")
	cmd.Flags().StringVar(&rev, "revision", "", "model revision (for example a Hugging Face commit)")
	return cmd
}

// manifestOptions hashes with the serialization a manifest records, and
// lets the manifest stand in for the hashing.
func manifestOptions(m *artifact.Manifest) []artifact.Option {
	ser := m.Serialization
	opts := []artifact.Option{
		artifact.WithMethod(ser.Method), artifact.WithIgnore(ser.IgnorePaths...),
		artifact.WithAllowSymlinks(ser.AllowSymlinks), artifact.WithManifest(m),
	}
	if ser.Method == artifact.MethodShards {
		opts = append(opts, artifact.WithShardSize(ser.ShardSize))
	}
	return opts
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
