package up

import (
	"context"
	"errors"
	"fmt"
	"io"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/emmdev/emmdev/internal/cluster"
	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/deploy"
	"github.com/emmdev/emmdev/internal/kube"
	"github.com/emmdev/emmdev/internal/progress"
)

func deployPhase(ctx context.Context, p *progress.Printer, o *Options, plan *cluster.Plan, ctrlObjs, objs []deploy.Object, policyObjs []*unstructured.Unstructured) error {
	kubeContext := o.Context
	if plan != nil {
		kubeContext = cluster.ContextName(plan.Name)
	}
	name := kubeContext
	if name == "" {
		name = "the current context"
	}
	step := p.Start("Connecting to " + name)
	// The injected environment's kubeconfig, KUBECONFIG list merged as
	// kubectl does; kind wrote its context into the first file of it.
	target, err := kube.Flags{Kubeconfig: o.Kubeconfig, Context: kubeContext, RequestTimeout: o.RequestTimeout}.Resolve(o.IO.Env, "")
	if err != nil {
		step.Fail()
		return err
	}
	cfg := target.OneShot()
	clients, err := deploy.NewClients(cfg)
	if err == nil {
		_, err = clients.Kube.Discovery().ServerVersion()
	}
	if err != nil {
		step.Fail()
		return kube.ExplainTimeout(fmt.Errorf("connecting to %s: %w", name, err), o.RequestTimeout)
	}
	p.Detail("%s, default namespace %s", cfg.Host, target.Namespace)
	step.Done()
	// On the cluster up made, emmdev owns everything; anywhere else
	// (--skip-cluster) fields someone else set are theirs unless the user
	// says --force-conflicts.
	force := o.ForceConflicts || plan != nil
	applier := &deploy.Applier{
		Clients:          clients,
		DefaultNamespace: target.Namespace,
		Force:            force,
		OnObject:         func(id string, out deploy.Outcome) { p.Detail("%s %s", id, out) },
	}

	step = p.Start("Installing the sealed-secrets controller with the dev key")
	ctrl, err := applier.Apply(ctx, ctrlObjs)
	if err != nil {
		step.Fail()
		return applyError(o.IO.Out, "installing the sealed-secrets controller", err)
	}
	step.Done()

	if err := installAdmissionPolicies(ctx, p, applier, policyObjs); err != nil {
		return err
	}

	step = p.Start(fmt.Sprintf("Applying %d objects (server-side, field manager %s)", len(objs), deploy.FieldManager))
	res, err := applier.Apply(ctx, objs)
	if err != nil {
		step.Fail()
		return applyError(o.IO.Out, "applying manifests", err)
	}
	step.Done()
	p.Info("%s", res)

	if o.NoWait {
		printNextSteps(o.IO.Out, plan, objs, false)
		return nil
	}
	workloads := append(ctrl.Workloads, res.Workloads...)
	step = p.Start(fmt.Sprintf("Waiting for %d Deployments and StatefulSets (timeout %s)", len(workloads), o.Timeout))
	notReady, err := deploy.Wait(ctx, clients.Kube, workloads, deploy.WaitOptions{
		Timeout: o.Timeout,
		OnReady: func(w deploy.Workload) { p.Detail("%s available", w) },
	})
	if err != nil {
		step.Fail()
		return err
	}
	if len(notReady) > 0 {
		step.Fail()
		printNotReady(o.IO.Out, notReady, o.Timeout.String())
		return &cmdutil.FindingsError{Summary: fmt.Sprintf("%d of %d workloads not ready", len(notReady), len(workloads))}
	}
	step.Done()
	printNextSteps(o.IO.Out, plan, objs, true)
	return nil
}

// applyError reports fields owned by another field manager as findings
// (exit 1), each with its owner; anything else is a failure.
func applyError(w io.Writer, what string, err error) error {
	var ce *deploy.ConflictError
	if !errors.As(err, &ce) {
		return fmt.Errorf("%s: %w", what, err)
	}
	fmt.Fprintln(w, ce.Error())
	fmt.Fprintln(w, "This cluster was not made by `emmdev up`, so up does not take these fields over.\n"+
		"Take them with --force-conflicts (as kubectl apply --server-side --force-conflicts), or agree with their owner first.")
	return &cmdutil.FindingsError{Summary: fmt.Sprintf("%s: %d fields managed by someone else", what, len(ce.Conflicts))}
}
