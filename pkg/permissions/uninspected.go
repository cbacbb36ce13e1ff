package permissions

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

// SurfaceUninspected is a file that may grant permissions but that
// tollgate cannot read as configuration: a template that is valid YAML
// only once rendered (a Helm chart's), or a configuration file larger
// than MaxFileSize. What it grants is unknown, so the file is recorded by
// digest: a new or changed one blocks (render or split it into the
// artefact to have it checked), an unchanged one is what was reviewed.
const SurfaceUninspected = "uninspected"

// uninspected records subject (a file, or a directory's bundle) found at
// rel, with digest d, as unknown reach.
func (s *scanner) uninspected(subject, rel, d, why string) error {
	s.snap.Skipped = append(s.snap.Skipped, subject+": "+why)
	return s.add(Grant{Surface: SurfaceUninspected, Subject: subject, Action: "contents", Effect: Allow, Path: rel,
		Content: content(map[string]string{"digest": d, "why": why})})
}

// bigMarkers are the strings that make a file too large to inspect count
// as configuration: the scanner's markers and any Kubernetes object.
var bigMarkers = append([]string{"apiVersion"}, markers...)

// mentionsConfig streams the file at p once, returning its digest and
// whether any of bigMarkers occurs in it (across read boundaries too).
func mentionsConfig(p string) (digest string, found bool, err error) {
	f, err := os.Open(p)
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	h := sha256.New()
	longest := 0
	for _, m := range bigMarkers {
		longest = max(longest, len(m))
	}
	buf := make([]byte, 1<<20)
	carry := 0
	for {
		n, rerr := f.Read(buf[carry:])
		h.Write(buf[carry : carry+n])
		win := buf[:carry+n]
		if !found {
			for _, m := range bigMarkers {
				if bytes.Contains(win, []byte(m)) {
					found = true
					break
				}
			}
		}
		// keep the tail, so a marker split across reads is still seen
		keep := min(longest-1, len(win))
		copy(buf, win[len(win)-keep:])
		carry = keep
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return "", false, rerr
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), found, nil
}

// uninspectedSeverity rates a new file tollgate cannot inspect.
func uninspectedSeverity(g *Grant) (evidence.Severity, string) {
	return evidence.High, fmt.Sprintf("new; tollgate cannot inspect what it grants (%s)", str(decode(g.Content)["why"]))
}
