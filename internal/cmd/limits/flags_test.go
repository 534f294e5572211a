package limits

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emmdev/emmdev/internal/cmdutil"
)

func parse(t *testing.T, args ...string) (*Options, error) {
	t.Helper()
	streams, _, _, _ := cmdutil.TestStreams()
	var got *Options
	cmd := NewCmd(&cmdutil.Factory{Streams: streams}, func(o *Options) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	return got, err
}

func TestFlagsReachOptions(t *testing.T) {
	t.Parallel()
	o, err := parse(t, "--headroom", "30%", "--window", "24h", "--min-samples", "5", "--allow-decrease", "--write",
		"-o", "json", "--prometheus", "http://prom:9090", "--call-timeout", "3s", "-n", "team", "--context", "kind-emm", "a.yaml", "dir/")
	if err != nil {
		t.Fatal(err)
	}
	if o.Headroom.String() != "1.3" || o.Window != 24*time.Hour || o.MinSamples != 5 || !o.AllowDecrease || !o.Write ||
		o.Format != "json" || o.Prometheus != "http://prom:9090" || o.CallTimeout != 3*time.Second ||
		o.Kube.Namespace != "team" || o.Kube.Context != "kind-emm" || strings.Join(o.Paths, ",") != "a.yaml,dir/" {
		t.Errorf("options = %+v", o)
	}
	o, err = parse(t, "--watch", "10m", "--interval", "5s")
	if err != nil {
		t.Fatal(err)
	}
	if o.Watch != 10*time.Minute || o.Interval != 5*time.Second || o.Window != 7*24*time.Hour ||
		o.Headroom.String() != "1.2" || o.MinSamples != 3 || len(o.Paths) != 0 || o.Format != "table" {
		t.Errorf("defaults = %+v", o)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"--headroom":              {"--headroom", "0.5"},
		"--window":                {"--window", "7x"},
		"unknown format":          {"-o", "yaml"},
		"cannot be combined":      {"--watch", "1m", "--prometheus", "http://p"},
		"cannot be used together": {"--prometheus", "http://p", "--prometheus-service", "a/b:1"},
		"want an http":            {"--prometheus", "prom:9090"},
		"[namespace/]name:port":   {"--prometheus-service", "prometheus"},
		"-A does not apply":       {"-A"},
		"--min-samples must":      {"--min-samples", "0"},
		"must be positive":        {"--interval", "0s"},
	}
	for want, args := range cases {
		_, err := parse(t, args...)
		var usage *cmdutil.UsageError
		if !errors.As(err, &usage) || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: err = %v, want a usage error containing %q", args, err, want)
		}
	}
}

func TestBadManifestFailsWithFileAndLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("kind: Deployment\nmetadata:\n  name: [x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	streams, _, _, _ := cmdutil.TestStreams()
	err := Run(&Options{IO: streams, Paths: []string{dir}})
	if err == nil || !strings.Contains(err.Error(), bad+":") || cmdutil.ExitCode(err) != cmdutil.ExitFailure {
		t.Errorf("err = %v, want exit 2 with %s:line", err, bad)
	}
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "cm.yaml"), []byte("kind: ConfigMap\nmetadata: {name: x}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Run(&Options{IO: streams, Paths: []string{empty}}); err == nil || !strings.Contains(err.Error(), "no workloads") {
		t.Errorf("no workloads: err = %v", err)
	}
	if err := Run(&Options{IO: streams, Paths: []string{filepath.Join(dir, "missing")}}); err == nil {
		t.Error("a missing path must fail")
	}
}

// TestPathsResolveFromTheWorkDir: without PATH, limits reads the
// repository's manifests/ from any subdirectory (as up does); a relative
// PATH starts at the work dir.
func TestPathsResolveFromTheWorkDir(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "internal", "x")
	for _, d := range []string{filepath.Join(root, ".git"), filepath.Join(root, "manifests"), sub} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	o := &Options{WorkDir: func() (string, error) { return sub, nil }}
	if err := o.resolvePaths(); err != nil || len(o.Paths) != 1 || o.Paths[0] != filepath.Join(root, "manifests") {
		t.Errorf("default paths %v (%v), want %s", o.Paths, err, filepath.Join(root, "manifests"))
	}
	o = &Options{WorkDir: func() (string, error) { return sub, nil }, Paths: []string{"a.yaml", "/abs/b.yaml"}}
	if err := o.resolvePaths(); err != nil || o.Paths[0] != filepath.Join(sub, "a.yaml") || o.Paths[1] != "/abs/b.yaml" {
		t.Errorf("paths %v (%v)", o.Paths, err)
	}
}
