package seal

import (
	"crypto/rsa"
	"fmt"
	"os"
	"strings"

	ssv1 "github.com/bitnami/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	corev1 "k8s.io/api/core/v1"

	"github.com/emmdev/emmdev/internal/atomicfile"
	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/seal"
)

// runMerge seals the input for the name, namespace and scope of the
// existing file and merges the new keys into it (kubeseal --merge-into).
func (o *Options) runMerge(ui *ui, pub *rsa.PublicKey, secrets []*corev1.Secret) error {
	data, err := os.ReadFile(o.abs(o.MergeInto))
	if err != nil {
		return fmt.Errorf("read --merge-into file: %w", err)
	}
	docs, err := seal.DecodeSealedSecrets(o.MergeInto, data)
	if err != nil {
		return err
	}
	if len(docs) != 1 || len(secrets) != 1 {
		return cmdutil.Usagef("--merge-into needs exactly one Secret and one SealedSecret (got %d and %d)", len(secrets), len(docs))
	}
	orig, in := docs[0].Object, secrets[0]
	if (o.Name != "" && o.Name != orig.Name) || (o.Namespace != "" && o.Namespace != orig.Namespace) {
		return cmdutil.Usagef("--name/--namespace differ from %s (%s/%s)", o.MergeInto, orig.Namespace, orig.Name)
	}
	if (in.Name != "" && in.Name != orig.Name) || (in.Namespace != "" && in.Namespace != orig.Namespace) {
		return fmt.Errorf("input Secret is %s/%s but %s holds %s/%s", in.Namespace, in.Name, o.MergeInto, orig.Namespace, orig.Name)
	}
	in.Name, in.Namespace = orig.Name, orig.Namespace
	scope := ssv1.SecretScope(orig)
	if want, _ := seal.ParseScope(o.Scope); o.ScopeSet && want != scope {
		return cmdutil.Usagef("--scope %s differs from the %s scope of %s; reseal every key instead of merging", o.Scope, seal.ScopeName(scope), o.MergeInto)
	}
	update, err := seal.SealSecret(in, pub, seal.Options{Scope: &scope})
	if err != nil {
		return err
	}
	res, err := seal.Merge(orig, update)
	if err != nil {
		return err
	}
	format := seal.DetectFormat(data)
	if o.FormatSet {
		format, _ = seal.ParseFormat(o.Format)
	}
	out, err := seal.Encode([]*ssv1.SealedSecret{orig}, format)
	if err != nil {
		return err
	}
	target := o.MergeInto
	if o.Output != "" {
		target = o.Output
	}
	if err := atomicfile.Write(o.abs(target), out, 0o644); err != nil {
		return err
	}
	ui.ok("merged into %s: added [%s], replaced [%s], kept %d", target,
		strings.Join(res.Added, ", "), strings.Join(res.Replaced, ", "), len(orig.Spec.EncryptedData)-len(res.Added)-len(res.Replaced))
	return nil
}
