package seal_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emmdev/emmdev/internal/dotenv"
	sealpkg "github.com/emmdev/emmdev/internal/seal"
)

// fakeController is a kube-apiserver-shaped server exposing the
// sealed-secrets Service and its /v1/cert.pem through the service proxy.
func fakeController(t *testing.T, cert []byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/namespaces/kube-system/services/sealed-secrets-controller":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"apiVersion":"v1","kind":"Service","metadata":{"name":"sealed-secrets-controller","namespace":"kube-system"},"spec":{"ports":[{"name":"http","port":8080}]}}`))
		case "/api/v1/namespaces/kube-system/services/http:sealed-secrets-controller:http/proxy/v1/cert.pem":
			_, _ = w.Write(cert)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (p *project) kubeconfig(server string) {
	p.t.Helper()
	p.write("kubeconfig", `apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: `+server+`
contexts:
- name: fake
  context:
    cluster: fake
    user: fake
current-context: fake
users:
- name: fake
  user: {}
`)
}

// TestCertFromCluster: without a dev cert, and with --from-cluster even when
// one exists, the cert comes from the controller via the API server.
func TestCertFromCluster(t *testing.T) {
	t.Parallel()
	controllerKey, err := sealpkg.GenerateKeyPair(2048, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	srv := fakeController(t, controllerKey.CertPEM())

	for _, tc := range []struct {
		name   string
		devKey bool
		extra  []string
	}{
		{"no dev cert falls back to the controller", false, nil},
		{"--from-cluster beats the dev cert", true, []string{"--from-cluster"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newProject(t)
			if tc.devKey {
				p.keygen()
			}
			p.kubeconfig(srv.URL)
			p.write("x.env", "A=1\n")
			args := append([]string{"seal", "--from-env-file", "x.env", "--name", "a", "-n", "agentic-ai", "--kubeconfig", "kubeconfig", "-w", "s.yaml"}, tc.extra...)
			r := p.run("", args...)
			if r.code != 0 || !strings.Contains(r.stderr, "sealing with controller kube-system/sealed-secrets-controller") {
				t.Fatalf("%+v", r)
			}
			keyFile := p.privateFile("controller.key", controllerKey.KeyPEM())
			if r := p.run("", "seal", "verify", "--key", keyFile, "s.yaml"); r.code != 0 {
				t.Errorf("not sealed with the controller's key: %+v", r)
			}
			_ = os.Remove(keyFile)
		})
	}
	t.Run("wrong controller name", func(t *testing.T) {
		t.Parallel()
		p := newProject(t)
		p.kubeconfig(srv.URL)
		p.write("x.env", "A=1\n")
		r := p.run("", "seal", "--from-env-file", "x.env", "--name", "a", "-n", "b", "--kubeconfig", "kubeconfig", "--controller-name", "nope")
		if r.code != 2 || !strings.Contains(r.stderr, "--controller-name") {
			t.Errorf("%+v", r)
		}
	})
}

// TestCommittedSealedSecret checks the repository's own SealedSecret
// without the dev private key (which exists on one machine only): it is
// structurally valid and holds exactly the keys of .env.example.
func TestCommittedSealedSecret(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.dir = "../../.."
	const file = "manifests/40-confluence-credentials.sealedsecret.yaml"
	r := p.run("", "seal", "verify", file)
	if r.code != 0 || !strings.Contains(r.stderr, "structural checks only") {
		t.Fatalf("%+v", r)
	}
	data, err := os.ReadFile(p.dir + "/" + file)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := sealpkg.DecodeSealedSecrets(file, data)
	if err != nil {
		t.Fatal(err)
	}
	ss := docs[0].Object
	if ss.Name != "confluence-credentials" || ss.Namespace != "agentic-ai" {
		t.Errorf("sealed for %s/%s", ss.Namespace, ss.Name)
	}
	example, err := os.ReadFile(p.dir + "/.env.example")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := dotenv.ParseBytes(".env.example", example)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, e := range entries {
		want = append(want, e.Key)
	}
	sort.Strings(want)
	if got := sealpkg.Keys(ss); strings.Join(got, ",") != strings.Join(want, ",") || len(got) != 3 {
		t.Errorf("sealed keys %v, .env.example keys %v", got, want)
	}
	cert, err := os.ReadFile(p.dir + "/" + sealpkg.DevCertPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := sealpkg.ParseCert(sealpkg.DevCertPath, cert); err != nil {
		t.Errorf("committed dev cert unusable: %v", err)
	}
}
