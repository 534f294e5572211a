package limits

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
)

// recorded answers /api/v1/query with the responses recorded from a real
// Prometheus v3.16 (the integration test of emmdev limits writes them with
// -record), chosen by what the query asks, and remembers the queries.
func recorded(t *testing.T) (*httptest.Server, *[]string) {
	t.Helper()
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("query")
		queries = append(queries, q)
		var file string
		switch {
		case r.URL.Path != "/api/v1/query":
			http.NotFound(w, r)
			return
		case strings.HasPrefix(q, "vector("):
			file = "vector.json"
		case strings.Contains(q, "count_over_time"):
			file = "samples.json"
		case strings.Contains(q, "rate("):
			file = "cpu.json"
		default:
			file = "memory.json"
		}
		data, err := os.ReadFile(filepath.Join("testdata", "prometheus", file))
		if err != nil {
			t.Error(err)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv, &queries
}

func TestPrometheusRecordedAnswers(t *testing.T) {
	t.Parallel()
	srv, queries := recorded(t)
	p := Prometheus{Query: HTTPQuery(srv.Client(), srv.URL), Where: srv.URL, Window: 2 * time.Minute, Timeout: time.Second}
	if err := p.Reachable(context.Background()); err != nil {
		t.Fatal(err)
	}
	target := Target{Namespace: "agentic-ai", Kind: "Deployment", Name: "content-classifier",
		Containers: []string{"content-classifier"}}
	peaks, err := p.Peaks(context.Background(), []Target{target})
	if err != nil {
		t.Fatal(err)
	}
	got := peaks[ContainerKey{"agentic-ai", "Deployment", "content-classifier", "content-classifier"}]
	mem := resource.MustParse("3.2Gi")
	if got.MemBytes != mem.Value() || got.CPUMilli < 1500 || got.CPUMilli > 1510 || got.Samples < 30 {
		t.Errorf("peak = %+v, want 3.2Gi, 1.5 cores, the samples of two minutes at 1s", got)
	}
	if FormatMemory(MemoryLimit(got.MemBytes, DefaultHeadroom())) != "4Gi" || FormatCPU(CPULimit(got.CPUMilli, DefaultHeadroom())) != "2" {
		t.Error("the recorded peaks must give the seed's 4Gi and 2")
	}
	want := []string{
		`vector(1)`,
		`max by (container) (max_over_time(container_memory_working_set_bytes{namespace="agentic-ai",pod=~"content-classifier-[a-z0-9]+-[a-z0-9]+",container=~"content-classifier"}[120s]))`,
		`max by (container) (max_over_time(rate(container_cpu_usage_seconds_total{namespace="agentic-ai",pod=~"content-classifier-[a-z0-9]+-[a-z0-9]+",container=~"content-classifier"}[60s])[120s:30s]))`,
		`sum by (container) (count_over_time(container_memory_working_set_bytes{namespace="agentic-ai",pod=~"content-classifier-[a-z0-9]+-[a-z0-9]+",container=~"content-classifier"}[120s]))`,
	}
	if strings.Join(*queries, "\n") != strings.Join(want, "\n") {
		t.Errorf("queries:\n%s\nwant:\n%s", strings.Join(*queries, "\n"), strings.Join(want, "\n"))
	}
}

func TestPrometheusErrorsAreClear(t *testing.T) {
	t.Parallel()
	answer := func(status int, body string) QueryFunc {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}))
		t.Cleanup(srv.Close)
		return HTTPQuery(srv.Client(), srv.URL)
	}
	hang := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hang.Close)
	cases := map[string]QueryFunc{
		"bad_data: parse error":       answer(http.StatusBadRequest, `{"status":"error","errorType":"bad_data","error":"parse error"}`),
		"not a Prometheus answer":     answer(http.StatusOK, `<html>login</html>`),
		"502 Bad Gateway":             answer(http.StatusBadGateway, `upstream down`),
		"did not answer within 100ms": HTTPQuery(hang.Client(), hang.URL),
		"want a vector, got matrix":   answer(http.StatusOK, `{"status":"success","data":{"resultType":"matrix","result":[]}}`),
	}
	for want, q := range cases {
		p := Prometheus{Query: q, Where: "test", Timeout: 100 * time.Millisecond}
		if err := p.Reachable(context.Background()); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
}

func TestParseWindow(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "1w": 7 * 24 * time.Hour, "24h": 24 * time.Hour, "90m": 90 * time.Minute, "1h30m": 90 * time.Minute} {
		if got, err := ParseWindow(in); err != nil || got != want {
			t.Errorf("%s = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "7", "d", "-1d", "0d", "7x", "1.5d"} {
		if _, err := ParseWindow(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if FormatWindow(7*24*time.Hour) != "7d" || FormatWindow(90*time.Minute) != "1h30m0s" {
		t.Error("FormatWindow")
	}
}
