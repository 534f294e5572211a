package platform

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/testenv"
)

var allowedLabels = []string{"agents", "infra", "mcp", "monitoring"}

// tiltResources maps every resource the Tiltfile defines (local_resource
// name, k8s_resource workload or new_name) to its call.
func tiltResources(t *testing.T, r *tiltRun) map[string]tiltCall {
	t.Helper()
	out := map[string]tiltCall{}
	add := func(name string, c tiltCall) {
		if _, dup := out[name]; dup {
			t.Errorf("%s: resource %q configured twice", c.Pos, name)
		}
		out[name] = c
	}
	for _, c := range r.calls {
		switch c.Fn {
		case "local_resource":
			add(c.Args["name"].(string), c)
		case "k8s_resource":
			name, _ := c.Args["workload"].(string)
			if nn, _ := c.Args["new_name"].(string); nn != "" {
				name = nn
			}
			add(name, c)
		}
	}
	return out
}

func testdataSrc(t *testing.T) string {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("testdata", "tilt-src"))
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func TestTiltfileDeploysEveryManifest(t *testing.T) {
	t.Parallel()
	root := testenv.RepoRoot(t)
	run, err := runTiltfile(t, root, map[string]string{"src": testdataSrc(t)})
	if err != nil {
		t.Fatalf("Tiltfile: %v", err)
	}
	ctx := run.callsTo("allow_k8s_contexts")
	if len(ctx) != 1 || !slices.Equal(strs(ctx[0].Args["contexts"]), []string{"kind-emm"}) {
		t.Errorf("allow_k8s_contexts calls %v, want exactly kind-emm", ctx)
	}
	missing, extra := diffSets(keys(run.objects), keys(renderDir(t, "manifests")))
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("k8s_yaml: manifests not deployed %s, unexpected %s", list(missing), list(extra))
	}
	for _, p := range run.refs {
		if _, err := os.Stat(run.path(p)); err != nil {
			t.Errorf("Tiltfile references %s: %v", p, err)
		}
	}
	for _, c := range run.callsTo("local_resource") {
		for _, d := range strs(c.Args["deps"]) {
			if _, err := os.Stat(run.path(d)); err != nil {
				t.Errorf("%s: local_resource %s dep %s: %v", c.Pos, c.Args["name"], d, err)
			}
		}
	}
}

func TestTiltfileResources(t *testing.T) {
	t.Parallel()
	run, err := runTiltfile(t, testenv.RepoRoot(t), map[string]string{"src": testdataSrc(t)})
	if err != nil {
		t.Fatalf("Tiltfile: %v", err)
	}
	resources := tiltResources(t, run)
	ws := workloads(t, run.objects)

	// Lint runs emmdev on manifests/ and re-runs when they or the policies change.
	lint, ok := resources["lint"]
	if !ok || lint.Fn != "local_resource" {
		t.Fatal("no local_resource lint")
	}
	// -k manifests lints what k8s_yaml(kustomize('manifests')) deploys.
	if cmd, _ := lint.Args["cmd"].(string); !strings.Contains(cmd, "emmdev lint -k manifests") && !strings.Contains(cmd, "emmdev lint manifests") {
		t.Errorf("lint cmd %q does not lint manifests/", cmd)
	}
	for _, d := range []string{"manifests", "policies"} {
		if !slices.Contains(strs(lint.Args["deps"]), d) {
			t.Errorf("lint deps %v lack %s", strs(lint.Args["deps"]), d)
		}
	}

	// Every workload gets a k8s_resource; every configured name is a workload
	// (or a new_name grouping objects).
	for name := range ws {
		if c, ok := resources[name]; !ok || c.Fn != "k8s_resource" {
			t.Errorf("workload %s has no k8s_resource (it would have no label and no deps)", name)
		}
	}
	claimed := map[string]string{}
	for name, c := range resources {
		if c.Fn != "k8s_resource" {
			continue
		}
		if w, _ := c.Args["workload"].(string); w != "" {
			if _, ok := ws[w]; !ok {
				t.Errorf("%s: k8s_resource(%q): no such Deployment/StatefulSet in manifests/", c.Pos, w)
			}
		} else if len(strs(c.Args["objects"])) == 0 {
			t.Errorf("%s: k8s_resource %s has neither a workload nor objects", c.Pos, name)
		}
		labels := strs(c.Args["labels"])
		if len(labels) == 0 {
			t.Errorf("%s: resource %s has no label", c.Pos, name)
		}
		for _, l := range labels {
			if !slices.Contains(allowedLabels, l) {
				t.Errorf("%s: resource %s label %q not in %v", c.Pos, name, l, allowedLabels)
			}
		}
		for _, sel := range strs(c.Args["objects"]) {
			matches := selectObjects(run.objects, sel)
			if len(matches) != 1 {
				t.Errorf("%s: objects selector %q matches %d objects, want 1", c.Pos, sel, len(matches))
			}
			for _, m := range matches {
				if prev, dup := claimed[m]; dup {
					t.Errorf("%s claimed by %s and %s", m, prev, name)
				}
				claimed[m] = name
			}
		}
	}
	// Objects no resource claims land in Tilt's "uncategorized", which
	// nothing gates on lint. Services attach to their workload by selector.
	for _, o := range run.objects {
		k := key(o)
		if o["kind"] == "Deployment" || o["kind"] == "StatefulSet" || o["kind"] == "Service" {
			continue
		}
		if _, ok := claimed[k]; !ok {
			t.Errorf("%s is in no k8s_resource(objects=...)", k)
		}
	}
	checkResourceDeps(t, resources, ws)
	checkPortForwards(t, run, resources, ws)
}

