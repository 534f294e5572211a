package status

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"text/tabwriter"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/kube"
	"github.com/emmdev/emmdev/internal/tui"
	"github.com/emmdev/emmdev/internal/usage"
	"github.com/emmdev/emmdev/internal/watch"
)

// podJSON is the stable -o json shape; field names are a public contract.
type podJSON struct {
	Namespace   string     `json:"namespace"`
	Name        string     `json:"name"`
	App         string     `json:"app"`
	Ready       int        `json:"ready"`
	Total       int        `json:"total"`
	Status      string     `json:"status"`
	Restarts    int32      `json:"restarts"`
	LastRestart *string    `json:"lastRestart"` // RFC 3339, null if never restarted
	LastCause   string     `json:"lastCause"`
	AgeSeconds  int64      `json:"ageSeconds"`
	Node        string     `json:"node"`
	Usage       *usageJSON `json:"usage"` // null when the metrics API has nothing for the pod
}

// usageJSON is a pod's or a container's usage; percentages are null
// without a limit to compare with.
type usageJSON struct {
	Name               string      `json:"name,omitempty"` // containers only
	CPU                string      `json:"cpu"`
	CPUMillicores      int64       `json:"cpuMillicores"`
	CPULimitPercent    *float64    `json:"cpuLimitPercent"`
	Memory             string      `json:"memory"`
	MemoryBytes        int64       `json:"memoryBytes"`
	MemoryLimitPercent *float64    `json:"memoryLimitPercent"`
	MemoryNearLimit    bool        `json:"memoryNearLimit"`
	Containers         []usageJSON `json:"containers,omitempty"`
}

type metricsJSON struct {
	Available bool   `json:"available"`
	Note      string `json:"note,omitempty"`
}

type listJSON struct {
	Metrics metricsJSON `json:"metrics"`
	Items   []podJSON   `json:"items"`
}

// row is one pod of the --once output with its usage, if any.
type row struct {
	watch.Pod
	usage      *usage.Usage
	containers []usage.ContainerUsage
}

func runOnce(ctx context.Context, o *Options, client kubernetes.Interface, t kube.Target) error {
	pods, err := watch.List(ctx, client, t.Namespace, o.Selector)
	if err != nil {
		return err
	}
	metrics := o.fetchMetrics(ctx, t, len(pods))
	if ctx.Err() != nil {
		return ctx.Err()
	}
	rows := joinUsage(pods, metrics)
	sortRows(rows, o.Sort)
	now := o.Now()
	if o.Output == "json" {
		err = writeJSON(o, rows, metrics, now)
	} else {
		err = writeTable(o, t, rows, metrics, now)
	}
	if err != nil {
		return err
	}
	if !o.FailIfNotReady {
		return nil
	}
	notReady := 0
	for _, p := range pods {
		if p.NotReady() {
			notReady++
		}
	}
	if notReady == 0 {
		return nil
	}
	msg := fmt.Sprintf("%d of %d pods not ready", notReady, len(pods))
	fmt.Fprintln(o.IO.ErrOut, msg)
	return &cmdutil.FindingsError{Summary: msg}
}

// fetchMetrics reads the metrics API once (with its own deadline). Without
// pods there is nothing to relate usage to, so it is not asked.
func (o *Options) fetchMetrics(ctx context.Context, t kube.Target, pods int) usage.Snapshot {
	if pods == 0 {
		return usage.Snapshot{}
	}
	mc, err := o.NewMetricsClient(t.Config)
	if err != nil {
		return usage.Snapshot{Note: "metrics client: " + err.Error()}
	}
	s, err := usage.Fetch(ctx, mc, t.Namespace, o.Selector, usage.DefaultTimeout)
	if err != nil {
		return usage.Snapshot{Note: err.Error()}
	}
	return s
}

