package peers_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"

	"sigs.k8s.io/yaml"

	"github.com/emmdev/emmdev/internal/lint/agreement"
)

// verdict of a tool on one fixture: pass (exit 0) or fail (non-zero);
// skip marks a file that is not a manifest (a schema, a Helm template).
type verdict string

const (
	pass verdict = "pass"
	fail verdict = "fail"
	skip verdict = "skip"
)

// expectation pins emmdev's verdict on one peer fixture.
type expectation struct {
	Fixture string `json:"fixture"`
	// Bats names the kubeconform acceptance test whose exit status is
	// kubeconform's expectation for this fixture.
	Bats   string  `json:"bats,omitempty"`
	Emmdev verdict `json:"emmdev"`
	// Why explains a deliberate difference from the peer (required exactly
	// when the verdicts differ) or why a file is skipped.
	Why string `json:"why,omitempty"`
}

func loadExpectations(t *testing.T, file string) map[string]expectation {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var list []expectation
	if err := yaml.UnmarshalStrict(data, &list); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	out := map[string]expectation{}
	for _, e := range list {
		if _, dup := out[e.Fixture]; dup {
			t.Errorf("%s: %s listed twice", file, e.Fixture)
		}
		if e.Emmdev != pass && e.Emmdev != fail && e.Emmdev != skip {
			t.Errorf("%s: %s: emmdev must be pass, fail or skip", file, e.Fixture)
		}
		out[e.Fixture] = e
	}
	return out
}

// row is one line of the verdict table.
type row struct {
	fixture, peerDetail string
	peerVerdict, emmdev verdict
	findings            string
	why                 string
	problem             string
}

func lintVerdict(t *testing.T, l *agreement.Linter, file string) (verdict, string) {
	t.Helper()
	o := l.Lint(context.Background(), file)
	if o.Verdict == agreement.Accept {
		return pass, ""
	}
	if o.Message != "" {
		return fail, "run failed: " + firstLine(o.Message)
	}
	var fs []string
	for _, f := range o.Findings {
		fs = append(fs, fmt.Sprintf("%d [%s] %s", f.Line, f.Rule, firstLine(f.Message)))
	}
	if len(fs) > 2 {
		fs = append(fs[:2], fmt.Sprintf("(+%d more)", len(fs)-2))
	}
	return fail, strings.Join(fs, "; ")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 140 {
		s = s[:140] + "…"
	}
	return s
}

// judge compares the pinned expectation with what emmdev did and what the
// peer expects.
func judge(r *row, e expectation, ok bool) {
	switch {
	case !ok:
		r.problem = "fixture missing from the expectations file"
	case r.emmdev != e.Emmdev:
		r.problem = fmt.Sprintf("emmdev now says %s, expectations say %s", r.emmdev, e.Emmdev)
	case r.peerVerdict != "" && r.peerVerdict != r.emmdev && e.Why == "":
		r.problem = "verdicts differ without a why"
	case r.peerVerdict != "" && r.peerVerdict == r.emmdev && e.Why != "" && e.Emmdev != skip:
		r.problem = "same verdict, but the expectations explain a difference: drop the why"
	}
	r.why = e.Why
}

func report(t *testing.T, title string, rows []row) {
	t.Helper()
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "FIXTURE\t%s\tEMMDEV\tEMMDEV FINDINGS\tWHY / PROBLEM\n", strings.ToUpper(title))
	bad := 0
	for _, r := range rows {
		note := r.why
		if r.problem != "" {
			bad++
			note = "PROBLEM: " + r.problem
		}
		peer := string(r.peerVerdict)
		if peer == "" {
			peer = "-"
		}
		if r.peerDetail != "" {
			peer += " (" + r.peerDetail + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.fixture, peer, r.emmdev, r.findings, note)
	}
	_ = tw.Flush()
	if bad > 0 {
		t.Errorf("%d of %d %s fixtures do not match their expectations:\n%s", bad, len(rows), title, b.String())
		return
	}
	t.Logf("%d %s fixtures, every verdict as expected:\n%s", len(rows), title, b.String())
}

