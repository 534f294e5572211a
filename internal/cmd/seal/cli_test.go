package seal_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ssv1 "github.com/bitnami/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	"github.com/bitnami/sealed-secrets/pkg/crypto"
	"k8s.io/client-go/kubernetes/scheme"

	sealpkg "github.com/emmdev/emmdev/internal/seal"
	"github.com/emmdev/emmdev/internal/testenv"
)

// unseal decrypts a sealed file with the project's dev key through the
// controller's Unseal and returns the values.
func (p *project) unseal(name string) map[string]string {
	p.t.Helper()
	key, err := sealpkg.LoadPrivateKey(p.keyPath())
	if err != nil {
		p.t.Fatal(err)
	}
	fp, _ := crypto.PublicKeyFingerprint(&key.PublicKey)
	docs, err := sealpkg.DecodeSealedSecrets(name, []byte(p.read(name)))
	if err != nil {
		p.t.Fatal(err)
	}
	s, err := docs[0].Object.Unseal(scheme.Codecs, map[string]*rsa.PrivateKey{fp: key})
	if err != nil {
		p.t.Fatalf("controller cannot unseal %s: %v", name, err)
	}
	out := map[string]string{}
	for k, v := range s.Data {
		out[k] = string(v)
	}
	return out
}

const envFile = `# Confluence
CONFLUENCE_URL=https://example.atlassian.net/wiki
export CONFLUENCE_USERNAME='bot@example.com'
CONFLUENCE_API_TOKEN="line1\nline2"  # inline comment
EMPTY=
`

func TestSealEnvFileVerifyAndTamper(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.keygen()
	if st, err := os.Stat(p.keyPath()); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("dev key: %v %v", st, err)
	}
	if _, err := os.Stat(filepath.Join(p.dir, ".emmdev", "dev-sealing-cert.pem")); err != nil {
		t.Fatalf("dev cert not in the project: %v", err)
	}
	p.write(".env", envFile)
	r := p.run("", "seal", "--from-env-file", ".env", "--name", "confluence-credentials", "-n", "agentic-ai", "-w", "out/sealed.yaml")
	if r.code == 0 {
		t.Fatalf("writing into a missing directory succeeded: %+v", r)
	}
	r = p.run("", "seal", "--from-env-file", ".env", "--name", "confluence-credentials", "-n", "agentic-ai", "-w", "sealed.yaml")
	if r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "dev-sealing-cert.pem") {
		t.Fatalf("seal: %+v", r)
	}
	want := map[string]string{
		"CONFLUENCE_URL": "https://example.atlassian.net/wiki", "CONFLUENCE_USERNAME": "bot@example.com",
		"CONFLUENCE_API_TOKEN": "line1\nline2", "EMPTY": "",
	}
	got := p.unseal("sealed.yaml")
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: round trip changed the value", k)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d keys, want %d", len(got), len(want))
	}

	r = p.run("", "seal", "verify", "sealed.yaml")
	if r.code != 0 || strings.Count(r.stderr, "✓") != 5 {
		t.Fatalf("verify: %+v", r)
	}
	// Rename the object: strict scope must fail, per key, with the reason.
	p.write("renamed.yaml", strings.Replace(p.read("sealed.yaml"), "  name: confluence-credentials\n  namespace", "  name: other\n  namespace", 1))
	r = p.run("", "seal", "verify", "renamed.yaml")
	if r.code != 1 || !strings.Contains(r.stderr, "✗ CONFLUENCE_URL: sealed strict for agentic-ai/confluence-credentials") {
		t.Fatalf("verify renamed: %+v", r)
	}
	// Without the private key the rename is still caught structurally.
	p.env["HOME"] = t.TempDir()
	r = p.run("", "seal", "verify", "renamed.yaml", "sealed.yaml")
	if r.code != 1 || !strings.Contains(r.stderr, "structural checks only") || !strings.Contains(r.stderr, "spec.template.metadata.name") {
		t.Fatalf("keyless verify: %+v", r)
	}
	r = p.run("", "seal", "verify", "sealed.yaml")
	if r.code != 0 {
		t.Fatalf("keyless verify of a good file: %+v", r)
	}
}

