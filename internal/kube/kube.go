// Package kube resolves which cluster, context and namespace a command talks
// to, with kubectl's flags (--kubeconfig, --context, -n, -A) and KUBECONFIG,
// read through an injected environment so tests never see the real one.
package kube

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// DefaultNamespace is the EMM platform's namespace, used when -n is not given.
const DefaultNamespace = "agentic-ai"

// Flags are the kubectl-style connection flags.
type Flags struct {
	Kubeconfig    string
	Context       string
	Namespace     string
	AllNamespaces bool
	// RequestTimeout bounds each API call (--request-timeout; 0 = never).
	RequestTimeout time.Duration
}

// AddFlags registers the flags on fs. defaultNS is shown in -n's help.
func (f *Flags) AddFlags(fs *pflag.FlagSet, defaultNS string) {
	fs.StringVar(&f.Kubeconfig, "kubeconfig", "", "path to the kubeconfig file (default $KUBECONFIG or ~/.kube/config)")
	fs.StringVar(&f.Context, "context", "", "kubeconfig context to use (default the current context)")
	fs.StringVarP(&f.Namespace, "namespace", "n", "", fmt.Sprintf("namespace (default %q)", defaultNS))
	fs.BoolVarP(&f.AllNamespaces, "all-namespaces", "A", false, "all namespaces")
	AddRequestTimeoutFlag(fs, &f.RequestTimeout)
}

// Target is a resolved connection.
type Target struct {
	// Config is the connection as the kubeconfig gives it, unbounded: use
	// OneShot or Live, which apply the request timeout.
	Config  *rest.Config
	Context string // name of the kubeconfig context in use
	// Namespace is the namespace to show; "" means all namespaces.
	Namespace      string
	RequestTimeout time.Duration
}

// OneShot is Config with every request bounded by the request timeout.
func (t Target) OneShot() *rest.Config { return BoundRequests(t.Config, t.RequestTimeout) }

// Live is Config for long-lived watches: only the wait for each response
// to begin is bounded.
func (t Target) Live() *rest.Config { return BoundResponses(t.Config, t.RequestTimeout) }

// NamespaceLabel is the namespace for display ("all namespaces" for -A).
func (t Target) NamespaceLabel() string {
	if t.Namespace == "" {
		return "all namespaces"
	}
	return t.Namespace
}

// ErrNoKubeconfig means no kubeconfig was found anywhere.
var ErrNoKubeconfig = errors.New("no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or create a cluster with `emmdev up`")

// Resolve loads the kubeconfig like kubectl does: --kubeconfig, else the
// KUBECONFIG list, else $HOME/.kube/config. getenv is the injected
// environment; it is the only kubeconfig loader in emmdev, so status, seal
// and up always pick the same cluster. defaultNS is used when neither -n
// nor -A is given; "" means the context's namespace, as kubectl does.
func (f Flags) Resolve(getenv func(string) string, defaultNS string) (Target, error) {
	if f.AllNamespaces && f.Namespace != "" {
		return Target{}, errors.New("--namespace and --all-namespaces cannot be used together")
	}
	rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: f.Kubeconfig}
	if env := getenv("KUBECONFIG"); env != "" {
		rules.Precedence = filepath.SplitList(env)
	} else if home := getenv("HOME"); home != "" {
		rules.Precedence = []string{filepath.Join(home, ".kube", "config")}
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
		&clientcmd.ConfigOverrides{CurrentContext: f.Context})
	raw, err := cc.RawConfig()
	if err != nil {
		return Target{}, fmt.Errorf("load kubeconfig: %w", err)
	}
	ctxName := f.Context
	if ctxName == "" {
		ctxName = raw.CurrentContext
	}
	if len(raw.Contexts) == 0 {
		return Target{}, ErrNoKubeconfig
	}
	if _, ok := raw.Contexts[ctxName]; !ok {
		return Target{}, fmt.Errorf("context %q not found in kubeconfig (have: %s)", ctxName, contextNames(raw))
	}
	cfg, err := cc.ClientConfig()
	if err != nil {
		return Target{}, fmt.Errorf("kubeconfig context %q: %w", ctxName, err)
	}
	ns := defaultNS
	switch {
	case f.AllNamespaces:
		ns = ""
	case f.Namespace != "":
		ns = f.Namespace
	case ns == "":
		// No project default: fall back to the context's namespace, as kubectl does.
		if ns, _, err = cc.Namespace(); err != nil {
			return Target{}, fmt.Errorf("kubeconfig namespace: %w", err)
		}
	}
	return Target{Config: cfg, Context: ctxName, Namespace: ns, RequestTimeout: f.RequestTimeout}, nil
}

func contextNames(c clientcmdapi.Config) string {
	names := slices.Sorted(maps.Keys(c.Contexts))
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
