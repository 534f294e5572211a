# emmdev — the two commands a new user needs:
#   make lint-manifests   lint the EMM deployment in manifests/ (the main job)
#   make test             build the test control plane (cached) and run every test
GO ?= go

.PHONY: all build lint-manifests test test-race check fmt-check vet tidy-check generate-check golangci controlplane peer-fixtures

all: build

build:
	$(GO) build -o bin/emmdev ./cmd/emmdev

lint-manifests:
	$(GO) run ./cmd/emmdev lint manifests/ deploy/

# Every test: unit, fuzz seed corpora, and integration tests on a real
# kube-apiserver/etcd/controller-manager/scheduler/kwok control plane built
# from the Go module proxy into ~/.cache/emmdev (cold ~20 min, then instant).
test: peer-fixtures
	EMMDEV_CONTROLPLANE_BIN="$$(bash hack/build-control-plane.sh)" $(GO) test -count=1 ./...

# The race detector over the packages that run goroutines of their own
# (worker pools, informers, the TUI, kind and docker calls abandoned on
# Ctrl-C, request timeouts), with their integration tests on the control
# plane. CI runs it after `make test` (.ci/run).
RACE_PKGS = ./internal/parallel/... ./internal/lint/... ./internal/watch/... ./internal/tui/... \
	./internal/cmd/status/... ./internal/cluster/... ./internal/kube/... ./internal/seal/... \
	./internal/cmd/seal/... ./internal/app/... ./internal/testenv/... ./internal/atomicfile/...
test-race: peer-fixtures
	EMMDEV_CONTROLPLANE_BIN="$$(bash hack/build-control-plane.sh)" $(GO) test -race -count=1 $(RACE_PKGS)

controlplane:
	bash hack/build-control-plane.sh

# Sources of the tools whose fixtures internal/lint/peers runs, into the Go
# module cache: kubeconform is a dependency; kube-score (its latest version
# on the proxy) is not, and go.mod/go.sum stay untouched.
peer-fixtures:
	$(GO) mod download github.com/yannh/kubeconform github.com/zegl/kube-score@v1.20.0

# Static checks CI runs before the tests.
check: fmt-check vet tidy-check generate-check golangci

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

tidy-check:
	$(GO) mod tidy -diff

generate-check:
	$(GO) generate ./...
	git diff --exit-code -- . ':!go.sum'
	@untracked="$$(git ls-files --others --exclude-standard)"; if [ -n "$$untracked" ]; then echo "go generate produced untracked files:"; echo "$$untracked"; exit 1; fi

golangci:
	"$$(bash hack/tools.sh golangci-lint)" run ./...
