package signer

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/invalid"
)

const (
	keyPrefix = "key:"
	issuerSep = " (issuer "
)

// Identity is a validated signer identity; see the package documentation
// for its two forms. The zero Identity is an unknown signer.
type Identity struct {
	// key is the hex SHA-256 of the DER public key, for key identities.
	key string
	// subject and issuer, for certificate identities.
	subject, issuer string
}

// Key is the identity of a public key.
func Key(pub crypto.PublicKey) (Identity, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return Identity{}, fmt.Errorf("encode public key: %w", err)
	}
	return KeyFromDER(der), nil
}

// KeyFromDER is the identity of a PKIX (SubjectPublicKeyInfo) DER public
// key.
func KeyFromDER(der []byte) Identity {
	s := sha256.Sum256(der)
	return Identity{key: hex.EncodeToString(s[:])}
}

// KeyFromDigest is the identity of the public key whose PKIX DER encoding
// has the SHA-256 sum (a bundle's key hint, once decoded).
func KeyFromDigest(sum []byte) (Identity, error) {
	if len(sum) != sha256.Size {
		return Identity{}, invalid.Wrap(fmt.Errorf("a key identity is a %d-byte SHA-256, not %d bytes", sha256.Size, len(sum)))
	}
	return Identity{key: hex.EncodeToString(sum)}, nil
}

// Certificate is the identity of a certificate's subject and issuer. Both
// are required, and the issuer may not contain " (issuer " (so that Parse
// reads back exactly what String wrote).
func Certificate(subject, issuer string) (Identity, error) {
	switch {
	case subject == "" || issuer == "":
		return Identity{}, invalid.New("a certificate signer needs a subject and an issuer")
	case strings.Contains(issuer, issuerSep):
		return Identity{}, invalid.Wrap(fmt.Errorf("certificate issuer %q contains %q", issuer, issuerSep))
	}
	return Identity{subject: subject, issuer: issuer}, nil
}

// MustParse is Parse for identities known to be valid (constants, tests);
// it panics on anything else.
func MustParse(s string) Identity {
	id, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return id
}

// Parse reads what String writes: "key:<64 lowercase hex>" or
// "<subject> (issuer <issuer>)".
func Parse(s string) (Identity, error) {
	if h, ok := strings.CutPrefix(s, keyPrefix); ok && !strings.Contains(s, issuerSep) {
		raw, err := hex.DecodeString(h)
		if err != nil || len(raw) != sha256.Size || strings.ToLower(h) != h {
			return Identity{}, invalid.Wrap(fmt.Errorf("signer %s: a key signer is key:<64 lowercase hex digits>", invalid.Quote(s, 120)))
		}
		return Identity{key: h}, nil
	}
	i := strings.LastIndex(s, issuerSep)
	if i < 0 || !strings.HasSuffix(s, ")") || i+len(issuerSep) > len(s)-1 {
		return Identity{}, invalid.Wrap(fmt.Errorf("signer %s is neither key:<hex> nor <subject> (issuer <issuer>)", invalid.Quote(s, 120)))
	}
	id, err := Certificate(s[:i], s[i+len(issuerSep):len(s)-1])
	if err != nil {
		return Identity{}, fmt.Errorf("signer %s: %w", invalid.Quote(s, 120), err)
	}
	return id, nil
}

// String returns "key:<hex>", "<subject> (issuer <issuer>)", or "" for the
// zero Identity.
func (id Identity) String() string {
	switch {
	case id.key != "":
		return keyPrefix + id.key
	case id.subject != "":
		return id.subject + issuerSep + id.issuer + ")"
	}
	return ""
}

// IsZero reports whether the signer is unknown.
func (id Identity) IsZero() bool { return id == Identity{} }

// IsKey reports whether the signer is a public key.
func (id Identity) IsKey() bool { return id.key != "" }

// Name is the identity without its issuer: "key:<hex>" for a key, the
// subject for a certificate.
func (id Identity) Name() string {
	if id.IsKey() {
		return id.String()
	}
	return id.subject
}

// Issuer is a certificate's issuer, "" for a key.
func (id Identity) Issuer() string { return id.issuer }

// MarshalText encodes the identity as its String.
func (id Identity) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText decodes what Parse accepts, and "" as the zero Identity.
func (id *Identity) UnmarshalText(b []byte) error {
	*id = Identity{}
	if len(b) == 0 {
		return nil
	}
	var err error
	*id, err = Parse(string(b))
	return err
}
