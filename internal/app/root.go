package app

import (
	"github.com/spf13/cobra"

	"github.com/emmdev/emmdev/internal/cmd/down"
	"github.com/emmdev/emmdev/internal/cmd/limits"
	"github.com/emmdev/emmdev/internal/cmd/lint"
	"github.com/emmdev/emmdev/internal/cmd/policies"
	"github.com/emmdev/emmdev/internal/cmd/seal"
	"github.com/emmdev/emmdev/internal/cmd/status"
	"github.com/emmdev/emmdev/internal/cmd/up"
	"github.com/emmdev/emmdev/internal/cmdutil"
)

// NewRootCmd builds the whole command tree. Every subcommand is added here,
// explicitly, so the tree is visible in one place.
func NewRootCmd(f *cmdutil.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "emmdev",
		Short: "Local dev loop and pre-merge checks for the EMM platform on Kubernetes",
		Long: `emmdev replaces the glue between kind, kubeconform, kube-linter, kubeseal
and k9s for the EMM agent platform (namespace agentic-ai):

  emmdev lint manifests/     what the API server will say + policy checks, offline, file:line:col
  emmdev policies export     the CEL rules as ValidatingAdmissionPolicies
  emmdev seal                seal Secrets and .env files into SealedSecrets
  emmdev up / emmdev down    a kind cluster with the platform, ready, data kept
  emmdev status              live pods, readiness and the cause of each restart
  emmdev limits              limits from observed peaks (+20%), written back

Exit codes: 0 ok, 1 findings (lint problems, pods not ready), 2 usage or tool
failure, 130 interrupted.`,
		SilenceErrors: true, // Main prints the error once
		SilenceUsage:  true,
		Version:       f.Version,
	}
	root.SetVersionTemplate("emmdev {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &cmdutil.UsageError{Err: err}
	})
	root.AddCommand(
		lint.NewCmd(f, nil),
		policies.NewCmd(f, nil),
		seal.NewCmd(f, nil),
		status.NewCmd(f, nil),
		up.NewCmd(f, nil),
		down.NewCmd(f, nil),
		limits.NewCmd(f, nil),
		newVersionCmd(f),
	)
	return root
}
