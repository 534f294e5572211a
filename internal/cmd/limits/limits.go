// Package limits wires the `emmdev limits` subcommand: the containers of the
// manifests, their peaks from Prometheus or from sampling the metrics API,
// limits recommended as peak plus headroom, and --write to put them into the
// YAML in place.
package limits

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	metricsv "k8s.io/metrics/pkg/client/clientset/versioned"

	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/kube"
	"github.com/emmdev/emmdev/internal/limits"
)

// Options holds everything `emmdev limits` needs; flags are parsed into it
// and Run acts on it, so both can be tested apart.
type Options struct {
	IO      cmdutil.IOStreams
	Context context.Context
	// WorkDir is where relative paths start; without PATH the manifests/
	// of the repository holding it are read, as up does.
	WorkDir func() (string, error)

	Paths []string
	Kube  kube.Flags

	Headroom      limits.Headroom
	Window        time.Duration // Prometheus look-back
	Watch         time.Duration // > 0: sample the metrics API this long instead
	Interval      time.Duration // between samples
	MinSamples    int
	Prometheus    string // URL; "" = through the API server's service proxy
	PromService   string // namespace/name:port for the service proxy
	AllowDecrease bool
	Write         bool
	Format        string // table or json
	// CallTimeout bounds every single call to the API server or Prometheus.
	CallTimeout time.Duration

	NewClient        func(*rest.Config) (kubernetes.Interface, error)
	NewMetricsClient func(*rest.Config) (metricsv.Interface, error)
	HTTPClient       *http.Client
}

// Defaults of the flags.
const (
	defaultWindow     = 7 * 24 * time.Hour
	defaultInterval   = 15 * time.Second
	defaultMinSamples = 3
	defaultPromSvc    = "prometheus:9090"
	defaultTimeout    = 10 * time.Second
)

// NewCmd builds the command. runF replaces Run in tests (nil for the real one).
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.Streams, WorkDir: f.WorkDir, Headroom: limits.DefaultHeadroom()}
	opts.defaults() // the clients; flags set the rest
	var headroom, window string
	cmd := &cobra.Command{
		Use:   "limits [flags] [PATH...]",
		Short: "Recommend container limits from observed peaks (+20%) and write them into the manifests",
		Long: `For every container of the manifests (default manifests/) that runs in the
cluster, show today's request and limit, the observed peak of memory and
CPU, and the recommended limit: peak × --headroom (default 1.2, the seed's
"profile it, add 20%"), memory rounded up to whole Mi and CPU to 10m, then to
a readable step of at most a quarter of the value (3.2Gi peak → 4Gi, 1.5
cores → 2). A recommendation never goes below today's request unless
--allow-decrease (which then lowers the request with it).

Evidence comes from the platform's Prometheus (the highest
container_memory_working_set_bytes and CPU rate over --window, default 7d),
reached through the API server's service proxy (--prometheus-service, default
<namespace>/prometheus:9090) or at --prometheus URL. With --watch DURATION it
samples the metrics API (metrics-server) instead, every --interval, while you
run a batch: the seed's "watch kubectl top during 100 files". A container
with fewer than --min-samples readings is reported, never guessed.

--write changes the limits (and, with --allow-decrease, requests) in place:
only those values, with comments, order and quoting kept.

Exit codes: 0 every limit at or above its recommendation (or --write done);
1 a limit is below its recommendation; 2 usage error, unreadable manifest,
no evidence reachable, cluster error; 130 interrupted.`,
		Example: `  emmdev limits                                   # Prometheus, last 7 days
  emmdev limits --watch 10m                       # sample kubectl-top data while a batch runs
  emmdev limits --window 24h --headroom 30%
  emmdev limits --prometheus http://localhost:9090 --write
  emmdev limits --watch 5m --format json manifests/51-mcp-content-classifier.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Context = cmd.Context()
			opts.Paths = args
			if err := opts.parse(headroom, window); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	fs := cmd.Flags()
	opts.Kube.AddFlags(fs, kube.DefaultNamespace)
	_ = fs.MarkHidden("all-namespaces")
	fs.StringVar(&headroom, "headroom", "1.2", "factor on the peak (1.2) or percentage added (20%)")
	fs.StringVar(&window, "window", "7d", "Prometheus look-back: 7d, 24h, 90m")
	fs.DurationVar(&opts.Watch, "watch", 0, "sample the metrics API for this long (e.g. 10m) instead of asking Prometheus")
	fs.DurationVar(&opts.Interval, "interval", defaultInterval, "with --watch: time between samples")
	fs.IntVar(&opts.MinSamples, "min-samples", defaultMinSamples, "readings a peak needs before it is trusted")
	fs.StringVar(&opts.Prometheus, "prometheus", "", "Prometheus URL (default: through the API server's service proxy)")
	fs.StringVar(&opts.PromService, "prometheus-service", "", "Prometheus Service as [namespace/]name:port (default <namespace>/"+defaultPromSvc+")")
	fs.BoolVar(&opts.AllowDecrease, "allow-decrease", false, "let a recommendation go below today's request (lowering the request too)")
	fs.BoolVar(&opts.Write, "write", false, "write the recommended limits into the manifests in place")
	fs.StringVarP(&opts.Format, "format", "o", "table", "output format: table or json")
	fs.DurationVar(&opts.CallTimeout, "call-timeout", defaultTimeout, "deadline of every single call to the API server or Prometheus")
	return cmd
}

// parse checks the flags and fills what they imply.
func (o *Options) parse(headroom, window string) error {
	h, err := limits.ParseHeadroom(headroom)
	if err != nil {
		return cmdutil.Usagef("--headroom: %v", err)
	}
	o.Headroom = h
	if o.Window, err = limits.ParseWindow(window); err != nil {
		return cmdutil.Usagef("--window: %v", err)
	}
	switch o.Format {
	case "table", "json":
	default:
		return cmdutil.Usagef("unknown format %q (want table or json)", o.Format)
	}
	if o.Watch < 0 || o.Interval <= 0 || o.CallTimeout <= 0 {
		return cmdutil.Usagef("--watch, --interval and --call-timeout must be positive")
	}
	if o.MinSamples < 1 {
		return cmdutil.Usagef("--min-samples must be at least 1")
	}
	if o.Watch > 0 && (o.Prometheus != "" || o.PromService != "") {
		return cmdutil.Usagef("--watch samples the metrics API; it cannot be combined with --prometheus or --prometheus-service")
	}
	if o.Prometheus != "" && o.PromService != "" {
		return cmdutil.Usagef("--prometheus and --prometheus-service cannot be used together")
	}
	if o.Prometheus != "" && !strings.HasPrefix(o.Prometheus, "http://") && !strings.HasPrefix(o.Prometheus, "https://") {
		return cmdutil.Usagef("--prometheus %q: want an http:// or https:// URL", o.Prometheus)
	}
	if o.PromService != "" {
		if _, _, _, err := splitService(o.PromService, "x"); err != nil {
			return cmdutil.Usagef("--prometheus-service: %v", err)
		}
	}
	if o.Kube.AllNamespaces {
		return cmdutil.Usagef("limits works on the namespaces of the manifests; -A does not apply")
	}
	return nil
}
