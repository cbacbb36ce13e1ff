package engines

import (
	"context"
	"fmt"

	"github.com/tektoncd/pipeline/pkg/apis/config"
	v1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"knative.dev/pkg/apis"
)

// TektonAPIVersion is the only Tekton API version tollgate ships.
const TektonAPIVersion = "tekton.dev/v1"

// TektonContext returns ctx with Tekton's default configuration, inside a
// create: the validation a cluster with Tekton's default feature flags runs
// when the document is applied. API fields are Tekton's default, beta (the
// example Pipeline's optional fan-out uses matrix, a beta field); alpha
// fields are refused.
func TektonContext(ctx context.Context) context.Context {
	cfg := *config.FromContextOrDefaults(context.Background())
	cfg.FeatureFlags = cfg.FeatureFlags.DeepCopy()
	cfg.FeatureFlags.EnableAPIFields = config.BetaAPIFields
	return apis.WithinCreate(config.ToContext(ctx, &cfg))
}

// tektonObject is what every Tekton v1 kind implements.
type tektonObject interface {
	apis.Defaultable
	apis.Validatable
}

// DecodeTekton strictly decodes a tekton.dev/v1 Task, Pipeline, TaskRun or
// PipelineRun document, sets Tekton's defaults and validates it. It returns
// *v1.Task, *v1.Pipeline, *v1.TaskRun or *v1.PipelineRun.
func DecodeTekton(ctx context.Context, d Doc) (any, error) {
	if d.APIVersion != TektonAPIVersion {
		return nil, fmt.Errorf("%s: %w: apiVersion %s is not supported; use %s", d, ErrInvalid, d.APIVersion, TektonAPIVersion)
	}
	var obj tektonObject
	switch d.Kind {
	case "Task":
		obj = &v1.Task{}
	case "Pipeline":
		obj = &v1.Pipeline{}
	case "TaskRun":
		obj = &v1.TaskRun{}
	case "PipelineRun":
		obj = &v1.PipelineRun{}
	default:
		return nil, fmt.Errorf("%s: %w: kind %s is not a Tekton Task, Pipeline, TaskRun or PipelineRun", d, ErrInvalid, d.Kind)
	}
	if err := d.Decode(obj); err != nil {
		return nil, err
	}
	// The API server names a generateName object before validating it.
	if m, ok := obj.(interface{ GetObjectMeta() metav1.Object }); ok {
		if om := m.GetObjectMeta(); om.GetName() == "" && om.GetGenerateName() != "" {
			om.SetName(om.GetGenerateName() + "x7k2q")
		}
	}
	ctx = TektonContext(ctx)
	obj.SetDefaults(ctx)
	if fe := obj.Validate(ctx); fe != nil {
		return nil, fmt.Errorf("%s: %w: tekton validation: %v", d, ErrInvalid, fe)
	}
	return obj, nil
}
