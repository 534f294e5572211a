package up

import (
	"fmt"
	"io"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/emmdev/emmdev/internal/cluster"
	"github.com/emmdev/emmdev/internal/deploy"
)

// printPlan is --dry-run's output: what up would do, in order.
func printPlan(w io.Writer, o *Options, plan *cluster.Plan, ctrlObjs, objs []deploy.Object) {
	fmt.Fprintln(w, "Plan (dry run, nothing changed):")
	if plan == nil {
		ctx := o.Context
		if ctx == "" {
			ctx = "the current context"
		}
		fmt.Fprintf(w, "  cluster: skipped, deploying to %s\n", ctx)
	} else {
		switch plan.Action {
		case cluster.ActionCreate:
			fmt.Fprintf(w, "  cluster: create %q (context %s)\n", plan.Name, cluster.ContextName(plan.Name))
		case cluster.ActionReuse:
			fmt.Fprintf(w, "  cluster: reuse %q, config unchanged\n", plan.Name)
		case cluster.ActionRecreate:
			fmt.Fprintf(w, "  cluster: DELETE and recreate %q (data folders are kept)\n", plan.Name)
		}
		for _, m := range cluster.MountArgs(plan.Config) {
			fmt.Fprintf(w, "  mount:   %s\n", m)
		}
		for _, d := range plan.Created {
			fmt.Fprintf(w, "  folder:  create %s (mode 0755)\n", d)
		}
		for _, p := range cluster.HostPorts(plan.Config) {
			fmt.Fprintf(w, "  port:    %s\n", p)
		}
		if !o.NoRegistry {
			fmt.Fprintf(w, "  registry: %s at localhost:%d\n", cluster.RegistryName, cluster.RegistryHostPort)
		}
	}
	fmt.Fprintf(w, "  apply (server-side, field manager %s), in order:\n", deploy.FieldManager)
	for _, obj := range append(append([]deploy.Object(nil), ctrlObjs...), objs...) {
		fmt.Fprintf(w, "    %s\n", obj.ID())
	}
	if o.NoWait {
		fmt.Fprintln(w, "  wait:    skipped (--no-wait)")
	} else {
		fmt.Fprintf(w, "  wait:    every Deployment and StatefulSet available, up to %s\n", o.Timeout)
	}
}

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
		fmt.Fprintf(w, "  data              vault %s, unsorted %s (kept by `emmdev down`)\n", plan.Folders.Vault, plan.Folders.Unsorted)
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
