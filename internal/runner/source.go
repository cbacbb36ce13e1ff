package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/tollgate-dev/tollgate/pkg/oci"
)

// Params the runner sets when it pushes --source itself.
const (
	CandidateParam = "candidate"
	InsecureParam  = "allow-insecure-registry"
)

// sourceRegistry is an in-process OCI registry on a loopback port holding
// the --source directory, so that the pipeline's fetch task pulls the
// candidate by digest exactly as it does in a cluster.
type sourceRegistry struct {
	srv *http.Server
	ref string
}

// pushSource starts the registry and pushes dir; the returned reference is
// pinned by digest.
func pushSource(ctx context.Context, dir string) (*sourceRegistry, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("--source: local registry: %w", err)
	}
	srv := &http.Server{Handler: registry.New(registry.Logger(log.New(io.Discard, "", 0))), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	r := &sourceRegistry{srv: srv}
	d, _, err := oci.PushDir(ctx, dir, l.Addr().String()+"/tollgate/candidate:local", oci.WithRegistry(true))
	if err != nil {
		r.close()
		return nil, fmt.Errorf("--source %s: %w", dir, err)
	}
	r.ref = d.String()
	return r, nil
}

func (r *sourceRegistry) close() {
	if r == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		_ = r.srv.Close()
	}
}
