// Package localpathtest runs the volume provisioner kind ships (rancher's
// local-path-provisioner) against a test control plane, to prove with the
// provisioner's own code where the platform's claims land.
//
// The provisioner is built from its module source (the Go module proxy; it
// is a main package, so it cannot be imported) and its configuration is the
// one kind v0.33.0 installs, read from kind's own source in the module
// cache. What kwok cannot do is run the provisioner's helper pods (a shell
// script in a container on the node); Start stands in for the node: it
// carries out each helper pod's setup or teardown on the host folders that
// kind-config.yaml mounts into the node, and reports the pod Succeeded.
package localpathtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"

	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/testenv"
)

// The provisioner's module. kind v0.33.0 builds its image from v0.0.34
// (images/local-path-provisioner/Makefile), which the Go module proxy does
// not serve; v0.0.30 is the newest it does. The parameters emmdev relies
// on, the StorageClass's nodePath and pathPattern and the config's
// nodePathMap, are the same in both.
const (
	Module  = "github.com/rancher/local-path-provisioner"
	Version = "v0.0.30"
	Name    = "rancher.io/local-path"
	// Namespace and ConfigMap are where kind installs the provisioner.
	Namespace = "local-path-storage"
	ConfigMap = "local-path-config"
)

// Options for Start.
type Options struct {
	// Mounts are the kind node's extraMounts (effective, absolute host
	// paths): node paths below a containerPath live on the host.
	Mounts []v1alpha4.Mount
	// NodeDisk stands for the node's own file system: node paths outside
	// every mount are kept there and are lost with the node.
	NodeDisk string
}

// Provisioner is a running provisioner and node stand-in.
type Provisioner struct {
	opts   Options
	cs     kubernetes.Interface
	cancel context.CancelFunc
	done   chan struct{}
	cmd    *exec.Cmd
	log    string
}

// Build compiles the provisioner from its module source into a temporary
// folder. Without the module (no proxy and not in the module cache) the
// test is skipped, and fails under CI.
func Build(t testing.TB) string {
	t.Helper()
	dir, err := moduleDir(Module + "@" + Version)
	if err != nil {
		testenv.SkipOrFail(t, "cannot get %s@%s from the module proxy: %v", Module, Version, err)
	}
	bin := filepath.Join(t.TempDir(), "local-path-provisioner")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = dir
	// Its own go.mod and versions, not emmdev's.
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		testenv.SkipOrFail(t, "building %s@%s: %v\n%s", Module, Version, err, out)
	}
	return bin
}

// KindConfig returns the data of the local-path-config ConfigMap kind
// installs (config.json with its nodePathMap, the setup and teardown
// scripts, helperPod.yaml) and the helper image, read from kind's source.
func KindConfig(t testing.TB) (data map[string]string, helperImage string) {
	t.Helper()
	dir, err := moduleDir("sigs.k8s.io/kind")
	if err != nil {
		t.Fatalf("kind's module source: %v", err)
	}
	consts, err := stringConsts(filepath.Join(dir, "pkg", "build", "nodeimage", "const_storage.go"))
	if err != nil {
		t.Fatalf("kind's storage manifest: %v", err)
	}
	objs, err := loader.Parse("kind const_storage.go", []byte(consts["defaultStorageManifest"]), loader.Options{})
	if err != nil {
		t.Fatalf("kind's storage manifest: %v", err)
	}
	for _, o := range objs {
		if o.Kind != "ConfigMap" || o.Name != ConfigMap {
			continue
		}
		raw, _ := o.Obj["data"].(map[string]any)
		data = map[string]string{}
		for k, v := range raw {
			data[k], _ = v.(string)
		}
		return data, consts["storageHelperImage"]
	}
	t.Fatalf("kind's storage manifest has no ConfigMap %s", ConfigMap)
	return nil, ""
}

// Start installs kind's provisioner configuration on the plane (admin
// clientset cs, kubeconfig file for the provisioner) and runs the
// provisioner built by Build until the test ends.
func Start(t testing.TB, bin string, cs kubernetes.Interface, kubeconfig string, o Options) *Provisioner {
	t.Helper()
	ctx := context.Background()
	data, helper := KindConfig(t)
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: Namespace}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: ConfigMap, Namespace: Namespace}, Data: data}
	if _, err := cs.CoreV1().ConfigMaps(Namespace).Create(ctx, cm, metav1.CreateOptions{}); apierrors.IsAlreadyExists(err) {
		_, err = cs.CoreV1().ConfigMaps(Namespace).Update(ctx, cm, metav1.UpdateOptions{})
		if err != nil {
			t.Fatal(err)
		}
	} else if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	config := filepath.Join(dir, "config.json")
	if err := os.WriteFile(config, []byte(data["config.json"]), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &Provisioner{opts: o, cs: cs, done: make(chan struct{}), log: filepath.Join(dir, "provisioner.log")}
	logf, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	// As kind's Deployment runs it, plus where to find the API server.
	p.cmd = exec.Command(bin, "--debug", "start", "--kubeconfig", kubeconfig, "--config", config,
		"--namespace", Namespace, "--configmap-name", ConfigMap, "--helper-image", helper,
		"--service-account-name", "default", "--provisioner-name", Name)
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var nodeCtx context.Context
	nodeCtx, p.cancel = context.WithCancel(ctx)
	go p.runNode(nodeCtx)
	t.Cleanup(func() {
		p.cancel()
		<-p.done
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
		_ = logf.Close()
		if t.Failed() {
			if b, err := os.ReadFile(p.log); err == nil {
				t.Logf("local-path-provisioner log:\n%s", tail(string(b), 40))
			}
		}
	})
	return p
}

