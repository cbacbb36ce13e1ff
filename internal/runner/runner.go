package runner

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	v1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"github.com/tektoncd/pipeline/pkg/reconciler/pipeline/dag"
	"github.com/tektoncd/pipeline/pkg/workspace"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
)

// Options configure a run.
type Options struct {
	// File is the PipelineRun (or Pipeline) to run.
	File string
	// TaskDirs are searched recursively for the Tasks and the Pipeline.
	TaskDirs []string
	// Params override PipelineRun params (name -> value).
	Params map[string]string
	// Workspaces bind pipeline workspaces to local directories (name -> dir).
	Workspaces map[string]string
	// Source, when set, is the release directory: it is pushed to an
	// in-process registry on loopback and the pipeline's candidate param
	// names it by digest, so the fetch task pulls it as in a cluster.
	Source string
	// BinDirs are searched in order for the step binaries, named after the
	// images' last path element.
	BinDirs []string
	// OutDir receives workspaces that are not bound, results and logs;
	// empty means demo-out/run-<PipelineRun name>.
	OutDir string
	// Stdout receives progress lines; step output goes to log files.
	Stdout io.Writer
}

// TaskResult is the outcome of one pipeline task.
type TaskResult struct {
	Name     string            `json:"name"`
	Task     string            `json:"task"`
	Status   string            `json:"status"` // Succeeded, Failed, Skipped
	ExitCode int               `json:"exitCode"`
	Step     string            `json:"step,omitempty"` // the step that failed
	Results  map[string]string `json:"results"`
	Log      string            `json:"log,omitempty"` // log file of the failed step
	// Continued lists steps that failed with onError: continue, as
	// "step (exit code N)"; the task still succeeded, as in Tekton.
	Continued []string `json:"continued,omitempty"`
	// Skipped says why a task did not run: a when expression was false,
	// or it consumes a result of a skipped task.
	Skipped string `json:"skipped,omitempty"`
	// TaskRuns is the number of TaskRuns a matrixed task fanned out to.
	// Their results are not collected (a matrixed task's results are
	// arrays in Tekton; no pipeline here consumes them).
	TaskRuns int `json:"taskRuns,omitempty"`
}

// Result is the outcome of a pipeline run, written to OutDir/run.json.
type Result struct {
	PipelineRun string            `json:"pipelineRun"`
	OutDir      string            `json:"outDir"`
	Pipeline    string            `json:"pipeline"`
	Succeeded   bool              `json:"succeeded"`
	Reason      string            `json:"reason,omitempty"`
	Tasks       []TaskResult      `json:"tasks"`
	Results     map[string]string `json:"results"`
	Workspaces  map[string]string `json:"workspaces"`
}

// Task returns the result of the pipeline task name, or nil.
func (r *Result) Task(name string) *TaskResult {
	for i := range r.Tasks {
		if r.Tasks[i].Name == name {
			return &r.Tasks[i]
		}
	}
	return nil
}

// maxResults is Tekton's termination-message budget for one task's results.
const maxResults = 4096

// marker names the file that marks OutDir as the runner's, so that a rerun
// may clear it.
const marker = ".tollgate-run"

