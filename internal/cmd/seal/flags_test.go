package seal_test

import (
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/cmd/seal"
	"github.com/emmdev/emmdev/internal/cmdutil"
)

// TestFlags parses command lines into Options without running anything.
func TestFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		tty     bool
		check   func(*seal.Options) bool
		wantErr string
	}{
		{"manifest and output", []string{"s.yaml", "-w", "out.yaml"}, false,
			func(o *seal.Options) bool {
				return o.Input == "s.yaml" && o.Output == "out.yaml" && o.Format == "yaml" && !o.FormatSet
			}, ""},
		{"env file", []string{"--from-env-file", ".env", "--name", "n", "-n", "ns", "--type", "kubernetes.io/basic-auth", "--format", "json"}, false,
			func(o *seal.Options) bool {
				return o.EnvFile == ".env" && o.Name == "n" && o.Namespace == "ns" && o.Type == "kubernetes.io/basic-auth" && o.FormatSet
			}, ""},
		{"labels", []string{"--from-env-file", ".env", "--name", "n", "--label", "a=b", "--label", "c=d"}, false,
			func(o *seal.Options) bool { return len(o.Labels) == 2 && o.Labels["a"] == "b" && o.Labels["c"] == "d" }, ""},
		{"type without env file", []string{"-", "--type", "kubernetes.io/tls"}, false, nil, "only used with --from-env-file"},
		{"label without env file", []string{"-", "--label", "a=b"}, false, nil, "only used with --from-env-file"},
		{"scope set", []string{"-", "--scope", "cluster-wide"}, false, func(o *seal.Options) bool { return o.ScopeSet && o.Scope == "cluster-wide" }, ""},
		{"controller defaults", []string{"-"}, false, func(o *seal.Options) bool {
			return o.ControllerNamespace == "kube-system" && o.ControllerName == "sealed-secrets-controller" && o.Scope == "strict" && !o.ScopeSet
		}, ""},
		{"raw from file", []string{"--raw", "--name", "a", "-n", "b", "--from-file", "v.txt"}, true, func(o *seal.Options) bool { return o.Raw && o.FromFile == "v.txt" }, ""},
		{"bad scope", []string{"-", "--scope", "global"}, false, nil, "--scope"},
		{"bad format", []string{"-", "--format", "toml"}, false, nil, "--format"},
		{"-o is the format, as in kubeseal", []string{"-", "-o", "json"}, false,
			func(o *seal.Options) bool { return o.Format == "json" && o.FormatSet && o.Output == "" }, ""},
		{"-o with a file name says how to write a file", []string{"-", "-o", "out.yaml"}, false, nil, "use -w FILE"},
		{"two inputs", []string{"s.yaml", "--from-env-file", ".env", "--name", "x"}, false, nil, "only one input"},
		{"env without name", []string{"--from-env-file", ".env"}, false, nil, "needs --name"},
		{"from-file without raw", []string{"--from-file", "x"}, false, nil, "only used with --raw"},
		{"raw merge", []string{"--raw", "--merge-into", "x", "--name", "a"}, false, nil, "cannot be combined"},
		{"cert and cluster", []string{"-", "--cert", "c", "--from-cluster"}, false, nil, "cannot be combined"},
		{"nothing on a terminal", nil, true, nil, "nothing to seal"},
		{"raw waiting on a terminal", []string{"--raw", "--name", "a", "-n", "b"}, true, nil, "pipe it in"},
		{"too many args", []string{"a", "b"}, false, nil, "accepts at most 1 arg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			streams, _, _, _ := cmdutil.TestStreams()
			streams.InIsTTY = tc.tty
			var got *seal.Options
			cmd := seal.NewCmd(&cmdutil.Factory{Streams: streams}, func(o *seal.Options) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			cmd.SetOut(streams.Out)
			cmd.SetErr(streams.ErrOut)
			err := cmd.Execute()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want error containing %q", err, tc.wantErr)
				}
				if got != nil {
					t.Error("Run was reached despite the error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || !tc.check(got) {
				t.Errorf("options not as expected: %+v", got)
			}
		})
	}
}
