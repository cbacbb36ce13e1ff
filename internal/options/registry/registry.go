// Package registry is the flag group of commands that talk to an OCI registry.
package registry

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/tollgate-dev/tollgate/pkg/oci"
)

// Options is the flag group of commands that talk to an OCI
// registry: plain HTTP only when asked for, and a deadline on the whole
// operation (every request also has dial, TLS and response-header
// deadlines, see oci.WithRegistry).
type Options struct {
	// AllowInsecure allows plain-HTTP registries.
	AllowInsecure bool
	// Timeout bounds the whole registry operation.
	Timeout time.Duration
}

// DefaultTimeout bounds a push or a pull.
const DefaultTimeout = 10 * time.Minute

// AddFlags adds the registry flags to fs.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.AllowInsecure, "allow-insecure-registry", false, "allow a plain-HTTP registry (a local or in-cluster test registry); HTTPS otherwise")
	fs.DurationVar(&o.Timeout, "registry-timeout", DefaultTimeout, "deadline for the whole registry operation")
}

// Validate checks the values.
func (o *Options) Validate() error {
	if o.Timeout <= 0 {
		return fmt.Errorf("--registry-timeout must be positive, got %s", o.Timeout)
	}
	return nil
}

// OCIOptions returns the pkg/oci options the flags stand for.
func (o *Options) OCIOptions() []oci.Option {
	return []oci.Option{oci.WithRegistry(o.AllowInsecure)}
}
