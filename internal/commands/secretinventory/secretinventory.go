// Package secretinventory is the secret-inventory check command (tollgate
// secret-inventory, and the root of the cmd/secret-inventory step binary)
// and tollgate scan-secrets, the bare scanner.
package secretinventory

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/tollgate-dev/tollgate/internal/check"
	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/options"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/redact"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
	"github.com/tollgate-dev/tollgate/pkg/secrets"
)

// maxFingerprintKeyFile bounds a mounted fingerprint key file.
const maxFingerprintKeyFile = 4 << 10

func readKeyFile(path string) ([]byte, error) {
	b, err := safefile.Read(path, maxFingerprintKeyFile)
	if err != nil {
		return nil, invalid.Wrap(fmt.Errorf("--fingerprint-key-file: %w", err))
	}
	k, err := secrets.DecodeKey(b)
	if err != nil {
		return nil, fmt.Errorf("--fingerprint-key-file %s: %w", path, err)
	}
	return k, nil
}

// Command is one secret-inventory run.
type Command struct {
	Step    options.Step
	KeyFile string
	Clock   cli.Clock
}

// New returns the secret-inventory check command.
func New(clock cli.Clock) *cobra.Command {
	c := &Command{Clock: clock}
	cmd := &cobra.Command{
		Use:   "secret-inventory",
		Short: "Check that no literal secret ships and that secret references match the review",
		Long: `secret-inventory scans the artefact for literal credentials (AI providers, cloud,
code hosts and registries, chat, payments, private keys, JWTs, connection URLs and
generic key/secret/token/password assignments) in text, notebooks, safetensors and
GGUF metadata and archives, and inventories the secret references it makes
(Kubernetes secretKeyRef/secretRef/secret volumes, ExternalSecret, Vault
annotations, ${VAR}, ${{ secrets.X }}, MCP env and headers, cloud secret managers).

It fails when a literal secret is found, when a file cannot be scanned, and when
references were added (or, if the policy says so, removed) since review.
Exceptions are not judged here: the report lists the exceptions of the review
that name each finding, and attest and gate waive a finding only when such an
exception is valid (approved, unexpired, within the policy's limits). Values
never leave the scanner: findings carry an HMAC-SHA-256 fingerprint keyed per
project (spec.secrets.fingerprintKey in the review, or --fingerprint-key-file)
and at most a 4-character hint. Writes secret-inventory.json and
secret-inventory.sarif.`,
		Example: `  tollgate secret-inventory --artifact ./release --review review.yaml --evidence-dir out --results-dir out/results
  secret-inventory --artifact /workspace/source/release --review /workspace/source/review.yaml \
    --fingerprint-key-file /var/run/secrets/tollgate/fingerprint-key --evidence-dir /workspace/evidence`,
		Args: cli.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return c.Exec(cmd.Context()) },
	}
	c.Step.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&c.KeyFile, "fingerprint-key-file", "", "file holding the fingerprint key (base64 or raw, >= 16 bytes), e.g. a mounted Kubernetes secret; overrides spec.secrets.fingerprintKey")
	_ = cmd.MarkFlagRequired("evidence-dir")
	return cmd
}

// Exec runs the check and writes its report, SARIF and results.
func (c *Command) Exec(ctx context.Context) error {
	if err := c.Step.Require("artifact", "review", "evidence-dir"); err != nil {
		return err
	}
	log := cli.Logger(ctx)
	_, err := check.Run(ctx, c.Step.Env(c.Clock), policy.CheckSecrets, func(ctx context.Context) (*evidence.Outcome, error) {
		if err := c.Step.RefuseTrustInputs(); err != nil {
			return nil, err
		}
		in := secrets.CheckInput{Artifact: c.Step.Artifact}
		r, reviewDigest, err := review.Load(c.Step.Review)
		if err != nil {
			return nil, err
		}
		in.Review, in.ReviewDigest = r, reviewDigest.String()
		if c.Step.Policy != "" {
			p, policyDigest, err := policy.Load(c.Step.Policy)
			if err != nil {
				return nil, err
			}
			in.Policy, in.PolicyDigest = p, policyDigest.String()
		}
		if c.KeyFile != "" {
			if in.Key, err = readKeyFile(c.KeyFile); err != nil {
				return nil, err
			}
		}
		out, err := secrets.Check(ctx, in)
		if err == nil {
			log.Info("secret inventory", zap.String("verdict", string(out.Report.Verdict)), zap.String("summary", out.Report.Summary))
		}
		return out, err
	})
	return err
}

