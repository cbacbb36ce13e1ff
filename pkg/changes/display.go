package changes

import (
	"github.com/tollgate-dev/tollgate/pkg/redact"
	"github.com/tollgate-dev/tollgate/pkg/secrets"
)

// masker finds credentials with the same detectors as the artefact's
// files get (package secrets).
var masker = secrets.Masker()

// display makes untrusted text (names, values, prompt lines) safe to
// show: credentials and URL userinfo masked (redact.Mark), control and
// invisible characters escaped (redact.Escape). Every string a renderer
// prints passes through it.
func display(s string) string {
	masked, _ := masker.Mask(s)
	return redact.Escape(masked)
}
