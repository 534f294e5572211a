package main

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/emmdev/emmdev/internal/gomod"
	"github.com/emmdev/emmdev/internal/testenv"
)

// The committed bundle must be exactly what the generator produces from the
// pinned inputs (CI also runs go generate and git diff --exit-code). Runs
// offline: the inputs come from the module cache only (GOPROXY=off).
func TestCommittedBundleIsUpToDate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k8sDir, err := gomod.Dir(ctx, kubernetesModule+"@v"+kubernetesVersion, "GOPROXY=off")
	if err != nil {
		testenv.SkipOrFail(t, "inputs not in the module cache (run `go generate ./internal/schema/...` once with the proxy): %v", err)
	}
	sealedDir, err := gomod.Dir(ctx, sealedSecretsModule+"@"+sealedSecretsTag, "GOPROXY=off")
	if err != nil {
		testenv.SkipOrFail(t, "inputs not in the module cache: %v", err)
	}
	got, err := build(k8sDir, sealedDir)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("../schemas/kubernetes.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, committed) {
		t.Errorf("schemas/kubernetes.json is stale (%d bytes, generator gives %d): run go generate ./internal/schema/...", len(committed), len(got))
	}
	crd, err := crdCopy(sealedDir)
	if err != nil {
		t.Fatal(err)
	}
	committed, err = os.ReadFile("../schemas/crds/" + crdFileName)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(crd, committed) {
		t.Errorf("schemas/crds/%s is stale: run go generate ./internal/schema/...", crdFileName)
	}
}

func TestBadFlagIsAnError(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	if err := run(context.Background(), []string{"-nope"}, &log); err == nil {
		t.Error("unknown flag accepted")
	}
}
