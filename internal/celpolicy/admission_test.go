package celpolicy_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/emmdev/emmdev/internal/celpolicy"
	"github.com/emmdev/emmdev/internal/deploy"
	"github.com/emmdev/emmdev/internal/lint"
	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/policyload"
	"github.com/emmdev/emmdev/internal/testcp"
)

func TestMain(m *testing.M) {
	os.Exit(testcp.Main(m, testcp.Options{Controllers: true, Kwok: true}))
}

// proofPolicies are every shipped policy (the repository's policies/, which
// the tests keep identical to the embedded ones), every example and the
// edge cases of testdata/proof-policies.
func proofPolicies(t testing.TB) *policyload.Loaded {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "..", "policies", "examples", "*.yaml"))
	files = append(files, filepath.Join("testdata", "proof-policies", "proof-edges.yaml"))
	if len(files) < 4 {
		t.Fatalf("policy files %v", files)
	}
	wd, _ := os.Getwd()
	l, err := policyload.Load(policyload.Options{WorkDir: wd, PolicyFiles: files})
	if err != nil {
		t.Fatal(err)
	}
	if l.Dir == "" || filepath.Base(l.Dir) != "policies" {
		t.Fatalf("the repository's policies/ was not found (got %q)", l.Dir)
	}
	return l
}

// verdict is what one side says about one object: rule id → messages.
type verdict struct {
	denied   map[string][]string
	warnings map[string][]string
}

// offline lints the corpus (namespace rewritten to ns) with the full engine
// and keeps the findings of rules the export puts into the cluster.
func offline(t *testing.T, l *policyload.Loaded, ns string, warnAll bool) (map[string]verdict, []*loader.Object) {
	t.Helper()
	exported := map[string]bool{}
	for _, r := range l.CEL.Rules {
		exported[r.ID] = true
	}
	var inputs []loader.Input
	files, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.yaml"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		data = rewriteNamespace(data, ns)
		inputs = append(inputs, loader.Input{Name: f, Read: func(int64) ([]byte, error) { return data, nil }})
	}
	objs, err := loader.Load(context.Background(), inputs, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := lint.Run(context.Background(), lint.Config{Inputs: inputs, Registry: l.Registry, Policy: l.Policy, CEL: l.CEL})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Notices) > 0 {
		t.Fatalf("offline notices: %v", res.Notices)
	}
	out := map[string]verdict{}
	for _, f := range res.Findings {
		if !exported[f.RuleID] {
			continue
		}
		v, ok := out[f.Object]
		if !ok {
			v = verdict{denied: map[string][]string{}, warnings: map[string][]string{}}
			out[f.Object] = v
		}
		if f.Severity == finding.Error && !warnAll {
			v.denied[f.RuleID] = append(v.denied[f.RuleID], f.Message)
		} else {
			v.warnings[f.RuleID] = append(v.warnings[f.RuleID], f.Message)
		}
	}
	return out, objs
}

var nsRE = regexp.MustCompile(`namespace: agentic-ai\b`)

func rewriteNamespace(data []byte, ns string) []byte {
	data = nsRE.ReplaceAll(data, []byte("namespace: "+ns))
	return regexp.MustCompile(`(?m)^  name: agentic-ai$`).ReplaceAll(data, []byte("  name: "+ns))
}

// warningRecorder collects the Warning headers of the requests of one client.
type warningRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warningRecorder) HandleWarningHeader(_ int, _ string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, text)
}

func (w *warningRecorder) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.msgs
	w.msgs = nil
	return out
}

var appsDeployments = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}

var (
	deniedRE  = regexp.MustCompile(`ValidatingAdmissionPolicy 'emmdev-([a-z0-9-]+)' with binding 'emmdev-([a-z0-9-]+)' denied request: (.*)$`)
	warningRE = regexp.MustCompile(`^Validation failed for ValidatingAdmissionPolicy 'emmdev-([a-z0-9-]+)' with binding 'emmdev-([a-z0-9-]+)': (.*)$`)
)

