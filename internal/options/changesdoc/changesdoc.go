// Package changesdoc is review's flag group for the changes document: the
// previous review to compare with (--against), the previous artefact for
// prompt text diffs (--against-dir), where to write the document
// (--changes) and in which formats (--format). It is apart from package
// options so that the check steps do not link package changes.
package changesdoc

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/pkg/changes"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
)

// Formats.
const (
	FormatMarkdown = "md"
	FormatHTML     = "html"
)

// Options is the changes-document flag group of `tollgate review`.
type Options struct {
	Against, AgainstDir, File, Format string
}

// AddFlags adds --against, --against-dir, --changes and --format.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Against, "against", "", "the review record of the release approved last: also write the changes document (what changed since then)")
	fs.StringVar(&o.AgainstDir, "against-dir", "", "the previously approved release's directory, for prompt text diffs (with --against)")
	fs.StringVar(&o.File, "changes", "", "the Markdown changes document (default "+changes.FileName+" next to -o, or in the current directory when -o is stdout)")
	fs.StringVar(&o.Format, "format", FormatMarkdown, "changes document formats: md (Markdown), or html (Markdown and one self-contained HTML page beside it)")
}

// Validate checks the flags before any work is done.
func (o *Options) Validate() error {
	if o.Format != FormatMarkdown && o.Format != FormatHTML {
		return cli.Usagef("--format must be md or html, got %q", o.Format)
	}
	if o.Against == "" && (o.AgainstDir != "" || o.File != "") {
		return cli.Usagef("--against-dir and --changes need --against: the review record approved last")
	}
	return nil
}

// Enabled reports whether a changes document is asked for.
func (o *Options) Enabled() bool { return o.Against != "" }

// Paths returns where the Markdown (and, for --format html, the HTML)
// document goes, given review's -o.
func (o *Options) Paths(out string) (md, html string) {
	md = o.File
	if md == "" {
		dir := "."
		if out != "" && out != "-" {
			dir = filepath.Dir(out)
		}
		md = filepath.Join(dir, changes.FileName)
	}
	if o.Format == FormatHTML {
		html = md[:len(md)-len(filepath.Ext(md))] + ".html"
		if html == md {
			html += ".html"
		}
	}
	return md, html
}

// Write compares the new review (r, whose encoded bytes hash to
// reviewDigest) with --against, and writes the document(s) for dir, the
// new release's directory. It returns the paths written and the document.
func (o *Options) Write(dir, out string, r *review.ReleaseReview, reviewDigest digest.Digest) ([]string, *changes.Document, error) {
	prev, againstDigest, err := review.Load(o.Against)
	if err != nil {
		return nil, nil, fmt.Errorf("--against: %w", err)
	}
	// exceptions are judged expiring soon against the wall clock
	opts := []changes.Option{changes.WithDigests(reviewDigest, againstDigest), changes.WithNow(time.Now())}
	if o.AgainstDir != "" {
		opts = append(opts, changes.WithDirs(o.AgainstDir, dir))
	}
	doc, err := changes.Compute(prev, r, opts...)
	if err != nil {
		return nil, nil, cli.WithCode(cli.ExitInvalidInput, err)
	}
	mdPath, htmlPath := o.Paths(out)
	if err := safefile.WriteAtomic(mdPath, doc.Markdown()); err != nil {
		return nil, nil, err
	}
	written := []string{mdPath}
	if htmlPath != "" {
		h, err := doc.HTML()
		if err != nil {
			return nil, nil, err
		}
		if err := safefile.WriteAtomic(htmlPath, h); err != nil {
			return nil, nil, err
		}
		written = append(written, htmlPath)
	}
	return written, doc, nil
}