func joinUsage(pods []watch.Pod, m usage.Snapshot) []row {
	rows := make([]row, len(pods))
	for i, p := range pods {
		rows[i].Pod = p
		if !m.Available {
			continue
		}
		if pm, ok := m.Pods[usage.Key{Namespace: p.Namespace, Name: p.Name}]; ok {
			u := usage.PodTotal(p.Object, pm)
			rows[i].usage, rows[i].containers = &u, usage.PerContainer(p.Object, pm)
		}
	}
	return rows
}

func writeJSON(o *Options, rows []row, m usage.Snapshot, now time.Time) error {
	out := listJSON{Metrics: metricsJSON{Available: m.Available, Note: m.Note}, Items: make([]podJSON, 0, len(rows))}
	for _, r := range rows {
		p := r.Pod
		j := podJSON{
			Namespace: p.Namespace, Name: p.Name, App: p.App, Ready: p.Ready, Total: p.Total,
			Status: p.Status, Restarts: p.Restarts, LastCause: p.LastCause, Node: p.Node,
			AgeSeconds: int64(now.Sub(p.Created) / time.Second),
		}
		if !p.LastRestart.IsZero() {
			s := p.LastRestart.UTC().Format(time.RFC3339)
			j.LastRestart = &s
		}
		if r.usage != nil {
			u := toJSON("", *r.usage)
			for _, c := range r.containers {
				u.Containers = append(u.Containers, toJSON(c.Name, c.Usage))
			}
			j.Usage = &u
		}
		out.Items = append(out.Items, j)
	}
	enc := json.NewEncoder(o.IO.Out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

func toJSON(name string, u usage.Usage) usageJSON {
	return usageJSON{Name: name, CPU: usage.CPU(u.CPUMilli), CPUMillicores: u.CPUMilli, CPULimitPercent: percent(u.CPULimitPct),
		Memory: usage.Memory(u.MemBytes), MemoryBytes: u.MemBytes, MemoryLimitPercent: percent(u.MemLimitPct),
		MemoryNearLimit: u.NearMemLimit}
}

// percent rounds to one decimal; nil (JSON null) without a limit.
func percent(p float64) *float64 {
	if p < 0 {
		return nil
	}
	r := math.Round(p*10) / 10
	return &r
}

func writeTable(o *Options, t kube.Target, rows []row, m usage.Snapshot, now time.Time) error {
	if len(rows) == 0 {
		where := "namespace " + t.NamespaceLabel()
		if t.Namespace == "" {
			where = "any namespace"
		}
		if o.Selector != "" {
			where += " matching " + o.Selector
		}
		_, err := fmt.Fprintf(o.IO.ErrOut, "No pods found in %s.\n", where)
		return err
	}
	if !m.Available {
		// stderr: stdout stays the table a script may parse.
		fmt.Fprintf(o.IO.ErrOut, "CPU/MEM columns hidden: %s\n", m.Note)
	}
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	if t.Namespace == "" {
		fmt.Fprint(tw, "NAMESPACE\t")
	}
	fmt.Fprint(tw, "APP\tNAME\tREADY\tSTATUS\tRESTARTS\t")
	if m.Available {
		fmt.Fprint(tw, "CPU\t%CPU/L\tMEM\t%MEM/L\t")
	}
	fmt.Fprintln(tw, "LAST RESTART CAUSE\tAGE\tNODE")
	for _, r := range rows {
		p := r.Pod
		if t.Namespace == "" {
			fmt.Fprintf(tw, "%s\t", p.Namespace)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t", p.App, p.Name, tui.Ready(p.Summary), p.Status, tui.FormatRestarts(p.Summary, now))
		switch {
		case m.Available && r.usage != nil:
			u := *r.usage
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t", usage.CPU(u.CPUMilli), usage.Pct(u.CPULimitPct), usage.Memory(u.MemBytes), usage.MemPct(u))
		case m.Available:
			fmt.Fprint(tw, "-\t-\t-\t-\t")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", dash(p.LastCause), tui.Age(p.Created, now), dash(p.Node))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
