package oci

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/tollgate-dev/tollgate/pkg/safefile"
)

// MaxDockerConfigSize bounds a registry credentials file.
const MaxDockerConfigSize = 1 << 20

// Names of a credentials file inside a directory: a Docker config
// directory ($DOCKER_CONFIG) holds config.json; a mounted Kubernetes
// Secret of type kubernetes.io/dockerconfigjson holds .dockerconfigjson.
var dockerConfigNames = []string{"config.json", ".dockerconfigjson"}

// dockerAuth is one entry of a Docker config's "auths" map.
type dockerAuth struct {
	Auth          string `json:"auth"`
	Username      string `json:"username"`
	Password      string `json:"password"`
	IdentityToken string `json:"identitytoken"`
	RegistryToken string `json:"registrytoken"`
}

// Keychain is a set of registry credentials read from a Docker config
// file. It never runs credential helpers (credsStore, credHelpers): a
// pipeline step gets its credentials from a mounted file only.
type Keychain struct {
	byHost map[string]authn.AuthConfig
}

// LoadDockerConfig reads registry credentials from path: a Docker
// config.json, a .dockerconfigjson, or a directory holding either (a
// mounted Secret of type kubernetes.io/dockerconfigjson or a
// $DOCKER_CONFIG directory). Errors name the file and never a credential.
func LoadDockerConfig(path string) (*Keychain, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("registry credentials: %w", err)
	}
	if fi.IsDir() {
		dir := path
		path = ""
		for _, n := range dockerConfigNames {
			p := filepath.Join(dir, n)
			if _, err := os.Lstat(p); err == nil {
				path = p
				break
			} else if !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("registry credentials: %w", err)
			}
		}
		if path == "" {
			return nil, fmt.Errorf("registry credentials: %s holds neither %s", dir, strings.Join(dockerConfigNames, " nor "))
		}
	}
	b, err := safefile.Read(path, MaxDockerConfigSize)
	if err != nil {
		return nil, fmt.Errorf("registry credentials: %w", err)
	}
	k, err := ParseDockerConfig(b)
	if err != nil {
		return nil, fmt.Errorf("registry credentials %s: %w", path, err)
	}
	return k, nil
}

// ParseDockerConfig decodes a Docker config ({"auths": {HOST: {...}}}).
// Keys may be a host[:port], a URL (https://index.docker.io/v1/) or a
// host with a path; they are matched by host.
func ParseDockerConfig(b []byte) (*Keychain, error) {
	var doc struct {
		Auths map[string]dockerAuth `json:"auths"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		// The decoder's message may quote the input; say where, not what.
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, fmt.Errorf("not a Docker config: JSON syntax error at byte %d", se.Offset)
		case errors.As(err, &te):
			return nil, fmt.Errorf("not a Docker config: field %q has the wrong type", te.Field)
		}
		return nil, errors.New("not a Docker config: malformed JSON")
	}
	k := &Keychain{byHost: map[string]authn.AuthConfig{}}
	for key, a := range doc.Auths {
		host := authHost(key)
		if host == "" {
			return nil, errors.New("not a Docker config: an auths key names no registry")
		}
		c := authn.AuthConfig{Username: a.Username, Password: a.Password, IdentityToken: a.IdentityToken, RegistryToken: a.RegistryToken}
		if a.Auth != "" {
			raw, err := base64.StdEncoding.DecodeString(a.Auth)
			if err != nil {
				return nil, fmt.Errorf("not a Docker config: the auth of registry %q is not base64", host)
			}
			user, pass, ok := strings.Cut(string(raw), ":")
			if !ok {
				return nil, fmt.Errorf("not a Docker config: the auth of registry %q is not user:password", host)
			}
			c.Username, c.Password = user, pass
		}
		k.byHost[host] = c
	}
	return k, nil
}

// authHost returns the registry host of an auths key.
func authHost(key string) string {
	h := strings.TrimPrefix(strings.TrimPrefix(key, "https://"), "http://")
	h, _, _ = strings.Cut(h, "/")
	h = strings.ToLower(h)
	if h == "docker.io" || h == "registry-1.docker.io" {
		h = name.DefaultRegistry
	}
	return h
}

// Resolve implements authn.Keychain: the credentials of the registry, or
// anonymous when the file names none.
func (k *Keychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if c, ok := k.byHost[authHost(r.RegistryStr())]; ok {
		return authn.FromConfig(c), nil
	}
	return authn.Anonymous, nil
}

// Registries lists the registries the file has credentials for, sorted.
func (k *Keychain) Registries() []string {
	out := make([]string, 0, len(k.byHost))
	for h := range k.byHost {
		out = append(out, h)
	}
	slices.Sort(out)
	return out
}

// WithKeychain authenticates with k instead of the default Docker keychain.
func WithKeychain(k authn.Keychain) Option {
	return func(o *options) { o.remote = append(o.remote, remote.WithAuthFromKeychain(k)) }
}
