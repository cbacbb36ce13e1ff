package scansecrets

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/options"
	"github.com/tollgate-dev/tollgate/internal/sibling"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
	"github.com/tollgate-dev/tollgate/pkg/redact"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
	"github.com/tollgate-dev/tollgate/pkg/secrets"
)

// maxFingerprintKeyFile bounds a mounted fingerprint key file.
const maxFingerprintKeyFile = 4 << 10

// ReadKeyFile reads a fingerprint key file (--fingerprint-key-file).
func ReadKeyFile(path string) ([]byte, error) {
	b, err := safefile.Read(path, maxFingerprintKeyFile)
	if err != nil {
		return nil, invalid.Wrap(fmt.Errorf("--fingerprint-key-file: %w", err))
	}
	k, err := secrets.DecodeKey(b)
	if err != nil {
		return nil, fmt.Errorf("--fingerprint-key-file %s: %w", path, err)
	}
	return k, nil
}

// WritePart scans part i of n of root and writes it to out ("-": stdout is
// not offered: a part is a file that travels between pods).
func WritePart(ctx context.Context, key []byte, root string, i, n int, out string) error {
	s, err := secrets.New(key, secrets.WithPart(i, n))
	if err != nil {
		return err
	}
	p, err := s.ScanPart(ctx, root)
	if err != nil {
		return fmt.Errorf("scan %s part %d/%d: %w", root, i, n, err)
	}
	b, err := p.Encode()
	if err != nil {
		return err
	}
	if err := safefile.WriteAtomic(out, b); err != nil {
		return err
	}
	cli.Logger(ctx).Info("scanned part", zap.Int("part", i), zap.Int("parts", n), zap.Int("entries", p.Entries),
		zap.Int64("files", p.Result.Stats.Files), zap.Int64("bytes", p.Result.Stats.Bytes), zap.String("output", out))
	return nil
}

// ReviewKey reads the fingerprint key of a review record (--review).
type ReviewKey func(path string) ([]byte, error)

