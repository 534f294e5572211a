// Command gen regenerates the embedded schema bundle of package schema from
// the Kubernetes OpenAPI spec (module k8s.io/kubernetes) and the SealedSecret
// CRD (module github.com/bitnami-labs/sealed-secrets). Both modules are
// fetched with `go mod download`, outside this module's go.mod, so they are
// needed at generate time only. Output is deterministic: running it again
// gives identical bytes.
//
// Usage (from internal/schema, via go generate):
//
//	go run ./gen -out schemas/kubernetes.json
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/emmdev/emmdev/internal/atomicfile"
	"github.com/emmdev/emmdev/internal/schema"
)

// Pinned inputs. Changing one is a deliberate act that regenerates the bundle.
const (
	kubernetesModule    = "k8s.io/kubernetes"
	kubernetesVersion   = "1.37.2"
	swaggerPath         = "api/openapi-spec/swagger.json"
	sealedSecretsModule = "github.com/bitnami-labs/sealed-secrets"
	sealedSecretsTag    = "v0.40.0"
	sealedSecretsCRD    = "helm/sealed-secrets/crds/bitnami.com_sealedsecrets.yaml"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, log io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(log)
	out := fs.String("out", "schemas/kubernetes.json", "bundle file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	k8sDir, err := moduleDir(ctx, kubernetesModule+"@v"+kubernetesVersion)
	if err != nil {
		return err
	}
	sealedDir, err := moduleDir(ctx, sealedSecretsModule+"@"+sealedSecretsTag)
	if err != nil {
		return err
	}
	data, err := build(k8sDir, sealedDir)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(*out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(log, "gen: wrote %s (%d bytes)\n", *out, len(data))
	return nil
}

// build produces the encoded bundle from the two module directories.
func build(k8sDir, sealedDir string) ([]byte, error) {
	swagger, err := os.ReadFile(filepath.Join(k8sDir, swaggerPath))
	if err != nil {
		return nil, fmt.Errorf("read OpenAPI spec: %w", err)
	}
	crd, err := os.ReadFile(filepath.Join(sealedDir, sealedSecretsCRD))
	if err != nil {
		return nil, fmt.Errorf("read SealedSecret CRD: %w", err)
	}
	sources := []string{
		kubernetesModule + "@v" + kubernetesVersion + " " + swaggerPath,
		sealedSecretsModule + "@" + sealedSecretsTag + " " + sealedSecretsCRD,
	}
	b, err := schema.BuildBundle(kubernetesVersion, swagger, [][]byte{crd}, sources)
	if err != nil {
		return nil, err
	}
	return b.Encode()
}

// moduleDir downloads a module (or finds it in the module cache) and returns
// its directory. It runs in an empty directory so this repository's go.mod
// and go.sum are left alone.
func moduleDir(ctx context.Context, modVersion string, extraEnv ...string) (string, error) {
	tmp, err := os.MkdirTemp("", "emmdev-gen-")
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
		return "", fmt.Errorf("go mod download %s: %w: %s", modVersion, errors.Join(runErr, err), msg)
	}
	return info.Dir, nil
}
