package seal

import (
	"context"
	"fmt"
	"io"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// maxCertBytes bounds what is read from the controller; a cert is ~2 KiB.
const maxCertBytes = 1 << 20

// FetchCert downloads the controller's current sealing certificate through
// the API server's service proxy
// (/api/v1/namespaces/NS/services/http:NAME:PORT/proxy/v1/cert.pem), as
// kubeseal --fetch-cert does: the port is the Service's first port name.
func FetchCert(ctx context.Context, cfg *rest.Config, namespace, name string) ([]byte, error) {
	c := rest.CopyConfig(cfg)
	c.AcceptContentTypes = "application/x-pem-file, */*"
	cs, err := kubernetes.NewForConfig(c)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	svc, err := cs.CoreV1().Services(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("find sealed-secrets controller service %s/%s (set --controller-namespace/--controller-name, or use --cert): %w", namespace, name, err)
	}
	if len(svc.Spec.Ports) == 0 {
		return nil, fmt.Errorf("service %s/%s has no ports", namespace, name)
	}
	rc, err := cs.CoreV1().Services(namespace).ProxyGet("http", name, svc.Spec.Ports[0].Name, "/v1/cert.pem", nil).Stream(ctx)
	if err != nil {
		return nil, fmt.Errorf("fetch cert from %s/%s: %w", namespace, name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxCertBytes))
	if err != nil {
		return nil, fmt.Errorf("fetch cert from %s/%s: %w", namespace, name, err)
	}
	return data, nil
}
