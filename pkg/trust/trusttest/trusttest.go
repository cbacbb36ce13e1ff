// Package trusttest makes real Sigstore bundles for tests, with no network:
// key-signed bundles with sigstore-go's sign package, and keyless bundles
// from sigstore-go's virtual Sigstore (a Fulcio CA, Rekor log, CT log and
// TSA in memory). The bundles are JSON, exactly as trust.Verify reads them.
package trusttest

import (
	"encoding/base64"
	"encoding/hex"
	"testing"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekorv1 "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"google.golang.org/protobuf/encoding/protojson"
)

// InTotoPayloadType is the DSSE payload type of an in-toto statement.
const InTotoPayloadType = "application/vnd.in-toto+json"

// Key is a signing key held in memory.
type Key struct {
	kp *sign.EphemeralKeypair
}

// NewKey generates a key: protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256,
// _P384_SHA_384, _PKIX_ED25519, ...
func NewKey(t testing.TB, alg protocommon.PublicKeyDetails) *Key {
	t.Helper()
	kp, err := sign.NewEphemeralKeypair(&sign.EphemeralKeypairOptions{Algorithm: alg})
	if err != nil {
		t.Fatal(err)
	}
	return &Key{kp: kp}
}

// PublicKeyPEM is the key's PEM public key, as a policy's publicKey holds it.
func (k *Key) PublicKeyPEM(t testing.TB) string {
	t.Helper()
	p, err := k.kp.GetPublicKeyPem()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// SignStatement signs an in-toto statement into a DSSE v0.3 bundle.
func (k *Key) SignStatement(t testing.TB, statement []byte) []byte {
	t.Helper()
	return k.sign(t, &sign.DSSEData{Data: statement, PayloadType: InTotoPayloadType})
}

// SignBlob signs data into a message-signature v0.3 bundle (cosign sign-blob).
func (k *Key) SignBlob(t testing.TB, data []byte) []byte {
	t.Helper()
	return k.sign(t, &sign.PlainData{Data: data})
}

func (k *Key) sign(t testing.TB, c sign.Content) []byte {
	t.Helper()
	pb, err := sign.Bundle(c, k.kp, sign.BundleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return marshal(t, pb)
}

// Sigstore is a virtual public-good-like Sigstore instance.
type Sigstore struct {
	VS *ca.VirtualSigstore
}

// NewSigstore starts a virtual Sigstore.
func NewSigstore(t testing.TB) *Sigstore {
	t.Helper()
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	return &Sigstore{VS: vs}
}

// TrustedMaterial is the instance's trusted root, for trust.WithTrustedMaterial.
// It lists no CT logs: the virtual Fulcio embeds no SCTs in its certificates,
// and trust.Verify requires SCTs whenever the trusted root has CT logs.
func (s *Sigstore) TrustedMaterial() root.TrustedMaterial { return noCT{s.VS} }

type noCT struct{ root.TrustedMaterial }

func (noCT) CTLogs() map[string]*root.TransparencyLog { return nil }

// SignStatement signs an in-toto statement keyless as subject (a Fulcio SAN,
// e.g. an email) from OIDC issuer, logged in Rekor with an inclusion proof
// and promise, and timestamped.
func (s *Sigstore) SignStatement(t testing.TB, subject, issuer string, statement []byte) []byte {
	t.Helper()
	e, err := s.VS.AttestAtTime(subject, issuer, statement, time.Now().Add(5*time.Minute), true)
	if err != nil {
		t.Fatal(err)
	}
	vc, err := e.VerificationContent()
	if err != nil {
		t.Fatal(err)
	}
	sc, err := e.SignatureContent()
	if err != nil {
		t.Fatal(err)
	}
	env := sc.EnvelopeContent().RawEnvelope()
	payload, err := env.DecodeB64Payload()
	if err != nil {
		t.Fatal(err)
	}
	sig, err := base64.StdEncoding.DecodeString(env.Signatures[0].Sig)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := e.TlogEntries()
	if err != nil {
		t.Fatal(err)
	}
	var tles []*protorekorv1.TransparencyLogEntry
	for _, entry := range entries {
		tles = append(tles, s.withPromise(t, entry))
	}
	tss, err := e.Timestamps()
	if err != nil {
		t.Fatal(err)
	}
	var rfc []*protocommon.RFC3161SignedTimestamp
	for _, ts := range tss {
		rfc = append(rfc, &protocommon.RFC3161SignedTimestamp{SignedTimestamp: ts})
	}
	pb := &protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content:                   &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: vc.Certificate().Raw}},
			TlogEntries:               tles,
			TimestampVerificationData: &protobundle.TimestampVerificationData{Rfc3161Timestamps: rfc},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload:     payload,
			PayloadType: env.PayloadType,
			Signatures:  []*protodsse.Signature{{Sig: sig, Keyid: env.Signatures[0].KeyID}},
		}},
	}
	return marshal(t, pb)
}

// withPromise adds the signed entry timestamp, which the virtual Sigstore
// keeps outside the entry's protobuf form.
func (s *Sigstore) withPromise(t testing.TB, entry *tlog.Entry) *protorekorv1.TransparencyLogEntry {
	t.Helper()
	tle := entry.TransparencyLogEntry()
	set, err := s.VS.RekorSignPayload(tlog.RekorPayload{
		Body:           base64.StdEncoding.EncodeToString(tle.GetCanonicalizedBody()),
		IntegratedTime: tle.GetIntegratedTime(),
		LogIndex:       tle.GetLogIndex(),
		LogID:          hex.EncodeToString(tle.GetLogId().GetKeyId()),
	})
	if err != nil {
		t.Fatal(err)
	}
	tle.InclusionPromise = &protorekorv1.InclusionPromise{SignedEntryTimestamp: set}
	tle.KindVersion = &protorekorv1.KindVersion{Kind: "intoto", Version: "0.0.2"}
	return tle
}

func marshal(t testing.TB, pb *protobundle.Bundle) []byte {
	t.Helper()
	b, err := protojson.Marshal(pb)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
