package secrets

import (
	"encoding/json"
	"unicode/utf8"
)

// JSON token kinds of jsonToken.
const (
	jsonOpenObject = iota + 1
	jsonOpenArray
	jsonClose
	jsonString
	jsonLiteral // number, true, false or null
)

// jsonToken returns the next token of a document that json.Valid
// accepted, at or after i: its kind, where it starts and ends, and
// whether a string token holds an escape. It walks the same tokens, in
// the same order, as encoding/json's Decoder.Token, without allocating;
// kind is 0 at the end of the document.
func jsonToken(b []byte, i int) (kind, start, end int, escaped bool) {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r', ',', ':':
			i++
			continue
		case '{':
			return jsonOpenObject, i, i + 1, false
		case '[':
			return jsonOpenArray, i, i + 1, false
		case '}', ']':
			return jsonClose, i, i + 1, false
		case '"':
			for j := i + 1; j < len(b); j++ {
				switch b[j] {
				case '\\':
					escaped = true
					j++ // the escaped byte (a valid document has one)
				case '"':
					return jsonString, i, j + 1, escaped
				}
			}
			return 0, len(b), len(b), false // not reached in a valid document
		}
		j := i + 1
		for j < len(b) {
			switch b[j] {
			case ' ', '\t', '\n', '\r', ',', ':', ']', '}':
				return jsonLiteral, i, j, false
			}
			j++
		}
		return jsonLiteral, i, j, false
	}
	return 0, len(b), len(b), false
}

// jsonString returns the value of the string token b (quotes included)
// exactly as encoding/json decodes it: escapes resolved, invalid UTF-8
// and lone surrogates replaced by U+FFFD.
func jsonStringValue(b []byte, escaped bool) string {
	raw := b[1 : len(b)-1]
	if !escaped && utf8.Valid(raw) {
		return string(raw)
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return string(raw) // not reached: the document is valid
	}
	return s
}
