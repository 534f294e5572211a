// Package integration proves `emmdev status` on a real control plane
// (internal/testcp: kube-apiserver, etcd, controllers and a kwok node):
// Deployments going Ready, crash loops, OOMKilled causes, an API server
// restart mid-watch, forbidden namespaces and `--once -o json`. It holds
// only tests; it is a separate package so the unit tests of
// internal/cmd/status never start a control plane.
package integration
