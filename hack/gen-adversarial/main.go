// Command gen-adversarial writes the adversarial corpus the tests score
// tollgate against, so that it can be run through the CLI by hand:
//
//	go run ./hack/gen-adversarial testdata/adversarial   # git-ignored
//	tollgate scan-secrets DIR/secrets --format json
//	tollgate diff-permissions --baseline DIR/permissions/<class>/<case>/baseline --candidate .../candidate
//
// DIR/secrets holds the secret-scanner cases (one directory per class,
// decoys under <class>/decoy/), DIR/permissions the baseline and
// candidate trees of every permission case (block or decoy in the
// case's directory name), DIR/leaks the leak cases. Every value is
// generated from a fixed seed; nothing in it is a real credential.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tollgate-dev/tollgate/internal/secretgen"
)

// Seed is the corpus seed the tests use.
const Seed = 20261130

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen-adversarial DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gen-adversarial:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	truth, decoys := secretgen.Adversarial(Seed)
	if err := secretgen.Write(filepath.Join(dir, "secrets"), append(truth, decoys...)); err != nil {
		return err
	}
	for _, c := range secretgen.PermissionCases() {
		kind := "block"
		if !c.Block {
			kind = "pass"
		}
		base := filepath.Join(dir, "permissions", c.Class, c.Name+"."+kind)
		if err := secretgen.WriteTree(filepath.Join(base, "baseline"), c.Baseline); err != nil {
			return err
		}
		if err := secretgen.WriteTree(filepath.Join(base, "candidate"), c.Candidate); err != nil {
			return err
		}
	}
	for _, c := range secretgen.LeakCases(Seed) {
		if err := secretgen.WriteTree(filepath.Join(dir, "leaks", c.Class, c.Name), c.Files); err != nil {
			return err
		}
	}
	fmt.Printf("wrote %d secret cases, %d decoys, %d permission cases and %d leak cases under %s\n",
		len(truth), len(decoys), len(secretgen.PermissionCases()), len(secretgen.LeakCases(Seed)), dir)
	return nil
}
