package validate

import (
	"fmt"
	"github.com/tollgate-dev/tollgate/internal/engines"
	"sort"

	rollouts "github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kusttypes "sigs.k8s.io/kustomize/api/types"
)

// DecodeJob strictly decodes a batch/v1 Job (an Argo CD hook) and checks
// what the API server would reject first: at least one container, each with
// a name and an image, and restartPolicy Never or OnFailure.
func DecodeJob(d engines.Doc) (*batchv1.Job, error) {
	if d.APIVersion != "batch/v1" || d.Kind != "Job" {
		return nil, fmt.Errorf("%s: %w: not a batch/v1 Job", d, engines.ErrInvalid)
	}
	var j batchv1.Job
	if err := d.Decode(&j); err != nil {
		return nil, err
	}
	if err := checkPodSpec(&j.Spec.Template.Spec); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", d, engines.ErrInvalid, err)
	}
	return &j, nil
}

// DecodeDeployment strictly decodes an apps/v1 Deployment (the workload a
// GitOps example promotes) and checks its containers have a name and an
// image.
func DecodeDeployment(d engines.Doc) (*appsv1.Deployment, error) {
	var dep appsv1.Deployment
	if err := d.Decode(&dep); err != nil {
		return nil, err
	}
	if len(dep.Spec.Template.Spec.Containers) == 0 {
		return nil, fmt.Errorf("%s: %w: no containers", d, engines.ErrInvalid)
	}
	for i, c := range dep.Spec.Template.Spec.Containers {
		if c.Name == "" || c.Image == "" {
			return nil, fmt.Errorf("%s: %w: spec.template.spec.containers[%d]: name and image are required", d, engines.ErrInvalid, i)
		}
	}
	return &dep, nil
}

// DecodeKustomization strictly decodes a kustomization.yaml with
// kustomize's own types.
func DecodeKustomization(d engines.Doc) error {
	var k kusttypes.Kustomization
	return d.Decode(&k)
}

func checkPodSpec(p *corev1.PodSpec) error {
	if len(p.Containers) == 0 {
		return fmt.Errorf("spec.template.spec.containers: at least one container is required")
	}
	if p.RestartPolicy != corev1.RestartPolicyNever && p.RestartPolicy != corev1.RestartPolicyOnFailure {
		return fmt.Errorf("spec.template.spec.restartPolicy must be Never or OnFailure, got %q", p.RestartPolicy)
	}
	vols := map[string]bool{}
	for _, v := range p.Volumes {
		vols[v.Name] = true
	}
	for i, c := range p.Containers {
		if c.Name == "" || c.Image == "" {
			return fmt.Errorf("spec.template.spec.containers[%d]: name and image are required", i)
		}
		for _, m := range c.VolumeMounts {
			if !vols[m.Name] {
				return fmt.Errorf("container %s mounts undeclared volume %q", c.Name, m.Name)
			}
		}
	}
	return nil
}

// KargoAPIVersion is the API version of Kargo documents.
const KargoAPIVersion = "kargo.akuity.io/v1alpha1"

// RolloutsAPIVersion is the API version of the AnalysisTemplate a Kargo
// Stage verifies with: Kargo reuses Argo Rollouts' CRD (there is no
// kargo.akuity.io AnalysisTemplate).
const RolloutsAPIVersion = "argoproj.io/v1alpha1"

// KargoStage is the subset of Kargo's Stage that tollgate ships: requested
// Freight, a promotion template and verification by analysis templates.
type KargoStage struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		RequestedFreight []struct {
			Origin struct {
				Kind string `json:"kind"`
				Name string `json:"name"`
			} `json:"origin"`
			Sources struct {
				Direct bool     `json:"direct,omitempty"`
				Stages []string `json:"stages,omitempty"`
			} `json:"sources"`
		} `json:"requestedFreight"`
		PromotionTemplate struct {
			Spec struct {
				Steps []struct {
					Uses   string         `json:"uses"`
					As     string         `json:"as,omitempty"`
					Config map[string]any `json:"config,omitempty"`
				} `json:"steps"`
			} `json:"spec"`
		} `json:"promotionTemplate"`
		Verification *struct {
			AnalysisTemplates []struct {
				Name string `json:"name"`
			} `json:"analysisTemplates"`
			Args []struct {
				Name  string `json:"name"`
				Value string `json:"value"`
			} `json:"args,omitempty"`
		} `json:"verification,omitempty"`
	} `json:"spec"`
}

// KargoSet holds Kargo AnalysisTemplates and Stages that reference each
// other.
type KargoSet struct {
	templates map[string]*rollouts.AnalysisTemplate
	stages    map[string]*KargoStage
	docs      map[string]engines.Doc
}

// NewKargoSet returns an empty set.
func NewKargoSet() *KargoSet {
	return &KargoSet{templates: map[string]*rollouts.AnalysisTemplate{}, stages: map[string]*KargoStage{}, docs: map[string]engines.Doc{}}
}

