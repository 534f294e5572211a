// Package policyload finds and loads everything that configures emmdev's
// rules, the same way for `emmdev lint`, `emmdev policies export` and
// `emmdev up`:
//
//  1. the files embedded in the binary: policies/default.yaml (the lint
//     policy) and the shipped custom-rule policies (policies/emm.yaml);
//  2. the repository's policies/ directory, found walking up from the first
//     linted path to the git root like kind-config.yaml: its default.yaml
//     replaces the embedded lint policy, and each other *.yaml file (a
//     CELPolicy) replaces the embedded file of the same name or adds to
//     them;
//  3. --policy FILE (repeatable): a lint policy replaces the one from 1 or
//     2, a CELPolicy file adds its rules.
//
// Subdirectories of policies/ (policies/examples/) are not read.
package policyload

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/emmdev/emmdev/internal/celpolicy"
	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/lint/policy"
	"github.com/emmdev/emmdev/internal/lint/rules"
	"github.com/emmdev/emmdev/internal/repo"
	"github.com/emmdev/emmdev/policies"
)

// DirName is the directory of policy files in a repository.
const DirName = "policies"

// Options says where to look.
type Options struct {
	// WorkDir resolves relative paths and bounds the walk outside git.
	WorkDir string
	// Start is where the walk for policies/ begins (a file or directory;
	// "" = WorkDir).
	Start string
	// Dir is the policies directory to use instead of walking ("" = walk).
	Dir string
	// PolicyFiles are --policy files: a lint policy replaces the lint
	// policy, a CELPolicy file adds its rules.
	PolicyFiles []string
	// CacheDir remembers policy files that passed the checks ("" = none).
	CacheDir string
	// DeferShipped is for lint, which runs the built-in rules' Go checks
	// and never their admission twins: when every CELPolicy file is an
	// unchanged embedded one, and those hold only twins (their tests say
	// so), there is no custom rule to register or run, so the files are
	// not parsed (about 3 ms of every run). Loaded.CEL is then nil and
	// Loaded.CELSet loads them when asked.
	DeferShipped bool
}

// Loaded is the rule configuration of one run.
type Loaded struct {
	Registry *rules.Registry
	Policy   *policy.Policy
	// CEL holds the custom rules and the built-in rules' admission twins.
	CEL *celpolicy.Set
	// Dir is the repository's policies directory that was read ("" = none).
	Dir string
	// Notices say what was ignored and why.
	Notices []string

	// deferred loads the shipped files Options.DeferShipped left alone
	// (nil = nothing deferred).
	deferred func() (*celpolicy.Set, error)
}

// CELSet returns CEL, or the shipped rules Load deferred, loaded once.
func (l *Loaded) CELSet() (*celpolicy.Set, error) {
	if l.deferred == nil {
		return l.CEL, nil
	}
	return l.deferred()
}

type source struct {
	name     string
	data     []byte
	verified bool
}

