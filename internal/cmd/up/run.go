package up

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/emmdev/emmdev/internal/cluster"
	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/deploy"
	"github.com/emmdev/emmdev/internal/progress"
	"github.com/emmdev/emmdev/internal/repo"
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
	root, err := repo.Root(wd)
	if err != nil {
		return err
	}

	// Everything that can fail on bad input is checked before anything is
	// created, and every check runs even after one failed, so one run names
	// every problem: the key, the manifests and the cluster preflight.
	var problems []cluster.Problem
	ctrlObjs, err := loadController(p, o, root)
	if err != nil {
		problems = append(problems, cluster.Problem{Item: "key", Err: err})
	}
	manifestsDir := o.ManifestsDir
	if !filepath.IsAbs(manifestsDir) {
		manifestsDir = filepath.Join(root, manifestsDir)
	}
	step := p.Start("Reading " + rel(root, manifestsDir))
	objs, err := deploy.LoadDir(manifestsDir)
	if err != nil {
		step.Fail()
		problems = append(problems, cluster.Problem{Item: "manifests", Err: err})
	} else {
		step.Done()
	}
	policyObjs, err := loadAdmissionPolicies(p, o, wd, root)
	if err != nil {
		problems = append(problems, cluster.Problem{Item: "admission policies", Err: err})
	}

	var plan *cluster.Plan
	if !o.SkipCluster {
		var perr error
		plan, perr = cluster.Preflight(ctx, p, cluster.Options{
			RepoRoot:  root,
			Overrides: overrides(o, wd),
			Recreate:  o.Recreate,
			DryRun:    o.DryRun,
			Home:      o.IO.Env("HOME"),
			Folder:    cluster.FolderEnv{Getenv: o.IO.Env, Geteuid: os.Geteuid, Chown: os.Chown},
			Detect:    o.Detect,
			Log:       cluster.Logger{P: p},
		})
		var pe *cluster.PreflightError
		switch {
		case errors.As(perr, &pe):
			problems = append(problems, pe.Problems...)
		case perr != nil:
			problems = append(problems, cluster.Problem{Item: "cluster", Err: perr})
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if o.DryRun {
		printPlan(o.IO.Out, o, plan, ctrlObjs, objs, problems)
		printPolicyPlan(o.IO.Out, policyObjs)
		if len(problems) > 0 {
			// The plan above names each problem in full.
			return fmt.Errorf("%d problems: %w", len(problems), cmdutil.ErrSilent)
		}
		return nil
	}
	if len(problems) > 0 {
		return &cluster.PreflightError{Problems: problems}
	}
	if plan != nil {
		eo := cluster.EnsureOptions{Kubeconfig: kindKubeconfig(o), WaitForReady: o.Timeout, Registry: !o.NoRegistry}
		if o.Executable != nil {
			// The real binary runs kind in a child it can stop on Ctrl-C.
			if exe, err := o.Executable(); err == nil {
				eo.Create = cluster.ExecCreate(exe)
			}
		}
		if err := cluster.Ensure(ctx, p, plan, eo); err != nil {
			return err
		}
	}
	return deployPhase(ctx, p, o, plan, ctrlObjs, objs, policyObjs)
}

// kindKubeconfig is the kubeconfig file kind writes the context to.
func kindKubeconfig(o *Options) string { return cluster.KubeconfigFile(o.Kubeconfig, o.IO.Env) }

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
	kp, repaired, err := seal.LoadDevKeyPair(keyPath, certPath)
	if err != nil {
		step.Fail()
		// The plan still shows the controller that would be installed.
		objs, _ := deploy.SealedSecretsObjects()
		if !errors.Is(err, os.ErrNotExist) {
			return objs, err
		}
		return objs, fmt.Errorf("%w\nthe sealed-secrets controller must start with the dev key, or the SealedSecrets in git will not decrypt; %s",
			err, seal.MissingDevKeyHint(keyPath))
	}
	if repaired {
		p.Info("completed an interrupted `seal keygen`: %s rewritten from the key file", certPath)
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

func overrides(o *Options, wd string) cluster.FolderOverrides {
	return cluster.NewFolderOverrides(o.VaultDir, o.UnsortedDir, o.VolumesDir, o.IO.Env, wd)
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
