package sign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"

	"github.com/tollgate-dev/tollgate/pkg/invalid"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
)

// PEM block types of private and public keys.
const (
	// EncryptedKeyType is cosign's (v2+) encrypted private key block.
	EncryptedKeyType = "ENCRYPTED SIGSTORE PRIVATE KEY"
	// legacyEncryptedKeyType is what cosign v1 wrote.
	legacyEncryptedKeyType = "ENCRYPTED COSIGN PRIVATE KEY"
	// PrivateKeyType is an unencrypted PKCS#8 key.
	PrivateKeyType = "PRIVATE KEY"
	// PublicKeyType is a PKIX public key.
	PublicKeyType = "PUBLIC KEY"
)

// MaxKeyFileSize bounds key files read from disk.
const MaxKeyFileSize = 64 << 10

// ErrPassword is returned when an encrypted key cannot be decrypted with
// the password given.
var ErrPassword = invalid.New("wrong password for encrypted key")

// GenerateKey creates an ECDSA P-256 key pair (cosign's default) and
// returns the private key PEM and the public key PEM. With a non-nil
// password (which may be empty, like cosign's COSIGN_PASSWORD="") the
// private key is encrypted exactly as cosign encrypts it; with a nil
// password it is written as unencrypted PKCS#8.
func GenerateKey(password []byte) (priv, pub []byte, err error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, nil, fmt.Errorf("encode private key: %w", err)
	}
	block := &pem.Block{Type: PrivateKeyType, Bytes: der}
	if password != nil {
		enc, err := encrypted.Encrypt(der, password)
		if err != nil {
			return nil, nil, fmt.Errorf("encrypt private key: %w", err)
		}
		block = &pem.Block{Type: EncryptedKeyType, Bytes: enc}
	}
	pubDER, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		return nil, nil, fmt.Errorf("encode public key: %w", err)
	}
	return pem.EncodeToMemory(block), pem.EncodeToMemory(&pem.Block{Type: PublicKeyType, Bytes: pubDER}), nil
}

// ParsePrivateKey decodes a PEM private key: cosign's encrypted format
// (decrypted with password), PKCS#8 or SEC 1 ("EC PRIVATE KEY").
func ParsePrivateKey(b, password []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("no PEM block found; expected a cosign.key or a PKCS#8 \"PRIVATE KEY\"")
	}
	der := block.Bytes
	switch block.Type {
	case EncryptedKeyType, legacyEncryptedKeyType:
		var err error
		der, err = encrypted.Decrypt(block.Bytes, password)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrPassword, err)
		}
	case PrivateKeyType:
	case "EC PRIVATE KEY":
		k, err := x509.ParseECPrivateKey(der)
		if err != nil {
			return nil, fmt.Errorf("parse EC private key: %w", err)
		}
		return k, nil
	default:
		return nil, fmt.Errorf("unsupported PEM block %q; expected %q or %q", block.Type, EncryptedKeyType, PrivateKeyType)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("parse PKCS#8 private key: %w", err)
	}
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		return k, nil
	case *rsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, fmt.Errorf("unsupported private key type %T", k)
}

// ParsePublicKey decodes a PEM "PUBLIC KEY" (PKIX).
func ParsePublicKey(b []byte) (crypto.PublicKey, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != PublicKeyType {
		return nil, fmt.Errorf("expected a PEM %q block", PublicKeyType)
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	return k, nil
}

// LoadKey reads a private key file. password is used only when the key is
// encrypted; an encrypted key with a nil password is refused with a hint.
func LoadKey(path string, password []byte) (*Signer, error) {
	b, err := safefile.Read(path, MaxKeyFileSize)
	if err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	if password == nil {
		if block, _ := pem.Decode(b); block != nil && (block.Type == EncryptedKeyType || block.Type == legacyEncryptedKeyType) {
			return nil, fmt.Errorf("key %s is encrypted: pass its password in a file (--key-password-file) or an environment variable named by --key-password-env", path)
		}
	}
	k, err := ParsePrivateKey(b, password)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", path, err)
	}
	return NewKeySigner(k)
}

// WriteKeyPair writes priv to prefix.key (mode 0600) and pub to prefix.pub,
// refusing to overwrite existing files.
func WriteKeyPair(prefix string, priv, pub []byte) error {
	for _, f := range []struct {
		name string
		b    []byte
		mode os.FileMode
	}{{prefix + ".key", priv, 0o600}, {prefix + ".pub", pub, 0o644}} {
		fh, err := os.OpenFile(f.name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, f.mode)
		if err != nil {
			return fmt.Errorf("write %s (existing key files are never overwritten): %w", f.name, err)
		}
		_, werr := fh.Write(f.b)
		if cerr := fh.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("write %s: %w", f.name, werr)
		}
	}
	return nil
}