// Run executes the pipeline. It returns an error when the run cannot start
// (invalid or unsupported documents, missing binaries, bad bindings); a
// pipeline whose tasks fail returns a Result with Succeeded false.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	pr, inline, err := loadRun(ctx, o.File)
	if err != nil {
		return nil, err
	}
	if err := checkRun(pr); err != nil {
		return nil, err
	}
	if o.OutDir == "" {
		o.OutDir = filepath.Join("demo-out", "run-"+pr.Name)
	}
	cat, err := loadCatalog(ctx, o.TaskDirs)
	if err != nil {
		return nil, err
	}
	pname, pspec, err := cat.resolvePipeline(pr, inline)
	if err != nil {
		return nil, err
	}
	if err := checkPipeline(pname, pspec); err != nil {
		return nil, err
	}
	if o.Source != "" {
		if !declaresParam(pspec, CandidateParam) {
			return nil, fmt.Errorf("--source: Pipeline %s declares no %s param to fetch it with", pname, CandidateParam)
		}
		if _, set := o.Params[CandidateParam]; set {
			return nil, fmt.Errorf("--source and --param %s both name the candidate; give one", CandidateParam)
		}
		reg, err := pushSource(ctx, o.Source)
		if err != nil {
			return nil, err
		}
		defer reg.close()
		params := map[string]string{CandidateParam: reg.ref}
		if declaresParam(pspec, InsecureParam) {
			params[InsecureParam] = "true"
		}
		for k, v := range o.Params {
			params[k] = v
		}
		o.Params = params
		fmt.Fprintf(o.Stdout, "candidate %s (pushed %s to a registry on loopback)\n", reg.ref, o.Source)
	}
	r := &run{opts: o, pr: pr, cat: cat, pname: pname}
	if err := r.prepare(pspec); err != nil {
		return nil, err
	}
	if t := pr.Spec.Timeouts; t != nil {
		for _, d := range []*metav1.Duration{t.Pipeline, t.Tasks} {
			if d != nil && d.Duration > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, d.Duration)
				defer cancel()
			}
		}
	}
	res := r.execute(ctx)
	out, err := evidence.Canonical(res)
	if err != nil {
		return nil, fmt.Errorf("encode run summary: %w", err)
	}
	if err := safefile.WriteAtomic(filepath.Join(o.OutDir, "run.json"), out); err != nil {
		return nil, fmt.Errorf("write run summary: %w", err)
	}
	return res, ctx.Err()
}

type run struct {
	opts    Options
	pr      *v1.PipelineRun
	cat     *catalog
	pname   string
	spec    *v1.PipelineSpec
	tasks   map[string]*v1.TaskSpec // pipeline task name -> task spec
	taskNm  map[string]string       // pipeline task name -> task name
	ws      map[string]string       // pipeline workspace -> local dir
	uid     string
	graph   *dag.Graph
	mu      sync.Mutex
	results map[string]map[string]string
	skipped map[string]bool
}

// prepare validates everything that can be validated before a step runs:
// params, workspaces, task references, supported features, binaries.
func (r *run) prepare(pspec *v1.PipelineSpec) error {
	params, err := r.params(pspec)
	if err != nil {
		return err
	}
	if err := r.prepareOut(); err != nil {
		return err
	}
	if err := r.bindWorkspaces(pspec); err != nil {
		return err
	}
	// A generated signing key is what the gate must trust.
	if _, ok := r.opts.Workspaces["signing"]; !ok && declaresParam(pspec, "attestor-public-key") && !hasParam(params, "attestor-public-key") && r.ws["signing"] != "" {
		params = append(params, v1.Param{Name: "attestor-public-key", Value: *v1.NewStructuredValues(filepath.Join(r.ws["signing"], "cosign.pub"))})
	}
	r.uid = r.runUID()
	r.spec = applyPipelineParams(pspec, params, r.pipelineContext())
	r.tasks = map[string]*v1.TaskSpec{}
	r.taskNm = map[string]string{}
	for _, pt := range r.spec.Tasks {
		name, ts, err := r.cat.resolveTask(pt)
		if err != nil {
			return err
		}
		if err := checkTask(name, ts); err != nil {
			return err
		}
		if err := r.checkBinaries(name, ts); err != nil {
			return err
		}
		if err := checkWorkspaces(pt, ts, r.spec.Workspaces); err != nil {
			return err
		}
		if err := r.checkAffinity(pt); err != nil {
			return err
		}
		r.tasks[pt.Name], r.taskNm[pt.Name] = ts, name
		// Every param and variable must have a value before anything runs;
		// a matrix param has one per TaskRun.
		where := "pipeline task " + pt.Name
		params := append(v1.Params{}, pt.Params...)
		for _, mp := range pt.Matrix.GetAllParams() {
			params = append(params, v1.Param{Name: mp.Name, Value: *v1.NewStructuredValues("matrix")})
		}
		if err := checkParams(where, ts.Params, params); err != nil {
			return err
		}
		dummy := map[string]string{}
		for _, res := range ts.Results {
			dummy[res.Name] = res.Name
		}
		if _, err := applyTask(where, ts, params, r.taskContext(pt.Name, ""), r.taskWorkspaces(pt, ts), dummy); err != nil {
			return err
		}
	}
	r.graph, err = dag.Build(v1.PipelineTaskList(r.spec.Tasks), v1.PipelineTaskList(r.spec.Tasks).Deps())
	if err != nil {
		return fmt.Errorf("Pipeline %s: %w", r.pname, err)
	}
	r.results = map[string]map[string]string{}
	r.skipped = map[string]bool{}
	return nil
}