// batsTest is one @test of kubeconform's acceptance.bats.
type batsTest struct {
	name, run string
	status    int // -1 when the test asserts no exit status
}

var (
	batsTestRE   = regexp.MustCompile(`(?m)^@test "([^"]+)" \{\n((?:.*\n)*?)\}`)
	batsRunRE    = regexp.MustCompile(`(?m)^\s*run (.+)$`)
	batsStatusRE = regexp.MustCompile(`\[ "\$status" -eq (\d+) \]`)
)

func parseBats(t *testing.T, file string) map[string]batsTest {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]batsTest{}
	for _, m := range batsTestRE.FindAllStringSubmatch(string(data), -1) {
		bt := batsTest{name: m[1], status: -1}
		if r := batsRunRE.FindStringSubmatch(m[2]); r != nil {
			bt.run = r[1]
		}
		if s := batsStatusRE.FindStringSubmatch(m[2]); s != nil {
			bt.status, _ = strconv.Atoi(s[1]) // \d+: always a number
		}
		out[bt.name] = bt
	}
	if len(out) < 40 {
		t.Fatalf("%s: found only %d tests; has the format changed?", file, len(out))
	}
	return out
}

// TestKubeconformFixtures: every file of kubeconform's fixtures/ folder,
// emmdev's verdict next to the exit status kubeconform's acceptance.bats
// asserts for it.
func TestKubeconformFixtures(t *testing.T) {
	t.Parallel()
	dir := kubeconformDir(t)
	bats := parseBats(t, filepath.Join(dir, "acceptance.bats"))
	exp := loadExpectations(t, filepath.Join("testdata", "kubeconform.yaml"))
	files := listFiles(t, filepath.Join(dir, "fixtures"))
	l, err := agreement.NewLinter(nil)
	if err != nil {
		t.Fatal(err)
	}
	var rows []row
	for _, f := range files {
		e, ok := exp[f]
		r := row{fixture: f}
		if ok && e.Bats != "" {
			bt, found := bats[e.Bats]
			switch {
			case !found:
				r.problem = fmt.Sprintf("no bats test %q", e.Bats)
			case !runs(bt.run, f):
				r.problem = fmt.Sprintf("bats test %q does not run %s", e.Bats, f)
			case bt.status < 0:
				r.problem = fmt.Sprintf("bats test %q asserts no exit status", e.Bats)
			default:
				r.peerVerdict = map[bool]verdict{true: pass, false: fail}[bt.status == 0]
				r.peerDetail = strings.TrimSpace(fmt.Sprintf("exit %d %s", bt.status, flags(bt.run)))
			}
		}
		if ok && e.Emmdev == skip {
			r.emmdev = skip
		} else {
			r.emmdev, r.findings = lintVerdict(t, l, filepath.Join(dir, "fixtures", f))
		}
		if r.problem == "" {
			judge(&r, e, ok)
		}
		rows = append(rows, r)
		delete(exp, f)
	}
	for f := range exp {
		rows = append(rows, row{fixture: f, problem: "in the expectations but not in kubeconform's fixtures/"})
	}
	report(t, "kubeconform", rows)
}

// runs reports whether a bats run line passes fixture f (or its folder).
func runs(run, f string) bool {
	for _, tok := range strings.Fields(run) {
		tok = strings.TrimPrefix(strings.Trim(tok, `"'`), "./")
		if tok == "fixtures/"+f || strings.Contains(f, "/") && tok == "fixtures/"+filepath.Dir(f) {
			return true
		}
	}
	return false
}

// flags keeps a bats run line's options (what changes kubeconform's verdict).
func flags(run string) string {
	var out []string
	for _, f := range strings.Fields(run) {
		if strings.HasPrefix(f, "-") && f != "-c" {
			out = append(out, f)
		}
	}
	return strings.Join(out, " ")
}

