# tollgate — see README.md. Every target runs from a clean clone.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
GO ?= go
BIN ?= bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS := -s -w -X github.com/tollgate-dev/tollgate/pkg/version.Version=$(VERSION)

# golangci-lint, pinned in hack/tools/go.mod: a module of its own, so the
# linters' dependencies never enter tollgate's go.mod. It is built once per
# version and Go release into .cache/tools/ (git-ignored) and reused.
GOLANGCI_LINT_VERSION := $(shell $(GO) -C hack/tools list -m -f '{{.Version}}' github.com/golangci/golangci-lint/v2)
GO_VERSION := $(shell $(GO) env GOVERSION)
GOLANGCI_LINT := .cache/tools/golangci-lint-$(GOLANGCI_LINT_VERSION)-$(GO_VERSION)/golangci-lint

.PHONY: all build test demo lint vet fmt bench fuzz interop images verify verify-images deps check-deps tools clean cluster-deps cluster-build e2e-cluster e2e-cluster-down

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

## test: everything CI runs: golangci-lint (vet, staticcheck, layering, gofmt, ...),
## unit, conformance, engine validation, testscript end-to-end, the e2e
## tamper/leak/bad-input/determinism suites, schemas. Installs nothing.
test: check-deps lint
	$(GO) test -count=1 -timeout 20m ./...
	./hack/verify-schemas.sh

## demo: the full gate on the example release: PASS, then BLOCKED on a tampered copy
demo: build
	./hack/demo.sh

## lint: golangci-lint with .golangci.yml (govet, staticcheck, errcheck, errorlint,
## revive, unused, paralleltest, depguard layering rules, gofmt/goimports), then
## gofmt over every file (also those the config leaves out for now)
lint: $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) run ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.cache/*')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## tools: build the pinned golangci-lint into .cache/tools/ (make lint does it on first use)
tools: $(GOLANGCI_LINT)

$(GOLANGCI_LINT):
	@echo "building golangci-lint $(GOLANGCI_LINT_VERSION) with $(GO_VERSION) into $(@D) (once per version; a few minutes cold)"
	cd hack/tools && CGO_ENABLED=0 $(GO) build -mod=readonly -trimpath -o $(CURDIR)/$@ github.com/golangci/golangci-lint/v2/cmd/golangci-lint

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

## interop: cosign v3.1.3 verifies tollgate's bundles, attest signs with cosign-made keys (cosign from $(CLUSTER_CACHE) when built there, else installed into /tmp/cosign; slow, not in make test)
interop:
	CLUSTER_CACHE=$(CLUSTER_CACHE) ./hack/interop.sh

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

## cluster-build: build Kubernetes, Tekton, Argo, cosign, Fulcio and the timestamp authority from their Go modules into $(CLUSTER_CACHE)
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
