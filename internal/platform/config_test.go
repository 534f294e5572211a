package platform

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

// The Johnny.Decimal structure must be consistent, or the classifiers file
// items under ids that do not exist: areas N0-N9, categories inside their
// area, ids CC.II inside their category, every number unique.
func TestJDStructureIsConsistent(t *testing.T) {
	t.Parallel()
	cm := configMap(t, renderDir(t, "manifests"), "jd-structure")
	type entry struct{ ID, Name string }
	var jd struct {
		Areas []struct {
			ID, Name   string
			Categories []struct {
				ID, Name string
				IDs      []entry `json:"ids"`
			}
		}
	}
	if err := yaml.Unmarshal([]byte(cm.Data["jd.yaml"]), &jd); err != nil {
		t.Fatalf("jd.yaml: %v", err)
	}
	if len(jd.Areas) < 3 {
		t.Fatalf("jd.yaml has %d areas; a realistic structure has several", len(jd.Areas))
	}
	areaRe := regexp.MustCompile(`^(\d)0-(\d)9$`)
	seen := map[string]bool{}
	ids := 0
	for _, a := range jd.Areas {
		m := areaRe.FindStringSubmatch(a.ID)
		if m == nil || m[1] != m[2] || a.Name == "" {
			t.Errorf("area %q (%s): want id like 10-19 and a name", a.ID, a.Name)
			continue
		}
		for _, c := range a.Categories {
			if len(c.ID) != 2 || c.ID[:1] != m[1] || c.Name == "" {
				t.Errorf("category %q (%s) is not inside area %s", c.ID, c.Name, a.ID)
			}
			if seen[c.ID] {
				t.Errorf("category %s defined twice", c.ID)
			}
			seen[c.ID] = true
			for _, id := range c.IDs {
				ids++
				if !regexp.MustCompile(`^`+regexp.QuoteMeta(c.ID)+`\.\d\d$`).MatchString(id.ID) || id.Name == "" {
					t.Errorf("id %q (%s) is not inside category %s", id.ID, id.Name, c.ID)
				}
				if seen[id.ID] {
					t.Errorf("id %s defined twice", id.ID)
				}
				seen[id.ID] = true
			}
		}
	}
	if ids < 10 {
		t.Errorf("jd.yaml has %d ids; want a realistic structure", ids)
	}
	// jd-classifier reads it where the ConfigMap is mounted.
	w := workloads(t, renderDir(t, "manifests"))["jd-classifier"]
	c := w.Template.Spec.Containers[0]
	p := envMap(c)["JD_STRUCTURE_PATH"].Value
	if !mountsConfigMap(w.Template.Spec, c, "jd-structure", p, "jd.yaml") {
		t.Errorf("jd-classifier: JD_STRUCTURE_PATH %q is not the mounted jd-structure/jd.yaml", p)
	}
}

// mountedAt lists the paths where key of ConfigMap cm appears as a file in
// container c: its item path (or the key itself when no items are listed)
// below each mount of the volume, or the mount itself for a subPath mount.
func mountedAt(spec corev1.PodSpec, c corev1.Container, cm, key string) []string {
	var out []string
	for _, v := range spec.Volumes {
		if v.ConfigMap == nil || v.ConfigMap.Name != cm {
			continue
		}
		name := ""
		if len(v.ConfigMap.Items) == 0 {
			name = key
		}
		for _, it := range v.ConfigMap.Items {
			if it.Key == key {
				name = it.Path
			}
		}
		if name == "" {
			continue
		}
		for _, m := range c.VolumeMounts {
			switch {
			case m.Name != v.Name:
			case m.SubPath == "":
				out = append(out, path.Join(m.MountPath, name))
			case m.SubPath == name:
				out = append(out, m.MountPath)
			}
		}
	}
	return out
}

func mountsConfigMap(spec corev1.PodSpec, c corev1.Container, cm, file, key string) bool {
	return slices.Contains(mountedAt(spec, c, cm, key), file)
}

