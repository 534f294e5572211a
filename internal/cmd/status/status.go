// Package status wires the `emmdev status` subcommand: flags into Options,
// then Run picks the mode: the live TUI on a terminal, one table (or JSON)
// with --once or without a terminal, or one line per change with --watch
// without a terminal.
package status

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	metricsv "k8s.io/metrics/pkg/client/clientset/versioned"

	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/kube"
	"github.com/emmdev/emmdev/internal/usage"
)

// Options holds everything `emmdev status` needs; flags are parsed into it and
// Run acts on it, so both can be tested apart.
type Options struct {
	IO      cmdutil.IOStreams
	Context context.Context

	Kube           kube.Flags
	Selector       string
	Once           bool
	Watch          bool
	Output         string // "" or "table", or "json"
	FailIfNotReady bool

	// Sort orders the --once table and JSON (see sortKeys).
	Sort string

	// NewClient builds the API client; tests substitute a fake.
	NewClient func(*rest.Config) (kubernetes.Interface, error)
	// NewMetricsClient builds the metrics.k8s.io client.
	NewMetricsClient func(*rest.Config) (metricsv.Interface, error)
	// MetricsInterval is how often the live screen reads the metrics API.
	MetricsInterval time.Duration
	// Now is the clock for ages and timestamps.
	Now func() time.Time
	// TeaOptions are extra bubbletea options (tests set a window size, as
	// buffers are not terminals).
	TeaOptions []tea.ProgramOption
}

// NewCmd builds the command. runF replaces Run in tests (nil for the real one).
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{
		IO: f.Streams,
		NewClient: func(c *rest.Config) (kubernetes.Interface, error) {
			return kubernetes.NewForConfig(c)
		},
		NewMetricsClient: func(c *rest.Config) (metricsv.Interface, error) {
			return metricsv.NewForConfig(c)
		},
		MetricsInterval: usage.DefaultInterval,
		Now:             time.Now,
	}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Live pods, readiness, CPU/memory against limits and the cause of each restart",
		Long: `Show the pods of a namespace (default agentic-ai) live: READY, STATUS,
RESTARTS with when, and the cause of the last restart (OOMKilled with the
memory limit, exit code or signal, failed probe). On a terminal this is an
interactive screen (press ? for keys); pods whose restarts rose since it
opened are marked with ↑.

With the metrics API (metrics-server) the table also shows CPU and memory
usage and their share of the limit (%CPU/L, %MEM/L, n/a without a limit);
"!" marks a pod with a container above 90% of its memory limit. Without the
API these columns are hidden and a one-line note says why. In the details
view (enter) the current container's log follows at the bottom; p switches
to the previous container's last lines, c to the next container, / searches.

Without a terminal, or with --once, the table is printed once; -o json
prints it for scripts as {"metrics": {...}, "items": [...]}, each item with
the stable fields namespace, name, app, ready, total, status, restarts,
lastRestart (RFC 3339, null if never), lastCause, ageSeconds, node and usage
(null without metrics; else cpu, cpuMillicores, cpuLimitPercent, memory,
memoryBytes, memoryLimitPercent, memoryNearLimit and the same per container;
percentages null without a limit). --sort orders them. --watch without a terminal
prints one timestamped line per change (ADDED, MODIFIED, DELETED,
CONNECTION), for CI logs, until interrupted.

Exit codes: 0 ok; 1 with --once --fail-if-not-ready when a pod is not
ready; 2 usage or cluster error (including forbidden); 130 interrupted.`,
		Example: `  emmdev status
  emmdev status -A -l app.kubernetes.io/part-of=emm
  emmdev status --once --fail-if-not-ready     # CI health check
  emmdev status --once -o json | jq '.items[] | select(.ready < .total)'
  emmdev status --once --sort memory-limit      # closest to the memory limit first
  emmdev status --watch > pods.log             # one line per change`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Context = cmd.Context()
			if err := opts.validate(); err != nil {
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
	fs.StringVarP(&opts.Selector, "selector", "l", "", "label selector, e.g. app=api,tier!=cache")
	fs.BoolVar(&opts.Once, "once", false, "print the table once and exit")
	fs.BoolVarP(&opts.Watch, "watch", "w", false, "without a terminal: print one line per change until interrupted")
	fs.StringVarP(&opts.Output, "output", "o", "", "output format for --once: table or json")
	fs.BoolVar(&opts.FailIfNotReady, "fail-if-not-ready", false, "with --once: exit 1 when any pod is not ready")
	fs.StringVar(&opts.Sort, "sort", "", "with --once: order by "+strings.Join(sortNames(), ", "))
	return cmd
}

func (o *Options) validate() error {
	switch o.Output {
	case "", "table", "json":
	default:
		return cmdutil.Usagef("unknown output format %q (want table or json)", o.Output)
	}
	if o.Once && o.Watch {
		return cmdutil.Usagef("--once and --watch cannot be used together")
	}
	if o.Output == "json" && o.Watch {
		return cmdutil.Usagef("-o json prints one snapshot; it cannot be combined with --watch")
	}
	if o.Sort != "" && sortKeys[o.Sort] == nil {
		return cmdutil.Usagef("unknown sort %q (want one of %s)", o.Sort, strings.Join(sortNames(), ", "))
	}
	if o.Kube.AllNamespaces && o.Kube.Namespace != "" {
		return cmdutil.Usagef("--namespace and --all-namespaces cannot be used together")
	}
	return nil
}

type mode int

const (
	modeOnce mode = iota
	modeLines
	modeTUI
)

// mode decides what Run does. A terminal on both ends gets the TUI;
// otherwise nothing interactive can work.
func (o *Options) mode() mode {
	tty := o.IO.OutIsTTY && o.IO.InIsTTY
	switch {
	case o.Once, o.Output == "json":
		return modeOnce
	case tty:
		return modeTUI
	case o.Watch:
		return modeLines
	}
	return modeOnce
}

// Run connects and runs the selected mode.
func Run(o *Options) error {
	ctx := o.Context
	if ctx == nil {
		ctx = context.Background()
	}
	if o.FailIfNotReady && o.mode() != modeOnce {
		return cmdutil.Usagef("--fail-if-not-ready needs --once (or no terminal, without --watch)")
	}
	if o.Sort != "" && o.mode() != modeOnce {
		return cmdutil.Usagef("--sort needs --once (on the live screen press s, or a column key)")
	}
	target, err := o.Kube.Resolve(o.IO.Env, kube.DefaultNamespace)
	if err != nil {
		return err
	}
	if o.mode() == modeTUI {
		return runTUI(ctx, o, target)
	}
	// --once ends: each call gets the whole request timeout. --watch runs
	// until interrupted: only the start of each response is bounded, so
	// watches stream while a hung server shows up as reconnecting.
	cfg := target.OneShot()
	if o.mode() == modeLines {
		cfg = target.Live()
	}
	client, err := o.NewClient(cfg)
	if err != nil {
		return fmt.Errorf("kubernetes client: %w", err)
	}
	switch o.mode() {
	case modeLines:
		return runLines(ctx, o, client, target)
	}
	return kube.ExplainTimeout(runOnce(ctx, o, client, target), target.RequestTimeout)
}
