package secretgen

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"hash/crc32"
	"math/big"
	"math/rand/v2"
	"strings"
)

// Character sets of the generated credentials.
const (
	csDigits    = "0123456789"
	csAlnum     = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	csAlnumDash = csAlnum + "-_"
	csLetters   = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	csHex       = "0123456789abcdef"
	csUpperNum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	csAzure     = csAlnum + "_~."
	base62      = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// Gen makes structurally valid credentials from a seeded generator: the
// same seed gives the same values, private keys included.
type Gen struct{ r *rand.Rand }

// New returns a generator seeded with seed.
func New(seed uint64) *Gen { return &Gen{rand.New(rand.NewPCG(seed, seed^0x5eed))} }

// Rand returns the generator's random source, for callers that need more
// randomness derived from the same seed.
func (g *Gen) Rand() *rand.Rand { return g.r }

// s returns n random characters of cs, avoiding bodies the scanner
// rejects as placeholders and, for mixed sets, bodies without both a
// digit and a letter.
func (g *Gen) s(cs string, n int) string {
	mixed := strings.ContainsAny(cs, csDigits) && strings.ContainsAny(cs, csLetters)
	for {
		b := make([]byte, n)
		for i := range b {
			b[i] = cs[g.r.IntN(len(cs))]
		}
		if !placeholderBody(string(b)) && (n < 8 || !mixed || hasDigitAndLetter(string(b))) {
			return string(b)
		}
	}
}

// placeholderBody mirrors the scanner's placeholder filter for token
// bodies: documented examples, keyboard runs and six equal bytes in a row.
func placeholderBody(s string) bool {
	l := strings.ToLower(s)
	for _, w := range []string{"example", "xxxx", "your", "placeholder", "dummy", "redacted", "abcdefghij", "1234567890", "0123456789"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	run := 1
	for i := 1; i < len(s); i++ {
		if s[i] != s[i-1] {
			run = 1
		} else if run++; run >= 6 {
			return true
		}
	}
	return false
}

func hasDigitAndLetter(s string) bool {
	return strings.ContainsAny(s, csDigits) && strings.ContainsAny(s, csLetters)
}

func (g *Gen) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.IntN(256))
	}
	return b
}

// Base62CRC32 is the 6-character checksum GitHub and npm append to the 30
// random characters of their tokens: CRC-32 (IEEE) in base62, zero-padded.
func Base62CRC32(random string) string {
	n := crc32.ChecksumIEEE([]byte(random))
	var out [6]byte
	for i := 5; i >= 0; i-- {
		out[i] = base62[n%62]
		n /= 62
	}
	return string(out[:])
}

// CRCToken returns prefix, 30 random characters and their checksum: a
// GitHub classic or npm token.
func (g *Gen) CRCToken(prefix string) string {
	r := g.s(csAlnum, 30)
	return prefix + r + Base62CRC32(r)
}

