// Package gomod finds Go modules' source directories through the module
// proxy and cache, for the generators and tests that read files of a pinned
// module (Kubernetes' OpenAPI spec, the local-path-provisioner source)
// without making it a dependency of emmdev.
package gomod

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"
)

// DefaultTimeout bounds a download when ctx has no deadline: a cold
// k8s.io/kubernetes takes a few minutes, a hung proxy must not hang the run.
const DefaultTimeout = 10 * time.Minute

// Dir downloads modVersion ("path@version") or finds it in the module cache
// and returns its directory. It runs in an empty directory, so the calling
// module's go.mod and go.sum are left alone. extraEnv is added to the
// environment (e.g. GOFLAGS=-mod=mod).
func Dir(ctx context.Context, modVersion string, extraEnv ...string) (string, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	tmp, err := os.MkdirTemp("", "emmdev-gomod-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", modVersion)
	cmd.Dir = tmp
	cmd.Env = append(append(os.Environ(), "GO111MODULE=on", "GOFLAGS="), extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var info struct {
		Dir   string
		Error string
	}
	// go mod download -json reports its errors in the JSON too.
	if err := json.Unmarshal(stdout.Bytes(), &info); err != nil || info.Error != "" || info.Dir == "" {
		msg := info.Error
		if msg == "" {
			msg = stderr.String()
		}
		return "", fmt.Errorf("go mod download %s: %w: %s", modVersion, errors.Join(runErr, err, ctx.Err()), msg)
	}
	return info.Dir, nil
}
