package policy_test

import (
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/policy"
)

func FuzzDecodePolicy(f *testing.F) {
	f.Add([]byte(valid))
	f.Add([]byte("apiVersion: tollgate.dev/v1alpha1\nkind: ReleasePolicy\nspec: {approvals: {required: 1}}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := policy.Decode(b)
		if err == nil && p.Spec.Approvals.Required < 1 {
			t.Fatal("accepted a policy that needs no approval")
		}
	})
}
