// Package permissiondiff is the permission-diff check command (tollgate
// permission-diff, and the root of the cmd/permission-diff step binary) and
// tollgate diff-permissions, the ad-hoc comparison.
package permissiondiff

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/tollgate-dev/tollgate/internal/check"
	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/options/step"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/permissions"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/redact"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/secrets"
)

// checkRules returns the permission-diff rules of the policy at path, or
// the built-in rules when path is empty.
func checkRules(path string) (policy.CheckRules, string, error) {
	if path == "" {
		return policy.DefaultRules(policy.CheckPermissions), "", nil
	}
	p, digest, err := policy.Load(path)
	if err != nil {
		return policy.CheckRules{}, "", err
	}
	return p.RulesFor(policy.CheckPermissions), digest.String(), nil
}

// Command is one permission-diff run.
type Command struct {
	Step  step.Step
	Clock cli.Clock
	Out   io.Writer
}

// New returns the permission-diff check command.
func New(clock cli.Clock) *cobra.Command {
	c := &Command{Clock: clock}
	cmd := &cobra.Command{
		Use:   "permission-diff",
		Short: "Check that the agent can do no more than what was reviewed",
		Long: `permission-diff reads every permission surface of the artefact (MCP client
configuration and tools/list snapshots, Claude Code settings, OpenAI and A2A tool
configuration, Kubernetes RBAC, GitHub Actions token permissions, network egress
and filesystem paths) and compares it with spec.permissions of the review record.

A new tool or server, a tool whose description or schema changed, a removed
deny rule or annotation, a broader Kubernetes role or token scope is a finding;
the policy's checks.permission-diff rules (default: severity>=high) decide which
block. Narrowing never blocks. Writes permission-diff.json and
permission-diff.sarif to the evidence dir and the results verdict,
report-digest and summary. Exits 0 for pass and fail; non-zero after writing
verdict=error when it cannot decide (an unreadable permission file, a review
record without spec.permissions).`,
		Example: `  tollgate permission-diff --artifact ./release --review review.yaml --policy policy.yaml \
    --evidence-dir evidence --results-dir results`,
		Args: cli.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c.Out = cmd.OutOrStdout()
			return c.Exec(cmd.Context())
		},
	}
	c.Step.AddFlags(cmd.Flags())
	_ = cmd.MarkFlagRequired("evidence-dir")
	return cmd
}

// Exec runs the check and writes its report, SARIF and results.
func (c *Command) Exec(ctx context.Context) error {
	f := c.Step
	if err := f.Require("artifact", "review", "evidence-dir"); err != nil {
		return err
	}
	rep, err := check.Run(ctx, f.Env(c.Clock), policy.CheckPermissions, func(ctx context.Context) (*evidence.Outcome, error) {
		if err := f.RefuseTrustInputs(); err != nil {
			return nil, err
		}
		r, reviewDigest, err := review.Load(f.Review)
		if err != nil {
			return nil, err
		}
		rules, policyDigest, err := checkRules(f.Policy)
		if err != nil {
			return nil, err
		}
		res, err := permissions.Check(ctx, f.Artifact, r.Spec.Permissions, rules, permissions.WithMasker(secrets.Masker()))
		if err != nil {
			return nil, fmt.Errorf("permission-diff: %w", err)
		}
		rep, err := res.Report()
		if err != nil {
			return nil, err
		}
		rep.Inputs = map[string]string{"review": reviewDigest.String()}
		if policyDigest != "" {
			rep.Inputs["policy"] = policyDigest
		}
		return &evidence.Outcome{Report: rep}, nil
	})
	if rep != nil && c.Out != nil {
		cli.Logger(ctx).Info("permission-diff", zap.String("verdict", string(rep.Verdict)), zap.Int("findings", len(rep.Findings)))
		fmt.Fprintln(c.Out, rep.Summary)
	}
	return err
}

