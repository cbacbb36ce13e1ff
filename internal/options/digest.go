package options

import (
	"strings"

	"github.com/spf13/pflag"

	"github.com/tollgate-dev/tollgate/pkg/digest"
)

// DigestVar defines a flag holding a sha256 digest.Digest. The flag parser
// validates it, so a malformed value is a usage error that names the flag;
// an unset flag leaves *p zero.
func DigestVar(fs *pflag.FlagSet, p *digest.Digest, name, usage string) {
	fs.Var((*digestValue)(p), name, usage)
}

// DigestsVar defines a repeatable flag holding sha256 digests.
func DigestsVar(fs *pflag.FlagSet, p *[]digest.Digest, name, usage string) {
	fs.Var((*digestsValue)(p), name, usage)
}

type digestValue digest.Digest

func (v *digestValue) Set(s string) error {
	d, err := digest.ParseSHA256(s)
	if err != nil {
		return err
	}
	*v = digestValue(d)
	return nil
}

func (v *digestValue) String() string { return digest.Digest(*v).String() }
func (*digestValue) Type() string     { return "digest" }

type digestsValue []digest.Digest

func (v *digestsValue) Set(s string) error {
	d, err := digest.ParseSHA256(s)
	if err != nil {
		return err
	}
	*v = append(*v, d)
	return nil
}

func (v *digestsValue) String() string {
	s := make([]string, len(*v))
	for i, d := range *v {
		s[i] = d.String()
	}
	return "[" + strings.Join(s, ",") + "]"
}

func (*digestsValue) Type() string { return "digest" }
