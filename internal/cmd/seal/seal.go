// Package seal wires `emmdev seal` and its subcommands (keygen, verify):
// flags are parsed into one Options struct per command, and Run acts on it,
// so parsing and behaviour are tested apart (runF hook).
package seal

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/kube"
	"github.com/emmdev/emmdev/internal/seal"
)

// Options holds everything `emmdev seal` needs.
type Options struct {
	IO      cmdutil.IOStreams
	WorkDir func() (string, error)
	Ctx     context.Context

	Input     string // Secret manifest file, "-" for stdin, "" = stdin when piped
	EnvFile   string
	Name      string
	Namespace string
	Type      string
	Labels    map[string]string
	TypeSet   bool
	Scope     string
	ScopeSet  bool
	Format    string
	FormatSet bool
	Output    string
	MergeInto string
	Raw       bool
	FromFile  string

	CertFile            string
	FromCluster         bool
	Kubeconfig          string
	KubeContext         string
	ControllerNamespace string
	ControllerName      string
	RequestTimeout      time.Duration

	// FetchCert gets the controller's cert; replaced in tests.
	FetchCert func(ctx context.Context, o *Options) ([]byte, error)
	// GitTracked reports whether a file is tracked by git; replaced in tests.
	GitTracked func(ctx context.Context, path string) bool
}

const sealLong = `Seal a Kubernetes Secret into a bitnami SealedSecret that the sealed-secrets
controller decrypts. Output is compatible with kubeseal.

Input (one of):
  FILE | -                     a Secret manifest (YAML or JSON, several documents ok)
  --from-env-file .env         a .env file, with --name and --namespace [--type]
  --raw                        one value (from --from-file or stdin) -> base64 ciphertext

Output: stdout, or -w/--output FILE (written atomically); -o/--format yaml|json
(the same letters as kubeseal).
--merge-into FILE adds or replaces keys in an existing SealedSecret file and
keeps the others (name, namespace and scope come from that file).

Certificate (first that applies):
  --cert FILE                  a PEM certificate (expired certificates are refused)
  --from-cluster               fetched from the controller through the API server
  the dev cert                 .emmdev/dev-sealing-cert.pem in this project (or
                               $EMMDEV_SEALING_CERT), when present
  otherwise                    fetched from the controller (kube-system /
                               sealed-secrets-controller, as kubeseal)

Scopes (kubeseal's): strict (default; name and namespace are bound),
namespace-wide (may be renamed), cluster-wide (may be renamed and moved).`

