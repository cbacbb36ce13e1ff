// Package secretinventory is the secret-inventory check command (tollgate
// secret-inventory, and the root of the cmd/secret-inventory step binary).
// The bare scanner, tollgate scan-secrets, is package scansecrets.
package secretinventory

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/tollgate-dev/tollgate/internal/check"
	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/commands/scansecrets"
	"github.com/tollgate-dev/tollgate/internal/options/step"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/secrets"
	"github.com/tollgate-dev/tollgate/pkg/secrets/inventory"
)

// Command is one secret-inventory run.
type Command struct {
	Step    step.Step
	Scan    ScanParts
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
secret-inventory.sarif.

A large artefact is scanned in parts, in parallel pods: --scan-part I/N scans
only part I of N (every pod walks the whole tree; the files, links and
unscannable entries are shared out by the hash partitioner's rule, balanced
by bytes) and writes a sealed part (HMAC under the fingerprint key; findings
as in a report, no secret value) to --scan-part-output, and no report. The
check then runs with --scan-parts N --scan-part-dir DIR: it merges the parts
instead of scanning, and the report is byte for byte the one a single scan
gives. Parts that are missing, duplicated, altered, sealed with another key,
scanned by another version, rule set or limits, or from another tree are
refused: verdict=error, so the gate blocks.`,
		Example: `  tollgate secret-inventory --artifact ./release --review review.yaml --evidence-dir out --results-dir out/results
  secret-inventory --artifact /workspace/source/release --review /workspace/source/review.yaml \
    --fingerprint-key-file /var/run/secrets/tollgate/fingerprint-key --evidence-dir /workspace/evidence
  # in three pods, then the check:
  tollgate secret-inventory --artifact ./release --review review.yaml --scan-part 1/3 --scan-part-output parts/part-1.json
  tollgate secret-inventory --artifact ./release --review review.yaml --scan-parts 3 --scan-part-dir parts --evidence-dir out`,
		Args: cli.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return c.Exec(cmd.Context()) },
	}
	c.Step.AddFlags(cmd.Flags())
	c.Scan.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&c.KeyFile, "fingerprint-key-file", "", "file holding the fingerprint key (base64 or raw, >= 16 bytes), e.g. a mounted Kubernetes secret; overrides spec.secrets.fingerprintKey")
	return cmd
}

// Exec runs the check and writes its report, SARIF and results.
func (c *Command) Exec(ctx context.Context) error {
	if err := c.Scan.Validate(); err != nil {
		return err
	}
	if c.Scan.Part.Set() {
		return c.execPart(ctx)
	}
	if err := c.Step.Require("artifact", "review", "evidence-dir"); err != nil {
		return err
	}
	log := cli.Logger(ctx)
	_, err := check.Run(ctx, c.Step.Env(c.Clock), policy.CheckSecrets, func(ctx context.Context) (*evidence.Outcome, error) {
		if err := c.Step.RefuseTrustInputs(); err != nil {
			return nil, err
		}
		in := inventory.Input{Artifact: c.Step.Artifact}
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
			if in.Key, err = scansecrets.ReadKeyFile(c.KeyFile); err != nil {
				return nil, err
			}
		}
		if in.Parts, in.PartNames, err = c.Scan.ReadParts(); err != nil {
			return nil, err
		}
		out, err := inventory.Check(ctx, in)
		if err == nil {
			log.Info("secret inventory", zap.String("verdict", string(out.Report.Verdict)), zap.String("summary", out.Report.Summary))
		}
		return out, err
	})
	return err
}

// execPart scans one part of the artefact and writes it.
func (c *Command) execPart(ctx context.Context) error {
	if err := c.Step.Require("artifact", "review"); err != nil {
		return err
	}
	i, n, err := c.Scan.Part.Parse()
	if err != nil {
		return err
	}
	key, err := c.partKey()
	if err != nil {
		return err
	}
	return scansecrets.WritePart(ctx, key, c.Step.Artifact, i, n, c.Scan.Output)
}

// partKey is the key the check will merge with: --fingerprint-key-file,
// else the review record's.
func (c *Command) partKey() ([]byte, error) {
	if c.KeyFile != "" {
		return scansecrets.ReadKeyFile(c.KeyFile)
	}
	return ReviewKey(c.Step.Review)
}

// ReviewKey reads the fingerprint key of the review record at path
// (spec.secrets.fingerprintKey): `tollgate scan-secrets --review`.
func ReviewKey(path string) ([]byte, error) {
	r, _, err := review.Load(path)
	if err != nil {
		return nil, err
	}
	if r.Spec.Secrets == nil || r.Spec.Secrets.FingerprintKey == "" {
		return nil, invalid.Wrap(fmt.Errorf("%w: review %s has no spec.secrets.fingerprintKey", secrets.ErrNoKey, path))
	}
	k, err := secrets.DecodeKey([]byte(r.Spec.Secrets.FingerprintKey))
	if err != nil {
		return nil, fmt.Errorf("review %s: spec.secrets.fingerprintKey: %w", path, err)
	}
	return k, nil
}
