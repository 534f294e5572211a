// Package up wires the `emmdev up` subcommand: flags into Options, then Run
// takes the platform from nothing to ready: preflight, kind cluster (created,
// reused or refused), local registry, sealed-secrets controller with the dev
// key, server-side apply of manifests/, and a wait with diagnosis.
package up

import (
	"context"
	"time"

	"github.com/spf13/cobra"
	"sigs.k8s.io/kind/pkg/log"

	"github.com/emmdev/emmdev/internal/cluster"
	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/kube"
)

// Options holds everything `emmdev up` needs; flags are parsed into it and
// Run acts on it, so both can be tested apart.
type Options struct {
	IO      cmdutil.IOStreams
	WorkDir func() (string, error)
	Ctx     context.Context
	// Executable is the running emmdev binary, for running kind in a child
	// that an interrupt can stop; nil runs kind in-process (tests).
	Executable func() (string, error)

	SkipCluster bool
	NoWait      bool
	Recreate    bool
	DryRun      bool
	NoRegistry  bool
	Timeout     time.Duration
	// RequestTimeout bounds every API call (--request-timeout).
	RequestTimeout time.Duration
	// ForceConflicts takes over fields another field manager owns on a
	// cluster up did not make (--force-conflicts).
	ForceConflicts bool
	// NoPolicies skips installing the admission policies of policies/.
	NoPolicies bool

	Kubeconfig   string
	Context      string
	VaultDir     string
	UnsortedDir  string
	VolumesDir   string
	ManifestsDir string // relative to the repository root unless absolute
	KeyPath      string // dev sealing key; default seal.DefaultKeyPaths
	CertPath     string

	Verbose bool
	Quiet   bool

	// Detect finds the container runtime; nil means kind's detection.
	Detect func(log.Logger) (cluster.Runtime, error)
}

// NewCmd builds the command. runF replaces Run in tests (nil for the real one).
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.Streams, WorkDir: f.WorkDir, Executable: f.Executable}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Create (or reuse) the kind cluster and deploy the EMM platform until it is ready",
		Long: `Create or reuse the kind cluster "emm" from kind-config.yaml, start the local
registry (localhost:5001), install the sealed-secrets controller with the dev
sealing key, apply manifests/ with server-side apply, and wait until every
Deployment and StatefulSet is available.

Preflight checks run before anything is created, all of them in one run:
dev key, manifests, container runtime, kind config, data folders (created if
missing, must be writable; /, your home folder and the repository root are
refused) and host ports. An existing cluster is reused only when its config
is unchanged; otherwise up explains what changed and stops (--recreate
deletes and recreates it; the host data folders are never touched).

Data folders default to ./data/vault, ./data/unsorted and ./data/volumes (the
PersistentVolumes of Redis, Prometheus, Tempo and Grafana, one folder per
claim) in the repository; override with --vault-dir/--unsorted-dir/
--volumes-dir or EMMDEV_VAULT_DIR/EMMDEV_UNSORTED_DIR/EMMDEV_VOLUMES_DIR.

Server-side apply takes over fields another field manager owns only on the
cluster up made; with --skip-cluster such fields are listed with their owner
and up exits 1, unless --force-conflicts.

Exit codes: 0 ready, 1 workloads not ready before --timeout (each pod named
with its cause) or fields owned by someone else, 2 preflight or tool failure
(nothing created on preflight failure), 130 interrupted.`,
		Example: `  emmdev up                      # everything, from nothing or from a stopped session
  emmdev up --dry-run            # show what would happen
  emmdev up --skip-cluster       # deploy to the current kube context only
  emmdev up --recreate           # after changing kind-config.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Ctx = cmd.Context()
			if opts.Verbose && opts.Quiet {
				return cmdutil.Usagef("--verbose and --quiet cannot be combined")
			}
			if opts.Timeout <= 0 && !opts.NoWait {
				return cmdutil.Usagef("--timeout must be positive (or use --no-wait)")
			}
			if opts.SkipCluster && opts.Recreate {
				return cmdutil.Usagef("--recreate needs the cluster phase; drop --skip-cluster")
			}
			if opts.Context != "" && !opts.SkipCluster {
				return cmdutil.Usagef("--context selects the cluster for --skip-cluster; without it up uses %q", cluster.ContextName(cluster.DefaultName))
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.SkipCluster, "skip-cluster", false, "use the current kube context: deploy phase only")
	fl.BoolVar(&opts.NoWait, "no-wait", false, "do not wait for workloads to become available")
	fl.DurationVar(&opts.Timeout, "timeout", 5*time.Minute, "how long to wait for workloads")
	fl.BoolVar(&opts.Recreate, "recreate", false, "delete and recreate the cluster when its config changed")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the plan and change nothing")
	fl.BoolVar(&opts.NoRegistry, "no-registry", false, "do not run the local image registry")
	fl.BoolVar(&opts.NoPolicies, "no-admission-policies", false, "do not install the CEL rules of policies/ as ValidatingAdmissionPolicies")
	fl.StringVar(&opts.Kubeconfig, "kubeconfig", "", "kubeconfig file (default $KUBECONFIG or ~/.kube/config)")
	fl.StringVar(&opts.Context, "context", "", "kube context for --skip-cluster (default: current context)")
	fl.StringVar(&opts.VaultDir, "vault-dir", "", "host folder mounted at /mnt/data/vault (env EMMDEV_VAULT_DIR)")
	fl.StringVar(&opts.UnsortedDir, "unsorted-dir", "", "host folder mounted at /mnt/data/unsorted (env EMMDEV_UNSORTED_DIR)")
	fl.StringVar(&opts.VolumesDir, "volumes-dir", "", "host folder holding the PersistentVolumes, one folder per claim (env EMMDEV_VOLUMES_DIR)")
	fl.BoolVar(&opts.ForceConflicts, "force-conflicts", false, "with --skip-cluster: take over fields another field manager owns")
	kube.AddRequestTimeoutFlag(fl, &opts.RequestTimeout)
	fl.StringVar(&opts.ManifestsDir, "manifests", "manifests", "manifests directory, relative to the repository root")
	fl.StringVar(&opts.KeyPath, "sealing-key", "", "dev sealing private key (default $EMMDEV_SEALING_KEY or ~/.config/emmdev/sealing/dev-key.pem)")
	fl.StringVar(&opts.CertPath, "sealing-cert", "", "dev sealing certificate (default $EMMDEV_SEALING_CERT or .emmdev/dev-sealing-cert.pem)")
	fl.BoolVarP(&opts.Verbose, "verbose", "v", false, "show detail under each step")
	fl.BoolVarP(&opts.Quiet, "quiet", "q", false, "print only failures and the result")
	return cmd
}
