#!/usr/bin/env bash
# Builds the test control plane (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kwok, metrics-server, prometheus) from the Go module proxy
# into a cache outside the repository, keyed by version, and prints the
# directory that holds them. Only what is missing is built.
#
# Cold: about 15-25 min on 2 cores (kube-apiserver dominates). Warm: instant.
# Usage: hack/build-control-plane.sh            -> builds if needed, prints the bin dir
#        hack/build-control-plane.sh --print-dir -> prints the bin dir, builds nothing
#        hack/build-control-plane.sh --print-bins -> prints the binary names, builds nothing
# Env:   EMMDEV_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/emmdev)
#
# The versions below are mirrored in internal/testcp/versions.go, which
# computes the same directory; TestBuildScriptAgreesOnBinDir keeps them equal.
#
# Everything runs inside main(), called on the last line together with exit,
# so bash has parsed the whole file before doing anything and reads nothing
# after: editing the script while a long build runs cannot break that build.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.37.2}"
STAGING_VERSION="${STAGING_VERSION:-v0.37.2}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
# The add-ons came later. Their versions are in their file names, not in the
# directory key, so adding them (or bumping one) reuses the binaries above
# and builds only the add-on.
METRICS_SERVER_VERSION="${METRICS_SERVER_VERSION:-v0.9.0}"
PROMETHEUS_VERSION="${PROMETHEUS_VERSION:-v0.316.0}" # module version of Prometheus v3.16.0

metrics_server="metrics-server-${METRICS_SERVER_VERSION}"
prometheus="prometheus-${PROMETHEUS_VERSION}"
bins=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok "${metrics_server}" "${prometheus}")

log() { echo "build-control-plane: $*" >&2; }

have_all() {
  local b
  for b in "${bins[@]}"; do [[ -x "${bin}/${b}" ]] || return 1; done
}

build_etcd() {
  log "etcd ${ETCD_VERSION}"
  # etcd's go.mod carries replace directives, so `go install pkg@version`
  # refuses it: build it from a throwaway module instead.
  mkdir -p "${work}/etcd" && cd "${work}/etcd"
  go mod init emmdev.local/etcd >/dev/null 2>&1
  go get "go.etcd.io/etcd/server/v3@${ETCD_VERSION}" >&2
  go build -trimpath -o "${bin}/etcd.tmp" go.etcd.io/etcd/server/v3
  mv "${bin}/etcd.tmp" "${bin}/etcd"
}

build_kwok() {
  log "kwok ${KWOK_VERSION}"
  GOBIN="${work}/kwok-bin" go install "sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}"
  mv "${work}/kwok-bin/kwok" "${bin}/kwok.tmp" && mv "${bin}/kwok.tmp" "${bin}/kwok"
}

build_metrics_server() {
  log "metrics-server ${METRICS_SERVER_VERSION}"
  GOBIN="${work}/ms-bin" go install "sigs.k8s.io/metrics-server/cmd/metrics-server@${METRICS_SERVER_VERSION}"
  mv "${work}/ms-bin/metrics-server" "${bin}/${metrics_server}.tmp" && mv "${bin}/${metrics_server}.tmp" "${bin}/${metrics_server}"
}

build_prometheus() {
  log "prometheus ${PROMETHEUS_VERSION}"
  # remove_all_sd drops every service discovery but file and static (the
  # tests scrape a static target), which saves most of the cloud SDKs; the
  # web UI assets are not embedded (builtinassets is off): the HTTP API is
  # all the tests use.
  GOBIN="${work}/prom-bin" go install -tags remove_all_sd \
    "github.com/prometheus/prometheus/cmd/prometheus@${PROMETHEUS_VERSION}"
  mv "${work}/prom-bin/prometheus" "${bin}/${prometheus}.tmp" && mv "${bin}/${prometheus}.tmp" "${bin}/${prometheus}"
}

