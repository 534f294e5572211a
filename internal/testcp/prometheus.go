package testcp

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"

	"github.com/emmdev/emmdev/internal/atomicfile"
)

// PrometheusScrapeInterval is how often the tests' Prometheus scrapes
// kwok's simulated kubelet resource metrics.
const PrometheusScrapeInterval = "1s"

// prometheusConfig scrapes kwok's /metrics/resource for the node, which
// carries container_memory_working_set_bytes and
// container_cpu_usage_seconds_total with the kubelet's container, pod and
// namespace labels.
func prometheusConfig(kwokPort int) []byte {
	return fmt.Appendf(nil, `global:
  scrape_interval: %[1]s
  evaluation_interval: %[1]s
scrape_configs:
  - job_name: kubelet-resource
    metrics_path: %[2]s
    static_configs:
      - targets: ["127.0.0.1:%[3]d"]
`, PrometheusScrapeInterval, resourceMetricsPath, kwokPort)
}

// startPrometheus runs Prometheus with its TSDB in the plane's temp dir. It
// listens on every interface, so a test can also reach it through the API
// server's service proxy (which refuses loopback endpoints).
func (p *plane) startPrometheus(ctx context.Context) error {
	if err := atomicfile.Write(p.path("prometheus.yml"), prometheusConfig(p.kwokPort), 0o644); err != nil {
		return err
	}
	if err := os.MkdirAll(p.path("prometheus-data"), 0o700); err != nil {
		return err
	}
	return retryOnPortClash(func() error {
		port, err := freePort()
		if err != nil {
			return err
		}
		p.prometheusPort = port
		p.prometheus = p.newBinary("prometheus", prometheusBinary,
			"--config.file="+p.path("prometheus.yml"),
			"--storage.tsdb.path="+p.path("prometheus-data"),
			"--web.listen-address=:"+strconv.Itoa(port),
			"--log.level=warn",
		)
		if err := p.prometheus.start(); err != nil {
			return err
		}
		return waitFor(ctx, p.prometheus, func(ctx context.Context) error {
			return httpOK(ctx, http.DefaultClient, p.prometheusURL()+"/-/ready")
		})
	})
}

func (p *plane) prometheusURL() string { return "http://127.0.0.1:" + strconv.Itoa(p.prometheusPort) }

// PrometheusURL is the tests' Prometheus (Options.Prometheus), scraping
// kwok's kubelet resource metrics every PrometheusScrapeInterval.
func (c *ControlPlane) PrometheusURL() string { return c.p.prometheusURL() }

// PrometheusPort is its port on every interface of this machine.
func (c *ControlPlane) PrometheusPort() int { return c.p.prometheusPort }
