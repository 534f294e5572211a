package kube

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestResolve(t *testing.T) {
	t.Parallel()
	main, err := filepath.Abs("testdata/kubeconfig")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := filepath.Abs("testdata/other-kubeconfig")
	tests := []struct {
		name       string
		flags      Flags
		env        map[string]string
		defaultNS  string
		wantCtx    string
		wantServer string
		wantNS     string
		wantErr    string
	}{
		{name: "current context and project namespace", flags: Flags{Kubeconfig: main}, defaultNS: DefaultNamespace,
			wantCtx: "kind-emm", wantServer: "https://127.0.0.1:6443", wantNS: "agentic-ai"},
		{name: "--context", flags: Flags{Kubeconfig: main, Context: "staging"}, defaultNS: DefaultNamespace,
			wantCtx: "staging", wantServer: "https://staging.example:6443", wantNS: "agentic-ai"},
		{name: "-n wins", flags: Flags{Kubeconfig: main, Namespace: "other"}, defaultNS: DefaultNamespace,
			wantCtx: "kind-emm", wantServer: "https://127.0.0.1:6443", wantNS: "other"},
		{name: "-A means all", flags: Flags{Kubeconfig: main, AllNamespaces: true}, defaultNS: DefaultNamespace,
			wantCtx: "kind-emm", wantServer: "https://127.0.0.1:6443", wantNS: ""},
		{name: "no project default uses the context namespace", flags: Flags{Kubeconfig: main, Context: "staging"},
			wantCtx: "staging", wantServer: "https://staging.example:6443", wantNS: "team-a"},
		{name: "KUBECONFIG list is merged", env: map[string]string{"KUBECONFIG": other + string(filepath.ListSeparator) + main},
			flags: Flags{Context: "kind-emm"}, defaultNS: DefaultNamespace,
			wantCtx: "kind-emm", wantServer: "https://127.0.0.1:6443", wantNS: "agentic-ai"},
		{name: "HOME/.kube/config without KUBECONFIG", env: map[string]string{"HOME": "testdata/home"},
			defaultNS: DefaultNamespace, wantCtx: "other", wantServer: "https://other.example:6443", wantNS: "agentic-ai"},
		{name: "unknown context lists the known ones", flags: Flags{Kubeconfig: main, Context: "prod"},
			wantErr: `context "prod" not found in kubeconfig (have: kind-emm, staging)`},
		{name: "missing explicit file", flags: Flags{Kubeconfig: "testdata/nope"}, wantErr: "testdata/nope"},
		{name: "-A with -n", flags: Flags{Kubeconfig: main, AllNamespaces: true, Namespace: "x"}, wantErr: "cannot be used together"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.flags.Resolve(env(tc.env), tc.defaultNS)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Context != tc.wantCtx || got.Config.Host != tc.wantServer || got.Namespace != tc.wantNS {
				t.Errorf("got context %q server %q ns %q; want %q %q %q",
					got.Context, got.Config.Host, got.Namespace, tc.wantCtx, tc.wantServer, tc.wantNS)
			}
		})
	}
}

func TestResolveWithNothingIsErrNoKubeconfig(t *testing.T) {
	t.Parallel()
	_, err := Flags{}.Resolve(env(nil), DefaultNamespace)
	if !errors.Is(err, ErrNoKubeconfig) {
		t.Errorf("err = %v, want ErrNoKubeconfig", err)
	}
}
