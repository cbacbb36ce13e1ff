package policy

import (
	"fmt"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
)

// Limits on CEL rules. A rule is compiled and type-checked when the policy
// loads; its cost is estimated then against the worst case below and
// enforced again, on the real evidence, when it runs.
const (
	// MaxRules is the most rules a policy may hold.
	MaxRules = 64
	// MaxExpression is the longest expression, in code points.
	MaxExpression = 4096
	// MaxCost bounds both the static estimate and the runtime cost of one
	// rule, in CEL cost units (roughly one per operation).
	MaxCost = 50_000_000
)

// Worst-case input sizes the static cost estimate assumes.
const (
	estFindings   = 10_000
	estList       = 1_000
	estChecks     = 8
	estFields     = 32
	estStringSize = 256
)

// CEL variables, the combined evidence a rule sees. Each element is a map
// with the fields below; absent optional values are empty strings.
//
//	artifact    {digest, reviewedRoot}
//	release     {name, model: {name, version, revision}}
//	checks      map of check name to {verdict, reportDigest, findings,
//	            blocking, warnings, waived} (counts are ints)
//	findings    list of {check, class, severity, fingerprint, path, line,
//	            subject, message, blocking, warning, waived, attributes}
//	            (blocking, warning: the policy's classification; waived: a
//	            valid exception covers it)
//	approvals   list of {identity, signer}
//	exceptions  list of {id, check, fingerprints, reason, owner, approver,
//	            granted, expires, valid, problem} (times are timestamps)
//	now         timestamp of the decision
//
// A rule must evaluate to a bool; false blocks (or warns, with action:
// warn), and an evaluation error blocks.
const (
	VarArtifact   = "artifact"
	VarRelease    = "release"
	VarChecks     = "checks"
	VarFindings   = "findings"
	VarApprovals  = "approvals"
	VarExceptions = "exceptions"
	VarNow        = "now"
)

// CompiledRule is a type-checked rule ready to evaluate.
type CompiledRule struct {
	Rule
	program cel.Program
}

func celEnv() (*cel.Env, error) {
	obj := cel.MapType(cel.StringType, cel.DynType)
	return cel.NewEnv(
		cel.Variable(VarArtifact, obj),
		cel.Variable(VarRelease, obj),
		cel.Variable(VarChecks, cel.MapType(cel.StringType, obj)),
		cel.Variable(VarFindings, cel.ListType(obj)),
		cel.Variable(VarApprovals, cel.ListType(obj)),
		cel.Variable(VarExceptions, cel.ListType(obj)),
		cel.Variable(VarNow, cel.TimestampType),
		cel.ParserExpressionSizeLimit(MaxExpression),
		cel.ParserRecursionLimit(64),
	)
}

// CompileRules parses, type-checks and cost-checks rules. Errors name the
// rule and say what to change.
func CompileRules(rules []Rule) ([]CompiledRule, error) {
	if len(rules) == 0 {
		return nil, nil
	}
	if len(rules) > MaxRules {
		return nil, fmt.Errorf("spec.rules: %d rules, at most %d are allowed", len(rules), MaxRules)
	}
	env, err := celEnv()
	if err != nil {
		return nil, fmt.Errorf("cel environment: %w", err)
	}
	out := make([]CompiledRule, 0, len(rules))
	for i, r := range rules {
		where := fmt.Sprintf("spec.rules[%d] (%s)", i, r.Name)
		ast, iss := env.Compile(r.Expression)
		if iss != nil && iss.Err() != nil {
			return nil, fmt.Errorf("%s: %s", where, oneLine(iss.Err().Error()))
		}
		if !ast.OutputType().IsExactType(types.BoolType) {
			return nil, fmt.Errorf("%s: expression is of type %s, want bool (compare a dynamic value, e.g. `x == true`)", where, ast.OutputType())
		}
		est, err := env.EstimateCost(ast, estimator{})
		if err != nil {
			return nil, fmt.Errorf("%s: estimate cost: %w", where, err)
		}
		if est.Max > MaxCost {
			return nil, fmt.Errorf("%s: estimated cost %d exceeds the limit %d (with %d findings); avoid nested loops over findings", where, est.Max, MaxCost, estFindings)
		}
		prg, err := env.Program(ast, cel.CostLimit(MaxCost))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		out = append(out, CompiledRule{Rule: r, program: prg})
	}
	return out, nil
}

// Eval evaluates the rule over vars (the variables documented above). It
// returns an error when evaluation fails or exceeds MaxCost; callers must
// treat that as blocking.
func (c CompiledRule) Eval(vars map[string]any) (bool, error) {
	v, _, err := c.program.Eval(vars)
	if err != nil {
		return false, fmt.Errorf("rule %s: %w", c.Name, err)
	}
	b, ok := v.(types.Bool)
	if !ok {
		return false, fmt.Errorf("rule %s: evaluated to %s, want bool", c.Name, typeName(v))
	}
	return bool(b), nil
}

func typeName(v ref.Val) string {
	if v == nil {
		return "nothing"
	}
	return v.Type().TypeName()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// estimator sizes the variables for the static cost estimate.
type estimator struct{}

func (estimator) EstimateCallCost(string, string, *cost.AstNode, []cost.AstNode) *cost.CallEstimate {
	return nil
}

func (estimator) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	p := n.Path()
	if len(p) == 0 {
		return nil
	}
	size := uint64(estStringSize)
	if len(p) == 1 {
		switch p[0] {
		case VarFindings:
			size = estFindings
		case VarApprovals, VarExceptions:
			size = estList
		case VarChecks:
			size = estChecks
		default:
			size = estFields
		}
	}
	return &cost.SizeEstimate{Min: 0, Max: size}
}
