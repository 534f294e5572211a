package platform

import (
	"regexp"
	"strconv"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
)

type res struct{ reqMem, reqCPU, limMem, limCPU string }

// appWorkloads are the platform's own services: image agentic-ai/<name>,
// HTTP on port, /health probes, zero-downtime rollouts, scraped by Prometheus.
var appWorkloads = []struct {
	name string
	port int32
	res  *res // exact values the issue fixes; nil = any, but all four set
}{
	{"jd-classifier", 8080, &res{"128Mi", "100m", "256Mi", "500m"}},
	{"content-classifier", 8080, &res{"2Gi", "1", "4Gi", "2"}},
	{"bookmark-classifier", 8080, nil},
	{"confluence", 8080, nil},
	{"file-system", 8080, nil},
	{"web-scraper", 8080, nil},
	{"notifications", 8080, nil},
	{"confluence-agent", 8080, nil},
	{"bookmark-scraper", 8080, nil},
	{"file-system-agent", 8080, nil},
	{"langgraph-api", 8000, nil},
}

var pinnedAppImage = regexp.MustCompile(`^agentic-ai/([a-z0-9-]+):v?\d+\.\d+\.\d+$`)

func TestAppWorkloads(t *testing.T) {
	t.Parallel()
	objs := renderDir(t, "manifests")
	ws := workloads(t, objs)
	svcs := services(t, objs)
	for _, tc := range appWorkloads {
		t.Run(tc.name, func(t *testing.T) {
			w, ok := ws[tc.name]
			if !ok || w.Deployment == nil {
				t.Fatalf("no Deployment %s", tc.name)
			}
			d := w.Deployment
			st := d.Spec.Strategy
			if st.Type != appsv1.RollingUpdateDeploymentStrategyType || st.RollingUpdate == nil ||
				st.RollingUpdate.MaxSurge == nil || *st.RollingUpdate.MaxSurge != intstr.FromInt32(1) ||
				st.RollingUpdate.MaxUnavailable == nil || *st.RollingUpdate.MaxUnavailable != intstr.FromInt32(0) {
				t.Errorf("strategy %+v, want RollingUpdate maxSurge 1 maxUnavailable 0", st)
			}
			ann := d.Spec.Template.Annotations
			if ann["prometheus.io/scrape"] != "true" || ann["prometheus.io/path"] != "/metrics" ||
				ann["prometheus.io/port"] != itoa(tc.port) {
				t.Errorf("pod annotations %v: want prometheus.io scrape/port %d/path", ann, tc.port)
			}
			if sc := d.Spec.Template.Spec.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
				t.Error("pod securityContext.runAsNonRoot must be true")
			}
			cs := d.Spec.Template.Spec.Containers
			if len(cs) != 1 {
				t.Fatalf("%d containers, want 1", len(cs))
			}
			c := cs[0]
			if m := pinnedAppImage.FindStringSubmatch(c.Image); m == nil || m[1] != tc.name {
				t.Errorf("image %q, want agentic-ai/%s:<pinned version>", c.Image, tc.name)
			}
			if containerPort(c, "http", 0) != tc.port {
				t.Errorf("container port http = %d, want %d", containerPort(c, "http", 0), tc.port)
			}
			for probeName, p := range map[string]*corev1.Probe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
				if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/health" ||
					containerPort(c, p.HTTPGet.Port.StrVal, p.HTTPGet.Port.IntVal) != tc.port {
					t.Errorf("%s probe %+v: want httpGet /health on port %d", probeName, p, tc.port)
				}
			}
			env := envMap(c)
			for k, v := range map[string]string{"REDIS_HOST": "redis-service", "REDIS_PORT": "6379", "K8S_MODE": "true"} {
				if env[k].Value != v {
					t.Errorf("env %s = %q, want %q", k, env[k].Value, v)
				}
			}
			// REDIS_HOST must name the Service that really fronts Redis.
			if s, ok := svcs[env["REDIS_HOST"].Value]; !ok || s.Spec.Selector["app.kubernetes.io/name"] != "redis-cache" {
				t.Errorf("REDIS_HOST %q is not the Service of redis-cache", env["REDIS_HOST"].Value)
			}
			checkResources(t, c, tc.res)
			if sc := c.SecurityContext; sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
				t.Error("container must set allowPrivilegeEscalation: false")
			}
			if s, ok := svcs[tc.name]; !ok || len(s.Spec.Ports) != 1 || s.Spec.Ports[0].Port != tc.port {
				t.Errorf("Service %s must expose port %d", tc.name, tc.port)
			}
		})
	}
}

