package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	kind "sigs.k8s.io/kind/pkg/cluster"
	"sigs.k8s.io/kind/pkg/cluster/nodes"
	kindexec "sigs.k8s.io/kind/pkg/exec"
	"sigs.k8s.io/kind/pkg/log"

	"github.com/emmdev/emmdev/internal/progress"
)

// Runtime is the part of kind's *cluster.Provider emmdev uses; the real one
// is kind's provider, so tests exercise kind's own code with a fake docker.
type Runtime interface {
	List() ([]string, error)
	ListNodes(name string) ([]nodes.Node, error)
	Create(name string, options ...kind.CreateOption) error
	Delete(name, explicitKubeconfigPath string) error
	ExportKubeConfig(name, explicitPath string, internal bool) error
}

// ErrNoRuntime is returned when no container runtime is installed.
var ErrNoRuntime = errors.New("no container runtime found: install Docker (or Podman / nerdctl) and make sure its CLI is on PATH")

// Detect finds the node provider the way kind's CLI does.
func Detect(logger log.Logger) (Runtime, error) {
	opt, err := kind.DetectNodeProvider()
	if err != nil {
		return nil, ErrNoRuntime
	}
	return kind.NewProvider(opt, kind.ProviderWithLogger(logger)), nil
}

// ContextName is the kube context kind writes for a cluster.
func ContextName(name string) string { return "kind-" + name }

// KubeconfigFile is the kubeconfig file kind writes a cluster's context to
// and removes it from, chosen from the injected environment as every
// kubeconfig emmdev loads (explicit, else the first KUBECONFIG entry, else
// ~/.kube/config): kind itself would read the process environment, and
// kind and emmdev must not disagree.
func KubeconfigFile(explicit string, getenv func(string) string) string {
	if explicit != "" {
		return explicit
	}
	if list := filepath.SplitList(getenv("KUBECONFIG")); len(list) > 0 && list[0] != "" {
		return list[0]
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".kube", "config")
	}
	return ""
}

// Action is what Ensure will do.
type Action string

// Actions.
const (
	ActionCreate   Action = "create"
	ActionReuse    Action = "reuse"
	ActionRecreate Action = "recreate"
)

// Options for Preflight.
type Options struct {
	RepoRoot   string
	ConfigPath string // default <RepoRoot>/kind-config.yaml
	Overrides  FolderOverrides
	Recreate   bool
	DryRun     bool // check only: create no folder
	Folder     FolderEnv
	// Home is the user's home folder, refused as a data folder.
	Home string
	// Detect finds the runtime; nil means kind's DetectNodeProvider.
	Detect func(log.Logger) (Runtime, error)
	Log    log.Logger
}

// Plan is what Preflight found: what Ensure will do and, item by item,
// what stands in the way (Problems).
type Plan struct {
	Runtime  Runtime
	Name     string
	Config   *v1alpha4.Cluster // effective config handed to kind; nil if kind-config.yaml is unusable
	Rendered []byte
	Hash     string
	Folders  Folders
	Created  []string // folders created (or, in a dry run, to be created)
	Action   Action   // "" when it could not be decided (no runtime)
	Docker   bool     // the runtime is docker: the local registry can be run
	// Problems are the failed checks, in the order they ran.
	Problems []Problem
}

// Problem is one failed preflight check. Item names what failed in the
// words of the plan ("runtime", "config", "cluster", "folder <path>",
// "port <addr>"), so a dry run can mark the line.
type Problem struct {
	Item string
	Err  error
}

// Failed reports the problem of item, if any.
func (p *Plan) Failed(item string) error {
	for _, pr := range p.Problems {
		if pr.Item == item {
			return pr.Err
		}
	}
	return nil
}

func (p *Plan) fail(item string, err error) {
	p.Problems = append(p.Problems, Problem{Item: item, Err: err})
}

// PreflightError lists every failed check of one preflight run, so a user
// without Docker and without a free port learns both at once.
type PreflightError struct{ Problems []Problem }

func (e *PreflightError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].Err.Error()
	}
	lines := []string{fmt.Sprintf("%d problems, nothing was created:", len(e.Problems))}
	for _, p := range e.Problems {
		lines = append(lines, "  - "+strings.ReplaceAll(p.Err.Error(), "\n", "\n    "))
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.Is see each problem (context.Canceled among them).
func (e *PreflightError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p.Err
	}
	return errs
}

// RefusedError explains why an existing cluster is not reused.
type RefusedError struct {
	Name string
	Diff string // empty when the cluster has no recorded config
}

func (e *RefusedError) Error() string {
	if e.Diff == "" {
		return fmt.Sprintf("cluster %q exists but has no record of its config (created by kind directly, or an earlier up was interrupted);\n"+
			"mounts and ports cannot change on a running kind cluster: run `emmdev up --recreate` to delete and recreate it (data folders on the host are kept)", e.Name)
	}
	return fmt.Sprintf("cluster %q was created with a different config; mounts and ports are fixed at creation, so it cannot be updated in place.\n"+
		"Changes since it was created (- cluster, + kind-config.yaml now):\n%s"+
		"Run `emmdev up --recreate` to delete and recreate it (data folders on the host are kept), or undo the change.", e.Name, e.Diff)
}