// checkResourceDeps: deps name real resources, everything deployed waits
// for lint, and every service waits for Redis.
func checkResourceDeps(t *testing.T, resources map[string]tiltCall, ws map[string]workload) {
	t.Helper()
	deps := map[string][]string{}
	for name, c := range resources {
		deps[name] = strs(c.Args["resource_deps"])
		for _, d := range deps[name] {
			if _, ok := resources[d]; !ok {
				t.Errorf("%s: %s depends on unknown resource %q", c.Pos, name, d)
			}
		}
	}
	var closure func(name string, seen map[string]bool)
	closure = func(name string, seen map[string]bool) {
		for _, d := range deps[name] {
			if !seen[d] {
				seen[d] = true
				closure(d, seen)
			}
		}
	}
	for name, c := range resources {
		seen := map[string]bool{}
		closure(name, seen)
		if seen[name] {
			t.Errorf("resource %s depends on itself", name)
		}
		if c.Fn == "k8s_resource" && !seen["lint"] {
			t.Errorf("%s: %s does not wait for lint", c.Pos, name)
		}
		if w, ok := ws[name]; ok && strings.HasPrefix(w.Template.Spec.Containers[0].Image, "agentic-ai/") && !seen["redis-cache"] {
			t.Errorf("%s: service %s does not wait for redis-cache", c.Pos, name)
		}
	}
}

// checkPortForwards: Grafana, Prometheus and langgraph-api are forwarded to
// a port their container listens on, on local ports that neither collide
// with each other nor with the host ports kind-config.yaml already binds.
func checkPortForwards(t *testing.T, run *tiltRun, resources map[string]tiltCall, ws map[string]workload) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(run.root, "kind-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := decodeKindConfig(raw)
	if err != nil {
		t.Fatal(err)
	}
	used := map[int64]string{}
	for _, p := range cfg.Nodes[0].ExtraPortMappings {
		used[int64(p.HostPort)] = "kind-config.yaml"
	}
	forwarded := map[string]bool{}
	for name, c := range resources {
		pfs, _ := c.Args["port_forwards"].([]any)
		for _, pf := range pfs {
			m, ok := pf.(map[string]any)
			if !ok || m["_type"] != "port_forward" {
				t.Errorf("%s: %s port_forwards entry %v is not a port_forward()", c.Pos, name, pf)
				continue
			}
			local, _ := m["local_port"].(int64)
			remote, ok := m["container_port"].(int64)
			if !ok {
				remote = local
			}
			if by, dup := used[local]; dup {
				t.Errorf("%s: %s forwards local port %d, already bound by %s", c.Pos, name, local, by)
			}
			used[local] = name
			found := false
			for _, ct := range ws[name].Template.Spec.Containers {
				found = found || containerPort(ct, "", int32(remote)) != 0
			}
			if !found {
				t.Errorf("%s: %s forwards to port %d, which no container of it listens on", c.Pos, name, remote)
			}
			forwarded[name] = true
		}
	}
	for _, want := range []string{"grafana", "prometheus", "langgraph-api"} {
		if !forwarded[want] {
			t.Errorf("no port_forward for %s", want)
		}
	}
}

