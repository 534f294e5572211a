// Package integration proves `emmdev limits` on a real control plane: a
// copy of manifests/ applied to kube-apiserver with kwok running the pods and
// simulating their usage, metrics-server for --watch sampling, and a real
// Prometheus scraping kwok's kubelet resource metrics for the default path,
// reached directly and through the API server's service proxy. It holds
// only tests.
package integration
