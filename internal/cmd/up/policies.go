package up

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/emmdev/emmdev/internal/deploy"
	"github.com/emmdev/emmdev/internal/policyload"
	"github.com/emmdev/emmdev/internal/progress"
)

// policyTimeout bounds the wait for the API server to enforce the
// admission policies and kube-controller-manager to type-check them.
const policyTimeout = 2 * time.Minute

// loadAdmissionPolicies exports the rules emmdev lint uses (embedded and the
// repository's policies/) as cluster objects, before anything is created:
// a broken policy file stops up with its file:line.
func loadAdmissionPolicies(p *progress.Printer, o *Options, wd, root string) ([]*unstructured.Unstructured, error) {
	if o.NoPolicies {
		return nil, nil
	}
	step := p.Start("Reading the admission policies (policies/*.yaml)")
	l, err := policyload.Load(policyload.Options{WorkDir: wd, Start: root})
	if err != nil {
		step.Fail()
		return nil, err
	}
	for _, n := range l.Notices {
		p.Detail("notice: %s", n)
	}
	objs, err := l.CEL.Export(l.ExportOptions())
	if err != nil {
		step.Fail()
		return nil, err
	}
	step.Done()
	return objs, nil
}

// installAdmissionPolicies applies them before manifests/, so the cluster
// checks the platform (and every later kubectl apply) as lint does.
func installAdmissionPolicies(ctx context.Context, p *progress.Printer, applier *deploy.Applier, objs []*unstructured.Unstructured) error {
	if len(objs) == 0 {
		return nil
	}
	rules := 0
	for _, o := range objs {
		if o.GetKind() == "ValidatingAdmissionPolicy" {
			rules++
		}
	}
	step := p.Start(fmt.Sprintf("Installing %d admission policies and waiting until they are enforced", rules))
	res, err := applier.InstallAdmissionPolicies(ctx, objs, policyTimeout)
	if err != nil {
		step.Fail()
		return fmt.Errorf("installing the admission policies: %w", err)
	}
	for _, pr := range res.Pruned {
		p.Detail("deleted %s (its rule is gone)", pr)
	}
	for _, w := range res.TypeWarnings {
		p.Detail("type-checking warning: %s", w)
	}
	step.Done()
	return nil
}

// printPolicyPlan adds the admission policies to --dry-run's plan.
func printPolicyPlan(w io.Writer, objs []*unstructured.Unstructured) {
	var names []string
	for _, o := range objs {
		if o.GetKind() == "ValidatingAdmissionPolicy" {
			names = append(names, o.GetName())
		}
	}
	if len(names) == 0 {
		return
	}
	fmt.Fprintf(w, "Admission policies (before manifests, `emmdev policies export`): %s\n", strings.Join(names, ", "))
}
