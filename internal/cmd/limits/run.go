package limits

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	metricsv "k8s.io/metrics/pkg/client/clientset/versioned"

	"github.com/emmdev/emmdev/internal/atomicfile"
	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/kube"
	"github.com/emmdev/emmdev/internal/limits"
	"github.com/emmdev/emmdev/internal/repo"
)

// manifest is one parsed file, kept with its bytes for --write.
type manifest struct {
	path string
	data []byte
	mode os.FileMode
}

// Run reads the manifests, gathers evidence, prints the table or JSON and
// writes the limits with --write.
func Run(o *Options) error {
	ctx := o.Context
	if ctx == nil {
		ctx = context.Background()
	}
	o.defaults()
	if err := o.resolvePaths(); err != nil {
		return err
	}
	files, workloads, err := readManifests(o.Paths)
	if err != nil {
		return err
	}
	if len(workloads) == 0 {
		return fmt.Errorf("no workloads with containers in %s", strings.Join(o.Paths, ", "))
	}
	target, err := o.Kube.Resolve(o.IO.Env, kube.DefaultNamespace)
	if err != nil {
		return err
	}
	client, err := o.NewClient(target.OneShot())
	if err != nil {
		return fmt.Errorf("kubernetes client: %w", err)
	}
	targets := toTargets(workloads, target.Namespace)
	running, err := o.running(ctx, client, targets)
	if err != nil {
		return kube.ExplainTimeout(err, target.RequestTimeout)
	}
	ev, err := o.evidence(ctx, client, target)
	if err != nil {
		return err
	}
	peaks, err := ev.Peaks(ctx, runningTargets(targets, running))
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("gather evidence: %w", err)
	}
	rows := limits.Plan(workloads, target.Namespace, peaks, running,
		limits.Options{Headroom: o.Headroom, AllowDecrease: o.AllowDecrease, MinSamples: o.MinSamples})
	var written []string
	if o.Write {
		if written, err = write(files, rows); err != nil {
			return err
		}
	}
	rep := report{Evidence: ev.Source(), Headroom: o.Headroom.String(), MinSamples: o.MinSamples, Containers: rows, Written: written}
	if err := o.print(rep); err != nil {
		return err
	}
	if below := rep.below(); below > 0 && !o.Write {
		return &cmdutil.FindingsError{Summary: fmt.Sprintf("%d container(s) with a limit below the recommendation", below)}
	}
	return nil
}

func readManifests(paths []string) (map[string]*manifest, []*limits.Workload, error) {
	names, err := limits.Files(paths)
	if err != nil {
		return nil, nil, fmt.Errorf("manifests: %w", err)
	}
	files := map[string]*manifest{}
	var workloads []*limits.Workload
	for _, name := range names {
		fi, err := os.Stat(name)
		if err != nil {
			return nil, nil, err
		}
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, nil, err
		}
		docs, err := limits.ParseFile(name, data)
		if err != nil {
			return nil, nil, err
		}
		files[name] = &manifest{path: name, data: data, mode: fi.Mode().Perm()}
		for _, d := range docs {
			for _, w := range limits.Workloads(d) {
				if len(w.Containers) > 0 {
					workloads = append(workloads, w)
				}
			}
		}
	}
	return files, workloads, nil
}

func toTargets(ws []*limits.Workload, defaultNS string) []limits.Target {
	out := make([]limits.Target, 0, len(ws))
	for _, w := range ws {
		ns := w.Namespace
		if ns == "" {
			ns = defaultNS
		}
		t := limits.Target{Namespace: ns, Kind: w.Kind, Name: w.Name, Selector: w.Selector}
		for _, c := range w.Containers {
			t.Containers = append(t.Containers, c.Name)
		}
		out = append(out, t)
	}
	return out
}

// running lists the pods of each namespace once and marks the workloads
// that have any (key with an empty container).
func (o *Options) running(ctx context.Context, client kubernetes.Interface, targets []limits.Target) (map[limits.ContainerKey]bool, error) {
	out := map[limits.ContainerKey]bool{}
	listed := map[string]bool{}
	for _, t := range targets {
		if listed[t.Namespace] {
			continue
		}
		listed[t.Namespace] = true
		callCtx, cancel := context.WithTimeout(ctx, o.CallTimeout)
		pods, err := client.CoreV1().Pods(t.Namespace).List(callCtx, metav1.ListOptions{})
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("list pods in %s: %w", t.Namespace, err)
		}
		for _, tt := range targets {
			if tt.Namespace != t.Namespace {
				continue
			}
			for i := range pods.Items {
				if limits.PodOf(tt, &pods.Items[i]) {
					out[limits.ContainerKey{Namespace: tt.Namespace, Kind: tt.Kind, Workload: tt.Name}] = true
				}
			}
		}
	}
	return out, nil
}

