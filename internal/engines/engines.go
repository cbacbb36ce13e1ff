package engines

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// MaxDocument is the largest document file read, in bytes.
const MaxDocument = 1 << 20

// ErrInvalid is wrapped by every decoding and validation error.
var ErrInvalid = errors.New("invalid engine document")

// Doc is one YAML document of a file, with its kind and raw JSON.
type Doc struct {
	Path       string // file it came from
	Index      int    // position in the file, from 0
	APIVersion string
	Kind       string
	Name       string
	JSON       []byte
}

// String names the document for error messages: path[#index] Kind/name.
func (d Doc) String() string {
	s := d.Path
	if d.Index > 0 {
		s += fmt.Sprintf("#%d", d.Index)
	}
	return fmt.Sprintf("%s %s/%s", s, d.Kind, d.Name)
}

// ReadFile reads every YAML document of path (at most MaxDocument bytes).
func ReadFile(path string) ([]Doc, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(f, MaxDocument+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if n > MaxDocument {
		return nil, fmt.Errorf("%s: %w: larger than %d bytes", path, ErrInvalid, MaxDocument)
	}
	return Parse(path, buf.Bytes())
}

// Parse splits data into YAML documents and reads the header of each.
// Empty documents are skipped.
func Parse(path string, data []byte) ([]Doc, error) {
	var docs []Doc
	r := k8syaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for i := 0; ; i++ {
		part, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s document %d: %w: %v", path, i, ErrInvalid, err)
		}
		if len(bytes.TrimSpace(stripComments(part))) == 0 {
			continue
		}
		js, err := yaml.YAMLToJSONStrict(part)
		if err != nil {
			return nil, fmt.Errorf("%s document %d: %w: %v", path, i, ErrInvalid, err)
		}
		var h struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name         string `json:"name"`
				GenerateName string `json:"generateName"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(js, &h); err != nil {
			return nil, fmt.Errorf("%s document %d: %w: not a Kubernetes object: %v", path, i, ErrInvalid, err)
		}
		if h.APIVersion == "" || h.Kind == "" {
			return nil, fmt.Errorf("%s document %d: %w: apiVersion and kind are required", path, i, ErrInvalid)
		}
		name := h.Metadata.Name
		if name == "" {
			name = h.Metadata.GenerateName
		}
		docs = append(docs, Doc{Path: path, Index: i, APIVersion: h.APIVersion, Kind: h.Kind, Name: name, JSON: js})
	}
	return docs, nil
}

// Decode strictly decodes d into v: unknown fields and duplicate keys are
// errors.
func (d Doc) Decode(v any) error {
	if err := yaml.UnmarshalStrict(d.JSON, v); err != nil {
		return fmt.Errorf("%s: %w: %v", d, ErrInvalid, err)
	}
	return nil
}

func stripComments(b []byte) []byte {
	var out []byte
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			out = append(out, line...)
		}
	}
	return out
}