// Load reads the policy files in the order above and checks them: any
// problem is an error with file:line:col.
func Load(opts Options) (*Loaded, error) {
	l := &Loaded{}
	lintPolicy := source{name: policies.DefaultName, data: policies.Default()}
	var celFiles []string // base names, in order
	cel := map[string]source{}
	embedded := map[string][]byte{}
	for _, f := range policies.Embedded() {
		celFiles = append(celFiles, f.Base)
		cel[f.Base] = source{policies.EmbeddedName(f.Base), f.Data, true}
		embedded[f.Base] = f.Data
	}

	dir := opts.Dir
	if dir == "" {
		start := opts.Start
		if start == "" {
			start = opts.WorkDir
		}
		found, err := FindDir(resolve(opts.WorkDir, start), opts.WorkDir)
		if err != nil {
			return nil, err
		}
		dir = found
	}
	if dir != "" {
		l.Dir = dir
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil {
			return nil, err
		}
		sort.Strings(files)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("reading policy: %w", err)
			}
			name := display(opts.WorkDir, f)
			base := filepath.Base(f)
			if base == "default.yaml" {
				lintPolicy = source{name: name, data: data}
				continue
			}
			// Anything else here is read as a rule file: one that does not
			// parse, or names an emmdev kind that does not exist (a typo
			// in CELPolicy), fails the run; ignoring it would let the gate
			// pass without the rule.
			objs, err := loader.Parse(name, data, loader.Options{})
			if err != nil {
				return nil, fmt.Errorf("invalid policy: %w", err)
			}
			kind := ""
			if len(objs) > 0 {
				kind = objs[0].Kind
				if kind == "LintPolicy" {
					return nil, fmt.Errorf("invalid policy: %s:%d: a lint policy in policies/ is default.yaml; rename it, or pass it with --policy", name, objs[0].Line())
				}
				if kind != celpolicy.Kind && (strings.HasPrefix(objs[0].APIVersion, "emmdev.dev/") || strings.EqualFold(kind, celpolicy.Kind)) {
					return nil, fmt.Errorf("invalid policy: %s:%d: kind %q (apiVersion %s) is not one emmdev knows; custom rules are kind %s, apiVersion emmdev.dev/v1alpha1",
						name, objs[0].Line(), kind, objs[0].APIVersion, celpolicy.Kind)
				}
			}
			switch kind {
			case celpolicy.Kind:
				if _, ok := cel[base]; !ok {
					celFiles = append(celFiles, base)
				}
				// A copy identical to the embedded file was checked by the tests.
				cel[base] = source{name, data, bytes.Equal(data, embedded[base])}
			default:
				l.Notices = append(l.Notices, fmt.Sprintf("%s holds no CELPolicy (kind %q), so it was ignored (policies/ holds CELPolicy files and the lint policy default.yaml)", name, kind))
			}
		}
	}
	var extra []source
	for _, f := range opts.PolicyFiles {
		if dir != "" && sameFile(filepath.Dir(resolve(opts.WorkDir, f)), dir) {
			continue // already read with the policies/ directory
		}
		data, err := os.ReadFile(resolve(opts.WorkDir, f))
		if err != nil {
			return nil, fmt.Errorf("reading policy: %w", err)
		}
		if celpolicy.IsCELPolicy(data) {
			extra = append(extra, source{name: f, data: data})
		} else {
			lintPolicy = source{name: f, data: data}
		}
	}

	reg, err := rules.Default()
	if err != nil {
		return nil, err
	}
	var srcs []celpolicy.Source
	for _, base := range celFiles {
		srcs = append(srcs, celpolicy.Source{Name: cel[base].name, Data: cel[base].data, Verified: cel[base].verified})
	}
	for _, s := range extra {
		srcs = append(srcs, celpolicy.Source{Name: s.name, Data: s.data})
	}
	isBuiltin := func(id string) bool { _, ok := reg.Get(id); return ok }
	// finish parses the lint policy once every rule is registered.
	finish := func(set *celpolicy.Set) (*Loaded, error) {
		pol, err := policy.Parse(lintPolicy.name, lintPolicy.data, reg)
		if err != nil {
			return nil, fmt.Errorf("invalid policy: %w", err)
		}
		l.Registry, l.Policy, l.CEL = reg, pol, set
		return l, nil
	}
	if opts.DeferShipped && onlyShipped(celFiles, cel, extra) {
		l.deferred = sync.OnceValues(func() (*celpolicy.Set, error) {
			set, err := celpolicy.Load(srcs, celpolicy.Options{IsBuiltin: isBuiltin})
			if err != nil {
				return nil, fmt.Errorf("invalid policy: %w", err)
			}
			for _, r := range set.Rules {
				if !r.Builtin {
					// Lint ran without it: deferring was wrong.
					return nil, fmt.Errorf("shipped rule %s at %s is not a built-in rule's twin, so it may not be deferred", r.ID, r.Pos)
				}
			}
			return set, nil
		})
		return finish(nil)
	}
	cache := newCheckCache(opts.CacheDir)
	for i := range srcs {
		srcs[i].Verified = srcs[i].Verified || cache.passed(srcs[i].Data)
	}
	set, err := celpolicy.Load(srcs, celpolicy.Options{IsBuiltin: isBuiltin})
	if err != nil {
		return nil, fmt.Errorf("invalid policy: %w", err)
	}
	for _, s := range srcs {
		if !s.Verified {
			cache.remember(s.Data)
		}
	}
	for _, r := range set.Rules {
		if r.Builtin {
			continue
		}
		remediation := r.Remediation
		if remediation == "" {
			remediation = "Make the object satisfy the rule defined at " + r.Pos.String() + "."
		}
		if err := reg.Register(&rules.Rule{Meta: rules.Meta{
			ID: r.ID, Severity: r.Severity, Enabled: r.Enabled,
			Description: r.Description, Remediation: remediation,
		}}); err != nil {
			return nil, fmt.Errorf("invalid policy: %s: %w", r.Pos, err)
		}
	}
	return finish(set)
}

// onlyShipped reports whether the CELPolicy files are the embedded ones,
// unchanged (a copy in policies/ identical to the embedded file is marked
// verified), with no --policy file.
func onlyShipped(files []string, cel map[string]source, extra []source) bool {
	if len(extra) > 0 {
		return false
	}
	for _, base := range files {
		if !cel[base].verified {
			return false
		}
	}
	return true
}

// ExportOptions configures an export with the lint policy: each rule's
// switch and severity, and a built-in rule's parameters for its twin.
func (l *Loaded) ExportOptions() celpolicy.ExportOptions {
	return celpolicy.ExportOptions{
		Effective: func(id string) (bool, finding.Severity) {
			rc := l.Policy.Rules[id]
			return rc.Enabled, rc.Severity
		},
		TwinParams: func(id string) map[string]any { return l.Policy.Rules[id].Params },
	}
}

// FindDir walks up from start (a file or directory) looking for a
// policies/ directory, with kind-config.yaml's rules: the walk ends at the
// enclosing git root, or outside git at cwd when cwd is an ancestor of
// start. It returns "" when there is none.
func FindDir(start, cwd string) (string, error) {
	return repo.FindUp(start, cwd, DirName, fs.FileInfo.IsDir)
}

func resolve(wd, p string) string {
	if wd == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(wd, p)
}

// display shows a path relative to wd when it is below it.
func display(wd, p string) string {
	if wd == "" {
		return p
	}
	if r, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

func sameFile(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}
