package oci

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Deadlines of the registry transport WithRegistry installs. A whole
// operation is bounded by its context.
const (
	DialTimeout           = 30 * time.Second
	TLSHandshakeTimeout   = 15 * time.Second
	ResponseHeaderTimeout = 60 * time.Second
)

// WithRegistry installs a transport with a deadline on every phase of every
// request (dial, TLS handshake, response headers) that speaks HTTPS only,
// unless allowHTTP: then plain HTTP is allowed for any registry (by default
// go-containerregistry falls back to HTTP for loopback and private
// addresses only). PushDir and PullDir callers should always pass it.
func WithRegistry(allowHTTP bool) Option {
	return func(o *options) {
		base := deadlineTransport()
		var rt http.RoundTripper = base
		if allowHTTP {
			o.name = append(o.name, name.Insecure)
		} else {
			rt = httpsOnly{base}
		}
		o.remote = append(o.remote, remote.WithTransport(rt))
	}
}

// WithDeadlines installs the transport of WithRegistry (a deadline on the
// dial, the TLS handshake and the response headers of every request)
// without changing which scheme is used: go-containerregistry's default,
// HTTPS with a plain-HTTP fallback for loopback and private addresses.
// For readers of signed content (tollgate verify), where a registry that
// never answers must not hang the caller.
func WithDeadlines() Option {
	return func(o *options) {
		o.remote = append(o.remote, remote.WithTransport(deadlineTransport()))
	}
}

func deadlineTransport() *http.Transport {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.DialContext = (&net.Dialer{Timeout: DialTimeout, KeepAlive: 30 * time.Second}).DialContext
	base.TLSHandshakeTimeout = TLSHandshakeTimeout
	base.ResponseHeaderTimeout = ResponseHeaderTimeout
	return base
}

// httpsOnly refuses plain-HTTP requests.
type httpsOnly struct{ next http.RoundTripper }

func (t httpsOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme != "https" {
		return nil, fmt.Errorf("refusing plain-HTTP request to %s: the registry must speak HTTPS (allow plain HTTP explicitly, e.g. --allow-insecure-registry)", r.URL.Host)
	}
	return t.next.RoundTrip(r)
}
