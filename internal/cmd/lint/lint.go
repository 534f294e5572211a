// Package lint wires the `emmdev lint` subcommand: flags into Options, then
// Run, which drives internal/lint and writes the chosen report format.
package lint

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/lint/report"
	"github.com/emmdev/emmdev/internal/schema"
)

// Options holds everything `emmdev lint` needs; flags are parsed into it and
// Run acts on it, so both can be tested apart.
type Options struct {
	IO      cmdutil.IOStreams
	Ctx     context.Context
	Version string
	WorkDir func() (string, error)
	Git     Git

	Paths  []string
	Format string
	FailOn string
	// PolicyFiles: a lint policy replaces policies/default.yaml, a
	// CELPolicy file adds custom rules (see internal/policyload).
	PolicyFiles          []string
	KindConfig           string
	SkipKinds            []string
	IgnoreMissingSchemas bool
	KubernetesVersion    string
	// SchemaEngine is "emmdev" (embedded, default) or "kubeconform"
	// (kubeconform's pkg/validator on the same schemas, exported to a cache).
	SchemaEngine string
	// Exclude holds --exclude patterns (loader.CompileExclude syntax), added
	// to the policy's exclude list.
	Exclude []string
	// Kustomize holds -k directories rendered in-process and linted with
	// every finding located in the base or patch file it came from.
	Kustomize   []string
	ListRules   bool
	Staged      bool
	InstallHook bool
	Force       bool
}

