// Package registry is the flag group of commands that talk to an OCI registry.
package registry

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/tollgate-dev/tollgate/pkg/invalid"
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
	// Auth is a Docker config file, or a directory holding config.json
	// or .dockerconfigjson (a mounted kubernetes.io/dockerconfigjson
	// Secret); empty: the default Docker keychain ($DOCKER_CONFIG).
	// Validate loads it.
	Auth string

	keychain *oci.Keychain
}

// DefaultTimeout bounds a push or a pull.
const DefaultTimeout = 10 * time.Minute

// AddFlags adds the registry flags to fs.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.AllowInsecure, "allow-insecure-registry", false, "allow a plain-HTTP registry (a local or in-cluster test registry); HTTPS otherwise")
	fs.DurationVar(&o.Timeout, "registry-timeout", DefaultTimeout, "deadline for the whole registry operation")
	fs.StringVar(&o.Auth, "registry-auth", "", "registry credentials: a Docker config.json, or a directory holding config.json or .dockerconfigjson (a mounted Secret); default: $DOCKER_CONFIG")
}

// Validate checks the values.
func (o *Options) Validate() error {
	if o.Timeout <= 0 {
		return fmt.Errorf("--registry-timeout must be positive, got %s", o.Timeout)
	}
	if o.Auth != "" && o.keychain == nil {
		k, err := oci.LoadDockerConfig(o.Auth)
		if err != nil {
			return invalid.Wrap(fmt.Errorf("--registry-auth: %w", err))
		}
		o.keychain = k
	}
	return nil
}

// OCIOptions returns the pkg/oci options the flags stand for (with the
// --registry-auth credentials once Validate has loaded them).
func (o *Options) OCIOptions() []oci.Option {
	opts := []oci.Option{oci.WithRegistry(o.AllowInsecure)}
	if o.keychain != nil {
		opts = append(opts, oci.WithKeychain(o.keychain))
	}
	return opts
}
