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
	"github.com/tollgate-dev/tollgate/internal/options/changesdoc"
	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
	"github.com/tollgate-dev/tollgate/pkg/permissions"
	"github.com/tollgate-dev/tollgate/pkg/provenance"
	"github.com/tollgate-dev/tollgate/pkg/redact"
	pkgreview "github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
	"github.com/tollgate-dev/tollgate/pkg/secrets"
	"github.com/tollgate-dev/tollgate/pkg/secrets/inventory"
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
			s, err := permissions.Scan(ctx, dir, permissions.WithMasker(secrets.Masker()))
			r.Spec.Permissions = s
			return err
		}},
		{section: "secrets", fill: inventory.Snapshot},
	}
}

// New returns `tollgate review`.
func New() *cobra.Command {
	var (
		af                         options.Hash
		cf                         changesdoc.Options
		mf                         options.Manifest
		out, name, model, ver, rev string
		redactFlag                 bool
	)
	cmd := &cobra.Command{
		Use:   "review DIR",
		Short: "Snapshot the reviewed state of a release into a ReleaseReview document",
		Long: `review records what reviewers looked at: every file's digest and the root
digest (as model-signing computes it), the model identity, and the sections each
check compares later (pinned configuration, secret references, permissions).

The model identity is read from a Hugging Face config.json and refs/main in DIR
or one directory below; --model, --model-version and --revision override it.
With --against PREVIOUS-REVIEW it also writes the changes document
(review-changes.md next to -o): what changed since the release approved last,
what would block without an exception first, by section (model, weights,
prompts, tool and agent configuration, deploy manifests, lock files,
permissions, secret references, exceptions, images). --against-dir adds prompt
text diffs; --format html adds a self-contained HTML page. 'tollgate approve'
shows it and records its digest in the approval.

Approvers then sign the record with 'tollgate approve'.

--manifest takes the per-file digests from a manifest written by 'tollgate hash
--format json' (single pass or merged from parts) instead of hashing the tree
again; the tree's file names and sizes must match it exactly.

The record is meant to be published: review refuses to write it (exit 1, naming
the files) when it would copy a literal credential out of the artefact, such as
a password in an MCP server's arguments or URL; --redact masks them instead
([REDACTED:<detector>]). A credential in a file name is refused either way.`,
		Example: `  tollgate review ./release -o review.yaml --name support-agent
  tollgate review ./release -o review.yaml --name support-agent --model-version 1.4.0
  tollgate review ./release -o review.yaml --redact   # mask literal credentials instead of refusing
  tollgate review ./release -o review.yaml --against approved/review.yaml --against-dir approved/release
  tollgate review ./release -o review.yaml --against approved/review.yaml --format html
  # with a manifest hashed earlier (in parts, in parallel pods):
  tollgate hash --merge part-*.json --format json -o manifest.json
  tollgate review ./release --manifest manifest.json -o review.yaml`,
		Args: cli.Args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if err := cf.Validate(); err != nil {
				return err
			}
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
			// The record is publishable: a literal credential is never
			// copied into it (see pkgreview.Redact).
			leaks, err := pkgreview.Redact(r, secrets.Masker())
			if err != nil {
				return err
			}
			if err := leakError(out, leaks, redactFlag); err != nil {
				return err
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
				if _, err = cmd.OutOrStdout().Write(b); err != nil {
					return err
				}
				return writeChanges(cmd, &cf, dir, out, r, b)
			}
			if err := safefile.WriteAtomic(out, b); err != nil {
				return err
			}
			log.Info("wrote review record", zap.String("path", out), zap.String("root", m.Root),
				zap.Int("files", len(m.Files)), zap.String("model", r.Spec.Model.Name))
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s (%d files, model %s)\n", redact.Escape(out), m.Root, len(m.Files), redact.Escape(displayModel(r.Spec.Model)))
			return writeChanges(cmd, &cf, dir, out, r, b)
		},
	}
	af.AddFlags(cmd.Flags())
	cf.AddFlags(cmd.Flags())
	mf.AddFlags(cmd.Flags())
	cmd.Flags().StringVarP(&out, "output", "o", "-", "where to write the review record (- for stdout); a .json name writes JSON, which needs far less memory than YAML for artefacts of many thousands of files")
	cmd.Flags().StringVar(&name, "name", "", "release name (metadata.name); default: DIR's base name")
	cmd.Flags().StringVar(&model, "model", "", "model name, overriding config.json")
	cmd.Flags().StringVar(&ver, "model-version", "", "model version")
	cmd.Flags().StringVar(&rev, "revision", "", "model revision (for example a Hugging Face commit)")
	cmd.Flags().BoolVar(&redactFlag, "redact", false, "mask literal credentials (MCP arguments, URL userinfo...) in the record instead of refusing to write it")
	return cmd
}

// writeChanges writes the changes document when --against is given; the
// document names the digest of the review bytes b.
func writeChanges(cmd *cobra.Command, cf *changesdoc.Options, dir, out string, r *pkgreview.ReleaseReview, b []byte) error {
	if !cf.Enabled() {
		return nil
	}
	paths, doc, err := cf.Write(dir, out, r, digest.FromBytes(b))
	if err != nil {
		return fmt.Errorf("review %s: changes document: %w", dir, err)
	}
	cli.Logger(cmd.Context()).Info("wrote changes document", zap.Strings("paths", paths),
		zap.Int("changes", len(doc.Changes)), zap.Int("blocking", doc.Blocking()))
	w := cmd.OutOrStdout()
	if out == "" || out == "-" {
		w = cmd.ErrOrStderr() // stdout is the record
	}
	_, err = fmt.Fprintf(w, "%s: %s\n", strings.Join(paths, ", "), doc.Headline())
	return err
}

// leakError refuses a review record that would copy literal credentials
// (exit 1, naming the files), unless --redact masked them; a credential
// in a file name is refused either way.
func leakError(out string, leaks []pkgreview.Leak, redacted bool) error {
	var refuse []string
	for _, l := range leaks {
		if !redacted || !l.Fixed {
			refuse = append(refuse, l.String())
		}
	}
	if len(refuse) == 0 {
		return nil
	}
	what := "pass --redact to mask them in the record, or remove them from the artefact and reference a secret store"
	if redacted {
		what = "a file name cannot be masked; rename the file"
	}
	n := len(refuse)
	if n > 10 {
		refuse = append(refuse[:10], fmt.Sprintf("and %d more", n-10))
	}
	return cli.Blockedf("refusing to write %s: it would copy %d literal credentials out of the artefact: %s; %s",
		out, n, strings.Join(refuse, "; "), what)
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
