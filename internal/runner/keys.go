package runner

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tollgate-dev/tollgate/pkg/sign"
)

// writeEphemeralKey fills dir with a fresh, unencrypted ECDSA P-256 key pair,
// cosign.key and cosign.pub: the signing workspace of a run that was given
// none. The key lives as long as the output directory.
func writeEphemeralKey(dir string) error {
	priv, pub, err := sign.GenerateKey(nil)
	if err != nil {
		return fmt.Errorf("ephemeral signing key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("ephemeral signing key: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cosign.key"), priv, 0o600); err != nil {
		return fmt.Errorf("ephemeral signing key: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cosign.pub"), pub, 0o644); err != nil {
		return fmt.Errorf("ephemeral signing key: %w", err)
	}
	return nil
}
