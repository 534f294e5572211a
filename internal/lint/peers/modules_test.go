package peers_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Peer module versions: kubeconform is emmdev's dependency (go.mod pins
// it); kube-score is the latest version the Go module proxy serves, fetched
// by `make peer-fixtures`, never a dependency.
const (
	kubeconformModule = "github.com/yannh/kubeconform"
	kubeScoreModule   = "github.com/zegl/kube-score"
	kubeScoreVersion  = "v1.20.0"
)

// moduleDir finds a module's source in the module cache, offline. Missing
// sources skip the test on a developer machine and fail it under CI.
func moduleDir(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod")
	out, err := cmd.Output()
	var m struct{ Dir, Error string }
	if err == nil {
		err = json.Unmarshal(out, &m)
	}
	if err == nil && m.Dir != "" {
		if _, serr := os.Stat(m.Dir); serr == nil {
			return m.Dir
		}
	}
	msg := "peer sources not in the module cache (run `make peer-fixtures`): go " + strings.Join(args, " ")
	if err != nil {
		msg += ": " + err.Error()
	}
	if m.Error != "" {
		msg += ": " + m.Error
	}
	if os.Getenv("CI") != "" {
		t.Fatal(msg + " (CI is set, so this fails instead of skipping)")
	}
	t.Skip(msg)
	return ""
}

func kubeconformDir(t *testing.T) string {
	return moduleDir(t, "list", "-m", "-json", kubeconformModule)
}

func kubeScoreDir(t *testing.T) string {
	return moduleDir(t, "mod", "download", "-json", kubeScoreModule+"@"+kubeScoreVersion)
}

// TestMakeFetchesPeers keeps `make peer-fixtures` (which `make test` and CI
// run first) on the version these tests read.
func TestMakeFetchesPeers(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	mk := string(data)
	if !strings.Contains(mk, "peer-fixtures:") || !strings.Contains(mk, kubeScoreModule+"@"+kubeScoreVersion) {
		t.Errorf("Makefile: peer-fixtures must download %s@%s", kubeScoreModule, kubeScoreVersion)
	}
	if !strings.Contains(mk, "test: peer-fixtures") {
		t.Error("Makefile: make test must run peer-fixtures first")
	}
}