// NewDiff returns `tollgate diff-permissions`.
func NewDiff() *cobra.Command {
	var baseline, candidate, format, policyPath string
	cmd := &cobra.Command{
		Use:   "diff-permissions --baseline PATH --candidate PATH",
		Short: "Compare the permissions of two artefact trees or two permission files",
		Long: `diff-permissions normalises the permission surfaces of two artefact trees (or two
single files of the same kind) and prints every change: added, removed,
broadened, narrowed or changed, with its severity.

Formats: text (a table), json ({"changes": [...]}) or sarif (SARIF 2.1.0).
Exits 0 when no change would block under the rules (the policy's, with
--policy, else severity>=high), 1 when one would, 3 when a file cannot be read.`,
		Example: `  tollgate diff-permissions --baseline ./release-1.3 --candidate ./release-1.4
  tollgate diff-permissions --baseline old/mcp.json --candidate new/mcp.json --format json
  tollgate diff-permissions --baseline a --candidate b --format sarif > permissions.sarif`,
		Args: cli.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if baseline == "" || candidate == "" {
				return cli.Usagef("--baseline and --candidate are required")
			}
			if format != "text" && format != "json" && format != "sarif" {
				return cli.Usagef("--format must be text, json or sarif, got %q", format)
			}
			rules, _, err := checkRules(policyPath)
			if err != nil {
				return err
			}
			base, cand, err := scanPair(cmd.Context(), baseline, candidate)
			if err != nil {
				return err
			}
			changes := permissions.Diff(base, cand)
			findings := make([]evidence.Finding, len(changes))
			blocking := 0
			for i := range changes {
				findings[i] = changes[i].Finding(rules)
				if findings[i].Blocking {
					blocking++
				}
			}
			out := cmd.OutOrStdout()
			switch format {
			case "json":
				if changes == nil {
					changes = []permissions.Change{}
				}
				b, err := evidence.Canonical(struct {
					Changes []permissions.Change `json:"changes"`
				}{changes})
				if err != nil {
					return err
				}
				_, err = out.Write(b)
				if err != nil {
					return err
				}
			case "sarif":
				b, err := evidence.SARIF(findings)
				if err != nil {
					return err
				}
				if _, err = out.Write(b); err != nil {
					return err
				}
			default:
				if err := printChanges(out, changes, findings); err != nil {
					return err
				}
			}
			if blocking > 0 {
				return cli.Blockedf("%d of %d permission changes would block", blocking, len(changes))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&baseline, "baseline", "", "reviewed artefact directory or permission file (required)")
	cmd.Flags().StringVar(&candidate, "candidate", "", "candidate artefact directory or permission file (required)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json or sarif")
	cmd.Flags().StringVar(&policyPath, "policy", "", "ReleasePolicy whose checks.permission-diff rules decide what blocks")
	return cmd
}

// scanPair scans two directories, or two files recorded under the
// candidate's base name so that their grants line up.
func scanPair(ctx context.Context, baseline, candidate string) (*permissions.Snapshot, *permissions.Snapshot, error) {
	bi, err := os.Stat(baseline)
	if err != nil {
		return nil, nil, err
	}
	ci, err := os.Stat(candidate)
	if err != nil {
		return nil, nil, err
	}
	if bi.IsDir() != ci.IsDir() {
		return nil, nil, cli.Usagef("--baseline and --candidate must both be directories or both be files")
	}
	mask := permissions.WithMasker(secrets.Masker())
	if bi.IsDir() {
		b, err := permissions.Scan(ctx, baseline, mask)
		if err != nil {
			return nil, nil, err
		}
		c, err := permissions.Scan(ctx, candidate, mask)
		return b, c, err
	}
	name := filepath.Base(candidate)
	if parent := filepath.Base(filepath.Dir(candidate)); parent == ".claude" || parent == ".well-known" || parent == "workflows" {
		name = parent + "/" + name
		if parent == "workflows" {
			name = ".github/" + name
		}
	}
	b, err := permissions.ScanFile(baseline, name, mask)
	if err != nil {
		return nil, nil, err
	}
	c, err := permissions.ScanFile(candidate, name, mask)
	return b, c, err
}

// printChanges writes the text table.
func printChanges(w io.Writer, changes []permissions.Change, findings []evidence.Finding) error {
	if len(changes) == 0 {
		_, err := fmt.Fprintln(w, "no permission changes")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEVERITY\tKIND\tSURFACE\tSUBJECT\tPATH\tDETAIL")
	for i, c := range changes {
		sev := string(c.Severity)
		if findings[i].Blocking {
			sev += "!"
		}
		subject := c.Subject
		if c.Surface == permissions.SurfaceRBAC || c.Surface == permissions.SurfaceActions || c.Surface == permissions.SurfaceWorkload {
			subject += " " + c.Action
			if c.Scope != "" {
				subject += " " + c.Scope
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", sev, c.Kind, c.Surface, redact.Escape(subject), redact.Escape(c.Path), redact.Escape(c.Detail))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "(! = blocks under the rules)")
	return err
}