build_kubernetes() {
  log "kubernetes ${K8S_VERSION} (staging modules at ${STAGING_VERSION})"
  local mod="${work}/k8s" gomod m b
  mkdir -p "${mod}" && cd "${mod}"
  # Run outside any module so the download never touches a go.mod/go.sum.
  gomod="$(go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  [[ -f "${gomod}" ]] || { log "cannot download k8s.io/kubernetes@${K8S_VERSION}"; return 1; }
  go mod init emmdev.local/controlplane >/dev/null 2>&1
  # k8s.io/kubernetes requires its staging repos at v0.0.0 and replaces them
  # with ./staging, which does not apply to a dependent module: point each
  # one at its published tag instead.
  for m in $(awk '/=> .\/staging\//{print $1}' "${gomod}" | sort -u); do
    go mod edit -replace "${m}=${m}@${STAGING_VERSION}"
  done
  go mod edit -require "k8s.io/kubernetes@${K8S_VERSION}"
  go get "k8s.io/kubernetes/cmd/kube-apiserver@${K8S_VERSION}" \
         "k8s.io/kubernetes/cmd/kube-controller-manager@${K8S_VERSION}" \
         "k8s.io/kubernetes/cmd/kube-scheduler@${K8S_VERSION}" >&2
  # Stamp the version the way the Kubernetes release build does, so
  # /version reports K8S_VERSION instead of v0.0.0-master.
  local v="${K8S_VERSION#v}" pkg=k8s.io/component-base/version ldflags
  ldflags="-s -w -X ${pkg}.gitVersion=${K8S_VERSION} -X ${pkg}.gitMajor=${v%%.*}"
  v="${v#*.}"
  ldflags+=" -X ${pkg}.gitMinor=${v%%.*} -X ${pkg}.gitTreeState=clean"
  for b in kube-apiserver kube-controller-manager kube-scheduler; do
    if [[ ! -x "${bin}/${b}" ]]; then
      log "go build ${b}"
      go build -trimpath -ldflags="${ldflags}" -o "${bin}/${b}.tmp" "k8s.io/kubernetes/cmd/${b}"
      mv "${bin}/${b}.tmp" "${bin}/${b}"
    fi
  done
}

main() {
  local cache_root key
  cache_root="${EMMDEV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/emmdev}"
  key="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}"
  bin="${cache_root}/controlplane/${key}"

  case "${1:-}" in
    --print-dir) echo "${bin}"; return 0 ;;
    --print-bins) printf '%s\n' "${bins[@]}"; return 0 ;;
    "") ;;
    *) log "unknown argument: $1 (usage: $0 [--print-dir|--print-bins])"; return 2 ;;
  esac

  if have_all; then
    echo "${bin}"
    return 0
  fi

  mkdir -p "${bin}"
  # Serialise concurrent builds (parallel test packages, a developer and CI):
  # the second caller waits, then finds everything built.
  exec 9>"${bin}.lock"
  flock 9
  if have_all; then
    echo "${bin}"
    return 0
  fi
  work="$(mktemp -d)"
  trap 'rm -rf "${work}"' EXIT
  export GOFLAGS=-mod=mod
  export CGO_ENABLED=0

  # Builds run in subshells (they cd) and not as `a || b`: errexit is
  # switched off inside the left side of || and &&.
  if [[ ! -x "${bin}/etcd" ]]; then (build_etcd); fi
  if [[ ! -x "${bin}/kwok" ]]; then (build_kwok); fi
  if [[ ! -x "${bin}/${metrics_server}" ]]; then (build_metrics_server); fi
  if [[ ! -x "${bin}/${prometheus}" ]]; then (build_prometheus); fi
  local need_k8s=0 b
  for b in kube-apiserver kube-controller-manager kube-scheduler; do
    [[ -x "${bin}/${b}" ]] || need_k8s=1
  done
  if [[ "${need_k8s}" == 1 ]]; then (build_kubernetes); fi

  have_all || { log "missing binaries in ${bin}"; return 1; }
  echo "${bin}"
}

main "$@"; exit $?
