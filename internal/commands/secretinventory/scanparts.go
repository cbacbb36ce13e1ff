package secretinventory

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/options"
	"github.com/tollgate-dev/tollgate/pkg/secrets"
)

// ScanParts is the flag group of the secret-inventory step's partitioned
// scan: scanning one part (--scan-part, --scan-part-output), or checking
// the merge of the parts a pipeline scanned (--scan-parts, --scan-part-dir).
type ScanParts struct {
	Part   options.Part
	Output string
	// Parts is how many parts the pipeline scanned the artefact in; 1 scans
	// here and does not read Dir.
	Parts int
	Dir   string
}

// AddFlags adds --scan-part, --scan-part-output, --scan-parts and
// --scan-part-dir.
func (o *ScanParts) AddFlags(fs *pflag.FlagSet) {
	o.Part.Flag = "scan-part"
	o.Part.Usage = "scan only part I of N (\"I/N\") of the artefact and write the sealed part to --scan-part-output; no report (a pod of a fan-out)"
	o.Part.AddFlags(fs)
	fs.StringVar(&o.Output, "scan-part-output", "", "where --scan-part writes the part")
	fs.IntVar(&o.Parts, "scan-parts", 1, fmt.Sprintf("the number of parts the pipeline scanned the artefact in (1 to %d); 1 scans here, more merges the parts in --scan-part-dir instead of scanning", secrets.MaxParts))
	fs.StringVar(&o.Dir, "scan-part-dir", "", "directory holding the parts (every *.json in it), for --scan-parts > 1")
}

// Validate checks the flag combinations.
func (o *ScanParts) Validate() error {
	switch {
	case o.Parts < 1 || o.Parts > secrets.MaxParts:
		return cli.Usagef("--scan-parts must be 1 to %d, got %d", secrets.MaxParts, o.Parts)
	case o.Part.Set() && o.Output == "":
		return cli.Usagef("--scan-part needs --scan-part-output")
	case !o.Part.Set() && o.Output != "":
		return cli.Usagef("--scan-part-output needs --scan-part")
	case o.Part.Set() && o.Parts != 1:
		return cli.Usagef("--scan-part scans one part; --scan-parts is for the check that merges them")
	case o.Parts > 1 && o.Dir == "":
		return cli.Usagef("--scan-parts %d needs --scan-part-dir, where the parts were written", o.Parts)
	}
	return nil
}

// ReadParts reads the parts of a partitioned scan: every *.json file of
// Dir, sorted, each of them part of Parts. It returns nil with
// --scan-parts 1.
func (o *ScanParts) ReadParts() ([]*secrets.Part, []string, error) {
	if o.Parts == 1 {
		return nil, nil, nil
	}
	files, err := options.PartFiles([]string{o.Dir}, "scan part", secrets.ErrInvalidPart)
	if err != nil {
		return nil, nil, err
	}
	parts := make([]*secrets.Part, 0, len(files))
	for _, f := range files {
		p, err := secrets.ReadPart(f)
		if err != nil {
			return nil, nil, err
		}
		if p.Count != o.Parts {
			return nil, nil, fmt.Errorf("%s: part %d/%d, but the pipeline scanned in %d parts: %w", f, p.Index, p.Count, o.Parts, secrets.ErrInvalidPart)
		}
		parts = append(parts, p)
	}
	return parts, files, nil
}
