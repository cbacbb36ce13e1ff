package artifact

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// partSink receives a part manifest as it is decoded: the header fields,
// then each file and each resource, in the order they appear.
type partSink interface {
	// field is called after each header field (apiVersion, kind, index,
	// count, serialization) with the header decoded so far.
	field(h *Part, key string) error
	file(h *Part, i int, f FileSize) error
	filesDone(h *Part, n int) error
	resource(h *Part, r Resource) error
	resourcesDone(h *Part) error
}

// decodePart streams one part manifest from r into sink: known fields only,
// each file and resource decoded on its own, so a part of a million files
// never sits in memory as one JSON document or one slice. It refuses
// trailing data and a missing files or resources list.
func decodePart(r io.Reader, sink partSink) (Part, error) {
	var h Part
	err := decodePartInto(r, &h, sink)
	return h, err
}

func decodePartInto(r io.Reader, h *Part, sink partSink) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("decode part manifest: %w", err)
		}
		key, _ := tok.(string)
		if seen[key] {
			return fmt.Errorf("decode part manifest: field %q appears twice", key)
		}
		seen[key] = true
		switch key {
		case "apiVersion":
			err = dec.Decode(&h.APIVersion)
		case "kind":
			err = dec.Decode(&h.Kind)
		case "index":
			err = dec.Decode(&h.Index)
		case "count":
			err = dec.Decode(&h.Count)
		case "serialization":
			err = dec.Decode(&h.Serialization)
		case "files":
			n := 0
			err = decodeArray(dec, func() error {
				var f FileSize
				if err := dec.Decode(&f); err != nil {
					return err
				}
				n++
				return sink.file(h, n-1, f)
			})
			if err == nil {
				err = sink.filesDone(h, n)
			}
		case "resources":
			err = decodeArray(dec, func() error {
				var r Resource
				if err := dec.Decode(&r); err != nil {
					return err
				}
				return sink.resource(h, r)
			})
			if err == nil {
				err = sink.resourcesDone(h)
			}
		default:
			return fmt.Errorf("decode part manifest: unknown field %q", key)
		}
		if err != nil {
			return fmt.Errorf("decode part manifest: %s: %w", key, err)
		}
		if key != "files" && key != "resources" {
			if err := sink.field(h, key); err != nil {
				return err
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("trailing data after the part manifest")
	}
	for _, k := range []string{"files", "resources"} {
		if !seen[k] {
			return fmt.Errorf("decode part manifest: no %s list", k)
		}
	}
	return nil
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("decode part manifest: %w", err)
	}
	if tok != d {
		return fmt.Errorf("decode part manifest: want %v, got %v", d, tok)
	}
	return nil
}

// decodeArray calls each for every element of a JSON array (null is an
// empty array).
func decodeArray(dec *json.Decoder, each func() error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("want an array, got %v", tok)
	}
	for dec.More() {
		if err := each(); err != nil {
			return err
		}
	}
	_, err = dec.Token() // ']'
	return err
}

// checkHeader validates what precedes the lists: apiVersion, kind, index,
// count and serialization.
func checkHeader(p *Part) error {
	if p.APIVersion != PartAPIVersion || p.Kind != PartKind {
		return fmt.Errorf("apiVersion %q kind %q, want %s %s: %w", p.APIVersion, p.Kind, PartAPIVersion, PartKind, ErrInvalidPart)
	}
	if p.Count < 1 || p.Count > MaxParts || p.Index < 1 || p.Index > p.Count {
		return fmt.Errorf("part %d/%d: want 1 <= index <= count <= %d: %w", p.Index, p.Count, MaxParts, ErrInvalidPart)
	}
	if err := p.Serialization.validate(); err != nil {
		return fmt.Errorf("part %d/%d: %w: %w", p.Index, p.Count, err, ErrInvalidPart)
	}
	return nil
}

// checkFile validates file i of a list whose previous entry is prev.
func checkFile(p *Part, i int, prev, f FileSize) error {
	if err := validName(f.Name); err != nil {
		return fmt.Errorf("part %d/%d: file %q: %w: %w", p.Index, p.Count, f.Name, err, ErrInvalidPart)
	}
	if f.Size < 0 {
		return fmt.Errorf("part %d/%d: file %s has negative size %d: %w", p.Index, p.Count, f.Name, f.Size, ErrInvalidPart)
	}
	if i > 0 && comparePath(prev.Name, f.Name) >= 0 {
		return fmt.Errorf("part %d/%d: file list not sorted or has a duplicate at %s: %w", p.Index, p.Count, f.Name, ErrInvalidPart)
	}
	return nil
}

// collector collects a part's lists; ParsePart validates them.
type collector struct{ p Part }

func (c *collector) field(*Part, string) error { return nil }
func (c *collector) file(_ *Part, _ int, f FileSize) error {
	c.p.Files = append(c.p.Files, f)
	return nil
}
func (c *collector) filesDone(*Part, int) error { return nil }
func (c *collector) resource(_ *Part, r Resource) error {
	c.p.Resources = append(c.p.Resources, r)
	return nil
}
func (c *collector) resourcesDone(*Part) error { return nil }

// mergeSink feeds a streamed part to a merger: the header when the file
// list starts, then each file and resource as it is decoded.
type mergeSink struct {
	m       *merger
	started bool
	listed  bool // the file list has ended
}

func (s *mergeSink) field(*Part, string) error { return nil }

func (s *mergeSink) start(h *Part) error {
	if s.started {
		return nil
	}
	s.started = true
	if err := checkHeader(h); err != nil {
		return err
	}
	return s.m.header(h)
}

func (s *mergeSink) file(h *Part, i int, f FileSize) error {
	if err := s.start(h); err != nil {
		return err
	}
	return s.m.file(h, i, f)
}

func (s *mergeSink) filesDone(h *Part, n int) error {
	if err := s.start(h); err != nil {
		return err
	}
	s.listed = true
	return s.m.filesDone(h, n)
}

func (s *mergeSink) resource(h *Part, r Resource) error {
	if !s.listed {
		return fmt.Errorf("part %d/%d lists resources before its files (write parts with tollgate hash --part): %w", h.Index, h.Count, ErrInvalidPart)
	}
	return s.m.resource(h, r)
}

func (s *mergeSink) resourcesDone(*Part) error { return nil }