// Add strictly decodes an Argo Rollouts AnalysisTemplate (with Argo
// Rollouts' own types) or a Kargo Stage into the set.
func (s *KargoSet) Add(d engines.Doc) error {
	switch {
	case d.Kind == "AnalysisTemplate" && d.APIVersion != RolloutsAPIVersion:
		return fmt.Errorf("%s: %w: apiVersion %s: Kargo verifies with Argo Rollouts' AnalysisTemplate, %s", d, engines.ErrInvalid, d.APIVersion, RolloutsAPIVersion)
	case d.Kind != "AnalysisTemplate" && d.APIVersion != KargoAPIVersion:
		return fmt.Errorf("%s: %w: apiVersion %s is not %s", d, engines.ErrInvalid, d.APIVersion, KargoAPIVersion)
	}
	switch d.Kind {
	case "AnalysisTemplate":
		var t rollouts.AnalysisTemplate
		if err := d.Decode(&t); err != nil {
			return err
		}
		s.templates[t.Name], s.docs["AnalysisTemplate/"+t.Name] = &t, d
	case "Stage":
		var st KargoStage
		if err := d.Decode(&st); err != nil {
			return err
		}
		s.stages[st.Name], s.docs["Stage/"+st.Name] = &st, d
	default:
		return fmt.Errorf("%s: %w: kind %s is not a Kargo AnalysisTemplate or Stage", d, engines.ErrInvalid, d.Kind)
	}
	return nil
}

// Validate checks every job metric's pod, that every Stage's verification
// names a template in the set and passes exactly the args it declares
// without default, and that Stages take Freight from Stages in the set.
func (s *KargoSet) Validate() []error {
	var errs []error
	for _, name := range sortedKeys(s.templates) {
		t := s.templates[name]
		if len(t.Spec.Metrics) == 0 {
			errs = append(errs, fmt.Errorf("%s: %w: no metrics", s.docs["AnalysisTemplate/"+name], engines.ErrInvalid))
		}
		for _, m := range t.Spec.Metrics {
			if m.Provider.Job == nil {
				errs = append(errs, fmt.Errorf("%s: %w: metric %s: only job metrics are used", s.docs["AnalysisTemplate/"+name], engines.ErrInvalid, m.Name))
				continue
			}
			if err := checkPodSpec(&m.Provider.Job.Spec.Template.Spec); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w: metric %s: %v", s.docs["AnalysisTemplate/"+name], engines.ErrInvalid, m.Name, err))
			}
		}
	}
	for _, name := range sortedKeys(s.stages) {
		st, d := s.stages[name], s.docs["Stage/"+name]
		for _, rf := range st.Spec.RequestedFreight {
			for _, up := range rf.Sources.Stages {
				if _, ok := s.stages[up]; !ok {
					errs = append(errs, fmt.Errorf("%s: %w: requests Freight from unknown Stage %q", d, engines.ErrInvalid, up))
				}
			}
		}
		if st.Spec.Verification == nil {
			continue
		}
		given := map[string]bool{}
		for _, a := range st.Spec.Verification.Args {
			given[a.Name] = true
		}
		for _, ref := range st.Spec.Verification.AnalysisTemplates {
			t, ok := s.templates[ref.Name]
			if !ok {
				errs = append(errs, fmt.Errorf("%s: %w: verification uses unknown AnalysisTemplate %q", d, engines.ErrInvalid, ref.Name))
				continue
			}
			declared := map[string]bool{}
			for _, a := range t.Spec.Args {
				declared[a.Name] = true
				if a.Value == nil && !given[a.Name] {
					errs = append(errs, fmt.Errorf("%s: %w: AnalysisTemplate %s arg %q is not given", d, engines.ErrInvalid, ref.Name, a.Name))
				}
			}
			for _, a := range st.Spec.Verification.Args {
				if !declared[a.Name] {
					errs = append(errs, fmt.Errorf("%s: %w: arg %q is not declared by AnalysisTemplate %s", d, engines.ErrInvalid, a.Name, ref.Name))
				}
			}
		}
	}
	return errs
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// DecodeAccess strictly decodes the access documents tollgate ships with its
// examples (ServiceAccount, Role, RoleBinding) and checks what the API
// server would reject: names, rules with verbs, and a RoleBinding's
// reference and subjects.
func DecodeAccess(d engines.Doc) error {
	switch {
	case d.APIVersion == "v1" && d.Kind == "ServiceAccount":
		var sa corev1.ServiceAccount
		if err := d.Decode(&sa); err != nil {
			return err
		}
		if sa.Name == "" {
			return fmt.Errorf("%s: %w: metadata.name is required", d, engines.ErrInvalid)
		}
	case d.APIVersion == "rbac.authorization.k8s.io/v1" && d.Kind == "Role":
		var r rbacv1.Role
		if err := d.Decode(&r); err != nil {
			return err
		}
		for i, rule := range r.Rules {
			if len(rule.Verbs) == 0 || len(rule.Resources) == 0 {
				return fmt.Errorf("%s: %w: rules[%d] needs verbs and resources", d, engines.ErrInvalid, i)
			}
		}
	case d.APIVersion == "rbac.authorization.k8s.io/v1" && d.Kind == "RoleBinding":
		var b rbacv1.RoleBinding
		if err := d.Decode(&b); err != nil {
			return err
		}
		if b.RoleRef.Name == "" || (b.RoleRef.Kind != "Role" && b.RoleRef.Kind != "ClusterRole") || b.RoleRef.APIGroup != rbacv1.GroupName || len(b.Subjects) == 0 {
			return fmt.Errorf("%s: %w: roleRef must name a Role or ClusterRole of %s, with at least one subject", d, engines.ErrInvalid, rbacv1.GroupName)
		}
	default:
		return fmt.Errorf("%s: %w: no validator for %s %s", d, engines.ErrInvalid, d.APIVersion, d.Kind)
	}
	return nil
}