// params merges PipelineRun params with --param values and checks them
// against the Pipeline's declarations.
func (r *run) params(pspec *v1.PipelineSpec) (v1.Params, error) {
	byName := map[string]string{}
	for _, p := range r.pr.Spec.Params {
		byName[p.Name] = p.Value.StringVal
	}
	for k, v := range r.opts.Params {
		byName[k] = v
	}
	if declaresParam(pspec, "run-engine") {
		if _, set := r.opts.Params["run-engine"]; !set {
			byName["run-engine"] = "local"
		}
	}
	names := make([]string, 0, len(byName))
	for k := range byName {
		names = append(names, k)
	}
	sort.Strings(names)
	var out v1.Params
	for _, k := range names {
		out = append(out, v1.Param{Name: k, Value: *v1.NewStructuredValues(byName[k])})
	}
	if err := checkParams("Pipeline "+r.pname, pspec.Params, out); err != nil {
		return nil, err
	}
	return out, nil
}

func declaresParam(p *v1.PipelineSpec, name string) bool {
	for _, s := range p.Params {
		if s.Name == name {
			return true
		}
	}
	return false
}

func hasParam(ps v1.Params, name string) bool {
	for _, p := range ps {
		if p.Name == name {
			return true
		}
	}
	return false
}

// prepareOut creates OutDir, clearing it only when an earlier run made it.
func (r *run) prepareOut() error {
	dir := r.opts.OutDir
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("output directory %s: %w", dir, err)
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(dir, marker)); err != nil {
			return fmt.Errorf("output directory %s is not empty and was not made by tollgate run; choose another --out", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("clear output directory %s: %w", dir, err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create output directory: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, marker), nil, 0o644)
}

// bindWorkspaces maps every pipeline workspace to a local directory: the
// --workspace value, a fresh directory for emptyDir and volumeClaimTemplate
// bindings, and an ephemeral signing key for an unbound Secret workspace
// named signing. Anything else must be given with --workspace.
func (r *run) bindWorkspaces(pspec *v1.PipelineSpec) error {
	bindings := map[string]v1.WorkspaceBinding{}
	for _, b := range r.pr.Spec.Workspaces {
		bindings[b.Name] = b
	}
	declared := map[string]bool{}
	r.ws = map[string]string{}
	for _, d := range pspec.Workspaces {
		declared[d.Name] = true
		if dir, ok := r.opts.Workspaces[d.Name]; ok {
			abs, err := filepath.Abs(dir)
			if err != nil || !existsDir(abs) {
				return fmt.Errorf("--workspace %s=%s: not a directory", d.Name, dir)
			}
			r.ws[d.Name] = abs
			continue
		}
		b, bound := bindings[d.Name]
		abs, err := filepath.Abs(filepath.Join(r.opts.OutDir, "workspaces", d.Name))
		if err != nil {
			return err
		}
		switch {
		case d.Name == "signing" && (!bound || b.Secret != nil):
			if err := writeEphemeralKey(abs); err != nil {
				return err
			}
		case !bound && d.Optional:
			continue
		case !bound || b.EmptyDir != nil || b.VolumeClaimTemplate != nil:
			if err := os.MkdirAll(abs, 0o755); err != nil {
				return fmt.Errorf("workspace %s: %w", d.Name, err)
			}
		default:
			return fmt.Errorf("workspace %q is bound to a %s in %s; bind it to a local directory with --workspace %s=DIR", d.Name, bindingKind(b), r.opts.File, d.Name)
		}
		r.ws[d.Name] = abs
	}
	for name := range r.opts.Workspaces {
		if !declared[name] {
			return fmt.Errorf("--workspace %s: Pipeline %s declares no such workspace", name, r.pname)
		}
	}
	return nil
}