// Await runs f, a call into kind or docker that takes no context, and
// returns when it ends or when ctx is cancelled, whichever comes first. A
// cancelled call is abandoned: these calls only read, or are repeated by
// the next up or down, and the process ends right after.
func Await(ctx context.Context, f func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Preflight checks everything before anything is created: the runtime
// answers, the config decodes, the data folders are acceptable, an existing
// cluster has the same config and every host port is free unless this
// cluster holds it. Every check runs even when an earlier one failed, so one
// run names every problem; the returned error is a *PreflightError and the
// plan (always returned) says item by item what failed. Only when all
// checks pass are missing data folders created (never in a dry run).
func Preflight(ctx context.Context, p *progress.Printer, o Options) (*Plan, error) {
	if o.Log == nil {
		o.Log = log.NoopLogger{}
	}
	if o.Detect == nil {
		o.Detect = Detect
	}
	if o.ConfigPath == "" {
		o.ConfigPath = o.RepoRoot + string(os.PathSeparator) + ConfigFile
	}
	plan := &Plan{}
	names, runtimeOK := checkRuntime(ctx, p, o, plan)
	if err := ctx.Err(); err != nil {
		return plan, err
	}
	if !checkConfig(p, o, plan) {
		return plan, &PreflightError{Problems: plan.Problems}
	}
	checkFolders(p, o, plan)
	var stored *Stored
	exists := runtimeOK && slices.Contains(names, plan.Name)
	if exists {
		stored = checkExisting(ctx, p, o, plan)
	} else if runtimeOK {
		plan.Action = ActionCreate
	}
	if err := ctx.Err(); err != nil {
		return plan, err
	}
	checkPorts(p, plan, heldPorts(exists, stored, plan.Config))
	if len(plan.Problems) > 0 {
		return plan, &PreflightError{Problems: plan.Problems}
	}
	// Folders last: every check that creates nothing has passed by now.
	if !o.DryRun {
		step := p.Start("Creating missing data folders")
		for _, dir := range plan.Created {
			if _, err := EnsureFolder(dir, true, o.Folder); err != nil {
				step.Fail()
				plan.fail("folder "+dir, err)
				return plan, &PreflightError{Problems: plan.Problems}
			}
		}
		step.Done()
	}
	return plan, nil
}

func checkRuntime(ctx context.Context, p *progress.Printer, o Options, plan *Plan) (names []string, ok bool) {
	step := p.Start("Checking the container runtime")
	var rt Runtime
	err := Await(ctx, func() (err error) {
		rt, err = o.Detect(o.Log)
		if err != nil {
			return err
		}
		if names, err = rt.List(); err != nil {
			return fmt.Errorf("the container runtime does not answer (is the daemon running?): %w", err)
		}
		plan.Docker = isDocker()
		return nil
	})
	if err != nil {
		step.Fail()
		if ctx.Err() == nil {
			plan.fail("runtime", err)
		}
		return nil, false
	}
	plan.Runtime = rt
	step.Done()
	return names, true
}

func checkConfig(p *progress.Printer, o Options, plan *Plan) bool {
	step := p.Start("Reading " + ConfigFile)
	err := func() error {
		cfg, err := LoadConfig(o.ConfigPath)
		if err != nil {
			return err
		}
		eff, folders, err := Resolve(cfg, o.RepoRoot, o.Overrides)
		if err != nil {
			return err
		}
		plan.Name, plan.Config, plan.Folders = eff.Name, eff, folders
		if plan.Rendered, err = Render(eff); err != nil {
			return err
		}
		plan.Hash, err = Hash(eff)
		return err
	}()
	if err != nil {
		step.Fail()
		plan.Config = nil
		plan.fail("config", err)
		return false
	}
	for _, m := range MountArgs(plan.Config) {
		p.Detail("mount %s", m)
	}
	step.Done()
	return true
}

// checkFolders checks each data folder without creating anything; the
// missing ones are listed in plan.Created for Preflight to create at the end.
func checkFolders(p *progress.Printer, o Options, plan *Plan) {
	step := p.Start("Checking data folders")
	n := len(plan.Problems)
	plan.Problems = append(plan.Problems, RefuseFolders(plan.Folders, o.RepoRoot, o.Home)...)
	for _, f := range plan.Folders.List() {
		if plan.Failed("folder "+f[1]) != nil {
			continue
		}
		missing, err := EnsureFolder(f[1], false, o.Folder)
		switch {
		case err != nil:
			plan.fail("folder "+f[1], err)
		case missing:
			plan.Created = append(plan.Created, f[1])
			p.Detail("%s %s (to be created)", f[0], f[1])
		default:
			p.Detail("%s %s", f[0], f[1])
		}
	}
	step.End(len(plan.Problems) == n)
}

func checkExisting(ctx context.Context, p *progress.Printer, o Options, plan *Plan) *Stored {
	step := p.Start(fmt.Sprintf("Comparing with the existing cluster %q", plan.Name))
	var stored *Stored
	err := Await(ctx, func() error {
		nodeList, err := plan.Runtime.ListNodes(plan.Name)
		if err == nil {
			stored, err = ReadStored(nodeList)
		}
		return err
	})
	switch {
	case err != nil:
	case stored != nil && stored.Hash == plan.Hash:
		plan.Action = ActionReuse
	case o.Recreate:
		plan.Action = ActionRecreate
	case stored == nil:
		err = &RefusedError{Name: plan.Name}
	default:
		err = &RefusedError{Name: plan.Name, Diff: Diff(stored.Config, plan.Rendered)}
	}
	if err != nil {
		step.Fail()
		if ctx.Err() == nil {
			plan.fail("cluster", err)
		}
		return stored
	}
	step.Done()
	return stored
}

func checkPorts(p *progress.Printer, plan *Plan, held map[string]bool) {
	step := p.Start("Checking host ports")
	ok := true
	for _, port := range HostPorts(plan.Config) {
		if held[port.String()] {
			p.Detail("%s held by cluster %q", port, plan.Name)
			continue
		}
		if err := CheckPort(port); err != nil {
			ok = false
			plan.fail("port "+port.String(), fmt.Errorf("%s: nodes[%d].extraPortMappings[%d]: host port %s is in use: stop what holds it or change the hostPort: %w",
				ConfigFile, port.Node, port.Index, port, err))
			continue
		}
		p.Detail("%s free", port)
	}
	step.End(ok)
}

// heldPorts are the ports the existing cluster publishes: those in its
// recorded config, or, without a record, every port the config names
// (assume the cluster holds them rather than refuse for the wrong reason).
func heldPorts(exists bool, stored *Stored, eff *v1alpha4.Cluster) map[string]bool {
	held := map[string]bool{}
	if !exists {
		return held
	}
	src := eff
	if stored != nil {
		if old, err := ParseConfig("recorded config", stored.Config); err == nil {
			src = old
		}
	}
	for _, p := range HostPorts(src) {
		held[p.String()] = true
	}
	return held
}

// EnsureOptions for Ensure.
type EnsureOptions struct {
	Kubeconfig   string        // explicit kubeconfig file ("" = $KUBECONFIG or ~/.kube/config)
	WaitForReady time.Duration // kind's wait for the control plane
	Registry     bool          // run the local registry (docker only)
	// Create runs kind's create; nil means CreateInProcess.
	Create Creator
}

// Ensure carries out the plan: create, reuse or recreate the cluster, record
// its config, export the kube context and set up the local registry. A
// cancelled ctx stops it between docker calls; kind's create is stopped the
// way o.Create can (see Creator).
func Ensure(ctx context.Context, p *progress.Printer, plan *Plan, o EnsureOptions) error {
	rt := plan.Runtime
	switch plan.Action {
	case ActionReuse:
		p.Start(fmt.Sprintf("Reusing cluster %q (config unchanged)", plan.Name)).Done()
	case ActionRecreate:
		step := p.Start(fmt.Sprintf("Deleting cluster %q to recreate it (data folders are kept)", plan.Name))
		if err := Await(ctx, func() error { return rt.Delete(plan.Name, o.Kubeconfig) }); err != nil {
			step.Fail()
			return fmt.Errorf("deleting cluster %q: %w", plan.Name, err)
		}
		step.Done()
		fallthrough
	case ActionCreate:
		step := p.Start(fmt.Sprintf("Creating cluster %q", plan.Name))
		create := o.Create
		if create == nil {
			create = CreateInProcess
		}
		if err := create(ctx, p, plan, o); err != nil {
			step.Fail()
			return fmt.Errorf("creating cluster %q: %w", plan.Name, err)
		}
		err := Await(ctx, func() error {
			nodeList, err := rt.ListNodes(plan.Name)
			if err == nil {
				err = WriteStored(nodeList, Stored{Hash: plan.Hash, Config: plan.Rendered})
			}
			return err
		})
		if err != nil {
			step.Fail()
			return err
		}
		step.Done()
	default:
		return fmt.Errorf("unknown cluster action %q", plan.Action)
	}

	step := p.Start(fmt.Sprintf("Setting kube context %q", ContextName(plan.Name)))
	if err := Await(ctx, func() error { return rt.ExportKubeConfig(plan.Name, o.Kubeconfig, false) }); err != nil {
		step.Fail()
		return fmt.Errorf("exporting kubeconfig: %w", err)
	}
	step.Done()

	if !o.Registry {
		return nil
	}
	if !plan.Docker {
		p.Info("local registry skipped: it needs docker")
		return nil
	}
	step = p.Start(fmt.Sprintf("Local registry localhost:%d", RegistryHostPort))
	err := Await(ctx, func() error {
		nodeList, err := rt.ListNodes(plan.Name)
		if err == nil {
			err = EnsureRegistry(nodeList)
		}
		return err
	})
	if err != nil {
		step.Fail()
		return err
	}
	step.Done()
	return nil
}

// isDocker matches kind's own docker detection (`docker -v`).
func isDocker() bool {
	lines, err := kindexec.OutputLines(kindexec.Command("docker", "-v"))
	return err == nil && len(lines) == 1 && strings.HasPrefix(lines[0], "Docker version")
}