func TestMergeInto(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.keygen()
	p.write("a.env", "KEEP=k\nCHANGE=old\n")
	p.write("b.env", "CHANGE=new\nADD=a\n")
	if r := p.run("", "seal", "--from-env-file", "a.env", "--name", "app", "-n", "agentic-ai", "--scope", "namespace-wide", "--format", "json", "-w", "s.json"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	r := p.run("", "seal", "--from-env-file", "b.env", "--merge-into", "s.json")
	if r.code != 0 || !strings.Contains(r.stderr, "added [ADD], replaced [CHANGE], kept 1") {
		t.Fatalf("merge: %+v", r)
	}
	if !strings.HasPrefix(p.read("s.json"), "{") {
		t.Error("merge changed the file's format")
	}
	got := p.unseal("s.json")
	if got["KEEP"] != "k" || got["CHANGE"] != "new" || got["ADD"] != "a" || len(got) != 3 {
		t.Errorf("merged values wrong (keys %d)", len(got))
	}
	r = p.run("", "seal", "--from-env-file", "b.env", "--merge-into", "s.json", "--scope", "strict")
	if r.code != 2 || !strings.Contains(r.stderr, "differs from the namespace-wide scope") {
		t.Errorf("scope mismatch: %+v", r)
	}
}

func TestSealManifestAndRaw(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.keygen()
	manifest := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: agentic-ai\nstringData:\n  K: v\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\n  namespace: agentic-ai\ndata:\n  BIN: AP/+\n"
	r := p.run(manifest, "seal", "-")
	if r.code != 0 || strings.Count(r.stdout, "kind: SealedSecret") != 2 {
		t.Fatalf("stdin manifest: %+v", r)
	}
	p.write("two.yaml", r.stdout)
	second := fmt.Sprintf("two.yaml:%d SealedSecret agentic-ai/b", strings.Count(strings.SplitAfter(r.stdout, "---\n")[0], "\n")+1)
	if r := p.run("", "seal", "verify", "two.yaml"); r.code != 0 || !strings.Contains(r.stderr, second) {
		t.Fatalf("verify two docs: %+v", r)
	}

	r = p.run("\x00binary\xff", "seal", "--raw", "--name", "api", "-n", "agentic-ai")
	if r.code != 0 {
		t.Fatalf("raw: %+v", r)
	}
	ct, err := base64.StdEncoding.DecodeString(strings.TrimSpace(r.stdout))
	if err != nil {
		t.Fatal(err)
	}
	key, _ := sealpkg.LoadPrivateKey(p.keyPath())
	fp, _ := crypto.PublicKeyFingerprint(&key.PublicKey)
	v, err := crypto.HybridDecrypt(rand.Reader, map[string]*rsa.PrivateKey{fp: key}, ct, ssv1.EncryptionLabel("agentic-ai", "api", ssv1.StrictScope))
	if err != nil || string(v) != "\x00binary\xff" {
		t.Errorf("raw value does not decrypt for agentic-ai/api: %v", err)
	}
}

func TestSealErrors(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.keygen()
	kp, err := sealpkg.GenerateKeyPair(2048, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	old, err := crypto.SignKeyWithNotBefore(rand.Reader, kp.Key, time.Now().Add(-72*time.Hour), time.Hour, "old")
	if err != nil {
		t.Fatal(err)
	}
	p.write("expired.pem", string((&sealpkg.KeyPair{Key: kp.Key, Cert: old}).CertPEM()))
	p.write("ok.env", "A=1\n")
	p.write("bad.env", "A=1\nB=\"SECRETVALUE\n")
	p.write("notsecret.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"expired cert", []string{"seal", "--cert", "expired.pem", "--from-env-file", "ok.env", "--name", "a", "-n", "b"}, 2, "expired.pem: failed to encrypt using an expired certificate"},
		{"bad env", []string{"seal", "--from-env-file", "bad.env", "--name", "a", "-n", "b"}, 2, "bad.env:2: B: unterminated double-quoted value"},
		{"missing env", []string{"seal", "--from-env-file", "nope.env", "--name", "a", "-n", "b"}, 2, "nope.env"},
		{"no namespace", []string{"seal", "--from-env-file", "ok.env", "--name", "a"}, 2, "has no namespace"},
		{"not a Secret", []string{"seal", "notsecret.yaml"}, 2, "notsecret.yaml:1: expected v1 Secret"},
		{"keygen refuses overwrite", []string{"seal", "keygen", "--bits", "2048"}, 2, "already exists (use --force"},
		{"verify missing file", []string{"seal", "verify", "nope.yaml"}, 2, "nope.yaml"},
		{"verify a Secret", []string{"seal", "verify", "notsecret.yaml"}, 2, "expected bitnami.com/v1alpha1 SealedSecret"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := p.run("", tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("got %+v, want exit %d and %q", r, tc.code, tc.want)
			}
			if strings.Count(r.stderr, "emmdev: ") > 1 {
				t.Errorf("error printed more than once: %q", r.stderr)
			}
			if strings.Contains(r.stderr+r.stdout, "SECRETVALUE") {
				t.Errorf("value leaked: %q", r.stderr)
			}
		})
	}
}

func TestWarnsWhenEnvIsTrackedByGit(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		testenv.SkipOrFail(t, "git not installed: the tracked-.env warning needs it")
	}
	p := newProject(t)
	p.keygen()
	p.write(".env", "A=1\n")
	p.write("untracked.env", "A=1\n")
	p.write(".env.example", "A=fake\n")
	for _, args := range [][]string{{"init", "-q"}, {"add", ".env", ".env.example"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = p.dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	r := p.run("", "seal", "--from-env-file", ".env", "--name", "a", "-n", "b")
	if r.code != 0 || !strings.Contains(r.stderr, "warning: .env is tracked by git") {
		t.Errorf("tracked: %+v", r)
	}
	for _, f := range []string{"untracked.env", ".env.example"} {
		r = p.run("", "seal", "--from-env-file", f, "--name", "a", "-n", "b")
		if r.code != 0 || strings.Contains(r.stderr, "warning") {
			t.Errorf("%s: %+v", f, r)
		}
	}
}

func TestKeygenPlacement(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.env = map[string]string{} // no HOME: the default key path would be relative, i.e. in the repo
	if r := p.run("", "seal", "keygen", "--bits", "2048"); r.code != 2 || !strings.Contains(r.stderr, "cannot place the private key") {
		t.Fatalf("%+v", r)
	}
	if _, err := os.Stat(filepath.Join(p.dir, ".config")); err == nil {
		t.Error("a key directory was created inside the project")
	}
	// A subdirectory of the project still puts the cert at the project root.
	p.env = map[string]string{"XDG_CONFIG_HOME": filepath.Join(p.home, "xdg")}
	if err := os.MkdirAll(filepath.Join(p.dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	root := p.dir
	p.dir = filepath.Join(root, "sub", "dir")
	if err := os.MkdirAll(p.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if r := p.run("", "seal", "keygen", "--bits", "2048"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	for _, f := range []string{filepath.Join(root, ".emmdev", "dev-sealing-cert.pem"), filepath.Join(p.home, "xdg", "emmdev", "sealing", "dev-key.pem")} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	// ... and sealing from the subdirectory finds that cert.
	p.write("x.env", "A=1\n")
	if r := p.run("", "seal", "--from-env-file", "x.env", "--name", "a", "-n", "b"); r.code != 0 || !strings.Contains(r.stderr, "../../.emmdev/dev-sealing-cert.pem") {
		t.Errorf("%+v", r)
	}
	if r := p.run("", "seal", "keygen", "--bits", "2048", "--force"); r.code != 0 {
		t.Errorf("--force: %+v", r)
	}
}