func bindingKind(b v1.WorkspaceBinding) string {
	switch {
	case b.PersistentVolumeClaim != nil:
		return "persistentVolumeClaim " + b.PersistentVolumeClaim.ClaimName
	case b.Secret != nil:
		return "secret " + b.Secret.SecretName
	case b.ConfigMap != nil:
		return "configMap " + b.ConfigMap.Name
	case b.Projected != nil:
		return "projected volume"
	case b.CSI != nil:
		return "CSI volume"
	}
	return "volume"
}

// checkWorkspaces checks that every required task workspace is bound to a
// declared pipeline workspace.
func checkWorkspaces(pt v1.PipelineTask, ts *v1.TaskSpec, declared []v1.PipelineWorkspaceDeclaration) error {
	pipelineWS := map[string]bool{}
	for _, d := range declared {
		pipelineWS[d.Name] = true
	}
	bound := map[string]bool{}
	for _, b := range pt.Workspaces {
		target := b.Workspace
		if target == "" {
			target = b.Name
		}
		if !pipelineWS[target] {
			return fmt.Errorf("pipeline task %s: workspace %q binds undeclared pipeline workspace %q", pt.Name, b.Name, target)
		}
		bound[b.Name] = true
	}
	for _, d := range ts.Workspaces {
		if !d.Optional && !bound[d.Name] {
			return fmt.Errorf("pipeline task %s: required workspace %q is not bound", pt.Name, d.Name)
		}
	}
	return nil
}

// binaryName is the step binary for an image reference: its last path
// element without tag or digest.
func binaryName(image string) string {
	if i := strings.Index(image, "@"); i >= 0 {
		image = image[:i]
	}
	base := path.Base(image)
	if i := strings.Index(base, ":"); i >= 0 {
		base = base[:i]
	}
	return base
}

// checkBinaries checks that every step's command names its image's binary
// and that the binary is in BinDir.
func (r *run) checkBinaries(task string, ts *v1.TaskSpec) error {
	for _, s := range ts.Steps {
		bin := binaryName(s.Image)
		if path.Base(s.Command[0]) != bin {
			return fmt.Errorf("Task %s step %s: %w: command %q is not the image's binary %q", task, s.Name, ErrUnsupported, s.Command[0], bin)
		}
		if r.binary(bin) == nil {
			return fmt.Errorf("Task %s step %s: neither %s nor tollgate found in %s; build them with `make build` or pass --bin-dir", task, s.Name, bin, strings.Join(r.opts.BinDirs, ", "))
		}
	}
	return nil
}

// binary returns how to run the step binary name, from the first bin
// directory that has either it or tollgate (whose subcommand of the same
// name every step binary is): the directory of the running tollgate comes
// before ./bin, so a stale ./bin from an older build never runs in place of
// the tollgate that was asked. It returns nil when no directory has either.
func (r *run) binary(name string) []string {
	for _, dir := range r.opts.BinDirs {
		if p := findIn(dir, name); p != "" {
			return []string{p}
		}
		if name != "tollgate" {
			if p := findIn(dir, "tollgate"); p != "" {
				return []string{p, name}
			}
		}
	}
	return nil
}

// findIn returns the absolute path of the executable regular file name in
// dir, or "".
func findIn(dir, name string) string {
	p, err := filepath.Abs(filepath.Join(dir, name))
	if err != nil {
		return ""
	}
	if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
		return p
	}
	return ""
}

