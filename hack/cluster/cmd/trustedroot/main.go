// Command trustedroot writes the Sigstore trusted_root.json of the e2e
// cluster's local Sigstore (hack/cluster/sigstore.sh): the certificate
// chain of its Fulcio and the certificate chain of its timestamp authority,
// and no transparency or certificate-transparency log (the keyless scenario
// runs without Rekor and without a CT log). A verifier given this root
// trusts Fulcio certificates only with a signed timestamp from that TSA.
// Without --tsa-chain the root names no TSA (the scenario shows that a
// verifier then refuses the bundle: no time is verified).
//
//	trustedroot --fulcio-chain fulcio.pem --fulcio-url http://10.88.0.1:5555 \
//	  --tsa-chain tsa.pem --tsa-url http://10.88.0.1:5556/api/v1/timestamp -o trusted_root.json
package main

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/sigstore/sigstore-go/pkg/root"
)

// maxChainSize bounds each PEM chain file.
const maxChainSize = 1 << 20

func main() {
	fulcioChain := flag.String("fulcio-chain", "", "PEM chain of Fulcio's CA (intermediates first, root last)")
	fulcioURL := flag.String("fulcio-url", "", "Fulcio's URL, recorded in the root")
	tsaChain := flag.String("tsa-chain", "", "PEM chain of the timestamp authority (signing leaf first, root last); empty: none")
	tsaURL := flag.String("tsa-url", "", "the timestamp authority's URL, recorded in the root")
	out := flag.String("o", "", "output file (trusted_root.json)")
	flag.Parse()
	if *fulcioChain == "" || *out == "" {
		log.Fatal("trustedroot: --fulcio-chain and -o are required")
	}
	if err := run(*fulcioChain, *fulcioURL, *tsaChain, *tsaURL, *out); err != nil {
		log.Fatalf("trustedroot: %v", err)
	}
}

func run(fulcioChain, fulcioURL, tsaChain, tsaURL, out string) error {
	fc, err := readChain(fulcioChain)
	if err != nil {
		return err
	}
	ca := &root.FulcioCertificateAuthority{
		Root:                fc[len(fc)-1],
		Intermediates:       fc[:len(fc)-1],
		ValidityPeriodStart: fc[len(fc)-1].NotBefore,
		URI:                 fulcioURL,
	}
	var tsas []root.TimestampingAuthority
	if tsaChain != "" {
		tc, err := readChain(tsaChain)
		if err != nil {
			return err
		}
		if len(tc) < 2 {
			return fmt.Errorf("%s: a timestamp authority chain needs a signing certificate and a root, got %d certificate(s)", tsaChain, len(tc))
		}
		tsas = append(tsas, &root.SigstoreTimestampingAuthority{
			Root:                tc[len(tc)-1],
			Intermediates:       tc[1 : len(tc)-1],
			Leaf:                tc[0],
			ValidityPeriodStart: tc[0].NotBefore,
			URI:                 tsaURL,
		})
	}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, []root.CertificateAuthority{ca}, nil, tsas, nil)
	if err != nil {
		return err
	}
	b, err := tr.MarshalJSON()
	if err != nil {
		return err
	}
	// Round trip: what was written is a trusted root sigstore-go reads.
	if _, err := root.NewTrustedRootFromJSON(b); err != nil {
		return fmt.Errorf("the root written does not parse: %w", err)
	}
	return os.WriteFile(out, append(b, '\n'), 0o644)
}

// readChain reads a PEM file of certificates, in file order.
func readChain(path string) ([]*x509.Certificate, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxChainSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > maxChainSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxChainSize)
	}
	var certs []*x509.Certificate
	rest := b
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s: %w", path, errors.New("no PEM certificate"))
	}
	return certs, nil
}
