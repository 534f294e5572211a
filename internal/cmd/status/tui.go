package status

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"
	"k8s.io/client-go/rest"

	"github.com/emmdev/emmdev/internal/kube"
	"github.com/emmdev/emmdev/internal/tui"
	"github.com/emmdev/emmdev/internal/watch"
)

func runTUI(ctx context.Context, o *Options, t kube.Target) error {
	model := tui.New(tui.Options{
		Context: t.Context, Namespace: t.Namespace, Selector: o.Selector,
		Color: o.IO.ColorOut(), Now: o.Now,
	})
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
	opts := append([]tea.ProgramOption{tea.WithContext(ctx), tea.WithInput(o.IO.In), tea.WithOutput(o.IO.Out)}, o.TeaOptions...)
	p := tea.NewProgram(model, opts...)
	storeCtx, stop := context.WithCancel(ctx)
	store := watch.New(client, watch.Options{Namespace: t.Namespace, Selector: o.Selector, Now: o.Now})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = store.Run(storeCtx, func(s watch.Snapshot) { p.Send(tui.SnapshotMsg{Snapshot: s}) })
	}()
	_, err = p.Run()
	stop()
	<-done
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err() // interrupted: exit 130, printed once by app
	}
	return fmt.Errorf("status screen: %w", err)
}
