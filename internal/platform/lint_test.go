package platform

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/emmdev/emmdev/internal/cmd/lint"
	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/testenv"
)

// lintResult is the part of `emmdev lint -o json` these tests read.
type lintResult struct {
	Objects  int `json:"objects"`
	Findings []struct {
		Rule     string `json:"rule"`
		Severity string `json:"severity"`
		File     string `json:"file"`
		Line     int    `json:"line"`
		Message  string `json:"message"`
	} `json:"findings"`
}

// runLint runs `emmdev lint` in-process, as a user would from the repo root.
// It builds the lint command alone (not the whole app tree) so that this
// test depends on lint only, and maps its error to the exit code the way
// app.Run does.
func runLint(t *testing.T, stdin []byte, args ...string) (int, lintResult, string) {
	t.Helper()
	streams, in, out, errOut := cmdutil.TestStreams()
	in.Write(stdin)
	f := cmdutil.NewFactory(streams, "test")
	root := testenv.RepoRoot(t)
	f.WorkDir = func() (string, error) { return root, nil }
	cmd := lint.NewCmd(f, nil)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true // as the root command does
	cmd.SetArgs(append([]string{"-o", "json", "--fail-on", "warning"}, args...))
	cmd.SetIn(streams.In)
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	runErr := cmd.ExecuteContext(context.Background())
	code := cmdutil.ExitCode(runErr)
	var res lintResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("lint output is not JSON (%v): %s\nstderr: %s\nerror: %v", err, out, errOut, runErr)
	}
	return code, res, fmt.Sprintf("%s%v", errOut, runErr)
}

// brokenRedis is the EMM story's mistakes in one object: the control case
// proving that the clean result above comes from rules that fire.
const brokenRedis = `apiVersion: apps/v1
kind: Deployment
metadata: {name: redis, namespace: agentic-ai}
spec:
  selector: {matchLabels: {app: redis}}
  template:
    metadata: {labels: {app: redis}}
    spec:
      containers:
        - name: redis
          image: redis:latest
`

// The deployment must lint clean: zero findings at warning or above, with
// kind-config.yaml checking the hostPath volumes.
func TestManifestsLintClean(t *testing.T) {
	t.Parallel()
	root := testenv.RepoRoot(t)
	overlay, err := RenderYAML(filepath.Join(root, "deploy", "overlays", "production"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		stdin      []byte
		args       []string
		minObjects int
		wantCode   int
		wantRules  []string
	}{
		{"manifests and overlay files", nil, []string{
			"--kind-config", filepath.Join(root, "kind-config.yaml"),
			filepath.Join(root, "manifests"), filepath.Join(root, "deploy"),
		}, len(baseObjects) + 2, cmdutil.ExitOK, nil},
		// What production applies: the rendered overlay, hostPath gone.
		{"rendered production overlay", overlay, []string{"-"}, len(baseObjects) + 1, cmdutil.ExitOK, nil}, // + 2 claims, - the kind StorageClass
		// The same overlay rendered in-process by emmdev lint -k.
		{"lint -k production overlay", nil, []string{"-k", filepath.Join(root, "deploy", "overlays", "production")}, len(baseObjects) + 1, cmdutil.ExitOK, nil},
		{"control: broken redis", []byte(brokenRedis), []string{"-"}, 1, cmdutil.ExitFindings,
			[]string{"image-latest", "readiness-probe", "resources", "stateful-without-pvc"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, res, stderr := runLint(t, tc.stdin, tc.args...)
			var rules []string
			for _, f := range res.Findings {
				if tc.wantRules == nil {
					t.Errorf("%s:%d: %s %s: %s", f.File, f.Line, f.Severity, f.Rule, f.Message)
				}
				if !slices.Contains(rules, f.Rule) {
					rules = append(rules, f.Rule)
				}
			}
			for _, r := range tc.wantRules {
				if !slices.Contains(rules, r) {
					t.Errorf("rules %v lack %s", rules, r)
				}
			}
			if code != tc.wantCode {
				t.Errorf("emmdev lint exit %d, want %d; stderr: %s", code, tc.wantCode, stderr)
			}
			// Guards against a lint that passes because it saw nothing.
			if res.Objects < tc.minObjects {
				t.Errorf("lint saw %d objects, want at least %d", res.Objects, tc.minObjects)
			}
		})
	}
}
