package down_test

import (
	"io"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/cmd/down"
	"github.com/emmdev/emmdev/internal/cmdutil"
)

func TestFlagsParseIntoOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    down.Options
		wantErr string
	}{
		{name: "defaults", want: down.Options{}},
		{name: "registry and folders", args: []string{"--registry", "--vault-dir", "/v", "--kubeconfig", "/k", "-q"},
			want: down.Options{Registry: true, VaultDir: "/v", Kubeconfig: "/k", Quiet: true}},
		{name: "verbose and quiet", args: []string{"-v", "-q"}, wantErr: "cannot be combined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			streams, _, _, _ := cmdutil.TestStreams()
			var got *down.Options
			cmd := down.NewCmd(&cmdutil.Factory{Streams: streams}, func(o *down.Options) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || got != nil {
					t.Fatalf("err = %v, Run called: %v", err, got != nil)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Registry != tt.want.Registry || got.VaultDir != tt.want.VaultDir || got.Kubeconfig != tt.want.Kubeconfig || got.Quiet != tt.want.Quiet {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
