package digest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/invopop/jsonschema"

	"github.com/tollgate-dev/tollgate/pkg/invalid"
)

// Algorithm names a hash function as digests spell it.
type Algorithm string

// The algorithms a Digest may use: SHA-256 everywhere tollgate writes one;
// SHA-384 and SHA-512 in bundles made by other tools.
const (
	SHA256 Algorithm = "sha256"
	SHA384 Algorithm = "sha384"
	SHA512 Algorithm = "sha512"
)

var sizes = map[Algorithm]int{SHA256: 32, SHA384: 48, SHA512: 64}

// Size is the digest length in bytes, 0 for an unknown algorithm.
func (a Algorithm) Size() int { return sizes[a] }

// Digest is a validated "<algorithm>:<lowercase hex>". The zero value is
// no digest (String returns ""). Digests compare with ==.
type Digest struct {
	algorithm Algorithm
	hex       string
}

// Parse parses "<algorithm>:<hex>" for a known algorithm, with exactly
// its length of lowercase hex digits. Anything else (upper case, bare
// hex, an unsubstituted "$(…)") is an invalid-input error that quotes at
// most the first 80 bytes of s.
func Parse(s string) (Digest, error) {
	algo, h, ok := strings.Cut(s, ":")
	a := Algorithm(algo)
	if !ok || a.Size() == 0 || len(h) != 2*a.Size() || !isLowerHex(h) {
		return Digest{}, invalid.Wrap(fmt.Errorf("digest %s is not sha256:, sha384: or sha512: followed by its length of lowercase hex digits", invalid.Quote(s, 80)))
	}
	return Digest{algorithm: a, hex: h}, nil
}

// MustParse is Parse for digests known to be valid (constants, tests); it
// panics on anything else.
func MustParse(s string) Digest {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// ParseSHA256 parses "sha256:" followed by 64 lowercase hex digits, the
// only form the results contract, reports and review records use.
func ParseSHA256(s string) (Digest, error) {
	d, err := Parse(s)
	if err != nil || d.algorithm != SHA256 {
		return Digest{}, invalid.Wrap(fmt.Errorf("digest %s is not sha256:<64 lowercase hex digits>", invalid.Quote(s, 80)))
	}
	return d, nil
}

// New makes a Digest from raw hash bytes, which must have the algorithm's
// size.
func New(a Algorithm, raw []byte) (Digest, error) {
	if a.Size() == 0 {
		return Digest{}, invalid.Wrap(fmt.Errorf("digest algorithm %s is not sha256, sha384 or sha512", invalid.Quote(string(a), 80)))
	}
	if len(raw) != a.Size() {
		return Digest{}, invalid.Wrap(fmt.Errorf("a %s digest has %d bytes, not %d", a, a.Size(), len(raw)))
	}
	return Digest{algorithm: a, hex: hex.EncodeToString(raw)}, nil
}

// FromBytes is the SHA-256 digest of b.
func FromBytes(b []byte) Digest {
	s := sha256.Sum256(b)
	return Digest{algorithm: SHA256, hex: hex.EncodeToString(s[:])}
}

// Algorithm returns the algorithm ("" for the zero Digest).
func (d Digest) Algorithm() Algorithm { return d.algorithm }

// Hex returns the lowercase hex value ("" for the zero Digest).
func (d Digest) Hex() string { return d.hex }

// Raw returns the digest bytes (nil for the zero Digest).
func (d Digest) Raw() []byte {
	if d.IsZero() {
		return nil
	}
	b, _ := hex.DecodeString(d.hex) // validated when d was made
	return b
}

// IsZero reports whether d is the zero Digest: no digest.
func (d Digest) IsZero() bool { return d.algorithm == "" }

// String returns "<algorithm>:<hex>", or "" for the zero Digest.
func (d Digest) String() string {
	if d.IsZero() {
		return ""
	}
	return string(d.algorithm) + ":" + d.hex
}

// MarshalText encodes d as its String; the zero Digest is "" (use the
// omitzero JSON option to leave it out).
func (d Digest) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText decodes what Parse accepts, and "" as the zero Digest, so
// optional fields round-trip. A required digest is checked with IsZero.
func (d *Digest) UnmarshalText(b []byte) error {
	*d = Digest{}
	if len(b) == 0 {
		return nil
	}
	var err error
	*d, err = Parse(string(b))
	return err
}

// JSONSchema describes a Digest in generated schemas.
func (Digest) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "string", Pattern: `^(sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$`,
		Description: `a content digest such as "sha256:<64 lowercase hex digits>"`}
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
