package agreement_test

import (
	"slices"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/emmdev/emmdev/internal/lint/agreement"
)

func TestParsePath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]string{
		"spec.template.spec.containers[0].image":     {"spec", "template", "spec", "containers", "0", "image"},
		"metadata.annotations[api-approved.k8s.io]":  {"metadata", "annotations", "api-approved.k8s.io"},
		"data[log level]":                            {"data", "log level"},
		"spec.resources[storage]":                    {"spec", "resources", "storage"},
		"spec":                                       {"spec"},
		"a[x[1]].b":                                  {"a", "x[1]"},
		"spec.versions[0].schema.properties[spec].x": {"spec", "versions", "0", "schema", "properties", "spec", "x"},
	} {
		got, err := agreement.ParsePath(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if in == "a[x[1]].b" {
			want = append(want, "b")
		}
		if !slices.Equal(got.Segs, want) {
			t.Errorf("ParsePath(%q) = %q, want %q", in, got.Segs, want)
		}
	}
	for _, bad := range []string{"", ".spec", "spec.", "spec[0"} {
		if _, err := agreement.ParsePath(bad); err == nil {
			t.Errorf("ParsePath(%q): no error", bad)
		}
	}
}

// TestPathsRoundTrip: the API server's own field.Path rendering parses
// back into the segments emmdev reports.
func TestPathsRoundTrip(t *testing.T) {
	t.Parallel()
	p := field.NewPath("spec").Child("containers").Index(2).Child("resources", "limits").Key("nvidia.com/gpu")
	got, err := agreement.ParsePath(p.String())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"spec", "containers", "2", "resources", "limits", "nvidia.com/gpu"}
	if !got.Covers(want) || got.String() != p.String() {
		t.Errorf("%s -> %q (%s), want %q", p, got.Segs, got, want)
	}
}

func TestCovers(t *testing.T) {
	t.Parallel()
	exact := agreement.MustPath("spec.containers[0].env[1].value")
	if !exact.Covers([]string{"spec", "containers", "0", "env", "1", "value"}) {
		t.Error("exact path does not cover itself")
	}
	for _, other := range [][]string{
		{"spec", "containers", "0", "env", "0", "value"},
		{"spec", "containers", "0", "env", "1"},
		{"spec", "containers", "0", "env", "1", "value", "x"},
	} {
		if exact.Covers(other) {
			t.Errorf("%s covers %q", exact, other)
		}
	}
	loose, err := agreement.ParseHeaderPath("decode:spec.containers.env.value")
	if err != nil || !loose.Loose {
		t.Fatalf("ParseHeaderPath: %v %+v", err, loose)
	}
	if !loose.Covers([]string{"spec", "containers", "3", "env", "0", "value"}) {
		t.Error("loose path does not cover the indexed path")
	}
	labels, _ := agreement.ParseHeaderPath("decode:metadata.labels")
	if !labels.Covers([]string{"metadata", "labels", "country"}) || labels.Covers([]string{"metadata"}) {
		t.Error("loose map path must cover its keys and nothing shorter")
	}
}

