// Command mkimage writes the minimal image of one step binary as an OCI
// image layout (see internal/image). hack/images.sh runs it for every binary:
//
//	mkimage --name gate --binary linux/amd64=out/bin/linux-amd64/gate --out out/images/gate --ref ghcr.io/tollgate-dev/tollgate/gate:v0.1.0
//
// It prints "NAME DIGEST", the digest the Tasks pin.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/tollgate-dev/tollgate/internal/image"
)

type binaries []image.Binary

func (b *binaries) String() string { return fmt.Sprint(*b) }

func (b *binaries) Set(s string) error {
	plat, p, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("want OS/ARCH[/VARIANT]=PATH, got %q", s)
	}
	pl, err := v1.ParsePlatform(plat)
	if err != nil {
		return err
	}
	*b = append(*b, image.Binary{Platform: *pl, Path: p})
	return nil
}

func main() {
	var (
		spec image.Spec
		bins binaries
		out  string
		ref  string
	)
	flag.StringVar(&spec.Name, "name", "", "binary name")
	flag.Var(&bins, "binary", "OS/ARCH=PATH of a static build (repeatable)")
	flag.StringVar(&spec.CABundle, "ca-bundle", "", "PEM CA bundle to include")
	flag.StringVar(&spec.Source, "source", "https://github.com/tollgate-dev/tollgate", "org.opencontainers.image.source label")
	flag.StringVar(&spec.Version, "version", "", "org.opencontainers.image.version label")
	flag.StringVar(&out, "out", "", "OCI layout directory to write")
	flag.StringVar(&ref, "ref", "", "reference annotated on the manifest")
	flag.Parse()
	spec.Binaries = bins
	if e := os.Getenv("SOURCE_DATE_EPOCH"); e != "" {
		sec, err := strconv.ParseInt(e, 10, 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mkimage: SOURCE_DATE_EPOCH:", err)
			os.Exit(2)
		}
		spec.Created = time.Unix(sec, 0)
	}
	if out == "" {
		fmt.Fprintln(os.Stderr, "mkimage: --out is required")
		os.Exit(2)
	}
	idx, imgs, err := image.Build(spec)
	if err == nil {
		var d v1.Hash
		if d, err = image.WriteLayout(out, ref, idx, imgs); err == nil {
			fmt.Println(spec.Name, d)
			return
		}
	}
	fmt.Fprintln(os.Stderr, "mkimage:", err)
	os.Exit(1)
}
