# tollgate — see README.md. Every target runs from a clean clone.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
GO ?= go
BIN ?= bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS := -s -w -X github.com/tollgate-dev/tollgate/pkg/version.Version=$(VERSION)

.PHONY: all build test demo lint vet fmt bench fuzz interop images verify verify-images deps check-deps clean cluster-deps cluster-build e2e-cluster e2e-cluster-down

## CLUSTER_CACHE: where the e2e cluster's builds are cached, keyed by version
CLUSTER_CACHE ?= .cache/cluster
export CLUSTER_CACHE

all: build

## deps: the one-time install step: the Debian packages the tests and benchmarks
## need (docker-registry, openssl, time); make test only checks for them
deps:
	./hack/install-deps.sh

check-deps:
	@./hack/install-deps.sh --check

## build: every binary in cmd/ into bin/
build:
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/ ./cmd/...

## test: everything CI runs: vet, gofmt, unit, conformance, engine validation,
## testscript end-to-end, the e2e tamper/leak/bad-input/determinism suites, schemas
test: check-deps lint
	$(GO) test -count=1 -timeout 20m ./...
	./hack/verify-schemas.sh

## demo: the full gate on the example release: PASS, then BLOCKED on a tampered copy
demo: build
	./hack/demo.sh

lint: vet
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

## bench: hashing vs openssl, secrets vs gitleaks, provenance streaming, load test
bench: build
	./hack/bench-hash.sh
	./hack/bench-secrets.sh
	./hack/bench-provenance.sh
	./hack/bench-load.sh

## fuzz: every fuzz target for FUZZTIME (default 30s) each
fuzz:
	./hack/fuzz.sh

## interop: cosign v3.1.3 verifies tollgate's bundles (installs cosign into /tmp/cosign; slow, not in make test)
interop:
	./hack/interop.sh

## images: one minimal non-root OCI image per binary under out/images (no Docker)
images:
	./hack/images.sh

## verify: generated files are current (schemas; Argo ClusterWorkflowTemplates are checked by go test)
verify:
	./hack/verify-schemas.sh

## verify-images: the image digests pinned in tasks/ and examples/ match a fresh `make images`
verify-images: images
	./hack/verify-image-pins.sh

## cluster-deps: one-time install of the Debian packages the e2e cluster needs (root)
cluster-deps:
	./hack/cluster/deps.sh

## cluster-build: build Kubernetes, Tekton, Argo and cosign from their Go modules into $(CLUSTER_CACHE)
cluster-build:
	./hack/cluster/build.sh

## e2e-cluster: a real single-node Kubernetes with the real Tekton and Argo
## controllers on this machine; runs the example pipelines (scenarios in
## hack/cluster/scenarios) and tears everything down (E2E_KEEP=1 keeps it up)
e2e-cluster:
	./hack/cluster/e2e.sh

## e2e-cluster-down: tear down what an interrupted e2e-cluster left running
e2e-cluster-down:
	./hack/cluster/down.sh

clean:
	rm -rf $(BIN) demo-out out
