package redact

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain/path.md":      "plain/path.md",
		"a\x1b[31mred\nnext": `a\x1b[31mred\nnext`,
		"tab\there\r":        `tab\there\r`,
		"bidi\u202ecba":      `bidi\u202ecba`,
		"zero\u200bwidth":    `zero\u200bwidth`,
		"c1\u009bcsi":        `c1\u009bcsi`,
		"bad\xffutf8":        `bad\xffutf8`,
		"tag\U000E0041":      `tag\U000e0041`,
		"café, ok":           "café, ok",
		`back\slash`:         `back\slash`,
		"line\u2028sep":      `line\u2028sep`,
		"\x7fdel":            `\x7fdel`,
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUserinfo(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://user:pass@host/x":                 "https://[REDACTED:userinfo]@host/x",
		"postgres://app:s3cr3t@db:5432/orders":     "postgres://[REDACTED:userinfo]@db:5432/orders",
		"https://ghp_token@github.com/o/r.git":     "https://[REDACTED:userinfo]@github.com/o/r.git",
		"https://ops:pa/ss@host/mcp":               "https://[REDACTED:userinfo]@host/mcp",
		"https://ops:pw@[bad-host/sse":             "https://[REDACTED:userinfo]@[bad-host/sse",
		"see https://a:b@x.example and ws://c:d@y": "see https://[REDACTED:userinfo]@x.example and ws://[REDACTED:userinfo]@y",
		"https://host:8443/path@v2":                "https://host:8443/path@v2",
		"https://example.com/?email=a@b.com":       "https://example.com/?email=a@b.com",
		"no url here":                              "no url here",
		"git@github.com:o/r.git":                   "git@github.com:o/r.git",
	} {
		got, changed := Userinfo(in)
		if got != want || changed != (got != in) {
			t.Errorf("Userinfo(%q) = %q, %v; want %q", in, got, changed, want)
		}
	}
}

// FuzzEscape: the escaped form holds nothing that controls a terminal,
// breaks a line or hides, and escaping is a function of the input.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"a\x1b[2Jb", "x\ny", "\u202e", "\xff\xfe", "ok"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := Escape(s)
		if !utf8.ValidString(e) {
			t.Fatalf("Escape(%q) = %q is not valid UTF-8", s, e)
		}
		for _, r := range e {
			if r < 0x20 || r == 0x7f || Hidden(r) || (r != utf8.RuneError && !unicode.IsPrint(r) && r != ' ' && !unicode.IsGraphic(r)) {
				t.Fatalf("Escape(%q) = %q holds %U", s, e, r)
			}
		}
		if Escape(s) != e {
			t.Fatal("not deterministic")
		}
	})
}

// FuzzUserinfo: stripping is idempotent and leaves no "user:password@"
// right after a scheme.
func FuzzUserinfo(f *testing.F) {
	for _, s := range []string{"https://u:p@h", "x://a@b", "https://h/p@q", "://@", "a://b:c/d@e f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once, _ := Userinfo(s)
		twice, changed := Userinfo(once)
		if twice != once {
			t.Fatalf("Userinfo not idempotent: %q -> %q -> %q (changed %v)", s, once, twice, changed)
		}
		if strings.Count(once, "://") > 0 && strings.Contains(once, "://") {
			for _, part := range strings.Split(once, "://")[1:] {
				end := strings.IndexFunc(part, func(r rune) bool { return r <= ' ' || strings.ContainsRune("/?#\"'`<>\\\x7f", r) })
				if end < 0 {
					end = len(part)
				}
				if at := strings.LastIndexByte(part[:end], '@'); at > 0 && !strings.HasPrefix(part, Marker) {
					t.Fatalf("Userinfo(%q) = %q keeps userinfo %q", s, once, part[:at])
				}
			}
		}
	})
}

func TestGluedPassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		arg, want string
		ok        bool
	}{
		{"-phunter2hunter2", "hunter2hunter2", true},
		{"-p=s3cret", "s3cret", true},
		{"-p", "", false},
		{"--password=x", "", false},
		{"-P3306", "", false},
		{"-p$MYSQL_PWD", "", false},
		{"-p${DB_PASSWORD}", "", false},
		{"-p%DB_PASS%", "", false},
		{"-p{{ .Values.password }}", "", false},
		{"-p<password>", "", false},
		{"-uroot", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			t.Parallel()
			if got, ok := GluedPassword(tt.arg); got != tt.want || ok != tt.ok {
				t.Errorf("GluedPassword(%q) = %q, %v; want %q, %v", tt.arg, got, ok, tt.want, tt.ok)
			}
		})
	}
	for w, want := range map[string]bool{"mysql": true, "/usr/bin/mysqldump": true, `C:\mysql\bin\mysql.exe`: true, "MariaDB": true,
		"mysqld": false, "mysql_config": false, "mysqli": false, "npx": false} {
		if got := MySQLClient(w); got != want {
			t.Errorf("MySQLClient(%q) = %v, want %v", w, got, want)
		}
	}
}
