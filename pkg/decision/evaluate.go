package decision

import "fmt"

// Evaluate makes the decision. It returns an error only for inputs it cannot
// judge at all (nil policy or review); everything else that cannot be
// decided becomes a FAILED verdict with a reason. Implemented by the gate
// issue (#7).
func Evaluate(in Input) (*Decision, error) {
	if in.Policy == nil || in.Review == nil {
		return nil, fmt.Errorf("decision needs a policy and a review record")
	}
	return &Decision{Verdict: Failed, Reasons: []Reason{{Message: "decision: not implemented"}}}, nil
}
