package seal_test

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emmdev/emmdev/internal/testenv"
)

func TestKeygenBitsAreBounded(t *testing.T) {
	t.Parallel()
	for _, bits := range []string{"1024", "16384", "100000"} {
		p := newProject(t)
		r := p.run("", "seal", "keygen", "--bits", bits)
		if r.code != 2 || !strings.Contains(r.stderr, "--bits must be between 2048 and 8192 (got "+bits+")") {
			t.Errorf("--bits %s: %+v", bits, r)
		}
		if _, err := os.Stat(p.keyPath()); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("--bits %s wrote a key", bits)
		}
	}
}

// TestKeygenForceBacksUpTheOldPair: the only copy of the dev key is kept,
// 0600, with the time in its name, and the new pair is whole.
func TestKeygenForceBacksUpTheOldPair(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.keygen()
	oldKey, err := os.ReadFile(p.keyPath())
	if err != nil {
		t.Fatal(err)
	}
	oldCert := p.read(".emmdev/dev-sealing-cert.pem")
	r := p.run("", "seal", "keygen", "--bits", "2048", "--force")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	keys, _ := filepath.Glob(p.keyPath() + ".bak-*")
	certs, _ := filepath.Glob(filepath.Join(p.dir, ".emmdev", "dev-sealing-cert.pem.bak-*"))
	if len(keys) != 1 || len(certs) != 1 {
		t.Fatalf("backups: keys %v, certs %v\n%s", keys, certs, r.stderr)
	}
	for _, b := range append(keys, certs...) {
		fi, err := os.Stat(b)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("backup %s: mode %v, %v; want 0600", b, fi.Mode().Perm(), err)
		}
		if !strings.Contains(r.stderr, "kept the old "+b) {
			t.Errorf("stderr does not name the backup %s:\n%s", b, r.stderr)
		}
	}
	if got, _ := os.ReadFile(keys[0]); !bytes.Equal(got, oldKey) {
		t.Error("the key backup is not the old key")
	}
	if got, _ := os.ReadFile(certs[0]); string(got) != oldCert {
		t.Error("the cert backup is not the old cert")
	}
	if newKey, _ := os.ReadFile(p.keyPath()); bytes.Equal(newKey, oldKey) {
		t.Error("--force did not write a new key")
	}
}

// TestKeygenRefusesKeysInsideTheWorkTree: --key ./dev-key.pem in a git
// repository would put the private key one `git add .` from a commit.
func TestKeygenRefusesKeysInsideTheWorkTree(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	if err := os.Mkdir(filepath.Join(p.dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := p.run("", "seal", "keygen", "--bits", "2048", "--key", "./dev-key.pem")
	if r.code != 2 || !strings.Contains(r.stderr, "inside a git work tree ("+p.dir+")") {
		t.Fatalf("%+v", r)
	}
	if _, err := os.Stat(filepath.Join(p.dir, "dev-key.pem")); !errors.Is(err, os.ErrNotExist) {
		t.Error("the key was written into the work tree")
	}
	if strings.Contains(r.stderr, "generated") {
		t.Error("the key was generated before the refusal")
	}
}

// TestLooseKeyPermissionsAreRefusedWithTheFix: a key others can read, or a
// key folder others can enter, is not used; the error gives the chmod.
func TestLooseKeyPermissionsAreRefusedWithTheFix(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.keygen()
	p.write("x.yaml", "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: a, namespace: b}\nspec: {encryptedData: {A: AgA=}}\n")
	if err := os.Chmod(p.keyPath(), 0o644); err != nil {
		t.Fatal(err)
	}
	want := "run `chmod 600 " + p.keyPath() + "`"
	for _, args := range [][]string{{"seal", "verify", "x.yaml"}, {"seal", "keygen", "--bits", "2048", "--force"}} {
		if r := p.run("", args...); r.code != 2 || !strings.Contains(r.stderr, want) {
			t.Errorf("%v with a 0644 key: %+v", args, r)
		}
	}
	if err := os.Chmod(p.keyPath(), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(p.keyPath())
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if r := p.run("", "seal", "verify", "x.yaml"); r.code != 2 || !strings.Contains(r.stderr, "run `chmod 700 "+dir+"`") {
		t.Errorf("verify with a 0755 key folder: %+v", r)
	}
}

// TestSIGTERMStopsKeygenWithin2s: RSA generation cannot be cancelled, so
// keygen must not wait for it (an 8192-bit key takes seconds to minutes).
func TestSIGTERMStopsKeygenWithin2s(t *testing.T) {
	bin := testenv.BuildEmmdev(t)
	p := newProject(t)
	cmd := exec.Command(bin, "seal", "keygen", "--bits", "8192")
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), "HOME="+p.home, "XDG_CONFIG_HOME=", "EMMDEV_SEALING_KEY=", "EMMDEV_SEALING_CERT=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	// The line before the generation: from then on the generation runs
	// (and the signal handling is in place, which a slow start would delay).
	generating := make(chan struct{})
	var out bytes.Buffer
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "generating a 8192-bit RSA key") {
				close(generating)
			}
		}
	}()
	select {
	case <-generating:
	case <-time.After(time.Minute):
		t.Fatal("keygen never started generating")
	}
	time.Sleep(100 * time.Millisecond)
	done := make(chan error, 1)
	go func() { <-copied; done <- cmd.Wait() }()
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("keygen still running 10 s after SIGTERM")
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("exit %v, want 130\n%s", err, out.String())
	}
	if took := time.Since(sent); took > 2*time.Second {
		t.Errorf("keygen took %s to stop", took)
	}
	if _, err := os.Stat(p.keyPath()); !errors.Is(err, os.ErrNotExist) {
		t.Error("an interrupted keygen wrote a key")
	}
}
