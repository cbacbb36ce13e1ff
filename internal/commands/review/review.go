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

// NewHash returns `tollgate hash`.
func NewHash() *cobra.Command {
	var (
		af          options.Hash
		part        options.Part
		merge       bool
		format, out string
	)
	cmd := &cobra.Command{
		Use:   "hash DIR | hash DIR --part I/N -o part-I.json | hash --merge PART...",
		Short: "Compute an artefact's root digest, exactly as OpenSSF model-signing does",
		Long: `hash walks DIR and prints its root digest: SHA-256 over the sorted per-file (or
per-shard) SHA-256 digests, the same subject digest OpenSSF model-signing signs.

Files are hashed in parallel on all cores through fixed buffers, so memory does
not grow with file size. FIFOs, devices, sockets, symbolic-link loops and links
that leave DIR are refused with an error naming the path.

A release too big for one machine is hashed in parts, in parallel pods:
--part I/N hashes only part I of N (files, or shards in shards mode, balanced by
bytes; the plan is a pure function of the file list and sizes) and writes a
HashPart manifest. --merge reads the N part manifests and prints exactly what
'tollgate hash DIR' prints; it refuses parts that disagree (serialization, shard
size, ignore set, file list), a missing or duplicated part, and a digest that
belongs to another part.`,
		Example: `  tollgate hash ./model
  tollgate hash ./model --format json -o manifest.json
  tollgate hash ./model --serialization shards --shard-size 1000000000
  tollgate hash ./model --ignore model.sig --ignore README.md
  # in four pods, then one merge:
  tollgate hash ./model --part 1/4 -o part-1.json   # ... --part 4/4
  tollgate hash --merge part-*.json --format json -o manifest.json`,
		Args: cli.Args(cobra.ArbitraryArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return cli.Usagef("--format must be text or json, got %q", format)
			}
			var (
				doc any
				m   *artifact.Manifest
			)
			switch {
			case merge:
				if len(args) == 0 {
					return cli.Usagef("--merge needs the part manifests to merge")
				}
				for _, f := range []string{"part", "serialization", "shard-size", "ignore", "allow-symlinks"} {
					if cmd.Flags().Changed(f) {
						return cli.Usagef("--%s does not apply to --merge: the parts record how they were hashed", f)
					}
				}
				parts := make([]*artifact.Part, 0, len(args))
				for _, a := range args {
					p, err := artifact.ReadPart(a)
					if err != nil {
						return fmt.Errorf("hash --merge: %w", err)
					}
					parts = append(parts, p)
				}
				var err error
				if m, err = artifact.Merge(parts); err != nil {
					return fmt.Errorf("hash --merge: %w", err)
				}
				doc = m
			case len(args) != 1:
				return cli.Usagef("accepts 1 arg (DIR), received %d", len(args))
			case part.Set():
				i, n, err := part.Parse()
				if err != nil {
					return err
				}
				opts, err := af.Options(cmd.ErrOrStderr())
				if err != nil {
					return err
				}
				p, err := artifact.HashPart(cmd.Context(), args[0], i, n, opts...)
				if err != nil {
					return fmt.Errorf("hash %s part %d/%d: %w", args[0], i, n, err)
				}
				cli.Logger(cmd.Context()).Info("hashed part", zap.Int("part", i), zap.Int("parts", n),
					zap.Int("resources", len(p.Resources)), zap.Int("files", len(p.Files)))
				doc, format = p, "json"
			default:
				opts, err := af.Options(cmd.ErrOrStderr())
				if err != nil {
					return err
				}
				if m, err = artifact.Hash(cmd.Context(), args[0], opts...); err != nil {
					return fmt.Errorf("hash %s: %w", args[0], err)
				}
				doc = m
			}
			var b []byte
			if format == "json" {
				var err error
				if b, err = json.MarshalIndent(doc, "", "  "); err != nil {
					return err
				}
				b = append(b, '\n')
			} else {
				b = []byte(m.Root + "\n")
			}
			if out == "" || out == "-" {
				_, err := cmd.OutOrStdout().Write(b)
				return err
			}
			return safefile.WriteAtomic(out, b)
		},
	}
	af.AddFlags(cmd.Flags())
	part.AddFlags(cmd.Flags())
	cmd.Flags().BoolVar(&merge, "merge", false, "merge the part manifests given as arguments into the artefact's manifest")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text (the root digest) or json (root, serialization and every file); --part always writes JSON")
	cmd.Flags().StringVarP(&out, "output", "o", "-", "where to write (- for stdout)")
	return cmd
}