func TestRedisPersistsWithRDBAndAOF(t *testing.T) {
	t.Parallel()
	objs := renderDir(t, "manifests")
	conf := configMap(t, objs, "redis-config").Data["redis.conf"]
	for _, line := range []string{"save 300 1", "appendonly yes", "dir /data"} {
		if !slices.Contains(strings.Split(conf, "\n"), line) {
			t.Errorf("redis.conf lacks %q", line)
		}
	}
	w := workloads(t, objs)["redis-cache"]
	c := w.Template.Spec.Containers[0]
	if len(c.Command) < 2 || !mountsConfigMap(w.Template.Spec, c, "redis-config", c.Command[len(c.Command)-1], "redis.conf") {
		t.Errorf("redis-server is not started with the mounted redis.conf: command %v", c.Command)
	}
	svc := services(t, objs)["redis-service"]
	if svc.Spec.ClusterIP != corev1.ClusterIPNone {
		t.Errorf("redis-service must be headless (clusterIP: None)")
	}
	if w.StatefulSet.Spec.ServiceName != "redis-service" {
		t.Errorf("redis-cache serviceName %q, want redis-service", w.StatefulSet.Spec.ServiceName)
	}
}

// confluence reads exactly the keys the SealedSecret carries (the names
// `emmdev seal` is given), and the SealedSecret unseals into the Secret the
// Deployment names: a mismatch leaves the pod in CreateContainerConfigError.
func TestConfluenceCredentialsMatchSealedSecret(t *testing.T) {
	t.Parallel()
	objs := renderDir(t, "manifests")
	o, ok := find(objs, "SealedSecret/agentic-ai/confluence-credentials")
	if !ok {
		t.Fatal("SealedSecret confluence-credentials not rendered")
	}
	var ss struct {
		APIVersion string `json:"apiVersion"`
		Spec       struct {
			EncryptedData map[string]string `json:"encryptedData"`
			Template      struct {
				Metadata struct{ Name, Namespace string } `json:"metadata"`
			} `json:"template"`
		} `json:"spec"`
	}
	raw, _ := json.Marshal(o)
	if err := json.Unmarshal(raw, &ss); err != nil {
		t.Fatal(err)
	}
	if ss.APIVersion != "bitnami.com/v1alpha1" {
		t.Errorf("apiVersion %s", ss.APIVersion)
	}
	if md := ss.Spec.Template.Metadata; (md.Name != "" && md.Name != "confluence-credentials") || (md.Namespace != "" && md.Namespace != "agentic-ai") {
		t.Errorf("template metadata %+v does not unseal into agentic-ai/confluence-credentials", md)
	}
	var sealed []string
	for k := range ss.Spec.EncryptedData {
		sealed = append(sealed, k)
	}
	want := []string{"CONFLUENCE_API_TOKEN", "CONFLUENCE_URL", "CONFLUENCE_USERNAME"}
	var refs []string
	for _, e := range workloads(t, objs)["confluence"].Template.Spec.Containers[0].Env {
		if r := e.ValueFrom; r != nil && r.SecretKeyRef != nil {
			if r.SecretKeyRef.Name != "confluence-credentials" {
				t.Errorf("env %s reads Secret %s", e.Name, r.SecretKeyRef.Name)
			}
			refs = append(refs, r.SecretKeyRef.Key)
		}
	}
	slices.Sort(sealed)
	slices.Sort(refs)
	if !slices.Equal(sealed, want) || !slices.Equal(refs, want) {
		t.Errorf("sealed keys %v, referenced keys %v, want both %v", sealed, refs, want)
	}
}