// online creates every object of the corpus in ns and records what the API
// server answered.
func online(t *testing.T, cfg *rest.Config, ns string, objs []*loader.Object) map[string]verdict {
	t.Helper()
	rec := &warningRecorder{}
	cfg = rest.CopyConfig(cfg)
	cfg.WarningHandler = rec
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res := celpolicy.NewResources()
	out := map[string]verdict{}
	for _, o := range objs {
		if o.Kind == "Namespace" {
			continue // the test's namespace stands for it
		}
		u := &unstructured.Unstructured{Object: o.Obj}
		gvr, _, ok := res.Lookup(u.GroupVersionKind())
		if !ok {
			t.Fatalf("%s: no resource", o.Ref())
		}
		_, err := dyn.Resource(gvr).Namespace(ns).Create(context.Background(), u.DeepCopy(), metav1.CreateOptions{})
		v := verdict{denied: map[string][]string{}, warnings: map[string][]string{}}
		if err != nil {
			m := deniedRE.FindStringSubmatch(err.Error())
			if m == nil || m[1] != m[2] {
				t.Fatalf("%s: the API server refused it for another reason than an emmdev policy: %v", o.Ref(), err)
			}
			v.denied[m[1]] = []string{m[3]}
		}
		for _, w := range rec.take() {
			m := warningRE.FindStringSubmatch(w)
			if m == nil || m[1] != m[2] {
				t.Fatalf("%s: unexpected warning %q", o.Ref(), w)
			}
			v.warnings[m[1]] = append(v.warnings[m[1]], m[3])
		}
		out[o.Ref()] = v
	}
	return out
}

// compare checks one object: the same rules fail on both sides with the
// same action, and every cluster message is the message lint gave for that
// rule. (For the built-in rules lint reports every offending container, the
// cluster the first: its message must be one of lint's.) When the cluster
// denies, it names only the first denial; the others must still be offline
// errors.
func compare(t *testing.T, ref string, off, on verdict, denyPass bool) {
	t.Helper()
	for id, msgs := range on.denied {
		if !slices.Contains(off.denied[id], msgs[0]) {
			t.Errorf("%s: cluster denied with %s %q, lint says %v", ref, id, msgs[0], off.denied)
		}
	}
	if denyPass && (len(on.denied) > 0) != (len(off.denied) > 0) {
		t.Errorf("%s: cluster denied=%v (%v), lint errors %v", ref, len(on.denied) > 0, on.denied, off.denied)
	}
	ids := map[string]bool{}
	for id := range off.warnings {
		ids[id] = true
	}
	for id := range on.warnings {
		ids[id] = true
	}
	for id := range ids {
		got, want := on.warnings[id], off.warnings[id]
		switch {
		case len(got) == 0 || len(want) == 0:
			t.Errorf("%s: rule %s: cluster warns %q, lint warns %q", ref, id, got, want)
		case len(got) != 1:
			t.Errorf("%s: rule %s: %d warnings from one policy: %q", ref, id, len(got), got)
		case !slices.Contains(want, got[0]):
			t.Errorf("%s: rule %s: cluster warns %q, lint says %q", ref, id, got[0], want)
		}
	}
}

