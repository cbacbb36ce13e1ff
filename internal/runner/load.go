package runner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	v1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"

	"github.com/tollgate-dev/tollgate/internal/engines"
)

// ErrUnsupported is wrapped by every error about a Tekton feature the
// runner does not implement.
var ErrUnsupported = errors.New("unsupported Tekton feature")

// maxCatalogFiles bounds how many YAML files a catalog walk reads.
const maxCatalogFiles = 1000

// catalog holds the Tasks and Pipelines found in the search paths, by name.
type catalog struct {
	tasks     map[string]*v1.Task
	pipelines map[string]*v1.Pipeline
	origin    map[string]string // kind/name -> file
}

// loadCatalog reads every .yaml/.yml file under dirs (recursively) and keeps
// the Tasks and Pipelines; other kinds are ignored. Each is decoded strictly
// and validated with Tekton's own code. A name defined twice is an error.
func loadCatalog(ctx context.Context, dirs []string) (*catalog, error) {
	c := &catalog{tasks: map[string]*v1.Task{}, pipelines: map[string]*v1.Pipeline{}, origin: map[string]string{}}
	var files []string
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !(strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
				return nil
			}
			if len(files) >= maxCatalogFiles {
				return fmt.Errorf("more than %d YAML files; point --tasks at the task directories only", maxCatalogFiles)
			}
			files = append(files, path)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read tasks from %s: %w", dir, err)
		}
	}
	sort.Strings(files)
	for _, f := range files {
		if err := c.addFile(ctx, f); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *catalog) addFile(ctx context.Context, path string) error {
	docs, err := engines.ReadFile(path)
	if err != nil {
		return err
	}
	for _, d := range docs {
		if d.APIVersion != engines.TektonAPIVersion || (d.Kind != "Task" && d.Kind != "Pipeline") {
			continue
		}
		obj, err := engines.DecodeTekton(ctx, d)
		if err != nil {
			return err
		}
		key := d.Kind + "/" + d.Name
		if prev, dup := c.origin[key]; dup && prev != path {
			return fmt.Errorf("%s %q is defined in both %s and %s; keep one", d.Kind, d.Name, prev, path)
		}
		c.origin[key] = path
		switch o := obj.(type) {
		case *v1.Task:
			c.tasks[d.Name] = o
		case *v1.Pipeline:
			c.pipelines[d.Name] = o
		}
	}
	return nil
}

// loadRun reads the PipelineRun (or Pipeline) in path. A Pipeline is run
// as if by a PipelineRun named <pipeline>-run that binds nothing.
func loadRun(ctx context.Context, path string) (*v1.PipelineRun, *v1.Pipeline, error) {
	docs, err := engines.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var runs []engines.Doc
	for _, d := range docs {
		if d.APIVersion == engines.TektonAPIVersion && (d.Kind == "PipelineRun" || d.Kind == "Pipeline") {
			runs = append(runs, d)
		}
	}
	if len(runs) != 1 {
		return nil, nil, fmt.Errorf("%s: want exactly one tekton.dev/v1 PipelineRun or Pipeline, found %d", path, len(runs))
	}
	obj, err := engines.DecodeTekton(ctx, runs[0])
	if err != nil {
		return nil, nil, err
	}
	switch o := obj.(type) {
	case *v1.PipelineRun:
		return o, nil, nil
	case *v1.Pipeline:
		pr := &v1.PipelineRun{}
		pr.Name = o.Name + "-run"
		pr.Spec.PipelineRef = &v1.PipelineRef{Name: o.Name}
		return pr, o, nil
	}
	return nil, nil, fmt.Errorf("%s: unexpected %T", path, obj)
}

// resolvePipeline returns the spec the run executes.
func (c *catalog) resolvePipeline(pr *v1.PipelineRun, inline *v1.Pipeline) (string, *v1.PipelineSpec, error) {
	if inline != nil {
		return inline.Name, &inline.Spec, nil
	}
	if pr.Spec.PipelineSpec != nil {
		return pr.Name, pr.Spec.PipelineSpec, nil
	}
	ref := pr.Spec.PipelineRef
	if ref == nil || ref.Name == "" {
		return "", nil, fmt.Errorf("PipelineRun %s: %w: pipelineRef without a name (remote resolvers are not supported)", pr.Name, ErrUnsupported)
	}
	if ref.Resolver != "" || len(ref.Params) > 0 {
		return "", nil, fmt.Errorf("PipelineRun %s: %w: pipelineRef resolver %q", pr.Name, ErrUnsupported, ref.Resolver)
	}
	p, ok := c.pipelines[ref.Name]
	if !ok {
		return "", nil, fmt.Errorf("PipelineRun %s: pipeline %q not found in the task directories %s", pr.Name, ref.Name, c.names("Pipeline/"))
	}
	return p.Name, &p.Spec, nil
}

// resolveTask returns the TaskSpec a pipeline task runs.
func (c *catalog) resolveTask(pt v1.PipelineTask) (string, *v1.TaskSpec, error) {
	if pt.TaskSpec != nil {
		if pt.TaskSpec.IsCustomTask() {
			return "", nil, fmt.Errorf("pipeline task %s: %w: custom task %s/%s", pt.Name, ErrUnsupported, pt.TaskSpec.APIVersion, pt.TaskSpec.Kind)
		}
		return pt.Name, &pt.TaskSpec.TaskSpec, nil
	}
	ref := pt.TaskRef
	if ref == nil || ref.Name == "" {
		return "", nil, fmt.Errorf("pipeline task %s: %w: taskRef without a name (remote resolvers are not supported)", pt.Name, ErrUnsupported)
	}
	if ref.Resolver != "" || len(ref.Params) > 0 {
		return "", nil, fmt.Errorf("pipeline task %s: %w: taskRef resolver %q", pt.Name, ErrUnsupported, ref.Resolver)
	}
	if (ref.Kind != "" && ref.Kind != v1.NamespacedTaskKind) || (ref.APIVersion != "" && ref.APIVersion != engines.TektonAPIVersion) {
		return "", nil, fmt.Errorf("pipeline task %s: %w: taskRef to %s %s (custom tasks and ClusterTasks)", pt.Name, ErrUnsupported, ref.APIVersion, ref.Kind)
	}
	t, ok := c.tasks[ref.Name]
	if !ok {
		return "", nil, fmt.Errorf("pipeline task %s: task %q not found in the task directories %s", pt.Name, ref.Name, c.names("Task/"))
	}
	return t.Name, &t.Spec, nil
}

func (c *catalog) names(prefix string) string {
	var out []string
	for k := range c.origin {
		if strings.HasPrefix(k, prefix) {
			out = append(out, strings.TrimPrefix(k, prefix))
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return "(none found)"
	}
	return "(found: " + strings.Join(out, ", ") + ")"
}

// existsDir reports whether path is a directory.
func existsDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