// NewScan returns `tollgate scan-secrets`, the bare scanner.
func NewScan() *cobra.Command {
	var format, keyFile, reviewFile, cpuProfile string
	cmd := &cobra.Command{
		Use:   "scan-secrets PATH...",
		Short: "Scan files and directories for literal secrets (the secret-inventory scanner alone)",
		Long: `scan-secrets runs the secret-inventory scanner on each PATH and prints what it
finds: rule, path (relative to the PATH), line, keyed fingerprint and a hint of at
most 4 characters from the credential's public prefix. Secret values are never
printed.

Fingerprints are keyed with --fingerprint-key-file, else the review record's key
(--review), else a random key for this run only (then they cannot be compared
across runs). Exit status: 0 nothing found, 1 secrets found or a file could not be
scanned, 2 usage, 3 a PATH does not exist.`,
		Example: `  tollgate scan-secrets ./release
  tollgate scan-secrets ./release --format sarif > secrets.sarif
  tollgate scan-secrets notebook.ipynb model.safetensors --format json --review review.yaml`,
		Args: cli.Args(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" && format != "sarif" {
				return cli.Usagef("--format must be text, json or sarif, got %q", format)
			}
			key, err := scanKey(cmd, keyFile, reviewFile)
			if err != nil {
				return err
			}
			s, err := secrets.New(key)
			if err != nil {
				return err
			}
			if cpuProfile != "" {
				stop, err := startCPUProfile(cpuProfile)
				if err != nil {
					return err
				}
				defer stop()
			}
			res, err := s.Scan(cmd.Context(), args...)
			if err != nil {
				return err
			}
			if err := printScan(cmd.OutOrStdout(), format, res); err != nil {
				return err
			}
			if n := len(res.Findings) + len(res.Problems); n > 0 {
				return cli.WithCode(cli.ExitBlocked, fmt.Errorf("%d literal secrets, %d files not scanned (%d files scanned)", len(res.Findings), len(res.Problems), res.Stats.Files))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json or sarif")
	cmd.Flags().StringVar(&keyFile, "fingerprint-key-file", "", "file holding the fingerprint key (base64 or raw, >= 16 bytes)")
	cmd.Flags().StringVar(&reviewFile, "review", "", "ReleaseReview whose spec.secrets.fingerprintKey keys the fingerprints")
	// For developers measuring the scanner (hack/bench-secrets.sh): a Go
	// CPU profile of the scan, read with go tool pprof.
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a Go CPU profile of the scan to this file")
	_ = cmd.Flags().MarkHidden("cpuprofile")
	return cmd
}

// startCPUProfile writes a CPU profile to path until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

func scanKey(cmd *cobra.Command, keyFile, reviewFile string) ([]byte, error) {
	switch {
	case keyFile != "":
		return readKeyFile(keyFile)
	case reviewFile != "":
		r, _, err := review.Load(reviewFile)
		if err != nil {
			return nil, err
		}
		if r.Spec.Secrets == nil || r.Spec.Secrets.FingerprintKey == "" {
			return nil, invalid.Wrap(fmt.Errorf("review %s has no spec.secrets.fingerprintKey", reviewFile))
		}
		return secrets.DecodeKey([]byte(r.Spec.Secrets.FingerprintKey))
	}
	cli.Logger(cmd.Context()).Warn("no fingerprint key given: fingerprints are keyed with a random key for this run only")
	k, err := secrets.NewKey()
	if err != nil {
		return nil, err
	}
	return secrets.DecodeKey([]byte(k))
}

func printScan(w io.Writer, format string, res *secrets.Result) error {
	switch format {
	case "json":
		b, err := evidence.Canonical(struct {
			Findings   []secrets.Finding   `json:"findings"`
			Problems   []secrets.Problem   `json:"problems"`
			References []secrets.Reference `json:"references"`
			Stats      secrets.Stats       `json:"stats"`
		}{res.Findings, res.Problems, res.References, res.Stats})
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	case "sarif":
		b, err := evidence.SARIF(secrets.Findings(res))
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	for _, f := range res.Findings {
		loc := f.Path
		if f.Line > 0 {
			loc = fmt.Sprintf("%s:%d", f.Path, f.Line)
		}
		if f.Location != "" {
			loc += " (" + f.Location + ")"
		}
		hint := ""
		if f.Hint != "" {
			hint = " hint=" + f.Hint + "…"
		}
		if f.Encoding != "" {
			hint += " encoding=" + f.Encoding
		}
		if _, err := fmt.Fprintf(w, "%s: %s%s fingerprint=%s\n", redact.Escape(loc), f.Rule, redact.Escape(hint), f.Fingerprint); err != nil {
			return err
		}
	}
	for _, p := range res.Problems {
		if _, err := fmt.Fprintf(w, "%s: not scanned: %s\n", redact.Escape(p.Path), redact.Escape(p.Reason)); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "%d literal secrets, %d not scanned, %d references; %d files, %d bytes scanned\n",
		len(res.Findings), len(res.Problems), len(res.References), res.Stats.Files, res.Stats.Bytes)
	return err
}