func runningTargets(ts []limits.Target, running map[limits.ContainerKey]bool) []limits.Target {
	var out []limits.Target
	for _, t := range ts {
		if running[limits.ContainerKey{Namespace: t.Namespace, Kind: t.Kind, Workload: t.Name}] {
			out = append(out, t)
		}
	}
	return out
}

// evidence picks the source: sampling with --watch, else Prometheus, which
// must answer (within the call deadline) or the run stops with advice.
func (o *Options) evidence(ctx context.Context, client kubernetes.Interface, t kube.Target) (limits.Evidence, error) {
	if o.Watch > 0 {
		mc, err := o.NewMetricsClient(t.OneShot())
		if err != nil {
			return nil, fmt.Errorf("metrics client: %w", err)
		}
		fmt.Fprintf(o.IO.ErrOut, "sampling the metrics API every %s for %s (Ctrl-C stops)\n", o.Interval, o.Watch)
		return limits.Sampler{Kube: client, Metrics: mc, Duration: o.Watch, Interval: o.Interval, Timeout: o.CallTimeout}, nil
	}
	p := limits.Prometheus{Window: o.Window, Timeout: o.CallTimeout}
	if o.Prometheus != "" {
		p.Query, p.Where = limits.HTTPQuery(o.HTTPClient, o.Prometheus), o.Prometheus
	} else {
		svc := o.PromService
		if svc == "" {
			svc = defaultPromSvc
		}
		ns, name, port, err := splitService(svc, t.Namespace)
		if err != nil {
			return nil, cmdutil.Usagef("--prometheus-service: %v", err)
		}
		p.Query, p.Where = limits.ServiceProxyQuery(client, ns, name, port), "service "+ns+"/"+name+":"+port
	}
	if err := p.Reachable(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("no evidence: %w\n  start a Prometheus that scrapes the kubelets' cAdvisor metrics, point --prometheus at one, or sample the metrics API while the workload runs: emmdev limits --watch 10m", err)
	}
	return p, nil
}

// splitService reads [namespace/]name:port.
func splitService(s, defaultNS string) (ns, name, port string, err error) {
	ns = defaultNS
	if i := strings.IndexByte(s, '/'); i >= 0 {
		ns, s = s[:i], s[i+1:]
	}
	name, port, ok := strings.Cut(s, ":")
	if !ok || ns == "" || name == "" || port == "" {
		return "", "", "", fmt.Errorf("%q: want [namespace/]name:port, e.g. agentic-ai/prometheus:9090", s)
	}
	return ns, name, port, nil
}

// write applies the recommended edits to each file, atomically, keeping
// its mode, and returns the files written.
func write(files map[string]*manifest, rows []limits.Row) ([]string, error) {
	var written []string
	for path, edits := range limits.Edits(rows) {
		m := files[path]
		out, err := limits.Apply(path, m.data, edits)
		if err != nil {
			return written, err
		}
		if err := atomicfile.Write(path, out, m.mode); err != nil {
			return written, fmt.Errorf("write %s: %w", path, err)
		}
		written = append(written, path)
	}
	if len(written) == 0 {
		return nil, nil
	}
	return sortStrings(written), nil
}

// defaults fills what Options built without flags (tests, other callers)
// leave zero.
// resolvePaths makes PATHs relative to the work dir absolute, and without
// PATH picks the repository's manifests/ (found from the work dir, so
// limits works from any subdirectory, like up).
func (o *Options) resolvePaths() error {
	if o.WorkDir == nil {
		o.WorkDir = os.Getwd
	}
	wd, err := o.WorkDir()
	if err != nil {
		return err
	}
	if len(o.Paths) == 0 {
		root, err := repo.Root(wd)
		if err != nil {
			root = wd // not in git: manifests/ next to where we are
		}
		o.Paths = []string{filepath.Join(root, "manifests")}
		return nil
	}
	for i, p := range o.Paths {
		if !filepath.IsAbs(p) {
			o.Paths[i] = filepath.Join(wd, p)
		}
	}
	return nil
}

func (o *Options) defaults() {
	if o.CallTimeout <= 0 {
		o.CallTimeout = defaultTimeout
	}
	if o.Interval <= 0 {
		o.Interval = defaultInterval
	}
	if o.MinSamples <= 0 {
		o.MinSamples = defaultMinSamples
	}
	if o.Window <= 0 {
		o.Window = defaultWindow
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	if o.NewClient == nil {
		o.NewClient = func(c *rest.Config) (kubernetes.Interface, error) { return kubernetes.NewForConfig(c) }
	}
	if o.NewMetricsClient == nil {
		o.NewMetricsClient = func(c *rest.Config) (metricsv.Interface, error) { return metricsv.NewForConfig(c) }
	}
}