// HostPath is where node path nodePath lives: on the host below the mount
// that holds it, or on the node's own disk.
func (p *Provisioner) HostPath(nodePath string) (path string, onHost bool) {
	nodePath = filepath.Clean(nodePath)
	for _, m := range p.opts.Mounts {
		rel, err := filepath.Rel(m.ContainerPath, nodePath)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			return filepath.Join(m.HostPath, rel), true
		}
	}
	return filepath.Join(p.opts.NodeDisk, nodePath), false
}

// runNode plays the node for the helper pods: the provisioner creates one
// per volume to create ("-a create": mkdir -m 0777 -p $VOL_DIR, kind's
// setup script) or delete ("-a delete": rm -rf $VOL_DIR, its teardown),
// waits for it to succeed and deletes it.
func (p *Provisioner) runNode(ctx context.Context) {
	defer close(p.done)
	handled := map[string]bool{}
	for {
		pods, err := p.cs.CoreV1().Pods(Namespace).List(ctx, metav1.ListOptions{})
		if err == nil {
			for i := range pods.Items {
				pod := &pods.Items[i]
				if pod.DeletionTimestamp != nil || len(pod.Spec.Containers) == 0 {
					continue
				}
				if !handled[string(pod.UID)] {
					p.carryOut(pod)
					handled[string(pod.UID)] = true
				}
				if pod.Status.Phase != corev1.PodSucceeded {
					// kwok may still mark it Running after us: insist.
					p.succeed(ctx, pod)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (p *Provisioner) carryOut(pod *corev1.Pod) {
	c := pod.Spec.Containers[0]
	volDir, action := "", ""
	for _, e := range c.Env {
		if e.Name == "VOL_DIR" {
			volDir = e.Value
		}
	}
	for i, a := range c.Args {
		if a == "-a" && i+1 < len(c.Args) {
			action = c.Args[i+1]
		}
	}
	if volDir == "" {
		return
	}
	host, _ := p.HostPath(volDir)
	switch action {
	case "create":
		_ = os.MkdirAll(host, 0o777)
		_ = os.Chmod(host, 0o777)
	case "delete":
		_ = os.RemoveAll(host)
	}
}

func (p *Provisioner) succeed(ctx context.Context, pod *corev1.Pod) {
	now := metav1.Now()
	st := corev1.PodStatus{Phase: corev1.PodSucceeded}
	for _, c := range pod.Spec.Containers {
		st.ContainerStatuses = append(st.ContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image,
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", StartedAt: now, FinishedAt: now}},
		})
	}
	patch, err := json.Marshal(map[string]any{"status": st})
	if err != nil {
		return
	}
	_, _ = p.cs.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, "application/merge-patch+json", patch, metav1.PatchOptions{}, "status")
}

// Log is the provisioner's output so far.
func (p *Provisioner) Log() string {
	b, _ := os.ReadFile(p.log)
	return string(b)
}

func moduleDir(mod string) (string, error) {
	// A hung proxy must not hang the test run.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", mod)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(stdout.Bytes(), &info); err != nil || info.Dir == "" {
		return "", fmt.Errorf("go mod download %s: %w %s %s", mod, errors.Join(runErr, err), info.Error, stderr.String())
	}
	return info.Dir, nil
}

// stringConsts evaluates the string constants of a Go file (literals joined
// with + and names of other constants of the file), without running it.
func stringConsts(path string) (map[string]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		return nil, err
	}
	exprs := map[string]ast.Expr{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if i < len(vs.Values) {
					exprs[n.Name] = vs.Values[i]
				}
			}
		}
	}
	var eval func(e ast.Expr, depth int) (string, error)
	eval = func(e ast.Expr, depth int) (string, error) {
		if depth > 20 {
			return "", fmt.Errorf("constants nested too deep")
		}
		switch e := e.(type) {
		case *ast.BasicLit:
			if e.Kind != token.STRING {
				return "", fmt.Errorf("not a string literal")
			}
			return strconv.Unquote(e.Value)
		case *ast.Ident:
			x, ok := exprs[e.Name]
			if !ok {
				return "", fmt.Errorf("unknown constant %s", e.Name)
			}
			return eval(x, depth+1)
		case *ast.BinaryExpr:
			if e.Op != token.ADD {
				return "", fmt.Errorf("unsupported operator %s", e.Op)
			}
			a, err := eval(e.X, depth+1)
			if err != nil {
				return "", err
			}
			b, err := eval(e.Y, depth+1)
			return a + b, err
		case *ast.ParenExpr:
			return eval(e.X, depth+1)
		}
		return "", fmt.Errorf("unsupported expression %T", e)
	}
	out := map[string]string{}
	for name, e := range exprs {
		if v, err := eval(e, 0); err == nil {
			out[name] = v
		}
	}
	return out, nil
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
