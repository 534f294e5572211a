package lint_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/app"
	"github.com/emmdev/emmdev/internal/cmdutil"
)

// runEnv is run with an environment.
func runEnv(t *testing.T, wd string, env map[string]string, args ...string) result {
	t.Helper()
	streams, _, out, errOut := cmdutil.TestStreams()
	streams.Getenv = func(k string) string { return env[k] }
	f := cmdutil.NewFactory(streams, "test")
	f.WorkDir = func() (string, error) { return wd, nil }
	code := app.Run(context.Background(), []string{"lint", "manifests/"}, f)
	return result{code, out.String(), errOut.String()}
}

func cacheEntries(t *testing.T, dir string) int {
	t.Helper()
	es, err := os.ReadDir(filepath.Join(dir, "policy-checks"))
	if err != nil {
		t.Fatalf("no policy check cache: %v", err)
	}
	return len(es)
}

// TestPolicyCheckCache: lint remembers a repository policy that passed its
// checks in emmdev's cache dir (${EMMDEV_CACHE:-${XDG_CACHE_HOME:-
// $HOME/.cache}/emmdev}), and an edit that breaks it is still reported at
// its file:line on the next run.
func TestPolicyCheckCache(t *testing.T) {
	t.Parallel()
	home, xdg, own := t.TempDir(), t.TempDir(), t.TempDir()
	for _, c := range []struct {
		env   map[string]string
		cache string
	}{
		{map[string]string{"HOME": home}, filepath.Join(home, ".cache", "emmdev")},
		{map[string]string{"HOME": home, "XDG_CACHE_HOME": xdg}, filepath.Join(xdg, "emmdev")},
		{map[string]string{"HOME": home, "XDG_CACHE_HOME": xdg, "EMMDEV_CACHE": own}, own},
	} {
		repo := celRepo(t, repoPolicy)
		for range 2 {
			if res := runEnv(t, repo, c.env); res.code != 1 || !strings.Contains(res.out, "[configmap-owner] ConfigMap app/settings") {
				t.Fatalf("env %v: exit %d\n%s\n%s", c.env, res.code, res.out, res.errOut)
			}
		}
		if n := cacheEntries(t, c.cache); n != 1 {
			t.Errorf("env %v: %d entries in %s, want the one repository policy", c.env, n, c.cache)
		}
		broken := strings.Replace(repoPolicy, "'owner' in object.metadata.labels", "'owner' in object.metadata.lables", 1)
		if err := os.WriteFile(filepath.Join(repo, "policies", "custom.yaml"), []byte(broken), 0o644); err != nil {
			t.Fatal(err)
		}
		res := runEnv(t, repo, c.env)
		if res.code != 2 || !strings.Contains(res.errOut, "policies/custom.yaml:10:76: rule configmap-owner: expression: undefined field 'lables'") {
			t.Errorf("env %v: edited policy: exit %d, stderr:\n%s", c.env, res.code, res.errOut)
		}
	}
}
