package seal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	ssv1 "github.com/bitnami/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/emmdev/emmdev/internal/atomicfile"
	"github.com/emmdev/emmdev/internal/cmdutil"
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
	inputs, err := o.readSecrets()
	if err != nil {
		return err
	}
	if o.Name != "" && len(inputs) > 1 && o.MergeInto == "" {
		return cmdutil.Usagef("--name names one Secret, but %s holds %d (at %s): seal them one at a time, or drop --name",
			o.Input, len(inputs), joinWhere(inputs))
	}
	// Checked like the API server checks a Secret, after --name and
	// --namespace apply: what cannot exist in a cluster is not sealed.
	// (--merge-into checks once the target's name and namespace apply.)
	var problems []error
	for _, in := range inputs {
		o.override(in.secret)
		if o.MergeInto != "" {
			continue
		}
		if err := seal.FieldErrors(seal.ValidateSecret(in.secret), in.where); err != nil {
			problems = append(problems, err)
		}
	}
	if len(problems) > 0 {
		return errors.Join(problems...)
	}
	secrets := make([]*corev1.Secret, len(inputs))
	for i, in := range inputs {
		secrets[i] = in.secret
	}
	pub, err := o.publicKey(ui)
	if err != nil {
		return err
	}
	if o.MergeInto != "" {
		return o.runMerge(ui, pub, inputs)
	}
	scope, _ := seal.ParseScope(o.Scope)
	sopts := seal.Options{}
	if o.ScopeSet {
		sopts.Scope = &scope
	}
	var out []*ssv1.SealedSecret
	for _, s := range secrets {
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
	if o.Output != "" && o.Output != "-" {
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

// write sends the result to stdout (no -w, or -w -) or to the -w file:
// atomically, through a symlink to the file it names, keeping the mode of
// a file that exists (see atomicfile.Update).
func (o *Options) write(data []byte) error {
	if o.Output == "" || o.Output == "-" {
		_, err := o.IO.Out.Write(data)
		return err
	}
	return atomicfile.Update(o.abs(o.Output), data, 0o644)
}

// secretInput is a Secret to seal and where its fields came from, for
// messages: a manifest's file:line, or the .env line and the flags.
type secretInput struct {
	secret *corev1.Secret
	where  func(path ...string) string
}

func joinWhere(inputs []secretInput) string {
	var w []string
	for _, in := range inputs {
		w = append(w, in.where())
	}
	return strings.Join(w, ", ")
}

// readSecrets loads the Secrets to seal from a manifest, stdin or a .env.
func (o *Options) readSecrets() ([]secretInput, error) {
	if o.EnvFile != "" {
		return o.secretFromEnv()
	}
	name, data, err := o.readInput(o.Input)
	if err != nil {
		return nil, err
	}
	docs, err := seal.DecodeSecretDocs(name, data)
	if err != nil {
		return nil, err
	}
	out := make([]secretInput, len(docs))
	for i, d := range docs {
		out[i] = secretInput{secret: d.Secret, where: o.flagOr(d.Where)}
	}
	return out, nil
}

// flagOr names the flag that set a field (--name, --namespace) instead of
// the line of the manifest it overrode.
func (o *Options) flagOr(where func(path ...string) string) func(path ...string) string {
	return func(path ...string) string {
		if len(path) >= 2 && path[0] == "metadata" {
			switch {
			case path[1] == "name" && o.Name != "":
				return "--name"
			case path[1] == "namespace" && o.Namespace != "":
				return "--namespace"
			}
		}
		return where(path...)
	}
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
func (o *Options) secretFromEnv() ([]secretInput, error) {
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
	lines := map[string]int{}
	for _, e := range entries {
		s.Data[e.Key] = []byte(e.Value)
		lines[e.Key] = e.Line
	}
	where := func(path ...string) string {
		switch {
		case len(path) >= 2 && path[0] == "data" && lines[path[1]] > 0:
			return fmt.Sprintf("%s:%d", o.EnvFile, lines[path[1]])
		case len(path) >= 2 && path[0] == "metadata" && path[1] == "name":
			return "--name"
		case len(path) >= 2 && path[0] == "metadata" && path[1] == "namespace":
			return "--namespace"
		case len(path) >= 2 && path[0] == "metadata" && path[1] == "labels":
			return "--label"
		case len(path) >= 1 && path[0] == "type":
			return "--type"
		}
		return o.EnvFile
	}
	return []secretInput{{secret: s, where: where}}, nil
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
	if err := o.checkRaw(len(value)); err != nil {
		return err
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

// checkRaw validates what --raw seals for: the name and namespace it is
// bound to, and the size of the value.
func (o *Options) checkRaw(size int) error {
	var problems []error
	if o.Name != "" {
		for _, msg := range apivalidation.NameIsDNSSubdomain(o.Name, false) {
			problems = append(problems, fmt.Errorf("--name %q: %s", o.Name, msg))
		}
	}
	if o.Namespace != "" {
		for _, msg := range apivalidation.ValidateNamespaceName(o.Namespace, false) {
			problems = append(problems, fmt.Errorf("--namespace %q: %s", o.Namespace, msg))
		}
	}
	if err := seal.CheckSize("the value", size); err != nil {
		problems = append(problems, err)
	}
	return errors.Join(problems...)
}
