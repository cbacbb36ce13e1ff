// Command clusterimage builds the e2e cluster's single-layer images and
// pushes them, and pushes OCI image layouts:
//
//	clusterimage build --ref REG/NAME:TAG --file /ko-app/controller=PATH [--link /bin/sh=busybox] \
//	  [--entrypoint /ko-app/controller] [--user 65532] [--env K=V]
//	clusterimage push-layout DIR REF
//
// Both print the pushed digest. Layers are deterministic: sorted members,
// zero times, owner 0:0. Used by hack/cluster/images.sh and hack/publish-images.sh.
package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: clusterimage build|push-layout ...")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var err error
	switch os.Args[1] {
	case "build":
		err = build(ctx, os.Args[2:])
	case "push-layout":
		err = pushLayout(ctx, os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "clusterimage:", err)
		os.Exit(1)
	}
}

func build(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("build", flag.ExitOnError)
	ref := fs.String("ref", "", "image reference to push")
	user := fs.String("user", "65532:65532", "image user")
	var files, links, env, entry list
	fs.Var(&files, "file", "DEST=SRC file (repeatable)")
	fs.Var(&links, "link", "DEST=TARGET symbolic link (repeatable)")
	fs.Var(&env, "env", "K=V (repeatable)")
	fs.Var(&entry, "entrypoint", "entrypoint element (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ref == "" || len(files) == 0 {
		return errors.New("build: --ref and --file are required")
	}
	members := map[string]*tar.Header{}
	data := map[string][]byte{}
	addDirs := func(p string) {
		for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
			n := strings.TrimPrefix(d, "/") + "/"
			members[n] = &tar.Header{Name: n, Typeflag: tar.TypeDir, Mode: 0o755}
		}
	}
	for _, f := range files {
		dst, src, ok := strings.Cut(f, "=")
		if !ok {
			return fmt.Errorf("--file %q: want DEST=SRC", f)
		}
		b, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		n := strings.TrimPrefix(dst, "/")
		members[n] = &tar.Header{Name: n, Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(b))}
		data[n] = b
		addDirs(dst)
	}
	for _, l := range links {
		dst, target, ok := strings.Cut(l, "=")
		if !ok {
			return fmt.Errorf("--link %q: want DEST=TARGET", l)
		}
		n := strings.TrimPrefix(dst, "/")
		members[n] = &tar.Header{Name: n, Typeflag: tar.TypeSymlink, Linkname: target, Mode: 0o777}
		addDirs(dst)
	}
	members["tmp/"] = &tar.Header{Name: "tmp/", Typeflag: tar.TypeDir, Mode: 0o1777}
	members["etc/passwd"] = &tar.Header{Name: "etc/passwd", Typeflag: tar.TypeReg, Mode: 0o644}
	data["etc/passwd"] = []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")
	members["etc/passwd"].Size = int64(len(data["etc/passwd"]))
	members["etc/"] = &tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755}
	names := make([]string, 0, len(members))
	for n := range members {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		h := members[n]
		h.ModTime = time.Unix(0, 0)
		h.Format = tar.FormatPAX
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := tw.Write(data[n]); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	raw := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.AppendLayers(img, layer)
	if err != nil {
		return err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Created = v1.Time{Time: time.Unix(0, 0)}
	cf.Config.User = *user
	cf.Config.Entrypoint = entry
	cf.Config.Env = append([]string{"PATH=/ko-app:/usr/local/bin:/usr/bin:/bin"}, env...)
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return err
	}
	r, err := name.ParseReference(*ref)
	if err != nil {
		return err
	}
	if err := remote.Write(r, img, remote.WithContext(ctx)); err != nil {
		return fmt.Errorf("push %s: %w", r, err)
	}
	d, err := img.Digest()
	if err != nil {
		return err
	}
	fmt.Println(d)
	return nil
}

// pushLayout pushes the one image or index of an OCI layout.
func pushLayout(ctx context.Context, args []string) error {
	if len(args) != 2 {
		return errors.New("push-layout DIR REF")
	}
	p, err := layout.FromPath(args[0])
	if err != nil {
		return err
	}
	idx, err := p.ImageIndex()
	if err != nil {
		return err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	if len(im.Manifests) != 1 {
		return fmt.Errorf("%s: want one manifest in the layout, found %d", args[0], len(im.Manifests))
	}
	r, err := name.ParseReference(args[1])
	if err != nil {
		return err
	}
	desc := im.Manifests[0]
	if desc.MediaType.IsIndex() {
		child, err := idx.ImageIndex(desc.Digest)
		if err != nil {
			return err
		}
		if err := remote.WriteIndex(r, child, remote.WithContext(ctx)); err != nil {
			return fmt.Errorf("push %s: %w", r, err)
		}
	} else {
		img, err := idx.Image(desc.Digest)
		if err != nil {
			return err
		}
		if err := remote.Write(r, img, remote.WithContext(ctx)); err != nil {
			return fmt.Errorf("push %s: %w", r, err)
		}
	}
	fmt.Println(desc.Digest)
	return nil
}