// New returns `tollgate scan-secrets`, the bare scanner (also the root of
// the cmd/scan-secrets binary, its lean sibling). reviewKey reads --review;
// nil refuses the flag: the review record's model links the permission
// engine, which the lean binary leaves out.
func New(reviewKey ReviewKey) *cobra.Command {
	var (
		format, keyFile, reviewFile, out string
		part                             = options.Part{Usage: "scan only the contents of part I of N (\"I/N\") of one PATH, balanced by bytes, and write the sealed part to --output; merge the parts with --merge"}
		merge                            bool
		cpuProfile                       string
	)
	cmd := &cobra.Command{
		Use:   "scan-secrets PATH... | scan-secrets DIR --part I/N -o part-I.json | scan-secrets --merge PART...",
		Short: "Scan files and directories for literal secrets (the secret-inventory scanner alone)",
		Long: `scan-secrets runs the secret-inventory scanner on each PATH and prints what it
finds: rule, path (relative to the PATH), line, keyed fingerprint and a hint of at
most 4 characters from the credential's public prefix. Secret values are never
printed.

Fingerprints are keyed with --fingerprint-key-file, else the review record's key
(--review), else a random key for this run only (then they cannot be compared
across runs). Exit status: 0 nothing found, 1 secrets found or a file could not be
scanned, 2 usage, 3 a PATH does not exist or a part is refused.

A large tree is scanned in parts, in parallel: --part I/N scans only part I of
N of DIR (every part walks the whole tree; files, links and unscannable
entries are shared out by the rule of 'tollgate hash --part', balanced by
bytes) and writes a part: its findings as a report has them (fingerprints,
hints, masked paths, never a secret value), sealed with an HMAC under the
fingerprint key, which must therefore be given (--fingerprint-key-file or
--review). --merge reads the parts (a directory stands for every *.json in it)
and prints exactly what a scan of DIR prints. It refuses, naming the file, a
part sealed with another key or altered, parts of different N, scanner
version, rule set or limits, parts whose walks differ, and a missing or
duplicated part.`,
		Example: `  tollgate scan-secrets ./release
  tollgate scan-secrets ./release --format sarif > secrets.sarif
  tollgate scan-secrets notebook.ipynb model.safetensors --format json --review review.yaml
  # in four pods, then one merge:
  tollgate scan-secrets ./release --review review.yaml --part 1/4 -o part-1.json   # ... --part 4/4
  tollgate scan-secrets --merge part-*.json --review review.yaml --format json`,
		Args: cli.Args(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" && format != "sarif" {
				return cli.Usagef("--format must be text, json or sarif, got %q", format)
			}
			if p, ok := sibling.Delegated(); ok {
				cli.Logger(cmd.Context()).Debug("running in the lean sibling executable", zap.String("for", p))
			} else if why := sibling.Reason(cmd.Context()); why != nil {
				cli.Logger(cmd.Context()).Debug("scanning in this process", zap.String("reason", why.Error()))
			}
			if (part.Set() || merge) && keyFile == "" && reviewFile == "" {
				return cli.Usagef("--part and --merge need the fingerprint key (--fingerprint-key-file or --review): parts are sealed with it")
			}
			key, err := scanKey(cmd, keyFile, reviewFile, reviewKey)
			if err != nil {
				return err
			}
			if cpuProfile != "" {
				stop, err := startCPUProfile(cpuProfile)
				if err != nil {
					return err
				}
				defer stop()
			}
			var res *secrets.Result
			switch {
			case part.Set() && merge:
				return cli.Usagef("--part and --merge do not go together")
			case part.Set():
				if len(args) != 1 {
					return cli.Usagef("--part scans one PATH, got %d", len(args))
				}
				if out == "" || out == "-" {
					return cli.Usagef("--part needs --output FILE: a part is a file for --merge")
				}
				i, n, err := part.Parse()
				if err != nil {
					return err
				}
				return WritePart(cmd.Context(), key, args[0], i, n, out)
			case merge:
				files, err := options.PartFiles(args, "scan part", secrets.ErrInvalidPart)
				if err != nil {
					return fmt.Errorf("scan-secrets --merge: %w", err)
				}
				parts := make([]*secrets.Part, 0, len(files))
				for _, f := range files {
					p, err := secrets.ReadPart(f)
					if err != nil {
						return fmt.Errorf("scan-secrets --merge: %w", err)
					}
					parts = append(parts, p)
				}
				s, err := secrets.New(key)
				if err != nil {
					return err
				}
				if res, err = s.Merge(parts, files); err != nil {
					return fmt.Errorf("scan-secrets --merge: %w", err)
				}
			default:
				s, err := secrets.New(key)
				if err != nil {
					return err
				}
				if res, err = s.Scan(cmd.Context(), args...); err != nil {
					return err
				}
			}
			var buf bytes.Buffer
			if err := printScan(&buf, format, res); err != nil {
				return err
			}
			if out == "" || out == "-" {
				if _, err := cmd.OutOrStdout().Write(buf.Bytes()); err != nil {
					return err
				}
			} else if err := safefile.WriteAtomic(out, buf.Bytes()); err != nil {
				return err
			}
			if n := len(res.Findings) + len(res.Problems); n > 0 {
				return cli.WithCode(cli.ExitBlocked, fmt.Errorf("%d literal secrets, %d files not scanned (%d files scanned)", len(res.Findings), len(res.Problems), res.Stats.Files))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json or sarif")
	cmd.Flags().StringVar(&keyFile, "fingerprint-key-file", "", "file holding the fingerprint key (base64 or raw, >= 16 bytes)")
	cmd.Flags().StringVar(&reviewFile, "review", "", "ReleaseReview whose spec.secrets.fingerprintKey keys the fingerprints")
	cmd.Flags().StringVarP(&out, "output", "o", "-", "where to write (- for stdout); with --part, the part file")
	cmd.Flags().BoolVar(&merge, "merge", false, "merge the parts given as arguments (files, or directories of *.json) and print what a single scan prints")
	part.AddFlags(cmd.Flags())
	// For developers measuring the scanner (hack/bench-secrets.sh): a Go
	// CPU profile of the scan, read with go tool pprof.
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a Go CPU profile of the scan to this file")
	_ = cmd.Flags().MarkHidden("cpuprofile")
	return cmd
}

// startCPUProfile writes a CPU profile to path until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

func scanKey(cmd *cobra.Command, keyFile, reviewFile string, reviewKey ReviewKey) ([]byte, error) {
	switch {
	case keyFile != "":
		return ReadKeyFile(keyFile)
	case reviewFile != "" && reviewKey == nil:
		return nil, cli.Usagef("--review is read by tollgate scan-secrets, not by this lean binary: run tollgate scan-secrets, or give --fingerprint-key-file")
	case reviewFile != "":
		return reviewKey(reviewFile)
	}
	cli.Logger(cmd.Context()).Warn("no fingerprint key given: fingerprints are keyed with a random key for this run only")
	k, err := secrets.NewKey()
	if err != nil {
		return nil, err
	}
	return secrets.DecodeKey([]byte(k))
}

func printScan(w io.Writer, format string, res *secrets.Result) error {
	switch format {
	case "json":
		b, err := evidence.Canonical(struct {
			Findings   []secrets.Finding   `json:"findings"`
			Problems   []secrets.Problem   `json:"problems"`
			References []secrets.Reference `json:"references"`
			Stats      secrets.Stats       `json:"stats"`
		}{res.Findings, res.Problems, res.References, res.Stats})
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	case "sarif":
		b, err := evidence.SARIF(secrets.Findings(res))
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	for _, f := range res.Findings {
		loc := f.Where()
		hint := ""
		if f.Hint != "" {
			hint = " hint=" + f.Hint + "…"
		}
		if f.Encoding != "" {
			hint += " encoding=" + f.Encoding
		}
		if _, err := fmt.Fprintf(w, "%s: %s%s fingerprint=%s\n", redact.Escape(loc), f.Rule, redact.Escape(hint), f.Fingerprint); err != nil {
			return err
		}
	}
	for _, p := range res.Problems {
		if _, err := fmt.Fprintf(w, "%s: not scanned: %s\n", redact.Escape(p.Path), redact.Escape(p.Reason)); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "%d literal secrets, %d not scanned, %d references; %d files, %d bytes scanned\n",
		len(res.Findings), len(res.Problems), len(res.References), res.Stats.Files, res.Stats.Bytes)
	return err
}
