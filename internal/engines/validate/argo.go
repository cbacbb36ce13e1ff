package validate

import (
	"fmt"
	"github.com/tollgate-dev/tollgate/internal/engines"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v3/workflow/validate"
)

// ArgoAPIVersion is the API version of Argo Workflows documents.
const ArgoAPIVersion = "argoproj.io/v1alpha1"

// ArgoSet holds Argo Workflows documents that reference each other: the
// WorkflowTemplates and ClusterWorkflowTemplates a Workflow's templateRefs
// resolve to.
type ArgoSet struct {
	templates map[string]*wfv1.WorkflowTemplate
	cluster   map[string]*wfv1.ClusterWorkflowTemplate
	workflows []*wfv1.Workflow
	docs      map[any]engines.Doc
}

// NewArgoSet returns an empty set.
func NewArgoSet() *ArgoSet {
	return &ArgoSet{templates: map[string]*wfv1.WorkflowTemplate{}, cluster: map[string]*wfv1.ClusterWorkflowTemplate{}, docs: map[any]engines.Doc{}}
}

// Add strictly decodes an argoproj.io Workflow, WorkflowTemplate or
// ClusterWorkflowTemplate into the set.
func (s *ArgoSet) Add(d engines.Doc) error {
	if d.APIVersion != ArgoAPIVersion {
		return fmt.Errorf("%s: %w: apiVersion %s is not %s", d, engines.ErrInvalid, d.APIVersion, ArgoAPIVersion)
	}
	switch d.Kind {
	case "WorkflowTemplate":
		var t wfv1.WorkflowTemplate
		if err := d.Decode(&t); err != nil {
			return err
		}
		if _, dup := s.templates[t.Name]; dup {
			return fmt.Errorf("%s: %w: WorkflowTemplate %s defined twice", d, engines.ErrInvalid, t.Name)
		}
		s.templates[t.Name], s.docs[&t] = &t, d
	case "ClusterWorkflowTemplate":
		var t wfv1.ClusterWorkflowTemplate
		if err := d.Decode(&t); err != nil {
			return err
		}
		if _, dup := s.cluster[t.Name]; dup {
			return fmt.Errorf("%s: %w: ClusterWorkflowTemplate %s defined twice", d, engines.ErrInvalid, t.Name)
		}
		s.cluster[t.Name], s.docs[&t] = &t, d
	case "Workflow":
		var w wfv1.Workflow
		if err := d.Decode(&w); err != nil {
			return err
		}
		s.workflows, s.docs[&w] = append(s.workflows, &w), d
	default:
		return fmt.Errorf("%s: %w: kind %s is not an Argo Workflow, WorkflowTemplate or ClusterWorkflowTemplate", d, engines.ErrInvalid, d.Kind)
	}
	return nil
}

// Validate runs Argo's own validation on every document of the set:
// ValidateWorkflowTemplate, ValidateClusterWorkflowTemplate and
// ValidateWorkflow, with templateRefs resolved within the set. It returns
// one error per invalid document.
func (s *ArgoSet) Validate() []error {
	var errs []error
	wt, ct := templateGetter(s.templates), clusterGetter(s.cluster)
	for _, t := range sortedKeys(s.templates) {
		if err := validate.ValidateWorkflowTemplate(wt, ct, s.templates[t], validate.ValidateOpts{}); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w: argo validation: %v", s.docs[s.templates[t]], engines.ErrInvalid, err))
		}
	}
	for _, t := range sortedKeys(s.cluster) {
		if err := validate.ValidateClusterWorkflowTemplate(wt, ct, s.cluster[t], validate.ValidateOpts{}); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w: argo validation: %v", s.docs[s.cluster[t]], engines.ErrInvalid, err))
		}
	}
	for _, w := range s.workflows {
		if err := validate.ValidateWorkflow(wt, ct, w, validate.ValidateOpts{Submit: true}); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w: argo validation: %v", s.docs[w], engines.ErrInvalid, err))
		}
	}
	return errs
}

type templateGetter map[string]*wfv1.WorkflowTemplate

func (g templateGetter) Get(name string) (*wfv1.WorkflowTemplate, error) {
	if t, ok := g[name]; ok {
		return t.DeepCopy(), nil
	}
	return nil, fmt.Errorf("WorkflowTemplate %q not found", name)
}

type clusterGetter map[string]*wfv1.ClusterWorkflowTemplate

func (g clusterGetter) Get(name string) (*wfv1.ClusterWorkflowTemplate, error) {
	if t, ok := g[name]; ok {
		return t.DeepCopy(), nil
	}
	return nil, fmt.Errorf("ClusterWorkflowTemplate %q not found", name)
}
