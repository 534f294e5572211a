package status

import (
	"context"
	"fmt"
	"io"
	"sync"

	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/emmdev/emmdev/internal/kube"
	"github.com/emmdev/emmdev/internal/tui"
	"github.com/emmdev/emmdev/internal/usage"
	"github.com/emmdev/emmdev/internal/watch"
)

func runTUI(ctx context.Context, o *Options, t kube.Target) error {
	// API warnings printed to stderr would scribble over the alternate
	// screen (the store silences client-go's logging the same way).
	// Only the start of each response is bounded (--request-timeout):
	// watches stream for as long as the screen is open, and a hung server
	// shows up in the header as reconnecting instead of a frozen screen.
	cfg := t.Live()
	cfg.WarningHandler = rest.NoWarnings{}
	client, err := o.NewClient(cfg)
	if err != nil {
		return fmt.Errorf("kubernetes client: %w", err)
	}
	storeCtx, stop := context.WithCancel(ctx)
	defer stop()
	model := tui.New(tui.Options{
		Context: t.Context, Namespace: t.Namespace, Selector: o.Selector,
		Color: o.IO.ColorOut(), Now: o.Now,
		Logs: PodLogs(client), Parent: storeCtx,
	})
	mc, err := o.NewMetricsClient(t.Config)
	if err != nil {
		next, _ := model.Update(tui.UsageMsg{Snapshot: usage.Snapshot{Note: "metrics client: " + err.Error()}})
		model, mc = next.(tui.Model), nil
	}
	opts := append([]tea.ProgramOption{tea.WithContext(ctx), tea.WithInput(o.IO.In), tea.WithOutput(o.IO.Out)}, o.TeaOptions...)
	p := tea.NewProgram(model, opts...)
	store := watch.New(client, watch.Options{Namespace: t.Namespace, Selector: o.Selector, Now: o.Now})
	var wg sync.WaitGroup
	wg.Go(func() {
		_ = store.Run(storeCtx, func(s watch.Snapshot) { p.Send(tui.SnapshotMsg{Snapshot: s}) })
	})
	if mc != nil {
		poller := usage.Poller{Client: mc, Namespace: t.Namespace, Selector: o.Selector, Interval: o.MetricsInterval}
		wg.Go(func() { _ = poller.Run(storeCtx, func(s usage.Snapshot) { p.Send(tui.UsageMsg{Snapshot: s}) }) })
	}
	_, err = p.Run()
	stop()
	wg.Wait()
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err() // interrupted: exit 130, printed once by app
	}
	return fmt.Errorf("status screen: %w", err)
}

// PodLogs reads container logs through the API server (pods/log), which
// asks the kubelet: what `kubectl logs [-p] [-f]` does.
func PodLogs(client kubernetes.Interface) tui.LogSource {
	return func(ctx context.Context, r tui.LogRequest) (io.ReadCloser, error) {
		tail := r.TailLines
		return client.CoreV1().Pods(r.Namespace).GetLogs(r.Pod, &corev1.PodLogOptions{
			Container: r.Container, Previous: r.Previous, Follow: r.Follow, TailLines: &tail,
		}).Stream(ctx)
	}
}
