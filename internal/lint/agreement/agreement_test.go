package agreement_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/emmdev/emmdev/internal/deploy"
	"github.com/emmdev/emmdev/internal/lint/agreement"
	"github.com/emmdev/emmdev/internal/testcp"
)

// The API server alone validates: no controllers, no kwok.
func TestMain(m *testing.M) { os.Exit(testcp.Main(m, testcp.Options{})) }

// TestAgreement is the proof of issue 9: every case goes through the real
// kube-apiserver as kubectl sends it and through emmdev's API-level rules.
// It fails when
//   - the verdicts differ (accept/reject) outside the known differences,
//   - the API server names a field path no emmdev finding of the case names,
//   - a case does not do what its header declares on the API server (a case
//     that tests nothing), or a known difference no longer behaves as listed.
//
// The failure output is one table of every failing case.
func TestAgreement(t *testing.T) {
	t0 := time.Now()
	cases := loadCases(t)
	known := loadKnown(t, cases)

	cp := testcp.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ns := cp.Namespace(t)
	// The namespace the EMM fixtures name exists for real, so they are
	// judged on their own merits; a case in any other named namespace is
	// rejected for cluster state (a known difference).
	ensureNamespace(ctx, t, cp, "agentic-ai")
	k, err := newKubectl(cp.Config, ns)
	if err != nil {
		t.Fatal(err)
	}
	crds := installCRDs(ctx, t, cp, k)
	for _, f := range glob(t, "testdata/state/*.yaml") {
		if err := k.create(ctx, f); err != nil {
			t.Fatalf("cluster state for the known differences: %v", err)
		}
	}
	setup := time.Since(t0)

	e, err := agreement.NewLinter(crds)
	if err != nil {
		t.Fatal(err)
	}
	results := make([]*agreement.Result, len(cases))
	// Dry runs change nothing and lint runs share nothing, so every case
	// runs in parallel; the pool only bounds the load on a small machine.
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r := &agreement.Result{Case: c, Server: k.createDryRun(c.File), Emmdev: e.Lint(ctx, c.File)}
			if kd, ok := known[c.Name]; ok {
				r.Known = &kd
			}
			r.Judge()
			results[i] = r
		}()
	}
	wg.Wait()

	sum := agreement.Summarize(results)
	t.Logf("%d cases over %d kinds in %s (setup %s, control plane start not included): %s",
		len(cases), countKinds(cases), time.Since(t0).Round(10*time.Millisecond), setup.Round(10*time.Millisecond), sum)
	var b strings.Builder
	if err := agreement.WriteTable(&b, results); err != nil {
		t.Fatal(err)
	}
	if sum.Disagree+sum.CorpusBad > 0 || sum.PathsCovered < sum.PathsTotal || anyFailed(results) {
		t.Errorf("emmdev lint and the API server disagree:\n\n%s", b.String())
	}
	// AGREEMENT_VERBOSE=1 logs both verdicts of every case, passing or not.
	if os.Getenv("AGREEMENT_VERBOSE") != "" {
		for _, r := range results {
			t.Logf("%-60s server=%s %v %s | emmdev=%s %v", r.Case.Name, r.Server.Verdict, r.Server.Paths, r.Server.Message, r.Emmdev.Verdict, r.Emmdev.Findings)
		}
	}
}

func anyFailed(rs []*agreement.Result) bool {
	return slices.ContainsFunc(rs, func(r *agreement.Result) bool { return !r.OK() })
}

// loadCases reads testdata/cases plus the four EMM fixtures of
// internal/lint/testdata, which are policy failures the API server (and
// emmdev's API-level rules) must accept.
func loadCases(t *testing.T) []agreement.Case {
	t.Helper()
	cases, err := agreement.LoadCorpus(os.DirFS("testdata"), "cases", filepath.Join("testdata", "cases"))
	if err != nil {
		t.Fatal(err)
	}
	emm := glob(t, "../testdata/*/invalid-emm-*.yaml")
	if len(emm) != 4 {
		t.Fatalf("want the four EMM fixtures, found %v", emm)
	}
	for _, f := range emm {
		cases = append(cases, agreement.Case{
			Name:   "emm/" + filepath.Base(filepath.Dir(f)) + "/" + filepath.Base(f),
			File:   f,
			Title:  "EMM incident fixture: a policy failure, valid for the API server",
			Expect: agreement.Accept,
			Kinds:  []string{"emm"},
		})
	}
	return cases
}

func loadKnown(t *testing.T, cases []agreement.Case) map[string]agreement.KnownDifference {
	t.Helper()
	data, err := os.ReadFile(agreement.KnownDifferencesFile)
	if err != nil {
		t.Fatal(err)
	}
	list, err := agreement.ParseKnownDifferences(data)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]agreement.KnownDifference{}
	for _, k := range list {
		if !slices.ContainsFunc(cases, func(c agreement.Case) bool { return c.Name == k.Case }) {
			t.Errorf("%s: %s is not a case", agreement.KnownDifferencesFile, k.Case)
		}
		out[k.Case] = k
	}
	return out
}

func glob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func countKinds(cases []agreement.Case) int {
	seen := map[string]bool{}
	for _, c := range cases {
		for _, k := range c.Kinds {
			seen[k] = true
		}
	}
	return len(seen)
}

func ensureNamespace(ctx context.Context, t *testing.T, cp *testcp.ControlPlane, name string) {
	t.Helper()
	_, err := cp.Clientset.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	// Pods need the namespace's default ServiceAccount (admission).
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}
	if _, err := cp.Clientset.CoreV1().ServiceAccounts(name).Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// installCRDs creates the corpus CRDs (testdata/crds) and the SealedSecret
// CRD `emmdev up` installs, for real, and waits until kubectl can map their
// kinds. It returns the CRD files emmdev lints alongside each case (the
// SealedSecret schema is embedded in emmdev).
func installCRDs(ctx context.Context, t *testing.T, cp *testcp.ControlPlane, k *kubectl) []string {
	t.Helper()
	files := glob(t, "testdata/crds/*.yaml")
	var gvks []schema.GroupVersionKind
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cp.EnsureCRD(t, data)
		gvks = append(gvks, servedKinds(t, data)...)
	}
	objs, err := deploy.SealedSecretsObjects()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if o.GetKind() == "CustomResourceDefinition" {
			raw, err := o.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			cp.EnsureCRD(t, raw)
			gvks = append(gvks, servedKinds(t, raw)...)
		}
	}
	if err := k.waitForKinds(ctx, gvks); err != nil {
		t.Fatal(err)
	}
	return files
}

// servedKinds lists the group/version/kind a CRD manifest serves.
func servedKinds(t *testing.T, manifest []byte) []schema.GroupVersionKind {
	t.Helper()
	var crd struct {
		Spec struct {
			Group string `json:"group"`
			Names struct {
				Kind string `json:"kind"`
			} `json:"names"`
			Versions []struct {
				Name   string `json:"name"`
				Served bool   `json:"served"`
			} `json:"versions"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(manifest, &crd); err != nil {
		t.Fatal(err)
	}
	var out []schema.GroupVersionKind
	for _, v := range crd.Spec.Versions {
		if v.Served {
			out = append(out, schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind})
		}
	}
	return out
}