func labelStrict(t *testing.T, cp *testcp.ControlPlane, ns string) {
	t.Helper()
	patch := []byte(`{"metadata":{"labels":{"emmdev.test/strict":"true"}}}`)
	if _, err := cp.Clientset.CoreV1().Namespaces().Patch(context.Background(), ns, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
}

func install(t *testing.T, cp *testcp.ControlPlane, objs []*unstructured.Unstructured) *deploy.PolicyInstall {
	t.Helper()
	clients, err := deploy.NewClients(cp.Config)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := (&deploy.Applier{Clients: clients}).InstallAdmissionPolicies(context.Background(), objs, 3*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d objects installed and enforced in %s", len(objs), time.Since(start).Round(time.Millisecond))
	return res
}

// TestOfflineVerdictEqualsAdmission is the proof: for every shipped and
// example policy and the corpus, emmdev lint's verdict equals what the real
// kube-apiserver 1.37 does on create with the exported policies installed:
// denied objects are refused with the same message, warnings come back as
// the same warning headers. A second pass switches every binding to Warn,
// so every failing rule of every object is compared, not only the first
// denial.
func TestOfflineVerdictEqualsAdmission(t *testing.T) {
	cp := testcp.Get(t)
	l := proofPolicies(t)
	objs, err := l.CEL.Export(l.ExportOptions())
	if err != nil {
		t.Fatal(err)
	}
	res := install(t, cp, objs)
	// kube-controller-manager's own type check of what lint accepted: the
	// exported schemas (parameters included) type every expression.
	for _, w := range res.TypeWarnings {
		t.Errorf("cluster type-checking warning: %s", w)
	}

	type pass struct {
		name    string
		warnAll bool
	}
	for _, p := range []pass{{"deny-and-warn", false}, {"everything-warns", true}} {
		if p.warnAll {
			opts := l.ExportOptions()
			effective := opts.Effective
			opts.Effective = func(id string) (bool, finding.Severity) {
				on, _ := effective(id)
				return on, finding.Warning
			}
			warnObjs, err := l.CEL.Export(opts)
			if err != nil {
				t.Fatal(err)
			}
			install(t, cp, warnObjs)
		}
		ns := cp.Namespace(t)
		labelStrict(t, cp, ns)
		want, corpus := offline(t, l, ns, p.warnAll)
		got := online(t, cp.Config, ns, corpus)
		if len(got) < 60 {
			t.Fatalf("%s: %d objects compared, want at least 60", p.name, len(got))
		}
		denied, warned := 0, 0
		failingRules := map[string]bool{}
		refs := make([]string, 0, len(got))
		for ref := range got {
			refs = append(refs, ref)
		}
		sort.Strings(refs)
		for _, ref := range refs {
			compare(t, ref, want[ref], got[ref], !p.warnAll)
			if len(got[ref].denied) > 0 {
				denied++
			}
			if len(got[ref].warnings) > 0 {
				warned++
			}
			for id := range want[ref].denied {
				failingRules[id] = true
			}
			for id := range want[ref].warnings {
				failingRules[id] = true
			}
		}
		for ref := range want {
			if _, ok := got[ref]; !ok {
				t.Errorf("%s: lint has findings for %s, which was not created", p.name, ref)
			}
		}
		for _, r := range l.CEL.Rules {
			if !failingRules[r.ID] {
				t.Errorf("%s: rule %s fails on no object of the corpus: the comparison proves nothing for it", p.name, r.ID)
			}
		}
		if p.warnAll && denied > 0 {
			t.Errorf("%s: %d objects denied although every binding warns", p.name, denied)
		}
		if !t.Failed() {
			t.Logf("%s: %d objects, %d denied, %d with warnings, %d rules failing somewhere; all verdicts and messages equal",
				p.name, len(got), denied, warned, len(failingRules))
		}
	}
}

// TestManifestsAdmittedByShippedPolicies applies the real platform
// (manifests/, kustomize-rendered, after the sealed-secrets CRD and
// controller) the way emmdev up does, with the shipped policies installed
// first: the API server admits every object without a single warning, as
// emmdev lint (clean on manifests/) predicts. A Deployment lint refuses is
// refused in the platform namespace with lint's message.
func TestManifestsAdmittedByShippedPolicies(t *testing.T) {
	cp := testcp.Get(t)
	wd, _ := os.Getwd()
	l, err := policyload.Load(policyload.Options{WorkDir: wd})
	if err != nil {
		t.Fatal(err)
	}
	policyObjs, err := l.CEL.Export(l.ExportOptions())
	if err != nil {
		t.Fatal(err)
	}
	rec := &warningRecorder{}
	cfg := rest.CopyConfig(cp.Config)
	cfg.WarningHandler = rec
	clients, err := deploy.NewClients(cfg)
	if err != nil {
		t.Fatal(err)
	}
	applier := &deploy.Applier{Clients: clients}
	ctx := context.Background()
	ctrl, err := deploy.SealedSecretsObjects()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := applier.Apply(ctx, ctrl); err != nil {
		t.Fatal(err)
	}
	if _, err := applier.InstallAdmissionPolicies(ctx, policyObjs, 3*time.Minute); err != nil {
		t.Fatal(err)
	}
	rec.take()
	manifests, err := deploy.LoadDir(filepath.Join("..", "..", "manifests"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := applier.Apply(ctx, deploy.Sort(manifests))
	if err != nil {
		t.Fatalf("the cluster refused the platform: %v", err)
	}
	if w := rec.take(); len(w) > 0 {
		t.Errorf("warnings applying manifests/: %q", w)
	}
	t.Logf("manifests/: %s, no warnings", res)

	bad := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "no-probe", "namespace": "agentic-ai"},
		"spec": map[string]any{
			"selector": map[string]any{"matchLabels": map[string]any{"app": "x"}},
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": "x"}},
				"spec": map[string]any{"containers": []any{map[string]any{
					"name": "api", "image": "agentic-ai/api:1",
					"resources": map[string]any{"requests": map[string]any{"cpu": "1", "memory": "1Gi"}, "limits": map[string]any{"cpu": "1", "memory": "1Gi"}},
				}}},
			},
		},
	}}
	_, err = clients.Dynamic.Resource(appsDeployments).Namespace("agentic-ai").Create(ctx, bad, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	if err == nil || !strings.Contains(err.Error(), `ValidatingAdmissionPolicy 'emmdev-readiness-probe' with binding 'emmdev-readiness-probe' denied request: container "api" has no readinessProbe`) {
		t.Errorf("a Deployment without readinessProbe in agentic-ai: %v", err)
	}
}
