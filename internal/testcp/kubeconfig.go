package testcp

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/emmdev/emmdev/internal/atomicfile"
)

// contextName is the kubeconfig context (and cluster and user) name.
const contextName = "testcp"

// adminUser is in system:masters, so RBAC never gets in its way; the
// controllers, the scheduler and kwok share it.
const adminUser = "testcp-admin"

// writeCerts creates the plane's CA, the kube-apiserver serving pair, the
// admin client pair and the service-account signing pair. Keys are 0600.
func (p *plane) writeCerts(context.Context) error {
	ca, err := newPKI()
	if err != nil {
		return err
	}
	p.pki = ca
	serving, err := ca.serving()
	if err != nil {
		return err
	}
	saKey, saPub, err := serviceAccountKey()
	if err != nil {
		return err
	}
	files := []struct {
		name string
		data []byte
		perm os.FileMode
	}{
		{"ca.crt", ca.caPEM, 0o644},
		{"apiserver.crt", serving.certPEM, 0o644},
		{"apiserver.key", serving.keyPEM, 0o600},
		{"sa.key", saKey, 0o600},
		{"sa.pub", saPub, 0o644},
	}
	for _, f := range files {
		if err := atomicfile.Write(p.path(f.name), f.data, f.perm); err != nil {
			return err
		}
	}
	return nil
}

// writeKubeconfig writes admin.kubeconfig for the current apiserver port,
// with every credential embedded so the file stands alone, and sets
// p.config from it.
func (p *plane) writeKubeconfig() error {
	admin, err := p.pki.client(adminUser, "system:masters")
	if err != nil {
		return err
	}
	server := "https://127.0.0.1:" + strconv.Itoa(p.apiPort)
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[contextName] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: p.pki.caPEM}
	cfg.AuthInfos[contextName] = &clientcmdapi.AuthInfo{ClientCertificateData: admin.certPEM, ClientKeyData: admin.keyPEM}
	cfg.Contexts[contextName] = &clientcmdapi.Context{Cluster: contextName, AuthInfo: contextName, Namespace: "default"}
	cfg.CurrentContext = contextName
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return fmt.Errorf("kubeconfig: %w", err)
	}
	// 0600: it holds a private key.
	if err := atomicfile.Write(p.path("admin.kubeconfig"), data, 0o600); err != nil {
		return err
	}
	rc, err := clientcmd.RESTConfigFromKubeConfig(data)
	if err != nil {
		return fmt.Errorf("kubeconfig: %w", err)
	}
	tuneClient(rc)
	p.config = rc
	return nil
}

// userConfig is a rest.Config for the plane authenticating with a client
// certificate for user (CN) in groups (O).
func (p *plane) userConfig(user string, groups ...string) (*rest.Config, error) {
	pair, err := p.pki.client(user, groups...)
	if err != nil {
		return nil, err
	}
	rc := &rest.Config{
		Host: p.config.Host,
		TLSClientConfig: rest.TLSClientConfig{
			CAData:   p.pki.caPEM,
			CertData: pair.certPEM,
			KeyData:  pair.keyPEM,
		},
	}
	tuneClient(rc)
	return rc, nil
}

// tuneClient lifts client-go's default 5 QPS, which would make a test that
// creates a few hundred objects crawl.
func tuneClient(rc *rest.Config) {
	rc.QPS = 200
	rc.Burst = 400
	rc.UserAgent = "emmdev-testcp"
}
