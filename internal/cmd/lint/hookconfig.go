package lint

import (
	"strings"
)

// The paths --install-hook was given, root-relative, live in the
// repository's own git config (like the hook itself, per clone), so that a
// plain `emmdev lint --staged` lints exactly what the hook lints.
const (
	hookPathKey      = "emmdev.lint.path"
	hookKustomizeKey = "emmdev.lint.kustomize"
)

type hookConfig struct {
	paths, kustomize []string
}

func readHookConfig(o *Options, root string) (hookConfig, error) {
	var hc hookConfig
	for key, dst := range map[string]*[]string{hookPathKey: &hc.paths, hookKustomizeKey: &hc.kustomize} {
		// --get-all exits 1 when the key is unset: nothing recorded.
		out, err := o.Git.Output(o.Ctx, root, "config", "--local", "--get-all", key)
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(out), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				*dst = append(*dst, l)
			}
		}
	}
	return hc, nil
}

func writeHookConfig(o *Options, root string, hc hookConfig) error {
	for key, vals := range map[string][]string{hookPathKey: hc.paths, hookKustomizeKey: hc.kustomize} {
		// --unset-all exits 5 when nothing is set, which is fine.
		_, _ = o.Git.Output(o.Ctx, root, "config", "--local", "--unset-all", key)
		for _, v := range vals {
			if _, err := o.Git.Output(o.Ctx, root, "config", "--local", "--add", key, v); err != nil {
				return err
			}
		}
	}
	return nil
}
