// Package fetch is the fetch command (tollgate fetch, and the root of the
// cmd/fetch step binary): it pulls a release pushed as an OCI artefact, by
// digest, into a directory.
package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/options/registry"
	"github.com/tollgate-dev/tollgate/pkg/archive"
	"github.com/tollgate-dev/tollgate/pkg/oci"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
)

// EvidenceDirOptions say which evidence directory fetch prepares and who
// owns it.
type EvidenceDirOptions struct {
	// Dir is created (it must not exist, or be empty); "" skips it.
	Dir string
	// Owner is UID:GID; when fetch runs as root the directory is given to
	// it, so that the checks (user 65532) can write there.
	Owner string
}

// AddFlags adds the evidence-directory flags to fs.
func (o *EvidenceDirOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Dir, "evidence-dir", "", "also create this evidence directory, writable by --evidence-owner")
	fs.StringVar(&o.Owner, "evidence-owner", "65532:65532", "UID:GID the evidence directory is given to when fetch runs as root (otherwise it belongs to the running user)")
}

// owner parses Owner.
func (o *EvidenceDirOptions) owner() (int, int, error) {
	u, g, ok := strings.Cut(o.Owner, ":")
	uid, err1 := strconv.Atoi(u)
	gid, err2 := strconv.Atoi(g)
	if !ok || err1 != nil || err2 != nil || uid < 0 || gid < 0 {
		return 0, 0, fmt.Errorf("--evidence-owner %q: want UID:GID", o.Owner)
	}
	return uid, gid, nil
}

// LimitOptions bound what fetch extracts.
type LimitOptions struct {
	MaxBytes int64
	MaxFiles int
}

// AddFlags adds the limit flags to fs.
func (o *LimitOptions) AddFlags(fs *pflag.FlagSet) {
	fs.Int64Var(&o.MaxBytes, "max-bytes", archive.DefaultLimits.MaxBytes, "refuse an artefact whose files hold more bytes in all")
	fs.IntVar(&o.MaxFiles, "max-files", archive.DefaultLimits.MaxFiles, "refuse an artefact with more files and directories")
}

// PlanOptions say into how many parts the pipeline hashes the candidate:
// fetch writes the part indices as a JSON array result, the list a Tekton
// matrix fans out over.
type PlanOptions struct {
	// Noun names the work and the flags: "hash" (the default) adds
	// --hash-parts and --hash-parts-result, "scan" --scan-parts and
	// --scan-parts-result.
	Noun string
	// Parts is the number of parts, 1 to MaxPlanParts.
	Parts int
	// Result is the file the indices are written to; "" writes none.
	Result string
}

func (o *PlanOptions) noun() string {
	if o.Noun == "" {
		return "hash"
	}
	return o.Noun
}

// MaxPlanParts is Tekton's default limit on matrix combinations
// (default-max-matrix-combinations-count).
const MaxPlanParts = 256

// AddFlags adds the plan flags to fs.
func (o *PlanOptions) AddFlags(fs *pflag.FlagSet) {
	n := o.noun()
	fs.IntVar(&o.Parts, n+"-parts", 1, fmt.Sprintf("number of parts the pipeline %ss the candidate in, 1 to %d (Tekton's default matrix limit)", n, MaxPlanParts))
	fs.StringVar(&o.Result, n+"-parts-result", "", `write the part indices, ["1",...,"N"], to this result file (a Tekton array result for a matrix)`)
}

// Validate checks the flags before anything is fetched.
func (o *PlanOptions) Validate() error {
	if o.Parts < 1 || o.Parts > MaxPlanParts {
		return cli.Usagef("--%s-parts must be 1 to %d, got %d", o.noun(), MaxPlanParts, o.Parts)
	}
	return nil
}

// Indices returns the part indices "1" to Parts, as JSON.
func (o *PlanOptions) Indices() []byte {
	idx := make([]string, o.Parts)
	for i := range idx {
		idx[i] = strconv.Itoa(i + 1)
	}
	b, _ := json.Marshal(idx) // a []string always encodes
	return b
}

// Fetch pulls a directory artefact pinned by digest into a workspace.
type Fetch struct {
	// Ref is REF@sha256:<digest>; tags are refused.
	Ref string
	// Dest receives the tree; it must not exist or be empty.
	Dest     string
	Evidence EvidenceDirOptions
	Limits   LimitOptions
	Plan     PlanOptions
	// ScanPlan is the plan of the secret scan (--scan-parts).
	ScanPlan PlanOptions
	Registry registry.Options
}

