package seal

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
)

// fakeAPIServer answers the two requests kubeseal-style fetching makes: the
// Service lookup and the service-proxy GET of /v1/cert.pem.
func fakeAPIServer(t *testing.T, portName string, cert []byte) *httptest.Server {
	t.Helper()
	svcPath := "/api/v1/namespaces/kube-system/services/sealed-secrets-controller"
	proxyPath := "/api/v1/namespaces/kube-system/services/http:sealed-secrets-controller:" + portName + "/proxy/v1/cert.pem"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == svcPath:
			svc := corev1.Service{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
				ObjectMeta: metav1.ObjectMeta{Name: "sealed-secrets-controller", Namespace: "kube-system"},
				Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: portName, Port: 8080}}},
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(svc)
		case r.Method == http.MethodGet && r.URL.Path == proxyPath:
			w.Header().Set("Content-Type", "application/x-pem-file")
			_, _ = w.Write(cert)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,"message":"not found: ` + r.URL.Path + `"}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestFetchCert: the HTTP client half of fetching from the controller,
// against a kube-apiserver-shaped server (the real API server refuses to
// proxy to loopback endpoints; see fetchtest for the real one).
func TestFetchCert(t *testing.T) {
	t.Parallel()
	kp, _ := newTestKey(t)
	for _, port := range []string{"http", ""} {
		t.Run("port name "+port, func(t *testing.T) {
			t.Parallel()
			srv := fakeAPIServer(t, port, kp.CertPEM())
			got, err := FetchCert(context.Background(), &rest.Config{Host: srv.URL}, "kube-system", "sealed-secrets-controller")
			if err != nil {
				t.Fatal(err)
			}
			pub, _, err := ParseCert("fetched", got)
			if err != nil || !pub.Equal(&kp.Key.PublicKey) {
				t.Errorf("fetched cert: %v", err)
			}
		})
	}
	t.Run("wrong controller name", func(t *testing.T) {
		t.Parallel()
		srv := fakeAPIServer(t, "http", kp.CertPEM())
		_, err := FetchCert(context.Background(), &rest.Config{Host: srv.URL}, "kube-system", "nope")
		if err == nil || !strings.Contains(err.Error(), "--controller-name") {
			t.Errorf("got %v", err)
		}
	})
}