// AgeKey returns an age identity (AGE-SECRET-KEY-1…) over 32 random
// bytes with a valid bech32 checksum.
func (g *Gen) AgeKey() string {
	const alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
	const hrp = "age-secret-key-"
	var data []byte
	acc, bits := 0, 0
	for _, b := range g.bytes(32) {
		acc, bits = acc<<8|int(b), bits+8
		for bits >= 5 {
			bits -= 5
			data = append(data, byte(acc>>bits&31))
		}
	}
	if bits > 0 {
		data = append(data, byte(acc<<(5-bits)&31))
	}
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	step := func(v byte) {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for k := range 5 {
			if top>>k&1 == 1 {
				chk ^= gen[k]
			}
		}
	}
	for i := 0; i < len(hrp); i++ {
		step(hrp[i] >> 5)
	}
	step(0)
	for i := 0; i < len(hrp); i++ {
		step(hrp[i] & 31)
	}
	for _, v := range data {
		step(v)
	}
	for range 6 {
		step(0)
	}
	chk ^= 1
	for k := range 6 {
		data = append(data, byte(chk>>(5*(5-k))&31))
	}
	out := []byte("AGE-SECRET-KEY-1")
	for _, v := range data {
		out = append(out, alphabet[v]-32*boolByte(alphabet[v] >= 'a'))
	}
	return string(out)
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// PuTTYKey returns an unencrypted PuTTY (.ppk version 3) ed25519 key
// file over random key material.
func (g *Gen) PuTTYKey() string {
	blob := func(parts ...[]byte) []byte {
		var out []byte
		for _, p := range parts {
			out = binary.BigEndian.AppendUint32(out, uint32(len(p)))
			out = append(out, p...)
		}
		return out
	}
	lines := func(b []byte) []string {
		e := base64.StdEncoding.EncodeToString(b)
		var out []string
		for len(e) > 64 {
			out = append(out, e[:64])
			e = e[64:]
		}
		return append(out, e)
	}
	pub := lines(blob([]byte("ssh-ed25519"), g.bytes(32)))
	priv := lines(blob(g.bytes(32)))
	return fmt.Sprintf("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: ops\nPublic-Lines: %d\n%s\nPrivate-Lines: %d\n%s\nPrivate-MAC: %x\n",
		len(pub), strings.Join(pub, "\n"), len(priv), strings.Join(priv, "\n"), g.bytes(32))
}

// AWSKeyID returns an AKIA/ASIA access key id carrying a valid account id.
func (g *Gen) AWSKeyID() string {
	for {
		account := g.r.Uint64N(1_000_000_000_000)
		v := account<<7 | g.r.Uint64N(128) | g.r.Uint64N(2)<<47
		raw := make([]byte, 10)
		var b8 [8]byte
		binary.BigEndian.PutUint64(b8[:], v)
		copy(raw, b8[2:])
		copy(raw[6:], g.bytes(4))
		body := base32.StdEncoding.EncodeToString(raw)
		if !placeholderBody(body) {
			return []string{"AKIA", "ASIA"}[g.r.IntN(2)] + body
		}
	}
}

// JWT returns an HS256 JSON Web Token with a random subject and signature.
func (g *Gen) JWT() string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	p := base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, `{"sub":"%s","iat":%d}`, g.s(csAlnum, 12), 1700000000+g.r.IntN(1e6)))
	return h + "." + p + "." + g.s(csAlnumDash, 43)
}

// ecKey derives a P-256 key from the seed.
func (g *Gen) ecKey() *ecdsa.PrivateKey {
	for {
		k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), g.bytes(32))
		if err == nil {
			return k
		}
	}
}

// rsaKey derives a 1024-bit RSA key from the seed (small: it only has to
// parse, and the corpus holds many).
func (g *Gen) rsaKey() *rsa.PrivateKey {
	prime := func() *big.Int {
		b := g.bytes(64)
		b[0] |= 0xc0
		b[63] |= 1
		p := new(big.Int).SetBytes(b)
		for !p.ProbablyPrime(20) {
			p.Add(p, big.NewInt(2))
		}
		return p
	}
	one, e := big.NewInt(1), big.NewInt(65537)
	for {
		p, q := prime(), prime()
		if p.Cmp(q) == 0 {
			continue
		}
		phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
		d := new(big.Int).ModInverse(e, phi)
		if d == nil {
			continue
		}
		k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: new(big.Int).Mul(p, q), E: 65537}, D: d, Primes: []*big.Int{p, q}}
		k.Precompute()
		if k.Validate() == nil {
			return k
		}
	}
}