// Exec fetches and extracts.
func (f *Fetch) Exec(ctx context.Context) error {
	if f.Ref == "" || f.Dest == "" {
		return cli.Usagef("--oci and --dest are required")
	}
	if err := f.Registry.Validate(); err != nil {
		return cli.Usagef("%v", err)
	}
	if f.Limits.MaxBytes <= 0 || f.Limits.MaxFiles <= 0 {
		return cli.Usagef("--max-bytes and --max-files must be positive")
	}
	uid, gid, err := f.Evidence.owner()
	if err != nil {
		return cli.Usagef("%v", err)
	}
	if err := f.Plan.Validate(); err != nil {
		return err
	}
	if err := f.ScanPlan.Validate(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, f.Registry.Timeout)
	defer cancel()
	d, st, err := oci.PullDir(ctx, f.Ref, f.Dest, archive.Limits{MaxBytes: f.Limits.MaxBytes, MaxFiles: f.Limits.MaxFiles}, f.Registry.OCIOptions()...)
	switch {
	case errors.Is(err, oci.ErrNotPinned):
		return cli.Usagef("--oci %v", err)
	case errors.Is(err, archive.ErrUnsafe), errors.Is(err, archive.ErrLimit):
		return cli.WithCode(cli.ExitInvalidInput, err)
	case err != nil:
		return err
	}
	log := cli.Logger(ctx).Sugar()
	log.Infow("fetched", "ref", d.String(), "dest", f.Dest, "files", st.Files, "bytes", st.Bytes)
	if f.Plan.Result != "" {
		if err := safefile.WriteAtomic(f.Plan.Result, f.Plan.Indices()); err != nil {
			return fmt.Errorf("hash parts result: %w", err)
		}
	}
	if f.ScanPlan.Result != "" {
		if err := safefile.WriteAtomic(f.ScanPlan.Result, f.ScanPlan.Indices()); err != nil {
			return fmt.Errorf("scan parts result: %w", err)
		}
	}
	if f.Evidence.Dir == "" {
		return nil
	}
	if err := makeEvidenceDir(f.Evidence.Dir, uid, gid); err != nil {
		return err
	}
	log.Infow("evidence directory ready", "dir", f.Evidence.Dir, "uid", os.Geteuid())
	return nil
}

// makeEvidenceDir creates dir (or takes an empty one) with mode 0755, and
// gives it to uid:gid when running as root: a volume's subPath directory
// made by the kubelet belongs to root, and fsGroup does not apply to every
// volume type.
func makeEvidenceDir(dir string, uid, gid int) error {
	if err := os.MkdirAll(filepath.Dir(filepath.Clean(dir)), 0o755); err != nil {
		return fmt.Errorf("evidence directory: %w", err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("evidence directory: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("evidence directory: %w", err)
	}
	if len(entries) > 0 {
		return cli.WithCode(cli.ExitInvalidInput, fmt.Errorf("evidence directory %s is not empty: every run starts with fresh evidence", dir))
	}
	if os.Geteuid() == 0 {
		if err := os.Lchown(dir, uid, gid); err != nil {
			return fmt.Errorf("evidence directory: %w", err)
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return fmt.Errorf("evidence directory: %w", err)
	}
	return nil
}

// New returns the fetch command, also the root of the fetch step
// binary.
func New() *cobra.Command {
	f := &Fetch{}
	cmd := &cobra.Command{
		Use:   "fetch --oci REF@sha256:… --dest DIR",
		Short: "Fetch a release directory pushed with tollgate push, pinned by digest",
		Long: `fetch is the first task of the release gate: it pulls the OCI artefact REF,
which must be pinned by digest (tags are refused: they can move), and extracts
it into DIR (which must not exist or be empty), so that every run checks
exactly the candidate named in its params and no two runs share a checkout.

Extraction is safe for hostile input: regular files and directories only (no
links, devices or FIFOs), no absolute names or "..", no duplicates, at most
--max-bytes and --max-files, modes reduced to 0644/0755; the tree appears at
DIR only after the layer digest verified. --evidence-dir also creates the run's
empty evidence directory, writable by the checks (user 65532).
--hash-parts N with --hash-parts-result FILE writes the part indices
["1",...,"N"] to FILE: the array a Tekton matrix of tollgate-hash-part fans
out over when the pipeline hashes a large candidate in N parallel pods.
--scan-parts N with --scan-parts-result FILE does the same for the secret
scan (a matrix of tollgate-secret-scan-part).

Exit codes: 0 fetched; 2 usage (a tag instead of a digest); 3 the artefact is
unsafe or too large; 4 the registry could not be read.`,
		Example: `  tollgate fetch --oci registry.example/agents/support-release@sha256:… \
    --dest /workspace/run/source --evidence-dir /workspace/run/evidence

  # a plain-HTTP test registry
  tollgate fetch --oci 127.0.0.1:5000/agents/support-release@sha256:… --dest ./src --allow-insecure-registry

  # a pipeline that hashes the candidate in 4 parallel pods
  tollgate fetch --oci registry.example/agents/support-release@sha256:… --dest /workspace/run/source \
    --hash-parts 4 --hash-parts-result /tekton/results/hash-part-indices`,
		Args: cli.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return f.Exec(cmd.Context())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.Ref, "oci", "", "the artefact, REF@sha256:<digest> (required)")
	fs.StringVar(&f.Dest, "dest", "", "directory to extract into; must not exist or be empty (required)")
	f.Evidence.AddFlags(fs)
	f.Limits.AddFlags(fs)
	f.Plan.AddFlags(fs)
	f.ScanPlan.Noun = "scan"
	f.ScanPlan.AddFlags(fs)
	f.Registry.AddFlags(fs)
	return cmd
}
