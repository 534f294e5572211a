package lint_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/app"
	"github.com/emmdev/emmdev/internal/cmdutil"
)

type result struct {
	code        int
	out, errOut string
}

// run executes `emmdev args...` in-process, as a user would, with stdin and
// a working directory.
func run(t *testing.T, wd, stdin string, args ...string) result {
	t.Helper()
	streams, in, out, errOut := cmdutil.TestStreams()
	in.WriteString(stdin)
	f := cmdutil.NewFactory(streams, "test")
	if wd != "" {
		f.WorkDir = func() (string, error) { return wd, nil }
	}
	code := app.Run(context.Background(), args, f)
	return result{code, out.String(), errOut.String()}
}

func TestCLI(t *testing.T) {
	t.Parallel()
	emptyDir := t.TempDir()
	tests := []struct {
		name       string
		args       []string
		stdin      string
		code       int
		outHas     []string
		errHas     []string
		outLacks   []string
		stdoutOnly bool // nothing may reach stderr (machine formats)
	}{
		{name: "clean", args: []string{"lint", "testdata/clean.yaml"}, code: 0,
			outHas: []string{"✓ 0 errors, 0 warnings, 0 info in 2 objects (1 file)"}},
		{name: "findings", args: []string{"lint", "testdata/secret.yaml"}, code: 1,
			outHas: []string{"testdata/secret.yaml:6:1: error [plaintext-secret] Secret agentic-ai/llm-credentials", "testdata/secret.yaml:8:1: error [plaintext-secret]", "fix: Seal it"}},
		{name: "warnings pass by default", args: []string{"lint", "testdata/warning-only.yaml"}, code: 0,
			outHas: []string{"⚠ 0 errors, 2 warnings", "testdata/warning-only.yaml:16:11: warning [image-latest]", "testdata/warning-only.yaml:6:1: warning [rolling-update-downtime]"}},
		{name: "fail-on warning", args: []string{"lint", "--fail-on", "warning", "testdata/warning-only.yaml"}, code: 1},
		{name: "fail-on info catches info", args: []string{"lint", "--fail-on", "info", "--policy", "testdata/policy-no-latest.yaml", "testdata/warning-only.yaml"}, code: 1,
			outHas: []string{"info [rolling-update-downtime]"}, outLacks: []string{"image-latest"}},
		{name: "policy demotes below fail-on", args: []string{"lint", "--fail-on", "warning", "--policy", "testdata/policy-no-latest.yaml", "testdata/warning-only.yaml"}, code: 0},
		{name: "json", args: []string{"lint", "-o", "json", "testdata/secret.yaml"}, code: 1, stdoutOnly: true,
			outHas: []string{`"rule": "plaintext-secret"`, `"line": 6`, `"column": 1`, `"object": "Secret agentic-ai/llm-credentials"`}},
		{name: "sarif", args: []string{"lint", "--format", "sarif", "testdata/secret.yaml"}, code: 1, stdoutOnly: true,
			outHas: []string{`"version": "2.1.0"`, `"startLine": 6`, `"ruleId": "plaintext-secret"`}},
		{name: "junit", args: []string{"lint", "--format", "junit", "testdata/secret.yaml"}, code: 1, stdoutOnly: true,
			outHas: []string{`<testsuites name="emmdev lint" tests="2" failures="2" skipped="0">`, `<failure message=`}},
		{name: "github", args: []string{"lint", "--format", "github", "testdata/secret.yaml"}, code: 1, stdoutOnly: true,
			outHas: []string{"::error file=testdata/secret.yaml,line=6,col=1,title=plaintext-secret Secret agentic-ai/llm-credentials::"}},
		{name: "stdin", args: []string{"lint", "-"}, stdin: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  k: dmFsdWU=\n", code: 1,
			outHas: []string{"<stdin>:5:1: error [plaintext-secret] Secret s"}},
		{name: "unknown kind", args: []string{"lint", "testdata/widget.yaml"}, code: 1,
			outHas: []string{"testdata/widget.yaml:2:1: error [unknown-kind] Widget agentic-ai/gadget: no schema for example.com/v1 Widget"}},
		{name: "skip kinds", args: []string{"lint", "--skip-kinds", "example.com/Widget", "testdata/widget.yaml"}, code: 0},
		{name: "ignore missing schemas", args: []string{"lint", "--ignore-missing-schemas", "testdata/widget.yaml"}, code: 0},
		{name: "explicit kind config", args: []string{"lint", "--kind-config", "testdata/kind-other.yaml", "testdata/hostpath.yaml"}, code: 1,
			outHas: []string{"testdata/hostpath.yaml:18:9: error [hostpath-not-mounted]", "testdata/kind-other.yaml"}},
		{name: "list rules", args: []string{"lint", "--list-rules"}, code: 0,
			outHas: []string{"readiness-probe", "liveness-probe", "resources", "stateful-without-pvc", "plaintext-secret", "rolling-update-downtime", "image-latest", "hostpath-not-mounted", "secret-ref-missing", "suppression-reason", "schema", "unknown-kind"}},
		{name: "list rules under a policy", args: []string{"lint", "--list-rules", "-o", "json", "--policy", "testdata/policy-no-latest.yaml"}, code: 0,
			outHas: []string{`"id": "image-latest",` + "\n" + `    "severity": "warning",` + "\n" + `    "enabled": false`}},

		// Exit 2: usage and I/O failures, printed once on stderr.
		{name: "no paths", args: []string{"lint"}, code: 2, errHas: []string{"emmdev: give the files or directories to lint", "Run 'emmdev lint --help'"}},
		{name: "bad format", args: []string{"lint", "-o", "yaml", "testdata/clean.yaml"}, code: 2, errHas: []string{`--format "yaml"`}},
		{name: "bad fail-on", args: []string{"lint", "--fail-on", "fatal", "testdata/clean.yaml"}, code: 2, errHas: []string{"--fail-on"}},
		{name: "missing file", args: []string{"lint", "testdata/nope.yaml"}, code: 2, errHas: []string{"emmdev: testdata/nope.yaml: no such file or directory"}},
		// Keep going, fail closed: the broken file is an error finding, the
		// good one is still linted (2 objects), exit 1 not 2.
		{name: "unparsable", args: []string{"lint", "testdata/clean.yaml", "testdata/broken.yaml"}, code: 1,
			outHas: []string{"testdata/broken.yaml:6: error [parse] did not find expected ',' or ']'", "✗ 1 error, 0 warnings, 0 info in 2 objects (2 files)"}},
		{name: "unparsable next to a plaintext secret", args: []string{"lint", "-o", "json", "testdata/broken.yaml", "testdata/secret.yaml"}, code: 1, stdoutOnly: true,
			outHas: []string{`"rule": "parse"`, `"rule": "plaintext-secret"`, `"file": "testdata/secret.yaml"`}},
		{name: "zero objects", args: []string{"lint", emptyDir}, code: 2, errHas: []string{"no Kubernetes objects found"}},
		{name: "empty stdin", args: []string{"lint", "-"}, code: 2, errHas: []string{"no Kubernetes objects found in <stdin>"}},
		{name: "bad exclude glob", args: []string{"lint", "--exclude", "manifests/[", "testdata/clean.yaml"}, code: 2, errHas: []string{`--exclude: exclude pattern "manifests/["`}},
		{name: "exclude drops a file", args: []string{"lint", "--exclude", "broken.yaml", "testdata/clean.yaml", "testdata/broken.yaml"}, code: 0,
			outHas: []string{"in 2 objects (1 file)"}},
		{name: "policy typo", args: []string{"lint", "--policy", "testdata/policy-typo.yaml", "testdata/clean.yaml"}, code: 2,
			errHas: []string{`testdata/policy-typo.yaml:4:3: unknown rule "image-lastest"`}},
		{name: "exclusive modes", args: []string{"lint", "--staged", "--list-rules"}, code: 2, errHas: []string{"exclusive"}},
		{name: "force without hook", args: []string{"lint", "--force", "x"}, code: 2, errHas: []string{"--force only applies"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := run(t, "", tt.stdin, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.out, r.errOut)
			}
			for _, s := range tt.outHas {
				if !strings.Contains(r.out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, r.out)
				}
			}
			for _, s := range tt.outLacks {
				if strings.Contains(r.out, s) {
					t.Errorf("stdout has %q:\n%s", s, r.out)
				}
			}
			for _, s := range tt.errHas {
				if !strings.Contains(r.errOut, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.errOut)
				}
			}
			if tt.stdoutOnly && r.errOut != "" {
				t.Errorf("machine format wrote to stderr: %q", r.errOut)
			}
			if strings.Count(r.errOut, "emmdev:") > 1 {
				t.Errorf("error printed more than once:\n%s", r.errOut)
			}
		})
	}
}

