package cluster

import (
	"errors"
	"fmt"
	"os"
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
	// Detect finds the runtime; nil means kind's DetectNodeProvider.
	Detect func(log.Logger) (Runtime, error)
	Log    log.Logger
}

// Plan is the outcome of a successful preflight.
type Plan struct {
	Runtime  Runtime
	Name     string
	Config   *v1alpha4.Cluster // effective config handed to kind
	Rendered []byte
	Hash     string
	Folders  Folders
	Created  []string // folders created (or, in a dry run, to be created)
	Action   Action
	Docker   bool // the runtime is docker: the local registry can be run
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

// Preflight checks everything before anything is created: the runtime
// answers, the config decodes, an existing cluster has the same config,
// every host port is free unless this cluster holds it, and finally the data
// folders exist (created if missing) and are writable. Each check is a step
// line; the first failure stops with a clear error.
func Preflight(p *progress.Printer, o Options) (plan *Plan, err error) {
	if o.Log == nil {
		o.Log = log.NoopLogger{}
	}
	if o.Detect == nil {
		o.Detect = Detect
	}
	if o.ConfigPath == "" {
		o.ConfigPath = o.RepoRoot + string(os.PathSeparator) + ConfigFile
	}
	plan = &Plan{}

	step := p.Start("Checking the container runtime")
	rt, err := o.Detect(o.Log)
	if err != nil {
		step.Fail()
		return nil, err
	}
	names, err := rt.List()
	if err != nil {
		step.Fail()
		return nil, fmt.Errorf("the container runtime does not answer (is the daemon running?): %w", err)
	}
	plan.Runtime = rt
	plan.Docker = isDocker()
	step.Done()

	step = p.Start("Reading " + ConfigFile)
	cfg, err := LoadConfig(o.ConfigPath)
	if err != nil {
		step.Fail()
		return nil, err
	}
	eff, folders, err := Resolve(cfg, o.RepoRoot, o.Overrides)
	if err != nil {
		step.Fail()
		return nil, err
	}
	plan.Name, plan.Config, plan.Folders = eff.Name, eff, folders
	if plan.Rendered, err = Render(eff); err != nil {
		step.Fail()
		return nil, err
	}
	if plan.Hash, err = Hash(eff); err != nil {
		step.Fail()
		return nil, err
	}
	for _, m := range MountArgs(eff) {
		p.Detail("mount %s", m)
	}
	step.Done()

	exists := slices.Contains(names, plan.Name)
	var stored *Stored
	if exists {
		step = p.Start(fmt.Sprintf("Comparing with the existing cluster %q", plan.Name))
		nodeList, err := rt.ListNodes(plan.Name)
		if err == nil {
			stored, err = ReadStored(nodeList)
		}
		if err != nil {
			step.Fail()
			return nil, err
		}
		switch {
		case stored != nil && stored.Hash == plan.Hash:
			plan.Action = ActionReuse
		case o.Recreate:
			plan.Action = ActionRecreate
		case stored == nil:
			step.Fail()
			return nil, &RefusedError{Name: plan.Name}
		default:
			step.Fail()
			return nil, &RefusedError{Name: plan.Name, Diff: Diff(stored.Config, plan.Rendered)}
		}
		step.Done()
	} else {
		plan.Action = ActionCreate
	}

	step = p.Start("Checking host ports")
	held := heldPorts(exists, stored, eff)
	for _, port := range HostPorts(eff) {
		if held[port.String()] {
			p.Detail("%s held by cluster %q", port, plan.Name)
			continue
		}
		if err := CheckPort(port); err != nil {
			step.Fail()
			return nil, fmt.Errorf("%s: nodes[%d].extraPortMappings[%d]: host port %s is in use: stop what holds it or change the hostPort: %w",
				ConfigFile, port.Node, port.Index, port, err)
		}
		p.Detail("%s free", port)
	}
	step.Done()

	// Folders last: every check that creates nothing has passed by now.
	step = p.Start("Preparing data folders")
	for _, dir := range []string{folders.Vault, folders.Unsorted} {
		created, err := EnsureFolder(dir, !o.DryRun, o.Folder)
		if err != nil {
			step.Fail()
			return nil, err
		}
		if created {
			plan.Created = append(plan.Created, dir)
		}
		p.Detail("%s", dir)
	}
	step.Done()
	return plan, nil
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
}

// Ensure carries out the plan: create, reuse or recreate the cluster, record
// its config, export the kube context and set up the local registry.
func Ensure(p *progress.Printer, plan *Plan, o EnsureOptions) error {
	rt := plan.Runtime
	switch plan.Action {
	case ActionReuse:
		p.Start(fmt.Sprintf("Reusing cluster %q (config unchanged)", plan.Name)).Done()
	case ActionRecreate:
		step := p.Start(fmt.Sprintf("Deleting cluster %q to recreate it", plan.Name))
		if err := rt.Delete(plan.Name, o.Kubeconfig); err != nil {
			step.Fail()
			return fmt.Errorf("deleting cluster %q: %w", plan.Name, err)
		}
		step.Done()
		fallthrough
	case ActionCreate:
		step := p.Start(fmt.Sprintf("Creating cluster %q", plan.Name))
		err := rt.Create(plan.Name,
			kind.CreateWithV1Alpha4Config(plan.Config),
			kind.CreateWithWaitForReady(o.WaitForReady),
			kind.CreateWithKubeconfigPath(o.Kubeconfig),
			kind.CreateWithDisplayUsage(false),
			kind.CreateWithDisplaySalutation(false),
		)
		if err != nil {
			step.Fail()
			return fmt.Errorf("creating cluster %q: %w", plan.Name, err)
		}
		nodeList, err := rt.ListNodes(plan.Name)
		if err == nil {
			err = WriteStored(nodeList, Stored{Hash: plan.Hash, Config: plan.Rendered})
		}
		if err != nil {
			step.Fail()
			return err
		}
		step.Done()
	default:
		return fmt.Errorf("unknown cluster action %q", plan.Action)
	}

	step := p.Start(fmt.Sprintf("Setting kube context %q", ContextName(plan.Name)))
	if err := rt.ExportKubeConfig(plan.Name, o.Kubeconfig, false); err != nil {
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
	nodeList, err := rt.ListNodes(plan.Name)
	if err == nil {
		err = EnsureRegistry(nodeList)
	}
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
