package limits

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
)

// QueryFunc runs an instant PromQL query and returns the raw JSON answer of
// Prometheus' /api/v1/query.
type QueryFunc func(ctx context.Context, query string) ([]byte, error)

// HTTPQuery queries a Prometheus at base (e.g. http://localhost:9090).
func HTTPQuery(client *http.Client, base string) QueryFunc {
	return func(ctx context.Context, query string) ([]byte, error) {
		u := strings.TrimRight(base, "/") + "/api/v1/query?" + url.Values{"query": {query}}.Encode()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK && !json.Valid(body) {
			return nil, fmt.Errorf("GET %s: %s", base, resp.Status)
		}
		return body, nil
	}
}

// ServiceProxyQuery queries the Prometheus behind a Service through the API
// server's service proxy, so no port-forward is needed: the same path
// `kubectl get --raw /api/v1/namespaces/NS/services/NAME:PORT/proxy/...`.
func ServiceProxyQuery(client kubernetes.Interface, ns, name, port string) QueryFunc {
	return func(ctx context.Context, query string) ([]byte, error) {
		body, err := client.CoreV1().Services(ns).ProxyGet("http", name, port, "api/v1/query",
			map[string]string{"query": query}).DoRaw(ctx)
		if err != nil && !json.Valid(body) {
			return nil, err
		}
		return body, nil
	}
}

// Prometheus takes peaks from the platform's Prometheus: the highest
// container_memory_working_set_bytes and the highest CPU rate over Window,
// as the kubelet's cAdvisor metrics report them.
type Prometheus struct {
	Query QueryFunc
	// Where is shown in the report ("service agentic-ai/prometheus:9090").
	Where      string
	Window     time.Duration // how far back (--window)
	RateWindow time.Duration // the CPU rate is over this much (default 1m)
	Step       time.Duration // resolution of the CPU subquery (default 30s)
	Timeout    time.Duration // per query
}

// Source implements Evidence.
func (p Prometheus) Source() string {
	return fmt.Sprintf("Prometheus (%s), last %s", p.Where, FormatWindow(p.Window))
}

// Reachable asks Prometheus a trivial query, within the deadline.
func (p Prometheus) Reachable(ctx context.Context) error {
	_, err := p.vector(ctx, "vector(1)")
	return err
}

// Peaks implements Evidence: three queries per workload (memory peak, CPU
// peak, number of memory samples), each with its own deadline.
func (p Prometheus) Peaks(ctx context.Context, targets []Target) (map[ContainerKey]Peak, error) {
	peaks := map[ContainerKey]Peak{}
	rate, step := p.RateWindow, p.Step
	if rate <= 0 {
		rate = time.Minute
	}
	if step <= 0 {
		step = 30 * time.Second
	}
	for _, t := range targets {
		sel := fmt.Sprintf(`namespace=%q,pod=~%q,container=~%q`, t.Namespace, t.podNamePattern(), t.containerPattern())
		win := promDuration(p.Window)
		queries := []struct {
			q   string
			set func(*Peak, float64)
		}{
			{fmt.Sprintf(`max by (container) (max_over_time(container_memory_working_set_bytes{%s}[%s]))`, sel, win),
				func(pk *Peak, v float64) { pk.MemBytes = int64(math.Ceil(v)) }},
			{fmt.Sprintf(`max by (container) (max_over_time(rate(container_cpu_usage_seconds_total{%s}[%s])[%s:%s]))`,
				sel, promDuration(rate), win, promDuration(step)),
				func(pk *Peak, v float64) { pk.CPUMilli = int64(math.Ceil(v * 1000)) }},
			{fmt.Sprintf(`sum by (container) (count_over_time(container_memory_working_set_bytes{%s}[%s]))`, sel, win),
				func(pk *Peak, v float64) { pk.Samples = int(v) }},
		}
		for _, q := range queries {
			res, err := p.vector(ctx, q.q)
			if err != nil {
				return nil, err
			}
			for container, v := range res {
				k := ContainerKey{t.Namespace, t.Kind, t.Name, container}
				pk := peaks[k]
				q.set(&pk, v)
				peaks[k] = pk
			}
		}
	}
	return peaks, nil
}

// promResponse is the envelope of /api/v1/query.
type promResponse struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	Data      struct {
		ResultType string `json:"resultType"`
		Result     []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		} `json:"result"`
	} `json:"data"`
}

// vector runs q and returns its samples by container label.
func (p Prometheus) vector(ctx context.Context, q string) (map[string]float64, error) {
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	callCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, err := p.Query(callCtx, q)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("prometheus (%s) did not answer within %s", p.Where, timeout)
		}
		return nil, fmt.Errorf("prometheus (%s): %w", p.Where, err)
	}
	var r promResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("prometheus (%s): not a Prometheus answer: %w", p.Where, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("prometheus (%s): %s: %s", p.Where, r.ErrorType, r.Error)
	}
	if r.Data.ResultType != "vector" {
		if r.Data.ResultType == "scalar" {
			return map[string]float64{}, nil
		}
		return nil, fmt.Errorf("prometheus (%s): want a vector, got %s", p.Where, r.Data.ResultType)
	}
	out := make(map[string]float64, len(r.Data.Result))
	for _, s := range r.Data.Result {
		str, ok := s.Value[1].(string)
		if !ok {
			return nil, fmt.Errorf("prometheus (%s): sample value %v is not a string", p.Where, s.Value[1])
		}
		v, err := strconv.ParseFloat(str, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		out[s.Metric["container"]] = v
	}
	return out, nil
}

// promDuration writes d in whole seconds, which every PromQL version reads.
func promDuration(d time.Duration) string {
	return strconv.FormatInt(max(int64(d/time.Second), 1), 10) + "s"
}

// ParseWindow reads a duration like Prometheus does: "7d", "12h", "90m",
// "1w", or Go's "1h30m".
func ParseWindow(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New("empty duration")
	}
	unit := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}
	if u, ok := unit[s[len(s)-1]]; ok {
		n, err := strconv.Atoi(s[:len(s)-1])
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("duration %q: want e.g. 7d, 12h or 30m", s)
		}
		return time.Duration(n) * u, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("duration %q: want e.g. 7d, 12h or 30m", s)
	}
	return d, nil
}

// FormatWindow writes d back as ParseWindow reads it ("7d", "2h0m0s").
func FormatWindow(d time.Duration) string {
	day := 24 * time.Hour
	if d >= day && d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	return d.String()
}