// runUID is random, except under SOURCE_DATE_EPOCH where reproducible
// output wants it derived from the run name.
func (r *run) runUID() string {
	var b [16]byte
	if os.Getenv("SOURCE_DATE_EPOCH") != "" {
		sum := sha256.Sum256([]byte(r.pr.Name))
		copy(b[:], sum[:])
	} else if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

const namespace = "local"

func (r *run) pipelineContext() map[string]string {
	return map[string]string{
		"context.pipelineRun.name":      r.pr.Name,
		"context.pipeline.name":         r.pname,
		"context.pipelineRun.namespace": namespace,
		"context.pipelineRun.uid":       r.uid,
	}
}

// execute runs the tasks in DAG order, independent tasks in parallel. After
// a task fails no new task starts; running ones finish, as in Tekton.
func (r *run) execute(ctx context.Context) *Result {
	res := &Result{PipelineRun: r.pr.Name, OutDir: r.opts.OutDir, Pipeline: r.pname, Workspaces: r.ws, Results: map[string]string{}}
	done := map[string]bool{}
	started := map[string]bool{}
	finished := make(chan TaskResult)
	running := 0
	failed := false
	for {
		if !failed && ctx.Err() == nil {
			cands, err := dag.GetCandidateTasks(r.graph, keys(done)...)
			if err != nil {
				res.Reason = err.Error()
				failed = true
			}
			for _, name := range cands.List() {
				if started[name] {
					continue
				}
				started[name] = true
				running++
				go func(pt v1.PipelineTask) { finished <- r.runTask(ctx, pt) }(r.pipelineTask(name))
			}
		}
		if running == 0 {
			break
		}
		tr := <-finished
		running--
		res.Tasks = append(res.Tasks, tr)
		r.mu.Lock()
		if tr.Status == "Skipped" {
			r.skipped[tr.Name] = true
		} else {
			r.results[tr.Name] = tr.Results
		}
		r.mu.Unlock()
		line := fmt.Sprintf("%-18s %s", tr.Name, tr.Status)
		if tr.Skipped != "" {
			line += " (" + tr.Skipped + ")"
		}
		if tr.TaskRuns > 0 {
			line += fmt.Sprintf(" (matrix: %d TaskRuns)", tr.TaskRuns)
		}
		if len(tr.Continued) > 0 {
			line += " (continued after " + strings.Join(tr.Continued, ", ") + ")"
		}
		if v, ok := tr.Results["verdict"]; ok {
			line += "  verdict=" + v
		}
		if s, ok := tr.Results["summary"]; ok {
			line += "  " + s
		}
		fmt.Fprintln(r.opts.Stdout, line)
		if tr.Status != "Succeeded" && tr.Status != "Skipped" {
			if !failed {
				res.Reason = fmt.Sprintf("task %s failed: %s", tr.Name, tr.Log)
				if tr.Step != "" {
					res.Reason = fmt.Sprintf("task %s step %s failed (exit code %d); log: %s", tr.Name, tr.Step, tr.ExitCode, tr.Log)
				}
			}
			failed = true
			continue
		}
		done[tr.Name] = true
	}
	if ctx.Err() != nil && !failed {
		failed, res.Reason = true, ctx.Err().Error()
	}
	sort.Slice(res.Tasks, func(i, j int) bool { return res.Tasks[i].Name < res.Tasks[j].Name })
	res.Succeeded = !failed && len(done) == len(r.spec.Tasks)
	if res.Succeeded {
		r.pipelineResults(res)
	}
	return res
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (r *run) pipelineTask(name string) v1.PipelineTask {
	for _, pt := range r.spec.Tasks {
		if pt.Name == name {
			return pt
		}
	}
	panic("runner: unknown pipeline task " + name)
}

// pipelineResults resolves the Pipeline's results from the task results.
func (r *run) pipelineResults(res *Result) {
	for _, pr := range r.spec.Results {
		exprs, _ := pr.GetVarSubstitutionExpressions()
		if skippedRef(exprs, r.skipped) {
			continue // Tekton omits a result that names a skipped task
		}
		repl, err := resultReplacements("Pipeline result "+pr.Name, exprs, r.results)
		if err != nil {
			res.Succeeded, res.Reason = false, err.Error()
			return
		}
		res.Results[pr.Name] = substituteString(pr.Value.StringVal, repl)
	}
}

// runTask decides whether a pipeline task runs (when expressions, results
// of skipped tasks), then runs it: one TaskRun, or one per matrix
// combination, in parallel, as Tekton does.
func (r *run) runTask(ctx context.Context, pt v1.PipelineTask) TaskResult {
	tr := TaskResult{Name: pt.Name, Task: r.taskNm[pt.Name], Status: "Failed", Results: map[string]string{}}
	fail := func(err error) TaskResult {
		tr.Log = err.Error()
		return tr
	}
	where := "pipeline task " + pt.Name
	r.mu.Lock()
	by := skippedBy(pt, r.skipped)
	var (
		repl    map[string]string
		combos  []v1.Params
		err     error
		allowed bool
	)
	if by == "" {
		repl, err = resultReplacements(where, append(paramExpressions(pt.Params), whenExpressions(pt.When)...), r.results)
		allowed = err == nil && pt.When.DeepCopy().ReplaceVariables(repl, nil).AllowsExecution(nil)
		if allowed && pt.IsMatrixed() {
			combos, err = fanOut(where, pt.Matrix, r.results)
		}
	}
	r.mu.Unlock()
	switch {
	case by != "":
		tr.Status, tr.Skipped = "Skipped", "consumes a result of skipped task "+by
		return tr
	case err != nil:
		return fail(err)
	case !allowed:
		tr.Status, tr.Skipped = "Skipped", "when expressions are false"
		return tr
	case pt.IsMatrixed() && len(combos) == 0:
		tr.Status, tr.Skipped = "Skipped", "a matrix param is an empty array"
		return tr
	}
	params := pt.Params.ReplaceVariables(repl, nil, nil)
	if pt.Timeout != nil && pt.Timeout.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, pt.Timeout.Duration)
		defer cancel()
	}
	for _, dir := range r.taskDirs(pt) {
		// The kubelet creates a missing subPath directory; so do we.
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fail(err)
		}
	}
	if !pt.IsMatrixed() {
		return r.runTaskRun(ctx, pt, params, pt.Name, tr)
	}
	// One TaskRun per combination, named as Tekton names them.
	runs := make([]TaskResult, len(combos))
	var wg sync.WaitGroup
	for i, combo := range combos {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[i] = r.runTaskRun(ctx, pt, append(append(v1.Params{}, params...), combo...), fmt.Sprintf("%s-%d", pt.Name, i), tr)
		}()
	}
	wg.Wait()
	tr.TaskRuns, tr.Status = len(runs), "Succeeded"
	for i, run := range runs {
		tr.Continued = append(tr.Continued, run.Continued...)
		if run.Status != "Succeeded" {
			tr.Status, tr.Step, tr.ExitCode = "Failed", run.Step, run.ExitCode
			tr.Log = fmt.Sprintf("TaskRun %s-%d: %s", pt.Name, i, run.Log)
			break
		}
	}
	return tr
}

