package permissions

import (
	"errors"

	"github.com/tollgate-dev/tollgate/pkg/redact"
)

// Option configures Scan, ScanFile and Check.
type Option func(*options) error

type options struct {
	masker redact.Masker
}

// WithMasker masks credentials in every value a snapshot keeps (server
// arguments and URLs, rule text, descriptions, names): tollgate passes the
// secret scanner's detectors (secrets.Masker). Without it only URL
// userinfo and credential-named arguments are masked.
func WithMasker(m redact.Masker) Option {
	return func(o *options) error {
		if m == nil {
			return errors.New("permissions: WithMasker(nil)")
		}
		o.masker = m
		return nil
	}
}

func newOptions(opts []Option) (options, error) {
	o := options{masker: basicMasker{}}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return o, err
		}
	}
	return o, nil
}
