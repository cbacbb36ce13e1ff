package secrets

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

// Detectors of credentials that are not a prefixed token: keys inside
// connection strings, age identities and PuTTY key files.

var (
	ruleAzureStorage = rule("azure-storage-key", "Azure storage account key or Service Bus / Event Hubs shared access key in a connection string (AccountKey=, SharedAccessKey=) that decodes to 64 or 32 bytes", evidence.Critical)
	ruleAge          = rule("age-secret-key", "age identity (AGE-SECRET-KEY-1…) with a valid bech32 checksum", evidence.Critical)
)

// matchAzureKey matches the value of AccountKey= (64 bytes, 88 base64
// characters) or SharedAccessKey= (32 bytes, 44 characters) inside a
// connection string; the key is what is fingerprinted.
func matchAzureKey(b []byte, i int) (int, int, []byte, string, bool) {
	if i > 0 && alnum[b[i-1]] {
		return 0, 0, nil, "", false
	}
	want := 64
	if bytes.HasPrefix(b[i:], []byte("SharedAccessKey=")) {
		want = 32
	}
	s := i + bytes.IndexByte(b[i:], '=') + 1
	e := s
	for e < len(b) && b64Std[b[e]] && e-s <= 100 {
		e++
	}
	if e < len(b) && alnum[b[e]] {
		return 0, 0, nil, "", false
	}
	v := b[s:e]
	d, err := base64.StdEncoding.DecodeString(string(v))
	if err != nil || len(d) != want || placeholderValue(string(v)) || !hasDigitAndLetter(string(v)) {
		return 0, 0, nil, "", false
	}
	return s, e, nil, "", true
}

const bech32Alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// matchAge matches an age identity: AGE-SECRET-KEY-1 then 58 bech32
// characters (upper case) whose checksum verifies with the HRP
// "age-secret-key-".
func matchAge(b []byte, i int) (int, int, []byte, string, bool) {
	s := i + len("AGE-SECRET-KEY-1")
	if len(b)-s < 58 {
		return 0, 0, nil, "", false
	}
	data := make([]byte, 58)
	for k := range 58 {
		c := b[s+k]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		p := strings.IndexByte(bech32Alphabet, c)
		if p < 0 {
			return 0, 0, nil, "", false
		}
		data[k] = byte(p)
	}
	if !bech32Valid("age-secret-key-", data) {
		return 0, 0, nil, "", false
	}
	return i, s + 58, nil, "", true
}

// bech32Valid checks a bech32 checksum (BIP 173) over hrp and the 5-bit
// data values, the checksum's six included.
func bech32Valid(hrp string, data []byte) bool {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	step := func(v byte) {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for k := range 5 {
			if (top>>k)&1 == 1 {
				chk ^= gen[k]
			}
		}
	}
	for k := 0; k < len(hrp); k++ {
		step(hrp[k] >> 5)
	}
	step(0)
	for k := 0; k < len(hrp); k++ {
		step(hrp[k] & 31)
	}
	for _, v := range data {
		step(v)
	}
	return chk == 1
}

// matchPuTTY matches a PuTTY key file (.ppk, versions 2 and 3) from its
// first line through its Private-Lines, whose base64 must decode; the
// private blob is fingerprinted. Encrypted files are reported too: like
// an encrypted PEM key, the key ships and its passphrase may be guessed.
func matchPuTTY(b []byte, i int) (int, int, []byte, string, bool) {
	if i > 0 && b[i-1] != '\n' && b[i-1] != '"' && b[i-1] != ' ' {
		return 0, 0, nil, "", false
	}
	rest := b[i:min(len(b), i+64<<10)]
	if len(rest) < 22 || (rest[20] != '2' && rest[20] != '3') || rest[21] != ':' {
		return 0, 0, nil, "", false
	}
	k := bytes.Index(rest, []byte("\nPrivate-Lines:"))
	if k < 0 {
		return 0, 0, nil, "", false
	}
	j := k + len("\nPrivate-Lines:")
	le := bytes.IndexByte(rest[j:], '\n')
	if le < 0 {
		return 0, 0, nil, "", false
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(rest[j : j+le])))
	if err != nil || n < 1 || n > 64 {
		return 0, 0, nil, "", false
	}
	j += le + 1
	var blob []byte
	for range n {
		le := bytes.IndexByte(rest[j:], '\n')
		if le < 0 {
			le = len(rest) - j
		}
		blob = append(blob, bytes.TrimRight(rest[j:j+le], "\r")...)
		j += le + 1
		if j > len(rest) {
			j = len(rest)
		}
	}
	d, err := base64.StdEncoding.DecodeString(string(blob))
	if err != nil || len(d) < 16 {
		return 0, 0, nil, "", false
	}
	return i, i + j, d, "", true
}
