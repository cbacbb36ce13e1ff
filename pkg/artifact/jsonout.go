package artifact

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"
)

// WriteJSON writes m exactly as json.MarshalIndent(m, "", "  ") followed by
// a newline, one resource at a time: a manifest of 100,000 files is never
// held in memory as one JSON document (twice, with the indentation pass).
func (m *Manifest) WriteJSON(w io.Writer) error {
	j := newJSONWriter(w)
	j.raw("{\n")
	j.field("root", m.Root, false)
	j.field("serialization", m.Serialization, false)
	writeArray(j, "files", m.Files, true)
	j.raw("}\n")
	return j.flush()
}

// WriteJSON writes p exactly as json.MarshalIndent(p, "", "  ") followed by
// a newline, streaming its file list and resources.
func (p *Part) WriteJSON(w io.Writer) error {
	j := newJSONWriter(w)
	j.raw("{\n")
	j.field("apiVersion", p.APIVersion, false)
	j.field("kind", p.Kind, false)
	j.raw(`  "index": ` + strconv.Itoa(p.Index) + ",\n")
	j.raw(`  "count": ` + strconv.Itoa(p.Count) + ",\n")
	j.field("serialization", p.Serialization, false)
	writeArray(j, "files", p.Files, false)
	writeArray(j, "resources", p.Resources, true)
	j.raw("}\n")
	return j.flush()
}

// jsonWriter writes indented JSON through a buffer, keeping the first error.
type jsonWriter struct {
	w   *bufio.Writer
	err error
}

func newJSONWriter(w io.Writer) *jsonWriter { return &jsonWriter{w: bufio.NewWriterSize(w, 64<<10)} }

func (j *jsonWriter) raw(s string) {
	if j.err == nil {
		_, j.err = j.w.WriteString(s)
	}
}

// value writes v as MarshalIndent does at the given depth (prefix).
func (j *jsonWriter) value(v any, prefix string) {
	if j.err != nil {
		return
	}
	b, err := json.MarshalIndent(v, prefix, "  ")
	if err != nil {
		j.err = err
		return
	}
	_, j.err = j.w.Write(b)
}

// field writes `  "key": value` at depth 1, with a comma unless last.
func (j *jsonWriter) field(key string, v any, last bool) {
	j.raw(`  "` + key + `": `)
	j.value(v, "  ")
	j.end(last)
}

func (j *jsonWriter) end(last bool) {
	if last {
		j.raw("\n")
	} else {
		j.raw(",\n")
	}
}

func (j *jsonWriter) flush() error {
	if j.err != nil {
		return j.err
	}
	return j.w.Flush()
}

// writeArray writes `  "key": [ items ]` at depth 1; an empty (or nil)
// slice is written as [] (nil slices are normalised before output).
func writeArray[T any](j *jsonWriter, key string, items []T, last bool) {
	j.raw(`  "` + key + `": `)
	if len(items) == 0 {
		if items == nil {
			j.raw("null")
		} else {
			j.raw("[]")
		}
		j.end(last)
		return
	}
	j.raw("[\n")
	for i := range items {
		j.raw("    ")
		j.value(items[i], "    ")
		j.end(i == len(items)-1)
	}
	j.raw("  ]")
	j.end(last)
}
