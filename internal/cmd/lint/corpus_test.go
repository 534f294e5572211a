package lint_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	jsonschema "github.com/santhosh-tekuri/jsonschema/v6"
)

// sarifSchema is the SARIF 2.1.0 schema the report package's own test uses.
var sarifSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	f, err := os.Open(filepath.Join("..", "..", "lint", "report", "testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("sarif.json")
})

// validSARIF checks out against the schema and returns the results'
// locations as file:line.
func validSARIF(t testing.TB, out []byte) []string {
	t.Helper()
	sch, err := sarifSchema()
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("SARIF is not JSON: %v\n%s", err, out)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("SARIF does not match the 2.1.0 schema: %v", err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
						Region           struct{ StartLine int } `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	var locs []string
	for _, r := range log.Runs[0].Results {
		l := r.Locations[0].PhysicalLocation
		locs = append(locs, r.RuleID+"@"+l.ArtifactLocation.URI)
	}
	return locs
}

// TestCorpus lints a tree shaped like public repositories (kustomize base
// and overlay with a patch, a Helm chart, a CI workflow, pre-commit config,
// a Prometheus config next to manifests, a broken YAML file and a YAML file
// that is not Kubernetes): no abort, every format valid, every finding in
// a real file at a real line, the broken files reported next to the
// plaintext Secret they used to hide.
func TestCorpus(t *testing.T) {
	t.Parallel()
	wd, err := filepath.Abs(filepath.Join("testdata", "corpus"))
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"."}, {".", "-k", "deploy/overlays/production"}} {
		code, fs, stderr := lintJSON(t, wd, args...)
		if code != 1 {
			t.Fatalf("%v: exit %d, want 1 (findings)\n%s", args, code, stderr)
		}
		var rules []string
		for _, f := range fs {
			rules = append(rules, f.Rule+"@"+f.File)
			if f.Line < 1 || f.Col < 0 {
				t.Errorf("%v: finding not located: %+v", args, f)
			}
			if fi, err := os.Stat(filepath.Join(wd, f.File)); err != nil || fi.IsDir() {
				t.Errorf("%v: finding in %q, not a file of the tree", args, f.File)
			}
		}
		for _, want := range []string{
			"parse@manifests/broken.yaml", "parse@manifests/app-settings.yaml",
			"plaintext-secret@manifests/secret.yaml", "stateful-without-pvc@manifests/redis.yaml",
			"resources@manifests/redis.yaml", "readiness-probe@monitoring/prometheus-deployment.yaml",
		} {
			if !slices.Contains(rules, want) {
				t.Errorf("%v: no %s in %v", args, want, rules)
			}
		}
		for _, skipped := range []string{"charts/", "prometheus.yml", ".github", "kustomization.yaml", "replicas.yaml", "pre-commit"} {
			for _, r := range rules {
				if strings.Contains(r, skipped) {
					t.Errorf("%v: %s linted: %s", args, skipped, r)
				}
			}
		}
		for _, note := range []string{
			"note: skipped charts/web/: Helm chart", "note: skipped monitoring/prometheus.yml: Prometheus configuration",
			"note: skipped deploy/overlays/production/kustomization.yaml: kustomization file",
			"note: skipped deploy/overlays/production/replicas.yaml: kustomize patch", "note: skipped .pre-commit-config.yaml",
		} {
			if strings.Count(stderr, note) != 1 {
				t.Errorf("%v: want one %q line:\n%s", args, note, stderr)
			}
		}
	}

	// Every format over the same tree is complete and well-formed.
	r := run(t, wd, "", "lint", "-o", "sarif", ".")
	locs := validSARIF(t, []byte(r.out))
	if r.code != 1 || !slices.Contains(locs, "parse@manifests/broken.yaml") || !slices.Contains(locs, "plaintext-secret@manifests/secret.yaml") {
		t.Errorf("sarif: exit %d results %v", r.code, locs)
	}
	r = run(t, wd, "", "lint", "-o", "junit", ".")
	var suites struct {
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
	}
	if err := xml.Unmarshal([]byte(r.out), &suites); err != nil || suites.Failures != 7 || suites.Skipped != 2 {
		t.Errorf("junit: %v %+v\n%s", err, suites, r.out)
	}
	r = run(t, wd, "", "lint", "-o", "github", ".")
	ghLine := regexp.MustCompile(`^::(error|warning|notice) file=[^,]+,line=[1-9][0-9]*,col=[0-9]+,title=[^:]+::.+$`)
	lines := strings.Split(strings.TrimSpace(r.out), "\n")
	for _, l := range lines {
		if !ghLine.MatchString(l) {
			t.Errorf("github: malformed line %q", l)
		}
	}
	if len(lines) != 9 {
		t.Errorf("github: %d lines, want 9", len(lines))
	}
	r = run(t, wd, "", "lint", ".")
	textLine := regexp.MustCompile(`^([^:]+:[1-9][0-9]*(:[0-9]+)?: (error|warning|info) \[[a-z-]+\] .+|    fix: .+|✗ 7 errors, 2 warnings, 0 info in 6 objects \(7 files\))$`)
	for _, l := range strings.Split(strings.TrimSpace(r.out), "\n") {
		if !textLine.MatchString(l) {
			t.Errorf("text: malformed line %q", l)
		}
	}
	if strings.Contains(r.out+r.errOut, "hunter2-corpus-secret") {
		t.Error("a secret value reached the output")
	}
}
