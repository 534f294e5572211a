// Package down wires the `emmdev down` subcommand: it deletes the kind
// cluster (and, with --registry, the local registry container) and never
// touches the host data folders, saying where the data still is.
package down

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"
	"sigs.k8s.io/kind/pkg/log"

	"github.com/emmdev/emmdev/internal/cluster"
	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/progress"
)

// Options holds everything `emmdev down` needs; flags are parsed into it and
// Run acts on it, so both can be tested apart.
type Options struct {
	IO      cmdutil.IOStreams
	WorkDir func() (string, error)

	Registry    bool
	Kubeconfig  string
	VaultDir    string
	UnsortedDir string
	Verbose     bool
	Quiet       bool

	// Detect finds the container runtime; nil means kind's detection.
	Detect func(log.Logger) (cluster.Runtime, error)
}

// NewCmd builds the command. runF replaces Run in tests (nil for the real one).
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.Streams, WorkDir: f.WorkDir}
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Delete the kind cluster; the host data folders are kept",
		Long: `Delete the kind cluster "emm" and its kube context. The host data folders
(vault and unsorted) are never touched: the next ` + "`emmdev up`" + ` mounts them again.
With --registry the local registry container (kind-registry) is removed too.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Verbose && opts.Quiet {
				return cmdutil.Usagef("--verbose and --quiet cannot be combined")
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Registry, "registry", false, "also remove the local registry container "+cluster.RegistryName)
	fl.StringVar(&opts.Kubeconfig, "kubeconfig", "", "kubeconfig file to remove the context from (default $KUBECONFIG or ~/.kube/config)")
	fl.StringVar(&opts.VaultDir, "vault-dir", "", "vault folder, only to report it (env EMMDEV_VAULT_DIR)")
	fl.StringVar(&opts.UnsortedDir, "unsorted-dir", "", "unsorted folder, only to report it (env EMMDEV_UNSORTED_DIR)")
	fl.BoolVarP(&opts.Verbose, "verbose", "v", false, "show detail under each step")
	fl.BoolVarP(&opts.Quiet, "quiet", "q", false, "print only failures and the result")
	return cmd
}

// Run performs `emmdev down`.
func Run(o *Options) error {
	lvl := progress.Normal
	if o.Quiet {
		lvl = progress.Quiet
	} else if o.Verbose {
		lvl = progress.Verbose
	}
	p := progress.New(o.IO.ErrOut, o.IO.ErrIsTTY, o.IO.ColorErr(), lvl)
	wd, err := o.WorkDir()
	if err != nil {
		return fmt.Errorf("working directory: %w", err)
	}
	// The config names the cluster and the folders; without a repository the
	// defaults still let down delete "emm".
	name, folders := cluster.DefaultName, cluster.Folders{}
	if root, err := cluster.FindRepoRoot(wd); err == nil {
		if cfg, err := cluster.LoadConfig(filepath.Join(root, cluster.ConfigFile)); err == nil {
			if eff, f, err := cluster.Resolve(cfg, root, overrides(o, wd)); err == nil {
				name, folders = eff.Name, f
			}
		}
	}
	detect := o.Detect
	if detect == nil {
		detect = cluster.Detect
	}
	step := p.Start("Checking the container runtime")
	rt, err := detect(cluster.Logger{P: p})
	if err != nil {
		step.Fail()
		return err
	}
	names, err := rt.List()
	if err != nil {
		step.Fail()
		return fmt.Errorf("the container runtime does not answer (is the daemon running?): %w", err)
	}
	step.Done()

	if slices.Contains(names, name) {
		step = p.Start(fmt.Sprintf("Deleting cluster %q", name))
		if err := rt.Delete(name, o.Kubeconfig); err != nil {
			step.Fail()
			return fmt.Errorf("deleting cluster %q: %w", name, err)
		}
		step.Done()
	} else {
		p.Info("cluster %q does not exist; nothing to delete", name)
	}
	if o.Registry {
		step = p.Start("Removing the local registry " + cluster.RegistryName)
		existed, err := cluster.DeleteRegistry()
		if err != nil {
			step.Fail()
			return err
		}
		step.Done()
		if !existed {
			p.Info("there was no registry container %s", cluster.RegistryName)
		}
	}
	if folders.Vault != "" {
		fmt.Fprintf(o.IO.Out, "Your data is untouched:\n  vault     %s\n  unsorted  %s\n", folders.Vault, folders.Unsorted)
	} else {
		fmt.Fprintln(o.IO.Out, "The host data folders were not touched.")
	}
	return nil
}

func overrides(o *Options, wd string) cluster.FolderOverrides {
	return cluster.NewFolderOverrides(o.VaultDir, o.UnsortedDir, o.IO.Env, wd)
}
