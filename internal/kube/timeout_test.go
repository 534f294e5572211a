package kube

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/emmdev/emmdev/internal/testenv"
)

func blackHoleTarget(t *testing.T, d time.Duration) Target {
	t.Helper()
	kc := testenv.Kubeconfig(t, "https://"+testenv.BlackHole(t))
	tg, err := Flags{Kubeconfig: kc, RequestTimeout: d}.Resolve(env(nil), DefaultNamespace)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// TestRequestTimeoutEndsCallsToAServerThatNeverAnswers: with either bound,
// a call to a server that accepts and never answers fails soon after the
// timeout instead of hanging.
func TestRequestTimeoutEndsCallsToAServerThatNeverAnswers(t *testing.T) {
	t.Parallel()
	tg := blackHoleTarget(t, 500*time.Millisecond)
	for name, cfg := range map[string]*rest.Config{"one-shot": tg.OneShot(), "live": tg.Live()} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cs, err := kubernetes.NewForConfig(cfg)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = cs.CoreV1().Pods("x").List(context.Background(), metav1.ListOptions{})
			took := time.Since(start)
			if err == nil {
				t.Fatal("list against a black hole succeeded")
			}
			// client-go may retry once on a timeout; 10x is still far from the
			// minutes it hung before.
			if took > 5*time.Second {
				t.Errorf("list took %s with a 500ms request timeout", took)
			}
		})
	}
}

// TestLiveBoundDoesNotCutAStreamingWatch: the live bound is on the start of
// the response only; a watch that streams for longer than the timeout must
// not be cut off (a whole-request timeout would be).
func TestLiveBoundDoesNotCutAStreamingWatch(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		for i := range 4 {
			_, _ = io.WriteString(w, strings.Repeat("x", i+1)+"\n")
			w.(http.Flusher).Flush()
			time.Sleep(200 * time.Millisecond)
		}
	}))
	t.Cleanup(srv.Close)
	read := func(cfg *rest.Config) (string, error) {
		rt, err := rest.TransportFor(cfg)
		if err != nil {
			return "", err
		}
		resp, err := (&http.Client{Transport: rt, Timeout: cfg.Timeout}).Get(srv.URL)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	base := &rest.Config{Host: srv.URL}
	body, err := read(BoundResponses(base, 300*time.Millisecond))
	if err != nil || strings.Count(body, "\n") != 4 {
		t.Errorf("live bound cut the stream: %q, %v", body, err)
	}
	if _, err := read(BoundRequests(base, 300*time.Millisecond)); err == nil {
		t.Error("the one-shot bound let an 800ms response through a 300ms timeout")
	}
}

func TestAddRequestTimeoutFlagDefault(t *testing.T) {
	t.Parallel()
	var f Flags
	fs := newFlagSet()
	f.AddFlags(fs, DefaultNamespace)
	if err := fs.Parse(nil); err != nil || f.RequestTimeout != 30*time.Second {
		t.Errorf("default %s, %v; want 30s", f.RequestTimeout, err)
	}
	if err := fs.Parse([]string{"--request-timeout", "5s"}); err != nil || f.RequestTimeout != 5*time.Second {
		t.Errorf("--request-timeout 5s gave %s, %v", f.RequestTimeout, err)
	}
}

func newFlagSet() *pflag.FlagSet { return pflag.NewFlagSet("test", pflag.ContinueOnError) }
