package seal

import (
	"context"
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
	Ctx      context.Context
	Now      func() time.Time
	KeyPath  string
	CertPath string
	Force    bool
	Bits     int
	Validity time.Duration
}

func newKeygenCmd(f *cmdutil.Factory, runF func(*KeygenOptions) error) *cobra.Command {
	opts := &KeygenOptions{IO: f.Streams, WorkDir: f.WorkDir, Now: time.Now, Bits: seal.DefaultKeyBits, Validity: seal.DefaultValidity}
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
decrypting; with --force the old key and cert are kept next to them as
*.bak-<UTC time> (0600). On a fresh clone the cert is there but the key is
not: get the team's dev key instead (or use --force and re-seal every
SealedSecret).

A key inside a git work tree, or in a file or folder other users can read,
is refused with the command that fixes it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Bits < seal.MinKeyBits || opts.Bits > seal.MaxKeyBits {
				return cmdutil.Usagef("--bits must be between %d and %d (got %d)", seal.MinKeyBits, seal.MaxKeyBits, opts.Bits)
			}
			opts.Ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return RunKeygen(opts)
		},
	}
	cmd.Flags().StringVar(&opts.KeyPath, "key", "", "private key `file` (default $EMMDEV_SEALING_KEY or ~/.config/emmdev/sealing/dev-key.pem)")
	cmd.Flags().StringVar(&opts.CertPath, "cert", "", "certificate `file` (default .emmdev/dev-sealing-cert.pem at the project root)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "replace an existing key pair")
	cmd.Flags().IntVar(&opts.Bits, "bits", seal.DefaultKeyBits, fmt.Sprintf("RSA key size, %d to %d", seal.MinKeyBits, seal.MaxKeyBits))
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
	// Check before the slow key generation, not after it.
	if err := seal.CheckKeyLocation(keyPath); err != nil {
		return err
	}
	if !o.Force {
		if err := refuseKeygen(o.WorkDir, keyPath, certPath); err != nil {
			return err
		}
	}
	// Seconds to minutes at 8192 bits: say what is going on.
	ui.info("generating a %d-bit RSA key ...", o.Bits)
	kp, err := generate(o.Ctx, o.Bits, o.Validity)
	if err != nil {
		ui.fail("generate %d-bit RSA key", o.Bits)
		return err
	}
	ui.ok("generated %d-bit RSA sealing key %s", o.Bits, kp.Fingerprint())
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	backups, err := seal.WriteKeyPair(kp, keyPath, certPath, o.Force, now())
	for _, b := range backups {
		ui.ok("kept the old %s (0600)", b)
	}
	if err != nil {
		ui.fail("write key pair")
		return err
	}
	ui.ok("private key  %s (0600; keep it out of git)", keyPath)
	ui.ok("certificate  %s (commit it; expires %s)", relTo(o.WorkDir, certPath), kp.Cert.NotAfter.Format(time.DateOnly))
	fmt.Fprintln(o.IO.ErrOut, "   next: 'emmdev up' installs the key; 'emmdev seal ...' now seals with this cert")
	return nil
}

// generate makes the key pair, and gives up at once when ctx is cancelled:
// RSA generation cannot be stopped, so it is abandoned to finish in the
// background while the process exits.
func generate(ctx context.Context, bits int, validity time.Duration) (*seal.KeyPair, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	type result struct {
		kp  *seal.KeyPair
		err error
	}
	done := make(chan result, 1)
	go func() {
		kp, err := seal.GenerateKeyPair(bits, validity)
		done <- result{kp, err}
	}()
	select {
	case r := <-done:
		return r.kp, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
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