// NewCmd builds the command. runF replaces Run in tests (nil for the real one).
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.Streams, Version: f.Version, WorkDir: f.WorkDir, Git: ExecGit{}}
	cmd := &cobra.Command{
		Use:   "lint [flags] PATH... | -",
		Short: "Validate manifests offline as the API server would, plus the EMM policies, with file:line:col",
		Long: `Validate Kubernetes manifests offline with what the API server runs on a
create (Kubernetes 1.37's own decoding and validation, CRDs and their CEL
rules, kubectl's YAML reading) plus the EMM policy rules and the custom CEL
rules of policies/. PATH is a file, a directory (searched recursively for
.yaml, .yml and .json) or - for stdin. Every finding names the file, line and
column of the offending field.

Suppress a rule on one object with an annotation that gives the reason:
  metadata.annotations: {emmdev.dev/ignore-<rule>: "why this is fine"}

Files that cannot be parsed are findings of rule parse (always an error) and
the rest is still linted. Well-known files that are not manifests
(kustomization files, Helm charts and values, CI workflows, pre-commit and
kind configs, ...) are skipped with a note on stderr; --exclude removes more.

Exit codes: 0 clean, 1 findings at or above --fail-on (a parse finding is an
error), 2 usage error, tool failure, or nothing to lint (no objects found).`,
		Example: `  emmdev lint manifests/
  emmdev lint --format sarif manifests/ > lint.sarif
  emmdev lint -k deploy/overlays/production   # render in-process, findings in base/patch files
  emmdev lint --exclude 'charts/**' --exclude testdata .
  emmdev lint --staged manifests/          # what a pre-commit hook runs
  emmdev lint --install-hook manifests/
  emmdev lint --list-rules`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			opts.Ctx = cmd.Context()
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Format, "format", "o", "text", "output format: "+strings.Join(report.Formats(), ", "))
	fl.StringVar(&opts.FailOn, "fail-on", "error", "exit 1 when a finding is at or above this severity: error, warning, info")
	fl.StringArrayVar(&opts.PolicyFiles, "policy", nil, "lint policy (replaces policies/default.yaml) or CELPolicy file (adds custom rules); repeatable")
	fl.StringVar(&opts.KindConfig, "kind-config", "", "kind cluster config for the hostPath rule (default: kind-config.yaml found walking up from the first PATH to the git root)")
	fl.StringSliceVar(&opts.SkipKinds, "skip-kinds", nil, "kinds not schema-validated: Kind, group/Kind or apiVersion/Kind (repeatable, comma-separated)")
	fl.BoolVar(&opts.IgnoreMissingSchemas, "ignore-missing-schemas", false, "do not report kinds without a schema")
	fl.StringVar(&opts.KubernetesVersion, "kubernetes-version", "", "Kubernetes version of the embedded schemas (default: the pinned one)")
	fl.StringVar(&opts.SchemaEngine, "schema-engine", "emmdev", "schema validator: emmdev (embedded, fastest) or kubeconform (kubeconform's pkg/validator on the same embedded schemas, offline)")
	fl.StringArrayVar(&opts.Exclude, "exclude", nil, "path pattern never linted (repeatable): a name without / matches any path element (testdata, *.json), one with / the path (deploy/**/values*.yaml)")
	fl.StringArrayVarP(&opts.Kustomize, "kustomize", "k", nil, "render the kustomization in DIR in-process (offline, no plugins, no helm) and lint the result; findings point at the base or patch file (repeatable)")
	fl.BoolVar(&opts.ListRules, "list-rules", false, "list the rules with their effective severity and exit")
	fl.BoolVar(&opts.Staged, "staged", false, "lint the content staged in the git index (references still resolve against the whole tree)")
	fl.BoolVar(&opts.InstallHook, "install-hook", false, "write .git/hooks/pre-commit running 'emmdev lint --staged PATH...'")
	fl.BoolVar(&opts.Force, "force", false, "with --install-hook: replace a pre-commit hook emmdev did not write")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(report.Formats(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions([]string{"error", "warning", "info"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// validate checks flag combinations before anything runs.
func (o *Options) validate() error {
	if !slices.Contains(report.Formats(), o.Format) {
		return cmdutil.Usagef("--format %q: want one of %s", o.Format, strings.Join(report.Formats(), ", "))
	}
	if _, err := finding.ParseSeverity(o.FailOn); err != nil {
		return cmdutil.Usagef("--fail-on: %v", err)
	}
	if o.SchemaEngine != "emmdev" && o.SchemaEngine != "kubeconform" {
		return cmdutil.Usagef("--schema-engine %q: want emmdev or kubeconform", o.SchemaEngine)
	}
	if o.KubernetesVersion != "" {
		if emb, ok := schema.SupportsKubernetesVersion(o.KubernetesVersion); !ok {
			return cmdutil.Usagef("--kubernetes-version %s: emmdev embeds Kubernetes %s only", o.KubernetesVersion, emb)
		}
	}
	if _, err := loader.CompileExclude(o.Exclude); err != nil {
		return cmdutil.Usagef("--exclude: %v", err)
	}
	modes := 0
	for _, on := range []bool{o.ListRules, o.Staged, o.InstallHook} {
		if on {
			modes++
		}
	}
	switch {
	case modes > 1:
		return cmdutil.Usagef("--list-rules, --staged and --install-hook are exclusive")
	case o.Force && !o.InstallHook:
		return cmdutil.Usagef("--force only applies to --install-hook")
	case o.ListRules && len(o.Paths) > 0:
		return cmdutil.Usagef("--list-rules takes no PATH")
	case (o.Staged || o.InstallHook) && slices.Contains(o.Paths, "-"):
		return cmdutil.Usagef("- (stdin) cannot be combined with --staged or --install-hook")
	case o.ListRules && len(o.Kustomize) > 0:
		return cmdutil.Usagef("--list-rules takes no -k")
	case modes == 0 && len(o.Paths) == 0 && len(o.Kustomize) == 0:
		return cmdutil.Usagef("give the files or directories to lint, or - for stdin (e.g. emmdev lint manifests/)")
	}
	return nil
}

// Run executes the mode the options select.
func Run(o *Options) error {
	if o.Ctx == nil {
		o.Ctx = context.Background()
	}
	switch {
	case o.ListRules:
		return runListRules(o)
	case o.InstallHook:
		return runInstallHook(o)
	case o.Staged:
		return runStaged(o)
	}
	return runPaths(o)
}

func (o *Options) workDir() (string, error) {
	if o.WorkDir == nil {
		return "", nil
	}
	wd, err := o.WorkDir()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	return wd, nil
}
