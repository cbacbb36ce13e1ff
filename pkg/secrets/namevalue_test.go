package secrets

import (
	"strings"
	"testing"
)

func TestSiblingValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, doc, nameLine, want string
	}{
		{"after", "env:\n  - name: DB_PASSWORD\n    value: s3cr3tValue9\n", "  - name: DB_PASSWORD", "s3cr3tValue9"},
		{"after other keys", "- name: API_TOKEN\n  type: string\n  description: x\n  default: s3cr3tValue9\n", "- name: API_TOKEN", "s3cr3tValue9"},
		{"before", "- value: s3cr3tValue9\n  name: DB_PASSWORD\n", "  name: DB_PASSWORD", "s3cr3tValue9"},
		{"same line", "- {name: DB_PASSWORD, value: s3cr3tValue9}\n", "- {name: DB_PASSWORD, value: s3cr3tValue9}", "s3cr3tValue9"},
		{"nested lines skipped", "- name: DB_PASSWORD\n  annotations:\n    value: nested\n  value: s3cr3tValue9\n", "- name: DB_PASSWORD", "s3cr3tValue9"},
		{"next item", "- name: DB_PASSWORD\n  valueFrom: {}\n- name: OTHER\n  value: s3cr3tValue9\n", "- name: DB_PASSWORD", ""},
		{"left of entry", "  - name: DB_PASSWORD\nvalue: s3cr3tValue9\n", "  - name: DB_PASSWORD", ""},
		{"previous item", "- name: A\n  value: s3cr3tValue9\n- name: DB_PASSWORD\n", "- name: DB_PASSWORD", ""},
		{"too far", "- name: DB_PASSWORD\n" + "  a: 1\n  b: 1\n  c: 1\n  d: 1\n  e: 1\n  f: 1\n  g: 1\n  h: 1\n  value: s3cr3tValue9\n", "- name: DB_PASSWORD", ""},
		{"end of input", "- name: DB_PASSWORD", "- name: DB_PASSWORD", ""},
		// The name's line is longer than the window parsed: the bytes
		// after the window are the same line, not the entry's next one.
		{"line cut short", "- name: DB_PASSWORD, " + strings.Repeat("x", 5000) + "\n  value: s3cr3tValue9\n", "- name: DB_PASSWORD", ""},
		{"long line in between", "- name: DB_PASSWORD\n  a: " + strings.Repeat("x", 5000) + "\n  value: s3cr3tValue9\n", "- name: DB_PASSWORD", ""},
		{"long line before", "- value: s3cr3tValue9\n  a: " + strings.Repeat("x", 5000) + "\n  name: DB_PASSWORD\n", "  name: DB_PASSWORD", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := []byte(tc.doc)
			ls := indexOf(t, tc.doc, tc.nameLine)
			le := ls + len(tc.nameLine)
			prs := linePairs(tc.nameLine, true, nil)
			q, ok := siblingValue(b, ls, le, prs)
			got := ""
			if ok {
				got = q.value
				if tc.doc[q.off:q.off+len(q.value)] != q.value {
					t.Fatalf("offset %d does not point at %q", q.off, q.value)
				}
			}
			if got != tc.want {
				t.Fatalf("siblingValue = %q, want %q", got, tc.want)
			}
		})
	}
}

func indexOf(t *testing.T, s, sub string) int {
	t.Helper()
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	t.Fatalf("%q not in %q", sub, s)
	return -1
}

func TestNamedSecret(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		key, value string
		want       bool
	}{
		{"name", "DB_PASSWORD", true},
		{"Name", "apiToken", true},
		{"key", "SESSION_SECRET", true},
		{"name", "LOG_LEVEL", false},
		{"name", "TOKEN_TTL", false},
		{"name", "SECRET_NAME", false},
		{"name", "password-length", false},
		{"label", "DB_PASSWORD", false},
		{"name", "db password", false},
	} {
		if got := namedSecret(pair{key: tc.key, value: tc.value}); got != tc.want {
			t.Errorf("namedSecret(%q: %q) = %v, want %v", tc.key, tc.value, got, tc.want)
		}
	}
}

func TestNetrcPairs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		line string
		want []string // passwords; nil: not .netrc syntax
	}{
		{"machine api.example.com login bob password s3cr3tValue9", []string{"s3cr3tValue9"}},
		{"  password s3cr3tValue9", []string{"s3cr3tValue9"}},
		{"default login anonymous password guest@", []string{"guest@"}},
		{"machine h login bob", []string{}},
		{"password = s3cr3tValue9", nil},
		{"password: s3cr3tValue9", nil},
		{"default: s3cr3tValue9", nil},
		{"defaults x", nil},
		{"login_url: https://x", nil},
	} {
		prs, ok := netrcPairs(tc.line, nil)
		if ok != (tc.want != nil) {
			t.Errorf("netrcPairs(%q) ok = %v, want %v", tc.line, ok, tc.want != nil)
			continue
		}
		var got []string
		for _, p := range prs {
			got = append(got, p.value)
			if tc.line[p.off:p.off+len(p.value)] != p.value {
				t.Errorf("netrcPairs(%q): offset %d does not point at %q", tc.line, p.off, p.value)
			}
		}
		if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
			t.Errorf("netrcPairs(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
}
