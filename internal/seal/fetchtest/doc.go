// Package fetchtest holds the integration test of fetching the sealing
// certificate through a real kube-apiserver's service proxy. It has its own
// package so the control plane (testcp) starts only for this test.
package fetchtest
