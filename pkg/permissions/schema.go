package permissions

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
)

// schemaDiff compares two JSON Schemas (tool inputs) and says whether the
// new one accepts more (broadened), less (narrowed), or changed text that a
// model reads (descriptions). Keywords whose effect cannot be compared
// simply (anyOf, $ref, if/then...) count as broadened when they change:
// the check cannot tell, so it does not assume the change is safe.
type schemaDiff struct {
	broadened, narrowed []string
	// text are (path, old, new) description changes inside the schema.
	text [][3]string
}

// numeric limits: for max* keywords a larger value accepts more.
var schemaMax = map[string]bool{"maxLength": true, "maxItems": true, "maximum": true, "exclusiveMaximum": true, "maxProperties": true}
var schemaMin = map[string]bool{"minLength": true, "minItems": true, "minimum": true, "exclusiveMinimum": true, "minProperties": true}

// schemaOpaque are keywords compared only for equality.
var schemaOpaque = []string{"pattern", "format", "const", "anyOf", "oneOf", "allOf", "not", "$ref", "$defs",
	"definitions", "if", "then", "else", "patternProperties", "dependentSchemas", "dependentRequired",
	"prefixItems", "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems", "multipleOf", "uniqueItems", "contentEncoding", "contentMediaType"}

func (d *schemaDiff) compare(at string, oldV, newV any) {
	if reflect.DeepEqual(oldV, newV) {
		return
	}
	o, n := obj(oldV), obj(newV)
	if o == nil || n == nil {
		// true / absent schemas accept anything.
		switch {
		case isAnything(newV) && !isAnything(oldV):
			d.broadened = append(d.broadened, at+" now accepts anything")
		case isAnything(oldV) && !isAnything(newV):
			d.narrowed = append(d.narrowed, at+" no longer accepts anything")
		default:
			d.broadened = append(d.broadened, at+" changed")
		}
		return
	}
	if !reflect.DeepEqual(o["type"], n["type"]) {
		switch {
		case n["type"] == nil:
			d.broadened = append(d.broadened, at+": type constraint removed")
		case o["type"] == nil:
			d.narrowed = append(d.narrowed, at+": type constraint added")
		default:
			d.broadened = append(d.broadened, fmt.Sprintf("%s: type %v → %v", at, o["type"], n["type"]))
		}
	}
	// Properties.
	op, np := obj(o["properties"]), obj(n["properties"])
	for _, k := range keys(np) {
		if _, ok := op[k]; !ok {
			d.broadened = append(d.broadened, fmt.Sprintf("%s: new parameter %q", at, k))
			continue
		}
		d.compare(at+"."+k, op[k], np[k])
	}
	for _, k := range keys(op) {
		if _, ok := np[k]; !ok {
			d.narrowed = append(d.narrowed, fmt.Sprintf("%s: parameter %q removed", at, k))
		}
	}
	or, _ := strs(o["required"], "required")
	nr, _ := strs(n["required"], "required")
	for _, r := range added(nr, or) {
		d.broadened = append(d.broadened, fmt.Sprintf("%s: %q no longer required", at, r))
	}
	for _, r := range added(or, nr) {
		d.narrowed = append(d.narrowed, fmt.Sprintf("%s: %q now required", at, r))
	}
	// additionalProperties: false is closed; absent or true is open.
	oa, na := o["additionalProperties"], n["additionalProperties"]
	oClosed, nClosed := oa == false, na == false
	switch {
	case oClosed && !nClosed:
		d.broadened = append(d.broadened, at+": now accepts additional properties")
	case !oClosed && nClosed:
		d.narrowed = append(d.narrowed, at+": no longer accepts additional properties")
	case obj(oa) != nil || obj(na) != nil:
		d.compare(at+".additionalProperties", anything(oa), anything(na))
	}
	if o["items"] != nil || n["items"] != nil {
		d.compare(at+"[]", anything(o["items"]), anything(n["items"]))
	}
	// Enumerations.
	if !reflect.DeepEqual(o["enum"], n["enum"]) {
		oe, ne := jsonSet(o["enum"]), jsonSet(n["enum"])
		switch {
		case n["enum"] == nil:
			d.broadened = append(d.broadened, at+": enum removed")
		case o["enum"] == nil:
			d.narrowed = append(d.narrowed, at+": enum added")
		default:
			if a := added(oe, ne); len(a) > 0 {
				d.broadened = append(d.broadened, fmt.Sprintf("%s: enum gains %v", at, a))
			}
			if r := added(ne, oe); len(r) > 0 {
				d.narrowed = append(d.narrowed, fmt.Sprintf("%s: enum loses %v", at, r))
			}
		}
	}
	for _, k := range sortedKeys(schemaMax, schemaMin) {
		ov, oOK := number(o[k])
		nv, nOK := number(n[k])
		switch {
		case oOK == nOK && ov == nv:
		case !nOK && oOK:
			d.broadened = append(d.broadened, fmt.Sprintf("%s: %s removed", at, k))
		case nOK && !oOK:
			d.narrowed = append(d.narrowed, fmt.Sprintf("%s: %s added", at, k))
		case schemaMax[k] == (nv > ov):
			d.broadened = append(d.broadened, fmt.Sprintf("%s: %s %v → %v", at, k, ov, nv))
		default:
			d.narrowed = append(d.narrowed, fmt.Sprintf("%s: %s %v → %v", at, k, ov, nv))
		}
	}
	for _, k := range schemaOpaque {
		if reflect.DeepEqual(o[k], n[k]) {
			continue
		}
		switch {
		case n[k] == nil:
			d.broadened = append(d.broadened, fmt.Sprintf("%s: %s removed", at, k))
		case o[k] == nil && k != "anyOf" && k != "oneOf" && k != "$ref":
			d.narrowed = append(d.narrowed, fmt.Sprintf("%s: %s added", at, k))
		default:
			d.broadened = append(d.broadened, fmt.Sprintf("%s: %s changed", at, k))
		}
	}
	for _, k := range []string{"description", "title"} {
		if os, ns := str(o[k]), str(n[k]); os != ns {
			d.text = append(d.text, [3]string{at + "." + k, os, ns})
		}
	}
}

func isAnything(v any) bool {
	if v == nil || v == true {
		return true
	}
	m := obj(v)
	return m != nil && len(m) == 0
}

func anything(v any) any {
	if v == nil || v == true {
		return map[string]any{}
	}
	return v
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

func jsonSet(v any) []string {
	var out []string
	for _, e := range arr(v) {
		b, _ := json.Marshal(e)
		out = append(out, string(b))
	}
	return out
}

func sortedKeys(ms ...map[string]bool) []string {
	var out []string
	for _, m := range ms {
		for k := range m {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
