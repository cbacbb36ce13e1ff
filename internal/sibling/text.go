package sibling

// This package is initialised before internal/handoff, which must run
// early in tollgate's package order (see its doc). fmt, strings, strconv
// and encoding/binary are initialised late in that order, so the little
// this package needs of them is here.

// wrapped is an error with context, as fmt.Errorf("msg: %w", err) makes.
type wrapped struct {
	msg string
	err error
}

func (e *wrapped) Error() string { return e.msg + ": " + e.err.Error() }
func (e *wrapped) Unwrap() error { return e.err }

// wrap adds context to err.
func wrap(msg string, err error) error { return &wrapped{msg: msg, err: err} }

// itoa formats n in decimal.
func itoa(n uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		if n /= 10; n == 0 {
			return string(b[i:])
		}
	}
}

// quote returns s in double quotes, with quotes, backslashes and bytes
// outside printable ASCII escaped (as \xNN), so that a name read from a
// file cannot forge log lines or terminal output.
func quote(s string) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20 || c >= 0x7f:
			b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
	}
	return string(append(b, '"'))
}

// spaced returns s with its tabs as spaces.
func spaced(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\t' {
			b[i] = ' '
		}
	}
	return string(b)
}

// lastIndexByte is strings.LastIndexByte.
func lastIndexByte(s string, c byte) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// hasPrefix is strings.HasPrefix.
func hasPrefix(s, prefix string) bool { return len(s) >= len(prefix) && s[:len(prefix)] == prefix }

// cut is strings.Cut.
func cut(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// Little-endian integers, as encoding/binary.LittleEndian reads them.
func le16(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }
func le32(b []byte) uint32 { return uint32(le16(b)) | uint32(le16(b[2:]))<<16 }
func le64(b []byte) uint64 { return uint64(le32(b)) | uint64(le32(b[4:]))<<32 }

// uvarint is encoding/binary.Uvarint: the value and the bytes it took, 0
// if b is too short, negative on overflow.
func uvarint(b []byte) (uint64, int) {
	var x uint64
	var s uint
	for i, c := range b {
		if i == 10 {
			return 0, -(i + 1)
		}
		if c < 0x80 {
			if i == 9 && c > 1 {
				return 0, -(i + 1)
			}
			return x | uint64(c)<<s, i + 1
		}
		x |= uint64(c&0x7f) << s
		s += 7
	}
	return 0, 0
}
