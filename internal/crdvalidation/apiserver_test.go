package crdvalidation

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sschema "k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/emmdev/emmdev/internal/schema"
	"github.com/emmdev/emmdev/internal/testcp"
)

func TestMain(m *testing.M) {
	os.Exit(testcp.Main(m, testcp.Options{}))
}

// serverVerdict is what the real kube-apiserver answers to a server-side
// dry-run create with fieldValidation=Strict (kubectl apply's default).
type serverVerdict struct {
	accepted bool
	// invalid holds "field: message" of every cause of a 422 Invalid.
	invalid []string
	// unknown holds the fields of a 400 strict decoding error.
	unknown []string
	// message is the whole message of any other rejection.
	message string
	status  int32
}

var unknownFieldRE = regexp.MustCompile(`unknown field "([^"]*)"`)

func verdictOf(err error) serverVerdict {
	if err == nil {
		return serverVerdict{accepted: true}
	}
	var se *apierrors.StatusError
	if !errors.As(err, &se) {
		return serverVerdict{message: err.Error()}
	}
	st := se.Status()
	v := serverVerdict{message: st.Message, status: st.Code}
	switch {
	case apierrors.IsInvalid(err) && st.Details != nil:
		for _, c := range st.Details.Causes {
			v.invalid = append(v.invalid, c.Field+": "+c.Message)
		}
	case apierrors.IsBadRequest(err) && strings.Contains(st.Message, "strict decoding error"):
		for _, m := range unknownFieldRE.FindAllStringSubmatch(st.Message, -1) {
			v.unknown = append(v.unknown, m[1])
		}
	}
	slices.Sort(v.invalid)
	slices.Sort(v.unknown)
	return v
}

// ours splits our issues the way the server reports them.
func ours(issues []Issue) (invalid, unknown, other []string) {
	for _, is := range issues {
		switch is.Reason {
		case SchemaViolation, Invalid:
			invalid = append(invalid, is.Message)
		case UnknownField:
			unknown = append(unknown, is.Field)
		default:
			other = append(other, is.Message)
		}
	}
	slices.Sort(invalid)
	slices.Sort(unknown)
	return invalid, unknown, other
}

// compare holds our issues to the server's verdict on the same object: the
// same accept/reject, and for a rejection the same messages (422), the same
// unknown fields (400 strict) or the same message (other 400s).
func compare(t *testing.T, name string, issues []Issue, v serverVerdict, serverAccepts bool) {
	t.Helper()
	if serverAccepts {
		if !v.accepted {
			t.Errorf("%s: fixture says the API server accepts it, it answered %d %s", name, v.status, v.message)
		}
		return
	}
	if v.accepted != (len(issues) == 0) {
		t.Errorf("%s: API server accepted=%v, we found %v", name, v.accepted, got(issues))
		return
	}
	if v.accepted {
		return
	}
	invalid, unknown, other := ours(issues)
	switch {
	case v.invalid != nil:
		// Unusable issues (incomplete, built-in group) are ours on top.
		if !slices.Equal(invalid, v.invalid) {
			t.Errorf("%s: API server says\n  %s\nwe say\n  %s", name, strings.Join(v.invalid, "\n  "), strings.Join(invalid, "\n  "))
		}
	case v.unknown != nil:
		if !slices.Equal(unknown, v.unknown) {
			t.Errorf("%s: API server's unknown fields %q, ours %q", name, v.unknown, unknown)
		}
	default:
		if !slices.Contains(other, v.message) && v.status != 404 {
			t.Errorf("%s: API server answered %d %q, we say %q", name, v.status, v.message, other)
		}
	}
}

var (
	crdGVR    = k8sschema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	dryRun    = metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: "Strict"}
	serverRE  = regexp.MustCompile(`(?m)^#\s*server:\s*accepts\s*$`)
	resources = map[string]string{"Gadget": "gadgets", "SealedSecret": "sealedsecrets"}
)

// TestFixturesAgainstAPIServer sends every fixture to a real kube-apiserver
// (server-side dry run, strict field validation) and requires our verdict
// and messages to be the API server's: the want lines of the fixtures are
// the cluster's answers, not guesses.
func TestFixturesAgainstAPIServer(t *testing.T) {
	cp := testcp.Get(t)
	gadget, err := os.ReadFile("testdata/gadget-crd.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cp.EnsureCRD(t, gadget)
	docs, err := schema.EmbeddedCRDs()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		cp.EnsureCRD(t, d.Data)
	}
	ns := cp.Namespace(t)
	ctx := context.Background()

	t.Run("custom resources", func(t *testing.T) {
		set, _ := gadgetSet(t)
		for _, d := range docs {
			if err := set.AddEmbedded(d.Data, d.Name); err != nil {
				t.Fatal(err)
			}
		}
		files, _ := filepath.Glob("testdata/cr/*.yaml")
		more, _ := filepath.Glob("testdata/sealedsecret/*.yaml")
		files = append(append(files, more...), "../../manifests/40-confluence-credentials.sealedsecret.yaml")
		for _, f := range files {
			obj, _ := readObject(t, f)
			c, ok := set.Lookup(obj["apiVersion"].(string), obj["kind"].(string))
			if !ok {
				t.Fatalf("%s: no CRD", f)
			}
			issues := c.Validate(obj)
			u := &unstructured.Unstructured{Object: obj}
			gv, _ := k8sschema.ParseGroupVersion(u.GetAPIVersion())
			u.SetNamespace(ns)
			_, err := cp.Dynamic.Resource(gv.WithResource(resources[u.GetKind()])).Namespace(ns).Create(ctx, u, dryRun)
			compare(t, f, issues, verdictOf(err), false)
		}
	})

	t.Run("CRDs", func(t *testing.T) {
		files, _ := filepath.Glob("testdata/crd/*.yaml")
		for _, f := range files {
			obj, data := readObject(t, f)
			c := builtinSet(t).Add(obj, f)
			issues := c.Check()
			if ok, why := c.Usable(); !ok && len(issues) == 0 {
				// Rejected while decoding: the schema check reports it.
				issues = []Issue{{Reason: Malformed, Message: why}}
			}
			_, err := cp.Dynamic.Resource(crdGVR).Create(ctx, &unstructured.Unstructured{Object: obj}, dryRun)
			v := verdictOf(err)
			if v.status == 400 {
				// Decoding errors: same verdict; the schema check words them.
				if ok, _ := c.Usable(); ok {
					t.Errorf("%s: API server cannot decode it (%s), we use it", f, v.message)
				}
				continue
			}
			compare(t, f, issues, v, serverRE.Match(data))
		}
	})
}