func TestPrometheusScrapesAnnotatedPodsAndAlerts(t *testing.T) {
	t.Parallel()
	objs := renderDir(t, "manifests")
	cm := configMap(t, objs, "prometheus-config")
	var cfg struct {
		RuleFiles     []string `json:"rule_files"`
		ScrapeConfigs []struct {
			JobName string           `json:"job_name"`
			SD      []map[string]any `json:"kubernetes_sd_configs"`
			Relabel []map[string]any `json:"relabel_configs"`
		} `json:"scrape_configs"`
	}
	if err := yaml.Unmarshal([]byte(cm.Data["prometheus.yml"]), &cfg); err != nil {
		t.Fatalf("prometheus.yml: %v", err)
	}
	var keep, port, pathRule bool
	for _, sc := range cfg.ScrapeConfigs {
		if sc.JobName != "kubernetes-pods" {
			continue
		}
		if len(sc.SD) != 1 || sc.SD[0]["role"] != "pod" {
			t.Errorf("kubernetes-pods: want kubernetes_sd_configs role pod, got %v", sc.SD)
		}
		for _, r := range sc.Relabel {
			src := fmt.Sprint(r["source_labels"])
			switch {
			case strings.Contains(src, "annotation_prometheus_io_scrape") && r["action"] == "keep" && r["regex"] == "true":
				keep = true
			case strings.Contains(src, "annotation_prometheus_io_port") && r["target_label"] == "__address__":
				port = true
			case strings.Contains(src, "annotation_prometheus_io_path") && r["target_label"] == "__metrics_path__":
				pathRule = true
			}
		}
	}
	if !keep || !port || !pathRule {
		t.Errorf("kubernetes-pods job: keep on prometheus.io/scrape=%v, port=%v, path=%v", keep, port, pathRule)
	}

	// The rule files must be where Prometheus looks for them.
	w := workloads(t, objs)["prometheus"]
	c := w.Template.Spec.Containers[0]
	loaded := false
	for _, glob := range cfg.RuleFiles {
		for _, p := range mountedAt(w.Template.Spec, c, "prometheus-config", "alerts.yml") {
			if ok, _ := path.Match(glob, p); ok {
				loaded = true
			}
		}
	}
	if !loaded {
		t.Errorf("alerts.yml is not mounted where rule_files %v point", cfg.RuleFiles)
	}
	cfgMounted := false
	for _, a := range c.Args {
		if f, ok := strings.CutPrefix(a, "--config.file="); ok && mountsConfigMap(w.Template.Spec, c, "prometheus-config", f, "prometheus.yml") {
			cfgMounted = true
		}
	}
	if !cfgMounted {
		t.Errorf("--config.file does not point at the mounted prometheus.yml: %v", c.Args)
	}

	var rules struct {
		Groups []struct {
			Rules []struct{ Alert, Expr string } `json:"rules"`
		} `json:"groups"`
	}
	if err := yaml.Unmarshal([]byte(cm.Data["alerts.yml"]), &rules); err != nil {
		t.Fatalf("alerts.yml: %v", err)
	}
	thresholds := map[string]bool{}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			expr := strings.Join(strings.Fields(r.Expr), " ")
			switch {
			case strings.Contains(expr, `status=~"5.."`) && strings.HasSuffix(expr, "> 0.05"):
				thresholds["error rate > 5%"] = true
			case strings.Contains(expr, "histogram_quantile(0.95") && strings.HasSuffix(expr, "> 2"):
				thresholds["p95 > 2s"] = true
			}
		}
	}
	for _, want := range []string{"error rate > 5%", "p95 > 2s"} {
		if !thresholds[want] {
			t.Errorf("no alert rule for %s", want)
		}
	}
}

// Prometheus discovers pods through the API: its ServiceAccount must be
// bound to a role that can list and watch them.
func TestPrometheusCanDiscoverPods(t *testing.T) {
	t.Parallel()
	objs := renderDir(t, "manifests")
	sa := workloads(t, objs)["prometheus"].Template.Spec.ServiceAccountName
	var role rbacv1.ClusterRole
	var binding rbacv1.ClusterRoleBinding
	ro, ok1 := find(objs, "ClusterRole//emm-prometheus")
	bo, ok2 := find(objs, "ClusterRoleBinding//emm-prometheus")
	if !ok1 || !ok2 {
		t.Fatal("ClusterRole/ClusterRoleBinding emm-prometheus missing")
	}
	decodeStrict(t, ro, &role)
	decodeStrict(t, bo, &binding)
	if binding.RoleRef.Kind != "ClusterRole" || binding.RoleRef.Name != role.Name {
		t.Errorf("binding refers to %s %s", binding.RoleRef.Kind, binding.RoleRef.Name)
	}
	if !slices.ContainsFunc(binding.Subjects, func(s rbacv1.Subject) bool {
		return s.Kind == "ServiceAccount" && s.Name == sa && s.Namespace == "agentic-ai"
	}) {
		t.Errorf("binding subjects %v do not include the pod's ServiceAccount %q", binding.Subjects, sa)
	}
	for _, verb := range []string{"list", "watch"} {
		if !slices.ContainsFunc(role.Rules, func(r rbacv1.PolicyRule) bool {
			return slices.Contains(r.APIGroups, "") && slices.Contains(r.Resources, "pods") && slices.Contains(r.Verbs, verb)
		}) {
			t.Errorf("ClusterRole cannot %s pods", verb)
		}
	}
}