var (
	// testExpectedScore(t, "file.yaml", "Check name", scorecard.GradeX)
	scoreSimpleRE = regexp.MustCompile(`testExpectedScore\(t, "([^"]+)", "([^"]+)", (?:scorecard\.)?(\w+)\)`)
	// testExpectedScoreWithConfig(t, []ks.NamedReader{testFile("a.yaml"), ...}, ..., "Check", scorecard.GradeX)
	scoreConfigRE = regexp.MustCompile(`(?s)testExpectedScoreWithConfig\(\s*t,\s*\[\]ks\.NamedReader\{(.*?)\},.*?"([^"]+)",\s*(?:scorecard\.)?(\w+),?\s*\)`)
	testFileRE    = regexp.MustCompile(`testFile\("([^"]+)"\)`)
)

// kubeScoreGrades reads the grades kube-score's own tests assert, per
// fixture: "Container Resources=GradeCritical".
func kubeScoreGrades(t *testing.T, dir string) map[string][]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "score", "*_test.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no kube-score tests in %s: %v", dir, err)
	}
	out := map[string][]string{}
	add := func(file, check, grade string) {
		g := check + "=" + strings.TrimPrefix(grade, "Grade")
		if !slices.Contains(out[file], g) {
			out[file] = append(out[file], g)
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range scoreSimpleRE.FindAllStringSubmatch(string(data), -1) {
			add(m[1], m[2], m[3])
		}
		for _, m := range scoreConfigRE.FindAllStringSubmatch(string(data), -1) {
			for _, tf := range testFileRE.FindAllStringSubmatch(m[1], -1) {
				add(tf[1], m[2], m[3])
			}
		}
	}
	if len(out) < 100 {
		t.Fatalf("found grades for only %d kube-score fixtures; has the test format changed?", len(out))
	}
	return out
}

// TestKubeScoreFixtures: every file of kube-score's score/testdata and
// parser/testdata. kube-score parses and grades every score fixture (its
// tests assert the grades shown) and rejects parser/testdata/invalid-yaml;
// emmdev's API-level verdict must be the same unless testdata/kube-score.yaml
// explains why not (typically: the API server rejects the fixture).
func TestKubeScoreFixtures(t *testing.T) {
	t.Parallel()
	dir := kubeScoreDir(t)
	grades := kubeScoreGrades(t, dir)
	exp := loadExpectations(t, filepath.Join("testdata", "kube-score.yaml"))
	l, err := agreement.NewLinter(nil)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, sub := range []string{"score/testdata", "parser/testdata"} {
		for _, f := range listFiles(t, filepath.Join(dir, sub)) {
			files = append(files, sub+"/"+f)
		}
	}
	var rows []row
	graded := 0
	for _, f := range files {
		e, ok := exp[f]
		if !ok {
			// Only differences and skips are listed; the rest must pass.
			e, ok = expectation{Fixture: f, Emmdev: pass}, true
		}
		r := row{fixture: f, peerVerdict: pass}
		if f == "parser/testdata/invalid-yaml.yaml" {
			r.peerVerdict = fail
			r.peerDetail = "parser test: cannot unmarshal string into nodePort"
		}
		if g := grades[filepath.Base(f)]; len(g) > 0 && strings.HasPrefix(f, "score/") {
			graded++
			r.peerDetail = strings.Join(g, ", ")
		}
		if e.Emmdev == skip {
			r.emmdev, r.peerVerdict = skip, skip
		} else {
			r.emmdev, r.findings = lintVerdict(t, l, filepath.Join(dir, f))
		}
		judge(&r, e, ok)
		rows = append(rows, r)
		delete(exp, f)
	}
	for f := range exp {
		rows = append(rows, row{fixture: f, problem: "in the expectations but not in kube-score's testdata"})
	}
	t.Logf("kube-score %s: %d fixtures, %d with grades asserted by its tests", kubeScoreVersion, len(files), graded)
	report(t, "kube-score", rows)
}

func listFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}