func checkResources(t *testing.T, c corev1.Container, want *res) {
	t.Helper()
	r := c.Resources
	got := map[string]*resource.Quantity{
		"requests.memory": r.Requests.Memory(), "requests.cpu": r.Requests.Cpu(),
		"limits.memory": r.Limits.Memory(), "limits.cpu": r.Limits.Cpu(),
	}
	for k, q := range got {
		if q.IsZero() {
			t.Errorf("container %s: %s not set", c.Name, k)
		}
	}
	if r.Requests.Memory().Cmp(*r.Limits.Memory()) > 0 || r.Requests.Cpu().Cmp(*r.Limits.Cpu()) > 0 {
		t.Errorf("container %s: requests above limits", c.Name)
	}
	if want == nil {
		return
	}
	for k, w := range map[string]string{"requests.memory": want.reqMem, "requests.cpu": want.reqCPU, "limits.memory": want.limMem, "limits.cpu": want.limCPU} {
		if got[k].Cmp(resource.MustParse(w)) != 0 {
			t.Errorf("container %s: %s = %s, want %s", c.Name, k, got[k], w)
		}
	}
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }

// Infrastructure runs public images at pinned tags; a moving tag would make
// two `emmdev up` runs deploy different software.
func TestEveryImageIsPinned(t *testing.T) {
	t.Parallel()
	want := map[string]*regexp.Regexp{
		"redis-cache": regexp.MustCompile(`^redis:7\.\d+\.\d+-alpine$`),
		"prometheus":  regexp.MustCompile(`^prom/prometheus:v3\.\d+\.\d+$`),
		"tempo":       regexp.MustCompile(`^grafana/tempo:2\.\d+\.\d+$`),
		"grafana":     regexp.MustCompile(`^grafana/grafana:12\.\d+\.\d+$`),
	}
	for _, w := range workloads(t, renderDir(t, "manifests")) {
		for _, c := range append(w.Template.Spec.InitContainers, w.Template.Spec.Containers...) {
			re, ok := want[w.Name]
			if !ok {
				re = pinnedAppImage
			}
			if !re.MatchString(c.Image) {
				t.Errorf("%s: image %q, want %s", w.Name, c.Image, re)
			}
		}
	}
}

// Every Service must reach a workload's pods on a port they declare;
// otherwise it silently has no endpoints.
func TestServicesSelectAWorkloadPort(t *testing.T) {
	t.Parallel()
	objs := renderDir(t, "manifests")
	ws := workloads(t, objs)
	for _, s := range services(t, objs) {
		var matched []workload
		for _, w := range ws {
			if selects(s.Spec.Selector, w.Template.Labels) {
				matched = append(matched, w)
			}
		}
		if len(matched) != 1 {
			t.Errorf("Service %s selects %d workloads, want 1", s.Name, len(matched))
			continue
		}
		for _, p := range s.Spec.Ports {
			found := false
			for _, c := range matched[0].Template.Spec.Containers {
				if containerPort(c, p.TargetPort.StrVal, p.TargetPort.IntVal) != 0 {
					found = true
				}
			}
			if !found {
				t.Errorf("Service %s port %s: targetPort %s is not a port of %s", s.Name, p.Name, p.TargetPort.String(), matched[0].Name)
			}
		}
	}
}

func selects(sel, labels map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// Stateful infrastructure keeps its data on a PersistentVolumeClaim of the
// StatefulSet, mounted where the program writes.
func TestStatefulWorkloadsKeepDataOnClaims(t *testing.T) {
	t.Parallel()
	ws := workloads(t, renderDir(t, "manifests"))
	cases := []struct{ name, mountPath, size string }{
		{"redis-cache", "/data", "10Gi"},
		{"prometheus", "/prometheus", ""},
		{"tempo", "/var/tempo", ""},
		{"grafana", "/var/lib/grafana", ""},
	}
	for _, tc := range cases {
		w := ws[tc.name]
		if w.StatefulSet == nil {
			t.Errorf("%s must be a StatefulSet", tc.name)
			continue
		}
		vcts := w.StatefulSet.Spec.VolumeClaimTemplates
		if len(vcts) != 1 {
			t.Errorf("%s: %d volumeClaimTemplates, want 1", tc.name, len(vcts))
			continue
		}
		if tc.size != "" && vcts[0].Spec.Resources.Requests.Storage().Cmp(resource.MustParse(tc.size)) != 0 {
			t.Errorf("%s: claim size %s, want %s", tc.name, vcts[0].Spec.Resources.Requests.Storage(), tc.size)
		}
		mounted := false
		for _, m := range w.Template.Spec.Containers[0].VolumeMounts {
			if m.Name == vcts[0].Name && m.MountPath == tc.mountPath {
				mounted = true
			}
		}
		if !mounted {
			t.Errorf("%s: claim %s not mounted at %s", tc.name, vcts[0].Name, tc.mountPath)
		}
		if c := w.Template.Spec.Containers[0]; c.ReadinessProbe == nil || c.LivenessProbe == nil {
			t.Errorf("%s: readiness and liveness probes required", tc.name)
		}
		checkResources(t, w.Template.Spec.Containers[0], nil)
	}
}
