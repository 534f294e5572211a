// Package down wires the `emmdev down` subcommand: it deletes the kind
// cluster (and, with --registry, the local registry container), never
// touches the host data folders, and says exactly what it deleted and what
// it kept, each kept folder with its size.
package down

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/kind/pkg/log"

	"github.com/emmdev/emmdev/internal/cluster"
	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/progress"
	"github.com/emmdev/emmdev/internal/repo"
)

// Options holds everything `emmdev down` needs; flags are parsed into it and
// Run acts on it, so both can be tested apart.
type Options struct {
	IO      cmdutil.IOStreams
	WorkDir func() (string, error)
	Ctx     context.Context

	Registry    bool
	Kubeconfig  string
	VaultDir    string
	UnsortedDir string
	VolumesDir  string
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
		Long: `Delete the kind cluster "emm" and its kube context, and list what was deleted
and what is kept.

Kept: the host data folders vault, unsorted and volumes (the PersistentVolumes
of Redis, Prometheus, Tempo and Grafana, one folder per claim), each shown
with its size; the next ` + "`emmdev up`" + ` mounts them again and every claim finds
its folder. Deleted with the node: etcd (every Kubernetes object; up applies
manifests/ again), the images pulled into the node (pulled again), logs, and
the volumes of any other StorageClass. With --registry the local registry
container (kind-registry) and the images pushed to it are removed too.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Ctx = cmd.Context()
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
	fl.StringVar(&opts.VolumesDir, "volumes-dir", "", "volumes folder, only to report it (env EMMDEV_VOLUMES_DIR)")
	fl.BoolVarP(&opts.Verbose, "verbose", "v", false, "show detail under each step")
	fl.BoolVarP(&opts.Quiet, "quiet", "q", false, "print only failures and the result")
	return cmd
}

// Run performs `emmdev down`.
func Run(o *Options) error {
	ctx := o.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
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
	if root, err := repo.Root(wd); err == nil {
		if cfg, err := cluster.LoadConfig(filepath.Join(root, cluster.ConfigFile)); err == nil {
			ov := cluster.NewFolderOverrides(o.VaultDir, o.UnsortedDir, o.VolumesDir, o.IO.Env, wd)
			if eff, f, err := cluster.Resolve(cfg, root, ov); err == nil {
				name, folders = eff.Name, f
			}
		}
	}
	detect := o.Detect
	if detect == nil {
		detect = cluster.Detect
	}
	step := p.Start("Checking the container runtime")
	var (
		rt    cluster.Runtime
		names []string
	)
	err = cluster.Await(ctx, func() (err error) {
		if rt, err = detect(cluster.Logger{P: p}); err != nil {
			return err
		}
		if names, err = rt.List(); err != nil {
			return fmt.Errorf("the container runtime does not answer (is the daemon running?): %w", err)
		}
		return nil
	})
	if err != nil {
		step.Fail()
		return err
	}
	step.Done()

	var deleted []string
	if slices.Contains(names, name) {
		var nodes []string
		_ = cluster.Await(ctx, func() error {
			list, err := rt.ListNodes(name)
			for _, n := range list {
				nodes = append(nodes, n.String())
			}
			return err
		})
		step = p.Start(fmt.Sprintf("Deleting cluster %q", name))
		kubeconfig := cluster.KubeconfigFile(o.Kubeconfig, o.IO.Env)
		if err := cluster.Await(ctx, func() error { return rt.Delete(name, kubeconfig) }); err != nil {
			step.Fail()
			return fmt.Errorf("deleting cluster %q: %w", name, err)
		}
		step.Done()
		deleted = append(deleted,
			fmt.Sprintf("cluster %q (node container %s) with everything inside the node:\n"+
				"    etcd: every Kubernetes object (the next `emmdev up` applies manifests/ again)\n"+
				"    the images pulled into the node (pulled again by the next up)\n"+
				"    logs, and the volumes of any StorageClass but the platform's", name, strings.Join(nodes, ", ")),
			fmt.Sprintf("kube context %s", cluster.ContextName(name)))
	} else {
		p.Info("cluster %q does not exist; nothing to delete", name)
	}
	registryKept := !o.Registry
	if o.Registry {
		step = p.Start("Removing the local registry " + cluster.RegistryName)
		var existed bool
		err := cluster.Await(ctx, func() (err error) { existed, err = cluster.DeleteRegistry(); return err })
		if err != nil {
			step.Fail()
			return err
		}
		step.Done()
		if existed {
			deleted = append(deleted, "registry container "+cluster.RegistryName+" and the images pushed to it")
		} else {
			p.Info("there was no registry container %s", cluster.RegistryName)
		}
	}
	report(o.IO.Out, deleted, folders, registryKept)
	return nil
}

// report prints what is gone and what stays, each kept folder with its
// size and each volume claim's folder on its own line.
func report(w io.Writer, deleted []string, f cluster.Folders, registryKept bool) {
	fmt.Fprintln(w, "Deleted:")
	if len(deleted) == 0 {
		fmt.Fprintln(w, "  nothing")
	}
	for _, d := range deleted {
		fmt.Fprintf(w, "  %s\n", d)
	}
	fmt.Fprintln(w, "Kept on this machine:")
	if f.Vault == "" {
		fmt.Fprintln(w, "  the host data folders (no kind-config.yaml found to name them)")
	}
	for _, role := range f.List() {
		if role[1] == "" {
			continue
		}
		fmt.Fprintf(w, "  %-9s %s  %s\n", role[0], role[1], cluster.DiskUsage(role[1]))
		if role[0] != "volumes" {
			continue
		}
		claims, err := cluster.Claims(role[1])
		if err != nil {
			fmt.Fprintf(w, "            (cannot list the claims: %v)\n", err)
		}
		for _, c := range claims {
			fmt.Fprintf(w, "            %s/%s  %s\n", c.Namespace, c.Name, c.Size)
		}
	}
	if registryKept {
		fmt.Fprintf(w, "  registry container %s and the images pushed to it, if it exists (remove with --registry)\n", cluster.RegistryName)
	}
	if f.Vault != "" {
		fmt.Fprintln(w, "The next `emmdev up` mounts these folders again; delete one yourself to start that part from scratch.")
	}
}
