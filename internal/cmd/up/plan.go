package up

import (
	"fmt"
	"io"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/emmdev/emmdev/internal/cluster"
	"github.com/emmdev/emmdev/internal/deploy"
)

// printPlan is --dry-run's output: what up would do, in order, with every
// check that failed marked ✗ on its line, so the whole picture comes out of
// one run even when something is wrong.
func printPlan(w io.Writer, o *Options, plan *cluster.Plan, ctrlObjs, objs []deploy.Object, problems []cluster.Problem) {
	failed := func(item string) error {
		for _, pr := range problems {
			if pr.Item == item {
				return pr.Err
			}
		}
		return nil
	}
	line := func(label, text, item string) {
		if err := failed(item); err != nil && item != "" {
			fmt.Fprintf(w, "  ✗ %-10s %s: %s\n", label, text, indent(err.Error()))
			return
		}
		fmt.Fprintf(w, "    %-10s %s\n", label, text)
	}
	fmt.Fprintln(w, "Plan (dry run, nothing changed):")
	line("key:", "dev sealing key", "key")
	line("manifests:", o.ManifestsDir+"/", "manifests")
	switch {
	case plan == nil:
		ctx := o.Context
		if ctx == "" {
			ctx = "the current context"
		}
		line("cluster:", "skipped, deploying to "+ctx, "")
	case plan.Config == nil:
		line("config:", cluster.ConfigFile, "config")
	default:
		printClusterPlan(w, o, plan, line)
	}
	fmt.Fprintf(w, "    apply (server-side, field manager %s), in order:\n", deploy.FieldManager)
	for _, obj := range append(append([]deploy.Object(nil), ctrlObjs...), objs...) {
		fmt.Fprintf(w, "      %s\n", obj.ID())
	}
	if o.NoWait {
		line("wait:", "skipped (--no-wait)", "")
	} else {
		line("wait:", fmt.Sprintf("every Deployment and StatefulSet available, up to %s", o.Timeout), "")
	}
	if len(problems) > 0 {
		fmt.Fprintf(w, "%d problems (✗ above): fix them, then run `emmdev up`.\n", len(problems))
	}
}

func printClusterPlan(w io.Writer, o *Options, plan *cluster.Plan, line func(label, text, item string)) {
	switch plan.Action {
	case cluster.ActionCreate:
		line("cluster:", fmt.Sprintf("create %q (context %s)", plan.Name, cluster.ContextName(plan.Name)), "cluster")
	case cluster.ActionReuse:
		line("cluster:", fmt.Sprintf("reuse %q, config unchanged", plan.Name), "cluster")
	case cluster.ActionRecreate:
		line("cluster:", fmt.Sprintf("DELETE and recreate %q (data folders are kept)", plan.Name), "cluster")
	default:
		line("cluster:", fmt.Sprintf("%q: create or reuse, once the container runtime answers", plan.Name), "cluster")
	}
	line("runtime:", "container runtime", "runtime")
	for _, m := range cluster.MountArgs(plan.Config) {
		line("mount:", m, "")
	}
	created := map[string]bool{}
	for _, d := range plan.Created {
		created[d] = true
	}
	for _, f := range plan.Folders.List() {
		text := f[0] + " " + f[1]
		if created[f[1]] {
			text = "create " + f[1] + " (" + f[0] + ", mode 0755)"
		}
		line("folder:", text, "folder "+f[1])
	}
	for _, p := range cluster.HostPorts(plan.Config) {
		line("port:", p.String(), "port "+p.String())
	}
	if !o.NoRegistry {
		line("registry:", fmt.Sprintf("%s at localhost:%d", cluster.RegistryName, cluster.RegistryHostPort), "")
	}
}

// indent keeps a multi-line reason under its plan line.
func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n               ") }

// printNextSteps tells the user where things are once up is done.
func printNextSteps(w io.Writer, plan *cluster.Plan, objs []deploy.Object, ready bool) {
	if ready {
		fmt.Fprintln(w, "EMM is ready.")
	} else {
		fmt.Fprintln(w, "EMM is applied (not waited for).")
	}
	fmt.Fprintln(w, "Next:")
	if plan != nil {
		fmt.Fprintf(w, "  kubectl context   %s (current)\n", cluster.ContextName(plan.Name))
	}
	fmt.Fprintln(w, "  emmdev status     live pods, readiness and the cause of each restart")
	if plan != nil {
		fmt.Fprintf(w, "  tilt up           rebuild on save, push to localhost:%d\n", cluster.RegistryHostPort)
		for _, u := range urls(plan, objs) {
			fmt.Fprintf(w, "  %-17s %s\n", u[0], u[1])
		}
		fmt.Fprintf(w, "  data              vault %s, unsorted %s, volumes %s (kept by `emmdev down`)\n", plan.Folders.Vault, plan.Folders.Unsorted, plan.Folders.Volumes)
	}
}

// urls names each host port by the NodePort Service behind it.
func urls(plan *cluster.Plan, objs []deploy.Object) [][2]string {
	byNodePort := map[int64]string{}
	for _, o := range objs {
		if o.GetKind() != "Service" {
			continue
		}
		ports, _, _ := unstructuredSlice(o, "spec", "ports")
		for _, p := range ports {
			if m, ok := p.(map[string]any); ok {
				if np, ok := m["nodePort"].(int64); ok {
					byNodePort[np] = o.GetName()
				}
			}
		}
	}
	var out [][2]string
	for _, n := range plan.Config.Nodes {
		for _, pm := range n.ExtraPortMappings {
			if pm.HostPort <= 0 {
				continue
			}
			host := pm.ListenAddress
			if host == "" || host == "0.0.0.0" || host == "127.0.0.1" {
				host = "localhost"
			}
			name := byNodePort[int64(pm.ContainerPort)]
			if name == "" {
				name = fmt.Sprintf("port %d", pm.HostPort)
			}
			out = append(out, [2]string{name, fmt.Sprintf("http://%s:%d", strings.Trim(host, "[]"), pm.HostPort)})
		}
	}
	return out
}

func unstructuredSlice(o deploy.Object, fields ...string) ([]any, bool, error) {
	return unstructured.NestedSlice(o.Object, fields...)
}