// PKCS8PEM returns a P-256 key in a PEM "PRIVATE KEY" block.
func (g *Gen) PKCS8PEM() string {
	der, err := x509.MarshalPKCS8PrivateKey(g.ecKey())
	if err != nil {
		panic(fmt.Sprintf("secretgen: marshal PKCS#8: %v", err))
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// PublicKeyPEM returns a P-256 public key in a PEM "PUBLIC KEY" block.
func (g *Gen) PublicKeyPEM() string {
	der, err := x509.MarshalPKIXPublicKey(&g.ecKey().PublicKey)
	if err != nil {
		panic(fmt.Sprintf("secretgen: marshal public key: %v", err))
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// PrivateKeyPEM returns one of four private key encodings, chosen by
// i%4: PKCS#8, SEC 1 EC, PKCS#1 RSA and unencrypted OpenSSH ed25519.
func (g *Gen) PrivateKeyPEM(i int) string {
	switch i % 4 {
	case 0:
		return g.PKCS8PEM()
	case 1:
		der, err := x509.MarshalECPrivateKey(g.ecKey())
		if err != nil {
			panic(fmt.Sprintf("secretgen: marshal EC key: %v", err))
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	case 2:
		return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(g.rsaKey())}))
	}
	return g.openSSH()
}

// openSSH builds an unencrypted openssh-key-v1 ed25519 key.
func (g *Gen) openSSH() string {
	priv := ed25519.NewKeyFromSeed(g.bytes(ed25519.SeedSize))
	pub := priv.Public().(ed25519.PublicKey)
	str := func(b []byte) []byte {
		var l [4]byte
		binary.BigEndian.PutUint32(l[:], uint32(len(b)))
		return append(l[:], b...)
	}
	pubBlob := append(str([]byte("ssh-ed25519")), str(pub)...)
	check := make([]byte, 4)
	binary.BigEndian.PutUint32(check, g.r.Uint32())
	privSec := append(append([]byte{}, check...), check...)
	privSec = append(privSec, pubBlob...)
	privSec = append(privSec, str(priv)...)
	privSec = append(privSec, str([]byte("agent@example"))...)
	for i := byte(1); len(privSec)%8 != 0; i++ {
		privSec = append(privSec, i)
	}
	blob := []byte("openssh-key-v1\x00")
	blob = append(blob, str([]byte("none"))...)
	blob = append(blob, str([]byte("none"))...)
	blob = append(blob, str(nil)...)
	blob = append(blob, 0, 0, 0, 1)
	blob = append(blob, str(pubBlob)...)
	blob = append(blob, str(privSec)...)
	return string(pem.EncodeToMemory(&pem.Block{Type: "OPENSSH PRIVATE KEY", Bytes: blob}))
}

// PKCS12 wraps secret as the data of a minimal PKCS#12 PFX (version 3,
// authSafe of type id-data): what a .p12 or .pfx key store starts with.
func PKCS12(secret string) []byte {
	type contentInfo struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"tag:0,explicit"`
	}
	type pfx struct {
		Version  int
		AuthSafe contentInfo
	}
	inner, err := asn1.Marshal([]byte(secret))
	if err == nil {
		var b []byte
		b, err = asn1.Marshal(pfx{Version: 3, AuthSafe: contentInfo{
			ContentType: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1},
			Content:     asn1.RawValue{FullBytes: inner},
		}})
		if err == nil {
			return b
		}
	}
	panic(fmt.Sprintf("secretgen: marshal PKCS#12: %v", err))
}

// PKCS12 returns a PKCS#12 key store holding 200 random characters.
func (g *Gen) PKCS12() []byte { return PKCS12(g.s(csAlnum, 200)) }

// ServiceAccountJSON returns a Google Cloud service-account key file.
func ServiceAccountJSON(privateKeyID, privateKeyPEM string) []byte {
	b, err := json.MarshalIndent(map[string]string{
		"type": "service_account", "project_id": "agent-prod", "private_key_id": privateKeyID,
		"private_key": privateKeyPEM, "client_email": "agent@agent-prod.iam.gserviceaccount.com",
	}, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("secretgen: marshal service account: %v", err))
	}
	return b
}

// UUID returns a random lower-case UUID (a decoy: ids are not secrets).
func (g *Gen) UUID() string {
	s := g.s(csHex, 32)
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}
