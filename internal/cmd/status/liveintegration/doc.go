// Package liveintegration proves the usage and log features of `emmdev
// status` on a real control plane with real components: kwok simulating
// container usage and logs as the node's kubelet, metrics-server scraping it
// and registered as the v1beta1.metrics.k8s.io APIService, and the API
// server's pods/log reaching kwok. It holds only tests, apart from the
// plain status integration tests because this plane takes longer to start.
package liveintegration
