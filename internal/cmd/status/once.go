package status

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/kube"
	"github.com/emmdev/emmdev/internal/tui"
	"github.com/emmdev/emmdev/internal/watch"
)

// podJSON is the stable -o json shape; field names are a public contract.
type podJSON struct {
	Namespace   string  `json:"namespace"`
	Name        string  `json:"name"`
	App         string  `json:"app"`
	Ready       int     `json:"ready"`
	Total       int     `json:"total"`
	Status      string  `json:"status"`
	Restarts    int32   `json:"restarts"`
	LastRestart *string `json:"lastRestart"` // RFC 3339, null if never restarted
	LastCause   string  `json:"lastCause"`
	AgeSeconds  int64   `json:"ageSeconds"`
	Node        string  `json:"node"`
}

type listJSON struct {
	Items []podJSON `json:"items"`
}

func runOnce(ctx context.Context, o *Options, client kubernetes.Interface, t kube.Target) error {
	pods, err := watch.List(ctx, client, t.Namespace, o.Selector)
	if err != nil {
		return err
	}
	now := o.Now()
	if o.Output == "json" {
		err = writeJSON(o, pods, now)
	} else {
		err = writeTable(o, t, pods, now)
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

func writeJSON(o *Options, pods []watch.Pod, now time.Time) error {
	out := listJSON{Items: make([]podJSON, 0, len(pods))}
	for _, p := range pods {
		j := podJSON{
			Namespace: p.Namespace, Name: p.Name, App: p.App, Ready: p.Ready, Total: p.Total,
			Status: p.Status, Restarts: p.Restarts, LastCause: p.LastCause, Node: p.Node,
			AgeSeconds: int64(now.Sub(p.Created) / time.Second),
		}
		if !p.LastRestart.IsZero() {
			s := p.LastRestart.UTC().Format(time.RFC3339)
			j.LastRestart = &s
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

func writeTable(o *Options, t kube.Target, pods []watch.Pod, now time.Time) error {
	if len(pods) == 0 {
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
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	if t.Namespace == "" {
		fmt.Fprint(tw, "NAMESPACE\t")
	}
	fmt.Fprintln(tw, "APP\tNAME\tREADY\tSTATUS\tRESTARTS\tLAST RESTART CAUSE\tAGE\tNODE")
	for _, p := range pods {
		if t.Namespace == "" {
			fmt.Fprintf(tw, "%s\t", p.Namespace)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.App, p.Name, tui.Ready(p.Summary), p.Status,
			tui.FormatRestarts(p.Summary, now), dash(p.LastCause), tui.Age(p.Created, now), dash(p.Node))
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
