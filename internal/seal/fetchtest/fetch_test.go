package fetchtest

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/emmdev/emmdev/internal/app"
	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/seal"
	"github.com/emmdev/emmdev/internal/testcp"
	"github.com/emmdev/emmdev/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testcp.Main(m, testcp.Options{})) }

// hostIP returns a non-loopback IPv4 address of this machine: the API
// server's service proxy refuses loopback and link-local endpoints.
func hostIP(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			return n.IP.String()
		}
	}
	testenv.SkipOrFail(t, "no non-loopback IPv4 address: the API server would refuse to proxy to this host")
	return ""
}

// TestFetchCertThroughServiceProxy serves a cert like the controller's
// /v1/cert.pem, points a selector-less Service at it and fetches it with
// the same code `emmdev seal --from-cluster` uses.
func TestFetchCertThroughServiceProxy(t *testing.T) {
	cp := testcp.Get(t)
	ip := hostIP(t)
	kp, err := seal.GenerateKeyPair(2048, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp4", ip+":0")
	if err != nil {
		testenv.SkipOrFail(t, "cannot listen on %s: %v", ip, err)
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/cert.pem" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(kp.CertPEM())
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	port := int32(ln.Addr().(*net.TCPAddr).Port)

	ctx := context.Background()
	ns := cp.Namespace(t)
	const name = "sealed-secrets-controller"
	cs := cp.Clientset.CoreV1()
	if _, err := cs.Services(ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{
			Name: "http", Port: 8080, TargetPort: intstr.FromInt32(port), Protocol: corev1.ProtocolTCP}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// The service proxy only forwards to an endpoint address whose
	// targetRef is a Pod reporting that IP, so fake such a Pod: nothing
	// schedules or runs it, its status just carries the listener's IP.
	pod, err := cs.Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "controller"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "example.invalid/none"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod.Status.PodIP, pod.Status.PodIPs = ip, []corev1.PodIP{{IP: ip}}
	if _, err := cs.Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Publish the address as the EndpointSlice kube-apiserver 1.37's
	// service proxy reads (no endpointslice controller runs here).
	httpName, proto, ready := "http", corev1.ProtocolTCP, true
	if _, err := cp.Clientset.DiscoveryV1().EndpointSlices(ns).Create(ctx, &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Name: name + "-1", Labels: map[string]string{discoveryv1.LabelServiceName: name}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints: []discoveryv1.Endpoint{{
			Addresses:  []string{ip},
			Conditions: discoveryv1.EndpointConditions{Ready: &ready},
			TargetRef:  &corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: pod.Name},
		}},
		Ports: []discoveryv1.EndpointPort{{Name: &httpName, Port: &port, Protocol: &proto}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	var data []byte
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, err = seal.FetchCert(ctx, cp.Config, ns, name)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("fetch through %s:%s: %v", ip, strconv.Itoa(int(port)), err)
	}
	pub, _, err := seal.ParseCert("fetched", data)
	if err != nil || !pub.Equal(&kp.Key.PublicKey) {
		t.Fatalf("fetched cert does not match the served one: %v", err)
	}

	// The whole CLI path against the same API server: kubeconfig loading,
	// flags, fetch, seal; then verify with the matching private key.
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil { // the key's folder must be private
		t.Fatal(err)
	}
	for f, content := range map[string][]byte{"x.env": []byte("A=1\n"), "key.pem": kp.KeyPEM()} {
		if err := os.WriteFile(filepath.Join(dir, f), content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	streams, _, _, errOut := cmdutil.TestStreams()
	streams.Getenv = func(string) string { return "" }
	f := &cmdutil.Factory{Streams: streams, WorkDir: func() (string, error) { return dir, nil }}
	code := app.Run(ctx, []string{"seal", "--from-env-file", "x.env", "--name", "a", "-n", "agentic-ai",
		"--kubeconfig", cp.KubeconfigPath, "--controller-namespace", ns, "-w", "s.yaml"}, f)
	if code != 0 || !strings.Contains(errOut.String(), "sealing with controller "+ns+"/"+name) {
		t.Fatalf("emmdev seal --kubeconfig: exit %d: %s", code, errOut)
	}
	if code := app.Run(ctx, []string{"seal", "verify", "--key", "key.pem", "s.yaml"}, f); code != 0 {
		t.Fatalf("verify with the controller's key: exit %d: %s", code, errOut)
	}
}