// skippedRef reports whether exprs reference a result of a skipped task.
func skippedRef(exprs []string, skipped map[string]bool) bool {
	for _, ref := range v1.NewResultRefs(exprs) {
		if skipped[ref.PipelineTask] {
			return true
		}
	}
	return false
}

// runTaskRun renders and runs one TaskRun of pipeline task pt with params;
// name names its results, home and log directories.
func (r *run) runTaskRun(ctx context.Context, pt v1.PipelineTask, params v1.Params, name string, tr TaskResult) TaskResult {
	tr.Results = map[string]string{}
	fail := func(err error) TaskResult {
		tr.Log = err.Error()
		return tr
	}
	ts := r.tasks[pt.Name]
	where := "pipeline task " + pt.Name
	if err := checkParams(where, ts.Params, params); err != nil {
		return fail(err)
	}
	taskRunName := r.pr.Name + "-" + name
	resultsDir, err := filepath.Abs(filepath.Join(r.opts.OutDir, "results", name))
	if err != nil {
		return fail(err)
	}
	home, err := filepath.Abs(filepath.Join(r.opts.OutDir, "home", name))
	if err != nil {
		return fail(err)
	}
	for _, d := range []string{resultsDir, home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fail(err)
		}
	}
	resultPaths := map[string]string{}
	for _, res := range ts.Results {
		resultPaths[res.Name] = filepath.Join(resultsDir, res.Name)
	}
	rendered, err := applyTask(where, ts, params, r.taskContext(pt.Name, taskRunName), r.taskWorkspaces(pt, ts), resultPaths)
	if err != nil {
		return fail(err)
	}
	for i, s := range rendered.Steps {
		logPath := filepath.Join(r.opts.OutDir, "logs", name, fmt.Sprintf("%02d-%s.log", i, s.Name))
		code, err := r.runStep(ctx, s, resultsDir, home, logPath)
		if err == nil && code != 0 && s.OnError == v1.Continue {
			tr.Continued = append(tr.Continued, fmt.Sprintf("%s (exit code %d)", s.Name, code))
			continue
		}
		if err != nil || code != 0 {
			tr.Step, tr.ExitCode, tr.Log = s.Name, code, logPath
			if err != nil {
				tr.Log = err.Error()
			}
			tr.Results, _ = readResults(resultsDir, ts.Results)
			return tr
		}
	}
	results, err := readResults(resultsDir, ts.Results)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", where, err))
	}
	tr.Status, tr.Results = "Succeeded", results
	return tr
}

