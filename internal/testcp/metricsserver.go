package testcp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
)

// MetricsResolution is how often metrics-server scrapes kwok (its minimum):
// a usage change shows in the metrics API within about this long.
const MetricsResolution = 10 * time.Second

var apiServiceResource = schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}

// newBinary is newProcess for a binary whose file name carries its version.
func (p *plane) newBinary(name, file string, args ...string) *process {
	proc := p.newProcess(name, args...)
	proc.path = filepath.Join(p.binDir, file)
	return proc
}

// startMetricsServer runs metrics-server on loopback, scraping kwok as the
// node's kubelet (TLS verified against the plane's CA), and registers it as
// the v1beta1.metrics.k8s.io APIService behind an ExternalName Service, as
// kwokctl does: no kube-proxy is needed for the aggregator to reach it. It
// returns once the metrics API answers through kube-apiserver.
func (p *plane) startMetricsServer(ctx context.Context) error {
	err := retryOnPortClash(func() error {
		port, err := freePort()
		if err != nil {
			return err
		}
		p.metricsServerPort = port
		kc := p.path("admin.kubeconfig")
		p.metricsServer = p.newBinary("metrics-server", metricsServerBinary,
			"--kubeconfig="+kc,
			"--authentication-kubeconfig="+kc,
			"--authorization-kubeconfig="+kc,
			"--bind-address=127.0.0.1",
			"--secure-port="+strconv.Itoa(port),
			"--tls-cert-file="+p.path("metrics-server.crt"),
			"--tls-private-key-file="+p.path("metrics-server.key"),
			"--kubelet-preferred-address-types=InternalIP",
			"--kubelet-use-node-status-port",
			"--kubelet-certificate-authority="+p.path("ca.crt"),
			"--metric-resolution="+MetricsResolution.String(),
			"--kubelet-request-timeout=5s",
		)
		if err := p.metricsServer.start(); err != nil {
			return err
		}
		// /readyz would also want pod metrics, which an empty test node
		// cannot give; /livez says it serves, the node check below that it
		// scrapes.
		hc, err := p.caClient()
		if err != nil {
			return err
		}
		return waitFor(ctx, p.metricsServer, func(ctx context.Context) error {
			return httpOK(ctx, hc, "https://127.0.0.1:"+strconv.Itoa(port)+"/livez")
		})
	})
	if err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(p.config)
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(p.config)
	if err != nil {
		return err
	}
	if err := registerMetricsAPI(ctx, cs, dyn, p.metricsServerPort, p.pki.caPEM); err != nil {
		return err
	}
	// Ready when the node's own usage comes back through kube-apiserver:
	// aggregation, both TLS hops and kwok's metrics endpoint all work.
	return waitFor(ctx, p.metricsServer, func(ctx context.Context) error {
		body, err := cs.Discovery().RESTClient().Get().AbsPath("/apis/metrics.k8s.io/v1beta1/nodes/" + KwokNodeName).DoRaw(ctx)
		if err != nil {
			return fmt.Errorf("node metrics through the API server: %w: %s", err, body)
		}
		return nil
	})
}

// registerMetricsAPI creates the Service and APIService metrics-server's
// own manifests would (kube-system/metrics-server), pointing at loopback.
func registerMetricsAPI(ctx context.Context, cs kubernetes.Interface, dyn dynamic.Interface, port int, caPEM []byte) error {
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "metrics-server", Namespace: "kube-system"},
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "localhost"},
	}
	if _, err := cs.CoreV1().Services("kube-system").Create(ctx, svc, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("metrics-server service: %w", err)
	}
	apisvc := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiregistration.k8s.io/v1",
		"kind":       "APIService",
		"metadata":   map[string]any{"name": "v1beta1.metrics.k8s.io"},
		"spec": map[string]any{
			"group": "metrics.k8s.io", "version": "v1beta1",
			"groupPriorityMinimum": int64(100), "versionPriority": int64(100),
			"service": map[string]any{"name": "metrics-server", "namespace": "kube-system", "port": int64(port)},
			// Verified: metrics-server's cert names metrics-server.kube-system.svc.
			"caBundle": base64.StdEncoding.EncodeToString(caPEM),
		},
	}}
	if _, err := dyn.Resource(apiServiceResource).Create(ctx, apisvc, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("metrics APIService: %w", err)
	}
	return nil
}

// caClient is an HTTPS client trusting the plane's CA.
func (p *plane) caClient() (*http.Client, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(p.pki.caPEM) {
		return nil, fmt.Errorf("CA pool")
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}}, nil
}
