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
func (o *Options) runMerge(ui *ui, pub *rsa.PublicKey, inputs []secretInput) error {
	data, err := os.ReadFile(o.abs(o.MergeInto))
	if err != nil {
		return fmt.Errorf("read --merge-into file: %w", err)
	}
	docs, err := seal.DecodeSealedSecrets(o.MergeInto, data)
	if err != nil {
		return err
	}
	if len(docs) != 1 || len(inputs) != 1 {
		return cmdutil.Usagef("--merge-into needs exactly one Secret and one SealedSecret (got %d and %d)", len(inputs), len(docs))
	}
	orig, in := docs[0].Object, inputs[0].secret
	if (o.Name != "" && o.Name != orig.Name) || (o.Namespace != "" && o.Namespace != orig.Namespace) {
		return cmdutil.Usagef("--name/--namespace differ from %s (%s/%s)", o.MergeInto, orig.Namespace, orig.Name)
	}
	if (in.Name != "" && in.Name != orig.Name) || (in.Namespace != "" && in.Namespace != orig.Namespace) {
		return fmt.Errorf("input Secret is %s/%s but %s holds %s/%s", in.Namespace, in.Name, o.MergeInto, orig.Namespace, orig.Name)
	}
	in.Name, in.Namespace = orig.Name, orig.Namespace
	if err := seal.FieldErrors(seal.ValidateSecret(in), inputs[0].where); err != nil {
		return err
	}
	scope := ssv1.SecretScope(orig)
	if want, _ := seal.ParseScope(o.Scope); o.ScopeSet && want != scope {
		return cmdutil.Usagef("--scope %s differs from the %s scope of %s; reseal every key instead of merging", o.Scope, seal.ScopeName(scope), o.MergeInto)
	}
	if err := mergedSize(orig, in); err != nil {
		return fmt.Errorf("%s: %w", o.MergeInto, err)
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
	if target == "-" {
		_, err := o.IO.Out.Write(out)
		return err
	}
	if err := atomicfile.Update(o.abs(target), out, 0o644); err != nil {
		return err
	}
	ui.ok("merged into %s: added [%s], replaced [%s], kept %d", target,
		strings.Join(res.Added, ", "), strings.Join(res.Replaced, ", "), len(orig.Spec.EncryptedData)-len(res.Added)-len(res.Replaced))
	return nil
}

// mergedSize refuses a merge whose Secret would be over the API server's
// limit: the sizes of the values already sealed are read from their
// ciphertexts, the new ones counted as they are.
func mergedSize(orig *ssv1.SealedSecret, in *corev1.Secret) error {
	total := 0
	for k, v := range orig.Spec.EncryptedData {
		if _, ok := in.Data[k]; ok {
			continue
		}
		if _, ok := in.StringData[k]; ok {
			continue
		}
		n, err := seal.PlaintextSize(v)
		if err != nil {
			return fmt.Errorf("encryptedData key %q: %w", k, err)
		}
		total += n
	}
	for _, v := range in.Data {
		total += len(v)
	}
	for _, v := range in.StringData {
		total += len(v)
	}
	return seal.CheckSize("the merged Secret", total)
}