// selectObjects applies Tilt's object selector "name[:kind[:namespace]]"
// (case-insensitive kind) to the deployed objects.
func selectObjects(objs []Object, sel string) []string {
	parts := strings.Split(sel, ":")
	var out []string
	for _, o := range objs {
		k := strings.SplitN(key(o), "/", 3) // kind, namespace, name
		if k[2] != parts[0] ||
			(len(parts) > 1 && !strings.EqualFold(k[0], parts[1])) ||
			(len(parts) > 2 && k[1] != parts[2]) {
			continue
		}
		out = append(out, key(o))
	}
	return out
}

func TestTiltfileBuildsOnlyServicesWithSources(t *testing.T) {
	t.Parallel()
	appNames := make([]string, len(appWorkloads))
	for i, w := range appWorkloads {
		appNames[i] = w.name
	}
	tests := []struct {
		name  string
		src   func(t *testing.T) string
		built []string
	}{
		{"some sources", testdataSrc, []string{"jd-classifier", "langgraph-api"}},
		{"no sources", func(t *testing.T) string { return t.TempDir() }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := tc.src(t)
			run, err := runTiltfile(t, testenv.RepoRoot(t), map[string]string{"src": src})
			if err != nil {
				t.Fatalf("Tiltfile: %v", err)
			}
			images := map[string]string{}
			for name, w := range workloads(t, run.objects) {
				images[name] = strings.Split(w.Template.Spec.Containers[0].Image, ":")[0]
			}
			var built []string
			for _, c := range run.callsTo("docker_build") {
				ref, _ := c.Args["ref"].(string)
				ctx, _ := c.Args["context"].(string)
				name := filepath.Base(ctx)
				built = append(built, name)
				if filepath.Dir(ctx) != src {
					t.Errorf("%s: docker_build context %s is not in --src %s", c.Pos, ctx, src)
				}
				// Tilt swaps in the built image only where the ref matches.
				if images[name] != ref {
					t.Errorf("%s: docker_build ref %q, but %s runs %q", c.Pos, ref, name, images[name])
				}
				if _, err := os.Stat(filepath.Join(ctx, "Dockerfile")); err != nil {
					t.Errorf("%s: docker_build %s: %v", c.Pos, ref, err)
				}
			}
			slices.Sort(built)
			if !slices.Equal(built, tc.built) {
				t.Errorf("docker_build for %v, want %v", built, tc.built)
			}
			// Every service not built is named, so nobody wonders why their
			// change does not show up.
			said := strings.Join(append(append([]string{}, run.warns...), run.prints...), "\n")
			for _, n := range appNames {
				if !slices.Contains(tc.built, n) && !strings.Contains(said, n) {
					t.Errorf("Tiltfile does not say that %s is not built; it said:\n%s", n, said)
				}
			}
			if !strings.Contains(said, src) {
				t.Errorf("Tiltfile output does not name the source dir %s:\n%s", src, said)
			}
		})
	}
}

// The stub must reject what Tilt rejects, or the tests above prove nothing.
func TestTiltStubRejectsBadCalls(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, tiltfile, wantErr string }{
		{"misspelt keyword", `k8s_resource('redis-cache', label=['infra'])`, `unexpected keyword argument "label"`},
		{"missing argument", `docker_build('agentic-ai/x')`, `missing argument "context"`},
		{"undefined flag", `cfg = config.parse()`, "flag --src is not defined"},
		{"local at load", `local('make')`, "use local_resource"},
		{"fail", `fail('boom')`, "boom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "Tiltfile"), []byte(tc.tiltfile+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := runTiltfile(t, dir, map[string]string{"src": dir})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want %q", err, tc.wantErr)
			}
		})
	}
}