func TestServerPaths(t *testing.T) {
	t.Parallel()
	gk := schema.GroupKind{Group: "apps", Kind: "Deployment"}
	invalid := apierrors.NewInvalid(gk, "web", field.ErrorList{
		field.Invalid(field.NewPath("spec", "template", "metadata", "labels"), nil, "`selector` does not match template `labels`"),
		field.Required(field.NewPath("spec", "selector"), ""),
	})
	strict := apierrors.NewBadRequest(`strict decoding error: unknown field "spec.replica", unknown field "spec.template.spec.containers[0].imagePullPolicyy"`)
	decode := apierrors.NewBadRequest(`Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal bool into Go struct field EnvVar.spec.containers.env.value of type string`)
	got := agreement.ServerPaths(utilerrors.NewAggregate([]error{invalid, strict, decode}))
	var s []string
	for _, p := range got {
		s = append(s, p.String())
	}
	want := []string{"spec.template.metadata.labels", "spec.selector", "spec.replica",
		"spec.template.spec.containers[0].imagePullPolicyy", "decode:spec.containers.env.value"}
	if !slices.Equal(s, want) {
		t.Errorf("ServerPaths = %q, want %q", s, want)
	}
	if !agreement.IsServerVerdict(utilerrors.NewAggregate([]error{invalid})) {
		t.Error("an Invalid Status is the API server's verdict")
	}
	if agreement.IsServerVerdict(utilerrors.NewAggregate([]error{errString("no matches for kind")})) {
		t.Error("a kubectl mapping error is not the API server's verdict")
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestParseCase(t *testing.T) {
	t.Parallel()
	good := "# case: x\n# rule: r\n# expect: reject\n# path: spec.a\n# path: spec.b[0]\n# a prose line, no key\napiVersion: v1\n# case: not header\n"
	c, err := agreement.ParseCase("x.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if c.Title != "x" || c.Rule != "r" || c.Expect != agreement.Reject || len(c.Paths) != 2 {
		t.Errorf("parsed %+v", c)
	}
	for name, bad := range map[string]string{
		"no case":          "# expect: accept\n",
		"no expect":        "# case: x\n",
		"bad expect":       "# case: x\n# expect: maybe\n",
		"accept with rule": "# case: x\n# expect: accept\n# rule: r\n",
		"reject no rule":   "# case: x\n# expect: reject\n# path: a\n",
		"reject no where":  "# case: x\n# rule: r\n# expect: reject\n",
		"path and server":  "# case: x\n# rule: r\n# expect: reject\n# path: a\n# server-error: e\n",
		"unknown key":      "# case: x\n# expect: accept\n# pth: a\n",
		"bad path":         "# case: x\n# rule: r\n# expect: reject\n# path: a[\n",
		"empty value":      "# case: x\n# expect: accept\n# rule:\n",
	} {
		if _, err := agreement.ParseCase("bad.yaml", []byte(bad)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestJudge(t *testing.T) {
	t.Parallel()
	reject := agreement.Case{Name: "c.yaml", Rule: "r", Expect: agreement.Reject, Paths: []agreement.Path{agreement.MustPath("spec.replicas")}}
	serverRejects := agreement.Outcome{Verdict: agreement.Reject, ServerAnswered: true, Paths: []agreement.Path{agreement.MustPath("spec.replicas")}}
	finding := func(p ...string) agreement.Finding { return agreement.Finding{Rule: "api-validation", Path: p} }
	for _, tc := range []struct {
		name           string
		c              agreement.Case
		server, emmdev agreement.Outcome
		known          *agreement.KnownDifference
		corpus, dis    string
	}{
		{name: "agree with path", c: reject, server: serverRejects,
			emmdev: agreement.Outcome{Verdict: agreement.Reject, Findings: []agreement.Finding{finding("spec", "replicas")}}},
		{name: "emmdev accepts", c: reject, server: serverRejects, emmdev: agreement.Outcome{Verdict: agreement.Accept},
			dis: "API server says reject, emmdev says accept"},
		{name: "finding elsewhere", c: reject, server: serverRejects,
			emmdev: agreement.Outcome{Verdict: agreement.Reject, Findings: []agreement.Finding{finding("spec")}},
			dis:    "no emmdev finding at spec.replicas"},
		{name: "case tests nothing", c: reject, server: agreement.Outcome{Verdict: agreement.Accept, ServerAnswered: true},
			emmdev: agreement.Outcome{Verdict: agreement.Accept}, corpus: "declared reject, API server says accept"},
		{name: "wrong declared path", c: reject,
			server: agreement.Outcome{Verdict: agreement.Reject, ServerAnswered: true, Paths: []agreement.Path{agreement.MustPath("spec")}},
			emmdev: agreement.Outcome{Verdict: agreement.Reject, Findings: []agreement.Finding{finding("spec")}},
			corpus: "declared paths spec.replicas, kubectl/API server name spec"},
		{name: "known difference holds", c: reject, server: serverRejects, emmdev: agreement.Outcome{Verdict: agreement.Accept},
			known: &agreement.KnownDifference{Case: "c.yaml", Emmdev: agreement.Accept, Why: "cluster-state", Reason: "r"}},
		{name: "known difference gone", c: reject, server: serverRejects,
			emmdev: agreement.Outcome{Verdict: agreement.Reject, Findings: []agreement.Finding{finding("spec", "replicas")}},
			known:  &agreement.KnownDifference{Case: "c.yaml", Emmdev: agreement.Accept, Why: "cluster-state", Reason: "r"},
			dis:    "known difference lists emmdev as accept"},
	} {
		r := &agreement.Result{Case: tc.c, Server: tc.server, Emmdev: tc.emmdev, Known: tc.known}
		r.Judge()
		check := func(kind, want string, got []string) {
			if want == "" && len(got) > 0 || want != "" && !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, want) }) {
				t.Errorf("%s: %s problems %q, want %q", tc.name, kind, got, want)
			}
		}
		check("corpus", tc.corpus, r.CorpusProblems)
		check("disagreement", tc.dis, r.Disagreements)
	}
}

// TestTable: the failure output names the case, both verdicts with paths
// and findings, and what is wrong.
func TestTable(t *testing.T) {
	t.Parallel()
	r := &agreement.Result{
		Case:   agreement.Case{Name: "apps/x.yaml", Title: "t", Rule: "r", Expect: agreement.Reject, Paths: []agreement.Path{agreement.MustPath("spec.replicas")}},
		Server: agreement.Outcome{Verdict: agreement.Reject, ServerAnswered: true, Paths: []agreement.Path{agreement.MustPath("spec.replicas")}, Message: "Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1"},
		Emmdev: agreement.Outcome{Verdict: agreement.Reject, Findings: []agreement.Finding{{Rule: "schema", Path: []string{"spec"}, Line: 3, Col: 1, Message: "m"}}},
	}
	r.Judge()
	var b strings.Builder
	if err := agreement.WriteTable(&b, []*agreement.Result{r}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"apps/x.yaml", "reject spec.replicas", "reject schema spec", "no emmdev finding at spec.replicas", "Invalid value: -1", "3:1 [schema] spec: m"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

// TestNamedByMessage: a finding elsewhere names the API server's path only
// by quoting it exactly, and a loose (decoder) path never by message.
func TestNamedByMessage(t *testing.T) {
	t.Parallel()
	p := agreement.MustPath("spec.validation.openAPIV3Schema.properties[spec].type")
	quoting := agreement.Finding{Path: []string{"spec", "versions", "0", "schema", "openAPIV3Schema", "properties", "spec", "type"},
		Message: "spec.validation.openAPIV3Schema.properties[spec].type: Required value"}
	if named, inMsg := p.NamedBy(quoting); !named || !inMsg {
		t.Errorf("quoted path not named: %v %v", named, inMsg)
	}
	other := agreement.Finding{Path: []string{"spec"}, Message: "spec.validation.openAPIV3Schema.properties.spec.type is wrong"}
	if named, _ := p.NamedBy(other); named {
		t.Error("a paraphrased path must not count")
	}
	loose, _ := agreement.ParseHeaderPath("decode:metadata.labels")
	if named, _ := loose.NamedBy(agreement.Finding{Path: []string{"x"}, Message: "metadata.labels"}); named {
		t.Error("a loose path is only named by a finding at the field")
	}
}
