package secrets

import (
	"errors"
	"testing"
)

func TestDecodeKey(t *testing.T) {
	t.Parallel()
	k, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		in   string
		size int
		err  error
	}{
		{k + "\n", 32, nil},
		{"raw-key-material-0123456789", 27, nil},
		{"short", 0, ErrNoKey},
	} {
		got, err := DecodeKey([]byte(tt.in))
		if !errors.Is(err, tt.err) || len(got) != tt.size {
			t.Errorf("DecodeKey(%q) = %d bytes, %v", tt.in, len(got), err)
		}
	}
}