func (r *run) taskContext(task, taskRun string) map[string]string {
	return map[string]string{
		"context.taskRun.name":      taskRun,
		"context.task.name":         r.taskNm[task],
		"context.taskRun.namespace": namespace,
		"context.taskRun.uid":       r.uid,
		"context.task.retry-count":  "0",
	}
}

// taskWorkspaces returns the workspace replacements for a task: path,
// bound, claim and volume, as Tekton's ApplyWorkspaces computes them.
func (r *run) taskWorkspaces(pt v1.PipelineTask, ts *v1.TaskSpec) map[string]string {
	dirs := r.taskDirs(pt)
	out := map[string]string{}
	for _, d := range ts.Workspaces {
		prefix := "workspaces." + d.Name + "."
		dir, ok := dirs[d.Name]
		if !ok {
			out[prefix+"bound"], out[prefix+"path"] = "false", ""
			continue
		}
		out[prefix+"bound"], out[prefix+"path"] = "true", dir
		out[prefix+"claim"], out[prefix+"volume"] = "", "ws-"+d.Name
	}
	return out
}

// taskDirs maps a pipeline task's workspaces to local directories: the
// pipeline workspace's directory joined with the PipelineRun binding's and
// the pipeline task's subPath, as Tekton combines them.
func (r *run) taskDirs(pt v1.PipelineTask) map[string]string {
	runSub := map[string]string{}
	for _, b := range r.pr.Spec.Workspaces {
		runSub[b.Name] = b.SubPath
	}
	out := map[string]string{}
	for _, b := range pt.Workspaces {
		target := b.Workspace
		if target == "" {
			target = b.Name
		}
		dir, ok := r.ws[target]
		if !ok {
			continue
		}
		out[b.Name] = filepath.Join(dir, filepath.FromSlash(runSub[target]), filepath.FromSlash(b.SubPath))
	}
	return out
}

// checkAffinity applies the TaskRun reconciler's check for Tekton's default
// affinity assistant (coschedule: workspaces): a TaskRun may bind at most one
// PersistentVolumeClaim. The PipelineRun reconciler turns each
// volumeClaimTemplate binding into one claim per pipeline workspace; the
// check itself is Tekton's own (pkg/workspace).
func (r *run) checkAffinity(pt v1.PipelineTask) error {
	bindings := map[string]v1.WorkspaceBinding{}
	for _, b := range r.pr.Spec.Workspaces {
		bindings[b.Name] = b
	}
	var trBindings []v1.WorkspaceBinding
	for _, w := range pt.Workspaces {
		target := w.Workspace
		if target == "" {
			target = w.Name
		}
		b, ok := bindings[target]
		if !ok {
			continue
		}
		tb := *b.DeepCopy()
		tb.Name = w.Name
		if b.VolumeClaimTemplate != nil {
			tb.VolumeClaimTemplate = nil
			tb.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: target + "-" + r.pr.Name}
		}
		trBindings = append(trBindings, tb)
	}
	if err := workspace.ValidateOnlyOnePVCIsUsed(trBindings); err != nil {
		return fmt.Errorf("pipeline task %s: a cluster would fail its TaskRun: %w (Tekton's default affinity assistant, coschedule: workspaces, allows one PersistentVolumeClaim per TaskRun: bind one volume and use subPaths)", pt.Name, err)
	}
	return nil
}