// NewCmd builds `emmdev seal`. runF replaces Run in tests (nil for the real one).
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.Streams, WorkDir: f.WorkDir, FetchCert: fetchCert, GitTracked: gitTracked}
	cmd := &cobra.Command{
		Use:   "seal [FILE|-]",
		Short: "Seal Secrets and .env files into SealedSecrets (kubeseal-compatible)",
		Long:  sealLong,
		Example: `  emmdev seal secret.yaml -w secret.sealedsecret.yaml
  emmdev seal --from-env-file .env --name confluence-credentials --namespace agentic-ai
  emmdev seal --from-env-file new.env --merge-into manifests/x.sealedsecret.yaml
  printf %s "$TOKEN" | emmdev seal --raw --name api --namespace agentic-ai
  emmdev seal keygen
  emmdev seal verify manifests/*.sealedsecret.yaml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Input = args[0]
			}
			opts.Ctx = cmd.Context()
			opts.ScopeSet = cmd.Flags().Changed("scope")
			opts.FormatSet = cmd.Flags().Changed("format")
			opts.TypeSet = cmd.Flags().Changed("type")
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
	fl.StringVar(&opts.EnvFile, "from-env-file", "", "seal the KEY=VALUE pairs of a .env `file`")
	fl.StringVar(&opts.Name, "name", "", "Secret name (--from-env-file, --raw; overrides the manifest)")
	fl.StringVarP(&opts.Namespace, "namespace", "n", "", "Secret namespace (--from-env-file, --raw; overrides the manifest)")
	fl.StringVar(&opts.Type, "type", "Opaque", "Secret type for --from-env-file")
	fl.StringToStringVar(&opts.Labels, "label", nil, "with --from-env-file: `key=value` labels for the Secret (repeatable)")
	fl.StringVar(&opts.Scope, "scope", "strict", "strict, namespace-wide or cluster-wide")
	fl.StringVarP(&opts.Format, "format", "o", "yaml", "output format: yaml or json (as kubeseal's -o)")
	fl.StringVarP(&opts.Output, "output", "w", "", "write to `file` atomically instead of stdout (as kubeseal's -w)")
	fl.StringVar(&opts.MergeInto, "merge-into", "", "add/replace keys in this SealedSecret `file`, in place")
	fl.BoolVar(&opts.Raw, "raw", false, "seal one value and print its base64 ciphertext")
	fl.StringVar(&opts.FromFile, "from-file", "", "with --raw: read the value from `file` (default stdin)")
	fl.StringVar(&opts.CertFile, "cert", "", "seal with this PEM certificate `file`")
	fl.BoolVar(&opts.FromCluster, "from-cluster", false, "fetch the certificate from the controller even if the dev cert exists")
	fl.StringVar(&opts.Kubeconfig, "kubeconfig", "", "kubeconfig `file` (default $KUBECONFIG or ~/.kube/config)")
	fl.StringVar(&opts.KubeContext, "context", "", "kubeconfig context")
	fl.StringVar(&opts.ControllerNamespace, "controller-namespace", seal.ControllerNamespace, "namespace of the sealed-secrets controller")
	fl.StringVar(&opts.ControllerName, "controller-name", seal.ControllerName, "service name of the sealed-secrets controller")
	kube.AddRequestTimeoutFlag(fl, &opts.RequestTimeout)
	cmd.AddCommand(newKeygenCmd(f, nil), newVerifyCmd(f, nil))
	return cmd
}

// validate rejects flag combinations that cannot mean anything.
func (o *Options) validate() error {
	if _, err := seal.ParseScope(o.Scope); err != nil {
		return cmdutil.Usagef("--scope: %v", err)
	}
	if _, err := seal.ParseFormat(o.Format); err != nil {
		// -o is the format, as in kubeseal and kubectl: a file name here is
		// the likely mistake, so say how to write a file.
		return cmdutil.Usagef("-o/--format: %v (to write to a file use -w FILE)", err)
	}
	inputs := 0
	for _, set := range []bool{o.Input != "", o.EnvFile != "", o.Raw} {
		if set {
			inputs++
		}
	}
	switch {
	case inputs > 1:
		return cmdutil.Usagef("give only one input: a manifest FILE, --from-env-file or --raw")
	case o.FromFile != "" && !o.Raw:
		return cmdutil.Usagef("--from-file is only used with --raw (for .env files use --from-env-file)")
	case o.Raw && o.MergeInto != "":
		return cmdutil.Usagef("--raw and --merge-into cannot be combined")
	case o.TypeSet && o.EnvFile == "":
		return cmdutil.Usagef("--type is only used with --from-env-file (a manifest carries its own type)")
	case len(o.Labels) > 0 && o.EnvFile == "":
		return cmdutil.Usagef("--label is only used with --from-env-file (a manifest carries its own labels)")
	case o.EnvFile != "" && o.MergeInto == "" && o.Name == "":
		return cmdutil.Usagef("--from-env-file needs --name")
	case o.CertFile != "" && o.FromCluster:
		return cmdutil.Usagef("--cert and --from-cluster cannot be combined")
	case o.Raw && o.FromFile == "" && o.IO.InIsTTY:
		return cmdutil.Usagef("--raw reads the value from stdin; pipe it in or pass --from-file")
	case inputs == 0 && o.IO.InIsTTY:
		return cmdutil.Usagef("nothing to seal: give a Secret manifest FILE (or - for stdin), --from-env-file or --raw")
	}
	return nil
}