// TestSecretValuesNeverPrinted runs every format over plaintext Secrets and
// looks for the values, raw and base64-decoded.
func TestSecretValuesNeverPrinted(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"text", "json", "sarif", "junit", "github"} {
		r := run(t, "", "", "lint", "-o", format, "testdata/secret.yaml")
		if r.code != 1 {
			t.Fatalf("%s: exit %d", format, r.code)
		}
		for _, secret := range []string{"sk-live-VERY-SECRET-VALUE-123", "c3VwZXJzZWNyZXRwYXNzd29yZA==", "supersecretpassword"} {
			if strings.Contains(r.out+r.errOut, secret) {
				t.Errorf("%s output contains a secret value", format)
			}
		}
	}
}

func TestMachineFormatsParse(t *testing.T) {
	t.Parallel()
	r := run(t, "", "", "lint", "-o", "json", "testdata/clean.yaml", "testdata/secret.yaml")
	var rep struct {
		Objects  int `json:"objects"`
		Findings []struct {
			File string `json:"file"`
			Line int    `json:"line"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil || rep.Objects != 3 || len(rep.Findings) != 2 {
		t.Errorf("json: %v %+v", err, rep)
	}
	r = run(t, "", "", "lint", "-o", "junit", "testdata/clean.yaml")
	var x struct {
		XMLName xml.Name
		Tests   int `xml:"tests,attr"`
	}
	if err := xml.Unmarshal([]byte(r.out), &x); err != nil || x.Tests != 1 || r.code != 0 {
		t.Errorf("junit for a clean run: %v %+v exit %d", err, x, r.code)
	}
}

func TestColour(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		tty, noColor, want bool
	}{{true, false, true}, {true, true, false}, {false, false, false}} {
		streams, _, out, _ := cmdutil.TestStreams()
		streams.OutIsTTY, streams.NoColor = tt.tty, tt.noColor
		app.Run(context.Background(), []string{"lint", "testdata/secret.yaml"}, cmdutil.NewFactory(streams, "test"))
		if got := strings.Contains(out.String(), "\x1b["); got != tt.want {
			t.Errorf("tty=%v NO_COLOR=%v: colour %v, want %v", tt.tty, tt.noColor, got, tt.want)
		}
	}
}

// TestKindConfigDiscovery: kind-config.yaml is found by walking up from the
// linted path to the git root.
func TestKindConfigDiscovery(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	mustWrite(t, filepath.Join(root, ".git", "HEAD"), "ref: refs/heads/main\n")
	pod, err := os.ReadFile("testdata/hostpath.yaml")
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(root, "deploy", "manifests", "pod.yaml"), string(pod))
	if r := run(t, root, "", "lint", "deploy/manifests"); r.code != 0 {
		t.Fatalf("without kind-config.yaml the hostPath rule is silent; exit %d\n%s", r.code, r.out)
	}
	mustWrite(t, filepath.Join(root, "kind-config.yaml"), "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n  extraMounts:\n  - hostPath: ./data\n    containerPath: /mnt/other\n")
	r := run(t, root, "", "lint", "deploy/manifests")
	if r.code != 1 || !strings.Contains(r.out, "deploy/manifests/pod.yaml:18:9: error [hostpath-not-mounted]") {
		t.Fatalf("exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	mustWrite(t, filepath.Join(root, "kind-config.yaml"), "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n  extraMounts:\n  - hostPath: ./data\n    containerPath: /mnt/data\n")
	if r := run(t, root, "", "lint", "deploy/manifests"); r.code != 0 {
		t.Fatalf("mounted path flagged: exit %d\n%s", r.code, r.out)
	}
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
