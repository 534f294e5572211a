#!/usr/bin/env bash
# gen-kubectl-cases.sh: writes the agreement suite's kubectl-generated
# controls (internal/lint/agreement/testdata/cases/kubectl/) with the real
# kubectl v1.37.2, built from the Go module proxy (k8s.io/kubernetes/cmd/kubectl,
# staging modules at v0.37.2, the way hack/build-control-plane.sh builds the
# API server) into ~/.cache/emmdev/tools. Each file holds the exact command
# in its header and kubectl's output verbatim: `creationTimestamp: null`,
# `resources: {}`, `status: {}` and all.
#
# Only `kubectl create ... --dry-run=client -o yaml` commands that need no
# API server are used: `kubectl run`, `create role` and `create clusterrole`
# resolve kinds through discovery even on a client dry run, so they are left
# out. Re-run after a Kubernetes bump; the output is committed, so tests need
# neither kubectl nor the network.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.37.2}"
STAGING_VERSION="${STAGING_VERSION:-v0.37.2}"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE="${EMMDEV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/emmdev}"
KUBECTL="${CACHE}/tools/kubectl-${K8S_VERSION}"
OUT="${ROOT}/internal/lint/agreement/testdata/cases/kubectl"

log() { echo "gen-kubectl-cases: $*" >&2; }

build_kubectl() {
  local work gomod m
  work=$(mktemp -d)
  trap 'rm -rf "${work}"' RETURN
  cd "${work}"
  gomod="$(go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  [[ -f "${gomod}" ]] || { log "cannot download k8s.io/kubernetes@${K8S_VERSION}"; return 1; }
  go mod init emmdev.local/kubectl >/dev/null 2>&1
  for m in $(awk '/=> .\/staging\//{print $1}' "${gomod}" | sort -u); do
    go mod edit -replace "${m}=${m}@${STAGING_VERSION}"
  done
  go mod edit -require "k8s.io/kubernetes@${K8S_VERSION}"
  GOFLAGS=-mod=mod go get "k8s.io/kubernetes/cmd/kubectl@${K8S_VERSION}" >&2
  local v="${K8S_VERSION#v}" pkg=k8s.io/component-base/version ldflags
  ldflags="-s -w -X ${pkg}.gitVersion=${K8S_VERSION} -X ${pkg}.gitMajor=${v%%.*}"
  v="${v#*.}"
  ldflags+=" -X ${pkg}.gitMinor=${v%%.*} -X ${pkg}.gitTreeState=clean"
  mkdir -p "$(dirname "${KUBECTL}")"
  CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags="${ldflags}" -o "${KUBECTL}.tmp" k8s.io/kubernetes/cmd/kubectl
  mv "${KUBECTL}.tmp" "${KUBECTL}"
}

if [[ ! -x "${KUBECTL}" ]]; then
  log "building kubectl ${K8S_VERSION} into ${KUBECTL}"
  (build_kubectl)
fi
log "$("${KUBECTL}" version --client 2>/dev/null | head -1)"

# No cluster: an empty kubeconfig, so nothing can reach an API server.
export KUBECONFIG=/dev/null

# quote ARGS...: the arguments as a shell would need them typed.
quote() {
  local a out=()
  for a in "$@"; do
    if [[ $a =~ [^A-Za-z0-9_./=:,@%+-] ]]; then a="'${a//\'/\'\\\'\'}'"; fi
    out+=("$a")
  done
  echo "${out[*]}"
}

# gen NAME TITLE -- ARGS...: one case file from `kubectl ARGS`.
gen() {
  local name=$1 title=$2
  shift 3
  local out="${OUT}/${name}.yaml" tmp
  tmp=$(mktemp)
  "${KUBECTL}" "$@" >"${tmp}"
  {
    echo "# case: ${title}"
    echo "# expect: accept"
    echo "# generated-by: kubectl $(quote "$@") (kubectl ${K8S_VERSION}, hack/gen-kubectl-cases.sh)"
    cat "${tmp}"
  } >"${out}"
  rm -f "${tmp}"
  log "wrote ${out#"${ROOT}"/}"
}

rm -rf "${OUT}"
mkdir -p "${OUT}"
D=(--dry-run=client -o yaml)
gen deployment "kubectl create deployment output" -- create deployment web --image=nginx:1.27 --replicas=2 --port=8080 "${D[@]}"
gen deployment-two-images "kubectl create deployment with two images" -- create deployment sidecars --image=nginx:1.27 --image=busybox:1.36 "${D[@]}"
gen service-clusterip "kubectl create service clusterip output" -- create service clusterip web --tcp=80:8080 "${D[@]}"
gen service-headless "kubectl create service clusterip --clusterip=None output" -- create service clusterip db --clusterip=None --tcp=5432:5432 "${D[@]}"
gen service-nodeport "kubectl create service nodeport output" -- create service nodeport web --tcp=80:8080 "${D[@]}"
gen service-loadbalancer "kubectl create service loadbalancer output" -- create service loadbalancer web --tcp=443:8443 "${D[@]}"
gen service-externalname "kubectl create service externalname output" -- create service externalname db --external-name db.example.com "${D[@]}"
gen configmap "kubectl create configmap from literals" -- create configmap settings --from-literal=MODE=fast --from-literal=RETRIES=3 "${D[@]}"
gen secret-generic "kubectl create secret generic from a literal (plaintext: a policy finding, valid for the API server)" -- create secret generic api-token --from-literal=token=not-a-real-token "${D[@]}"
gen secret-docker-registry "kubectl create secret docker-registry output" -- create secret docker-registry pull --docker-server=registry.example.com --docker-username=bot --docker-password=not-a-real-password "${D[@]}"
gen job "kubectl create job output" -- create job pi --image=perl:5.40 "${D[@]}" -- perl -Mbignum=bpi -wle "print bpi(200)"
gen cronjob "kubectl create cronjob output" -- create cronjob report --image=busybox:1.36 --schedule="*/5 * * * *" "${D[@]}" -- date
gen namespace "kubectl create namespace output" -- create namespace team-b "${D[@]}"
gen serviceaccount "kubectl create serviceaccount output" -- create serviceaccount builder "${D[@]}"
gen quota "kubectl create quota output" -- create quota compute --hard=cpu=2,memory=4Gi,pods=10 "${D[@]}"
gen priorityclass "kubectl create priorityclass output" -- create priorityclass batch-low --value=100 --description="batch jobs" --preemption-policy=Never "${D[@]}"
gen pdb "kubectl create poddisruptionbudget output" -- create poddisruptionbudget web --selector=app=web --min-available=1 "${D[@]}"
gen ingress "kubectl create ingress output" -- create ingress web --class=nginx --rule="web.example.com/api*=api:8080" --rule="web.example.com/=web:80,tls=web-tls" "${D[@]}"
gen rolebinding "kubectl create rolebinding output" -- create rolebinding read --role=pod-reader --serviceaccount=default:builder --user=jane "${D[@]}"
gen clusterrolebinding "kubectl create clusterrolebinding output" -- create clusterrolebinding read-all --clusterrole=view --group=developers "${D[@]}"
