package up

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/emmdev/emmdev/internal/cluster"
	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/deploy"
	"github.com/emmdev/emmdev/internal/progress"
	"github.com/emmdev/emmdev/internal/seal"
)

// Run performs `emmdev up`.
func Run(o *Options) error {
	ctx := o.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	p := progress.New(o.IO.ErrOut, o.IO.ErrIsTTY, o.IO.ColorErr(), level(o))
	wd, err := o.WorkDir()
	if err != nil {
		return fmt.Errorf("working directory: %w", err)
	}
	root, err := cluster.FindRepoRoot(wd)
	if err != nil {
		return err
	}

	// Everything that can fail on bad input is read before anything is
	// created: the key, the manifests and (below) the cluster preflight.
	ctrlObjs, err := loadController(p, o, root)
	if err != nil {
		return err
	}
	manifestsDir := o.ManifestsDir
	if !filepath.IsAbs(manifestsDir) {
		manifestsDir = filepath.Join(root, manifestsDir)
	}
	step := p.Start("Reading " + rel(root, manifestsDir))
	objs, err := deploy.LoadDir(manifestsDir)
	if err != nil {
		step.Fail()
		return err
	}
	step.Done()
	policyObjs, err := loadAdmissionPolicies(p, o, wd, root)
	if err != nil {
		return err
	}

	var plan *cluster.Plan
	if !o.SkipCluster {
		plan, err = cluster.Preflight(p, cluster.Options{
			RepoRoot:  root,
			Overrides: overrides(o, wd),
			Recreate:  o.Recreate,
			DryRun:    o.DryRun,
			Folder:    cluster.FolderEnv{Getenv: o.IO.Env, Geteuid: os.Geteuid, Chown: os.Chown},
			Detect:    o.Detect,
			Log:       cluster.Logger{P: p},
		})
		if err != nil {
			return err
		}
	}
	if o.DryRun {
		printPlan(o.IO.Out, o, plan, ctrlObjs, objs)
		printPolicyPlan(o.IO.Out, policyObjs)
		return nil
	}
	if plan != nil {
		if err := cluster.Ensure(p, plan, cluster.EnsureOptions{
			Kubeconfig: o.Kubeconfig, WaitForReady: o.Timeout, Registry: !o.NoRegistry,
		}); err != nil {
			return err
		}
	}
	return deployPhase(ctx, p, o, plan, ctrlObjs, objs, policyObjs)
}

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
	cfg, ns, err := restConfig(o.Kubeconfig, kubeContext)
	if err != nil {
		step.Fail()
		return err
	}
	clients, err := deploy.NewClients(cfg)
	if err == nil {
		_, err = clients.Kube.Discovery().ServerVersion()
	}
	if err != nil {
		step.Fail()
		return fmt.Errorf("connecting to %s: %w", name, err)
	}
	p.Detail("%s, default namespace %s", cfg.Host, ns)
	step.Done()
	applier := &deploy.Applier{
		Clients:          clients,
		DefaultNamespace: ns,
		OnObject:         func(id string, out deploy.Outcome) { p.Detail("%s %s", id, out) },
	}

	step = p.Start("Installing the sealed-secrets controller with the dev key")
	ctrl, err := applier.Apply(ctx, ctrlObjs)
	if err != nil {
		step.Fail()
		return fmt.Errorf("installing the sealed-secrets controller: %w", err)
	}
	step.Done()

	if err := installAdmissionPolicies(ctx, p, applier, policyObjs); err != nil {
		return err
	}

	step = p.Start(fmt.Sprintf("Applying %d objects (server-side, field manager %s)", len(objs), deploy.FieldManager))
	res, err := applier.Apply(ctx, objs)
	if err != nil {
		step.Fail()
		return fmt.Errorf("applying manifests: %w", err)
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

func loadController(p *progress.Printer, o *Options, root string) ([]deploy.Object, error) {
	keyPath, certPath := seal.DefaultKeyPaths(o.IO.Env)
	if o.KeyPath != "" {
		keyPath = o.KeyPath
	}
	if o.CertPath != "" {
		certPath = o.CertPath
	}
	if !filepath.IsAbs(certPath) {
		certPath = filepath.Join(root, certPath)
	}
	step := p.Start("Loading the dev sealing key")
	kp, err := seal.LoadKeyPair(keyPath, certPath)
	if err != nil {
		step.Fail()
		if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		hint := "the sealed-secrets controller must start with the dev key, or the SealedSecrets in git will not decrypt; " +
			seal.MissingDevKeyHint(keyPath)
		if o.DryRun {
			// A plan is still useful without the key: show the controller
			// that would be installed and say what is missing.
			p.Info("warning: %v\n%s", err, hint)
			return deploy.SealedSecretsObjects()
		}
		return nil, fmt.Errorf("%w\n%s", err, hint)
	}
	objs, err := deploy.ControllerWithKey(kp)
	if err != nil {
		step.Fail()
		return nil, err
	}
	p.Detail("certificate %s, fingerprint %s", certPath, kp.Fingerprint())
	step.Done()
	return objs, nil
}

// restConfig loads the kubeconfig (explicit path or the usual rules) with
// the given context and returns the context's namespace as the default.
func restConfig(kubeconfig, kubeContext string) (*rest.Config, string, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubeContext})
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, "", fmt.Errorf("kubeconfig: %w", err)
	}
	ns, _, err := cc.Namespace()
	if err != nil {
		return nil, "", fmt.Errorf("kubeconfig: %w", err)
	}
	return cfg, ns, nil
}

func overrides(o *Options, wd string) cluster.FolderOverrides {
	return cluster.NewFolderOverrides(o.VaultDir, o.UnsortedDir, o.IO.Env, wd)
}

func level(o *Options) progress.Level {
	switch {
	case o.Quiet:
		return progress.Quiet
	case o.Verbose:
		return progress.Verbose
	}
	return progress.Normal
}

func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(r, "..") {
		return r + "/"
	}
	return path
}

func printNotReady(w io.Writer, nrs []deploy.NotReady, timeout string) {
	fmt.Fprintf(w, "Not ready after %s:\n", timeout)
	for _, nr := range nrs {
		fmt.Fprintf(w, "  %s: %s\n", nr.Workload, nr.Reason)
		for _, s := range nr.Pods {
			fmt.Fprintf(w, "    pod %s\n", s)
		}
		if len(nr.Pods) == 0 {
			fmt.Fprintf(w, "    no pods (see `kubectl describe %s -n %s %s`)\n", strings.ToLower(nr.Workload.Kind), nr.Workload.Namespace, nr.Workload.Name)
		}
	}
	fmt.Fprintln(w, "Run `emmdev status` to watch them, or raise --timeout.")
}
