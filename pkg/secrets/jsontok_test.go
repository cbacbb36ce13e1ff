package secrets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// decoderTokens lists a valid document's tokens as encoding/json's
// Decoder gives them, with the offset of each string's opening quote.
func decoderTokens(t testing.TB, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out []string
	for {
		off := int(dec.InputOffset())
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("Decoder.Token: %v", err)
		}
		switch v := tok.(type) {
		case json.Delim:
			out = append(out, string(v))
		case string:
			for off < len(b) && b[off] != '"' {
				off++
			}
			out = append(out, fmt.Sprintf("s@%d:%q", off, v))
		default:
			out = append(out, "lit")
		}
	}
}

// scannerTokens lists the same with jsonToken.
func scannerTokens(b []byte) []string {
	var out []string
	for pos := 0; ; {
		kind, start, end, escaped := jsonToken(b, pos)
		switch kind {
		case 0:
			return out
		case jsonOpenObject, jsonOpenArray, jsonClose:
			out = append(out, string(b[start]))
		case jsonString:
			out = append(out, fmt.Sprintf("s@%d:%q", start, jsonStringValue(b[start:end], escaped)))
		default:
			out = append(out, "lit")
		}
		pos = end
	}
}

func checkTokens(t testing.TB, b []byte) {
	t.Helper()
	if !json.Valid(b) {
		return
	}
	want, got := decoderTokens(t, b), scannerTokens(b)
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		for i := range min(len(want), len(got)) {
			if want[i] != got[i] {
				t.Fatalf("token %d: jsonToken gives %s, encoding/json %s", i, got[i], want[i])
			}
		}
		t.Fatalf("jsonToken gives %d tokens, encoding/json %d", len(got), len(want))
	}
}

var jsonTokenCases = []string{
	`{}`, `[]`, `""`, `0`, `-1.5e+10`, `true`, ` null `, "\n\t{ \"a\" : [ 1 , \"b\" , {\"c\":null} ] }\r\n",
	`{"k": "\u0067\u0068\u0070\u005f", "p": "a\/b", "q": "\"\\\b\f\n\r\t"}`,
	`["\ud83d\ude00", "\ud83d", "\ude00x", "\u00e9", "é", "a\u0000b"]`,
	"[\"\xff\xfe\", \"ok\xc3\", \"\xed\xa0\x80\"]",
	`{"a":{"b":{"c":[[["deep"]]]}},"":"","--api-key":"x","args":["--token","v","-p","w"]}`,
	`[1,2.0,3e4,-0,true,false,null,"end"]`,
}

func TestJSONTokenMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for i, c := range jsonTokenCases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			if !json.Valid([]byte(c)) {
				t.Fatalf("case is not valid JSON: %s", c)
			}
			checkTokens(t, []byte(c))
		})
	}
	// Every JSON file of the Go distribution.
	t.Run("goroot", func(t *testing.T) {
		t.Parallel()
		n := 0
		_ = filepath.WalkDir(filepath.Join(goroot(), "src"), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
				return nil //nolint:nilerr // a file the walk cannot read is not a case
			}
			b, err := os.ReadFile(p)
			if err == nil && json.Valid(b) {
				checkTokens(t, b)
				n++
			}
			return nil
		})
		t.Logf("%d documents", n)
	})
}

// FuzzJSONToken checks jsonToken against encoding/json's Decoder on every
// valid document.
func FuzzJSONToken(f *testing.F) {
	for _, c := range jsonTokenCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkTokens(t, b)
	})
}

// TestStrideNext checks the stride scan against one position at a time,
// at every start, limit and alignment: it returns a position whose bigram
// is in strideSet (or one past limit), and never one after a position
// where a pattern starts (at the position, or the one before or after).
func TestStrideNext(t *testing.T) {
	t.Parallel()
	// starts reports whether a pattern starts at p.
	starts := func(b []byte, p int) bool {
		if p < 0 || p+1 >= len(b) {
			return false
		}
		v := uint16(b[p]) | uint16(b[p+1])<<8
		if bigramSet[v>>6]&(1<<(v&63)) == 0 {
			return false
		}
		for _, pt := range bigramList[bigramIdx[v]] {
			if (pt.fold && hasPrefixFold(b[p:], pt.lit)) || (!pt.fold && bytes.HasPrefix(b[p:], pt.lit)) {
				return true
			}
		}
		return false
	}
	hitAt := func(b []byte, j int) bool {
		v := uint16(b[j]) | uint16(b[j+1])<<8
		return strideSet[v>>6]&(1<<(v&63)) != 0
	}
	// first is the first stride position from j whose bigram is in
	// strideSet with a pattern starting at j-1, j or j+1: segment tries
	// those three.
	first := func(b []byte, j, limit int) int {
		for ; j <= limit; j += 2 {
			if hitAt(b, j) && (starts(b, j-1) || starts(b, j) || starts(b, j+1)) {
				return j
			}
		}
		return j
	}
	texts := [][]byte{
		[]byte("package main\n\nfunc main() { x := 1; y := \"abc\"; _ = x }\n// the password and the token\n"),
		bytes.Repeat([]byte("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzq"), 3),
		[]byte("AKIA ghp_ sk- ${X} key Token PASS\x00\xff eyJ"),
		[]byte("return credential; // see https://x and re re re re ar it rn ec Q~x ${A} mariadb PwD aUtH sEcReT"),
	}
	for _, b := range texts {
		for j := 0; j < len(b); j++ {
			for limit := j - 1; limit <= len(b)-2; limit++ {
				got, want := strideNext(b, j, limit), first(b, j, limit)
				if got <= limit && ((got-j)%2 != 0 || !hitAt(b, got)) {
					t.Fatalf("strideNext(%q, %d, %d) = %d: not a stride position with a strideSet bigram", b, j, limit, got)
				}
				if got > want && want <= limit {
					t.Fatalf("strideNext(%q, %d, %d) = %d: skips a pattern near %d", b, j, limit, got, want)
				}
			}
		}
	}
}
