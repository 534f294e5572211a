#!/usr/bin/env bash
# Installs the pinned developer tools (golangci-lint) into a cache outside the
# repository, keyed by version, and prints the path of the binary asked for.
# Usage: hack/tools.sh golangci-lint
set -euo pipefail
GOLANGCI_LINT_VERSION="${GOLANGCI_LINT_VERSION:-v2.15.0}"
cache_root="${EMMDEV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/emmdev}"

case "${1:-}" in
  golangci-lint)
    dir="${cache_root}/tools/golangci-lint-${GOLANGCI_LINT_VERSION}"
    if [[ ! -x "${dir}/golangci-lint" ]]; then
      echo "tools: building golangci-lint ${GOLANGCI_LINT_VERSION} (first time only)" >&2
      GOBIN="${dir}" GOFLAGS=-mod=mod go install \
        "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@${GOLANGCI_LINT_VERSION}" >&2
    fi
    echo "${dir}/golangci-lint"
    ;;
  *)
    echo "usage: hack/tools.sh golangci-lint" >&2
    exit 2
    ;;
esac
