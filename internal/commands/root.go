package commands

import (
	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/commands/approve"
	"github.com/tollgate-dev/tollgate/internal/commands/attest"
	"github.com/tollgate-dev/tollgate/internal/commands/fetch"
	"github.com/tollgate-dev/tollgate/internal/commands/gate"
	"github.com/tollgate-dev/tollgate/internal/commands/hash"
	"github.com/tollgate-dev/tollgate/internal/commands/keygen"
	"github.com/tollgate-dev/tollgate/internal/commands/permissiondiff"
	"github.com/tollgate-dev/tollgate/internal/commands/provenance"
	"github.com/tollgate-dev/tollgate/internal/commands/push"
	"github.com/tollgate-dev/tollgate/internal/commands/review"
	"github.com/tollgate-dev/tollgate/internal/commands/scansecrets"
	"github.com/tollgate-dev/tollgate/internal/commands/secretinventory"
	"github.com/tollgate-dev/tollgate/internal/commands/verify"
	"github.com/tollgate-dev/tollgate/internal/options"
)

// NewRoot returns the tollgate command with every subcommand, plus extra
// (tollgate run), judging and stamping with clock.
func NewRoot(clock cli.Clock, extra ...*cobra.Command) *cobra.Command {
	root := &cobra.Command{
		Use:   "tollgate",
		Short: "Release gate for AI agent systems, run inside the pipeline that ships them",
		Long: `tollgate checks the exact artefact a pipeline is about to promote against its
reviewed state, records signed evidence, and blocks the release unless it passes.

Checks (each also a container task): provenance, secret-inventory, permission-diff.
Then attest signs the verdict and gate enforces it; verify checks it before promotion.`,
		Example: `  # Snapshot the reviewed state of a release, then hash it
  tollgate review ./release -o review.yaml --name my-agent
  tollgate hash ./release

  # Run the example Tekton pipeline on this machine
  tollgate run`,
	}
	root.AddCommand(
		// hashing a large release must stay small: bin/hash links no engine
		cli.MarkSibling(hash.New(), "hash"),
		review.New(),
		provenance.New(clock),
		permissiondiff.New(clock),
		secretinventory.New(clock),
		// the scanner alone: bin/scan-secrets starts without the engines
		// (and without the review record's model: --review stays here)
		cli.MarkSibling(scansecrets.New(secretinventory.ReviewKey), "scan-secrets", "review"),
		permissiondiff.NewDiff(),
		gate.New(clock),
		keygen.New(),
		approve.New(clock),
		attest.New(clock),
		verify.New(clock),
		push.New(),
		fetch.New(),
	)
	root.AddCommand(extra...)
	return options.Root(root)
}
