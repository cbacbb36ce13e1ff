# tollgate — see README.md. Every target runs from a clean clone.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
GO ?= go
BIN := bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS := -s -w -X github.com/tollgate-dev/tollgate/pkg/version.Version=$(VERSION)
CMDS := tollgate provenance secret-inventory permission-diff attest gate

.PHONY: all build test demo lint fmt vet bench fuzz interop images verify deps clean

all: build

deps:
	./hack/install-deps.sh

build:
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/ $(addprefix ./cmd/,$(notdir $(wildcard $(addprefix cmd/,$(CMDS)))))
	@true

## test: everything CI runs (unit, conformance, end-to-end, engine validation)
test: deps lint
	$(GO) test -count=1 -timeout 20m ./...
	./hack/verify-schemas.sh

## demo: review and hash the example release (grows into the full gate)
demo: build
	./hack/demo.sh

lint: vet
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

bench:
	./hack/bench-hash.sh

fuzz:
	./hack/fuzz.sh

verify:
	./hack/verify-schemas.sh

clean:
	rm -rf $(BIN) demo-out out

## interop: cosign v3.1.3 verifies tollgate's bundles (installs cosign into /tmp/cosign; slow, not in make test)
interop:
	./hack/interop.sh
