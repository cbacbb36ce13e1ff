package commands

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/redact"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/secrets"
)

// snapshotter fills one section of a review record from the artefact.
type snapshotter struct {
	section string
	fill    func(ctx context.Context, dir string, r *review.ReleaseReview) error
}

// snapshotters are run in order by `tollgate review`; each check adds the
// section it owns.
func snapshotters() []snapshotter {
	return []snapshotter{
		// provenance, secrets and permissions add their sections here.
		provenanceSnapshotter(),
		permissionsSnapshotter(),
		{section: "secrets", fill: secrets.Snapshot},
	}
}

func newReview() *cobra.Command {
	var (
		af                         artifactFlags
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
Approvers then sign the record with 'tollgate approve'.

The record is meant to be published: review refuses to write it (exit 1, naming
the files) when it would copy a literal credential out of the artefact, such as
a password in an MCP server's arguments or URL; --redact masks them instead
([REDACTED:<detector>]). A credential in a file name is refused either way.`,
		Example: `  tollgate review ./release -o review.yaml --name support-agent
  tollgate review ./release -o review.yaml --name support-agent --model-version 1.4.0
  tollgate review ./release -o review.yaml --redact   # mask literal credentials instead of refusing`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if name == "" {
				abs, err := filepath.Abs(dir)
				if err != nil {
					return err
				}
				name = filepath.Base(abs)
			}
			opts, err := af.options(cmd)
			if err != nil {
				return err
			}
			m, err := artifact.Hash(cmd.Context(), dir, opts...)
			if err != nil {
				return fmt.Errorf("review %s: %w", dir, err)
			}
			r := review.New(name)
			r.Spec.Artifact = *m
			r.Spec.Model = review.DetectModel(dir)
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
			// copied into it (see review.Redact).
			leaks, err := review.Redact(r, secrets.Masker())
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
				_, err = cmd.OutOrStdout().Write(b)
				return err
			}
			if err := evidence.WriteFileAtomic(out, b); err != nil {
				return err
			}
			log.Info("wrote review record", zap.String("path", out), zap.String("root", m.Root),
				zap.Int("files", len(m.Files)), zap.String("model", r.Spec.Model.Name))
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s (%d files, model %s)\n", redact.Escape(out), m.Root, len(m.Files), redact.Escape(displayModel(r.Spec.Model)))
			return nil
		},
	}
	af.register(cmd)
	cmd.Flags().StringVarP(&out, "output", "o", "-", "where to write the review record (- for stdout); a .json name writes JSON, which needs far less memory than YAML for artefacts of many thousands of files")
	cmd.Flags().StringVar(&name, "name", "", "release name (metadata.name); default: DIR's base name")
	cmd.Flags().StringVar(&model, "model", "", "model name, overriding config.json")
	cmd.Flags().StringVar(&ver, "model-version", "", "model version")
	cmd.Flags().StringVar(&rev, "revision", "", "model revision (for example a Hugging Face commit)")
	cmd.Flags().BoolVar(&redactFlag, "redact", false, "mask literal credentials (MCP arguments, URL userinfo...) in the record instead of refusing to write it")
	return cmd
}

// leakError refuses a review record that would copy literal credentials
// (exit 1, naming the files), unless --redact masked them; a credential
// in a file name is refused either way.
func leakError(out string, leaks []review.Leak, redacted bool) error {
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

func displayModel(m review.Model) string {
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
