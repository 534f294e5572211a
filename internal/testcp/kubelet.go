package testcp

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"embed"
	"fmt"
	"net"
	"strconv"

	"k8s.io/client-go/dynamic"

	"github.com/emmdev/emmdev/internal/atomicfile"
)

// Annotations that set the simulated usage of a pod (Options.Metrics): a
// quantity such as "3.2Gi" or "1500m". The per-container form wins over
// the pod-wide one; without either a container uses 1m CPU and 1Mi memory.
// Changing them on a running pod changes its usage at once.
const (
	UsageCPUAnnotation    = "kwok.x-k8s.io/usage-cpu"
	UsageMemoryAnnotation = "kwok.x-k8s.io/usage-memory"
)

// ContainerUsageAnnotation is the per-container usage annotation for
// resource "cpu" or "memory".
func ContainerUsageAnnotation(resource, container string) string {
	return "usage.emmdev.test/" + resource + "-" + container
}

// kwokFiles are the kwok resources behind the kubelet features: the Logs
// CRD, the resource-metrics endpoint and the usage rules.
//
//go:embed kwok/*.yaml
var kwokFiles embed.FS

// kubeletFeatures reports whether kwok must act as a kubelet that serves
// (logs, metrics): it then listens with TLS on the node's address, and the
// API server and metrics-server talk to it as to a kubelet.
func (o Options) kubeletFeatures() bool { return o.Metrics || o.Logs || o.Prometheus }

// resourceMetricsPath is where kwok serves the node's /metrics/resource;
// the node annotation tells metrics-server to scrape it there.
const resourceMetricsPath = "/metrics/nodes/" + KwokNodeName + "/metrics/resource"

// kwokKubeletConfig is what kwok's --config gets on top of the stages.
func (o Options) kwokKubeletConfig() ([]byte, error) {
	var out []byte
	if o.Metrics || o.Prometheus {
		for _, n := range []string{"kwok/metrics-resource.yaml", "kwok/usage.yaml"} {
			data, err := kwokFiles.ReadFile(n)
			if err != nil {
				return nil, err
			}
			out = append(out, "---\n"...)
			out = append(out, data...)
		}
	}
	return out, nil
}

// writeKubeletCerts issues kwok's serving certificate (the "kubelet" at
// 127.0.0.1, verified by the API server and metrics-server against the
// plane's CA), metrics-server's serving certificate (verified by the
// aggregator as metrics-server.kube-system.svc) and the front-proxy client
// certificate the aggregator presents to metrics-server.
func (p *plane) writeKubeletCerts(context.Context) error {
	loop := []net.IP{net.IPv4(127, 0, 0, 1)}
	pairs := []struct {
		name string
		tmpl *x509.Certificate
	}{
		{"kwok", &x509.Certificate{Subject: pkix.Name{CommonName: "kwok-kubelet"}, IPAddresses: loop,
			DNSNames: []string{"localhost", KwokNodeName}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}},
		{"metrics-server", &x509.Certificate{Subject: pkix.Name{CommonName: "metrics-server"}, IPAddresses: loop,
			DNSNames:    []string{"localhost", "metrics-server.kube-system.svc"},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}},
		{"front-proxy-client", &x509.Certificate{Subject: pkix.Name{CommonName: frontProxyUser},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}},
	}
	for _, pr := range pairs {
		kp, err := p.pki.issue(pr.tmpl)
		if err != nil {
			return err
		}
		if err := atomicfile.Write(p.path(pr.name+".crt"), kp.certPEM, 0o644); err != nil {
			return err
		}
		if err := atomicfile.Write(p.path(pr.name+".key"), kp.keyPEM, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// frontProxyUser is the CN of the aggregator's client certificate; only it
// may tell an extension API server (metrics-server) who the user is.
const frontProxyUser = "front-proxy-client"

// kubeletAPIServerArgs make kube-apiserver reach kwok as the kubelet
// (pods/log) and proxy the metrics API to metrics-server with the user's
// identity in request headers, as a kubeadm cluster does.
func (p *plane) kubeletAPIServerArgs() []string {
	if !p.opts.kubeletFeatures() {
		return nil
	}
	return []string{
		"--kubelet-preferred-address-types=InternalIP",
		"--kubelet-certificate-authority=" + p.path("ca.crt"),
		"--requestheader-client-ca-file=" + p.path("ca.crt"),
		"--requestheader-allowed-names=" + frontProxyUser,
		"--requestheader-username-headers=X-Remote-User",
		"--requestheader-group-headers=X-Remote-Group",
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--proxy-client-cert-file=" + p.path("front-proxy-client.crt"),
		"--proxy-client-key-file=" + p.path("front-proxy-client.key"),
	}
}

// kwokKubeletArgs make kwok serve as the node's kubelet: TLS on 127.0.0.1
// at the port published in the node status, the Logs CRD watched.
func (p *plane) kwokKubeletArgs(port int) []string {
	if !p.opts.kubeletFeatures() {
		return []string{"--node-ip=10.240.0.1"}
	}
	args := []string{
		"--node-ip=127.0.0.1",
		"--node-port=" + strconv.Itoa(port),
		"--tls-cert-file=" + p.path("kwok.crt"),
		"--tls-private-key-file=" + p.path("kwok.key"),
	}
	if p.opts.Logs {
		args = append(args, "--enable-crds=Logs")
	}
	return args
}

// installLogsCRD installs kwok's Logs CRD before kwok starts watching it.
func (p *plane) installLogsCRD(ctx context.Context) error {
	if !p.opts.Logs {
		return nil
	}
	crd, err := kwokFiles.ReadFile("kwok/logs-crd.yaml")
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(p.config)
	if err != nil {
		return err
	}
	if err := ensureCRD(ctx, &ControlPlane{Dynamic: dyn}, crd); err != nil {
		return fmt.Errorf("kwok Logs CRD: %w", err)
	}
	return nil
}
