package secrets

import "bytes"

// An entry that names a variable under one key and gives its value under
// another is the assignment NAME = value: Kubernetes and Argo env lists
// ("- name: DB_PASSWORD" / "value: s3cr3t"), Tekton params with a
// default, ECS task definitions ({"name": "API_SECRET", "value": "…"}),
// Compose and Helm key/value lists. The value is classified under the
// name it is given, as if it were written NAME=value.

// nameKeys hold the variable's name; valueKeys its value.
var (
	nameKeys  = map[string]bool{"name": true, "key": true, "variable": true, "var": true, "envname": true}
	valueKeys = map[string]bool{"value": true, "val": true, "default": true, "defaultvalue": true}
)

// maxSiblingLines bounds how far from the name a sibling value is looked
// for, each way.
const maxSiblingLines = 8

// namedSecret reports whether the pair names a secret as a variable:
// its key is a name key and its value is an identifier that names a
// secret ("DB_PASSWORD", "api-token").
func namedSecret(p pair) bool {
	if len(p.key) > 9 || len(p.value) == 0 || len(p.value) > 128 || !nameKeys[normKey(p.key)] || !allIn(p.value, keyChars) {
		return false
	}
	secret, _ := secretKey(p.value)
	return secret
}

// lineIndent returns the column where a line's first key starts: its
// indentation, past a YAML sequence dash ("  - name: x" starts at 4).
func lineIndent(line []byte) (col int, blank bool) {
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i == len(line) || line[i] == '#' || line[i] == '\r' {
		return 0, true
	}
	for i+1 < len(line) && line[i] == '-' && (line[i+1] == ' ' || line[i+1] == '\t') {
		i += 2
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
	}
	return i, false
}

// itemStart reports whether a line starts a sequence item ("  - x").
func itemStart(line []byte) bool {
	t := bytes.TrimLeft(line, " \t")
	return len(t) > 1 && t[0] == '-' && t[1] == ' '
}

// siblingValue finds the value key of the entry whose name key is on the
// line b[ls:le]: on the same line (a flow mapping, a JSON object on one
// line), else on a nearby line of the same entry (same column; the scan
// stops at the entry's end). It returns the pair, with off relative to b.
// A line cut short (longer than the parse window) has no nearby lines:
// what follows the window is the same line, not the entry's next one.
func siblingValue(b []byte, ls, le int, same []pair) (pair, bool) {
	for _, q := range same {
		if valueKeys[normKey(q.key)] {
			q.off += ls
			return q, true
		}
	}
	if le < len(b) && b[le] != '\n' {
		return pair{}, false
	}
	col, _ := lineIndent(b[ls:le])
	check := func(s, e int) (pair, bool, bool) {
		c, blank := lineIndent(b[s:e])
		if blank {
			return pair{}, false, true
		}
		if c != col {
			return pair{}, false, c > col
		}
		// only the line's first key is the entry's own
		if prs := linePairs(string(b[s:e]), true, nil); len(prs) > 0 && valueKeys[normKey(prs[0].key)] {
			q := prs[0]
			q.off += s
			return q, true, false
		}
		return pair{}, false, true
	}
	// After the name: lines of the same entry, until one starts left of
	// it or a new item begins.
	for s, n := le+1, 0; s < len(b) && n < maxSiblingLines; n++ {
		e := s + bytes.IndexByte(b[s:min(len(b), s+maxLine)], '\n')
		if e < s {
			e = min(len(b), s+maxLine)
		}
		if itemStart(b[s:e]) {
			if c, _ := lineIndent(b[s:e]); c <= col {
				break // the next item
			}
		}
		q, ok, more := check(s, e)
		if ok {
			return q, true
		}
		if !more || (e < len(b) && b[e] != '\n') {
			break // another entry, or a line cut short
		}
		s = e + 1
	}
	// Before the name, when the value comes first: back to the item's
	// start ("- value: x" / "  name: DB_PASSWORD").
	if itemStart(b[ls:le]) {
		return pair{}, false
	}
	for e, n := ls-1, 0; e > 0 && n < maxSiblingLines; n++ {
		s := lineStart(b, e)
		if s > 0 && b[s-1] != '\n' {
			break // a line longer than lineStart looks back
		}
		q, ok, more := check(s, e)
		if ok {
			return q, true
		}
		if itemStart(b[s:e]) || !more {
			break // the item's first line, or another entry
		}
		e = s - 1
	}
	return pair{}, false
}

// namedJSON pairs a JSON object's name and value keys, in either order:
// key and v are the string member just read (at its offset), named, value
// and vat the object's state.
func (fs *fileScan) namedJSON(w *worker, sg seg, key, v string, at int, named, value *string, vat *int, line func(int) int, found []pending) []pending {
	nk := normKey(key)
	switch {
	case valueKeys[nk] && *named != "":
		return fs.classify(w, sg, pair{key: *named, value: v, quoted: true}, at, func() int { return sg.lineBase + line(at) }, found)
	case valueKeys[nk]:
		*value, *vat = v, at
	case namedSecret(pair{key: key, value: v}):
		*named = v
		if *value != "" {
			a := *vat
			return fs.classify(w, sg, pair{key: v, value: *value, quoted: true}, a, func() int { return sg.lineBase + line(a) }, found)
		}
	}
	return found
}
