// Package fetchtest holds the integration tests of seal against a real
// kube-apiserver: fetching the sealing certificate through its service
// proxy, and agreeing with its validation of Secrets. It has its own
// package so the control plane (testcp) starts only for these tests.
package fetchtest
