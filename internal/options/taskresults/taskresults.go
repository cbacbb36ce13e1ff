package taskresults

import (
	"maps"

	"github.com/spf13/pflag"

	"github.com/tollgate-dev/tollgate/pkg/pipeline"
)

// Options is the flag group of the task results attest and gate take: one
// flag per result, named as the result (--provenance-verdict), so that a
// Tekton or Argo step passes each by substitution. A result whose flag is
// not given is missing, which is not the same as given empty: the gate
// says which.
type Options struct {
	values pipeline.Results
}

// AddFlags adds a flag for each result name.
func (o *Options) AddFlags(fs *pflag.FlagSet, names []string) {
	if o.values == nil {
		o.values = pipeline.Results{}
	}
	for _, n := range names {
		fs.Var(resultValue{o.values, n}, n, "task result "+n+" (pass $(tasks.x.results.y) or {{tasks.x.outputs.parameters.y}})")
	}
}

// Values returns the results given on the command line.
func (o *Options) Values() pipeline.Results { return maps.Clone(o.values) }

// resultValue records a result in the map when its flag is given.
type resultValue struct {
	m    pipeline.Results
	name string
}

func (v resultValue) Set(s string) error { v.m[v.name] = s; return nil }
func (v resultValue) String() string     { return v.m[v.name] }
func (resultValue) Type() string         { return "string" }
