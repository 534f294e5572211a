package lint

import (
	"os"
	"slices"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/emmdev/emmdev/internal/cmdutil"
)

// parse runs flag parsing only, through the runF hook.
func parse(t *testing.T, args ...string) (*Options, error) {
	t.Helper()
	streams, _, _, _ := cmdutil.TestStreams()
	var got *Options
	cmd := NewCmd(cmdutil.NewFactory(streams, "test"), func(o *Options) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	return got, err
}

func TestFlags(t *testing.T) {
	t.Parallel()
	o, err := parse(t, "-o", "sarif", "--fail-on", "warning", "--skip-kinds", "Widget,example.com/Gadget", "--skip-kinds", "X", "--policy", "p.yaml", "--policy", "rules.yaml", "a/", "b.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if o.Format != "sarif" || o.FailOn != "warning" || !slices.Equal(o.PolicyFiles, []string{"p.yaml", "rules.yaml"}) ||
		!slices.Equal(o.SkipKinds, []string{"Widget", "example.com/Gadget", "X"}) || !slices.Equal(o.Paths, []string{"a/", "b.yaml"}) {
		t.Errorf("options %+v", o)
	}
	if o, err := parse(t, "x.yaml"); err != nil || o.Format != "text" || o.FailOn != "error" {
		t.Errorf("defaults: %+v %v", o, err)
	}
	for _, bad := range [][]string{{}, {"--staged", "-"}, {"--list-rules", "x"}, {"-o", "xml", "x"}, {"--kubernetes-version", "1.20", "x"}} {
		if _, err := parse(t, bad...); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// TestPreCommitHookEntry keeps .pre-commit-hooks.yaml in step with the flags:
// its entry plus typical args must parse into a --staged run.
func TestPreCommitHookEntry(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID            string `yaml:"id"`
		Entry         string `yaml:"entry"`
		Language      string `yaml:"language"`
		PassFilenames *bool  `yaml:"pass_filenames"`
	}
	if err := yaml.Unmarshal(data, &hooks); err != nil || len(hooks) == 0 {
		t.Fatalf("%v %v", hooks, err)
	}
	h := hooks[0]
	if h.Language != "golang" || h.PassFilenames == nil || *h.PassFilenames {
		t.Errorf("hook %+v: want language golang, pass_filenames false", h)
	}
	words := strings.Fields(h.Entry)
	if len(words) < 2 || words[0] != "emmdev" || words[1] != "lint" {
		t.Fatalf("entry %q does not run emmdev lint", h.Entry)
	}
	o, err := parse(t, append(words[2:], "manifests/")...)
	if err != nil || !o.Staged || !slices.Equal(o.Paths, []string{"manifests/"}) {
		t.Errorf("entry %q + args: %+v %v", h.Entry, o, err)
	}
}
