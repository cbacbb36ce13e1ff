// Command sigstore-kms-tgtest is a sigstore KMS CLI plugin for tests: it
// signs with the PKCS#8 ECDSA key in $TGTEST_KMS_KEY, speaking sigstore's
// plugin protocol through its handler package, like a real HSM plugin.
package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/kms/cliplugin/handler"
)

type kms struct {
	*signature.ECDSASignerVerifier
	key *ecdsa.PrivateKey
}

func (k kms) DefaultAlgorithm() string      { return "ecdsa-p256-sha256" }
func (k kms) SupportedAlgorithms() []string { return []string{"ecdsa-p256-sha256"} }
func (k kms) CreateKey(context.Context, string) (crypto.PublicKey, error) {
	return nil, errors.New("tgtest: keys are created by the test")
}
func (k kms) CryptoSigner(context.Context, func(error)) (crypto.Signer, crypto.SignerOpts, error) {
	return k.key, crypto.SHA256, nil
}

func main() {
	args, err := handler.GetPluginArgs(os.Args)
	if err != nil {
		handler.WriteErrorResponse(os.Stdout, err)
		return
	}
	b, err := os.ReadFile(os.Getenv("TGTEST_KMS_KEY"))
	if err != nil {
		handler.WriteErrorResponse(os.Stdout, err)
		return
	}
	block, _ := pem.Decode(b)
	if block == nil {
		handler.WriteErrorResponse(os.Stdout, errors.New("tgtest: no PEM key"))
		return
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		handler.WriteErrorResponse(os.Stdout, err)
		return
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		handler.WriteErrorResponse(os.Stdout, fmt.Errorf("tgtest: %T is not ECDSA", k))
		return
	}
	sv, err := signature.LoadECDSASignerVerifier(ek, crypto.SHA256)
	if err != nil {
		handler.WriteErrorResponse(os.Stdout, err)
		return
	}
	if _, err := handler.Dispatch(os.Stdout, os.Stdin, args, kms{sv, ek}); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
}