func TestGrafanaIsProvisioned(t *testing.T) {
	t.Parallel()
	objs := renderDir(t, "manifests")
	svcs := services(t, objs)
	w := workloads(t, objs)["grafana"]
	c := w.Template.Spec.Containers[0]

	var ds struct {
		Datasources []struct{ Name, Type, URL, UID string } `json:"datasources"`
	}
	if err := yaml.Unmarshal([]byte(configMap(t, objs, "grafana-datasources").Data["datasources.yaml"]), &ds); err != nil {
		t.Fatal(err)
	}
	types := map[string]bool{}
	for _, d := range ds.Datasources {
		types[d.Type] = true
		// The URL must reach a Service of the platform on a port it exposes.
		m := regexp.MustCompile(`^http://([a-z0-9-]+):(\d+)$`).FindStringSubmatch(d.URL)
		if m == nil {
			t.Errorf("datasource %s: URL %q is not http://<service>:<port>", d.Name, d.URL)
			continue
		}
		port, _ := strconv.Atoi(m[2])
		s, ok := svcs[m[1]]
		if !ok || !slices.ContainsFunc(s.Spec.Ports, func(p corev1.ServicePort) bool { return int(p.Port) == port }) {
			t.Errorf("datasource %s: %s is not a Service port of manifests/", d.Name, d.URL)
		}
	}
	if !types["prometheus"] || !types["tempo"] {
		t.Errorf("datasources %v: want prometheus and tempo", types)
	}
	if !mountsConfigMap(w.Template.Spec, c, "grafana-datasources", "/etc/grafana/provisioning/datasources/datasources.yaml", "datasources.yaml") ||
		!mountsConfigMap(w.Template.Spec, c, "grafana-dashboard-provider", "/etc/grafana/provisioning/dashboards/dashboards.yaml", "dashboards.yaml") {
		t.Error("grafana: provisioning ConfigMaps not mounted under /etc/grafana/provisioning")
	}

	var prov struct {
		Providers []struct {
			Options struct{ Path string } `json:"options"`
		} `json:"providers"`
	}
	if err := yaml.Unmarshal([]byte(configMap(t, objs, "grafana-dashboard-provider").Data["dashboards.yaml"]), &prov); err != nil || len(prov.Providers) != 1 {
		t.Fatalf("dashboards.yaml: %v (%d providers)", err, len(prov.Providers))
	}
	dashboards := configMap(t, objs, "grafana-dashboards")
	for file, body := range dashboards.Data {
		if !mountsConfigMap(w.Template.Spec, c, "grafana-dashboards", path.Join(prov.Providers[0].Options.Path, file), file) {
			t.Errorf("dashboard %s is not in the provider's path %s", file, prov.Providers[0].Options.Path)
		}
		var dash struct {
			Panels []struct {
				Title   string
				Targets []struct{ Expr string }
			}
		}
		if err := json.Unmarshal([]byte(body), &dash); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		var exprs []string
		for _, p := range dash.Panels {
			for _, tg := range p.Targets {
				exprs = append(exprs, tg.Expr)
			}
		}
		all := strings.Join(exprs, "\n")
		for what, needle := range map[string]string{
			"request rate": "rate(http_requests_total{",
			"error rate":   `status=~"5.."`,
			"P50":          "histogram_quantile(0.5,",
			"P95":          "histogram_quantile(0.95,",
			"P99":          "histogram_quantile(0.99,",
			"memory":       "memory",
			"pod restarts": "changes(process_start_time_seconds",
		} {
			if !strings.Contains(all, needle) {
				t.Errorf("%s: no panel query for %s (%s)", file, what, needle)
			}
		}
	}
	if len(dashboards.Data) == 0 {
		t.Error("no dashboard")
	}
}
