// Command mkbundle pushes Tekton Tasks as one Tekton bundle (see
// internal/taskbundle) and, with --pipeline, rewrites a Pipeline's
// taskRefs by name into bundles-resolver references at the pushed digest:
//
//	mkbundle --ref 127.0.0.1:5000/tollgate/tasks:0.1 --pipeline out/published/examples/tekton/pipeline.yaml out/published/tasks/tekton/*/0.1/tollgate-*.yaml
//
// It prints the bundle's digest reference. hack/publish-images.sh runs it
// when BUNDLES=1.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/tollgate-dev/tollgate/internal/taskbundle"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "mkbundle:", err)
		os.Exit(1)
	}
}

func run() error {
	ref := flag.String("ref", "", "bundle reference to push, REPO[:TAG] (required)")
	pipeline := flag.String("pipeline", "", "Pipeline file to rewrite in place to the bundles resolver")
	flag.Parse()
	if *ref == "" || flag.NArg() == 0 {
		return errors.New("usage: mkbundle --ref REPO[:TAG] [--pipeline FILE] TASK_FILE [TASK_FILE]")
	}
	var objs []taskbundle.Object
	for _, f := range flag.Args() {
		b, err := safefile.Read(f, taskbundle.MaxObjectSize)
		if err != nil {
			return err
		}
		o, err := taskbundle.Parse(b)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		objs = append(objs, o)
	}
	d, err := taskbundle.Push(context.Background(), *ref, objs)
	if err != nil {
		return err
	}
	if *pipeline != "" {
		b, err := safefile.Read(*pipeline, taskbundle.MaxObjectSize)
		if err != nil {
			return err
		}
		out, err := taskbundle.PinPipeline(b, d, objs)
		if err != nil {
			return fmt.Errorf("%s: %w", *pipeline, err)
		}
		if err := safefile.WriteAtomic(*pipeline, out); err != nil {
			return err
		}
	}
	fmt.Println(d.String())
	return nil
}
