package testcp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Versions of the control-plane binaries. hack/build-control-plane.sh holds
// the same values (it is the one that builds them); TestBuildScriptAgreesOnBinDir
// fails when the two drift apart.
const (
	KubernetesVersion = "v1.37.2"
	EtcdVersion       = "v3.6.16"
	KwokVersion       = "v0.8.0"
	// The add-ons carry their version in the file name instead of the
	// directory key, so adding or bumping one reuses the binaries above.
	MetricsServerVersion = "v0.9.0"
	PrometheusVersion    = "v0.316.0" // Go module version of Prometheus v3.16.0
)

// Binary names of the add-ons in the bin dir.
const (
	metricsServerBinary = "metrics-server-" + MetricsServerVersion
	prometheusBinary    = "prometheus-" + PrometheusVersion
)

// Environment variables that point at the binaries.
const (
	// EnvBinDir names a directory holding every binary; it wins over the rest.
	EnvBinDir = "EMMDEV_CONTROLPLANE_BIN"
	// EnvKubebuilderAssets is envtest's variable; used when it holds every
	// binary this package needs.
	EnvKubebuilderAssets = "KUBEBUILDER_ASSETS"
	// EnvCache overrides the cache root, as it does for the build script.
	EnvCache = "EMMDEV_CACHE"
	// EnvKeep keeps the temp dir (certs, logs, etcd data) after teardown.
	EnvKeep = "EMMDEV_TESTCP_KEEP"
)

// howTo is the skip message a developer sees without binaries.
const howTo = "control plane binaries not found; run hack/build-control-plane.sh (cold ~15-25 min) or set " + EnvBinDir

// errNotFound marks "no binaries anywhere": a skip on a developer machine,
// a failure in CI. Any other locate error is always a failure.
var errNotFound = errors.New(howTo)

// cacheKey is the directory name the build script uses for these versions.
func cacheKey() string {
	return "k8s-" + KubernetesVersion + "_etcd-" + EtcdVersion + "_kwok-" + KwokVersion
}

// DefaultBinDir is where hack/build-control-plane.sh puts the binaries:
// ${EMMDEV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/emmdev}/controlplane/<key>.
func DefaultBinDir(getenv func(string) string) string {
	root := getenv(EnvCache)
	if root == "" {
		cache := getenv("XDG_CACHE_HOME")
		if cache == "" {
			cache = filepath.Join(getenv("HOME"), ".cache")
		}
		root = filepath.Join(cache, "emmdev")
	}
	return filepath.Join(root, "controlplane", cacheKey())
}

// requiredBinaries lists what opts needs, in start order.
func requiredBinaries(opts Options) []string {
	bins := []string{"etcd", "kube-apiserver"}
	if opts.Controllers {
		bins = append(bins, "kube-controller-manager", "kube-scheduler")
	}
	if opts.withKwok() {
		bins = append(bins, "kwok")
	}
	if opts.Metrics {
		bins = append(bins, metricsServerBinary)
	}
	if opts.Prometheus {
		bins = append(bins, prometheusBinary)
	}
	return bins
}

// locateBinaries returns the directory holding every binary opts needs.
// An explicit EMMDEV_CONTROLPLANE_BIN that lacks one is a configuration
// error (never a skip); KUBEBUILDER_ASSETS is only used when complete,
// because envtest's assets have no controller-manager, scheduler or kwok.
func locateBinaries(getenv func(string) string, opts Options) (string, error) {
	need := requiredBinaries(opts)
	if dir := getenv(EnvBinDir); dir != "" {
		if missing := missingIn(dir, need); len(missing) > 0 {
			return "", fmt.Errorf("%s=%s lacks %s", EnvBinDir, dir, strings.Join(missing, ", "))
		}
		return dir, nil
	}
	for _, dir := range []string{getenv(EnvKubebuilderAssets), DefaultBinDir(getenv)} {
		if dir != "" && len(missingIn(dir, need)) == 0 {
			return dir, nil
		}
	}
	return "", errNotFound
}

// missingIn lists the binaries of need that are not executable files in dir.
func missingIn(dir string, need []string) []string {
	var missing []string
	for _, b := range need {
		fi, err := os.Stat(filepath.Join(dir, b))
		if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			missing = append(missing, b)
		}
	}
	return missing
}
