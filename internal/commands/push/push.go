// Package push is the push command (tollgate push): it pushes a release
// directory to an OCI registry as a deterministic artefact and prints its
// digest.
package push

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/options/registry"
	"github.com/tollgate-dev/tollgate/pkg/archive"
	"github.com/tollgate-dev/tollgate/pkg/oci"
)

// Push packs a directory and pushes it to a registry as an OCI artefact.
type Push struct {
	// Dir is the directory to push.
	Dir string
	// Ref is repository:tag or a bare repository (pushed by digest only).
	Ref string
	// Registry holds the registry flags.
	Registry registry.Options
	// Out receives the pinned reference.
	Out io.Writer
}

// Exec pushes and prints REF@sha256:<digest>.
func (p *Push) Exec(ctx context.Context) error {
	if err := p.Registry.Validate(); err != nil {
		return cli.Usagef("%v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, p.Registry.Timeout)
	defer cancel()
	d, st, err := oci.PushDir(ctx, p.Dir, p.Ref, p.Registry.OCIOptions()...)
	if errors.Is(err, archive.ErrUnsafe) {
		return cli.WithCode(cli.ExitInvalidInput, err)
	}
	if err != nil {
		return err
	}
	cli.Logger(ctx).Sugar().Infow("pushed", "dir", p.Dir, "ref", d.String(), "files", st.Files, "bytes", st.Bytes)
	_, err = fmt.Fprintln(p.Out, oci.PinnedString(p.Ref, d))
	return err
}

// New returns the push command.
func New() *cobra.Command {
	p := &Push{}
	cmd := &cobra.Command{
		Use:   "push DIR REF",
		Short: "Push a release directory to a registry as an OCI artefact; prints REF@sha256:…",
		Long: `push packs DIR (the artefact, its review record with approvals, the policy) as
one deterministic tar layer of an OCI artefact (artifactType
` + oci.DirArtifactType + `) and pushes it to REF, a repository:tag or a bare
repository (then by digest only). It prints the reference pinned by digest,
the value a pipeline's candidate param takes; the tollgate-fetch task pulls
exactly that digest into the run's workspace.

The same tree always gives the same digest: members are sorted, times are
zero, owners are 0:0 and modes are 0644/0755. Symbolic links, devices, FIFOs,
sockets and names that are not valid UTF-8 are refused (exit 3).`,
		Example: `  tollgate push examples/agent-release registry.example/agents/support-release:1.4.0
  # registry.example/agents/support-release:1.4.0@sha256:…

  # a plain-HTTP test registry
  tollgate push ./release-dir 127.0.0.1:5000/agents/support-release:dev --allow-insecure-registry`,
		Args: cli.Args(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.Dir, p.Ref, p.Out = args[0], args[1], cmd.OutOrStdout()
			return p.Exec(cmd.Context())
		},
	}
	p.Registry.AddFlags(cmd.Flags())
	return cmd
}
