package testcp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// plane is one running control plane: its processes, files and clients.
type plane struct {
	opts   Options
	binDir string
	dir    string // temp dir: certs, kubeconfig, logs, etcd data
	keep   bool   // keep dir after teardown (EMMDEV_TESTCP_KEEP)

	pki     *pki
	etcdURL string
	apiPort int
	config  *rest.Config // admin

	etcd, apiserver, controllerManager, scheduler, kwok *process
	metricsServer, prometheus                           *process
	kwokPort, metricsServerPort, prometheusPort         int
	// timings of the last start, for the log line and the report.
	timings []string
}

// startTimeout bounds a cold start; on 2 shared cores kube-apiserver alone
// can take 20 s to become ready.
const startTimeout = 3 * time.Minute

// startPlane starts the processes opts asks for, in dependency order. On
// failure everything started so far is stopped again.
func startPlane(binDir string, opts Options, keep bool) (p *plane, err error) {
	dir, err := os.MkdirTemp("", "testcp-")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	p = &plane{opts: opts, binDir: binDir, dir: dir, keep: keep}
	defer func() {
		if err != nil {
			if serr := p.stop(); serr != nil {
				err = errors.Join(err, serr)
			}
			p = nil
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()

	steps := []struct {
		name string
		run  func(context.Context) error
		on   bool
	}{
		{"certificates", p.writeCerts, true},
		{"kubelet certificates", p.writeKubeletCerts, opts.kubeletFeatures()},
		{"etcd", p.startEtcd, true},
		{"kube-apiserver", p.startAPIServer, true},
		{"kube-controller-manager", p.startControllerManager, opts.Controllers},
		{"kube-scheduler", p.startScheduler, opts.Controllers},
		{"kwok", p.startKwok, opts.withKwok()},
		{"metrics-server", p.startMetricsServer, opts.Metrics},
		{"prometheus", p.startPrometheus, opts.Prometheus},
	}
	for _, s := range steps {
		if !s.on {
			continue
		}
		t0 := time.Now()
		if err := s.run(ctx); err != nil {
			return p, fmt.Errorf("start %s: %w", s.name, err)
		}
		p.timings = append(p.timings, fmt.Sprintf("%s %s", s.name, time.Since(t0).Round(10*time.Millisecond)))
	}
	// The scheduler has no readiness signal here: at least make sure that
	// nothing died on a bad flag while the later steps ran.
	return p, p.checkAlive(true)
}

// checkAlive returns the exit and log tail of the first started process
// that is no longer running; kube-apiserver is left out when a test may
// have stopped it on purpose.
func (p *plane) checkAlive(withAPIServer bool) error {
	procs := []*process{p.etcd, p.controllerManager, p.scheduler, p.kwok, p.metricsServer, p.prometheus}
	if withAPIServer {
		// Read only here: StartAPIServer replaces it under ControlPlane.mu.
		procs = append(procs, p.apiserver)
	}
	for _, proc := range procs {
		if proc != nil && !proc.running() {
			return proc.withLog(proc.exitError())
		}
	}
	return nil
}

func (p *plane) path(name string) string { return filepath.Join(p.dir, name) }

func (p *plane) newProcess(name string, args ...string) *process {
	return &process{name: name, path: filepath.Join(p.binDir, name), args: args, logPath: p.path(name + ".log")}
}

func (p *plane) startEtcd(ctx context.Context) error {
	return retryOnPortClash(func() error {
		// A failed attempt may have bootstrapped a member with other URLs.
		if err := os.RemoveAll(p.path("etcd-data")); err != nil {
			return err
		}
		client, err := freePort()
		if err != nil {
			return err
		}
		peer, err := freePort()
		if err != nil {
			return err
		}
		p.etcdURL = "http://127.0.0.1:" + strconv.Itoa(client)
		peerURL := "http://127.0.0.1:" + strconv.Itoa(peer)
		p.etcd = p.newProcess("etcd",
			"--name=testcp",
			"--data-dir="+p.path("etcd-data"),
			"--listen-client-urls="+p.etcdURL,
			"--advertise-client-urls="+p.etcdURL,
			"--listen-peer-urls="+peerURL,
			"--initial-advertise-peer-urls="+peerURL,
			"--initial-cluster=testcp="+peerURL,
			// Tests never need durability or history: skip fsync (the big
			// win on a shared disk) and keep the backend small.
			"--unsafe-no-fsync=true",
			"--quota-backend-bytes="+strconv.Itoa(256<<20),
			"--auto-compaction-mode=revision",
			"--auto-compaction-retention=1000",
			"--log-level=warn",
		)
		if err := p.etcd.start(); err != nil {
			return err
		}
		return waitFor(ctx, p.etcd, func(ctx context.Context) error {
			return httpOK(ctx, http.DefaultClient, p.etcdURL+"/health")
		})
	})
}

// apiServerArgs are fixed once the port is chosen, so StartAPIServer can
// restart kube-apiserver exactly as it was.
func (p *plane) apiServerArgs() []string {
	return append([]string{
		"--etcd-servers=" + p.etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(p.apiPort),
		"--cert-dir=" + p.path("apiserver-certs"),
		"--tls-cert-file=" + p.path("apiserver.crt"),
		"--tls-private-key-file=" + p.path("apiserver.key"),
		"--client-ca-file=" + p.path("ca.crt"),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + p.path("sa.pub"),
		"--service-account-signing-key-file=" + p.path("sa.key"),
		"--service-cluster-ip-range=10.0.0.0/24",
		"--authorization-mode=Node,RBAC",
		// The default reconciler writes the loopback address into the
		// kubernetes Endpoints and fights over it; nothing here needs it.
		"--endpoint-reconciler-type=none",
		// Priority and fairness costs CPU and only matters under overload.
		"--enable-priority-and-fairness=false",
		"--profiling=false",
		"--allow-privileged=true",
		// On SIGTERM, answer new requests with Retry-After and close open
		// watches after 2s; the default waits up to --request-timeout (60s)
		// for every watch of the controllers and kwok to end.
		"--shutdown-send-retry-after=true",
	}, p.kubeletAPIServerArgs()...)
}

func (p *plane) startAPIServer(ctx context.Context) error {
	return retryOnPortClash(func() error {
		port, err := freePort()
		if err != nil {
			return err
		}
		p.apiPort = port
		if err := p.writeKubeconfig(); err != nil {
			return err
		}
		return p.runAPIServer(ctx)
	})
}

// runAPIServer starts kube-apiserver with the plane's flags and waits until
// /readyz answers ok.
func (p *plane) runAPIServer(ctx context.Context) error {
	p.apiserver = p.newProcess("kube-apiserver", p.apiServerArgs()...)
	if err := p.apiserver.start(); err != nil {
		return err
	}
	probe := rest.CopyConfig(p.config)
	probe.Timeout = 5 * time.Second
	cs, err := kubernetes.NewForConfig(probe)
	if err != nil {
		return fmt.Errorf("readyz client: %w", err)
	}
	rc := cs.Discovery().RESTClient()
	return waitFor(ctx, p.apiserver, func(ctx context.Context) error {
		body, err := rc.Get().AbsPath("/readyz").DoRaw(ctx)
		if err != nil {
			return fmt.Errorf("readyz: %w: %s", err, body)
		}
		return nil
	})
}

func (p *plane) startControllerManager(ctx context.Context) error {
	kc := p.path("admin.kubeconfig")
	p.controllerManager = p.newProcess("kube-controller-manager",
		"--kubeconfig="+kc,
		"--secure-port=0",
		"--leader-elect=false",
		"--controllers=*",
		"--use-service-account-credentials=true",
		"--root-ca-file="+p.path("ca.crt"),
		"--service-account-private-key-file="+p.path("sa.key"),
		"--cluster-name=testcp",
	)
	if err := p.controllerManager.start(); err != nil {
		return err
	}
	// It serves no readiness endpoint here (--secure-port=0); the
	// ServiceAccount controller creating default/default shows that it is
	// up, connected and running controllers.
	cs, err := kubernetes.NewForConfig(p.config)
	if err != nil {
		return err
	}
	return waitFor(ctx, p.controllerManager, func(ctx context.Context) error {
		_, err := cs.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
		return err
	})
}

func (p *plane) startScheduler(context.Context) error {
	p.scheduler = p.newProcess("kube-scheduler",
		"--kubeconfig="+p.path("admin.kubeconfig"),
		"--secure-port=0",
		"--leader-elect=false",
	)
	return p.scheduler.start()
}

// stop stops the processes in reverse dependency order, checks that none
// survived, and removes the temp dir unless asked to keep it.
func (p *plane) stop() error {
	var errs []error
	procs := []*process{p.prometheus, p.metricsServer, p.kwok, p.scheduler, p.controllerManager, p.apiserver, p.etcd}
	for _, proc := range procs {
		if proc == nil {
			continue
		}
		if err := proc.stop(20 * time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	for _, proc := range procs {
		if pid := proc.pid(); pid != 0 && alive(pid) {
			errs = append(errs, fmt.Errorf("%s (pid %d) still running after teardown", proc.name, pid))
		}
	}
	if p.keep {
		fmt.Fprintf(os.Stderr, "testcp: kept %s (%s set)\n", p.dir, EnvKeep)
	} else if err := os.RemoveAll(p.dir); err != nil {
		errs = append(errs, fmt.Errorf("remove %s: %w", p.dir, err))
	}
	return errors.Join(errs...)
}

// pids lists the pids of the processes that are running, by name.
func (p *plane) pids() map[string]int {
	out := map[string]int{}
	for _, proc := range []*process{p.etcd, p.apiserver, p.controllerManager, p.scheduler, p.kwok, p.metricsServer, p.prometheus} {
		if proc.running() {
			out[proc.name] = proc.pid()
		}
	}
	return out
}

// waitFor polls check until it succeeds, the process exits (the error then
// carries the end of its log) or ctx ends.
func waitFor(ctx context.Context, proc *process, check func(context.Context) error) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		err := check(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-proc.done:
			return proc.withLog(proc.exitError())
		case <-ctx.Done():
			return proc.withLog(fmt.Errorf("not ready after %s: %w", startTimeout, err))
		case <-tick.C:
		}
	}
}

func httpOK(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// freePort asks the kernel for a free loopback port. Another process can
// take it before ours binds; retryOnPortClash covers that window.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// retryOnPortClash retries a start whose process died on a port somebody
// else took in the meantime (parallel test packages pick ports too).
func retryOnPortClash(start func() error) error {
	var err error
	for range 3 {
		if err = start(); err == nil || !strings.Contains(err.Error(), "address already in use") {
			return err
		}
	}
	return err
}
