package testcp

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// mapEnv is a getenv over a fixed map, so tests never see the real env.
func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestBuildScriptAgreesOnBinDir(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  map[string]string
	}{
		{"home only", map[string]string{"HOME": "/home/dev"}},
		{"xdg cache", map[string]string{"HOME": "/home/dev", "XDG_CACHE_HOME": "/xdg"}},
		{"emmdev cache wins", map[string]string{"HOME": "/home/dev", "XDG_CACHE_HOME": "/xdg", EnvCache: "/ci/cache"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command("bash", filepath.Join("..", "..", "hack", "build-control-plane.sh"), "--print-dir")
			// A clean env: version overrides such as K8S_VERSION must not leak in.
			cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
			for k, v := range tc.env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("build-control-plane.sh --print-dir: %v\n%s", err, out)
			}
			got := strings.TrimSpace(string(out))
			if want := DefaultBinDir(mapEnv(tc.env)); got != want {
				t.Errorf("script prints %q, Go computes %q: versions or cache layout drifted", got, want)
			}
		})
	}
}

func TestDefaultBinDirNamesEveryVersion(t *testing.T) {
	t.Parallel()
	dir := DefaultBinDir(mapEnv(map[string]string{"HOME": "/h"}))
	for _, v := range []string{KubernetesVersion, EtcdVersion, KwokVersion} {
		if !strings.Contains(dir, v) {
			t.Errorf("DefaultBinDir = %q lacks version %s: a version bump would reuse stale binaries", dir, v)
		}
	}
}

// fakeBinDir makes a directory with executables named bins (and one
// non-executable file named notExec).
func fakeBinDir(t *testing.T, bins []string, notExec string) string {
	t.Helper()
	dir := t.TempDir()
	for _, b := range bins {
		if err := os.WriteFile(filepath.Join(dir, b), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if notExec != "" {
		if err := os.WriteFile(filepath.Join(dir, notExec), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLocateBinaries(t *testing.T) {
	t.Parallel()
	full := Options{Controllers: true, Kwok: true}
	all := requiredBinaries(full)
	complete := fakeBinDir(t, all, "")
	envtestLike := fakeBinDir(t, []string{"etcd", "kube-apiserver"}, "")
	notExec := fakeBinDir(t, all[:len(all)-1], "kwok")
	home := t.TempDir()
	cached := DefaultBinDir(mapEnv(map[string]string{"HOME": home}))
	if err := os.MkdirAll(cached, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, b := range all {
		if err := os.WriteFile(filepath.Join(cached, b), nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	empty := t.TempDir()

	cases := []struct {
		name    string
		env     map[string]string
		opts    Options
		want    string
		wantErr string // substring; errNotFound is checked with errors.Is
		missing bool
	}{
		{name: "explicit dir", env: map[string]string{EnvBinDir: complete, "HOME": empty}, opts: full, want: complete},
		{name: "explicit dir wins over cache", env: map[string]string{EnvBinDir: complete, "HOME": home}, opts: full, want: complete},
		{name: "explicit dir lacking kwok is an error, not a skip", env: map[string]string{EnvBinDir: envtestLike, "HOME": home}, opts: full, wantErr: "lacks kube-controller-manager, kube-scheduler, kwok"},
		{name: "non-executable file does not count", env: map[string]string{EnvBinDir: notExec}, opts: full, wantErr: "lacks kwok"},
		{name: "envtest assets suffice without controllers", env: map[string]string{EnvKubebuilderAssets: envtestLike, "HOME": home}, opts: Options{}, want: envtestLike},
		{name: "incomplete envtest assets fall back to the cache", env: map[string]string{EnvKubebuilderAssets: envtestLike, "HOME": home}, opts: full, want: cached},
		{name: "cache dir of the build script", env: map[string]string{"HOME": home}, opts: full, want: cached},
		{name: "nothing anywhere", env: map[string]string{"HOME": empty}, opts: full, missing: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := locateBinaries(mapEnv(tc.env), tc.opts)
			switch {
			case tc.missing:
				if !errors.Is(err, errNotFound) {
					t.Fatalf("err = %v, want errNotFound", err)
				}
			case tc.wantErr != "":
				if err == nil || errors.Is(err, errNotFound) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want a configuration error containing %q", err, tc.wantErr)
				}
			case err != nil:
				t.Fatalf("unexpected error: %v", err)
			case got != tc.want:
				t.Errorf("dir = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestResolveSkipsOnlyOutsideCI(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	cases := []struct {
		name     string
		env      map[string]string
		wantSkip bool
		wantErr  string
	}{
		{name: "developer machine skips with how-to", env: map[string]string{"HOME": empty}, wantSkip: true},
		{name: "CI fails", env: map[string]string{"HOME": empty, "CI": "true"}, wantErr: "CI is set"},
		{name: "broken explicit dir fails even outside CI", env: map[string]string{"HOME": empty, EnvBinDir: empty}, wantErr: "lacks etcd"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := &harness{opts: Options{Controllers: true, Kwok: true}, getenv: mapEnv(tc.env)}
			cp, skip, err := h.resolve()
			if cp != nil {
				t.Fatal("got a control plane without binaries")
			}
			if tc.wantSkip {
				if err != nil || !strings.Contains(skip, "run hack/build-control-plane.sh") || !strings.Contains(skip, EnvBinDir) {
					t.Fatalf("skip = %q, err = %v; want a skip saying how to get the binaries", skip, err)
				}
				return
			}
			if skip != "" || err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("skip = %q, err = %v; want a failure containing %q", skip, err, tc.wantErr)
			}
		})
	}
}

func TestBuildScriptBuildsEveryBinary(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("bash", filepath.Join("..", "..", "hack", "build-control-plane.sh"), "--print-bins")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=/nonexistent"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("build-control-plane.sh --print-bins: %v\n%s", err, out)
	}
	got := strings.Fields(string(out))
	want := requiredBinaries(Options{Controllers: true, Kwok: true, Metrics: true, Logs: true, Prometheus: true})
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("script builds %v, Go needs %v: the versions of the add-ons drifted apart", got, want)
	}
}
