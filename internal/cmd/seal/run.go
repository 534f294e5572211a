package seal

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	ssv1 "github.com/bitnami/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/emmdev/emmdev/internal/atomicfile"
	"github.com/emmdev/emmdev/internal/dotenv"
	"github.com/emmdev/emmdev/internal/seal"
)

// Run seals the input described by o.
func Run(o *Options) error {
	if o.Ctx == nil {
		o.Ctx = context.Background()
	}
	ui := newUI(o.IO)
	if o.Raw {
		return o.runRaw(ui)
	}
	// Input first: a broken .env should fail before any cluster round trip.
	secrets, err := o.readSecrets()
	if err != nil {
		return err
	}
	pub, err := o.publicKey(ui)
	if err != nil {
		return err
	}
	if o.MergeInto != "" {
		return o.runMerge(ui, pub, secrets)
	}
	scope, _ := seal.ParseScope(o.Scope)
	sopts := seal.Options{}
	if o.ScopeSet {
		sopts.Scope = &scope
	}
	var out []*ssv1.SealedSecret
	for _, s := range secrets {
		o.override(s)
		ss, err := seal.SealSecret(s, pub, sopts)
		if err != nil {
			return err
		}
		out = append(out, ss)
	}
	format, _ := seal.ParseFormat(o.Format)
	data, err := seal.Encode(out, format)
	if err != nil {
		return err
	}
	if err := o.write(data); err != nil {
		return err
	}
	if o.Output != "" {
		for _, ss := range out {
			ui.ok("sealed %s (%s scope, keys: %s) into %s", ss.Namespace+"/"+ss.Name, seal.ScopeName(ssv1.SecretScope(ss)), strings.Join(seal.Keys(ss), ", "), o.Output)
		}
	}
	return nil
}

// override applies --name/--namespace to a manifest's Secret.
func (o *Options) override(s *corev1.Secret) {
	if o.Name != "" {
		s.Name = o.Name
	}
	if o.Namespace != "" {
		s.Namespace = o.Namespace
	}
}

// write sends the result to stdout or atomically to -o.
func (o *Options) write(data []byte) error {
	if o.Output == "" {
		_, err := o.IO.Out.Write(data)
		return err
	}
	return atomicfile.Write(o.abs(o.Output), data, 0o644)
}

// readSecrets loads the Secrets to seal from a manifest, stdin or a .env.
func (o *Options) readSecrets() ([]*corev1.Secret, error) {
	if o.EnvFile != "" {
		s, err := o.secretFromEnv()
		if err != nil {
			return nil, err
		}
		return []*corev1.Secret{s}, nil
	}
	name, data, err := o.readInput(o.Input)
	if err != nil {
		return nil, err
	}
	return seal.DecodeSecrets(name, data)
}

func (o *Options) readInput(path string) (string, []byte, error) {
	if path == "" || path == "-" {
		data, err := io.ReadAll(o.IO.In)
		if err != nil {
			return "", nil, fmt.Errorf("read stdin: %w", err)
		}
		return "<stdin>", data, nil
	}
	data, err := os.ReadFile(o.abs(path))
	if err != nil {
		return "", nil, fmt.Errorf("read input: %w", err)
	}
	return path, data, nil
}

// secretFromEnv builds a Secret from a .env file. Values go to data (bytes),
// never stringData, so they are sealed exactly as written.
func (o *Options) secretFromEnv() (*corev1.Secret, error) {
	f, err := os.Open(o.abs(o.EnvFile))
	if err != nil {
		return nil, fmt.Errorf("read env file: %w", err)
	}
	defer f.Close()
	entries, err := dotenv.Parse(o.EnvFile, f)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%s: no KEY=VALUE lines; nothing to seal", o.EnvFile)
	}
	if !isExample(o.EnvFile) && o.GitTracked != nil && o.GitTracked(o.Ctx, o.abs(o.EnvFile)) {
		fmt.Fprintf(o.IO.ErrOut, "warning: %s is tracked by git, so its plaintext values are in the repository history; "+
			"untrack it (git rm --cached %s), add it to .gitignore and rotate real credentials\n", o.EnvFile, o.EnvFile)
	}
	s := &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace, Labels: o.Labels},
		Type:       corev1.SecretType(o.Type),
		Data:       make(map[string][]byte, len(entries)),
	}
	for _, e := range entries {
		s.Data[e.Key] = []byte(e.Value)
	}
	return s, nil
}

// isExample: .env.example and friends are committed on purpose and hold
// fake values, so warning about them being tracked would be noise.
func isExample(path string) bool {
	for _, suffix := range []string{".example", ".sample", ".template"} {
		if strings.HasSuffix(path, suffix) {
			return true
		}
	}
	return false
}

// runRaw seals one value (kubeseal --raw).
func (o *Options) runRaw(ui *ui) error {
	var (
		value []byte
		err   error
	)
	if o.FromFile != "" {
		value, err = os.ReadFile(o.abs(o.FromFile))
	} else {
		value, err = io.ReadAll(o.IO.In)
	}
	if err != nil {
		return fmt.Errorf("read value: %w", err)
	}
	pub, err := o.publicKey(ui)
	if err != nil {
		return err
	}
	scope, _ := seal.ParseScope(o.Scope)
	ct, err := seal.SealRaw(pub, o.Name, o.Namespace, scope, value)
	if err != nil {
		return err
	}
	return o.write([]byte(ct + "\n"))
}
