package seal

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/emmdev/emmdev/internal/kube"
	"github.com/emmdev/emmdev/internal/repo"
	"github.com/emmdev/emmdev/internal/seal"
)

// publicKey picks the certificate: --cert, --from-cluster, the dev cert
// when present, otherwise the controller.
func (o *Options) publicKey(ui *ui) (*rsa.PublicKey, error) {
	name, data, err := o.certificate()
	if err != nil {
		return nil, fmt.Errorf("sealing certificate: %w", err)
	}
	pub, notAfter, err := seal.ParseCert(name, data)
	if err != nil {
		return nil, err
	}
	// Always say which key sealed: dev-cert output does not decrypt in
	// a cluster whose controller has another key.
	ui.ok("sealing with %s (expires %s)", name, notAfter.Format(time.DateOnly))
	return pub, nil
}

// certificate returns the PEM to seal with and a name for it in messages.
func (o *Options) certificate() (string, []byte, error) {
	if o.CertFile != "" {
		data, err := os.ReadFile(o.abs(o.CertFile))
		return o.CertFile, data, err
	}
	if !o.FromCluster {
		name, found, err := o.devCertPath()
		if err != nil {
			return "", nil, err
		}
		if found {
			data, err := os.ReadFile(o.abs(name))
			return name, data, err
		}
	}
	data, err := o.FetchCert(o.Ctx, o)
	return fmt.Sprintf("controller %s/%s", o.ControllerNamespace, o.ControllerName), data, err
}

// devCertPath finds the dev cert: $EMMDEV_SEALING_CERT as given, or
// .emmdev/dev-sealing-cert.pem at the project root (repo.Root), so the
// command works from a subdirectory of the project.
func (o *Options) devCertPath() (string, bool, error) {
	_, cert := seal.DefaultKeyPaths(o.IO.Env)
	if o.IO.Env(seal.EnvCertPath) != "" || filepath.IsAbs(cert) {
		_, err := os.Stat(o.abs(cert))
		return cert, err == nil, nil
	}
	wd, err := o.WorkDir()
	if err != nil {
		return "", false, err
	}
	root, err := repo.Root(wd)
	if errors.Is(err, repo.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	p := filepath.Join(root, cert)
	if _, err := os.Stat(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", false, nil
		}
		return "", false, err
	}
	return relTo(o.WorkDir, p), true, nil
}

// projectRoot is the project root (repo.Root), else the working directory;
// keygen puts the dev cert there.
func projectRoot(workDir func() (string, error)) (string, error) {
	wd, err := workDir()
	if err != nil {
		return "", err
	}
	root, err := repo.Root(wd)
	if errors.Is(err, repo.ErrNotFound) {
		return wd, nil
	}
	return root, err
}

// relTo shortens p relative to the working directory for messages.
func relTo(workDir func() (string, error), p string) string {
	if wd, err := workDir(); err == nil {
		if r, err := filepath.Rel(wd, p); err == nil {
			return r
		}
	}
	return p
}

// fetchCert is the real controller fetch through the API server.
func fetchCert(ctx context.Context, o *Options) ([]byte, error) {
	target, err := kube.Flags{Kubeconfig: o.abs(o.Kubeconfig), Context: o.KubeContext, RequestTimeout: o.RequestTimeout}.Resolve(o.IO.Env, "")
	if err != nil {
		return nil, fmt.Errorf("no --cert, no dev cert (%s) and no cluster: %w", seal.DevCertPath, err)
	}
	data, err := seal.FetchCert(ctx, target.OneShot(), o.ControllerNamespace, o.ControllerName)
	return data, kube.ExplainTimeout(err, target.RequestTimeout)
}

// gitTracked asks git whether path is in the index; any failure (no git,
// not a repository) counts as not tracked.
func gitTracked(ctx context.Context, path string) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	cmd := exec.CommandContext(ctx, "git", "-C", filepath.Dir(abs), "ls-files", "--error-unmatch", "--", filepath.Base(abs))
	return cmd.Run() == nil
}