// runStep runs one rendered step as a local process with only the step's
// env (expanded as Kubernetes does), HOME, PATH and SOURCE_DATE_EPOCH.
func (r *run) runStep(ctx context.Context, s v1.Step, resultsDir, home, logPath string) (int, error) {
	if s.Timeout != nil && s.Timeout.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.Timeout.Duration)
		defer cancel()
	}
	vars := map[string]string{}
	argv := r.binary(binaryName(s.Image))
	bin := argv[0]
	env := []string{"HOME=" + home, "PATH=" + filepath.Dir(bin)}
	if v, ok := os.LookupEnv("SOURCE_DATE_EPOCH"); ok {
		env = append(env, "SOURCE_DATE_EPOCH="+v)
	}
	for _, e := range s.Env {
		v := expand(e.Value, vars)
		vars[e.Name] = v
		env = append(env, e.Name+"="+v)
	}
	mapPaths := func(args []string) []string {
		out := make([]string, len(args))
		for i, a := range args {
			out[i] = mapResultsDir(expand(a, vars), resultsDir)
		}
		return out
	}
	command, args := mapPaths(s.Command), mapPaths(s.Args)
	cmd := exec.CommandContext(ctx, bin, append(append(argv[1:], command[1:]...), args...)...)
	cmd.Env = env
	cmd.Dir = home
	if s.WorkingDir != "" {
		cmd.Dir = expand(s.WorkingDir, vars)
	}
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return 0, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return 0, err
	}
	defer logf.Close()
	fmt.Fprintf(logf, "$ %s\n", strings.Join(append([]string{bin}, cmd.Args[1:]...), " "))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	if ctx.Err() != nil {
		// A step, task or pipeline timeout (or an interrupt) stopped it:
		// Tekton fails the step whatever its onError says.
		fmt.Fprintf(logf, "stopped: %v\n", context.Cause(ctx))
		return -1, fmt.Errorf("step %s stopped: %w", s.Name, ctx.Err())
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), nil
	}
	if err != nil {
		return 0, fmt.Errorf("run %s: %w", bin, err)
	}
	return 0, nil
}

// mapResultsDir maps Tekton's results directory, /tekton/results, at the
// start of a value or after "=", to the task's local results directory.
func mapResultsDir(s, local string) string {
	const dir = "/tekton/results"
	for i := 0; ; {
		j := strings.Index(s[i:], dir)
		if j < 0 {
			return s
		}
		j += i
		end := j + len(dir)
		if (j == 0 || s[j-1] == '=') && (end == len(s) || s[end] == '/') {
			s = s[:j] + local + s[end:]
			i = j + len(local)
			continue
		}
		i = end
	}
}

// readResults reads the declared results a task wrote. Together they must
// fit Tekton's termination message; files the task does not declare are
// ignored, as Tekton does.
func readResults(dir string, declared []v1.TaskResult) (map[string]string, error) {
	out := map[string]string{}
	total := 0
	for _, d := range declared {
		b, err := safefile.Read(filepath.Join(dir, d.Name), maxResults)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return out, fmt.Errorf("result %s: %w", d.Name, err)
		}
		total += len(d.Name) + len(b)
		if total > maxResults {
			return out, fmt.Errorf("results exceed Tekton's %d-byte termination message", maxResults)
		}
		if d.Type == v1.ResultsTypeObject {
			if err := checkObjectResult(b, d); err != nil {
				return out, fmt.Errorf("result %s: %w", d.Name, err)
			}
		}
		if d.Type == v1.ResultsTypeArray {
			if _, err := parseArrayResult(b); err != nil {
				return out, fmt.Errorf("result %s: %w", d.Name, err)
			}
		}
		out[d.Name] = string(b)
	}
	return out, nil
}

// checkObjectResult checks an object result as Tekton does: a JSON object
// of string values whose keys are the declared properties.
func checkObjectResult(b []byte, d v1.TaskResult) error {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("not a JSON object of strings: %w", err)
	}
	for k := range m {
		if _, ok := d.Properties[k]; !ok {
			return fmt.Errorf("key %q is not a declared property", k)
		}
	}
	for k := range d.Properties {
		if _, ok := m[k]; !ok {
			return fmt.Errorf("declared property %q is missing", k)
		}
	}
	return nil
}
