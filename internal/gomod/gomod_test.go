package gomod

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDir: a pinned module from the cache (offline) gives its source
// directory; a missing one and a cancelled run give an error naming the
// module, never an empty directory.
func TestDir(t *testing.T) {
	ctx := context.Background()
	dir, err := Dir(ctx, "github.com/yannh/kubeconform@v0.8.0", "GOPROXY=off")
	if err != nil {
		t.Fatalf("kubeconform v0.8.0 is a dependency of emmdev, so it is in the module cache: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Errorf("%s holds no go.mod: %v", dir, err)
	}
	if _, err := Dir(ctx, "example.invalid/nothing@v0.0.1", "GOPROXY=off"); err == nil || !strings.Contains(err.Error(), "example.invalid/nothing@v0.0.1") {
		t.Errorf("missing module: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if d, err := Dir(cancelled, "github.com/yannh/kubeconform@v0.8.0", "GOPROXY=off"); err == nil {
		t.Errorf("cancelled run returned %q", d)
	}
}
