package seal

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"io/fs"
	"os"

	ssv1 "github.com/bitnami/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	"github.com/bitnami/sealed-secrets/pkg/crypto"
	"github.com/spf13/cobra"

	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/seal"
)

// VerifyOptions holds everything `emmdev seal verify` needs.
type VerifyOptions struct {
	IO      cmdutil.IOStreams
	WorkDir func() (string, error)
	Files   []string
	Keys    []string
}

func newVerifyCmd(f *cmdutil.Factory, runF func(*VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{IO: f.Streams, WorkDir: f.WorkDir}
	cmd := &cobra.Command{
		Use:   "verify FILE...",
		Short: "Check that SealedSecrets will decrypt (per key with the dev key, else structurally)",
		Long: `Check SealedSecret files before they reach the cluster.

With the dev private key (default $EMMDEV_SEALING_KEY or
~/.config/emmdev/sealing/dev-key.pem, or --key) every value is decrypted as the
controller would and reported ok/failed, naming the name/namespace/scope it
was really sealed for when it does not match. Without a key, the structure is
checked: template vs metadata name and namespace, scope annotations, and
ciphertext framing. Exit 1 when anything is wrong.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if runF != nil {
				return runF(opts)
			}
			return RunVerify(opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.Keys, "key", nil, "private key `file` (PEM; repeatable)")
	return cmd
}

// RunVerify checks every SealedSecret in the files.
func RunVerify(o *VerifyOptions) error {
	ui := newUI(o.IO)
	keys, err := o.loadKeys(ui)
	if err != nil {
		return err
	}
	bad := 0
	for _, file := range o.Files {
		data, err := os.ReadFile(resolve(o.WorkDir, file))
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		docs, err := seal.DecodeSealedSecrets(file, data)
		if err != nil {
			return err
		}
		for _, d := range docs {
			if !report(ui, d, seal.Verify(d.Object, keys)) {
				bad++
			}
		}
	}
	if bad > 0 {
		return &cmdutil.FindingsError{Summary: fmt.Sprintf("%d SealedSecret(s) failed verification", bad)}
	}
	return nil
}

func report(ui *ui, d seal.SealedDoc, r seal.Result) bool {
	ss := d.Object
	head := fmt.Sprintf("%s:%d SealedSecret %s/%s (%s)", d.File, d.Line, ss.Namespace, ss.Name, seal.ScopeName(ssv1.SecretScope(ss)))
	if r.OK() {
		ui.ok("%s", head)
	} else {
		ui.fail("%s", head)
	}
	for _, p := range r.Problems {
		ui.info("✗ %s", p)
	}
	for _, k := range r.Keys {
		if k.OK {
			ui.info("✓ %s", k.Key)
		} else {
			ui.info("✗ %s: %s", k.Key, k.Why)
		}
	}
	return r.OK()
}

// loadKeys reads --key files, or the dev key when it exists; without any,
// verification is structural only (said on stderr).
func (o *VerifyOptions) loadKeys(ui *ui) (map[string]*rsa.PrivateKey, error) {
	paths := o.Keys
	if len(paths) == 0 {
		keyPath, _ := seal.DefaultKeyPaths(o.IO.Env)
		if _, err := os.Stat(resolve(o.WorkDir, keyPath)); errors.Is(err, fs.ErrNotExist) {
			ui.info("no private key at %s: structural checks only (pass --key to decrypt)", keyPath)
			return nil, nil
		}
		paths = []string{keyPath}
	}
	keys := map[string]*rsa.PrivateKey{}
	for _, p := range paths {
		if err := seal.CheckKeyLocation(resolve(o.WorkDir, p)); err != nil {
			return nil, err
		}
		k, err := seal.LoadPrivateKey(resolve(o.WorkDir, p))
		if err != nil {
			return nil, err
		}
		fp, err := crypto.PublicKeyFingerprint(&k.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		keys[fp] = k
	}
	return keys, nil
}
