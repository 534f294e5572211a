package seal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/seal"
)

// KeygenOptions holds everything `emmdev seal keygen` needs.
type KeygenOptions struct {
	IO       cmdutil.IOStreams
	WorkDir  func() (string, error)
	KeyPath  string
	CertPath string
	Force    bool
	Bits     int
	Validity time.Duration
}

func newKeygenCmd(f *cmdutil.Factory, runF func(*KeygenOptions) error) *cobra.Command {
	opts := &KeygenOptions{IO: f.Streams, WorkDir: f.WorkDir, Bits: seal.DefaultKeyBits, Validity: seal.DefaultValidity}
	cmd := &cobra.Command{
		Use:   "keygen",
		Short: "Create the dev sealing key pair for local clusters",
		Long: `Create the project's dev sealing key pair. 'emmdev up' installs it as the
sealed-secrets controller's key, so SealedSecrets sealed with the dev cert keep
decrypting after the kind cluster is deleted and recreated.

The private key is written 0600 outside the repository:
  $EMMDEV_SEALING_KEY, default ${XDG_CONFIG_HOME:-$HOME/.config}/emmdev/sealing/dev-key.pem
The public certificate goes to .emmdev/dev-sealing-cert.pem at the project root
(or $EMMDEV_SEALING_CERT); commit it. Existing files are never replaced
without --force, since every SealedSecret sealed with the old cert would stop
decrypting. On a fresh clone the cert is there but the key is not: get the
team's dev key instead (or use --force and re-seal every SealedSecret).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Bits < 2048 {
				return cmdutil.Usagef("--bits must be at least 2048")
			}
			if runF != nil {
				return runF(opts)
			}
			return RunKeygen(opts)
		},
	}
	cmd.Flags().StringVar(&opts.KeyPath, "key", "", "private key `file` (default $EMMDEV_SEALING_KEY or ~/.config/emmdev/sealing/dev-key.pem)")
	cmd.Flags().StringVar(&opts.CertPath, "cert", "", "certificate `file` (default .emmdev/dev-sealing-cert.pem at the project root)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "replace an existing key pair")
	cmd.Flags().IntVar(&opts.Bits, "bits", seal.DefaultKeyBits, "RSA key size")
	return cmd
}

// RunKeygen creates and stores the key pair.
func RunKeygen(o *KeygenOptions) error {
	ui := newUI(o.IO)
	keyPath, certPath := seal.DefaultKeyPaths(o.IO.Env)
	if o.KeyPath != "" {
		keyPath = resolve(o.WorkDir, o.KeyPath)
	}
	if o.CertPath != "" {
		certPath = resolve(o.WorkDir, o.CertPath)
	} else if !filepath.IsAbs(certPath) {
		root, err := projectRoot(o.WorkDir)
		if err != nil {
			return err
		}
		certPath = filepath.Join(root, certPath)
	}
	// A relative default means HOME is unset: it would land in the repo.
	if explicit := o.KeyPath != "" || o.IO.Env(seal.EnvKeyPath) != ""; !explicit && !filepath.IsAbs(keyPath) {
		return errors.New("cannot place the private key: set HOME, XDG_CONFIG_HOME or EMMDEV_SEALING_KEY")
	}
	keyPath = resolve(o.WorkDir, keyPath)
	if !o.Force {
		// Check before the slow key generation, not after it.
		if err := refuseKeygen(o.WorkDir, keyPath, certPath); err != nil {
			return err
		}
	}
	kp, err := seal.GenerateKeyPair(o.Bits, o.Validity)
	if err != nil {
		ui.fail("generate %d-bit RSA key", o.Bits)
		return err
	}
	ui.ok("generated %d-bit RSA sealing key %s", o.Bits, kp.Fingerprint())
	if err := seal.WriteKeyPair(kp, keyPath, certPath, o.Force); err != nil {
		ui.fail("write key pair")
		return err
	}
	ui.ok("private key  %s (0600; keep it out of git)", keyPath)
	ui.ok("certificate  %s (commit it; expires %s)", relTo(o.WorkDir, certPath), kp.Cert.NotAfter.Format(time.DateOnly))
	fmt.Fprintln(o.IO.ErrOut, "   next: 'emmdev up' installs the key; 'emmdev seal ...' now seals with this cert")
	return nil
}

// refuseKeygen fails when the key pair, or half of it, already exists. A
// cert without its key is what a fresh clone has: the cert is committed,
// the key is not, so say how to get the key or how to start over.
func refuseKeygen(workDir func() (string, error), keyPath, certPath string) error {
	_, keyErr := os.Lstat(keyPath)
	_, certErr := os.Lstat(certPath)
	if certErr == nil && errors.Is(keyErr, fs.ErrNotExist) {
		return fmt.Errorf("%s %w, but its private key is not at %s (as on a fresh clone); "+
			"a new pair would stop every SealedSecret sealed with that cert from decrypting.\nEither %s",
			relTo(workDir, certPath), seal.ErrExists, keyPath, seal.MissingDevKeyHint(keyPath))
	}
	return seal.RefuseOverwrite(keyPath, certPath)
}
